"""Shared machinery of the readouts: activity → features → a scikit-learn model."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

if TYPE_CHECKING:
    import numpy.typing as npt

    from neucube.cube import CubeActivity


def activity_arrays(X: CubeActivity | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (counts, first_spike, n_steps) from cube activity or a raster.

    Parameters
    ----------
    X : CubeActivity | ndarray, shape (n_samples, n_neurons, n_steps)
        An object with ``counts``, ``first_spike`` and ``n_times`` (a
        :class:`neucube.cube.CubeActivity`), or a boolean spike raster.

    Returns
    -------
    counts : ndarray, shape (n_samples, n_neurons)
        Spikes per neuron per sample.
    first_spike : ndarray, shape (n_samples, n_neurons)
        Step of each neuron's first spike, -1 when silent.
    n_steps : ndarray
        Steps per sample.
    """
    if hasattr(X, "counts") and hasattr(X, "first_spike"):
        n_steps = getattr(X, "n_times", getattr(X, "n_steps", None))
        return np.asarray(X.counts), np.asarray(X.first_spike), np.asarray(n_steps)
    raster = np.asarray(X)
    if raster.ndim != 3:
        raise ValueError(
            "X must be cube activity (with counts, first_spike and n_times) or a spike "
            f"raster of shape (n_samples, n_neurons, n_steps); got an array of shape {raster.shape}."
        )
    raster = raster.astype(bool)
    counts = raster.sum(axis=2)
    first = np.where(counts > 0, raster.argmax(axis=2), -1)
    return counts, first, np.full(len(raster), raster.shape[2])


class ActivityReadout(ClassifierMixin, BaseEstimator):
    """Base of the readouts.

    Subclasses say how activity becomes features (:meth:`features`) and which
    model classifies them (:meth:`_make_model`).

    Fitted attributes: ``model_`` (the scikit-learn model), ``features_`` and
    ``labels_`` (the training features and labels, kept so that a saved
    readout can be rebuilt exactly), ``classes_``, ``n_features_in_``.
    """

    def features(self, X: CubeActivity | np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Return the feature matrix (n_samples, n_features) of activity ``X``."""
        raise NotImplementedError

    def _make_model(self, y):  # pragma: no cover - abstract
        """Return the unfitted scikit-learn model for training labels ``y``."""
        raise NotImplementedError

    def n_features(self, n_neurons: int) -> int:
        """Return how many features :meth:`features` makes of activity of ``n_neurons`` neurons.

        Parameters
        ----------
        n_neurons : int
            Reservoir neurons of the cube read.

        Returns
        -------
        n_features : int
            One per neuron (the binned readout: one per group and time bin).
        """
        return int(n_neurons)

    def fit(self, X: CubeActivity | np.ndarray, y: npt.ArrayLike) -> ActivityReadout:
        """Fit the readout on the activity of training samples.

        Parameters
        ----------
        X : CubeActivity | ndarray, shape (n_samples, n_neurons, n_steps)
            Cube activity of the training samples.
        y : array-like, shape (n_samples,)
            Class labels.

        Returns
        -------
        self : ActivityReadout
            The fitted readout.
        """
        return self.fit_features(self.features(X), y)

    def fit_features(self, F: np.ndarray, y: npt.ArrayLike) -> ActivityReadout:
        """Fit on features already computed (see :meth:`features`).

        Parameters
        ----------
        F : ndarray, shape (n_samples, n_features)
            Features of the training samples.
        y : array-like, shape (n_samples,)
            Class labels.

        Returns
        -------
        self : ActivityReadout
            The fitted readout.
        """
        F = np.asarray(F, dtype=float)
        y = np.asarray(y)
        check_classification_targets(y)
        if len(y) != len(F):
            raise ValueError(f"X holds {len(F)} samples but y has {len(y)} labels.")
        self.model_ = self._make_model(y).fit(F, y)
        self.features_ = F
        self.labels_ = y
        self.classes_ = self.model_.classes_
        self.n_features_in_ = F.shape[1]
        return self

    def predict_proba(self, X: CubeActivity | np.ndarray) -> np.ndarray:
        """Class probabilities of each sample, columns in the order of ``classes_``."""
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self._checked(X))

    def predict(self, X: CubeActivity | np.ndarray) -> np.ndarray:
        """Predicted class of each sample."""
        check_is_fitted(self, "model_")
        return self.model_.predict(self._checked(X))

    def _checked(self, X):
        F = self.features(X)
        if F.shape[1] != self.n_features_in_:
            raise ValueError(
                f"The activity has {F.shape[1]} neurons but the readout was fitted on "
                f"{self.n_features_in_}: use the same cube for training and prediction."
            )
        return F
