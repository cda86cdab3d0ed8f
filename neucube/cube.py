"""The NeuCube reservoir ("the cube"): a 3D spiking network simulated with Brian2.

The cube has two kinds of neurons, numbered in one index space:

* **reservoir neurons** ``0 … n_neurons - 1``, one at each coordinate of the
  brain template (``coords``, MNI millimetres), in the template's order;
* **input neurons** ``n_neurons + 2*c`` (positive spikes of channel ``c``) and
  ``n_neurons + 2*c + 1`` (negative spikes of channel ``c``), both placed at
  the reservoir neuron ``input_index[c]`` the channel's electrode was mapped
  to. They are driven directly by the encoder's spikes (``+1`` fires the
  positive, ``-1`` the negative input neuron) and nothing connects into them.

Connections (NeuCube's small-world rule; every value is a :class:`Cube`
parameter):

* every pair of reservoir neurons at most ``radius`` (25 mm) apart is connected
  once, in a direction drawn at random (50/50); no self-connections;
* each input neuron connects to every reservoir neuron within ``radius`` of its
  location, including the reservoir neuron it sits on;
* weight magnitude ``max_weight * d_ref / d`` (inverse distance) where ``d_ref``
  is the smallest distance between two reservoir neurons (the grid spacing,
  10 mm on the 10 mm template), so the largest reservoir weight is exactly
  ``max_weight`` (0.1). For input connections the distance is floored at
  ``d_ref`` (the neuron under the electrode is at distance 0) and the magnitude
  multiplied by ``input_gain`` (2): their largest weight is 0.2;
* each connection is excitatory (positive) with probability ``p_excitatory``
  (0.8), inhibitory (negative) otherwise, input connections included.

Neuron (discrete time, one step per EEG sample, ``dt = 1 / sfreq``): spikes
fired at step ``t - 1`` add their weights to the potential of the targets that
are not refractory at step ``t``; then if ``V >= threshold`` (0.5) the neuron
spikes, ``V = 0`` and it is refractory for ``refractory`` (6) steps (inputs
arriving at ``t + 1 … t + 6`` are ignored, so it can spike again at
``t + 7`` at the earliest); otherwise ``V = max(0, V - leak)`` (leak 0.002).
Every sample starts from rest (``V = 0``, nothing pending, not refractory,
no spike history), unless ``run(..., reset=False)`` continues a live stream.

STDP (``fit`` only; off in ``transform``/``run``): see :class:`Cube`.

Only this module's simulation helpers import Brian2, and only when a cube is
simulated: ``import neucube`` and :func:`available_targets` stay cheap.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._checks import (
    check_band,
    check_int,
    check_number,
    check_option,
    check_positive,
    check_seed,
)
from ._docs import fill_doc
from ._logging import log_once, logger

# Target choice and the cache live in neucube._targets; importable from here too.
from ._targets import (  # noqa: F401
    AUTO_STANDALONE_MIN_STEPS,
    TARGETS,
    _version_of,
    available_targets,
    cache_dir,
    select_target,
    target_info,
)

if TYPE_CHECKING:
    import numpy.typing as npt
    from scipy.sparse import csr_array

__all__ = [
    "DEFAULT_BAND",
    "Cube",
    "CubeActivity",
    "available_targets",
    "select_target",
    "target_info",
]

_STDP_RULES = ("neucube", "trace")
#: Activity band :meth:`Cube.calibrate` aims at by default, spikes per neuron per step.
DEFAULT_BAND = (0.002, 0.01)


# ---------------------------------------------------------------------------
# Activity
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class CubeActivity:
    """What the reservoir did on a batch of samples.

    Spikes are stored sparsely, one entry per spike of a reservoir neuron,
    sorted by ``(sample, step, neuron)``; input neurons are not included (their
    spikes are the encoder's). Steps count EEG samples from the start of each
    sample (0 … ``n_times - 1``); ``step / sfreq`` is the time in seconds.

    Parameters
    ----------
    sample : ndarray of int32, shape (n_spikes,)
        The sample (trial or window) each spike belongs to.
    neuron : ndarray of int32, shape (n_spikes,)
        The reservoir neuron that fired (template index).
    step : ndarray of int32, shape (n_spikes,)
        The step at which it fired, within its sample.
    n_samples, n_neurons, n_times : int
        The batch's shape: samples, reservoir neurons, steps per sample.
    sfreq : float | None
        Sampling frequency (steps per second), when known.
    info : dict
        Provenance: ``brian2``, ``numpy`` and ``neucube`` versions, the
        code-generation ``target``, the cube's ``seed``, ``learn`` (whether STDP
        was on), ``reset`` and ``wall_s`` (seconds the simulation took).

    Attributes
    ----------
    counts : ndarray of int64, shape (n_samples, n_neurons)
        Number of spikes of each neuron in each sample.
    first_spike : ndarray of int64, shape (n_samples, n_neurons)
        Step of each neuron's first spike in each sample, ``-1`` when silent.
    order : ndarray of int64, shape (n_samples, n_neurons)
        Rank of each neuron's first spike in each sample (0 = first to fire),
        ``-1`` when silent. Neurons whose first spikes fall on the same step are
        ranked by neuron index, as NeuCube processes them in that order; use
        ``first_spike`` for tie-aware ranks.
    """

    sample: np.ndarray
    neuron: np.ndarray
    step: np.ndarray
    n_samples: int
    n_neurons: int
    n_times: int
    sfreq: float | None = None
    info: dict = field(default_factory=dict)
    counts: np.ndarray = field(init=False, repr=False)
    first_spike: np.ndarray = field(init=False, repr=False)
    order: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.sample = np.asarray(self.sample, dtype=np.int32)
        self.neuron = np.asarray(self.neuron, dtype=np.int32)
        self.step = np.asarray(self.step, dtype=np.int32)
        key = (
            self.sample.astype(np.int64) * self.n_times + self.step
        ) * self.n_neurons + self.neuron
        if key.size and np.any(np.diff(key) < 0):
            idx = np.argsort(key, kind="stable")
            self.sample, self.neuron, self.step = (
                self.sample[idx],
                self.neuron[idx],
                self.step[idx],
            )
        shape = (self.n_samples, self.n_neurons)
        flat = self.sample.astype(np.int64) * self.n_neurons + self.neuron
        self.counts = np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape)
        self.first_spike = np.full(shape, -1, dtype=np.int64)
        self.order = np.full(shape, -1, dtype=np.int64)
        if flat.size:
            # spikes are sorted by (sample, step, neuron): the first occurrence
            # of each (sample, neuron) is its first spike, and these first
            # spikes are already in firing order within each sample.
            uniq, first = np.unique(flat, return_index=True)
            first.sort()
            s, n = self.sample[first], self.neuron[first]
            self.first_spike[s, n] = self.step[first]
            starts = np.searchsorted(s, np.arange(self.n_samples))
            self.order[s, n] = np.arange(s.size) - starts[s]

    def __len__(self) -> int:
        return self.n_samples

    @property
    def n_spikes(self) -> int:
        """Total number of reservoir spikes in the batch (int)."""
        return int(self.neuron.size)

    @property
    def rate(self) -> float:
        """Spikes per neuron per step over the batch (float).

        The cube's operating point: ``0`` is a silent reservoir, and the
        refractory period caps it at ``1 / (refractory + 1)`` (1/7 at
        NeuCube's 6 steps).
        """
        size = self.n_samples * self.n_neurons * self.n_times
        return float(self.neuron.size / size) if size else 0.0

    @property
    def active_share(self) -> float:
        """Share of neurons that fire at least once in a sample, mean over samples (float)."""
        size = self.n_samples * self.n_neurons
        return float(np.count_nonzero(self.counts) / size) if size else 0.0

    @classmethod
    def from_spikes(cls, spikes: npt.ArrayLike, sfreq: float | None = None) -> CubeActivity:
        """Treat the encoder's spikes as activity: the input neurons alone, no reservoir.

        Channel ``c``'s positive spikes become neuron ``2*c`` and its negative
        spikes neuron ``2*c + 1``, the cube's order of input neurons, so a
        readout fitted on this activity shows what the spikes carry before
        any reservoir.

        Parameters
        ----------
        spikes : array-like of int8, shape (n_channels, n_times) or (n_samples, n_channels, n_times)
            Encoder output (``+1``, ``-1``, ``0``).
        sfreq : float | None
            Sampling frequency of the spikes.

        Returns
        -------
        activity : CubeActivity
            ``n_neurons = 2 * n_channels``.
        """
        shape = np.shape(spikes)
        x = _check_spikes(spikes, shape[-2] if len(shape) in (2, 3) else -1)
        n_samples, n_channels, n_times = x.shape
        # (sample, step, neuron) order, neuron = 2 * channel + (spike is negative)
        s, c, t = np.nonzero(x)
        neuron = 2 * c + (x[s, c, t] < 0)
        key = (s.astype(np.int64) * n_times + t) * (2 * n_channels) + neuron
        idx = np.argsort(key, kind="stable")
        return cls(
            sample=s[idx],
            neuron=neuron[idx],
            step=t[idx],
            n_samples=n_samples,
            n_neurons=2 * n_channels,
            n_times=n_times,
            sfreq=sfreq,
            info={"reservoir": False},
        )

    @fill_doc
    def spikes(self, sample: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Spikes of one sample.

        Parameters
        ----------
        %(activity_sample)s

        Returns
        -------
        neuron, step : ndarray of int
            Neuron and step of each spike, in firing order.
        """
        lo, hi = np.searchsorted(self.sample, [sample, sample + 1])
        return self.neuron[lo:hi], self.step[lo:hi]

    @fill_doc
    def spike_times(self, sample: int = 0) -> list[np.ndarray]:
        """Spike steps of each neuron in one sample.

        Parameters
        ----------
        %(activity_sample)s

        Returns
        -------
        times : list of ndarray
            ``times[n]`` holds the steps at which neuron ``n`` fired (divide by
            ``sfreq`` for seconds).
        """
        neuron, step = self.spikes(sample)
        idx = np.argsort(neuron, kind="stable")
        bounds = np.searchsorted(neuron[idx], np.arange(self.n_neurons + 1))
        sorted_steps = step[idx]
        return [sorted_steps[bounds[k] : bounds[k + 1]] for k in range(self.n_neurons)]

    @fill_doc
    def raster(self, sample: int = 0) -> np.ndarray:
        """Dense spike raster of one sample.

        Parameters
        ----------
        %(activity_sample)s

        Returns
        -------
        raster : ndarray of bool, shape (n_neurons, n_times)
            ``True`` where a neuron fired.
        """
        out = np.zeros((self.n_neurons, self.n_times), dtype=bool)
        neuron, step = self.spikes(sample)
        out[neuron, step] = True
        return out


# ---------------------------------------------------------------------------
# Validation helpers (the generic ones are in neucube._checks)
# ---------------------------------------------------------------------------


def _check_spikes(spikes, n_channels):
    """Return int8 spikes shaped (n_samples, n_channels, n_times)."""
    arr = np.asarray(spikes)
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3:
        raise ValueError(
            "spikes must be shaped (n_channels, n_times) or (n_samples, "
            f"n_channels, n_times), got an array with shape {np.shape(spikes)}."
        )
    if arr.shape[1] != n_channels:
        raise ValueError(
            f"spikes have {arr.shape[1]} channels but the cube has {n_channels} "
            "input channels (one per entry of input_index). Encode the same "
            "channels the cube was built for."
        )
    if arr.shape[2] < 1 or arr.shape[0] < 1:
        raise ValueError(f"spikes must hold at least one step, got shape {arr.shape}.")
    if arr.dtype != np.int8:
        if not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool):
            if not np.all(np.isin(arr, (-1, 0, 1))):
                raise ValueError("spikes must hold only -1, 0 and +1.")
        arr = arr.astype(np.int8)
    if arr.size and (arr.min() < -1 or arr.max() > 1):
        raise ValueError(
            f"spikes must hold only -1, 0 and +1, got values from {arr.min()} to {arr.max()}."
        )
    return arr


# ---------------------------------------------------------------------------
# Connections
# ---------------------------------------------------------------------------


def _reference_distance(coords, radius):
    from scipy.spatial import cKDTree

    if len(coords) < 2:
        return float(radius)
    d, _ = cKDTree(coords).query(coords, k=2)
    return float(d[:, 1].min())


def build_connections(
    coords: npt.ArrayLike,
    input_index: npt.ArrayLike,
    *,
    radius: float = 25.0,
    max_weight: float = 0.1,
    p_excitatory: float = 0.8,
    input_gain: float = 2.0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw NeuCube's small-world connections (see the module docstring).

    Parameters
    ----------
    coords : ndarray, shape (n_neurons, 3)
        Reservoir neuron positions (mm), all distinct.
    input_index : ndarray of int, shape (n_channels,)
        Reservoir neuron each channel's two input neurons sit on.
    radius, max_weight, p_excitatory, input_gain : float
        See :class:`Cube`.
    rng : numpy.random.Generator
        Source of the directions and signs.

    Returns
    -------
    pre, post : ndarray of int64, shape (n_connections,)
        Source and target of each connection, in the cube's index space
        (input neurons after the reservoir). Reservoir pairs come first, sorted
        by their lower index, then the input connections by input neuron.
    weights : ndarray of float64, shape (n_connections,)
        Initial weights.
    """
    from scipy.spatial import cKDTree

    rng = np.random.default_rng() if rng is None else rng
    coords = np.asarray(coords, dtype=np.float64)
    n = len(coords)
    tree = cKDTree(coords)
    d_ref = _reference_distance(coords, radius)
    pairs = tree.query_pairs(radius, output_type="ndarray").astype(np.int64)
    if pairs.size:
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    else:
        pairs = np.zeros((0, 2), dtype=np.int64)
    dist = np.linalg.norm(coords[pairs[:, 0]] - coords[pairs[:, 1]], axis=1)
    flip = rng.random(len(pairs)) < 0.5
    pre = np.where(flip, pairs[:, 1], pairs[:, 0])
    post = np.where(flip, pairs[:, 0], pairs[:, 1])
    mag = max_weight * d_ref / dist

    in_pre, in_post, in_mag = [], [], []
    for c, site in enumerate(np.asarray(input_index, dtype=np.int64)):
        targets = np.sort(np.asarray(tree.query_ball_point(coords[site], radius), dtype=np.int64))
        d = np.linalg.norm(coords[targets] - coords[site], axis=1)
        m = input_gain * max_weight * d_ref / np.maximum(d, d_ref)
        for polarity in (0, 1):
            in_pre.append(np.full(len(targets), n + 2 * c + polarity, dtype=np.int64))
            in_post.append(targets)
            in_mag.append(m)
    if in_pre:
        pre = np.concatenate([pre, *in_pre])
        post = np.concatenate([post, *in_post])
        mag = np.concatenate([mag, *in_mag])
    sign = np.where(rng.random(len(pre)) < p_excitatory, 1.0, -1.0)
    return pre.astype(np.int64), post.astype(np.int64), sign * mag


# ---------------------------------------------------------------------------
# The cube
# ---------------------------------------------------------------------------


def _check_w_max(w_max, params):
    w_max = check_number(w_max, "w_max")
    if not params["w_min"] < w_max:
        raise ValueError(f"w_min ({params['w_min']}) must be smaller than w_max ({w_max}).")
    return w_max


def _param_checks(params):
    """Return how each parameter of the cube is checked: name -> function of its value.

    The constructor and :meth:`Cube.load` check with these; ``params`` holds
    the values (``w_max`` is checked against ``w_min``, which comes first).
    """
    return {
        "radius": lambda v: check_positive(v, "radius"),
        "max_weight": lambda v: check_positive(v, "max_weight"),
        "p_excitatory": lambda v: check_number(v, "p_excitatory", low=0, high=1),
        "input_gain": lambda v: check_positive(v, "input_gain"),
        "threshold": lambda v: check_positive(v, "threshold"),
        "leak": lambda v: check_positive(v, "leak", strict=False),
        "refractory": lambda v: check_int(v, "refractory", min_value=0),
        "stdp": lambda v: check_option(v, "stdp", _STDP_RULES),
        "stdp_rate": lambda v: check_positive(v, "stdp_rate", strict=False),
        "w_min": lambda v: check_number(v, "w_min"),
        "w_max": lambda v: _check_w_max(v, params),
        "stdp_tau": lambda v: check_positive(v, "stdp_tau"),
        "stdp_ltd_ratio": lambda v: check_positive(v, "stdp_ltd_ratio", strict=False),
        "sfreq": lambda v: None if v is None else check_positive(v, "sfreq"),
        "target": lambda v: check_option(v, "target", ("auto",) + TARGETS),
    }


_PARAM_NAMES = tuple(_param_checks({}))


def _check_coords(coords):
    """Return reservoir positions as float64 (n_neurons, 3), distinct and finite, or raise."""
    try:
        coords = np.array(coords, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"coords must be numbers shaped (n_neurons, 3), got {coords!r}.") from None
    if coords.ndim != 2 or coords.shape[1] != 3 or len(coords) < 1:
        raise ValueError(
            "coords must be shaped (n_neurons, 3) with at least one neuron, got "
            f"shape {coords.shape}."
        )
    if not np.all(np.isfinite(coords)):
        raise ValueError("coords must be finite.")
    if len(np.unique(coords, axis=0)) != len(coords):
        raise ValueError("coords must be distinct: two neurons share a position.")
    return coords


def _check_input_index(input_index, n_neurons):
    """Return the channels' neurons as int64 indices into the reservoir, or raise."""
    input_index = np.array(input_index)
    if input_index.ndim != 1 or not (
        input_index.size == 0 or np.issubdtype(input_index.dtype, np.integer)
    ):
        raise ValueError(
            "input_index must be a 1D array of neuron indices (one per "
            f"channel), got {input_index!r}."
        )
    input_index = input_index.astype(np.int64)
    if input_index.size and (input_index.min() < 0 or input_index.max() >= n_neurons):
        raise ValueError(
            f"input_index must index coords (0 … {n_neurons - 1}), got values "
            f"from {input_index.min()} to {input_index.max()}."
        )
    return input_index


def _as_indices(values, name):
    """Return whole numbers as a flat int64 array, or raise."""
    arr = np.asarray(values)
    whole = np.issubdtype(arr.dtype, np.integer) or (
        np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr) & (arr == np.round(arr)))
    )
    if arr.size and not whole:
        raise ValueError(f"{name} must hold neuron indices (integers), got {arr.dtype} values.")
    return arr.astype(np.int64).ravel()


def _check_pre(pre, n_total):
    """Return the connections' sources (any neuron) as int64, or raise."""
    pre = _as_indices(pre, "pre")
    if len(pre) and (pre.min() < 0 or pre.max() >= n_total):
        raise ValueError(f"pre must be in 0 … {n_total - 1}.")
    return pre


def _check_post(post, pre, n_neurons):
    """Return the connections' targets (reservoir neurons) as int64, or raise."""
    post = _as_indices(post, "post")
    if len(pre) != len(post):
        raise ValueError(f"pre and post must have the same length, got {len(pre)} and {len(post)}.")
    if len(post) and (post.min() < 0 or post.max() >= n_neurons):
        raise ValueError(
            f"post must be reservoir neurons (0 … {n_neurons - 1}): nothing "
            "connects into input neurons."
        )
    if np.any(pre == post):
        raise ValueError("Self-connections (pre == post) are not allowed.")
    key = pre * n_neurons + post  # post < n_neurons: one key per pair
    if len(np.unique(key)) != len(key):
        raise ValueError("A connection (pre, post) appears more than once.")
    return post


def _check_weights(weights):
    """Return the connection weights as finite float64, or raise."""
    try:
        weights = np.array(weights, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"weights must be numbers, got {weights!r}.") from None
    if not np.all(np.isfinite(weights)):
        raise ValueError("weights must be finite.")
    return weights


class Cube:
    """A NeuCube spiking reservoir on brain coordinates, simulated with Brian2.

    Parameters
    ----------
    coords : array-like, shape (n_neurons, 3)
        Reservoir neuron positions in mm (e.g. ``load_brain_template().coords``).
    input_index : array-like of int, shape (n_channels,)
        For each EEG channel, the reservoir neuron its electrode was mapped to
        (e.g. ``map_channels(ch_names, coords)``); the channel's two input
        neurons are placed there.
    radius : float
        Small-world radius in mm: pairs at most this far apart are connected.
        NeuCube: 25 mm (2.5 grid units).
    max_weight : float
        Largest initial reservoir weight magnitude (the nearest pairs'). 0.1.
    p_excitatory : float
        Probability that a connection is excitatory (positive). 0.8.
    input_gain : float
        Factor on the input neurons' outgoing weights. 2 (doubled).
    threshold : float
        Firing threshold of the potential. 0.5.
    leak : float
        Amount the potential loses per step without a spike (floored at 0).
        0.002.
    refractory : int
        Steps after a spike during which a neuron ignores its inputs. 6.
    stdp : ``'neucube'`` | ``'trace'``
        The unsupervised learning rule used by :meth:`fit`.

        ``'neucube'`` (default, NeuCube's rule): when neuron ``i`` fires at step
        ``t``, every connection ``j → i`` whose source last fired at
        ``t_j < t`` in the current sample gains ``stdp_rate / (t - t_j + 1)``
        (potentiation, cause before effect), and every connection ``i → k``
        whose target last fired at ``t_k < t`` loses
        ``stdp_rate / (t - t_k + 1)`` (depression: the "reverse direction" is
        the same pair with the roles swapped, so a connection whose target
        fired before its source is weakened). Spikes at the same step count as
        neither cause nor effect; only the partner's latest spike counts; the
        result is clipped to ``[w_min, w_max]`` after each change. The largest
        change is ``stdp_rate / 2`` (partner fired one step earlier). Within a
        step all potentiations come first, then all depressions, and the
        step's spikes then propagate with the updated weights.

        ``'trace'``: the standard all-to-all pair rule with exponential
        traces: potentiation ``stdp_rate * sum exp(-(t - t_j) / stdp_tau)``
        over the source's earlier spikes in the sample, depression
        ``stdp_ltd_ratio * stdp_rate * sum exp(-(t - t_k) / stdp_tau)`` over the
        target's, clipped the same way.

        Connections from input neurons learn like the others.
    stdp_rate : float
        Learning rate ``eta``. NeuCube's 0.01 scaled to 0.001.
    w_min, w_max : float
        Weights are clipped to ``[w_min, w_max]`` by learning. -2 and 2.
    stdp_tau : float
        Trace time constant in steps (``'trace'`` rule only). 5 steps (about
        20 ms at 256 Hz).
    stdp_ltd_ratio : float
        Depression/potentiation amplitude ratio (``'trace'`` rule only). 1.05.
    sfreq : float | None
        Sampling frequency of the spikes in Hz; Brian2's time step is
        ``1 / sfreq`` (1 ms when ``None``). The dynamics count steps, so it only
        sets the time axis.
    target : ``'auto'`` | ``'numpy'`` | ``'cython'`` | ``'cpp_standalone'``
        Brian2 code-generation target (see :func:`select_target`).
    random_state : None | int | numpy.random.Generator
        Seed of the connections' directions and signs (Brian2 draws no random
        numbers here). ``None`` draws a fresh seed and records it in
        ``seed_``.
    ch_names : list of str | None
        Names of the input channels, kept with the cube (and in saved files).
    connections : tuple of (pre, post, weights) | None
        Ready-made connections (a saved cube's) instead of NeuCube's random
        small-world ones; checked as :meth:`set_connections` checks them.

    Attributes
    ----------
    pre_, post_ : ndarray of int64, shape (n_connections,)
        Source and target of each connection (input neurons are numbered
        after the reservoir: ``n_neurons + 2*c`` positive, ``+1`` negative).
    weights_ : ndarray of float64, shape (n_connections,)
        Current weights (changed by :meth:`fit`).
    seed_ : int | None
        The seed the connections were drawn with (``None`` when a Generator was
        given).
    n_passes_ : int
        STDP passes done so far by :meth:`fit`.
    encoder_ : ndarray | dict | None
        Encoder thresholds or settings kept with the cube (saved by
        :meth:`save`, restored by :meth:`load`).
    calibration_ : dict | None
        What :meth:`calibrate` found (band, threshold, rate and active share
        at it, the initial threshold and rate, probes), saved with the cube;
        ``None`` when never calibrated.

    Notes
    -----
    Brian2 runs the cube as an explicit ``brian2.Network`` built once per cube
    and target and reused; a batch is a single run (long batches a few runs of
    fixed length), with the state reset at each sample's start by the network
    itself (no Python code between steps). NeuCube's step ``t`` (add the input
    of the spikes of ``t - 1`` unless refractory; spike and reset if
    ``V >= threshold``, else leak) maps onto Brian2's schedule at step ``t`` as
    input in the *groups* slot, threshold in *thresholds*, STDP then spike
    propagation in *synapses*, reset in *resets*; the leak of the neurons that
    did not spike is applied at the start of the *groups* slot of ``t + 1``,
    before the new input (same numbers, one slot later). See
    :mod:`neucube._brian`. After building a network the cube calls
    ``gc.freeze()``, because Brian2 runs ``gc.collect()`` at every run (about
    100 ms in a full process, 20-30 ms frozen); the next network build calls
    ``gc.unfreeze()`` first so discarded cubes are still collected.
    """

    def __init__(
        self,
        coords: npt.ArrayLike,
        input_index: npt.ArrayLike,
        *,
        radius: float = 25.0,
        max_weight: float = 0.1,
        p_excitatory: float = 0.8,
        input_gain: float = 2.0,
        threshold: float = 0.5,
        leak: float = 0.002,
        refractory: int = 6,
        stdp: str = "neucube",
        stdp_rate: float = 0.001,
        w_min: float = -2.0,
        w_max: float = 2.0,
        stdp_tau: float = 5.0,
        stdp_ltd_ratio: float = 1.05,
        sfreq: float | None = None,
        target: str = "auto",
        random_state: int | np.random.Generator | None = None,
        ch_names: list[str] | None = None,
        connections: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike] | None = None,
    ) -> None:
        coords = _check_coords(coords)
        input_index = _check_input_index(input_index, len(coords))
        if ch_names is not None:
            ch_names = [str(c) for c in ch_names]
            if len(ch_names) != len(input_index):
                raise ValueError(
                    f"ch_names has {len(ch_names)} names but input_index has "
                    f"{len(input_index)} entries."
                )
        self.coords = coords
        self.input_index = input_index
        self.ch_names = ch_names
        params = {
            "radius": radius,
            "max_weight": max_weight,
            "p_excitatory": p_excitatory,
            "input_gain": input_gain,
            "threshold": threshold,
            "leak": leak,
            "refractory": refractory,
            "stdp": stdp,
            "stdp_rate": stdp_rate,
            "w_min": w_min,
            "w_max": w_max,
            "stdp_tau": stdp_tau,
            "stdp_ltd_ratio": stdp_ltd_ratio,
            "sfreq": sfreq,
            "target": target,
        }
        for name, check in _param_checks(params).items():
            params[name] = check(params[name])
            setattr(self, name, params[name])
        rng, self.seed_ = check_seed(random_state)
        self.n_passes_ = 0
        self.encoder_ = None
        self.calibration_ = None
        self._sims = {}
        if connections is None:
            connections = build_connections(
                coords,
                input_index,
                radius=self.radius,
                max_weight=self.max_weight,
                p_excitatory=self.p_excitatory,
                input_gain=self.input_gain,
                rng=rng,
            )
        self._set_connections(*connections)

    # -- construction helpers ------------------------------------------------

    @classmethod
    def from_template(
        cls,
        ch_names: list[str],
        *,
        resolution: float = 10.0,
        positions: dict | None = None,
        **kwargs: object,
    ) -> Cube:
        """Build a cube on the brain template with the channels' electrodes mapped.

        Parameters
        ----------
        ch_names : list of str
            Channel names (10-05 names or bipolar pairs such as ``'Fp1-F7'``).
        resolution : float
            Template grid spacing in mm.
        positions : dict | None
            Electrode positions overriding the standard ones (see
            ``neucube.template.map_channels``).
        **kwargs
            Other :class:`Cube` parameters.

        Returns
        -------
        cube : Cube
            The cube.
        """
        from .template import load_brain_template, map_channels

        template = load_brain_template(resolution=resolution)
        index = map_channels(ch_names, template.coords, positions=positions)
        return cls(template.coords, index, ch_names=list(ch_names), **kwargs)

    def _set_connections(self, pre, post, weights):
        n_pre, n_post, n_w = (np.size(a) for a in (pre, post, weights))
        if not (n_pre == n_post == n_w):
            raise ValueError(
                f"pre, post and weights must have the same length, got {n_pre}, {n_post} and {n_w}."
            )
        pre = _check_pre(pre, self.n_neurons + self.n_inputs)
        post = _check_post(post, pre, self.n_neurons)
        weights = _check_weights(weights)
        self.pre_, self.post_, self.weights_ = pre, post, weights
        self._sims = {}

    def set_connections(
        self, pre: npt.ArrayLike, post: npt.ArrayLike, weights: npt.ArrayLike
    ) -> Cube:
        """Replace the connections (e.g. a hand-made network for tests).

        Parameters
        ----------
        pre : array-like of int
            Source of each connection (reservoir or input neuron).
        post : array-like of int
            Target of each connection (a reservoir neuron).
        weights : array-like of float
            Weight of each connection.

        Returns
        -------
        self : Cube
            The cube, changed in place.
        """
        self._set_connections(pre, post, weights)
        return self

    # -- shape ---------------------------------------------------------------

    @property
    def n_neurons(self) -> int:
        """Number of reservoir neurons (int)."""
        return len(self.coords)

    @property
    def n_channels(self) -> int:
        """Number of input channels (int)."""
        return len(self.input_index)

    @property
    def n_inputs(self) -> int:
        """Number of input neurons, two per channel (int)."""
        return 2 * len(self.input_index)

    @property
    def n_connections(self) -> int:
        """Number of connections (int)."""
        return len(self.pre_)

    @property
    def input_coords(self) -> np.ndarray:
        """Positions of the input neurons, shape (n_inputs, 3) (ndarray)."""
        return np.repeat(self.coords[self.input_index], 2, axis=0)

    @property
    def positions(self) -> np.ndarray:
        """Positions of all neurons, reservoir then inputs (ndarray, (n, 3))."""
        return np.concatenate([self.coords, self.input_coords])

    def get_params(self) -> dict:
        """Return the cube's parameters.

        Returns
        -------
        params : dict
            Parameter name to value (the keyword arguments of :class:`Cube`).
        """
        return {name: getattr(self, name) for name in _PARAM_NAMES}

    def weight_matrix(self) -> csr_array:
        """Return the connection weights as a sparse matrix.

        Returns
        -------
        weights : scipy.sparse.csr_array, shape (n_total, n_total)
            ``weights[pre, post]``; ``n_total = n_neurons + n_inputs``.
        """
        from scipy.sparse import csr_array

        n = self.n_neurons + self.n_inputs
        return csr_array((self.weights_, (self.pre_, self.post_)), shape=(n, n))

    def __repr__(self) -> str:
        return (
            f"<Cube | {self.n_neurons} neurons, {self.n_channels} channels, "
            f"{self.n_connections} connections, stdp={self.stdp!r}, "
            f"passes={self.n_passes_}, target={self.target!r}>"
        )

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_sims"] = {}
        return state

    # -- simulation ------------------------------------------------------------

    @property
    def dt(self) -> float:
        """Brian2 time step in seconds: ``1 / sfreq`` or 1 ms (float)."""
        return 1e-3 if self.sfreq is None else 1.0 / self.sfreq

    def _sim_params(self):
        return {
            "threshold": self.threshold,
            "leak": self.leak,
            "refractory": float(self.refractory),
            "eta": self.stdp_rate,
            "w_min": self.w_min,
            "w_max": self.w_max,
            "a_minus": self.stdp_rate * self.stdp_ltd_ratio,
            "decay": float(np.exp(-1.0 / self.stdp_tau)),
        }

    def _simulator(self, target):
        from . import _brian

        key = (target, self.stdp, self.dt)
        sim = self._sims.get(key)
        if sim is None:
            cls = (
                _brian.StandaloneSimulator
                if target == "cpp_standalone"
                else _brian.RuntimeSimulator
            )
            sim = cls(
                n_neurons=self.n_neurons,
                n_channels=self.n_channels,
                pre=self.pre_,
                post=self.post_,
                dt=self.dt,
                rule=self.stdp,
                target=target,
            )
            self._sims[key] = sim
            logger.info(
                "Cube of %d neurons, %d channels, %d connections on Brian2 %s "
                "(target %s, dt %.6g s, seed %s)",
                self.n_neurons,
                self.n_channels,
                self.n_connections,
                _version_of("brian2"),
                target,
                self.dt,
                self.seed_,
            )
        return sim

    def run(
        self, spikes: npt.ArrayLike, *, learn: bool = False, reset: bool = True
    ) -> CubeActivity:
        """Feed spikes through the cube and record what the reservoir does.

        Parameters
        ----------
        spikes : array-like of int8, shape (n_channels, n_times) or (n_samples, n_channels, n_times)
            Encoder output: ``+1`` fires a channel's positive input neuron,
            ``-1`` its negative one, ``0`` nothing; one column per step.
        learn : bool
            Whether STDP changes the weights during this run (``False``:
            inference; :meth:`fit` sets it).
        reset : bool
            ``True`` (default): every sample starts from rest, all samples run
            in one simulation. ``False``: a live stream fed in chunks: the
            samples follow each other without reset and the next
            ``reset=False`` call continues from where this one stopped (a
            stream starts from rest at its first call, and again after a
            ``reset=True`` call or :meth:`reset_state`). Steps in the result
            count from the chunk's start; ``info["stream_step"]`` is the
            network step where it began. Not available with
            ``'cpp_standalone'``, which then falls back to the best runtime
            target.

        Returns
        -------
        activity : CubeActivity
            Spikes, counts and first-spike order per sample.
        """
        import time

        x = _check_spikes(spikes, self.n_channels)
        n_samples, _, n_times = x.shape
        target = select_target(self.target, n_steps=n_samples * n_times, reset=reset, learn=learn)
        if target == "cpp_standalone" and not reset:
            fallback = "cython" if "cython" in available_targets() else "numpy"
            log_once(
                20,
                "standalone-stream",
                "cpp_standalone cannot continue a stream (reset=False); using %s.",
                fallback,
            )
            target = fallback
        sim = self._simulator(target)
        t0 = time.perf_counter()
        sample, step, neuron, weights, offset = sim.run(
            x, learn=learn, reset=reset, weights=self.weights_, params=self._sim_params()
        )
        wall = time.perf_counter() - t0
        if learn:
            self.weights_ = weights
        info = {
            "brian2": _version_of("brian2"),
            "numpy": np.__version__,
            "neucube": _version_of("neucube-eeg"),
            "target": target,
            "seed": self.seed_,
            "learn": bool(learn),
            "reset": bool(reset),
            "stream_step": offset,
            "wall_s": wall,
        }
        logger.debug(
            "Cube run: %d samples x %d steps on %s (brian2 %s, seed %s, learn=%s) "
            "in %.3f s, %d spikes",
            n_samples,
            n_times,
            target,
            info["brian2"],
            self.seed_,
            learn,
            wall,
            len(neuron),
        )
        return CubeActivity(
            sample=sample,
            neuron=neuron,
            step=step,
            n_samples=n_samples,
            n_neurons=self.n_neurons,
            n_times=n_times,
            sfreq=self.sfreq,
            info=info,
        )

    def transform(self, spikes: npt.ArrayLike) -> CubeActivity:
        """Run the cube without learning, each sample from rest.

        Parameters
        ----------
        spikes : array-like of int8, shape (n_channels, n_times) or (n_samples, n_channels, n_times)
            Encoder output (see :meth:`run`).

        Returns
        -------
        activity : CubeActivity
            Spikes, counts and first-spike order per sample.
        """
        return self.run(spikes, learn=False, reset=True)

    def fit(self, spikes: npt.ArrayLike, n_passes: int = 1) -> Cube:
        """Shape the weights with unsupervised STDP on training samples.

        Parameters
        ----------
        spikes : array-like of int8, shape (n_channels, n_times) or (n_samples, n_channels, n_times)
            Encoded training samples (see :meth:`run`); each starts from rest.
        n_passes : int
            Times the whole training set is fed through (NeuCube: 1).

        Returns
        -------
        self : Cube
            The cube, with learned weights in ``weights_``.
        """
        from ._logging import progress

        n_passes = check_int(n_passes, "n_passes", min_value=0)
        x = _check_spikes(spikes, self.n_channels)
        logger.info(
            "STDP (%s rule, rate %g): %d pass(es) over %d samples of %d steps",
            self.stdp,
            self.stdp_rate,
            n_passes,
            x.shape[0],
            x.shape[2],
        )
        for _ in progress(range(n_passes), desc="STDP passes", unit="pass"):
            self.run(x, learn=True, reset=True)
            self.n_passes_ += 1
        return self

    def calibrate(
        self,
        spikes: npt.ArrayLike,
        band: tuple[float, float] = DEFAULT_BAND,
        *,
        max_samples: int = 32,
        max_probes: int = 16,
    ) -> Cube:
        """Set the firing threshold so that the reservoir works inside an activity band.

        At NeuCube's threshold the reservoir is saturated on some EEG (most
        neurons firing as often as the refractory period allows) and silent
        on other EEG; neither carries much of its input. This searches the
        threshold, on training samples, at which the mean firing rate
        (:attr:`CubeActivity.rate`, spikes per neuron per step) falls inside
        ``band``, by doubling or halving until the band is bracketed, then
        bisecting on a log scale. The threshold found is kept
        (``self.threshold``) and applies, frozen, to any later data; the
        search is recorded in ``calibration_`` and saved with the cube.

        Parameters
        ----------
        spikes : array-like of int8, shape (n_samples, n_channels, n_times)
            Encoded training samples (see :meth:`run`); each runs from rest
            and without learning.
        band : tuple of float
            Lowest and highest mean firing rate, spikes per neuron per step,
            with ``0 < low < high < 1 / (refractory + 1)``.
        max_samples : int
            At most this many samples, evenly spaced over ``spikes``, are
            simulated per probe.
        max_probes : int
            Largest number of thresholds tried. When none lands in the band the
            one whose rate was closest to it (on a log scale) is kept, with a
            warning.

        Returns
        -------
        self : Cube
            The cube, with ``threshold`` set and ``calibration_`` holding
            ``band``, ``threshold``, ``rate`` and ``active_share`` (at the
            threshold kept), ``initial_threshold``, ``initial_rate`` and
            ``n_probes``.
        """
        band = check_band(band, self.refractory)
        max_samples = check_int(max_samples, "max_samples", min_value=1)
        max_probes = check_int(max_probes, "max_probes", min_value=1)
        x = _check_spikes(spikes, self.n_channels)
        if len(x) > max_samples:
            x = x[np.unique(np.linspace(0, len(x) - 1, max_samples).round().astype(int))]
        target = float(np.sqrt(band[0] * band[1]))
        probes = {}

        def probe(threshold):
            self.threshold = threshold
            act = self.transform(x)
            probes[threshold] = (act.rate, act.active_share)
            logger.debug("Calibration: threshold %.6g -> rate %.6g", threshold, act.rate)
            return act.rate

        def distance(threshold):
            rate = probes[threshold][0]
            return 0.0 if band[0] <= rate <= band[1] else abs(np.log(max(rate, 1e-12) / target))

        initial = self.threshold
        rate = probe(initial)
        low = high = None  # thresholds whose rate is above / below the band
        th = initial
        while not band[0] <= rate <= band[1] and len(probes) < max_probes:
            if rate > band[1]:
                low = th
            else:
                high = th
            if low is not None and high is not None:
                th = float(np.sqrt(low * high))
            else:
                th = th * 2.0 if high is None else th / 2.0
            rate = probe(th)
        best = min(probes, key=distance)
        self.threshold = best
        rate, share = probes[best]
        if distance(best) > 0:
            logger.warning(
                "Calibration found no threshold with a rate inside %s in %d probes; kept "
                "threshold %.4g (rate %.4g spikes per neuron per step).",
                band,
                len(probes),
                best,
                rate,
            )
        self.calibration_ = {
            "band": np.array(band),
            "threshold": float(best),
            "rate": float(rate),
            "active_share": float(share),
            "initial_threshold": float(initial),
            "initial_rate": float(probes[initial][0]),
            "n_probes": len(probes),
            "n_samples": len(x),
        }
        logger.info(
            "Calibrated the cube: threshold %.4g -> %.4g, rate %.4g -> %.4g spikes per neuron "
            "per step (band %.4g-%.4g), %.0f%% of neurons active, %d probes",
            initial,
            best,
            probes[initial][0],
            rate,
            band[0],
            band[1],
            100 * share,
            len(probes),
        )
        return self

    def reset_state(self) -> Cube:
        """Forget the live state, so the next ``run(..., reset=False)`` starts at rest.

        Returns
        -------
        self : Cube
            The cube.
        """
        for sim in self._sims.values():
            sim.forget_stream()
        return self

    # -- persistence ------------------------------------------------------------

    @fill_doc
    def save(
        self,
        fname: str | os.PathLike,
        *,
        encoder: np.ndarray | dict | None = None,
        extra: dict[str, dict] | None = None,
        overwrite: bool = False,
    ) -> Path:
        """Save the cube (fitted or not) to a ``.npz`` file.

        The format is described in :mod:`neucube.persistence`.

        Parameters
        ----------
        %(save_fname)s
        %(save_encoder)s
        %(save_extra)s
        %(save_overwrite)s

        Returns
        -------
        %(save_returns)s
        """
        from .persistence import CubeState, write_cube

        state = CubeState(
            coords=self.coords,
            input_index=self.input_index,
            pre=self.pre_,
            post=self.post_,
            weights=self.weights_,
            params=self.get_params(),
            seed=self.seed_,
            n_passes=self.n_passes_,
            ch_names=self.ch_names,
            encoder=getattr(self, "encoder_", None) if encoder is None else encoder,
            extra={**self._own_sections(), **(extra or {})},
        )
        return write_cube(state, fname, overwrite=overwrite)

    def _own_sections(self):
        calibration = self.calibration_
        return {} if calibration is None else {"calibration": dict(calibration)}

    @classmethod
    @fill_doc
    def load(cls, fname: str | os.PathLike) -> Cube:
        """Load a cube saved with :meth:`save`.

        Parameters
        ----------
        %(cube_file)s

        Returns
        -------
        cube : Cube
            The cube with its weights, parameters and seed; ``cube.encoder_``
            holds the encoder data saved with it (``None`` if none),
            ``cube.extra_`` the further sections, and ``cube.file_info_`` the
            file's metadata (versions, creation time).

        Raises
        ------
        %(cube_file_error)s
        """
        from .persistence import damaged_file, read_cube

        fname = Path(os.fspath(fname))
        state = read_cube(fname)
        extra = dict(state.extra)
        calibration = extra.pop("calibration", None)
        _check_file_fields(state, calibration, fname)
        with damaged_file(fname):
            cube = cls(
                state.coords,
                state.input_index,
                random_state=0,
                ch_names=state.ch_names,
                connections=(state.pre, state.post, state.weights),
                **state.params,
            )
        cube.seed_ = state.seed
        cube.n_passes_ = state.n_passes
        cube.encoder_ = state.encoder
        cube.extra_ = extra
        cube.calibration_ = calibration
        cube.file_info_ = state.file_info
        logger.info("Loaded cube from %s (written by %s)", fname, state.file_info["versions"])
        return cube


#: The fields of the ``calibration`` section (:meth:`Cube.calibrate`'s record).
_CALIBRATION_FIELDS = (
    "band",
    "threshold",
    "rate",
    "active_share",
    "initial_threshold",
    "initial_rate",
    "n_probes",
    "n_samples",
)


def _check_file_fields(state, calibration, fname):
    """Check a cube file's parameters, arrays and calibration; name the bad field and the file.

    The checks are the constructor's (and :meth:`Cube.calibrate`'s band), run
    field by field before the cube is built.
    """
    from .persistence import check_fields, check_keys

    params = check_keys(state.params, _PARAM_NAMES, section="cube", fname=fname)
    check_fields(params, _param_checks(params), section="cube", fname=fname)
    n_neurons, n_channels = len(state.coords), len(state.input_index)
    n_total = n_neurons + 2 * n_channels
    arrays = {
        "coords": state.coords,
        "input_index": state.input_index,
        "pre": state.pre,
        "post": state.post,
        "weights": state.weights,
    }
    checks = {
        "coords": _check_coords,
        "input_index": lambda v: _check_input_index(v, n_neurons),
        "pre": lambda v: _check_pre(v, n_total),
        "post": lambda v: _check_post(v, _as_indices(state.pre, "pre"), n_neurons),
        "weights": _check_weights,
    }
    check_fields(arrays, checks, section="cube", fname=fname)
    if calibration is None:
        return
    check_keys(calibration, _CALIBRATION_FIELDS, section="calibration", fname=fname)

    def rate(name):
        return lambda v: check_number(v, name, low=0, high=1)

    checks = {
        "band": lambda v: check_band(v, params["refractory"]),
        "threshold": lambda v: check_positive(v, "threshold"),
        "rate": rate("rate"),
        "active_share": rate("active_share"),
        "initial_threshold": lambda v: check_positive(v, "initial_threshold"),
        "initial_rate": rate("initial_rate"),
        "n_probes": lambda v: check_int(v, "n_probes", min_value=1),
        "n_samples": lambda v: check_int(v, "n_samples", min_value=1),
    }
    check_fields(calibration, checks, section="calibration", fname=fname)
