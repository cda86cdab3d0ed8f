"""What the cube learned: connections, clusters, interactions, activity.

The analyses NeuCube offers on a trained cube (Kasabov 2014; NeuCube v1.3
manual), as plain NumPy/SciPy functions that return numbers; the figures
are drawn elsewhere (``models.report``).

* :func:`strongest_connections`: the connections above a weight threshold
  (or the ``n`` strongest), positive and negative apart.
* :func:`weight_change`: what STDP changed, per connection and per neuron
  (a map to colour the cube with); :func:`initial_weights` rebuilds a cube's
  weights before learning from its recorded seed.
* :func:`neuron_clusters`: the neurons around each input channel, by label
  propagation ``F = (I - alpha S)^-1 Y`` with ``S = D^-1/2 W D^-1/2`` over
  the absolute weights.
* :func:`feature_interaction_network`: how much each channel's cluster
  connects to each other's.
* :func:`cluster_activity`: spikes of each cluster over time, per sample.
* :func:`compare_conditions`: two sets of samples (before and during a
  seizure, two classes) side by side: firing per cluster and the
  connections whose pre → post co-activation differs most.

Index space (as in :mod:`neucube.cube`): reservoir neurons ``0 … n_neurons -
1``, then channel ``c``'s positive input neuron ``n_neurons + 2c`` and its
negative one ``n_neurons + 2c + 1``. Every function taking a ``cube``
accepts a :class:`~neucube.cube.Cube` (anything with ``pre_``, ``post_``,
``weights_``, ``n_neurons`` and ``n_channels``) or a tuple
``(pre, post, weights)`` together with the keywords ``n_neurons`` and
``n_channels``, for hand-made networks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ._checks import check_int, check_option, check_positive

if TYPE_CHECKING:
    import numpy.typing as npt

    from .cube import Cube, CubeActivity

__all__ = [
    "ClusterActivity",
    "Clusters",
    "ConditionComparison",
    "Connections",
    "WeightChange",
    "cluster_activity",
    "compare_conditions",
    "feature_interaction_network",
    "initial_weights",
    "neuron_clusters",
    "strongest_connections",
    "weight_change",
]

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _network(cube, n_neurons=None, n_channels=None, *, need_shape=True):
    """Return ``pre, post, weights, n_neurons, n_channels`` of a cube or a tuple."""
    if isinstance(cube, (tuple, list)):
        if len(cube) != 3:
            raise ValueError(
                "cube must be a Cube or a tuple (pre, post, weights), got a "
                f"{type(cube).__name__} of length {len(cube)}."
            )
        pre, post, weights = cube
    elif all(hasattr(cube, a) for a in ("pre_", "post_", "weights_")):
        pre, post, weights = cube.pre_, cube.post_, cube.weights_
        n_neurons = cube.n_neurons if n_neurons is None else n_neurons
        n_channels = cube.n_channels if n_channels is None else n_channels
    else:
        raise TypeError(
            "cube must be a neucube.cube.Cube or a tuple (pre, post, weights), got "
            f"{type(cube).__name__}."
        )
    pre = np.asarray(pre, dtype=np.int64).ravel()
    post = np.asarray(post, dtype=np.int64).ravel()
    weights = np.asarray(weights, dtype=np.float64).ravel()
    if not len(pre) == len(post) == len(weights):
        raise ValueError(
            f"pre, post and weights must have the same length, got {len(pre)}, "
            f"{len(post)} and {len(weights)}."
        )
    if need_shape:
        if n_neurons is None or n_channels is None:
            raise ValueError(
                "With a tuple (pre, post, weights), pass n_neurons= (reservoir neurons) "
                "and n_channels= (input channels): input neurons are numbered "
                "n_neurons + 2*c (positive) and n_neurons + 2*c + 1 (negative)."
            )
        n_neurons = check_int(n_neurons, "n_neurons", min_value=1)
        n_channels = check_int(n_channels, "n_channels", min_value=0)
        n_total = n_neurons + 2 * n_channels
        if len(pre) and (min(pre.min(), post.min()) < 0 or max(pre.max(), post.max()) >= n_total):
            raise ValueError(
                f"pre and post must be neuron indices 0 … {n_total - 1} (n_neurons="
                f"{n_neurons}, n_channels={n_channels}), got values from "
                f"{min(pre.min(), post.min())} to {max(pre.max(), post.max())}."
            )
    return pre, post, weights, n_neurons, n_channels


def _labels(clusters, n_neurons, n_channels):
    """Full labels (n_neurons + 2 n_channels,) from a Clusters or a label array."""
    if isinstance(clusters, Clusters):
        labels = clusters.labels
    else:
        labels = np.asarray(clusters)
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                "clusters must be a Clusters (from neuron_clusters) or a 1D integer array "
                f"of labels, got {type(clusters).__name__} {np.shape(clusters)}."
            )
    n_total = n_neurons + 2 * n_channels
    labels = labels.astype(np.int64)
    if len(labels) == n_neurons:  # reservoir only: inputs belong to their channel
        labels = np.concatenate([labels, np.repeat(np.arange(n_channels), 2)])
    if len(labels) != n_total:
        raise ValueError(
            f"clusters hold {len(labels)} labels; expected {n_neurons} (reservoir neurons) "
            f"or {n_total} (reservoir and input neurons)."
        )
    if labels.size and (labels.min() < -1 or labels.max() >= max(n_channels, 1)):
        raise ValueError(
            f"cluster labels must be -1 (unassigned) or channels 0 … {n_channels - 1}, got "
            f"values from {labels.min()} to {labels.max()}."
        )
    return labels


def _cluster_matrix(values, pre, post, labels, n_channels):
    """Sum ``values`` over connections, grouped by (label of pre, label of post)."""
    lp, lq = labels[pre], labels[post]
    keep = (lp >= 0) & (lq >= 0)
    flat = lp[keep] * n_channels + lq[keep]
    out = np.bincount(flat, weights=values[keep], minlength=n_channels * n_channels)
    return out.reshape(n_channels, n_channels)


def _sorted_by_magnitude(values, index):
    """``index`` sorted by ``|values[index]|`` descending, ties by index."""
    mag = np.abs(values[index])
    return index[np.lexsort((index, -mag))]


# ---------------------------------------------------------------------------
# Connections and weight change
# ---------------------------------------------------------------------------


@dataclass
class Connections:
    """A selection of a cube's connections.

    Attributes
    ----------
    index : ndarray of int64, shape (n,)
        Position of each selected connection in the cube's ``pre_``/``post_``/
        ``weights_`` arrays, strongest (largest ``|weight|``) first.
    pre, post : ndarray of int64, shape (n,)
        Source and target neuron of each.
    weights : ndarray of float64, shape (n,)
        Their weights.
    """

    index: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.index)

    @property
    def positive(self) -> np.ndarray:
        """Mask of the excitatory (``weight > 0``) connections (ndarray of bool)."""
        return self.weights > 0

    @property
    def negative(self) -> np.ndarray:
        """Mask of the inhibitory (``weight < 0``) connections (ndarray of bool)."""
        return self.weights < 0


def strongest_connections(
    cube: Cube | tuple,
    n: int | None = 100,
    sign: str = "both",
    threshold: float | None = None,
    *,
    n_neurons: int | None = None,
    n_channels: int | None = None,
) -> Connections:
    """Select the strongest connections, positive and negative apart.

    Parameters
    ----------
    cube : Cube | tuple of (pre, post, weights)
        The network (a tuple needs no ``n_neurons``/``n_channels`` here).
    n : int | None
        Keep at most this many (the strongest). ``None``: no limit.
    sign : ``'both'`` | ``'positive'`` | ``'negative'``
        Which connections: all, excitatory only (``weight > 0``) or inhibitory
        only (``weight < 0``). Zero weights are never selected.
    threshold : float | None
        Keep only connections with ``|weight| >= threshold``. ``None``: no
        threshold.
    n_neurons, n_channels : int | None
        Unused; accepted so that every function here takes the same keywords.

    Returns
    -------
    connections : Connections
        The selection, by ``|weight|`` descending (ties: connection order).
        With ``sign='both'`` positive and negative are ranked together; use
        ``connections.positive``/``.negative`` to draw them apart.
    """
    pre, post, w, _, _ = _network(cube, need_shape=False)
    sign = check_option(sign, "sign", ("both", "positive", "negative"))
    if n is not None:
        n = check_int(n, "n", min_value=0)
    keep = {"both": w != 0, "positive": w > 0, "negative": w < 0}[sign]
    if threshold is not None:
        threshold = check_positive(threshold, "threshold", strict=False)
        keep &= np.abs(w) >= threshold
    index = _sorted_by_magnitude(w, np.flatnonzero(keep))
    if n is not None:
        index = index[:n]
    return Connections(index=index, pre=pre[index], post=post[index], weights=w[index])


@dataclass
class WeightChange:
    """What changed between two weight sets of the same connections.

    Attributes
    ----------
    delta : ndarray, shape (n_connections,)
        ``weights_after - weights_before`` per connection.
    incoming : ndarray, shape (n_neurons,)
        Per reservoir neuron: summed ``|delta|`` of the connections into it
        (input neurons' connections included).
    outgoing : ndarray, shape (n_neurons,)
        Per reservoir neuron: summed ``|delta|`` of the connections out of it.
    per_neuron : ndarray, shape (n_neurons,)
        ``incoming + outgoing``: how much a neuron's connections changed (the
        map to colour the cube with). A reservoir-to-reservoir connection
        counts at both its ends.
    net_incoming : ndarray, shape (n_neurons,)
        Per reservoir neuron: summed signed ``delta`` of its incoming
        connections (> 0: its inputs became more excitatory).
    """

    delta: np.ndarray
    incoming: np.ndarray
    outgoing: np.ndarray
    per_neuron: np.ndarray
    net_incoming: np.ndarray

    @property
    def n_changed(self) -> int:
        """Number of connections whose weight changed (int)."""
        return int(np.count_nonzero(self.delta))


def weight_change(
    weights_before: npt.ArrayLike,
    weights_after: npt.ArrayLike,
    pre: npt.ArrayLike,
    post: npt.ArrayLike,
    n_neurons: int,
) -> WeightChange:
    """Per-connection and per-neuron weight change (e.g. what STDP did).

    Parameters
    ----------
    weights_before, weights_after : array-like, shape (n_connections,)
        The two weight sets of the same connections (e.g.
        :func:`initial_weights` and ``cube.weights_``).
    pre, post : array-like of int, shape (n_connections,)
        Source and target of each connection (cube index space).
    n_neurons : int
        Number of reservoir neurons; the per-neuron maps cover these.

    Returns
    -------
    change : WeightChange
        ``delta`` per connection and the ``incoming``, ``outgoing``,
        ``per_neuron`` and ``net_incoming`` maps per reservoir neuron.
    """
    before = np.asarray(weights_before, dtype=np.float64).ravel()
    after = np.asarray(weights_after, dtype=np.float64).ravel()
    pre = np.asarray(pre, dtype=np.int64).ravel()
    post = np.asarray(post, dtype=np.int64).ravel()
    n_neurons = check_int(n_neurons, "n_neurons", min_value=1)
    if not len(before) == len(after) == len(pre) == len(post):
        raise ValueError(
            "weights_before, weights_after, pre and post must have the same length, got "
            f"{len(before)}, {len(after)}, {len(pre)} and {len(post)}."
        )
    if len(post) and (post.min() < 0 or post.max() >= n_neurons):
        raise ValueError(
            f"post must be reservoir neurons 0 … {n_neurons - 1}, got values from "
            f"{post.min()} to {post.max()}."
        )
    if len(pre) and pre.min() < 0:
        raise ValueError(f"pre must be >= 0, got {pre.min()}.")
    delta = after - before
    mag = np.abs(delta)
    incoming = np.bincount(post, weights=mag, minlength=n_neurons)
    res = pre < n_neurons
    outgoing = np.bincount(pre[res], weights=mag[res], minlength=n_neurons)
    net = np.bincount(post, weights=delta, minlength=n_neurons)
    return WeightChange(
        delta=delta,
        incoming=incoming,
        outgoing=outgoing,
        per_neuron=incoming + outgoing,
        net_incoming=net,
    )


def initial_weights(cube: Cube) -> np.ndarray | None:
    """Rebuild a cube's weights before any learning, from its recorded seed.

    The initial connections are a deterministic function of the coordinates,
    the channels' neurons, the connection parameters and the seed
    (:func:`neucube.cube.build_connections`), so a saved cube that recorded
    its seed needs no copy of them.

    Parameters
    ----------
    cube : Cube
        The cube (e.g. after :meth:`~neucube.cube.Cube.fit` or as loaded).

    Returns
    -------
    weights : ndarray, shape (n_connections,) | None
        The initial weight of each of ``cube``'s connections, or ``None`` when
        they cannot be rebuilt: no seed recorded (the cube was built from a
        ``Generator``), or connections that the seed does not reproduce (set
        by hand with :meth:`~neucube.cube.Cube.set_connections`).
    """
    from .cube import build_connections

    seed = getattr(cube, "seed_", None)
    if seed is None:
        return None
    pre, post, w = build_connections(
        cube.coords,
        cube.input_index,
        radius=cube.radius,
        max_weight=cube.max_weight,
        p_excitatory=cube.p_excitatory,
        input_gain=cube.input_gain,
        rng=np.random.default_rng(seed),
    )
    if not (np.array_equal(pre, cube.pre_) and np.array_equal(post, cube.post_)):
        return None
    return w


# ---------------------------------------------------------------------------
# Clusters
# ---------------------------------------------------------------------------


@dataclass
class Clusters:
    """Neuron clusters around each input channel (label propagation).

    Attributes
    ----------
    labels : ndarray of int64, shape (n_neurons + 2 * n_channels,)
        Cluster (channel index) of every neuron, reservoir then input
        neurons; ``-1`` for neurons no input reaches (no path of nonzero
        weights to an input neuron).
    F : ndarray, shape (n_neurons + 2 * n_channels, n_channels)
        Label propagation scores ``(I - alpha S)^-1 Y``; ``labels`` is the
        argmax of each row (ties: lowest channel). Rows of unreached neurons
        are 0.
    n_neurons, n_channels : int
        Reservoir neurons and input channels.
    alpha : float
        The propagation factor used.
    ch_names : list of str | None
        Channel names, when the cube had them.
    """

    labels: np.ndarray
    F: np.ndarray
    n_neurons: int
    n_channels: int
    alpha: float
    ch_names: list | None = None

    @property
    def reservoir_labels(self) -> np.ndarray:
        """Labels of the reservoir neurons only, shape (n_neurons,) (ndarray)."""
        return self.labels[: self.n_neurons]

    @property
    def sizes(self) -> np.ndarray:
        """Reservoir neurons in each cluster, shape (n_channels,) (ndarray of int)."""
        lab = self.reservoir_labels
        return np.bincount(lab[lab >= 0], minlength=self.n_channels)

    @property
    def n_unassigned(self) -> int:
        """Reservoir neurons that no input reaches (int)."""
        return int(np.sum(self.reservoir_labels < 0))


def neuron_clusters(
    cube: Cube | tuple,
    alpha: float = 0.99,
    *,
    n_neurons: int | None = None,
    n_channels: int | None = None,
    ch_names: list[str] | None = None,
    dense_below: int = 2000,
) -> Clusters:
    """Cluster the neurons around each input channel by label propagation.

    NeuCube's rule (Zhou et al. 2004's label spreading on the cube's graph):

    1. ``W`` (``n_total x n_total``, reservoir and input neurons) is the
       absolute weight matrix made symmetric: ``W[i, j] = |w(i→j)| +
       |w(j→i)|`` (the cube connects a pair in one direction only, so this is
       the pair's ``|w|``);
    2. ``D = diag(sum_j W[i, j])`` and ``S = D^-1/2 W D^-1/2`` (rows and
       columns of neurons without connections are 0);
    3. ``Y`` (``n_total x n_channels``) is one-hot: both input neurons of
       channel ``c`` (positive and negative) are labelled ``c``;
    4. ``F = (I - alpha S)^-1 Y``, solved directly (dense below
       ``dense_below`` neurons, else sparse LU), and each neuron's cluster is
       the argmax of its row of ``F``.

    Neurons in a connected component of ``W`` without an input neuron get
    ``-1`` (their row of ``F`` is 0).

    Parameters
    ----------
    cube : Cube | tuple of (pre, post, weights)
        The network.
    alpha : float
        Propagation factor in ``(0, 1)`` (NeuCube: 0.99). Near 1 labels
        spread far; near 0 they stay near the inputs.
    n_neurons, n_channels : int | None
        Needed with a tuple (see the module docstring).
    ch_names : list of str | None
        Channel names to keep with the result (default: the cube's).
    dense_below : int
        Solve densely (``numpy.linalg.solve``) when the network has fewer
        neurons than this, with ``scipy.sparse.linalg.splu`` otherwise.

    Returns
    -------
    clusters : Clusters
        ``labels`` and ``F`` for every neuron, reservoir then inputs.
    """
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    pre, post, w, n_neurons, n_channels = _network(cube, n_neurons, n_channels)
    alpha = check_positive(alpha, "alpha")
    if not alpha < 1:
        raise ValueError(f"alpha must be in (0, 1) so that I - alpha*S is invertible, got {alpha}.")
    if n_channels < 1:
        raise ValueError("The cube has no input channels: there is nothing to cluster around.")
    if ch_names is None:
        ch_names = getattr(cube, "ch_names", None)
    n_total = n_neurons + 2 * n_channels
    A = sparse.coo_array((np.abs(w), (pre, post)), shape=(n_total, n_total)).tocsr()
    W = (A + A.T).tocsr()
    W.eliminate_zeros()
    deg = np.asarray(W.sum(axis=1)).ravel()
    with np.errstate(divide="ignore"):
        inv_sqrt = np.where(deg > 0, 1.0 / np.sqrt(deg), 0.0)
    Dm = sparse.diags_array(inv_sqrt)
    S = (Dm @ W @ Dm).tocsc()
    Y = np.zeros((n_total, n_channels))
    inputs = n_neurons + np.arange(2 * n_channels)
    Y[inputs, np.repeat(np.arange(n_channels), 2)] = 1.0
    M = sparse.identity(n_total, format="csc") - alpha * S
    if n_total < dense_below:
        F = np.linalg.solve(M.toarray(), Y)
    else:
        from scipy.sparse.linalg import splu

        F = splu(M.tocsc()).solve(Y)
    _, comp = connected_components(W, directed=False)
    reached = np.isin(comp, comp[inputs])
    F[~reached] = 0.0
    labels = np.where(reached, np.argmax(F, axis=1), -1).astype(np.int64)
    return Clusters(
        labels=labels,
        F=F,
        n_neurons=n_neurons,
        n_channels=n_channels,
        alpha=alpha,
        ch_names=None if ch_names is None else list(ch_names),
    )


def feature_interaction_network(
    cube: Cube | tuple,
    clusters: Clusters | npt.ArrayLike,
    *,
    normalize: str | None = None,
    include_inputs: bool = True,
    weights: npt.ArrayLike | None = None,
    n_neurons: int | None = None,
    n_channels: int | None = None,
) -> np.ndarray:
    """How strongly each channel's cluster connects to each other's.

    ``M[i, j]`` is the total absolute weight of the connections from a
    neuron of cluster ``i`` to a neuron of cluster ``j``
    (``sum |w(p→q)|`` over ``label[p] = i``, ``label[q] = j``); the diagonal
    holds each cluster's connections within itself. Unassigned neurons
    (label ``-1``) are left out. NeuCube draws this as a graph of the input
    features, with edge width following the off-diagonal entries.

    Parameters
    ----------
    cube : Cube | tuple of (pre, post, weights)
        The network.
    clusters : Clusters | ndarray of int
        From :func:`neuron_clusters`, or labels of the reservoir neurons
        (input neurons then belong to their own channel) or of all neurons.
    normalize : None | ``'row'`` | ``'max'`` | ``'total'``
        ``None`` (default): raw sums, in weight units. ``'row'``: each row
        divided by its sum, so ``M[i, j]`` is the fraction of cluster ``i``'s
        outgoing ``|w|`` that lands in cluster ``j`` (rows of clusters
        without connections stay 0). ``'max'``: divided by the largest
        off-diagonal entry, so the strongest link between two clusters is 1
        (what a drawing's edge widths need). ``'total'``: divided by the sum
        of all entries.
    include_inputs : bool
        Count the input neurons' connections (each input neuron belongs to its
        channel's cluster). ``False``: reservoir-to-reservoir connections only.
    weights : array-like | None
        Use these values per connection instead of the cube's weights (e.g.
        :func:`initial_weights`, or co-activation counts); their absolute
        value is summed.
    n_neurons, n_channels : int | None
        Needed with a tuple.

    Returns
    -------
    M : ndarray, shape (n_channels, n_channels)
        The interaction matrix, rows from, columns to.
    """
    pre, post, w, n_neurons, n_channels = _network(cube, n_neurons, n_channels)
    normalize = check_option(normalize, "normalize", (None, "row", "max", "total"))
    labels = _labels(clusters, n_neurons, n_channels)
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64).ravel()
        if len(w) != len(pre):
            raise ValueError(
                f"weights must have one value per connection ({len(pre)}), got {len(w)}."
            )
    values = np.abs(w)
    if not include_inputs:
        values = np.where(pre < n_neurons, values, 0.0)
    M = _cluster_matrix(values, pre, post, labels, n_channels)
    if normalize == "row":
        rows = M.sum(axis=1, keepdims=True)
        M = np.divide(M, rows, out=np.zeros_like(M), where=rows > 0)
    elif normalize == "max":
        off = M[~np.eye(n_channels, dtype=bool)]
        top = off.max() if off.size else 0.0
        M = M / top if top > 0 else M * 0.0
    elif normalize == "total":
        total = M.sum()
        M = M / total if total > 0 else M * 0.0
    return M


# ---------------------------------------------------------------------------
# Activity per cluster and conditions compared
# ---------------------------------------------------------------------------


def _check_activity(activity, name="activity"):
    for attr in ("sample", "neuron", "step", "n_samples", "n_neurons", "n_times"):
        if not hasattr(activity, attr):
            raise TypeError(
                f"{name} must be a CubeActivity (from Cube.transform), got "
                f"{type(activity).__name__}."
            )
    return activity


@dataclass
class ClusterActivity:
    """Spikes of each cluster over time.

    Attributes
    ----------
    counts : ndarray of int64, shape (n_samples, n_channels, n_bins)
        Reservoir spikes of each cluster's neurons in each time bin of each
        sample (unassigned neurons are left out).
    edges : ndarray of int64, shape (n_bins + 1,)
        Bin edges in steps; the last bin may be shorter.
    sizes : ndarray of int64, shape (n_channels,)
        Reservoir neurons in each cluster.
    sfreq : float | None
        Steps per second, when known.
    """

    counts: np.ndarray
    edges: np.ndarray
    sizes: np.ndarray
    sfreq: float | None = None

    @property
    def times(self) -> np.ndarray:
        """Start of each bin in seconds (steps when ``sfreq`` is unknown) (ndarray)."""
        return self.edges[:-1] / (self.sfreq or 1.0)

    @property
    def rate(self) -> np.ndarray:
        """Spikes per neuron per second in each bin (per step without ``sfreq``).

        Returns
        -------
        rate : ndarray, shape (n_samples, n_channels, n_bins)
            ``counts / size / bin duration``; 0 for empty clusters.
        """
        dur = np.diff(self.edges) / (self.sfreq or 1.0)
        denom = self.sizes[None, :, None] * dur[None, None, :]
        return np.divide(self.counts, denom, out=np.zeros(self.counts.shape), where=denom > 0)


def cluster_activity(
    activity: CubeActivity, clusters: Clusters | npt.ArrayLike, bin_steps: int | None = None
) -> ClusterActivity:
    """Count each cluster's spikes over time, per sample.

    Parameters
    ----------
    activity : CubeActivity
        What the reservoir did (``Cube.transform``).
    clusters : Clusters | ndarray of int
        From :func:`neuron_clusters`, or reservoir labels (``-1``: none).
    bin_steps : int | None
        Bin width in steps. ``None``: a tenth of a second when
        ``activity.sfreq`` is known, else 10 steps.

    Returns
    -------
    activity : ClusterActivity
        ``counts`` (n_samples, n_channels, n_bins), bin ``edges``, cluster
        ``sizes``; ``.rate`` gives spikes per neuron per second.
    """
    act = _check_activity(activity)
    labels = clusters.reservoir_labels if isinstance(clusters, Clusters) else np.asarray(clusters)
    n_channels = clusters.n_channels if isinstance(clusters, Clusters) else int(labels.max()) + 1
    labels = np.asarray(labels, dtype=np.int64)[: act.n_neurons]
    if len(labels) != act.n_neurons:
        raise ValueError(
            f"clusters label {len(labels)} reservoir neurons but the activity has {act.n_neurons}."
        )
    if bin_steps is None:
        bin_steps = max(1, int(round(act.sfreq / 10))) if act.sfreq else 10
    bin_steps = check_int(bin_steps, "bin_steps", min_value=1)
    edges = np.arange(0, act.n_times, bin_steps, dtype=np.int64)
    edges = np.append(edges, act.n_times)
    n_bins = len(edges) - 1
    lab = labels[act.neuron]
    keep = lab >= 0
    b = np.asarray(act.step, dtype=np.int64)[keep] // bin_steps
    flat = (np.asarray(act.sample, dtype=np.int64)[keep] * n_channels + lab[keep]) * n_bins + b
    counts = np.bincount(flat, minlength=act.n_samples * n_channels * n_bins)
    counts = counts.reshape(act.n_samples, n_channels, n_bins)
    sizes = np.bincount(labels[labels >= 0], minlength=n_channels)
    return ClusterActivity(counts=counts, edges=edges, sizes=sizes, sfreq=act.sfreq)


def _coactivation(activity, pre, post, lag, chunk=8192):
    """Mean number of (pre fires at t, post fires at t + lag) per sample."""
    out = np.zeros(len(pre))
    for s in range(activity.n_samples):
        neuron, step = activity.spikes(s) if hasattr(activity, "spikes") else _spikes(activity, s)
        if not len(neuron):
            continue
        R = np.zeros((activity.n_neurons, activity.n_times), dtype=bool)
        R[neuron, step] = True
        active = R.any(axis=1)
        cand = np.flatnonzero(active[pre] & active[post])
        for a in range(0, len(cand), chunk):
            k = cand[a : a + chunk]
            out[k] += np.count_nonzero(R[pre[k], : R.shape[1] - lag] & R[post[k], lag:], axis=1)
    return out / max(activity.n_samples, 1)


def _spikes(activity, s):
    sel = np.asarray(activity.sample) == s
    return np.asarray(activity.neuron)[sel], np.asarray(activity.step)[sel]


@dataclass
class ConditionComparison:
    """Two conditions side by side (see :func:`compare_conditions`).

    Attributes
    ----------
    names : tuple of str
        The two conditions' names, ``(a, b)``.
    n_samples : tuple of int
        Samples in each condition.
    cluster_rate : ndarray, shape (2, n_channels)
        Mean spikes per neuron per second of each cluster in each condition
        (per step when the sampling rate is unknown).
    cluster_diff : ndarray, shape (n_channels,)
        ``cluster_rate[1] - cluster_rate[0]``.
    neuron_rate : ndarray, shape (2, n_neurons)
        Mean spikes per second of each reservoir neuron in each condition.
    coactivation : ndarray, shape (2, n_connections) | None
        Mean number of times per sample that a connection's source fired at
        step ``t`` and its target at ``t + lag`` (the spike that connection
        carried arriving when the target fired; what STDP strengthens).
        ``NaN`` for input neurons' connections (their spikes are the
        encoder's, not in the activity). ``None`` without a cube.
    top : Connections | None
        The ``n`` reservoir connections whose co-activation differs most
        between the conditions (by ``|b - a|``, largest first; ``weights``
        are the cube's). ``None`` without a cube.
    flow : ndarray, shape (2, n_channels, n_channels) | None
        Per condition, ``sum coactivation * |w|`` over the connections from
        cluster ``i`` to cluster ``j``: the weight the reservoir's spikes
        carried between clusters per sample (a functional feature
        interaction network). ``None`` without a cube.
    ch_names : list of str | None
        Cluster (channel) names.
    """

    names: tuple
    n_samples: tuple
    cluster_rate: np.ndarray
    cluster_diff: np.ndarray
    neuron_rate: np.ndarray
    coactivation: np.ndarray | None = None
    top: Connections | None = None
    flow: np.ndarray | None = None
    ch_names: list | None = field(default=None)

    def summary(self, k: int = 3) -> list[str]:
        """Describe the largest differences in a few lines of text.

        Parameters
        ----------
        k : int
            Clusters to name on each side.

        Returns
        -------
        lines : list of str
            Plain sentences, e.g. for a report.
        """
        a, b = self.names
        names = self.ch_names or [f"cluster {i}" for i in range(len(self.cluster_diff))]
        order = np.argsort(-self.cluster_diff, kind="stable")
        lines = [
            f"Mean firing over all clusters: {self.cluster_rate[0].mean():.3g} ({a}) vs "
            f"{self.cluster_rate[1].mean():.3g} ({b}) spikes per neuron per second."
        ]
        up = [i for i in order[:k] if self.cluster_diff[i] > 0]
        down = [i for i in order[::-1][:k] if self.cluster_diff[i] < 0]
        if up:
            lines.append(
                f"Most increased in '{b}': "
                + ", ".join(f"{names[i]} (+{self.cluster_diff[i]:.3g})" for i in up)
                + "."
            )
        if down:
            lines.append(
                f"Most decreased in '{b}': "
                + ", ".join(f"{names[i]} ({self.cluster_diff[i]:.3g})" for i in down)
                + "."
            )
        if not up and not down:
            lines.append("No cluster fires differently.")
        return lines


def compare_conditions(
    activity_a: CubeActivity,
    activity_b: CubeActivity,
    clusters: Clusters | npt.ArrayLike,
    cube: Cube | tuple | None = None,
    *,
    names: tuple[str, str] = ("a", "b"),
    n: int = 20,
    lag: int = 1,
) -> ConditionComparison:
    """Compare what the cube does under two conditions.

    Two views: per cluster, the mean firing rate in each condition; per
    connection (with ``cube``), how often its source's spike reached the
    target just as the target fired (co-activation at ``lag`` steps), and the
    connections where that differs most, with the same summed per cluster
    pair (a functional interaction network per condition). Both read
    activity recorded without learning, so they compare the same weights
    under two inputs; to see what each condition would *teach* the cube,
    fit a copy of it on each with STDP and compare the weights with
    :func:`weight_change`.

    Parameters
    ----------
    activity_a, activity_b : CubeActivity
        The cube's activity on the samples of each condition (same cube, same
        sample length not required).
    clusters : Clusters | ndarray of int
        From :func:`neuron_clusters`, or reservoir labels.
    cube : Cube | tuple of (pre, post, weights) | None
        The network, for the per-connection view. ``None``: clusters only.
    names : tuple of str
        Names of the two conditions.
    n : int
        Connections to report in ``top``.
    lag : int
        Steps from the source's spike to the target's (1: the cube's
        one-step transmission).

    Returns
    -------
    comparison : ConditionComparison
        Rates per cluster and neuron, and (with a cube) co-activation per
        connection, the ``top`` differing connections and the ``flow``
        between clusters; ``.summary()`` puts the main differences in words.
    """
    acts = (_check_activity(activity_a, "activity_a"), _check_activity(activity_b, "activity_b"))
    if acts[0].n_neurons != acts[1].n_neurons:
        raise ValueError(
            f"activity_a has {acts[0].n_neurons} neurons and activity_b {acts[1].n_neurons}: "
            "compare activity of the same cube."
        )
    names = tuple(str(x) for x in names)
    if len(names) != 2:
        raise ValueError(f"names must be two condition names, got {names!r}.")
    n = check_int(n, "n", min_value=0)
    lag = check_int(lag, "lag", min_value=1)
    n_neurons = acts[0].n_neurons
    labels = clusters.reservoir_labels if isinstance(clusters, Clusters) else np.asarray(clusters)
    labels = np.asarray(labels, dtype=np.int64)[:n_neurons]
    n_channels = clusters.n_channels if isinstance(clusters, Clusters) else int(labels.max()) + 1
    ch_names = clusters.ch_names if isinstance(clusters, Clusters) else None
    if ch_names is None:
        ch_names = getattr(cube, "ch_names", None)
    sizes = np.bincount(labels[labels >= 0], minlength=n_channels)

    neuron_rate = np.zeros((2, n_neurons))
    cluster_rate = np.zeros((2, n_channels))
    for c, act in enumerate(acts):
        seconds = act.n_times / (act.sfreq or 1.0)
        counts = np.bincount(np.asarray(act.neuron, dtype=np.int64), minlength=n_neurons)
        neuron_rate[c] = counts / max(act.n_samples, 1) / seconds
        per_cluster = np.bincount(
            labels[labels >= 0], weights=neuron_rate[c][labels >= 0], minlength=n_channels
        )
        cluster_rate[c] = np.divide(per_cluster, sizes, out=np.zeros(n_channels), where=sizes > 0)
    out = ConditionComparison(
        names=names,
        n_samples=(acts[0].n_samples, acts[1].n_samples),
        cluster_rate=cluster_rate,
        cluster_diff=cluster_rate[1] - cluster_rate[0],
        neuron_rate=neuron_rate,
        ch_names=None if ch_names is None else list(ch_names),
    )
    if cube is None:
        return out
    pre, post, w, n_net, n_ch_net = _network(
        cube,
        n_neurons if isinstance(cube, (tuple, list)) else None,
        n_channels if isinstance(cube, (tuple, list)) else None,
    )
    if n_net != n_neurons:
        raise ValueError(f"The cube has {n_net} reservoir neurons but the activity {n_neurons}.")
    res = np.flatnonzero(pre < n_neurons)
    coact = np.full((2, len(pre)), np.nan)
    for c, act in enumerate(acts):
        coact[c, res] = _coactivation(act, pre[res], post[res], lag)
    diff = coact[1, res] - coact[0, res]
    order = res[np.lexsort((res, -np.abs(diff)))][:n]
    order = order[np.abs(coact[1, order] - coact[0, order]) > 0]
    out.coactivation = coact
    out.top = Connections(index=order, pre=pre[order], post=post[order], weights=w[order])
    full = _labels(labels, n_neurons, n_ch_net)
    out.flow = np.stack(
        [
            _cluster_matrix(np.nan_to_num(coact[c]) * np.abs(w), pre, post, full, n_ch_net)
            for c in range(2)
        ]
    )
    return out
