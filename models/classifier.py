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

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from neucube._checks import check_array_finite
from neucube.cube import DEFAULT_BAND
from neucube.encoders import make_encoder

from . import logger
from ._docs import fill_doc
from .readouts import make_readout

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

    def _check_params(self):
        if self.group_by not in ("electrode", "neuron"):
            raise ValueError(f"group_by must be 'electrode' or 'neuron', got {self.group_by!r}.")
        bound = self.weight_bound
        if bound is not None and not (
            isinstance(bound, (int, float, np.number))
            and not isinstance(bound, bool)
            and np.isfinite(bound)
            and bound > 0
        ):
            raise ValueError(f"weight_bound must be a positive number or None, got {bound!r}.")

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

        Parameters
        ----------
        fname : path-like
            The ``.npz`` file.

        Returns
        -------
        clf : NeuCubeClassifier
            The fitted classifier, predicting as the saved one did.
        """
        from neucube.cube import Cube
        from neucube.persistence import CubeFileError

        cube = Cube.load(fname)
        extra = getattr(cube, "extra_", {}) or {}
        if "model" not in extra or "readout" not in extra or not isinstance(cube.encoder_, dict):
            raise CubeFileError(
                f"{fname} holds a cube but no {cls.__name__} (no encoder, model or readout "
                "section). Load it with neucube.cube.Cube.load, or save the classifier with "
                "NeuCubeClassifier.save."
            )
        saved = str(extra["model"].get("class", cls.__name__))
        if saved not in _CLASSES and saved in _CLASS_MODULES:
            import importlib

            importlib.import_module(_CLASS_MODULES[saved])
        klass = _CLASSES.get(saved, cls)
        if not issubclass(klass, cls):
            raise CubeFileError(
                f"{fname} holds a {saved}, not a {cls.__name__}: load it with {saved}.load."
            )
        params = json.loads(extra["model"]["params"])
        params.setdefault("band", None)  # files from before calibration: not calibrated
        if isinstance(params["band"], list):
            params["band"] = tuple(params["band"])
        clf = klass(**params)
        enc = cube.encoder_
        clf.encoder_ = make_encoder(enc["kind"], **json.loads(enc["params"]))
        for key, value in enc.items():
            if key.startswith("fitted:"):
                setattr(clf.encoder_, key[len("fitted:") :], value)
        clf.cube_ = cube
        clf.fit_summary_ = {
            k[len("fit:") :]: float(v) for k, v in extra["model"].items() if k.startswith("fit:")
        }
        clf.readout_ = clf._make_readout(cube).fit_features(
            extra["readout"]["features"], extra["readout"]["labels"]
        )
        clf.classes_ = clf.readout_.classes_
        clf.n_channels_ = cube.n_channels
        return clf


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
