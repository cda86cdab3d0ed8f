"""The time-binned readout: spike counts per neuron group and time bin → logistic regression."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._base import ActivityReadout

if TYPE_CHECKING:
    import numpy.typing as npt

    from neucube.cube import CubeActivity

__all__ = ["BinnedCountClassifier", "sparse_spikes"]

#: Inverse regularisation strengths tried by the inner cross-validation.
DEFAULT_CS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)


def sparse_spikes(X: CubeActivity | np.ndarray) -> tuple[np.ndarray, ...]:
    """Return ``(sample, neuron, step, n_samples, n_neurons, n_times)`` of activity.

    Parameters
    ----------
    X : CubeActivity | ndarray, shape (n_samples, n_neurons, n_times)
        Cube activity (with ``sample``, ``neuron``, ``step``), or a boolean
        spike raster.

    Returns
    -------
    sample, neuron, step : ndarray of int64
        One entry per spike.
    n_samples, n_neurons, n_times : int
        The activity's shape.
    """
    if hasattr(X, "sample") and hasattr(X, "neuron") and hasattr(X, "step"):
        return (
            np.asarray(X.sample, dtype=np.int64),
            np.asarray(X.neuron, dtype=np.int64),
            np.asarray(X.step, dtype=np.int64),
            int(X.n_samples),
            int(X.n_neurons),
            int(X.n_times),
        )
    raster = np.asarray(X)
    if raster.ndim != 3:
        raise ValueError(
            "X must be cube activity (with sample, neuron and step) or a spike raster of shape "
            f"(n_samples, n_neurons, n_times); got an array of shape {raster.shape}."
        )
    s, n, t = (a.astype(np.int64) for a in np.nonzero(raster))
    return (s, n, t, *raster.shape)


class BinnedCountClassifier(ActivityReadout):
    """Readout that keeps time: spike counts per neuron group in time bins.

    Each sample's steps are cut into ``n_bins`` equal bins; the features are
    ``log1p`` of the number of spikes of each group of neurons in each bin
    (``n_groups * n_bins`` features), standardised, into an L2 logistic
    regression whose regularisation ``C`` is chosen among ``Cs`` by an inner
    stratified cross-validation on the training samples only
    (:class:`~sklearn.linear_model.LogisticRegressionCV`, log loss).

    Parameters
    ----------
    n_bins : int
        Time bins per sample (1: whole-sample counts).
    groups : array-like of int, shape (n_neurons,) | None
        Group of each neuron (for example the input electrode a reservoir
        neuron is nearest to, see :func:`models.classifier.nearest_electrode`);
        ``None``: every neuron on its own.
    Cs : sequence of float
        Inverse regularisation strengths tried.
    cv : int
        Folds of the inner cross-validation (fewer when a class has fewer
        training samples; with fewer than two per class, ``C = 1``).
    class_weight : None | ``'balanced'``
        Class weights of the logistic regression.
    max_iter : int
        Iterations of the solver.
    random_state : int
        Seed of the inner folds' shuffling.

    Attributes
    ----------
    C_ : float
        The regularisation chosen.
    """

    def __init__(
        self,
        n_bins=4,
        groups=None,
        Cs=DEFAULT_CS,
        cv=5,
        class_weight=None,
        max_iter=2000,
        random_state=0,
    ):
        self.n_bins = n_bins
        self.groups = groups
        self.Cs = Cs
        self.cv = cv
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _group_index(self, n_neurons):
        if self.groups is None:
            return np.arange(n_neurons), n_neurons
        groups = np.asarray(self.groups, dtype=np.int64)
        if groups.shape != (n_neurons,):
            raise ValueError(
                f"groups has {groups.size} entries but the activity has {n_neurons} neurons: "
                "give one group per neuron of the cube the readout reads."
            )
        if groups.size and groups.min() < 0:
            raise ValueError("groups must be non-negative integers.")
        return groups, int(groups.max()) + 1 if groups.size else 0

    def n_features(self, n_neurons: int) -> int:
        """Return ``n_groups * n_bins``, the features of activity of ``n_neurons`` neurons.

        Parameters
        ----------
        n_neurons : int
            Reservoir neurons of the cube read.

        Returns
        -------
        n_features : int
            Groups of neurons times time bins.
        """
        return self._group_index(n_neurons)[1] * int(self.n_bins)

    def features(self, X: CubeActivity | np.ndarray) -> np.ndarray:
        """Return ``log1p`` binned counts, shape (n_samples, n_groups * n_bins).

        Feature ``g * n_bins + b`` counts the spikes of group ``g`` in bin
        ``b``; step ``t`` of ``n_times`` falls in bin ``t * n_bins // n_times``.
        """
        n_bins = int(self.n_bins)
        if n_bins < 1:
            raise ValueError(f"n_bins must be a positive integer, got {self.n_bins!r}.")
        sample, neuron, step, n_samples, n_neurons, n_times = sparse_spikes(X)
        if n_bins > n_times:
            raise ValueError(f"n_bins ({n_bins}) must not exceed the steps per sample ({n_times}).")
        groups, n_groups = self._group_index(n_neurons)
        flat = (sample * n_groups + groups[neuron]) * n_bins + step * n_bins // n_times
        counts = np.bincount(flat, minlength=n_samples * n_groups * n_bins)
        return np.log1p(counts.reshape(n_samples, n_groups * n_bins).astype(float))

    def _make_model(self, y):
        _, per_class = np.unique(y, return_counts=True)
        n_splits = int(min(self.cv, per_class.min()))
        if n_splits < 2:
            lr = LogisticRegression(C=1.0, max_iter=self.max_iter, class_weight=self.class_weight)
        else:
            lr = LogisticRegressionCV(
                Cs=list(self.Cs),
                cv=StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state),
                scoring="neg_log_loss",
                l1_ratios=(0.0,),
                use_legacy_attributes=False,
                max_iter=self.max_iter,
                class_weight=self.class_weight,
            )
        return make_pipeline(StandardScaler(), lr)

    def fit_features(self, F: np.ndarray, y: npt.ArrayLike) -> BinnedCountClassifier:  # noqa: D102
        super().fit_features(F, y)
        lr = self.model_[-1]
        self.C_ = float(np.ravel(lr.C_)[0]) if hasattr(lr, "C_") else float(lr.C)
        return self

    fit_features.__doc__ = ActivityReadout.fit_features.__doc__
