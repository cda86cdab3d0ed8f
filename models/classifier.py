"""The end-to-end estimator: epochs → spikes → cube with STDP → readout.

:class:`NeuCubeClassifier` is a scikit-learn classifier over EEG epochs shaped
(n_epochs, n_channels, n_times). ``fit`` learns the encoder's thresholds,
builds the cube on the brain template for the given channel names,
calibrates its firing threshold so that the training epochs keep it inside an
activity band (``band``), shapes its weights with bounded unsupervised STDP
over the training epochs (and calibrates again, as STDP moves the operating
point), then trains the readout on the cube's activity with learning off. ``predict`` encodes with the
frozen thresholds and runs the cube without learning. It works inside
scikit-learn's model selection (``cross_val_score``, ``GridSearchCV``).

Filtering is not part of the estimator: feed it epochs filtered the way the
live path filters them (``acquisition.OnlineFilter``).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from neucube._checks import (
    check_array_finite,
    check_band,
    check_ch_names,
    check_int,
    check_option,
    check_seed,
)
from neucube.cube import DEFAULT_BAND
from neucube.cube import _param_checks as _cube_param_checks
from neucube.encoders import ENCODERS, make_encoder
from neucube.persistence import CubeFileError, check_fields, check_keys, field_error

from . import logger
from ._checks import check_number
from ._docs import fill_doc
from ._modelfile import json_field, model_fields
from .readouts import READOUTS, make_readout

if TYPE_CHECKING:
    import numpy.typing as npt

    from neucube.cube import CubeActivity

DELTA_ENCODERS = ("tbr", "step_forward", "moving_window")
#: NeuCube's published operating point: its threshold as is (no calibration),
#: STDP bounds of +-2, rate 0.001, the deSNN readout.
NEUCUBE_PRESET = {
    "band": None,
    "weight_bound": None,
    "stdp_rate": 0.001,
    "readout": "desnn",
}
#: Classifier classes by name, so that a file is loaded as the class that saved it.
_CLASSES = {}
#: Where the classes defined outside this module live (imported on demand).
_CLASS_MODULES = {"FamiliarityClassifier": "models.trials.familiarity"}


@fill_doc
class NeuCubeClassifier(ClassifierMixin, BaseEstimator):
    """NeuCube classifier of EEG epochs.

    Parameters
    ----------
    ch_names : list of str
        Channel names of the epochs, in order (10-05 names or bipolar pairs,
        see :func:`neucube.template.map_channels`).
    sfreq : float
        Sampling rate of the epochs in Hz (one cube step per sample).
    %(cube_classifier_params)s

    Attributes
    ----------
    %(cube_classifier_attributes)s
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _CLASSES[cls.__name__] = cls

    def __init__(
        self,
        ch_names=None,
        sfreq=None,
        *,
        encoder="tbr",
        alpha=0.5,
        resolution=10.0,
        radius=25.0,
        stdp="neucube",
        stdp_rate=0.001,
        n_passes=1,
        band=DEFAULT_BAND,
        weight_bound=2.0,
        readout="bins",
        mod=0.8,
        drift=0.005,
        n_neighbors=3,
        C=1.0,
        n_bins=4,
        group_by="electrode",
        target="auto",
        random_state=None,
    ):
        self.ch_names = ch_names
        self.sfreq = sfreq
        self.encoder = encoder
        self.alpha = alpha
        self.resolution = resolution
        self.radius = radius
        self.stdp = stdp
        self.stdp_rate = stdp_rate
        self.n_passes = n_passes
        self.band = band
        self.weight_bound = weight_bound
        self.readout = readout
        self.mod = mod
        self.drift = drift
        self.n_neighbors = n_neighbors
        self.C = C
        self.n_bins = n_bins
        self.group_by = group_by
        self.target = target
        self.random_state = random_state

    # -- helpers ---------------------------------------------------------------

    def _check_X(self, X, *, fitting):
        X = np.asarray(X, dtype=float)
        if X.ndim != 3:
            raise ValueError(
                f"X must be epochs shaped (n_epochs, n_channels, n_times), got an array with "
                f"{X.ndim} dimension(s) of shape {X.shape}."
            )
        if self.ch_names is None or self.sfreq is None:
            raise ValueError(
                "NeuCubeClassifier needs ch_names and sfreq to place the channels on the "
                "brain template: NeuCubeClassifier(ch_names=raw.ch_names, sfreq=raw.info['sfreq'])."
            )
        if X.shape[1] != len(self.ch_names):
            raise ValueError(
                f"X has {X.shape[1]} channels but ch_names lists {len(self.ch_names)}; "
                "they must match one to one."
            )
        if X.shape[0] < (2 if fitting else 1) or X.shape[2] < 2:
            raise ValueError(
                f"X of shape {X.shape} is too small: at least 2 epochs of 2 samples to fit, "
                "1 epoch to predict."
            )
        check_array_finite(X, "X")
        return X

    def _make_encoder(self):
        if self.encoder in DELTA_ENCODERS:
            return make_encoder(self.encoder, alpha=self.alpha)
        return make_encoder(self.encoder)

    def _make_readout(self, cube=None):
        if self.readout == "desnn":
            return make_readout(
                "desnn", mod=self.mod, drift=self.drift, n_neighbors=self.n_neighbors
            )
        if self.readout == "bins":
            groups = None
            if cube is not None and self.group_by == "electrode":
                groups = nearest_electrode(cube.coords, cube.input_index)
            return make_readout(
                "bins", n_bins=self.n_bins, groups=groups, random_state=_seed(self.random_state)
            )
        return make_readout(self.readout, C=self.C)

    def _param_checks(self):
        """Return how each parameter is checked: name -> function of its value (raises).

        In the order of the constructor; a check that looks at another
        parameter (``alpha`` at ``encoder``) comes after it.
        """
        cube = _cube_param_checks({})
        return {
            "ch_names": lambda v: v is None or check_ch_names(v, "ch_names"),
            "sfreq": lambda v: check_number(v, "sfreq", minimum=0, strict=True, allow_none=True),
            "encoder": lambda v: check_option(v, "encoder", tuple(ENCODERS)),
            "alpha": lambda v: (
                self.encoder in DELTA_ENCODERS and self._make_encoder()._check_params()
            ),
            "resolution": lambda v: check_number(v, "resolution", minimum=0, strict=True),
            "radius": cube["radius"],
            "stdp": cube["stdp"],
            "stdp_rate": cube["stdp_rate"],
            "n_passes": lambda v: check_int(v, "n_passes", min_value=0),
            "band": lambda v: v is None or check_band(v),
            "weight_bound": _check_weight_bound,
            "readout": _check_readout,
            "mod": lambda v: check_number(v, "mod", minimum=0, strict=True, maximum=1),
            "drift": lambda v: check_number(v, "drift", minimum=0),
            "n_neighbors": lambda v: check_int(v, "n_neighbors", min_value=1),
            "C": lambda v: check_number(v, "C", minimum=0, strict=True),
            "n_bins": lambda v: check_int(v, "n_bins", min_value=1),
            "group_by": lambda v: check_option(v, "group_by", ("electrode", "neuron")),
            "target": cube["target"],
            "random_state": check_seed,
        }

    def _check_params(self, fname=None):
        """Check every parameter; fit does, and so does :meth:`load` (naming the file's field)."""
        check_fields(
            self.get_params(deep=False), self._param_checks(), section="model", fname=fname
        )

    # -- scikit-learn API --------------------------------------------------------

    def fit(self, X: np.ndarray, y: npt.ArrayLike) -> NeuCubeClassifier:
        """Fit encoder thresholds, STDP weights and the readout.

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Filtered EEG epochs.
        y : array-like, shape (n_epochs,)
            Class labels.

        Returns
        -------
        self : NeuCubeClassifier
            The fitted estimator.
        """
        self._fit(X, y)
        return self

    def fit_transform(
        self, X: np.ndarray, y: npt.ArrayLike, *, return_spikes: bool = False
    ) -> CubeActivity | tuple[CubeActivity, np.ndarray]:
        """Fit, and return the training epochs' activity the readout was fitted on.

        The same as ``fit(X, y).transform(X)`` without simulating the training
        epochs a second time.

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Filtered EEG epochs.
        y : array-like, shape (n_epochs,)
            Class labels.
        return_spikes : bool
            Also return the encoder's spikes that drove the cube.

        Returns
        -------
        activity : neucube.cube.CubeActivity
            The cube's activity on ``X`` after learning (see :meth:`transform`).
        spikes : ndarray of int8, shape (n_epochs, n_channels, n_times)
            Only with ``return_spikes=True``: the input spikes.
        """
        activity, spikes = self._fit(X, y)
        return (activity, spikes) if return_spikes else activity

    def _fit(self, X, y):
        """Fit everything; return the training activity and spikes."""
        from neucube.cube import Cube

        X = self._check_X(X, fitting=True)
        y = np.asarray(y)
        check_classification_targets(y)
        if len(y) != len(X):
            raise ValueError(f"X holds {len(X)} epochs but y has {len(y)} labels.")
        self._check_params()
        self._make_readout()  # fail early on a bad readout name
        self.encoder_ = self._make_encoder().fit(X)
        spikes = self.encoder_.transform(X)
        self.cube_ = Cube.from_template(
            list(self.ch_names),
            resolution=self.resolution,
            radius=self.radius,
            stdp=self.stdp,
            stdp_rate=self.stdp_rate,
            sfreq=float(self.sfreq),
            target=self.target,
            random_state=self.random_state,
        )
        if self.weight_bound is not None:
            # relative to the strongest initial weight (an input connection's)
            limit = float(self.weight_bound) * self.cube_.max_weight * self.cube_.input_gain
            self.cube_.w_min, self.cube_.w_max = -limit, limit
        if self.band is not None:
            self.cube_.calibrate(spikes, self.band)
        before = self.cube_.weights_.copy()
        self.cube_.fit(spikes, n_passes=self.n_passes)
        if self.band is not None and self.n_passes:
            self.cube_.calibrate(spikes, self.band)  # STDP moves the operating point
        activity = self.cube_.transform(spikes)
        self.readout_ = self._make_readout(self.cube_).fit(activity, y)
        self.classes_ = self.readout_.classes_
        self.n_channels_ = X.shape[1]
        self.fit_summary_ = {
            "rate": activity.rate,
            "active_share": activity.active_share,
            "spikes_per_sample": activity.n_spikes / len(X),
            "threshold": float(self.cube_.threshold),
            "stdp_change": stdp_change(before, self.cube_.weights_),
        }
        logger.info(
            "NeuCubeClassifier fitted: %d epochs, %d channels, %d neurons, %s readout, "
            "%.1f reservoir spikes per epoch (%.4g per neuron per step), STDP changed the "
            "weights by %.1f%% of their mean magnitude",
            len(X),
            X.shape[1],
            self.cube_.n_neurons,
            self.readout,
            activity.n_spikes / len(X),
            activity.rate,
            100 * self.fit_summary_["stdp_change"],
        )
        return activity, spikes

    def transform(
        self, X: np.ndarray, *, return_spikes: bool = False
    ) -> CubeActivity | tuple[CubeActivity, np.ndarray]:
        """Return the cube's activity on epochs (no learning).

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Filtered EEG epochs.
        return_spikes : bool
            Also return the encoder's spikes that drove the cube.

        Returns
        -------
        activity : neucube.cube.CubeActivity
            Spikes, counts and first-spike order per epoch.
        spikes : ndarray of int8, shape (n_epochs, n_channels, n_times)
            Only with ``return_spikes=True``: the input spikes.
        """
        check_is_fitted(self, "readout_")
        X = self._check_X(X, fitting=False)
        spikes = self.encoder_.transform(X)
        activity = self.cube_.transform(spikes)
        return (activity, spikes) if return_spikes else activity

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities of each epoch.

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Filtered EEG epochs.

        Returns
        -------
        proba : ndarray, shape (n_epochs, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self, "readout_")
        return self.readout_.predict_proba(self.transform(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class of each epoch.

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Filtered EEG epochs.

        Returns
        -------
        y_pred : ndarray, shape (n_epochs,)
            Predicted labels.
        """
        check_is_fitted(self, "readout_")
        return self.readout_.predict(self.transform(X))

    # -- persistence -------------------------------------------------------------

    def save(
        self,
        fname: str | os.PathLike,
        *,
        overwrite: bool = False,
        extra: dict[str, dict] | None = None,
    ) -> Path:
        """Save the fitted classifier to one ``.npz`` file (no pickle).

        The file is a cube file (:mod:`neucube.persistence`: coordinates,
        connections, STDP weights, versions) whose ``encoder`` section holds
        the encoder's kind, parameters and frozen thresholds, and whose
        ``model`` and ``readout`` sections hold this estimator's parameters and
        the readout's training vectors and labels.

        Parameters
        ----------
        fname : path-like
            Destination ``.npz`` file.
        overwrite : bool
            Whether an existing file may be replaced.
        extra : dict of str to dict | None
            Further sections to keep in the file (for example a detector's
            settings), see :func:`neucube.cube.Cube.save`.

        Returns
        -------
        fname : pathlib.Path
            The file written.
        """
        check_is_fitted(self, "readout_")
        encoder = {"kind": self.encoder, "params": json.dumps(self.encoder_.get_params())}
        for key, value in vars(self.encoder_).items():
            if key.endswith("_") and not key.startswith("_") and value is not None:
                if isinstance(value, (np.ndarray, int, float, str, bool, np.number)):
                    encoder[f"fitted:{key}"] = value
        model = {
            "class": type(self).__name__,
            "params": json.dumps(jsonable_params(self.get_params())),
            **{f"fit:{k}": float(v) for k, v in getattr(self, "fit_summary_", {}).items()},
        }
        readout = {"features": self.readout_.features_, "labels": np.asarray(self.readout_.labels_)}
        sections = {"model": model, "readout": readout}
        for name in extra or {}:
            if name in sections:
                raise ValueError(f"extra section {name!r} is reserved by NeuCubeClassifier.save.")
        return self.cube_.save(
            fname, encoder=encoder, extra={**sections, **(extra or {})}, overwrite=overwrite
        )

    @classmethod
    def load(cls, fname: str | os.PathLike) -> NeuCubeClassifier:
        """Load a classifier saved with :meth:`save`.

        Every field of the file is checked before the classifier is built:
        the cube's (:meth:`neucube.cube.Cube.load`), the parameters in the
        ``model`` section (with the checks ``fit`` runs), the encoder's
        kind, parameters and fitted arrays, and the readout's training
        features and labels.

        Parameters
        ----------
        fname : path-like
            The ``.npz`` file.

        Returns
        -------
        clf : NeuCubeClassifier
            The fitted classifier, predicting as the saved one did.

        Raises
        ------
        neucube.persistence.CubeFileError
            If the file is not a cube file, or holds no classifier.
        models.io.ModelFileError
            If a field is missing, unknown, of the wrong type or out of range
            (the error names the file and the field).
        """
        from neucube.cube import Cube

        with model_fields(fname):
            cube = Cube.load(fname)
            extra = getattr(cube, "extra_", {}) or {}
            if (
                "model" not in extra
                or "readout" not in extra
                or not isinstance(cube.encoder_, dict)
            ):
                raise CubeFileError(
                    f"{fname} holds a cube but no {cls.__name__} (no encoder, model or readout "
                    "section). Load it with neucube.cube.Cube.load, or save the classifier with "
                    "NeuCubeClassifier.save.",
                    fname=fname,
                )
            model = extra["model"]
            klass = _saved_class(model, cls, fname)
            check_keys(
                model,
                ("class", "params", *_FIT_KEYS),
                section="model",
                fname=fname,
                optional=("class", *_FIT_KEYS),
            )
            params = json_field(model["params"], "model.params", fname)
            params.setdefault("band", None)  # files from before calibration: not calibrated
            check_keys(params, klass._get_param_names(), section="model", fname=fname)
            if isinstance(params["band"], list):
                params["band"] = tuple(params["band"])
            clf = klass(**params)
            clf._check_params(fname)
            clf._check_cube(cube, fname)
            fit = {key: model[key] for key in _FIT_KEYS if key in model}
            check_fields(fit, _FIT_CHECKS, section="model", fname=fname)
            clf.encoder_ = _read_encoder(cube.encoder_, clf.encoder, cube.n_channels, fname)
            clf.cube_ = cube
            clf.fit_summary_ = {key[len("fit:") :]: float(value) for key, value in fit.items()}
            clf.readout_ = _read_readout(extra["readout"], clf._make_readout(cube), cube, fname)
            clf.classes_ = clf.readout_.classes_
            clf.n_channels_ = cube.n_channels
        return clf

    def _check_cube(self, cube, fname):
        """Check that the parameters read from a file are those of the file's cube."""
        same = {
            "ch_names": (
                list(self.ch_names or []),
                list(cube.ch_names or []),
                "the cube's channels",
            ),
            "sfreq": (self.sfreq, cube.sfreq, "the cube's sampling rate"),
        }
        for name, (mine, theirs, what) in same.items():
            if mine != theirs:
                raise field_error(
                    fname, f"model.{name}", f"is out of range: it must be {what}, {theirs!r}", mine
                )


#: The fit summary kept in the ``model`` section (``fit:<key>``, see ``fit_summary_``).
_FIT_KEYS = (
    "fit:rate",
    "fit:active_share",
    "fit:spikes_per_sample",
    "fit:threshold",
    "fit:stdp_change",
)


_FIT_CHECKS = {key: functools.partial(check_number, name=key) for key in _FIT_KEYS}


def _check_weight_bound(bound):
    if bound is not None and not (
        isinstance(bound, (int, float, np.number))
        and not isinstance(bound, bool)
        and np.isfinite(bound)
        and bound > 0
    ):
        raise ValueError(f"weight_bound must be a positive number or None, got {bound!r}.")


def _check_readout(readout):
    if not isinstance(readout, str) or readout not in READOUTS:
        raise ValueError(f"readout must be one of {sorted(READOUTS)}, got {readout!r}.")


def _saved_class(model, cls, fname):
    """Return the classifier class a file's ``model`` section names (a subclass of ``cls``)."""
    saved = model.get("class", cls.__name__)
    if isinstance(saved, str) and saved not in _CLASSES and saved in _CLASS_MODULES:
        import importlib

        importlib.import_module(_CLASS_MODULES[saved])
    if not isinstance(saved, str) or saved not in _CLASSES:
        known = sorted({*_CLASSES, *_CLASS_MODULES})
        raise field_error(
            fname, "model.class", f"is not a classifier class (one of {known})", saved
        )
    klass = _CLASSES[saved]
    if not issubclass(klass, cls):
        raise CubeFileError(
            f"{fname} holds a {saved}, not a {cls.__name__}: load it with {saved}.load.",
            fname=fname,
        )
    return klass


def _read_encoder(section, kind, n_channels, fname):
    """Build the fitted encoder a file's ``encoder`` section holds, every field checked."""
    values = dict(section)
    for key in ("kind", "params"):
        if key not in values:
            raise field_error(fname, f"encoder.{key}", "is missing")
    if values["kind"] != kind:
        raise field_error(
            fname,
            "encoder.kind",
            f"is out of range: it must be the model's encoder, {kind!r}",
            values["kind"],
        )
    params = json_field(values["params"], "encoder.params", fname)
    check_keys(params, ENCODERS[kind]._get_param_names(), section="encoder", fname=fname)
    encoder = make_encoder(kind, **params)
    encoder._check_params(fname)
    checks = {f"fitted:{key}": check for key, check in encoder._fitted_checks(n_channels).items()}
    optional = [key for key in checks if key[len("fitted:") :] not in encoder._required_fitted]
    check_keys(
        values, ("kind", "params", *checks), section="encoder", fname=fname, optional=optional
    )
    check_fields(values, checks, section="encoder", fname=fname)
    for key in checks:
        if key in values:
            setattr(encoder, key[len("fitted:") :], values[key])
    return encoder


def _read_readout(section, readout, cube, fname):
    """Fit ``readout`` again on a file's ``readout`` section, every field checked."""
    check_keys(section, ("features", "labels"), section="readout", fname=fname)
    n_features = readout.n_features(cube.n_neurons)

    def features(value):
        arr = np.asarray(value)
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"features must hold real numbers, got dtype {arr.dtype}.")
        if arr.ndim != 2 or len(arr) < 1 or arr.shape[1] != n_features:
            raise ValueError(
                f"features must be shaped (n_training_samples, {n_features}) for the "
                f"{type(readout).__name__} on the cube's {cube.n_neurons} neurons, got {arr.shape}."
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(
                f"features must be finite, got {int(np.sum(~np.isfinite(arr)))} NaN or inf."
            )

    def labels(value):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biufU":
            raise TypeError(f"labels must be class labels (numbers or str), got dtype {arr.dtype}.")
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            raise ValueError("labels must be finite numbers or str, got NaN or inf.")
        n = len(section["features"])
        if arr.shape != (n,) or len(np.unique(arr)) < 2:
            raise ValueError(
                f"labels must be one label per training sample ({n}) of at least two classes, "
                f"got shape {arr.shape} with {len(np.unique(arr))} class(es)."
            )

    check_fields(section, {"features": features, "labels": labels}, section="readout", fname=fname)
    try:
        return readout.fit_features(section["features"], section["labels"])
    except ValueError as err:
        raise field_error(fname, "readout", f"cannot be fitted again: {err}") from None


_CLASSES["NeuCubeClassifier"] = NeuCubeClassifier


def nearest_electrode(coords: npt.ArrayLike, input_index: npt.ArrayLike) -> np.ndarray:
    """Group of each reservoir neuron: the input channel whose electrode is nearest.

    Parameters
    ----------
    coords : array-like, shape (n_neurons, 3)
        Reservoir neuron positions (mm).
    input_index : array-like of int, shape (n_channels,)
        The reservoir neuron each channel's electrode sits on.

    Returns
    -------
    groups : ndarray of int64, shape (n_neurons,)
        Channel index per neuron (ties: lowest channel).
    """
    from scipy.spatial import cKDTree

    coords = np.asarray(coords, dtype=float)
    input_index = np.asarray(input_index, dtype=np.int64)
    _, idx = cKDTree(coords[input_index]).query(coords, k=1)
    # channels mapped to the same neuron share a site: the lowest channel keeps it
    _, first, site_of = np.unique(input_index, return_index=True, return_inverse=True)
    return first[site_of[idx]].astype(np.int64)


def stdp_change(before: npt.ArrayLike, after: npt.ArrayLike) -> float:
    """Mean absolute weight change relative to the mean initial weight magnitude.

    Parameters
    ----------
    before, after : array-like, shape (n_connections,)
        Weights before and after learning.

    Returns
    -------
    change : float
        ``mean(|after - before|) / mean(|before|)``; 0 with no connections.
    """
    before = np.asarray(before, dtype=float)
    after = np.asarray(after, dtype=float)
    scale = np.mean(np.abs(before)) if before.size else 0.0
    return float(np.mean(np.abs(after - before)) / scale) if scale > 0 else 0.0


def _seed(random_state):
    return random_state if isinstance(random_state, (int, np.integer)) else 0


def jsonable_params(params: dict) -> dict:
    """Return estimator parameters as JSON keeps them: tuples (a band) as lists.

    Parameters
    ----------
    params : dict
        Parameter name to value (``get_params()``, a search's ``best_params_``).

    Returns
    -------
    params : dict
        The same, with every tuple value a list.
    """
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
