"""deSNN: the dynamic evolving SNN readout of NeuCube.

Each training sample becomes one output neuron whose weight from cube neuron
``n`` is set when ``n`` first fires, to ``mod ** rank(n)`` (``rank`` being the
order of first spikes, rank-order learning), then drifts: up by ``drift`` at
each later spike of ``n`` and down by ``drift`` at each later step without
one. A new sample is turned into the same kind of weight vector and classified
by its nearest training vectors (weighted k-nearest neighbours).

Because the drift only counts spikes and silent steps after the first spike,
the final weight has a closed form, so no raster is needed:

    w_n = mod ** rank_n + drift * (c_n - 1) - drift * ((T - 1 - f_n) - (c_n - 1))

with ``c_n`` the neuron's spike count, ``f_n`` the step of its first spike and
``T`` the number of steps of the sample; ``w_n = 0`` for a silent neuron.

Ranks follow competition ranking: a neuron's rank is the number of neurons
that fired strictly before it, so neurons first firing at the same step share
a rank (NeuCube's implementations break such ties by neuron index, which
makes the result depend on how neurons happen to be numbered).

References
----------
Kasabov, N., Dhoble, K., Nuntalid, N., Indiveri, G. (2013). Dynamic evolving
spiking neural networks for on-line spatio- and spectro-temporal pattern
recognition. Neural Networks 41:188-201.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from ._base import ActivityReadout, activity_arrays

if TYPE_CHECKING:
    from neucube.cube import CubeActivity


def first_spike_ranks(first_spike: np.ndarray) -> np.ndarray:
    """Rank neurons by the step of their first spike.

    Parameters
    ----------
    first_spike : ndarray, shape (n_samples, n_neurons)
        Step of each neuron's first spike in each sample, negative when the
        neuron stayed silent.

    Returns
    -------
    rank : ndarray of int, shape (n_samples, n_neurons)
        Number of neurons that fired strictly earlier in the same sample
        (0 for the first); -1 for silent neurons.
    """
    first_spike = np.atleast_2d(np.asarray(first_spike))
    fired = first_spike >= 0
    key = np.where(fired, first_spike, np.iinfo(np.int64).max).astype(np.int64)
    order = np.sort(key, axis=1)
    rank = np.empty(first_spike.shape, dtype=np.int64)
    for i in range(len(key)):
        rank[i] = np.searchsorted(order[i], key[i], side="left")
    return np.where(fired, rank, -1)


def desnn_weights(
    counts: np.ndarray,
    first_spike: np.ndarray,
    n_steps: int | np.ndarray,
    mod: float = 0.8,
    drift: float = 0.005,
) -> np.ndarray:
    """Compute deSNN output-neuron weight vectors from cube activity.

    Parameters
    ----------
    counts : ndarray, shape (n_samples, n_neurons)
        Spikes of each neuron in each sample.
    first_spike : ndarray, shape (n_samples, n_neurons)
        Step of each neuron's first spike, negative if it never fired.
    n_steps : int | ndarray, shape (n_samples,)
        Number of simulation steps of each sample.
    mod : float
        Modulation factor of rank-order learning, in (0, 1].
    drift : float
        Weight change per later spike (up) or silent step (down), >= 0.

    Returns
    -------
    weights : ndarray, shape (n_samples, n_neurons)
        One weight vector per sample; 0 for neurons that never fired.
    """
    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    first_spike = np.atleast_2d(np.asarray(first_spike))
    if counts.shape != first_spike.shape:
        raise ValueError(
            f"counts and first_spike must have the same shape, got {counts.shape} "
            f"and {first_spike.shape}."
        )
    if not 0 < mod <= 1:
        raise ValueError(f"mod must be in (0, 1], got {mod!r}.")
    if drift < 0:
        raise ValueError(f"drift must be >= 0, got {drift!r}.")
    n_steps = np.broadcast_to(np.asarray(n_steps, dtype=float), (len(counts),))[:, None]
    fired = first_spike >= 0
    if np.any(fired & (first_spike >= n_steps)):
        raise ValueError(
            "first_spike holds a step at or after n_steps; the activity is inconsistent."
        )
    rank = first_spike_ranks(first_spike)
    later_spikes = counts - 1
    later_silent = (n_steps - 1 - first_spike) - later_spikes
    w = mod ** np.maximum(rank, 0) + drift * later_spikes - drift * later_silent
    return np.where(fired, w, 0.0)


class DeSNNClassifier(ActivityReadout):
    """deSNN readout: rank-order weights with drift, then weighted k-NN.

    Parameters
    ----------
    mod : float
        Modulation factor (NeuCube: 0.8; published runs use 0.55-0.9).
    drift : float
        Drift per step (NeuCube: 0.005; published runs 0.005-0.015).
    n_neighbors : int
        Neighbours voting, weighted by inverse distance (NeuCube: 3).

    Notes
    -----
    ``X`` is cube activity: an object with ``counts``, ``first_spike`` and
    ``n_times`` attributes (``neucube.cube.CubeActivity``), or a boolean spike
    raster of shape (n_samples, n_neurons, n_steps).
    """

    def __init__(self, mod=0.8, drift=0.005, n_neighbors=3):
        self.mod = mod
        self.drift = drift
        self.n_neighbors = n_neighbors

    def transform(self, X: CubeActivity | np.ndarray) -> np.ndarray:
        """Return the deSNN weight vector of each sample.

        Parameters
        ----------
        X : CubeActivity | ndarray, shape (n_samples, n_neurons, n_steps)
            Cube activity (see Notes of the class).

        Returns
        -------
        weights : ndarray, shape (n_samples, n_neurons)
            The weight vectors.
        """
        counts, first, n_steps = activity_arrays(X)
        return desnn_weights(counts, first, n_steps, self.mod, self.drift)

    def features(self, X: CubeActivity | np.ndarray) -> np.ndarray:
        """Return the deSNN weight vectors (same as :meth:`transform`)."""
        return self.transform(X)

    def _make_model(self, y):
        # One output neuron per training sample; weighted k-NN over them.
        return KNeighborsClassifier(n_neighbors=min(self.n_neighbors, len(y)), weights="distance")
