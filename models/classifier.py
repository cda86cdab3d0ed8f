"""The end-to-end estimator: epochs → spikes → cube with STDP → readout.

:class:`NeuCubeClassifier` is a scikit-learn classifier over EEG epochs shaped
(n_epochs, n_channels, n_times). ``fit`` learns the encoder's thresholds,
builds the cube on the brain template for the given channel names, shapes its
weights with unsupervised STDP over the training epochs, then trains the
readout on the cube's activity with learning off. ``predict`` encodes with the
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
from neucube.encoders import make_encoder

from . import logger
from ._docs import fill_doc
from .readouts import make_readout

if TYPE_CHECKING:
    import numpy.typing as npt

    from neucube.cube import CubeActivity

DELTA_ENCODERS = ("tbr", "step_forward", "moving_window")
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
        readout="desnn",
        mod=0.8,
        drift=0.005,
        n_neighbors=3,
        C=1.0,
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
        self.readout = readout
        self.mod = mod
        self.drift = drift
        self.n_neighbors = n_neighbors
        self.C = C
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

    def _make_readout(self):
        if self.readout == "desnn":
            return make_readout(
                "desnn", mod=self.mod, drift=self.drift, n_neighbors=self.n_neighbors
            )
        return make_readout(self.readout, C=self.C)

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
        from neucube.cube import Cube

        X = self._check_X(X, fitting=True)
        y = np.asarray(y)
        check_classification_targets(y)
        if len(y) != len(X):
            raise ValueError(f"X holds {len(X)} epochs but y has {len(y)} labels.")
        readout = self._make_readout()  # fail early on a bad readout name
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
        self.cube_.fit(spikes, n_passes=self.n_passes)
        activity = self.cube_.transform(spikes)
        self.readout_ = readout.fit(activity, y)
        self.classes_ = self.readout_.classes_
        self.n_channels_ = X.shape[1]
        logger.info(
            "NeuCubeClassifier fitted: %d epochs, %d channels, %d neurons, %s readout, "
            "%.1f reservoir spikes per epoch",
            len(X),
            X.shape[1],
            self.cube_.n_neurons,
            self.readout,
            activity.n_spikes / len(X),
        )
        return self

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
        model = {"class": type(self).__name__, "params": json.dumps(self.get_params())}
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
        clf = klass(**json.loads(extra["model"]["params"]))
        enc = cube.encoder_
        clf.encoder_ = make_encoder(enc["kind"], **json.loads(enc["params"]))
        for key, value in enc.items():
            if key.startswith("fitted:"):
                setattr(clf.encoder_, key[len("fitted:") :], value)
        clf.cube_ = cube
        clf.readout_ = clf._make_readout().fit_features(
            extra["readout"]["features"], extra["readout"]["labels"]
        )
        clf.classes_ = clf.readout_.classes_
        clf.n_channels_ = cube.n_channels
        return clf


_CLASSES["NeuCubeClassifier"] = NeuCubeClassifier
