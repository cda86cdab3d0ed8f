"""Readouts: classifiers that turn cube activity into a prediction.

Two are offered: NeuCube's :class:`~models.desnn.DeSNNClassifier`, and
:class:`SpikeCountClassifier`, a plain readout (spike counts per neuron →
standardized → L2 logistic regression) to compare it with.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from .desnn import DeSNNClassifier, _activity_arrays

__all__ = ["DeSNNClassifier", "SpikeCountClassifier", "make_readout"]


class SpikeCountClassifier(ClassifierMixin, BaseEstimator):
    """Plain readout: log spike counts per neuron → logistic regression.

    Parameters
    ----------
    C : float
        Inverse L2 regularisation strength of the logistic regression.
    max_iter : int
        Iterations of the solver.

    Notes
    -----
    ``X`` is cube activity (an object with ``counts``) or a spike raster of
    shape (n_samples, n_neurons, n_steps). Counts enter as ``log1p(count)``,
    which tames the heavy tail of busy neurons.
    """

    def __init__(self, C=1.0, max_iter=2000):
        self.C = C
        self.max_iter = max_iter

    @staticmethod
    def features(X):
        """Return the feature matrix ``log1p(counts)``, shape (n_samples, n_neurons)."""
        counts, _, _ = _activity_arrays(X)
        return np.log1p(np.asarray(counts, dtype=float))

    def fit(self, X, y):
        """Fit the logistic regression on the samples' spike counts.

        Parameters
        ----------
        X : activity | ndarray, shape (n_samples, n_neurons, n_steps)
            Cube activity of the training samples.
        y : array-like, shape (n_samples,)
            Class labels.

        Returns
        -------
        self : SpikeCountClassifier
            The fitted readout.
        """
        return self.fit_features(self.features(X), y)

    def fit_features(self, F, y):
        """Fit on features already computed (see :meth:`features`).

        Parameters
        ----------
        F : ndarray, shape (n_samples, n_neurons)
            ``log1p`` spike counts of the training samples.
        y : array-like, shape (n_samples,)
            Class labels.

        Returns
        -------
        self : SpikeCountClassifier
            The fitted readout; ``features_`` keeps ``F``.
        """
        F = np.asarray(F, dtype=float)
        y = np.asarray(y)
        self.pipeline_ = make_pipeline(
            StandardScaler(), LogisticRegression(C=self.C, max_iter=self.max_iter)
        ).fit(F, y)
        self.features_ = F
        self.labels_ = y
        self.classes_ = self.pipeline_.classes_
        self.n_features_in_ = F.shape[1]
        return self

    def predict_proba(self, X):
        """Class probabilities of each sample."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(self._checked(X))

    def predict(self, X):
        """Predicted class of each sample."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict(self._checked(X))

    def _checked(self, X):
        F = self.features(X)
        if F.shape[1] != self.n_features_in_:
            raise ValueError(
                f"The activity has {F.shape[1]} neurons but the readout was fitted on "
                f"{self.n_features_in_}: use the same cube for training and prediction."
            )
        return F


READOUTS = {"desnn": DeSNNClassifier, "counts": SpikeCountClassifier}


def make_readout(kind, **params):
    """Create a readout by name.

    Parameters
    ----------
    kind : ``'desnn'`` | ``'counts'``
        NeuCube's deSNN, or spike counts with logistic regression.
    **params
        Constructor parameters of that readout.

    Returns
    -------
    readout : DeSNNClassifier | SpikeCountClassifier
        The unfitted readout.
    """
    if kind not in READOUTS:
        raise ValueError(f"readout must be one of {sorted(READOUTS)}, got {kind!r}.")
    return READOUTS[kind](**params)
