"""Everything the desktop app computes, off the GUI thread (no Qt here).

The window never computes: it starts a :class:`PipelineWorker`, which runs in
a Python thread, and on a ``QTimer`` it pulls what the worker produced:

- :attr:`PipelineWorker.messages`, a :class:`queue.Queue` of
  :class:`Message` (``'ready'``, ``'frame'``, ``'alert'``, ``'trial'``,
  ``'status'``, ``'error'``, ``'finished'``), each ready to draw;
- :attr:`PipelineWorker.history`, the filtered EEG kept so far
  (:class:`History`, thread-safe), read for the scrolling view and for
  reviewing an alert.

Two kinds of model run:

``'seizure'`` (a :class:`~models.seizure.detector.SeizureDetector` file, e.g. the
shipped model)
    :class:`models.seizure.live.LivePipeline` on the source, window by window; its
    alerts go to the alert store (the same SQLite file as the CLI's).
``'trials'`` (a :class:`~models.classifier.NeuCubeClassifier` file, e.g. a
:class:`~models.trials.familiarity.FamiliarityClassifier`)
    the incoming data are epoched after each marker (the recording's
    annotations, or an LSL marker stream) and each epoch is classified
    (:class:`models.trials.live.TrialResult`, by
    :class:`models.trials.live.LiveTrialPipeline`).

Sources (:class:`SourceSpec`): the bundled seizure recording replayed as a
live LSL stream (:class:`acquisition.stream.FileReplay`, read back through
:class:`acquisition.stream.LSLSource`), any LSL stream by name, or a file
played in this process (:class:`acquisition.stream.ArraySource` paced at real time or
faster).

:class:`BackgroundTasks` runs the alert store's reads and writes (and the
re-reading of a file for review) in its own thread, so that a busy database
never freezes the window either.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from models.alerts import AlertStore
    from models.trials.live import TrialResult
    from neucube.cube import Cube, CubeActivity

logger = logging.getLogger("neucube.gui")

#: Source kinds of :class:`SourceSpec`.
SOURCE_KINDS = ("sample", "lsl", "file")
#: Model kinds (see :func:`models.io.peek_model`).
MODEL_KINDS = ("seizure", "trials")
#: Seconds of filtered EEG kept for review by default (30 min).
HISTORY_SECONDS = 1800.0


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class SourceSpec:
    """Where the app's EEG comes from.

    Parameters
    ----------
    kind : ``'sample'`` | ``'lsl'`` | ``'file'``
        ``'sample'``: the bundled CHB-MIT seizure recording
        (``sample_data.SEIZURE_EDF``, or ``path``) replayed as a live LSL
        stream in real time and read back through LSL, as a device would
        stream. ``'lsl'``: an LSL stream found by ``name``. ``'file'``: the
        recording at ``path`` played in this process at ``speed`` times real
        time (no network).
    name : str | None
        LSL stream name (``kind='lsl'``).
    path : path-like | None
        The recording (``kind='file'``; for ``'sample'``, another file to
        replay through LSL).
    speed : float | None
        ``kind='file'``: replay speed (1: real time; None: as fast as the
        model computes).
    markers : str | None
        Name of an LSL marker stream (string markers) whose markers start the
        trials of a trial classifier (``kind='lsl'``). For files the
        recording's annotations are the markers.
    duration : float | None
        Play only the first ``duration`` seconds (``'sample'`` and
        ``'file'``).
    source_id : str | None
        LSL source id (``kind='lsl'``), to tell apart streams of one name.
    """

    kind: str = "sample"
    name: str | None = None
    path: str | None = None
    speed: float | None = 1.0
    markers: str | None = None
    duration: float | None = None
    source_id: str | None = None

    def check(self) -> SourceSpec:
        """Validate the fields.

        Returns
        -------
        self : SourceSpec
            The spec.

        Raises
        ------
        ValueError
            Naming the field, the allowed values and the value given.
        """
        if self.kind not in SOURCE_KINDS:
            raise ValueError(
                f"Invalid source kind {self.kind!r}: allowed values are 'sample', 'lsl' and 'file'."
            )
        if self.kind == "lsl" and not (self.name or self.source_id):
            raise ValueError("An LSL source needs the stream's name (e.g. 'EEG'); none was given.")
        if self.kind == "file":
            if not self.path:
                raise ValueError("A file source needs a path; none was given.")
            if not Path(self.path).expanduser().is_file():
                raise FileNotFoundError(f"No recording at {self.path}. Choose an existing file.")
        if self.speed is not None and not (self.speed > 0):
            raise ValueError(
                f"speed must be positive or None (as fast as possible), got {self.speed!r}."
            )
        if self.duration is not None and not (self.duration > 0):
            raise ValueError(f"duration must be positive or None, got {self.duration!r}.")
        return self

    def describe(self) -> str:
        """Return a short human-readable description (str)."""
        if self.kind == "sample":
            return f"sample replay via LSL ({Path(self.path).name if self.path else 'CHB-MIT chb01_03'})"
        if self.kind == "lsl":
            extra = f", markers {self.markers!r}" if self.markers else ""
            return f"LSL stream {self.name or self.source_id!r}{extra}"
        speed = "max speed" if self.speed is None else f"{self.speed:g}x"
        return f"file {Path(self.path).name} ({speed})"


# ---------------------------------------------------------------------------
# What the window draws
# ---------------------------------------------------------------------------


@dataclasses.dataclass(eq=False)
class CubeGeometry:
    """The cube as drawn: neuron positions, input labels, strongest connections.

    Attributes
    ----------
    positions : ndarray, shape (n_neurons + n_inputs, 3)
        Positions in mm: reservoir neurons, then the two input neurons of each
        channel (positive, negative) at its electrode's place.
    n_neurons : int
        Reservoir neurons.
    ch_names : list of str
        Input channels.
    input_index : ndarray of int, shape (n_channels,)
        The reservoir neuron each channel's electrode maps to.
    pre, post : ndarray of int, shape (n_kept,)
        Endpoints (indices into ``positions``) of the strongest connections,
        strongest (largest ``|weight|``) first.
    weights : ndarray, shape (n_kept,)
        Their weights.
    """

    positions: np.ndarray
    n_neurons: int
    ch_names: list
    input_index: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    weights: np.ndarray

    @classmethod
    def from_cube(cls, cube: Cube, max_connections: int = 3000) -> CubeGeometry:
        """Take what is drawn from a cube.

        Parameters
        ----------
        cube : neucube.cube.Cube
            The cube.
        max_connections : int
            Keep at most this many connections (the strongest).

        Returns
        -------
        geometry : CubeGeometry
            The geometry.
        """
        from neucube.analysis import strongest_connections

        conn = strongest_connections(cube, n=max_connections)
        ch_names = list(cube.ch_names or [f"ch{i}" for i in range(cube.n_channels)])
        return cls(
            positions=np.asarray(cube.positions, dtype=float),
            n_neurons=int(cube.n_neurons),
            ch_names=ch_names,
            input_index=np.asarray(cube.input_index),
            pre=np.asarray(conn.pre),
            post=np.asarray(conn.post),
            weights=np.asarray(conn.weights, dtype=float),
        )

    @property
    def n_total(self) -> int:
        """int: Reservoir and input neurons."""
        return len(self.positions)

    @property
    def label_positions(self) -> np.ndarray:
        """ndarray, shape (n_channels, 3): Where each channel's input neurons sit."""
        return self.positions[self.n_neurons :: 2]

    def default_threshold(self, n: int = 300) -> float:
        """Return a weight threshold that shows about ``n`` connections (float)."""
        if self.weights.size == 0:
            return 0.0
        mags = np.abs(self.weights)
        return float(mags[min(n, mags.size) - 1])

    def connections(self, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the kept connections with ``|weight| >= threshold``.

        Parameters
        ----------
        threshold : float
            Weight magnitude threshold.

        Returns
        -------
        pre, post : ndarray of int
        weights : ndarray
        """
        keep = np.abs(self.weights) >= threshold
        return self.pre[keep], self.post[keep], self.weights[keep]


@dataclasses.dataclass(eq=False)
class Frame:
    """One window (or trial) of the pipeline, ready to draw.

    Attributes
    ----------
    index : int
        Window or trial number.
    onset, duration : float
        The window in seconds of stream.
    proba : float | None
        Seizure probability (or the trial's confidence).
    positive : bool
        Above the detector's threshold.
    ticks : tuple of 4 ndarray
        ``(pos_x, pos_y, neg_x, neg_y)``: the encoder's positive and negative
        spikes as vertical ticks (pairs of points, for ``connect='pairs'``),
        x in seconds of stream, y in channel rows (row 0 at the bottom is the
        last channel).
    cube_image : ndarray of uint8, shape (n_bins, n_neurons) | None
        Reservoir spikes per time bin (``bin_s`` seconds) and neuron.
    bin_s : float
        Width of a ``cube_image`` bin, seconds.
    light : ndarray of uint8, shape (n_frames, n_total) | None
        Spikes of every neuron (reservoir, then inputs) per playback frame of
        ``light_dt`` seconds, over the part of the window played back (the
        new part: the last hop for sliding windows, all of a trial).
    light_dt : float
        Seconds per playback frame.
    n_spikes : int
        Reservoir spikes in the window.
    trial : models.trials.live.TrialResult | None
        The trial's result (trial models).
    """

    index: int
    onset: float
    duration: float
    proba: float | None
    positive: bool
    ticks: tuple
    cube_image: np.ndarray | None
    bin_s: float
    light: np.ndarray | None
    light_dt: float
    n_spikes: int = 0
    trial: object = None

    @property
    def end(self) -> float:
        """float: ``onset + duration``."""
        return self.onset + self.duration


def spike_ticks(
    spikes: np.ndarray, onset: float, sfreq: float, height: float = 0.3
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Turn encoder spikes into vertical ticks for a raster.

    Parameters
    ----------
    spikes : ndarray of int, shape (n_channels, n_times)
        +1, -1 or 0.
    onset : float
        Time of the first column, seconds.
    sfreq : float
        Columns per second.
    height : float
        Tick height in rows.

    Returns
    -------
    pos_x, pos_y, neg_x, neg_y : ndarray
        Pairs of points (one pair per tick): positive spikes above the
        channel's row centre, negative ones below it. Row of channel ``c`` is
        ``n_channels - 1 - c`` (first channel on top).
    """
    n_ch = spikes.shape[0]
    out = []
    for sign, centre in ((1, 0.2), (-1, -0.2)):
        ch, t = np.nonzero(spikes == sign)
        x = onset + t / sfreq
        y = (n_ch - 1 - ch) + centre
        out.append(np.repeat(x, 2))
        out.append(np.column_stack([y - height / 2, y + height / 2]).ravel())
    return tuple(out)


def make_frame(
    index: int,
    onset: float,
    duration: float,
    sfreq: float,
    spikes: np.ndarray | None,
    activity: CubeActivity | None,
    geometry: CubeGeometry | None,
    *,
    play_from: float = 0.0,
    proba: float | None = None,
    positive: bool = False,
    trial: TrialResult | None = None,
    bin_s: float = 1 / 64,
    light_dt: float = 0.05,
) -> Frame:
    """Turn one window's spikes into a :class:`Frame` (in the worker thread).

    Parameters
    ----------
    index : int
        Window number.
    onset, duration : float
        The window, seconds of stream.
    sfreq : float
        Steps per second.
    spikes : ndarray of int8, shape (n_channels, n_times) | None
        The encoder's spikes (the cube's input).
    activity : neucube.cube.CubeActivity | None
        The cube's spikes on the window (sample 0).
    geometry : CubeGeometry | None
        The cube drawn.
    play_from : float
        Seconds into the window where playback of the lighting starts.
    proba : float | None
    positive : bool
    trial : models.trials.live.TrialResult | None
    bin_s : float
        Raster bin width, seconds.
    light_dt : float
        Playback frame, seconds.

    Returns
    -------
    frame : Frame
        The frame.
    """
    if spikes is not None:
        ticks = spike_ticks(np.asarray(spikes), onset, sfreq)
    else:
        ticks = tuple(np.empty(0) for _ in range(4))
    cube_image = light = None
    n_spikes = 0
    n_times = int(round(duration * sfreq))
    if activity is not None:
        neuron, step = activity.spikes(0)
        n_spikes = int(neuron.size)
        n_neurons = int(activity.n_neurons)
        bin_steps = max(1, int(round(bin_s * sfreq)))
        n_bins = max(1, -(-n_times // bin_steps))
        flat = np.minimum(step // bin_steps, n_bins - 1).astype(np.int64) * n_neurons + neuron
        counts = np.bincount(flat, minlength=n_bins * n_neurons).reshape(n_bins, n_neurons)
        cube_image = np.minimum(counts, 255).astype(np.uint8)
        bin_s = bin_steps / sfreq
    if geometry is not None:
        first = int(round(play_from * sfreq))
        frame_steps = max(1, int(round(light_dt * sfreq)))
        n_frames = max(1, -(-(n_times - first) // frame_steps))
        n_total = geometry.n_total
        idx, fr = [], []
        if activity is not None:
            neuron, step = activity.spikes(0)
            keep = step >= first
            idx.append(neuron[keep].astype(np.int64))
            fr.append((step[keep] - first) // frame_steps)
        if spikes is not None:
            ch, t = np.nonzero(np.asarray(spikes)[:, first:])
            sign = np.asarray(spikes)[:, first:][ch, t]
            idx.append(geometry.n_neurons + 2 * ch.astype(np.int64) + (sign < 0))
            fr.append(t // frame_steps)
        light = np.zeros((n_frames, n_total), dtype=np.uint8)
        if idx:
            i = np.concatenate(idx)
            f = np.minimum(np.concatenate(fr), n_frames - 1).astype(np.int64)
            ok = i < n_total
            counts = np.bincount(f[ok] * n_total + i[ok], minlength=n_frames * n_total)
            light = np.minimum(counts.reshape(n_frames, n_total), 255).astype(np.uint8)
        light_dt = frame_steps / sfreq
    return Frame(
        index=index,
        onset=onset,
        duration=duration,
        proba=proba,
        positive=positive,
        ticks=ticks,
        cube_image=cube_image,
        bin_s=bin_s,
        light=light,
        light_dt=light_dt,
        n_spikes=n_spikes,
        trial=trial,
    )


class History:
    """Filtered EEG of the session, for the scrolling view and for review.

    A ring buffer indexed by sample number from the stream's first sample;
    written by the worker, read by the window (copies under a lock held only
    for the copy).

    Parameters
    ----------
    ch_names : list of str
        Channels (rows).
    sfreq : float
        Sampling rate, Hz.
    seconds : float
        How much is kept (older samples are forgotten).
    """

    def __init__(self, ch_names, sfreq, seconds=HISTORY_SECONDS):
        from acquisition.stream import RingBuffer

        self.ch_names = list(ch_names)
        self.sfreq = float(sfreq)
        self._ring = RingBuffer(len(self.ch_names), max(1, int(round(seconds * self.sfreq))))

    def __repr__(self):
        return f"<History | {len(self.ch_names)} channels, {self.total / self.sfreq:.1f} s>"

    @property
    def capacity(self) -> int:
        """int: Samples kept at most."""
        return self._ring.capacity

    @property
    def total(self) -> int:
        """int: Samples received so far."""
        return self._ring.total

    @property
    def seconds(self) -> float:
        """float: Seconds received so far."""
        return self.total / self.sfreq

    @property
    def first(self) -> int:
        """int: The oldest sample still kept."""
        return self._ring.first

    def append(self, x: np.ndarray) -> None:
        """Add the next samples.

        Parameters
        ----------
        x : ndarray, shape (n_channels, n_times)
            Filtered EEG, µV.
        """
        x = np.asarray(x, dtype=float)
        if x.shape[1]:
            self._ring.append(x)

    def segment(self, start: int, stop: int) -> tuple[int, np.ndarray]:
        """Return samples ``start`` to ``stop`` (clipped to what is kept).

        Parameters
        ----------
        start, stop : int
            Sample numbers from the stream's first sample.

        Returns
        -------
        start : int
            The first sample returned.
        data : ndarray, shape (n_channels, n)
            A copy.
        """
        return self._ring.segment(int(start), int(stop))

    def tail(self, seconds: float) -> tuple[int, np.ndarray]:
        """Return the most recent ``seconds``.

        Parameters
        ----------
        seconds : float
            How much, in seconds.

        Returns
        -------
        start : int
            The first sample returned.
        data : ndarray, shape (n_channels, n)
        """
        return self._ring.tail(int(round(seconds * self.sfreq)))

    def times(self, seconds_from: float, seconds_to: float) -> tuple[int, np.ndarray]:
        """Return the samples between two times (seconds from the stream's start), see :meth:`segment`."""
        return self.segment(
            int(math.floor(seconds_from * self.sfreq)), int(math.ceil(seconds_to * self.sfreq))
        )


# ---------------------------------------------------------------------------
# Montages: what the EEG page can show, as linear maps (computed here, drawn there)
# ---------------------------------------------------------------------------

#: The 10-20 electrodes of a referential view, in the order it lists them:
#: the left chains, the midline, the right chains (10-10 names, ``T7`` for
#: ``T3``).
REFERENTIAL_ORDER = (
    "Fp1", "F3", "C3", "P3", "O1", "F7", "T7", "P7",
    "Fz", "Cz", "Pz",
    "Fp2", "F4", "C4", "P4", "O2", "F8", "T8", "P8",
)  # fmt: skip


@dataclasses.dataclass(frozen=True, eq=False)
class Montage:
    """One way to lay out the EEG page: rows derived linearly from input channels.

    Parameters
    ----------
    name : str
        What the montage selector shows (``'Bipolar (model)'``,
        ``'Referential'``, ``'Common average'``).
    ch_names : tuple of str
        The rows shown, top to bottom.
    inputs : tuple of str
        The input channels the rows are computed from (a subset of the
        channels given to the page).
    matrix : ndarray, shape (n_rows, n_inputs) | None
        Row ``i`` is ``matrix[i] @ data[inputs]``; None: row ``i`` is input
        ``i`` as it is (a pick).
    description : str
        A sentence for the selector's tooltip.
    available : bool
        Whether the recording allows it (an unavailable montage is listed,
        disabled, with ``reason`` as its tooltip).
    reason : str
        Why it is not available.
    """

    name: str
    ch_names: tuple
    inputs: tuple
    matrix: np.ndarray | None = None
    description: str = ""
    available: bool = True
    reason: str = ""

    @classmethod
    def pick(cls, ch_names, name="As recorded", description="") -> Montage:
        """Return the montage that shows channels as they are.

        Parameters
        ----------
        ch_names : list of str
            The channels, in the order shown.
        name : str
            Its name.
        description : str
            Its tooltip.

        Returns
        -------
        montage : Montage
            The pick.
        """
        names = tuple(ch_names)
        return cls(name, names, names, None, description)

    @classmethod
    def unavailable(cls, name, reason) -> Montage:
        """Return a montage listed as not derivable, with the reason (its tooltip)."""
        return cls(name, (), (), None, "", available=False, reason=reason)

    def apply(self, ch_names, data: np.ndarray) -> np.ndarray:
        """Compute the rows from input data.

        Parameters
        ----------
        ch_names : list of str
            The names of the rows of ``data``; must hold :attr:`inputs`.
        data : ndarray, shape (n_channels, n_times)
            The input channels.

        Returns
        -------
        rows : ndarray, shape (len(ch_names), n_times)
            The montage's rows.
        """
        index = {c: i for i, c in enumerate(ch_names)}
        missing = [c for c in self.inputs if c not in index]
        if missing:
            raise ValueError(
                f"The montage {self.name!r} reads channels the data lack: {missing}. "
                f"The data hold {list(ch_names)}."
            )
        rows = [index[c] for c in self.inputs]
        x = data if rows == list(range(data.shape[0])) else data[rows]  # no copy when all
        return x if self.matrix is None else self.matrix @ x


def _identity_raw(names):
    import mne

    info = mne.create_info(list(names), 1000.0, "eeg")
    return mne.io.RawArray(np.eye(len(names)), info, verbose="error")


def referential_electrodes(ch_names, *, all_electrodes=False) -> list[str]:
    """Return the channels that are one electrode against the recording's reference.

    Parameters
    ----------
    ch_names : list of str
        Channel names (canonical, as :func:`acquisition.read_raw` leaves
        them, or in any spelling :func:`acquisition.parse_channel_name`
        reads).

    Returns
    -------
    names : list of str
        The monopolar channels, as named in ``ch_names``: the 10-20
        electrodes in :data:`REFERENTIAL_ORDER` when at least two are there,
        else every monopolar channel in its order. Empty for a bipolar
        recording (CHB-MIT's ``'Fp1-F7'`` ...).
    all_electrodes : bool
        Return every monopolar channel, in its order, 10-20 or not.
    """
    from acquisition import parse_channel_name

    mono = {}
    for name in ch_names:
        try:
            label = parse_channel_name(name)
        except ValueError:
            continue
        if label.kind == "monopolar" and label.duplicate == 0:
            mono.setdefault(label.electrodes[0], name)
    ordered = [mono[e] for e in REFERENTIAL_ORDER if e in mono]
    if len(ordered) >= 2 and not all_electrodes:
        return ordered
    return list(mono.values()) if len(mono) >= 2 else []


def _not_referential_reason(ch_names):
    from acquisition import parse_channel_name

    for name in ch_names:
        try:
            if parse_channel_name(name).kind == "bipolar":
                return (
                    f"The recording is bipolar (e.g. {name}): each channel is already the "
                    "difference of two electrodes, and the electrodes against a common "
                    "reference were not recorded, so no referential view can be derived."
                )
        except ValueError:
            continue
    return (
        "No two channels of the recording are 10-20 electrodes against a common "
        "reference, so no referential view can be derived."
    )


def build_montages(
    ch_names, model_ch_names=None, *, recorded=None, reason=None, extra=()
) -> list[Montage]:
    """Return the montages the EEG page can offer for these channels.

    The model's montage (the channels the model reads, in its order) comes
    first; then, where monopolar electrodes are among the channels, the
    referential montage (each electrode against the recording's reference),
    the common average (each electrode minus the mean of them all) and, when
    the model's own montage is not bipolar, CHB-MIT's longitudinal bipolar
    ("double banana") pairs that the electrodes allow. Without electrodes the
    referential and average montages are listed as unavailable, with the
    reason. The derivations are MNE's (:func:`mne.set_eeg_reference`,
    :func:`mne.set_bipolar_reference` through :func:`acquisition.to_bipolar`)
    run once on an identity matrix, so each montage is a matrix applied to
    the samples drawn.

    Parameters
    ----------
    ch_names : list of str
        Every input channel the page is given (the model's, then any
        recorded electrodes).
    model_ch_names : list of str | None
        The channels the model reads (None: all of ``ch_names``).
    recorded : list of str | None
        The recording's own channel names, for the reason given when no
        referential view can be derived (None: ``ch_names``).
    reason : str | None
        That reason, when known better than from the names (None: from the
        names).
    extra : sequence of Montage
        Further montages, appended.

    Returns
    -------
    montages : list of Montage
        In the order offered.
    """
    from acquisition import CHBMIT_BIPOLAR, bipolar_names, parse_channel_name, to_bipolar

    ch_names = list(ch_names)
    model = list(ch_names if model_ch_names is None else model_ch_names)
    kinds = set()
    for name in model:
        try:
            kinds.add(parse_channel_name(name).kind)
        except ValueError:
            kinds.add(None)
    model_kind = kinds.pop() if len(kinds) == 1 else None
    n = len(model)
    if model_kind == "bipolar":
        first = Montage.pick(
            model, "Bipolar (model)", f"The {n} bipolar channels the model reads, in its order."
        )
    elif model_kind == "monopolar":
        first = Montage.pick(
            model,
            "Referential (model)",
            f"The {n} channels the model reads, each electrode against the recording's reference.",
        )
    else:
        first = Montage.pick(model, "Model channels", f"The {n} channels the model reads.")
    montages = [first]
    if model_kind == "monopolar":  # the model's electrodes, all of them
        electrodes = referential_electrodes(model, all_electrodes=True)
    else:  # the recorded electrodes given besides the model's channels
        electrodes = referential_electrodes([c for c in ch_names if c not in model])
    if len(electrodes) < 2:
        if reason is None:
            reason = _not_referential_reason(recorded if recorded is not None else ch_names)
        if model_kind != "monopolar":
            montages.append(Montage.unavailable("Referential", reason))
        montages.append(Montage.unavailable("Common average", reason))
        return montages + list(extra)
    import mne

    if model_kind != "monopolar":
        montages.append(
            Montage.pick(
                electrodes,
                "Referential",
                f"{len(electrodes)} electrodes, each against the recording's reference.",
            )
        )
    eye = _identity_raw(electrodes)
    car, _ = mne.set_eeg_reference(eye, "average", projection=False, copy=True, verbose="error")
    montages.append(
        Montage(
            "Common average",
            tuple(electrodes),
            tuple(electrodes),
            car.get_data(),
            f"{len(electrodes)} electrodes, each minus the mean of the {len(electrodes)}.",
        )
    )
    if model_kind != "bipolar":
        have = {parse_channel_name(e).electrodes[0] for e in electrodes}
        pairs = [p for p in CHBMIT_BIPOLAR if p[0] in have and p[1] in have]
        if pairs:
            bip = to_bipolar(eye, pairs)
            montages.append(
                Montage(
                    "Bipolar (double banana)",
                    tuple(bipolar_names(pairs)),
                    tuple(electrodes),
                    bip.get_data(),
                    f"{len(pairs)} longitudinal bipolar pairs (CHB-MIT's) of the electrodes.",
                )
            )
    return montages + list(extra)


class _SourceTee:
    """A source that also keeps the recorded electrodes, filtered as the model's channels.

    Stands for the pipeline's source (every attribute is the source's); each
    :meth:`pull` also hands the monopolar electrodes (µV) through the
    model's resampling and filter into a :class:`History`, so the EEG page
    can show them against the recording's reference (or their average) on
    the same time axis as the model's channels.
    """

    def __init__(self, source, detector, seconds, factory=None):
        self._src = source
        self._det = detector
        self._seconds = float(seconds)
        self._factory = factory or History
        self.history = None
        self.electrodes = []
        self._rows = []
        self._resampler = self._filter = self._last = None

    def __getattr__(self, name):
        return getattr(self._src, name)

    def plan(self):
        """Choose the electrodes (after the source connected); returns their names."""
        from acquisition import OnlineFilter, OnlineResampler, standardize_channel_names

        names = list(self._src.ch_names)
        canon, _ = standardize_channel_names(names)
        electrodes = referential_electrodes(canon)
        if not electrodes:
            return []
        self._rows = [canon.index(e) for e in electrodes]
        self.electrodes = electrodes
        det = self._det
        sfreq = float(self._src.sfreq)
        if abs(sfreq - float(det.sfreq)) > 1e-6:
            self._resampler = OnlineResampler(sfreq, float(det.sfreq))
        self._filter = OnlineFilter(
            float(det.sfreq), l_freq=det.l_freq, h_freq=det.h_freq, notch=det.notch
        )
        self.history = self._factory(electrodes, float(det.sfreq), self._seconds)
        return electrodes

    def pull(self, *args, **kwargs):
        data, stamps = self._src.pull(*args, **kwargs)
        if self.history is not None and data.shape[1]:
            try:
                self._keep(data)
            except Exception:  # the display's copy never stops the model
                logger.exception("The recorded electrodes cannot be kept for display.")
                self.history = None
        return data, stamps

    def _keep(self, data):
        x = np.array(data[self._rows], dtype=np.float64) * 1e6
        bad = ~np.isfinite(x)
        if bad.any():  # hold the last good value, as the pipeline does
            last = self._last if self._last is not None else np.zeros(x.shape[0])
            for ch in np.flatnonzero(bad.any(axis=1)):
                row = x[ch]
                for t in np.flatnonzero(bad[ch]):
                    row[t] = last[ch] if t == 0 else row[t - 1]
        self._last = x[:, -1].copy()
        if self._resampler is not None:
            x, _ = self._resampler.process(x)
        if x.shape[1]:
            self.history.append(self._filter.filter(x))


def filter_text(l_freq, h_freq, notch) -> str:
    """Describe filters the way EEG readers label them.

    Parameters
    ----------
    l_freq, h_freq : float | None
        High-pass and low-pass edges, Hz (None: none).
    notch : float | sequence of float | None
        Notch frequencies, Hz.

    Returns
    -------
    text : str
        E.g. ``'HP 0.5 Hz · LP 40 Hz · notch 60 Hz'`` (``'no filter'`` when
        all are None).
    """
    parts = []
    if l_freq:
        parts.append(f"HP {float(l_freq):g} Hz")
    if h_freq:
        parts.append(f"LP {float(h_freq):g} Hz")
    if notch is not None and not isinstance(notch, int | float):
        notch = [float(f) for f in notch]
        if notch:
            parts.append("notch " + ", ".join(f"{f:g}" for f in notch) + " Hz")
    elif notch:
        parts.append(f"notch {float(notch):g} Hz")
    return " · ".join(parts) if parts else "no filter"


@dataclasses.dataclass
class Message:
    """What the worker tells the window.

    Attributes
    ----------
    kind : str
        ``'ready'`` (a dict: ``mode``, ``ch_names``, ``sfreq``, ``threshold``,
        ``window``, ``hop``, ``recording``, ``model``, ``classes``,
        ``geometry``, ``source``, ``published`` (the LSL streams' names,
        see ``publish``, or None); for the EEG page ``eeg_channels`` (the
        model's channels, then ``source_ch_names``, the recorded electrodes
        kept in ``source_history``), ``montages`` (list of :class:`Montage`)
        and ``filters`` (``l_freq``, ``h_freq``, ``notch``)), ``'frame'`` (:class:`Frame`),
        ``'alert'`` (:class:`models.alerts.Alert`, as raised),
        ``'alert_update'`` (the same alert with its event grown, or closed at
        its final extent), ``'trial'`` (:class:`models.trials.live.TrialResult`),
        ``'status'`` (dict), ``'error'`` (str), ``'finished'`` (dict: the
        summary).
    payload : object
    """

    kind: str
    payload: object = None


# ---------------------------------------------------------------------------
# The worker
# ---------------------------------------------------------------------------


class _Stopped(Exception):
    pass


def import_in_main_thread() -> None:
    """Import what must be imported in the main thread, before a worker runs.

    Brian2 installs a ``SIGINT`` handler when it is imported, which Python
    allows only in the main thread: importing it first in the worker thread
    fails. Call this from the main thread (the window does, before it shows;
    :meth:`PipelineWorker.start` does when called from the main thread).
    Takes about 1.5 s the first time, nothing afterwards.
    """
    import sys

    if "brian2" in sys.modules:
        return
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError(
            "Brian2 must first be imported in the main thread (it installs a signal "
            "handler): call gui.worker.import_in_main_thread() there before starting a "
            "PipelineWorker."
        )
    import brian2  # noqa: F401


class PipelineWorker:
    """Run a model on a source in a background thread, for the window.

    Parameters
    ----------
    source : SourceSpec
        Where the EEG comes from.
    model : path-like | None
        Model file (None: the shipped seizure model). Its kind decides the
        mode (see :func:`models.io.peek_model`).
    db : path-like | None | False
        Alert store for seizure alerts: a path, None for the user's default
        store (the CLI's), False for none.
    history_seconds : float
        Seconds of filtered EEG kept for review.
    status_interval : float
        Seconds between two status messages.
    trial_seconds : float
        Epoch length after each marker for a plain ``NeuCubeClassifier``
        (a ``FamiliarityClassifier`` knows its own window).
    display_band : tuple of float
        Band-pass of the EEG shown in trial mode (the classifier gets the
        unfiltered epochs, as it was trained).
    publish : bool | models.outlets.PredictionOutlets
        Publish what the pipeline computes as LSL streams on this machine
        (see :mod:`models.outlets`): True opens outlets named after the
        source (``"<source>-neucube-proba"`` and ``"<source>-neucube-alerts"``
        or ``"-trials"``) for the run and closes them after it; given outlets
        are used and stay the caller's.

    Attributes
    ----------
    messages : queue.Queue of Message
        What the window pulls.
    history : History | None
        The session's filtered EEG (set before the ``'ready'`` message).
    source_history : History | None
        The recorded electrodes (a monopolar source under a bipolar model),
        filtered as the model's channels, for the EEG page's referential
        montages; None when the source has none.
    state : str
        ``'idle'``, ``'starting'``, ``'running'``, ``'finished'``,
        ``'stopped'`` or ``'error'``.
    pipeline : models.seizure.live.LivePipeline | None
        The live pipeline (seizure mode).
    loaded : models.io.LoadedModel | None
        The model.
    outlets : models.outlets.PredictionOutlets | None
        The LSL outlets of this run, once the pipeline is built.
    """

    def __init__(
        self,
        source,
        model=None,
        db=None,
        *,
        history_seconds=HISTORY_SECONDS,
        status_interval=0.25,
        trial_seconds=1.0,
        display_band=(0.5, 40.0),
        publish=False,
    ):
        if not isinstance(source, SourceSpec):
            raise TypeError(f"source must be a SourceSpec, got {type(source).__name__}.")
        self.spec = source.check()
        self.model_path = model
        self.db = db
        self.history_seconds = float(history_seconds)
        self.status_interval = float(status_interval)
        self.trial_seconds = float(trial_seconds)
        self.display_band = display_band
        self.messages = queue.Queue()
        self.history = None
        self.state = "idle"
        self.pipeline = None
        self.loaded = None
        self.recording = None
        self.error = None
        self._stop = threading.Event()
        self._thread = None
        self.history_factory = History
        self.source_history = None
        self.source_history_factory = History
        self._source = None
        self._replay = None
        self._markers = None
        self.publish = publish
        self.outlets = None

    def __repr__(self):
        return f"<PipelineWorker | {self.spec.describe()}, {self.state}>"

    # -- control ----------------------------------------------------------------

    def start(self) -> PipelineWorker:
        """Start the thread (returns at once).

        Returns
        -------
        self : PipelineWorker
            The worker, starting.
        """
        if self._thread is not None:
            raise RuntimeError("This worker was started already; make a new one to run again.")
        import_in_main_thread()
        self.state = "starting"
        self._thread = threading.Thread(target=self._main, name="neucube-gui-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the thread to stop (returns at once; it cleans up by itself)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end.

        Parameters
        ----------
        timeout : float | None
            Seconds to wait.

        Returns
        -------
        ended : bool
            Whether it has ended.
        """
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        """bool: Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _post(self, kind, payload=None):
        self.messages.put(Message(kind, payload))

    def _check_stop(self):
        if self._stop.is_set():
            raise _Stopped()

    # -- thread ---------------------------------------------------------------------

    def _main(self):
        summary = {}
        try:
            from models.io import read_model

            self.loaded = read_model(self.model_path, cache=True)
            self._check_stop()
            if self.loaded.kind == "seizure":
                summary = self._run_seizure()
            else:
                summary = self._run_trials()
            self.state = "stopped" if self._stop.is_set() else "finished"
        except _Stopped:
            self.state = "stopped"
        except Exception as err:
            self.state = "error"
            self.error = f"{type(err).__name__}: {err}" if not str(err) else str(err)
            logger.exception("The app's pipeline stopped on an error.")
            self._post("error", self.error)
        finally:
            self._cleanup()
            summary = dict(summary or {})
            summary["state"] = self.state
            self._post("finished", summary)

    def _cleanup(self):
        if self.pipeline is not None:
            try:
                self.pipeline.close()
            except Exception:  # pragma: no cover - teardown
                logger.debug("pipeline.close failed", exc_info=True)
        if self._markers is not None:
            self._markers.close()
        if self.outlets is not None and self.publish is True:
            self.outlets.close()  # ours: the streams end with the run
        if self._source is not None:
            try:
                self._source.close()
            except Exception:  # pragma: no cover - teardown
                logger.debug("source.close failed", exc_info=True)
        if self._replay is not None:
            try:
                self._replay.stop()
            except Exception:  # pragma: no cover - teardown
                logger.debug("replay.stop failed", exc_info=True)

    def _read_recording(self):
        from acquisition import read_raw

        spec = self.spec
        path = spec.path
        if path is None:
            from sample_data import SEIZURE_EDF

            path = SEIZURE_EDF
        path = Path(path).expanduser().resolve()
        raw = read_raw(path)
        if spec.duration is not None and spec.duration < raw.n_times / raw.info["sfreq"]:
            raw = raw.copy().crop(0, float(spec.duration), include_tmax=False)
        return raw, path

    def _open_source(self):
        """Make the source (not connected); returns (source, raw or None, recording id)."""
        from acquisition.stream import ArraySource, FileReplay, LSLSource

        spec = self.spec
        if spec.kind == "lsl":
            self._source = LSLSource(spec.name, source_id=spec.source_id, stall_timeout=1.0)
            return self._source, None, None
        raw, path = self._read_recording()
        if spec.kind == "file":
            self._source = ArraySource(raw, chunk_size=16, speed=spec.speed)
            return self._source, raw, str(path)
        self._replay = FileReplay(raw, chunk_size=16, process=True)
        self._source = LSLSource(
            self._replay.name,
            source_id=self._replay.source_id,
            stamp_lead=self._replay.stamp_lead,
            stall_timeout=1.0,
        )
        return self._source, raw, str(path)

    def _connect(self):
        """Start the replay (if any) and connect the source."""
        if self._replay is not None:
            self._replay.start()
        self._check_stop()
        self._source.connect()

    def _open_outlets(self, source, classes=None):
        """Return the LSL outlets predictions are published on (None unless ``publish``)."""
        if self.publish is False or self.publish is None:
            return None
        if self.publish is not True:
            self.outlets = self.publish  # given outlets stay the caller's
            return self.outlets
        from models.outlets import PredictionOutlets

        name = getattr(source, "name", None) or self.spec.name or "neucube"
        self.outlets = PredictionOutlets(name, classes=classes)
        logger.info(
            "Publishing on LSL: %r (type Prediction) and %r (type Markers).",
            self.outlets.proba_name,
            self.outlets.marker_name,
        )
        return self.outlets

    def _finished_source(self):
        if self._replay is not None:
            return self._replay.delivered(self._source)
        return bool(getattr(self._source, "ended", False))

    def _status(self, extra):
        src = self._source
        st = src.status().to_dict() if hasattr(src, "status") else {"state": "connected"}
        st.update(extra)
        st["source"] = self.spec.describe()
        return st

    def _page_info(self, tee, model_ch_names, filters):
        """Return what the EEG page is told at 'ready': channels, montages, filters."""
        electrodes = []
        recorded = None
        if tee is not None:
            try:
                recorded = list(tee.ch_names)
                electrodes = tee.plan()
            except Exception:  # the page then offers the model's channels only
                logger.exception("The recorded electrodes cannot be kept for display.")
                electrodes = []
            self.source_history = tee.history if electrodes else None
        channels = model_ch_names + electrodes
        try:
            montages = build_montages(channels, model_ch_names, recorded=recorded)
        except Exception:
            logger.exception("No montage but the model's can be derived for display.")
            montages = [Montage.pick(model_ch_names, "Model channels")]
        return {
            "eeg_channels": channels,
            "source_ch_names": list(electrodes),
            "source_history": self.source_history,
            "montages": montages,
            "filters": tuple(filters),
        }

    # -- seizure mode -----------------------------------------------------------------

    def _run_seizure(self):
        from models.io import model_identity
        from models.seizure.live import LivePipeline

        det = self.loaded.model
        source, raw, recording = self._open_source()
        self.recording = recording
        store = self.db
        if store is None:
            from models.alerts import default_db_path

            store = default_db_path()
            store.parent.mkdir(parents=True, exist_ok=True)
        elif store is False:
            store = None
        model_id, model_version = model_identity(det, self.loaded.path)
        self._check_stop()
        tee = _SourceTee(source, det, self.history_seconds, self.source_history_factory)
        # builds the pipeline and the cube's network before the stream starts
        self.pipeline = pipe = LivePipeline(
            det,
            tee,
            alert_store=store,
            recording=recording,
            model_id=model_id,
            model_version=model_version,
            on_alert=self._on_alert,
            on_alert_update=self._on_alert_update,
            outlets=self._open_outlets(source),
            buffer_seconds=15.0,
        )
        self._check_stop()
        cube = self.loaded.cube
        geometry = CubeGeometry.from_cube(cube) if cube is not None else None
        self.history = self.history_factory(pipe.ch_names, pipe.sfreq, self.history_seconds)
        self._connect()
        page = self._page_info(tee, list(pipe.ch_names), (det.l_freq, det.h_freq, det.notch))
        self.state = "running"
        self._post(
            "ready",
            {
                **page,
                "mode": "seizure",
                "ch_names": list(pipe.ch_names),
                "sfreq": pipe.sfreq,
                "threshold": float(det.threshold),
                "window": float(det.window),
                "hop": float(det.hop),
                "recording": pipe.recording or recording,
                "model": self.loaded.name,
                "model_path": str(self.loaded.path),
                "classes": None,
                "geometry": geometry,
                "source": self.spec.describe(),
                "history": self.history,
                "published": None if self.outlets is None else self.outlets.names,
            },
        )
        n_hop = det.hop
        last_status = 0.0
        while not self._stop.is_set():
            preds = pipe.step()
            new = self._sync_history(pipe)
            for p in preds:
                frame = make_frame(
                    p.index,
                    p.onset,
                    p.duration,
                    pipe.sfreq,
                    p.spikes,
                    p.activity,
                    geometry,
                    play_from=max(0.0, p.duration - n_hop),
                    proba=p.proba,
                    positive=p.positive,
                )
                self._post("frame", frame)
            now = time.monotonic()
            if now - last_status >= self.status_interval:
                last_status = now
                self._post("status", self._status(self._pipe_status(pipe)))
            if not preds and not new:
                if self._finished_source():
                    break
                time.sleep(0.005)
        self._post("status", self._status(self._pipe_status(pipe)))
        summary = pipe.summary()
        summary["recording"] = pipe.recording
        return summary

    def _pipe_status(self, pipe):
        lat = [p.latency for p in list(pipe.predictions)[-20:] if p.latency is not None]
        return {
            "seconds": pipe.seconds,
            "windows": pipe.n_windows,
            "alerts": len(pipe.alerts),
            "latency": float(np.median(lat)) if lat else None,
        }

    def _sync_history(self, pipe):
        """Copy the samples the pipeline filtered since the last call into the history."""
        expected = int(math.ceil(pipe.seconds * pipe.sfreq - 1e-6))
        n_new = expected - self.history.total
        if n_new <= 0:
            return 0
        data, _ = pipe.get_data(seconds=n_new / pipe.sfreq)
        if data.shape[1] < n_new:  # more than the ring buffer holds: keep the time axis
            self.history.append(np.zeros((data.shape[0], n_new - data.shape[1])))
        self.history.append(data)
        return n_new

    def _on_alert(self, alert):
        self._post("alert", alert)

    def _on_alert_update(self, alert):
        self._post("alert_update", alert)

    # -- trial mode --------------------------------------------------------------------

    def _run_trials(self):
        from acquisition import OnlineFilter, annotation_onsets
        from acquisition.stream import MarkerInlet
        from models.trials.live import LiveTrialPipeline

        clf = self.loaded.model
        source, raw, recording = self._open_source()
        self.recording = recording
        if raw is not None:
            markers = annotation_onsets(raw)
            if not markers:
                raise ValueError(
                    f"{recording} has no annotations to start trials at. A trial model needs "
                    "markers: the recording's annotations, or an LSL marker stream."
                )
        elif self.spec.markers:
            markers = self._markers = MarkerInlet(self.spec.markers)
        else:
            raise ValueError(
                "A trial model on an LSL stream needs the name of the LSL marker stream whose "
                "markers start the trials; none was given."
            )
        self.pipeline = pipe = LiveTrialPipeline(
            clf,
            source,
            markers=markers,
            trial_seconds=self.trial_seconds,
            outlets=self._open_outlets(source, classes=[str(c) for c in clf.classes_]),
        )
        self._connect()
        geometry = CubeGeometry.from_cube(clf.cube_)
        sfreq = pipe.sfreq
        self.history = self.history_factory(pipe.ch_names, sfreq, self.history_seconds)
        disp = OnlineFilter(
            sfreq, l_freq=self.display_band[0], h_freq=min(self.display_band[1], 0.45 * sfreq)
        )
        page = self._page_info(None, list(pipe.ch_names), (disp.l_freq, disp.h_freq, None))
        self.state = "running"
        self._post(
            "ready",
            {
                **page,
                "mode": "trials",
                "ch_names": pipe.ch_names,
                "sfreq": sfreq,
                "threshold": None,
                "window": pipe.window,
                "hop": None,
                "recording": recording,
                "model": self.loaded.name,
                "model_path": str(self.loaded.path),
                "classes": pipe.classes,
                "geometry": geometry,
                "source": self.spec.describe(),
                "history": self.history,
                "published": None if self.outlets is None else self.outlets.names,
            },
        )
        shown = 0  # samples handed to the display filter so far
        last_status = 0.0
        while not self._stop.is_set():
            before = pipe.buffer.total
            done = pipe.step()
            if pipe.buffer.total > shown:
                first, x = pipe.get_data(shown)
                if first > shown:  # more than the buffer holds: keep the time axis
                    self.history.append(np.zeros((x.shape[0], first - shown)))
                self.history.append(disp.filter(x))
                shown = pipe.buffer.total
            for trial in done:
                onset, duration = trial.window
                frame = make_frame(
                    trial.index,
                    onset,
                    duration,
                    sfreq,
                    trial.spikes,
                    trial.activity,
                    geometry,
                    proba=trial.confidence,
                    trial=trial,
                )
                self._post("trial", trial)
                self._post("frame", frame)
            now = time.monotonic()
            if now - last_status >= self.status_interval:
                last_status = now
                self._post(
                    "status", self._status({"seconds": pipe.seconds, "trials": len(pipe.trials)})
                )
            if pipe.buffer.total == before:
                if self._finished_source():
                    break
                time.sleep(0.005)
        self._post("status", self._status({"seconds": pipe.seconds, "trials": len(pipe.trials)}))
        computes = [t.compute_s for t in pipe.trials]
        return {
            "seconds": pipe.seconds,
            "trials": len(pipe.trials),
            "compute_s": float(np.median(computes)) if computes else None,
            "recording": recording,
        }


# ---------------------------------------------------------------------------
# The worker in a process of its own
# ---------------------------------------------------------------------------


class _ForwardingHistory(History):
    """The child's history: every append is also sent to the window's process."""

    def __init__(self, ch_names, sfreq, seconds, *, out, kind="eeg"):
        super().__init__(ch_names, sfreq, seconds=min(seconds, 60.0))
        self._out = out
        self._kind = kind

    def append(self, x):
        start = self.total
        super().append(x)
        if np.asarray(x).shape[1]:
            self._out.put(Message(self._kind, (start, np.asarray(x, dtype=float))))


class _Forward:
    """Stands for the worker's message queue in the child: sends to the window."""

    def __init__(self, out):
        self._out = out

    def put(self, msg):
        if msg.kind == "ready":
            drop = ("history", "source_history")
            msg = Message("ready", {k: v for k, v in msg.payload.items() if k not in drop})
        self._out.put(msg)


def _child_main(spec, model, db, kwargs, out, stop):
    """Entry point of the worker process (see :class:`ProcessWorker`)."""
    import functools

    worker = PipelineWorker(spec, model=model, db=db, **kwargs)
    worker._stop = stop
    worker.messages = _Forward(out)
    worker.history_factory = functools.partial(_ForwardingHistory, out=out)
    worker.source_history_factory = functools.partial(
        _ForwardingHistory, out=out, kind="eeg_source"
    )
    worker._main()  # in this process's main thread: Brian2 may be imported here


class _Inbox:
    """The window's side of a :class:`ProcessWorker`'s messages."""

    def __init__(self, worker):
        self._worker = worker

    def get_nowait(self):
        w = self._worker
        while True:
            msg = w._queue.get_nowait()  # raises queue.Empty
            if msg.kind in ("eeg", "eeg_source"):
                start, x = msg.payload
                h = w.history if msg.kind == "eeg" else w.source_history
                if h is not None:
                    if start > h.total:  # keep the time axis
                        h.append(np.zeros((x.shape[0], start - h.total)))
                    h.append(x)
                continue
            if msg.kind == "ready":
                info = dict(msg.payload)
                w.history = History(info["ch_names"], info["sfreq"], w.history_seconds)
                info["history"] = w.history
                w.source_history = None
                if info.get("source_ch_names"):
                    w.source_history = History(
                        info["source_ch_names"], info["sfreq"], w.history_seconds
                    )
                info["source_history"] = w.source_history
                w.recording = info.get("recording")
                w.state = "running"
                msg = Message("ready", info)
            elif msg.kind == "error":
                w.error = msg.payload
            elif msg.kind == "finished":
                w.summary = msg.payload
                w.state = msg.payload.get("state", "finished")
                w._done = True
            return msg

    def empty(self):
        return self._worker._queue.empty()


class ProcessWorker:
    """A :class:`PipelineWorker` run in a process of its own.

    Same interface as :class:`PipelineWorker` (``start``, ``stop``,
    ``join``, ``running``, ``messages``, ``history``, ``source_history``,
    ``state``), but the
    stream, the model and the cube run in a child process (started with
    ``spawn``), so that the window's process never shares Python's GIL with
    the cube: drawing stays smooth however long a Brian2 call or a model
    load holds it. The child sends its messages and the filtered EEG through
    a :class:`multiprocessing.Queue`; :attr:`messages` receives them (and
    fills :attr:`history`) when the window pulls.

    Parameters
    ----------
    source, model, db, **kwargs
        As for :class:`PipelineWorker`.

    Attributes
    ----------
    summary : dict | None
        The ``'finished'`` message's payload, once pulled.
    """

    def __init__(self, source, model=None, db=None, **kwargs):
        import multiprocessing

        if not isinstance(source, SourceSpec):
            raise TypeError(f"source must be a SourceSpec, got {type(source).__name__}.")
        self.spec = source.check()
        self.model_path = model
        self.db = db
        self.kwargs = kwargs
        self.history_seconds = float(kwargs.get("history_seconds", HISTORY_SECONDS))
        self.history = None
        self.source_history = None
        self.state = "idle"
        self.error = None
        self.summary = None
        self.recording = None
        self.loaded = None  # the model lives in the child
        self._ctx = multiprocessing.get_context("spawn")
        self._queue = self._ctx.Queue()
        self._stop = self._ctx.Event()
        self._proc = None
        self._done = False
        self.messages = _Inbox(self)

    def __repr__(self):
        return f"<ProcessWorker | {self.spec.describe()}, {self.state}>"

    def start(self) -> ProcessWorker:
        """Start the child process (returns at once).

        Returns
        -------
        self : ProcessWorker
            The worker, starting.
        """
        if self._proc is not None:
            raise RuntimeError("This worker was started already; make a new one to run again.")
        self.state = "starting"
        self._proc = self._ctx.Process(
            target=_child_main,
            name="neucube-gui-worker",
            daemon=True,
            args=(self.spec, self.model_path, self.db, self.kwargs, self._queue, self._stop),
        )
        self._proc.start()
        return self

    def stop(self) -> None:
        """Ask the child to stop (returns at once; it cleans up by itself)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the child to end (killed if it does not within ``timeout``).

        Parameters
        ----------
        timeout : float | None
            Seconds to wait before killing it (None: wait for as long as it
            takes).

        Returns
        -------
        ended : bool
            Whether it ended by itself.
        """
        if self._proc is None:
            return True
        self._proc.join(timeout)
        if self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(5)
            return False
        return True

    @property
    def running(self) -> bool:
        """bool: Started, and its ``'finished'`` message not pulled yet (nor dead)."""
        if self._proc is None or self._done:
            return False
        if self._proc.is_alive():
            return True
        if not self._queue.empty():
            return True
        if self.state in ("starting", "running"):  # died without a word
            self.state = "error"
            self.error = self.error or f"the worker process ended (exit code {self._proc.exitcode})"
        return False


# ---------------------------------------------------------------------------
# Alert store and other slow things, in their own thread
# ---------------------------------------------------------------------------


def drain_results(handle, *tasks):
    """Hand every finished result of these :class:`BackgroundTasks` to ``handle``.

    Parameters
    ----------
    handle : callable
        Called as ``handle(tag, result, err)`` for each, in the caller's thread.
    *tasks : BackgroundTasks
        The task threads whose results are drained, in order.
    """
    for t in tasks:
        while True:
            try:
                tag, result, err = t.results.get_nowait()
            except queue.Empty:
                break
            handle(tag, result, err)


class BackgroundTasks:
    """Run callables in one background thread, results to a queue.

    Used by the window for the alert store (one SQLite connection, opened
    and used in this thread only) and for re-reading a file for review.

    Parameters
    ----------
    db : path-like | None | False
        The alert store (None: the user's default store; False: none). It
        is opened in the thread on first use.
    name : str
        Thread name.

    Attributes
    ----------
    results : queue.Queue
        ``(tag, result, error)`` for each task, in order.
    """

    def __init__(self, db=None, name="neucube-gui-tasks"):
        self.db = db
        self.results = queue.Queue()
        self._tasks = queue.Queue()
        self._store = None
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, tag: str, fn: Callable[..., object], *args: object, **kwargs: object) -> None:
        """Queue ``fn(store, *args, **kwargs)``; its result comes back tagged.

        Parameters
        ----------
        tag : str
            Given back with the result.
        fn : callable
            Called in the thread with the alert store (or None) first.
        *args, **kwargs
            Passed on.
        """
        self._tasks.put((tag, fn, args, kwargs))

    def store(self) -> AlertStore | None:
        """Return the alert store, opening it (call only from the thread)."""
        if self._store is None and self.db is not False:
            from models.alerts import AlertStore

            self._store = AlertStore(self.db)
        return self._store

    def _loop(self):
        while True:
            item = self._tasks.get()
            if item is None:
                break
            tag, fn, args, kwargs = item
            try:
                result = fn(self.store(), *args, **kwargs)
                self.results.put((tag, result, None))
            except Exception as err:
                logger.warning("Background task %r failed: %s", tag, err)
                self.results.put((tag, None, err))
        if self._store is not None:
            self._store.close()

    def close(self, timeout: float = 5.0) -> None:
        """Finish the queued tasks, close the store and end the thread.

        Parameters
        ----------
        timeout : float
            Seconds to wait for the thread.
        """
        self._tasks.put(None)
        self._thread.join(timeout)
