"""Brian2 back end of :mod:`neucube.cube` (the only module that imports Brian2).

One ``NeuronGroup`` holds the reservoir neurons then the input neurons; one
``Synapses`` object holds every connection; a ``SpikeMonitor`` records. The
encoder's spikes reach the input neurons through a 2D ``TimedArray`` of fixed
shape (steps × channels, indexed by the step within the run window), refilled
in place before each run (runtime targets) or passed with ``run_args`` (C++
standalone), so the compiled code does not change between batches. Sample
resets happen inside the network: the first step of the current sample is
``t0 = t - (t - seg_start) % seg_len`` (``seg_len`` = steps per sample, or
2**40 for a live stream). Model parameters are shared variables, not
constants in the code, so changing them needs no recompilation. Object names
are fixed, so Brian2 generates the same code for every cube of the same kind
and its compiled code is reused (Cython: once per number of channels and
range of sfreq; standalone: see :class:`StandaloneSimulator`).

Inference batches run :data:`COPIES` cubes side by side in one network (see
:func:`copies_for`): copy ``b`` is a block of neurons and synapses of its own,
fed its own samples (:func:`side_by_side`), and its spikes are numbered back
to their samples (:func:`from_side_by_side`). The copies share no synapse, so
each sample's spikes are those of the one-cube run, while each step's fixed
cost is paid once for all of them.

Schedule within one step ``t`` (Brian2's slots ``groups → thresholds →
synapses → resets``) and how it gives NeuCube's semantics:

``groups`` (``cube_update``)
    ``t0`` = first step of the current sample; if ``t == t0`` the state is
    cleared (``V``, ``I``, refractory count, trace). Then the leak pending from
    step ``t - 1``: ``V = max(0, V - leak)`` (neurons that spiked at ``t - 1``
    hold 0, so this touches exactly the neurons that did not spike); then the
    input ``I`` gathered from the spikes of ``t - 1`` is added if the neuron is
    not refractory (``rc == 0``), and ``rc`` counts down.
``thresholds``
    reservoir neurons fire when ``V >= threshold``; input neurons when the
    encoder's spike for step ``t`` is there.
``synapses``
    STDP (``post`` pathway: potentiation, then ``ltd`` pathway: depression),
    reading the last spike step ``ts`` of the partner, which holds spikes of
    *earlier* steps only; then the ``pre`` pathway adds the (updated) weights
    of this step's spikes to their targets' ``I``, read at ``t + 1``.
``resets``
    ``V = 0``, ``rc = refractory``, ``ts = t`` (and the trace ``x += 1``).

So NeuCube's "input, threshold, reset-or-leak" at step ``t`` is Brian2's
"input (groups), threshold (thresholds), reset (resets)" at ``t`` and the leak
at the start of ``t + 1``: the same numbers with the leak one slot later.
A spike at ``t`` sets ``rc = 6``: inputs arriving at ``t + 1 … t + 6`` are
dropped, the neuron integrates again from ``t + 7``.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import os
import shutil
import weakref
from typing import TYPE_CHECKING

import brian2
import numpy as np
from brian2 import (
    Clock,
    Network,
    NeuronGroup,
    SpikeMonitor,
    Synapses,
    TimedArray,
    second,
)
from brian2.devices.device import all_devices, get_device, set_device

from ._logging import log_once, logger
from ._targets import cache_dir

if TYPE_CHECKING:
    import numpy.typing as npt

    #: What a simulator's ``run`` returns: sample, step, neuron, weights, stream step.
    _RunResult = tuple[np.ndarray, np.ndarray, np.ndarray, "np.ndarray | None", int]

#: Steps per Brian2 run on runtime targets (rows of the input TimedArray) for
#: one cube; cubes side by side share as many input values (fewer rows).
WINDOW = 16384
#: Cubes simulated side by side in one network for inference batches on the
#: runtime targets (see :func:`copies_for`): each step's fixed cost (Brian2's
#: Python loop) is paid once for all of them, while their state still fits a
#: core's cache (16 and 32 were no faster here, 4 about as fast).
COPIES = 8
#: Fewest samples in a batch that runs side by side.
MIN_SIDE_BY_SIDE = 4
#: Most steps per standalone binary run (whole samples per run).
STANDALONE_MAX_STEPS = 1 << 17
#: ``seg_len`` of a live stream: no reset for ~2^40 steps.
_NO_RESET = float(2**40)
#: Compiled standalone projects kept in the cache directory.
MAX_PROJECTS = 12

_NEURON_EQS = """
v : 1
I : 1
rc : 1
ts : 1
x : 1
ch : integer (constant)
pol : 1 (constant)
v_th : 1 (shared)
leak : 1 (shared)
n_ref : 1 (shared)
decay : 1 (shared)
win_start : 1 (shared)
seg_start : 1 (shared)
seg_len : 1 (shared)
t0 : 1 (shared)
"""

# Variables: v potential, I input gathered from the previous step's spikes,
# rc refractory steps left, ts step of the last spike, x STDP trace (trace
# rule), ch/pol the channel and polarity of an input neuron (pol = 0:
# reservoir neuron), t0 the first step of the current sample. Few variables
# per code object keep Brian2's per-call overhead (Cython) small.
_UPDATE = """
t0 = t_in_timesteps - (t_in_timesteps - seg_start) % seg_len
fresh = int(t0 == t_in_timesteps)
v = (v - leak) * int(v > leak) * (1 - fresh)
v = v + I * int(rc < 0.5) * (1 - fresh)
rc = (rc - 1) * int(rc > 1.5) * (1 - fresh)
I = 0
{trace}
"""

_THRESHOLD = (
    "(pol == 0 and v >= v_th) or "
    "(pol != 0 and drive((t_in_timesteps - win_start) * second, ch) == pol)"
)
_RESET = "v = 0\nrc = n_ref\nts = t_in_timesteps{trace}"

_SYN_EQS = """
w : 1
eta : 1 (shared)
a_minus : 1 (shared)
w_lo : 1 (shared)
w_hi : 1 (shared)
"""
_PROPAGATE = "I_post += w"
_RULES = {
    # when the target fires (post): potentiate by eta / (t - t_pre + 1) if the
    # source fired earlier in this sample (ts >= t0); when the source fires
    # (ltd): depress by eta / (t - t_post + 1) if the target fired earlier.
    # ts is set by the reset, after the synapses: it holds earlier spikes only.
    "neucube": (
        "w = clip(w + eta * int(ts_pre >= t0_post) / (t_in_timesteps - ts_pre + 1), w_lo, w_hi)",
        "w = clip(w - eta * int(ts_post >= t0_post) / (t_in_timesteps - ts_post + 1), w_lo, w_hi)",
    ),
    "trace": (
        "w = clip(w + eta * x_pre, w_lo, w_hi)",
        "w = clip(w - a_minus * x_post, w_lo, w_hi)",
    ),
}


def _codeobj_class(target):
    if target == "numpy":
        from brian2.codegen.runtime.numpy_rt import NumpyCodeObject

        return NumpyCodeObject
    if target == "cython":
        from brian2.codegen.runtime.cython_rt import CythonCodeObject

        return CythonCodeObject
    return None  # standalone: the device decides


def _build(sim, rows, learn, codeobj_class, prefix, copies=1):
    """Create the Brian2 objects of simulator ``sim``'s cube; return them in a dict.

    Names are fixed (``prefix`` + role): Brian2 derives the generated code's
    names from them, so equal names mean cached compiled code is reused.
    ``copies`` cubes side by side (see :func:`side_by_side`) share the group,
    the synapses and the clock (see :func:`lanes` for where each copy's
    neurons are); copy ``b`` reads input columns ``b * n_channels …``. The
    monitor records the reservoir neurons only.
    """
    n_neurons, n_channels, pre, post, rule = (
        sim.n_neurons,
        sim.n_channels,
        sim.pre,
        sim.post,
        sim.rule,
    )
    n_total = n_neurons + 2 * n_channels
    clock = Clock(dt=sim.dt * second, name=f"{prefix}_clock")
    # indexed by the step within the window: ``dt = 1 s`` and the argument
    # ``step * second`` keep the compiled code independent of sfreq
    drive = TimedArray(
        np.zeros((rows, max(copies * n_channels, 1))), dt=1 * second, name=f"{prefix}_drive"
    )
    group = NeuronGroup(
        copies * n_total,
        _NEURON_EQS,
        threshold=_THRESHOLD,
        reset=_RESET.format(trace="\nx += 1" if rule == "trace" else ""),
        clock=clock,
        codeobj_class=codeobj_class,
        namespace={"drive": drive},
        name=f"{prefix}_neurons",
    )
    group.run_regularly(
        _UPDATE.format(trace="x = x * decay * (1 - fresh)" if rule == "trace" else ""),
        when="groups",
        name=f"{prefix}_update",
    )
    n_reservoir = copies * n_neurons
    ch = np.zeros(copies * n_total, dtype=np.int32)
    ch[n_reservoir:] = np.repeat(np.arange(copies * n_channels), 2)
    group.ch = ch
    pol = np.zeros(copies * n_total)
    pol[n_reservoir:] = np.tile([1.0, -1.0], copies * n_channels)
    group.pol = pol
    group.ts = -1
    group.seg_len = _NO_RESET
    on_pre = {"pre": _PROPAGATE}
    on_post = None
    if learn:
        ltp, ltd = _RULES[rule]
        on_pre["ltd"] = ltd
        on_post = ltp
    syn = Synapses(
        group,
        group,
        _SYN_EQS,
        on_pre=on_pre,
        on_post=on_post,
        clock=clock,
        codeobj_class=codeobj_class,
        namespace={},
        name=f"{prefix}_synapses",
    )
    if len(pre):
        syn.connect(
            i=lanes(pre, n_neurons, n_channels, copies).ravel().astype(np.int32),
            j=lanes(post, n_neurons, n_channels, copies).ravel().astype(np.int32),
        )
    else:
        syn.active = False  # Brian2 refuses to run a Synapses without synapses
    # STDP first (potentiation, then depression), then propagation with the
    # updated weight.
    if learn:
        syn.post.order = -3
        syn.ltd.order = -2
    syn.pre.order = -1
    monitor = SpikeMonitor(
        group[:n_reservoir], codeobj_class=codeobj_class, name=f"{prefix}_spikes"
    )
    net = Network(group, syn, monitor, name=f"{prefix}_network")
    return {"group": group, "syn": syn, "monitor": monitor, "net": net, "drive": drive}


def _set_params(group, syn, params):
    values = {
        (group, "v_th"): params["threshold"],
        (group, "leak"): params["leak"],
        (group, "n_ref"): params["refractory"],
        (group, "decay"): params["decay"],
        (syn, "eta"): params["eta"],
        (syn, "a_minus"): params["a_minus"],
        (syn, "w_lo"): params["w_min"],
        (syn, "w_hi"): params["w_max"],
    }
    for (obj, name), value in values.items():
        obj.variables[name].set_value(value)


def lanes(index: npt.ArrayLike, n_neurons: int, n_channels: int, copies: int) -> np.ndarray:
    """Where the neurons of each cube side by side sit in the shared group.

    The reservoir neurons of every copy come first (copy ``b``'s neuron ``k``
    at ``b * n_neurons + k``), then their input neurons (copy ``b``'s input
    neuron ``m`` at ``copies * n_neurons + b * 2 * n_channels + m``), so the
    reservoir is one block the monitor records. One copy is the cube's own
    numbering.

    Parameters
    ----------
    index : array-like of int
        Neurons in one cube's numbering (reservoir, then inputs).
    n_neurons, n_channels : int
        Reservoir neurons and input channels of one cube.
    copies : int
        Cubes side by side.

    Returns
    -------
    lanes : ndarray of int64, shape (copies, len(index))
        Row ``b``: the neurons of copy ``b`` in the shared group.
    """
    index = np.asarray(index, dtype=np.int64)
    b = np.arange(copies, dtype=np.int64)[:, None]
    is_input = index >= n_neurons
    return np.where(
        is_input,
        copies * n_neurons + b * 2 * n_channels + (index - n_neurons),
        b * n_neurons + index,
    )


def _syn_order(syn, pre, post, n_total):
    """Index into Brian2's synapses for each cube connection."""
    si = np.asarray(syn.i[:], dtype=np.int64)
    sj = np.asarray(syn.j[:], dtype=np.int64)
    if np.array_equal(si, pre) and np.array_equal(sj, post):
        return None
    key = si * n_total + sj
    order = np.argsort(key)
    return order[np.searchsorted(key[order], np.asarray(pre) * n_total + post)]


class _Simulator:
    """What both simulators hold: the cube's shape, connections and rule.

    Parameters
    ----------
    n_neurons, n_channels : int
        Reservoir neurons and input channels (two input neurons each).
    pre, post : array-like of int
        Source and target of each connection (cube index space).
    dt : float
        Time step in seconds.
    rule : str
        The STDP rule (``'neucube'`` or ``'trace'``).
    target : str
        The code-generation target.
    """

    def __init__(
        self,
        n_neurons: int,
        n_channels: int,
        pre: npt.ArrayLike,
        post: npt.ArrayLike,
        dt: float,
        rule: str,
        target: str,
    ) -> None:
        self.n_neurons = n_neurons
        self.n_channels = n_channels
        self.pre = np.asarray(pre, dtype=np.int64)
        self.post = np.asarray(post, dtype=np.int64)
        self.dt = float(dt)
        self.rule = rule
        self.target = target
        self._init_state()

    def _init_state(self) -> None:
        """Set up what a simulator keeps between runs (nothing by default)."""

    def forget_stream(self) -> None:  # pragma: no cover - abstract
        """Make the next ``reset=False`` call start a new stream from rest."""
        raise NotImplementedError

    def run(
        self, x: np.ndarray, *, learn: bool, reset: bool, weights: np.ndarray, params: dict
    ) -> _RunResult:  # pragma: no cover - abstract
        """Simulate a batch; see :meth:`neucube.cube.Cube.run`.

        Parameters
        ----------
        x : ndarray of int8, shape (n_samples, n_channels, n_times)
            The encoder's spikes.
        learn, reset : bool
            Whether STDP is on; whether each sample starts from rest.
        weights : ndarray of float64, shape (n_connections,)
            The weights to start from, in the cube's connection order.
        params : dict
            Model parameters (see ``Cube._sim_params``).

        Returns
        -------
        sample, step, neuron : ndarray of int64, shape (n_spikes,)
            Each reservoir spike's sample, step within it and neuron.
        weights : ndarray of float64 | None
            The learned weights when ``learn``, else None.
        stream_step : int
            The network step where the batch began.
        """
        raise NotImplementedError


def copies_for(n_samples: int, learn: bool, reset: bool, target: str = "cython") -> int:
    """How many cubes side by side simulate a batch (1: one sample after another).

    On the runtime targets, inference on samples that each start from rest
    runs :data:`COPIES` cubes side by side once the batch holds at least
    :data:`MIN_SIDE_BY_SIDE` samples: Brian2 runs each step's code objects
    from Python there, a fixed cost then paid once for all copies. Compiled
    C++ (``'cpp_standalone'``) has no such cost, and its one cube's synapses
    stay in cache where eight copies' do not (it is slower side by side:
    BENCHMARKS.md), so it runs one cube. Learning (each sample starts from
    the weights the previous one left) and live streams (each chunk
    continues the last) run one cube.

    Parameters
    ----------
    n_samples : int
        Samples in the batch.
    learn, reset : bool
        Whether STDP is on; whether each sample starts from rest.
    target : str
        The code-generation target.

    Returns
    -------
    copies : int
        1 or :data:`COPIES`.
    """
    if learn or not reset or n_samples < MIN_SIDE_BY_SIDE or target == "cpp_standalone":
        return 1
    return COPIES


def side_by_side(x: np.ndarray, copies: int) -> np.ndarray:
    """Lay samples out for ``copies`` cubes side by side: the drive's rows.

    Parameters
    ----------
    x : ndarray of int8, shape (n_samples, n_channels, n_times)
        The encoder's spikes.
    copies : int
        Cubes side by side.

    Returns
    -------
    drive : ndarray of int8, shape (n_rounds * n_times, copies * n_channels)
        Round ``r`` (rows ``r * n_times …``) feeds sample ``r * copies + b`` to
        copy ``b`` (columns ``b * n_channels …``); a last round not filled is
        padded with silent samples.
    """
    n_samples, n_ch, n_times = x.shape
    n_rounds = -(-n_samples // copies)
    padded = np.zeros((n_rounds * copies, n_ch, n_times), dtype=x.dtype)
    padded[:n_samples] = x
    by_round = padded.reshape(n_rounds, copies, n_ch, n_times).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(by_round).reshape(n_rounds * n_times, copies * n_ch)


def from_side_by_side(
    index: np.ndarray,
    steps: np.ndarray,
    *,
    n_neurons: int,
    n_times: int,
    copies: int,
    n_samples: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn the spikes of cubes side by side back into each sample's spikes.

    Parameters
    ----------
    index, steps : ndarray of int64
        Each recorded reservoir spike's neuron in the side-by-side group (see
        :func:`lanes`) and its step from the batch's start.
    n_neurons : int
        Reservoir neurons of one cube.
    n_times : int
        Steps per sample.
    copies : int
        Cubes side by side.
    n_samples : int
        Samples in the batch (the rest is padding).

    Returns
    -------
    sample, step, neuron : ndarray of int64
        Reservoir spikes in the order of a one-cube run: by sample, step and
        neuron.
    """
    index = np.asarray(index, dtype=np.int64)
    steps = np.asarray(steps, dtype=np.int64)
    if copies == 1:
        sample, step = np.divmod(steps, n_times)
        return sample, step, index
    copy, neuron = np.divmod(index, n_neurons)
    n_round, step = np.divmod(steps, n_times)
    sample = n_round * copies + copy
    keep = sample < n_samples
    sample, step, neuron = sample[keep], step[keep], neuron[keep]
    # Brian2 records by step, then by index: within one copy that is already
    # by step, then neuron, so a stable sort by sample (a radix sort on 16-bit
    # keys) gives the one-cube order.
    key = sample.astype(np.uint16) if n_samples <= 1 << 16 else sample
    order = np.argsort(key, kind="stable")
    return sample[order], step[order], neuron[order]


class _RuntimeNetwork:
    """One built runtime network: ``copies`` cubes side by side."""

    def __init__(self, sim, copies):
        n_total = sim.n_neurons + 2 * sim.n_channels
        self.copies = copies
        self.ran = False
        self.rows = WINDOW if copies == 1 else max(1, 8 * WINDOW // copies)
        self.objs = _build(
            sim,
            self.rows,
            copies == 1,
            _codeobj_class(sim.target),
            "cube" if copies == 1 else "cube_x",
            copies=copies,
        )
        self.perm = None
        if len(sim.pre):
            self.perm = _syn_order(
                self.objs["syn"],
                lanes(sim.pre, sim.n_neurons, sim.n_channels, copies).ravel(),
                lanes(sim.post, sim.n_neurons, sim.n_channels, copies).ravel(),
                copies * n_total,
            )


class RuntimeSimulator(_Simulator):
    """The cube on Brian2's runtime targets (``'numpy'``, ``'cython'``).

    Networks are built on first use and kept: one cube (learning, live
    streams, small batches; its state persists between calls) and
    :data:`COPIES` cubes side by side (inference on larger batches, see
    :func:`copies_for`). Each call is one ``Network.run`` per drive's worth
    of steps (:data:`WINDOW` rows of input for one cube).
    """

    def _init_state(self) -> None:
        self._nets = {}
        self._stream = False

    def forget_stream(self) -> None:
        """Make the next ``reset=False`` call start a new stream from rest."""
        self._stream = False

    @staticmethod
    def _clear_monitor(mon):
        if int(mon.variables["N"].get_value().item()):
            mon.resize(0)
            mon.variables["N"].set_value(0)
            mon.variables["count"].set_value(0)

    def _ensure(self, copies):
        net = self._nets.get(copies)
        if net is None:
            if self.target == "cython":
                log_once(
                    20,
                    f"cython-compile-{copies}",
                    "Simulating the cube with Brian2's Cython target (%d side by side): the "
                    "first compile of its code takes about 40 s, later runs load it "
                    "from Brian2's cache (%s).",
                    copies,
                    brian2.prefs["codegen.runtime.cython.cache_dir"]
                    or "~/.cython/brian_extensions",
                )
            # garbage frozen by an earlier gc.freeze() (e.g. a discarded
            # cube's network) becomes collectable again
            gc.unfreeze()
            net = self._nets[copies] = _RuntimeNetwork(self, copies)
        return net

    def run(
        self, x: np.ndarray, *, learn: bool, reset: bool, weights: np.ndarray, params: dict
    ) -> _RunResult:
        """Simulate; see :meth:`neucube.cube.Cube.run`."""
        n_samples, n_ch, n_times = x.shape
        copies = copies_for(n_samples, learn, reset, self.target)
        built = self._ensure(copies)
        objs = built.objs
        group, syn, mon, net, drive = (objs[k] for k in ("group", "syn", "monitor", "net", "drive"))
        _set_params(group, syn, params)
        has_syn = len(self.pre) > 0
        if has_syn:
            w = np.tile(np.asarray(weights, dtype=np.float64), copies)
            if built.perm is None:
                syn.variables["w"].set_value(w)
            else:
                cur = np.empty_like(w)
                cur[built.perm] = w
                syn.variables["w"].set_value(cur)
            if copies == 1:
                syn.post.active = bool(learn)
                syn.ltd.active = bool(learn)
        clock = group.clock
        current_step = lambda: int(clock.variables["timestep"].get_value().item())  # noqa: E731
        self._clear_monitor(mon)
        step0 = current_step()
        if reset:
            group.variables["seg_start"].set_value(float(step0))
            group.variables["seg_len"].set_value(float(n_times))
            if copies == 1:
                self._stream = False
        elif not self._stream:
            group.variables["seg_start"].set_value(float(step0))
            group.variables["seg_len"].set_value(_NO_RESET)
            self._stream = True
        flat = side_by_side(x, copies)
        total = flat.shape[0]
        values = drive.values
        idx_out, step_out = [], []
        for a in range(0, total, built.rows):
            b = min(total, a + built.rows)
            if n_ch:
                values[: b - a] = flat[a:b]
            start = current_step()
            group.variables["win_start"].set_value(float(start))
            net.run((b - a) * self.dt * second, namespace={})
            if current_step() != start + b - a:  # pragma: no cover - Brian2 contract
                raise RuntimeError(f"Brian2 ran {current_step() - start} steps instead of {b - a}.")
            if not built.ran:
                built.ran = True
                # Network.run() calls gc.collect() every time: with everything
                # built so far frozen it costs ~20 ms instead of ~150 ms (the
                # freeze is redone for each new network, whose build unfreezes)
                gc.freeze()
            n_rec = int(mon.variables["N"].get_value().item())
            if n_rec:
                i = np.array(mon.variables["i"].get_value()[:n_rec], dtype=np.int64)
                t = np.array(mon.variables["t"].get_value()[:n_rec], dtype=np.float64)
                idx_out.append(i)
                step_out.append(np.rint(t / self.dt).astype(np.int64) - step0)
                self._clear_monitor(mon)
        empty = np.zeros(0, np.int64)
        sample, step, neuron = from_side_by_side(
            np.concatenate(idx_out) if idx_out else empty,
            np.concatenate(step_out) if step_out else empty,
            n_neurons=self.n_neurons,
            n_times=n_times,
            copies=copies,
            n_samples=n_samples,
        )
        new_w = None
        if learn and has_syn:
            cur = np.array(syn.variables["w"].get_value(), dtype=np.float64)
            new_w = cur if built.perm is None else cur[built.perm]
        elif learn:
            new_w = np.asarray(weights, dtype=np.float64).copy()
        return sample, step, neuron, new_w, step0


# ---------------------------------------------------------------------------
# C++ standalone
# ---------------------------------------------------------------------------

#: The standalone project the (global) Brian2 device currently holds.
_HELD = {"project": None}
_PROJECT_DIRS: list = []
_ALL_PROJECTS: weakref.WeakSet = weakref.WeakSet()


def _cleanup_results():
    for path in _PROJECT_DIRS:
        shutil.rmtree(path, ignore_errors=True)


atexit.register(_cleanup_results)


class _Project:
    """One compiled standalone binary (a fixed number of steps)."""

    def __init__(self, sim, learn, n_steps, n_times, copies=1):
        self.sim = sim
        self.learn = learn
        self.n_steps = n_steps
        self.n_times = n_times
        self.copies = copies
        self.objs = None
        _ALL_PROJECTS.add(self)
        h = hashlib.sha256()
        for part in (
            brian2.__version__,
            sim.n_neurons,
            sim.n_channels,
            sim.dt,
            sim.rule,
            learn,
            n_steps,
            n_times,
            copies,
        ):
            h.update(repr(part).encode())
        self.code_key = h.hexdigest()[:16]
        h.update(sim.pre.tobytes())
        h.update(sim.post.tobytes())
        self.key = h.hexdigest()[:16]
        root = os.path.join(cache_dir(), "standalone")
        self.directory = os.path.join(root, f"{self.code_key}-{self.key}")
        self.root = root

    def _seed_from_sibling(self):
        """Start from a copy of the most recent compiled project, if any.

        Projects differ in a few generated files only (sizes, durations,
        static data); the writer leaves unchanged sources untouched, so
        ``make`` recompiles just what changed (about a second instead of
        10-20 s).
        """
        if os.path.isdir(self.directory) or not os.path.isdir(self.root):
            return
        candidates = []
        for name in os.listdir(self.root):
            src = os.path.join(self.root, name)
            if os.path.isfile(os.path.join(src, "main")):
                same = name.startswith(self.code_key + "-")
                candidates.append((same, os.path.getmtime(os.path.join(src, "main")), src))
        if not candidates:
            return
        src = max(candidates)[2]
        try:
            shutil.copytree(
                src,
                self.directory,
                ignore=shutil.ignore_patterns("results*", "static_arrays", "*.lock"),
            )
        except OSError:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _prune(self, keep=MAX_PROJECTS):
        """Delete the least recently built projects beyond ``keep``."""
        try:
            entries = [os.path.join(self.root, n) for n in os.listdir(self.root)]
        except OSError:
            return
        dirs = [d for d in entries if os.path.isdir(d) and d != self.directory]
        dirs.sort(key=os.path.getmtime, reverse=True)
        for old in dirs[max(keep - 1, 0) :]:
            shutil.rmtree(old, ignore_errors=True)

    def build(self):
        import time

        sim = self.sim
        dev = all_devices["cpp_standalone"]
        previous = get_device()
        # The device holds one project at a time: forget every earlier one,
        # and let its objects die so that Brian2 gives the new objects the
        # same names (hence the same generated files, and make rebuilds
        # nothing). gc.freeze() (see RuntimeSimulator) would keep them alive.
        for project in list(_ALL_PROJECTS):
            project.objs = None
        _HELD["project"] = None
        if dev.code_objects or dev.has_been_run:
            dev.reinit()
        gc.unfreeze()
        gc.collect()
        os.makedirs(self.root, exist_ok=True)
        self._seed_from_sibling()
        self._prune()
        fresh = not os.path.isfile(os.path.join(self.directory, "main"))
        logger.info(
            "Building the cube's C++ standalone project in %s (%s)",
            self.directory,
            "first build: several seconds" if fresh else "cached code",
        )
        t0 = time.perf_counter()
        set_device("cpp_standalone", directory=self.directory, build_on_run=False)
        try:
            objs = _build(
                sim,
                self.n_steps,
                self.learn,
                None,
                "cube_sa",
                copies=self.copies,
            )
            objs["group"].seg_start = 0.0
            objs["group"].seg_len = float(self.n_times)
            objs["group"].win_start = 0.0
            objs["net"].run(self.n_steps * sim.dt * second, namespace={})
            dev.build(
                directory=self.directory,
                compile=True,
                run=False,
                with_output=False,
            )
        finally:
            set_device(previous)
        os.utime(self.directory)  # most recently used, for _prune
        logger.debug("Standalone build took %.1f s", time.perf_counter() - t0)
        self.objs = objs
        _HELD["project"] = self
        gc.freeze()

    def run(self, values, weights, params):
        """Run the binary on one chunk; return (neuron, abs step, weights)."""
        if _HELD["project"] is not self:
            self.build()
        objs = self.objs
        group, syn, mon, drive = (objs[k] for k in ("group", "syn", "monitor", "drive"))
        dev = all_devices["cpp_standalone"]
        run_args = {
            drive: values,
            group.v_th: params["threshold"],
            group.leak: params["leak"],
            group.n_ref: params["refractory"],
            group.decay: params["decay"],
        }
        has_syn = len(self.sim.pre) > 0
        if has_syn:
            run_args.update(
                {
                    syn.w: np.tile(np.asarray(weights, dtype=np.float64), self.copies),
                    syn.eta: params["eta"],
                    syn.a_minus: params["a_minus"],
                    syn.w_lo: params["w_min"],
                    syn.w_hi: params["w_max"],
                }
            )
        results = f"results_{os.getpid()}"
        results_path = os.path.join(self.directory, results)
        if results_path not in _PROJECT_DIRS:
            _PROJECT_DIRS.append(results_path)
        dev.run(
            directory=self.directory,
            results_directory=results,
            with_output=False,
            run_args=run_args,
        )
        i = np.asarray(mon.i[:], dtype=np.int64)
        steps = np.rint(np.asarray(mon.t_[:], dtype=np.float64) / self.sim.dt).astype(np.int64)
        new_w = np.array(syn.w[:], dtype=np.float64) if (self.learn and has_syn) else None
        try:
            dev.delete(code=False, data=False, run_args=True, directory=False)
        except OSError:  # pragma: no cover - best effort
            pass
        return i, steps, new_w


class StandaloneSimulator(_Simulator):
    """The cube as compiled C++ (Brian2's ``cpp_standalone`` device).

    A binary is built per (learning on/off, steps per run, cubes side by
    side) and re-run with new inputs and weights through ``run_args``;
    inference batches run :func:`copies_for` cubes side by side, cut into runs
    of whole rounds (at most :data:`STANDALONE_MAX_STEPS` steps, the last one
    padded with silent samples). Brian2's standalone device is process-global, so
    building another project (another cube, or learning vs inference) replaces
    the held one; switching back rebuilds, reusing the compiled code.
    """

    def _init_state(self) -> None:
        self._projects = {}

    def forget_stream(self) -> None:
        """Nothing to forget: standalone runs always start from rest."""

    def run(
        self, x: np.ndarray, *, learn: bool, reset: bool, weights: np.ndarray, params: dict
    ) -> _RunResult:
        """Simulate; see :meth:`neucube.cube.Cube.run`."""
        if not reset:
            raise ValueError("cpp_standalone cannot continue a stream (reset=False).")
        n_samples, n_ch, n_times = x.shape
        copies = copies_for(n_samples, learn, reset, self.target)
        n_rounds = -(-n_samples // copies)
        k = max(1, min(n_rounds, STANDALONE_MAX_STEPS // n_times))  # rounds per binary run
        key = (bool(learn), k, n_times, copies)
        project = self._projects.get(key)
        if project is None:
            project = self._projects[key] = _Project(
                self, bool(learn), k * n_times, n_times, copies
            )
        w = np.asarray(weights, dtype=np.float64)
        flat = side_by_side(x, copies)
        values = np.zeros((k * n_times, max(copies * n_ch, 1)))
        per_run = k * copies
        neurons, samples, steps = [], [], []
        for r0 in range(0, n_rounds, k):
            r1 = min(n_rounds, r0 + k)
            values[:] = 0
            if n_ch:
                values[: (r1 - r0) * n_times, : copies * n_ch] = flat[r0 * n_times : r1 * n_times]
            i, st, new_w = project.run(values, w, params)
            smp, step, neuron = from_side_by_side(
                i,
                st,
                n_neurons=self.n_neurons,
                n_times=n_times,
                copies=copies,
                n_samples=min(per_run, n_samples - r0 * copies),
            )
            neurons.append(neuron)
            samples.append(smp + r0 * copies)
            steps.append(step)
            if learn and new_w is not None:
                w = new_w
        cat = lambda parts: np.concatenate(parts) if parts else np.zeros(0, np.int64)  # noqa: E731
        new_weights = w.copy() if learn else None
        return cat(samples), cat(steps), cat(neurons), new_weights, 0
