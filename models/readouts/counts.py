"""The spike-count readout: log spike counts per neuron -> logistic regression."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._base import ActivityReadout, activity_arrays

if TYPE_CHECKING:
    from neucube.cube import CubeActivity

__all__ = ["SpikeCountClassifier"]


class SpikeCountClassifier(ActivityReadout):
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

    def features(self, X: CubeActivity | np.ndarray) -> np.ndarray:
        """Return the feature matrix ``log1p(counts)``, shape (n_samples, n_neurons)."""
        counts, _, _ = activity_arrays(X)
        return np.log1p(np.asarray(counts, dtype=float))

    def _make_model(self, y):
        return make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=self.max_iter))
