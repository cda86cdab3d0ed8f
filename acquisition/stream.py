"""Live EEG in: LSL streams, files replayed as LSL streams, in-memory sources.

A *source* hands out the samples that arrived since the last call to
:meth:`~LSLSource.pull`, oldest first, with their timestamps, and keeps going
through faults. Three sources share one interface (``ch_names``, ``sfreq``,
``ch_types``, ``state``, :meth:`pull`, :meth:`status`, :meth:`close`), so the
live pipeline (:class:`models.live.LivePipeline`) runs on any of them:

:class:`LSLSource`
    any LSL stream, found by name and/or source id, read through
    :class:`mne_lsl.stream.StreamLSL`. It survives stalls, disconnections
    (with reconnection attempts and backoff) and out-of-order timestamps.
:class:`ArraySource`
    an array or a Raw fed in chunks of fixed or random sizes, as fast as
    asked or paced in real time: the offline twin of a stream, for tests and
    for running a recording through the live path without a network.
:class:`FileReplay`
    not a source but a sender: it replays a recording as a live LSL stream
    with :class:`mne_lsl.player.PlayerLSL` (in a thread, or in a child process
    so that it does not compete with the consumer for Python's GIL), by
    default with a counter channel (:data:`COUNTER_CH`) appended that holds
    each sample's index, so the consumer can prove that no sample was dropped
    or duplicated (:class:`SampleCounter`).

Source states (:attr:`LSLSource.state`):

``'idle'``
    not connected yet.
``'connected'``
    connected; data flowing (or not yet overdue).
``'stalled'``
    connected, but no new sample for longer than ``stall_timeout`` seconds.
    Logged once per stall; back to ``'connected'`` when data comes back.
``'disconnected'``
    the stream is gone (it no longer resolves on the network, or the inlet
    failed). Reconnection is tried with exponential backoff; liblsl's own
    recovery may also bring the same inlet back. Back to ``'connected'``
    when a stream with the same name/source id is there again.
``'closed'``
    :meth:`LSLSource.close` was called.

Nothing already received is lost through any of these: :meth:`pull` has
already handed it out, and the inlet is drained before it is replaced.

All LSL imports are lazy: ``import acquisition`` never loads liblsl. The first
use quiets liblsl's own logging (see :func:`configure_lsl`) unless
``LSLAPICFG`` is already set.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from ._checks import _check_int, _check_positive, _check_sfreq, _is_raw
from ._logging import logger

#: Name of the counter channel that :class:`FileReplay` appends (type ``'misc'``).
COUNTER_CH = "COUNTER"

#: Source states, in the order a stream normally goes through them.
STATES = ("idle", "connected", "stalled", "disconnected", "closed")

_LSL_CONFIG = {"path": None}

#: Discovery addresses of the ``'machine'`` scope: liblsl's IPv4 multicast group
#: and its interface-local IPv6 group (sent with TTL 0: never off this computer).
_MACHINE_ADDRESSES = ("239.255.172.215", "FF31:113D:6FDD:2C17:A643:FFE2:1BD1:3CD2")


# ---------------------------------------------------------------------------
# liblsl configuration and lazy imports
# ---------------------------------------------------------------------------


def configure_lsl(*, log_level=-3, resolve_scope=None, fname=None, force=False):
    """Write a liblsl configuration file and point ``LSLAPICFG`` at it.

    liblsl reads its configuration once, when it is loaded, so call this
    before the first LSL object is made (the first :class:`LSLSource` or
    :class:`FileReplay` calls it with the defaults when ``LSLAPICFG`` is not
    set). Child processes (a :class:`FileReplay` with ``process=True``)
    inherit it.

    Parameters
    ----------
    log_level : int
        liblsl's ``[log] level``: ``-3`` (default) logs only fatal errors,
        ``-2`` errors, ``-1`` warnings, ``0`` information (liblsl's default,
        which writes a few lines to stderr on every connection).
    resolve_scope : ``'machine'`` | ``'link'`` | ``'site'`` | None
        liblsl's ``[multicast] ResolveScope``: ``'machine'`` keeps stream
        discovery on this computer (tests); None keeps liblsl's default
        (``'site'``), needed for devices on other machines. With
        ``'machine'`` the discovery addresses are two multicast groups that
        liblsl sends to with a TTL of 0 (they never leave the computer),
        without liblsl's default unicast ``127.0.0.1``: a unicast query
        reaches only one of the processes listening on the port, so with
        several processes using LSL at once some streams would not be
        found.
    fname : path-like | None
        Where to write the file; by default a file in the temporary folder.
    force : bool
        Replace an ``LSLAPICFG`` that is already set.

    Returns
    -------
    fname : pathlib.Path | None
        The file in force, or None when ``LSLAPICFG`` was set already and
        ``force`` is False (the existing setting is kept).
    """
    if os.environ.get("LSLAPICFG") and not force:
        return None
    log_level = _check_int(log_level, "log_level", minimum=-9)
    if resolve_scope not in (None, "machine", "link", "site", "organization", "global"):
        raise ValueError(
            f"resolve_scope must be None, 'machine', 'link', 'site', 'organization' or "
            f"'global', got {resolve_scope!r}."
        )
    lines = ["[log]", f"level = {log_level}"]
    if resolve_scope is not None:
        lines += ["[multicast]", f"ResolveScope = {resolve_scope}"]
        if resolve_scope == "machine":
            lines.append(f"MachineAddresses = {{{', '.join(_MACHINE_ADDRESSES)}}}")
    if fname is None:
        tag = f"{log_level}-{resolve_scope or 'default'}"
        user = getattr(os, "getuid", lambda: "user")()
        fname = Path(tempfile.gettempdir()) / f"neucube-lsl-{user}-{tag}.cfg"
    fname = Path(fname)
    text = "\n".join(lines) + "\n"
    if not fname.is_file() or fname.read_text() != text:
        tmp = fname.with_name(f"{fname.name}.{os.getpid()}.part")
        tmp.write_text(text)
        os.replace(tmp, fname)
    if "mne_lsl.lsl" in sys.modules:
        logger.warning(
            "configure_lsl: liblsl is loaded already; the new configuration %s applies "
            "to new processes only.", fname,
        )
    os.environ["LSLAPICFG"] = str(fname)
    _LSL_CONFIG["path"] = fname
    return fname


def _lsl():
    """Import :mod:`mne_lsl.lsl` (quieting liblsl first if nobody configured it)."""
    if "mne_lsl.lsl" not in sys.modules and not os.environ.get("LSLAPICFG"):
        configure_lsl()
    import mne_lsl.lsl

    return mne_lsl.lsl


def local_clock():
    """Return LSL's clock (seconds): the clock of LSL timestamps on this machine.

    Returns
    -------
    now : float
        :func:`mne_lsl.lsl.local_clock`.
    """
    return _lsl().local_clock()


# ---------------------------------------------------------------------------
# Counter channel
# ---------------------------------------------------------------------------


def add_counter_channel(raw, name=COUNTER_CH):
    """Return a copy of a recording with a counter channel appended.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording.
    name : str
        Name of the new channel (type ``'misc'``).

    Returns
    -------
    raw : mne.io.Raw
        A new, loaded Raw whose last channel holds each sample's index
        (0, 1, 2, ... as float64, exact up to 2**53).
    """
    import mne

    if not _is_raw(raw):
        raise TypeError(
            f"raw must be an mne.io.Raw, got {type(raw).__name__}. Read one with "
            "acquisition.read_raw."
        )
    if name in raw.ch_names:
        raise ValueError(
            f"raw already has a channel named {name!r}; pass another name= for the counter."
        )
    out = raw.copy().load_data(verbose="error")
    info = mne.create_info([name], out.info["sfreq"], ["misc"])
    counter = mne.io.RawArray(
        np.arange(out.n_times, dtype=np.float64)[np.newaxis], info,
        first_samp=out.first_samp, verbose="error",
    )
    counter.set_meas_date(out.info["meas_date"])
    out.add_channels([counter], force_update_info=True)
    return out


def write_replay_file(raw, fname=None, *, counter=True, overwrite=True):
    """Save a recording as a FIF file for :class:`mne_lsl.player.PlayerLSL`.

    The samples are saved in double precision (``fmt='double'``), so the
    replayed stream carries exactly the recording's values.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording.
    fname : path-like | None
        Destination ending in ``raw.fif``; None writes ``replay_raw.fif`` in a
        new temporary folder (delete it when done; :class:`FileReplay` does).
    counter : bool
        Append the counter channel (:func:`add_counter_channel`).
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    fname : pathlib.Path
        The file written.
    """
    if counter:
        raw = add_counter_channel(raw)
    if fname is None:
        fname = Path(tempfile.mkdtemp(prefix="neucube-replay-")) / "replay_raw.fif"
    fname = Path(fname)
    raw.save(fname, fmt="double", overwrite=overwrite, verbose="error")
    return fname


class SampleCounter:
    """Check that a counter channel goes up by one from sample to sample.

    Feed it the counter values of each chunk in arrival order; it counts the
    samples that never arrived (gaps) and those that arrived twice or after
    later ones (repeats, rewinds).

    Attributes
    ----------
    n_received : int
        Counter values seen.
    n_dropped : int
        Indices skipped: the sum of ``step - 1`` over steps greater than one.
    n_repeated : int
        Values not greater than the one before (a duplicate sample, or the
        counter starting again, e.g. a replay restarted from its start).
    first, last : int | None
        First and last counter value seen.
    """

    def __init__(self):
        self.n_received = 0
        self.n_dropped = 0
        self.n_repeated = 0
        self.first = None
        self.last = None

    def update(self, values):
        """Take the counter values of the next chunk.

        Parameters
        ----------
        values : array-like, shape (n_samples,)
            Counter values in arrival order.

        Returns
        -------
        n_dropped, n_repeated : int
            What this chunk added to the counts.
        """
        values = np.rint(np.asarray(values, dtype=np.float64)).astype(np.int64)
        if values.size == 0:
            return 0, 0
        if self.last is None:
            self.first = int(values[0])
            steps = np.diff(values)
        else:
            steps = np.diff(np.concatenate([[self.last], values]))
        dropped = int((steps[steps > 1] - 1).sum())
        repeated = int(np.count_nonzero(steps < 1))
        self.n_received += int(values.size)
        self.n_dropped += dropped
        self.n_repeated += repeated
        self.last = int(values[-1])
        return dropped, repeated

    def missing_after(self, n_total):
        """Samples of a recording of ``n_total`` samples not received (gaps and tail).

        Parameters
        ----------
        n_total : int
            Number of samples the sender sent (counter values 0 … n_total - 1).

        Returns
        -------
        n_missing : int
            Gaps inside plus samples never received at the start or the end.
        """
        if self.last is None:
            return int(n_total)
        return int(self.n_dropped + self.first + max(0, n_total - 1 - self.last))

    def __repr__(self):
        return (
            f"<SampleCounter | {self.n_received} received, {self.n_dropped} dropped, "
            f"{self.n_repeated} repeated, last {self.last}>"
        )


# ---------------------------------------------------------------------------
# Status shared by the sources
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SourceStatus:
    """A snapshot of a source's state and fault counters (for a GUI or a log).

    Attributes
    ----------
    state : str
        One of :data:`STATES`.
    name : str | None
        Stream name.
    n_samples : int
        Samples handed out by :meth:`pull` so far.
    seconds_since_data : float | None
        Seconds since the last sample arrived (None before the first).
    n_stalls : int
        Stalls (no data for longer than the stall timeout) so far.
    n_disconnects : int
        Times the stream was found gone.
    n_reconnects : int
        Times data came back after a disconnection.
    n_reconnect_attempts : int
        Inlets re-created (each attempt made after a backoff delay).
    n_out_of_order : int
        Samples whose timestamp was earlier than the one before them (kept, in
        arrival order).
    n_nonfinite : int
        NaN or infinite sample values received (handed out as they are).
    n_overflow : int
        Samples lost because more arrived between two pulls than the buffer
        holds (raise ``bufsize`` or pull more often).
    n_dropped, n_repeated : int | None
        From the counter channel (:class:`SampleCounter`), when the stream has
        one; None otherwise.
    """

    state: str
    name: str | None = None
    n_samples: int = 0
    seconds_since_data: float | None = None
    n_stalls: int = 0
    n_disconnects: int = 0
    n_reconnects: int = 0
    n_reconnect_attempts: int = 0
    n_out_of_order: int = 0
    n_nonfinite: int = 0
    n_overflow: int = 0
    n_dropped: int | None = None
    n_repeated: int | None = None

    def to_dict(self):
        """Return the status as a dict of plain values."""
        return dataclasses.asdict(self)


class _SourceBase:
    """What every source shares: counters, counter channel, out-of-order check."""

    #: Seconds by which this source's timestamps lead the true send time (see
    #: :attr:`LSLSource.stamp_lead`).
    stamp_lead = 0.0
    #: Whether timestamps are on the LSL clock and samples come in real time
    #: (so that latencies can be measured against :func:`local_clock`).
    live = True

    def _init_counts(self, counter):
        self._state = "idle"
        self._counter_opt = counter
        self.counter = None
        self._counter_idx = None
        self._n_samples = 0
        self._n_stalls = 0
        self._n_disconnects = 0
        self._n_reconnects = 0
        self._n_attempts = 0
        self._n_out_of_order = 0
        self._n_nonfinite = 0
        self._n_overflow = 0
        self._last_ts = None
        self._last_data = None
        self._ooo_logged_at = None
        self._lock = threading.Lock()

    def _setup_counter(self):
        opt = self._counter_opt
        name = None
        if opt == "auto":
            name = COUNTER_CH if COUNTER_CH in self.ch_names else None
        elif opt:
            if opt not in self.ch_names:
                raise ValueError(
                    f"counter={opt!r} is not a channel of the stream; its channels are "
                    f"{self.ch_names}. Pass counter=None for a stream without one."
                )
            name = opt
        if name is not None and self.counter is None:
            self.counter = SampleCounter()
            self._counter_idx = self.ch_names.index(name)

    @property
    def counter_channel(self):
        """str | None: Name of the counter channel in use."""
        return None if self._counter_idx is None else self.ch_names[self._counter_idx]

    @property
    def state(self):
        """str: The source's state, one of :data:`STATES`."""
        return self._state

    def _set_state(self, state):
        self._state = state

    def _account(self, data, ts):
        """Update counters with a chunk about to be handed out."""
        n = ts.size
        self._n_samples += n
        now = time.monotonic()
        self._last_data = now
        prev = ts[:-1] if self._last_ts is None else np.concatenate([[self._last_ts], ts[:-1]])
        cur = ts[1:] if self._last_ts is None else ts
        back = cur < prev
        n_back = int(np.count_nonzero(back))
        if n_back:
            self._n_out_of_order += n_back
            first = int(np.flatnonzero(back)[0])
            if self._ooo_logged_at is None or now - self._ooo_logged_at > 10.0:
                self._ooo_logged_at = now
                logger.warning(
                    "%s: %d sample(s) arrived with a timestamp earlier than the sample "
                    "before them (first: %.6f s after %.6f s); kept in arrival order. "
                    "%d so far.", self._label(), n_back, cur[first], prev[first],
                    self._n_out_of_order,
                )
        self._last_ts = float(ts[-1])
        finite = np.isfinite(data)
        if not finite.all():
            bad = int((~finite).sum())
            if self._n_nonfinite == 0:
                logger.warning(
                    "%s: %d NaN or infinite sample value(s) received (channels %s); handed "
                    "out as they are.", self._label(), bad,
                    [self.ch_names[i] for i in np.flatnonzero(~finite.all(axis=1))],
                )
            self._n_nonfinite += bad
        if self.counter is not None:
            dropped, repeated = self.counter.update(data[self._counter_idx])
            if dropped or repeated:
                logger.warning(
                    "%s: counter channel %r shows %d dropped and %d repeated sample(s) in "
                    "this chunk (%d and %d so far).", self._label(), self.counter_channel,
                    dropped, repeated, self.counter.n_dropped, self.counter.n_repeated,
                )

    def _label(self):
        return f"Stream {getattr(self, 'name', None)!r}"

    def status(self):
        """Return the state and fault counters.

        Returns
        -------
        status : SourceStatus
            A snapshot, safe to read from another thread.
        """
        since = None if self._last_data is None else time.monotonic() - self._last_data
        c = self.counter
        return SourceStatus(
            state=self._state, name=getattr(self, "name", None), n_samples=self._n_samples,
            seconds_since_data=since, n_stalls=self._n_stalls,
            n_disconnects=self._n_disconnects, n_reconnects=self._n_reconnects,
            n_reconnect_attempts=self._n_attempts, n_out_of_order=self._n_out_of_order,
            n_nonfinite=self._n_nonfinite, n_overflow=self._n_overflow,
            n_dropped=None if c is None else c.n_dropped,
            n_repeated=None if c is None else c.n_repeated,
        )

    def __enter__(self):
        if self._state == "idle":
            self.connect()
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------
# LSL source
# ---------------------------------------------------------------------------


class LSLSource(_SourceBase):
    """Live EEG from an LSL stream, with faults reported instead of raised.

    Parameters
    ----------
    name : str | None
        Name of the LSL stream.
    source_id : str | None
        Its source id (recommended: it makes reconnection unambiguous).
    stype : str | None
        Its type (e.g. ``'eeg'``). At least one of ``name``, ``source_id``,
        ``stype`` must be given, and together they must identify one stream.
    bufsize : float
        Seconds of data the stream buffer holds between two pulls. More
        arriving between two pulls is lost and counted (``n_overflow``).
    stall_timeout : float
        Seconds without a new sample after which the state becomes
        ``'stalled'``.
    backoff : tuple of float
        ``(first, longest)`` delay in seconds between two checks of whether a
        silent stream is still there, and between two reconnection attempts;
        each delay doubles the previous one up to ``longest``.
    probe_timeout : float
        Seconds one check for the stream waits for an answer. A stalled
        stream is declared gone after two checks in a row found nothing.
    connect_timeout : float
        Seconds :meth:`connect` waits for the stream.
    processing_flags : sequence of str | None
        liblsl post-processing of timestamps (see
        :meth:`mne_lsl.stream.StreamLSL.connect`). ``('clocksync',)``
        (default) puts timestamps of a stream from another machine on this
        machine's clock, which latency measurements need. Never
        ``'monotize'`` if out-of-order timestamps must be seen.
    standardize_names : bool
        Give channels their canonical names
        (:func:`acquisition.standardize_channel_names`), as
        :func:`acquisition.read_raw` does for files, so a model's channel
        names match.
    counter : ``'auto'`` | str | None
        Counter channel to check for dropped or repeated samples
        (:class:`SampleCounter`): ``'auto'`` uses :data:`COUNTER_CH` when the
        stream has it.
    stamp_lead : float
        Seconds by which the sender's timestamps lead the moment it sent the
        samples; :class:`mne_lsl.player.PlayerLSL` stamps the last sample of
        each chunk one chunk ahead (``chunk_size / sfreq``; use
        :attr:`FileReplay.stamp_lead`). A consumer subtracts it to get the
        send time; the data are not changed.

    Attributes
    ----------
    ch_names : list of str
        Channel names (standardized if asked), after :meth:`connect`.
    ch_types : list of str
        Channel types (``'eeg'``, ``'misc'``, ...).
    sfreq : float
        Nominal sampling frequency.
    info : mne.Info
        The stream's measurement info (from :class:`mne_lsl.stream.StreamLSL`).

    Notes
    -----
    :meth:`pull` never blocks for long: it reads what the inlet holds. Only
    when the stream is silent does it check, at most once per backoff delay,
    whether the stream still resolves (``probe_timeout`` seconds when it does
    not) and, when it is back, re-create the inlet (up to
    ``connect_timeout``). Run it in a worker thread, never in a GUI thread.

    Examples
    --------
    >>> with LSLSource("EEG", source_id="amp-42") as src:  # doctest: +SKIP
    ...     data, timestamps = src.pull()
    """

    def __init__(self, name=None, *, source_id=None, stype=None, bufsize=30.0,
                 stall_timeout=1.0, backoff=(0.25, 4.0), probe_timeout=0.5,
                 connect_timeout=5.0, processing_flags=("clocksync",),
                 standardize_names=True, counter="auto", stamp_lead=0.0):
        if name is None and source_id is None and stype is None:
            raise ValueError(
                "LSLSource needs name=, source_id= or stype= to find the stream; give the "
                "stream's name (e.g. LSLSource('EEG')) and, better, its source_id."
            )
        for key, value in (("name", name), ("source_id", source_id), ("stype", stype)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{key} must be a str or None, got {value!r}.")
        self.name = name
        self.source_id = source_id
        self.stype = stype
        self.bufsize = _check_positive(bufsize, "bufsize", unit=" s")
        self.stall_timeout = _check_positive(stall_timeout, "stall_timeout", unit=" s")
        try:
            first, longest = (float(b) for b in backoff)
        except (TypeError, ValueError):
            raise ValueError(
                f"backoff must be (first, longest) delays in seconds, got {backoff!r}."
            ) from None
        if not 0 < first <= longest:
            raise ValueError(f"backoff must satisfy 0 < first <= longest, got {backoff!r}.")
        self.backoff = (first, longest)
        self.probe_timeout = _check_positive(probe_timeout, "probe_timeout", unit=" s")
        self.connect_timeout = _check_positive(connect_timeout, "connect_timeout", unit=" s")
        self.processing_flags = None if processing_flags is None else tuple(processing_flags)
        if self.processing_flags and "monotize" in self.processing_flags:
            logger.info("processing_flags has 'monotize': out-of-order timestamps will not be seen.")
        self.standardize_names = bool(standardize_names)
        self.stamp_lead = float(stamp_lead)
        self.ch_names = None
        self.ch_types = None
        self.sfreq = None
        self.info = None
        self._stream = None
        self._scale = None
        self._delay = first
        self._next_check = 0.0
        self._pending = None
        self._misses = 0
        self._handover = None
        self._dedupe_after = None
        self._stall_ref = None
        self._init_counts(counter)

    def __repr__(self):
        n = "?" if self.ch_names is None else len(self.ch_names)
        return (
            f"<LSLSource | {self.name!r} (source_id {self.source_id!r}), {self._state}, "
            f"{n} channels, {self._n_samples} samples>"
        )

    def _label(self):
        return f"LSL stream {self.name or self.source_id or self.stype!r}"

    # -- connection -------------------------------------------------------------

    def _open(self, timeout):
        """Resolve the stream and open a StreamLSL with manual acquisition."""
        _lsl()
        from mne_lsl.stream import StreamLSL

        stream = StreamLSL(self.bufsize, name=self.name, stype=self.stype,
                           source_id=self.source_id)
        stream.connect(acquisition_delay=None, processing_flags=self.processing_flags,
                       timeout=timeout)
        return stream

    def connect(self, timeout=None):
        """Find the stream and start receiving.

        Parameters
        ----------
        timeout : float | None
            Seconds to wait for the stream; None uses ``connect_timeout``.

        Returns
        -------
        self : LSLSource
            The source, connected.

        Raises
        ------
        RuntimeError
            If no stream (or more than one) matches within ``timeout``.
        """
        if self._state == "closed":
            raise RuntimeError("This LSLSource was closed; make a new one to connect again.")
        if self._stream is not None:
            return self
        timeout = self.connect_timeout if timeout is None else float(timeout)
        try:
            stream = self._open(timeout)
        except RuntimeError as err:
            raise RuntimeError(
                f"No single LSL stream matches name={self.name!r}, source_id="
                f"{self.source_id!r}, stype={self.stype!r} within {timeout:g} s ({err}). "
                "Check that the sender is running (e.g. `mne-lsl player FILE`) and on "
                "this network, or pass the right name/source_id."
            ) from err
        self._adopt(stream, first=True)
        logger.info("Connected to %s: %d channels at %g Hz.", self._label(),
                    len(self.ch_names), self.sfreq)
        return self

    def _adopt(self, stream, first=False):
        """Take a connected StreamLSL as the current one (checking it matches)."""
        info = stream.info
        names = list(info["ch_names"])
        if self.standardize_names:
            from .channels import standardize_channel_names

            names = standardize_channel_names(names)[0]
        types = list(stream.get_channel_types())
        sfreq = float(info["sfreq"])
        if sfreq <= 0:
            stream.disconnect()
            raise RuntimeError(
                f"{self._label()} has an irregular sampling rate (nominal rate 0); EEG "
                "needs a regular one."
            )
        if not first and (names != self.ch_names or sfreq != self.sfreq):
            stream.disconnect()
            raise RuntimeError(
                f"{self._label()} came back with other channels or rate ({len(names)} "
                f"channels at {sfreq:g} Hz instead of {len(self.ch_names)} at "
                f"{self.sfreq:g} Hz); not reconnected."
            )
        if first:
            self.ch_names, self.ch_types, self.sfreq, self.info = names, types, sfreq, info
            mul = np.array([ch["unit_mul"] for ch in info["chs"]], dtype=float)
            self._scale = None if not np.any(mul) else (10.0 ** mul)[:, np.newaxis]
            self.source_id = self.source_id or stream.source_id
            self.name = self.name or stream.name
            self._setup_counter()
        self._stream = stream
        if first:
            self._set_state("connected")
        self._stall_ref = time.monotonic()
        self._delay = self.backoff[0]
        self._next_check = self._stall_ref + self.stall_timeout

    def close(self):
        """Disconnect and stop; the source cannot be used afterwards."""
        if self._stream is not None:
            try:
                self._stream.disconnect()
            except Exception as err:  # pragma: no cover - teardown
                logger.debug("%s: error while disconnecting: %s", self._label(), err)
            self._stream = None
        self._set_state("closed")

    disconnect = close

    # -- reading ----------------------------------------------------------------

    def _drain(self):
        """Pull everything the inlet holds: (data (n_ch, n) float64, ts (n,))."""
        stream = self._stream
        parts, stamps = [], []
        for _ in range(64):  # bounded: at most 64 buffers per pull
            stream.acquire()
            if not stream.connected:
                raise ConnectionError("the inlet failed while acquiring")
            n = stream.n_new_samples
            if n == 0:
                break
            data, ts = stream.get_data()  # the whole buffer, newest last
            cap = ts.size
            if n > cap:
                self._n_overflow += n - cap
                logger.warning(
                    "%s: %d sample(s) arrived between two pulls beyond the %g s buffer and "
                    "were lost. Pull more often or raise bufsize.", self._label(), n - cap,
                    self.bufsize,
                )
                n = cap
            parts.append(np.array(data[:, cap - n:], dtype=np.float64))
            stamps.append(np.array(ts[cap - n:], dtype=np.float64))
            if n < cap:
                break
        if not parts:
            return None, None
        data = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        ts = stamps[0] if len(stamps) == 1 else np.concatenate(stamps)
        if self._scale is not None:
            data *= self._scale
        return data, ts

    def _empty(self):
        n = 0 if self.ch_names is None else len(self.ch_names)
        return np.empty((n, 0)), np.empty(0)

    def pull(self):
        """Return the samples that arrived since the last pull.

        Returns
        -------
        data : ndarray, shape (n_channels, n_new)
            New samples, oldest first, in SI units (volts for EEG), float64;
            ``n_new`` may be 0.
        timestamps : ndarray, shape (n_new,)
            Their LSL timestamps (seconds, LSL clock), in arrival order (not
            sorted: out-of-order stamps are counted, not fixed).

        Notes
        -----
        Never raises for stream faults: they change :attr:`state` and the
        counters of :meth:`status`.
        """
        if self._state == "closed":
            raise RuntimeError("This LSLSource is closed.")
        if self._state == "idle":
            raise RuntimeError(
                "The LSLSource is not connected. Call source.connect() first (or use it "
                "as a context manager)."
            )
        got = self._read()
        if got is None:
            self._watch(time.monotonic())
            got = self._take_pending()
        if got is None:
            return self._empty()
        data, ts = got
        with self._lock:
            self._account(data, ts)
            if self._state == "disconnected":
                self._reconnected("data resumed")
            elif self._state == "stalled":
                logger.info("%s resumed after a stall of %.2f s.", self._label(),
                            time.monotonic() - self._stall_ref)
                self._set_state("connected")
            self._stall_ref = time.monotonic()
            self._delay = self.backoff[0]
        return data, ts

    # -- faults -----------------------------------------------------------------

    def _take_pending(self):
        got, self._pending = self._pending, None
        return got

    def _read(self):
        """Drain the inlet (and what an earlier check kept); None if nothing came."""
        got = self._take_pending()
        if self._stream is not None:
            try:
                data, ts = self._drain()
            except Exception as err:
                logger.warning("%s: the inlet failed (%s).", self._label(), err)
                self._drop_stream()
                self._mark_disconnected()
                data = None
            if self._handover is not None:
                data, ts = self._hand_over(data, ts)
            if data is not None and self._dedupe_after is not None:
                # half a sample of slack: each inlet adds its own clock offset
                keep = ts > self._dedupe_after + 0.5 / self.sfreq
                if not keep.all():
                    logger.debug("%s: %d sample(s) received by both the old and the new "
                                 "inlet; kept once.", self._label(), int((~keep).sum()))
                data, ts = data[:, keep], ts[keep]
                if ts.size == 0:
                    data = None
                else:  # samples come in order: the overlap is over
                    self._dedupe_after = None
            if data is not None:
                if got is not None:
                    data = np.concatenate([got[0], data], axis=1)
                    ts = np.concatenate([got[1], ts])
                got = (data, ts)
        return got

    def _hand_over(self, data, ts):
        """Join what the old inlet held with the new inlet's first samples.

        The two inlets overlap in time: the new one was subscribed while the
        old one (perhaps revived by liblsl) still received. The old inlet's
        samples older than the new inlet's first one are kept, the rest are
        copies of the new inlet's. Without new data for ``stall_timeout`` the
        old samples go out alone, and later copies are dropped by timestamp.
        """
        old_data, old_ts, since = self._handover
        if data is None:
            if time.monotonic() - since < self.stall_timeout:
                return None, None
            self._handover = None
            self._dedupe_after = float(np.max(old_ts))
            return old_data, old_ts
        self._handover = None
        keep = old_ts < ts[0] - 0.5 / self.sfreq
        if not keep.all():
            logger.debug("%s: %d sample(s) received by both the old and the new inlet; "
                         "kept once.", self._label(), int((~keep).sum()))
        return (np.concatenate([old_data[:, keep], data], axis=1),
                np.concatenate([old_ts[keep], ts]))

    def _reconnected(self, how):
        self._n_reconnects += 1
        logger.info("%s is back after a disconnection (%s).", self._label(), how)
        self._set_state("connected")
        self._stall_ref = time.monotonic()
        self._delay = self.backoff[0]

    def _drop_stream(self):
        if self._stream is not None:
            try:
                self._stream.disconnect()
            except Exception:  # pragma: no cover - teardown of a broken inlet
                pass
            self._stream = None

    def _mark_disconnected(self):
        if self._state != "disconnected":
            self._n_disconnects += 1
            logger.warning(
                "%s is gone (no longer found on the network); trying to reconnect with "
                "backoff (%g to %g s).", self._label(), *self.backoff,
            )
            self._set_state("disconnected")
            self._delay = self.backoff[0]
            self._next_check = time.monotonic() + self._delay

    def _resolves(self):
        lsl = _lsl()
        try:
            found = lsl.resolve_streams(self.probe_timeout, self.name, self.stype,
                                        self.source_id)
        except Exception as err:  # pragma: no cover - liblsl failure
            logger.debug("%s: resolve failed: %s", self._label(), err)
            return False
        return len(found) > 0

    def _backoff(self, now):
        self._next_check = now + self._delay
        self._delay = min(2 * self._delay, self.backoff[1])

    def _watch(self, now):
        """No data this pull: advance the stall/disconnection state machine."""
        # a sender may take a moment to start after we connect (a replay waits
        # for its consumer): no stall before the first sample for 2 s at least
        limit = self.stall_timeout if self._n_samples else max(self.stall_timeout, 2.0)
        if self._state == "connected" and now - self._stall_ref > limit:
            self._n_stalls += 1
            logger.warning("%s stalled: no new sample for %.2f s (timeout %g s).",
                           self._label(), now - self._stall_ref, self.stall_timeout)
            self._set_state("stalled")
            self._next_check = now  # check at once whether it is still there
            self._delay = self.backoff[0]
            self._misses = 0
        if self._state not in ("stalled", "disconnected") or now < self._next_check:
            return
        present = self._resolves()
        now = time.monotonic()
        if not present:
            self._misses += 1
            if self._state == "stalled" and self._misses >= 2:  # one miss can be a slow answer
                self._mark_disconnected()
            self._backoff(now)
            return
        self._misses = 0
        if self._state == "stalled":
            self._backoff(now)  # still there, only silent: a stall
            return
        # Disconnected, and a stream with this name/source id is there again.
        # Open a new inlet while the old one stays open (liblsl may be reviving
        # it), then keep what the old one holds and drop the new inlet's copies
        # of those samples (same timestamps).
        self._n_attempts += 1
        logger.info("%s: reconnection attempt %d.", self._label(), self._n_attempts)
        try:
            stream = self._open(self.connect_timeout)
        except Exception as err:
            logger.info("%s: reconnection attempt %d failed: %s", self._label(),
                        self._n_attempts, err)
            self._backoff(time.monotonic())
            return
        old = None
        if self._stream is not None:
            try:
                old = self._drain()
            except Exception as err:
                logger.debug("%s: the old inlet could not be drained: %s", self._label(), err)
                old = None
            logger.debug("%s: the old inlet held %d sample(s).", self._label(),
                         0 if old is None or old[1] is None else old[1].size)
            self._drop_stream()
        try:
            self._adopt(stream)
        except Exception as err:
            logger.error("%s: %s", self._label(), err)
            self._backoff(time.monotonic())
            return
        if old is not None and old[0] is not None:
            # held back until the new inlet's first sample shows where it starts
            self._handover = (old[0], old[1], time.monotonic())
        self._reconnected(f"new inlet, attempt {self._n_attempts}")


# ---------------------------------------------------------------------------
# In-memory source
# ---------------------------------------------------------------------------


class ArraySource(_SourceBase):
    """A recording fed in chunks, with the interface of :class:`LSLSource`.

    Parameters
    ----------
    inst : mne.io.Raw | ndarray, shape (n_channels, n_times)
        The data (a Raw's data are read in SI units).
    sfreq : float | None
        Sampling frequency; required for an array.
    ch_names : list of str | None
        Channel names; required for an array.
    ch_types : list of str | None
        Channel types of an array (default all ``'eeg'``).
    chunk_size : int | tuple of int
        Samples per pull: a fixed number, or ``(low, high)`` for random sizes
        drawn uniformly from ``low`` to ``high`` (both included).
    realtime : bool
        Hand out samples no faster than their sampling rate (a pull returns
        what "arrived" since the last pull); False (default) hands out one
        chunk per pull at once.
    random_state : int | numpy.random.Generator | None
        Seed of the random chunk sizes.
    counter : ``'auto'`` | str | None
        Counter channel to check (see :class:`LSLSource`).

    Attributes
    ----------
    ended : bool
        Whether every sample has been handed out.

    Notes
    -----
    Timestamps are ``t0 + index / sfreq`` on the LSL clock, with ``t0`` the
    time of :meth:`connect`.
    """

    def __init__(self, inst, sfreq=None, ch_names=None, *, ch_types=None, chunk_size=32,
                 realtime=False, random_state=None, counter="auto"):
        if _is_raw(inst):
            data = inst.get_data()
            sfreq = inst.info["sfreq"] if sfreq is None else sfreq
            ch_names = list(inst.ch_names) if ch_names is None else list(ch_names)
            ch_types = inst.get_channel_types() if ch_types is None else list(ch_types)
            self.name = Path(inst.filenames[0]).name if inst.filenames and inst.filenames[0] else "array"
        else:
            data = np.asarray(inst, dtype=np.float64)
            self.name = "array"
            if data.ndim != 2:
                raise ValueError(f"inst must be a Raw or a 2-D array, got shape {data.shape}.")
            if sfreq is None or ch_names is None:
                raise ValueError("ArraySource needs sfreq= and ch_names= for an array.")
            ch_names = list(ch_names)
            ch_types = ["eeg"] * len(ch_names) if ch_types is None else list(ch_types)
        if len(ch_names) != data.shape[0]:
            raise ValueError(
                f"ch_names has {len(ch_names)} names for {data.shape[0]} channels."
            )
        self._data = data
        self.sfreq = _check_sfreq(sfreq)
        self.ch_names = ch_names
        self.ch_types = ch_types
        if isinstance(chunk_size, (tuple, list)):
            low, high = (_check_int(c, "chunk_size", minimum=1) for c in chunk_size)
            if low > high:
                raise ValueError(f"chunk_size=(low, high) needs low <= high, got {chunk_size}.")
            self._sizes = (low, high)
        else:
            c = _check_int(chunk_size, "chunk_size", minimum=1)
            self._sizes = (c, c)
        self.realtime = bool(realtime)
        self._rng = np.random.default_rng(random_state)
        self._pos = 0
        self._t0 = None
        self._init_counts(counter)
        self._setup_counter()

    def __repr__(self):
        return (
            f"<ArraySource | {len(self.ch_names)} channels, {self._data.shape[1]} samples at "
            f"{self.sfreq:g} Hz, {self._pos} handed out, {self._state}>"
        )

    @property
    def n_times(self):
        """int: Number of samples of the recording."""
        return self._data.shape[1]

    @property
    def live(self):
        """bool: Whether samples are handed out in real time (``realtime``)."""
        return self.realtime

    @property
    def ended(self):
        """bool: Whether every sample has been handed out."""
        return self._pos >= self._data.shape[1]

    def connect(self):
        """Start the clock.

        Returns
        -------
        self : ArraySource
            The source.
        """
        if self._t0 is None:
            self._t0 = local_clock() if self.realtime else 0.0
            self._wall0 = time.monotonic()
            self._set_state("connected")
        return self

    def close(self):
        """Stop; further pulls return nothing."""
        self._pos = self._data.shape[1]
        self._set_state("closed")

    def pull(self):
        """Return the next chunk (see :meth:`LSLSource.pull`).

        Returns
        -------
        data : ndarray, shape (n_channels, n_new)
            The samples, float64.
        timestamps : ndarray, shape (n_new,)
            ``t0 + index / sfreq``.
        """
        if self._t0 is None:
            self.connect()
        n_total = self._data.shape[1]
        start = self._pos
        if self.realtime:
            due = min(n_total, int((time.monotonic() - self._wall0) * self.sfreq))
            stop = min(due, start + self._sizes[1]) if due > start else start
        else:
            stop = min(n_total, start + int(self._rng.integers(self._sizes[0], self._sizes[1] + 1)))
        data = np.array(self._data[:, start:stop], dtype=np.float64)
        ts = self._t0 + np.arange(start, stop) / self.sfreq
        self._pos = stop
        if stop > start:
            self._account(data, ts)
        return data, ts


# ---------------------------------------------------------------------------
# Replay of a file as a live LSL stream
# ---------------------------------------------------------------------------

def _player_class():
    """PlayerLSL that waits for a consumer before its first push, and ends cleanly."""
    from mne_lsl.player import PlayerLSL

    class _ReplayPlayer(PlayerLSL):
        # PlayerLSL pushes its first chunk as soon as it starts; an inlet that
        # connects a moment later never gets it. Waiting for the first consumer
        # makes the replayed stream start at the recording's first sample.
        _wait_s = 0.0
        _settle_s = 0.0
        _abort = False
        _waited = False

        def start(self):
            self._abort = False
            self._waited = not self._wait_s
            return super().start()

        def stop(self):
            self._abort = True
            return super().stop()

        def _stream(self):
            if not self._waited:
                self._waited = True
                deadline = time.monotonic() + self._wait_s
                while not self._abort and time.monotonic() < deadline:
                    if self._outlet.has_consumers:
                        break
                    time.sleep(0.005)
                else:
                    if not self._abort:
                        logger.info("Replay %r: no consumer after %g s; streaming anyway.",
                                    self.name, self._wait_s)
                settle = time.monotonic() + self._settle_s
                while not self._abort and time.monotonic() < settle:
                    time.sleep(0.005)
                if self._abort:
                    return None
                self._target_timestamp = _lsl().local_clock()
            if self._start_idx >= self._raw.times.size and self._n_repeated >= self._n_repeat:
                # the last chunk ended exactly at the end of the file: stop here
                # (PlayerLSL would warn about an empty chunk)
                self._del_outlets()
                self._reset_variables()
                return None
            return super()._stream()

    return _ReplayPlayer


def _make_player(fname, chunk_size, n_repeat, name, source_id, wait_for_consumer, settle):
    import mne

    raw = mne.io.read_raw_fif(fname, preload=True, verbose="error")
    player = _player_class()(raw, chunk_size=chunk_size, n_repeat=n_repeat, name=name,
                             source_id=source_id, annotations=False)
    player._wait_s = float(wait_for_consumer or 0.0)
    player._settle_s = float(settle or 0.0) if player._wait_s else 0.0
    return player


def _tell_parent(word):
    """One line of the replay child's handshake with its parent, over the stdout pipe."""
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def _child_main(argv):
    """Entry point of the replay child process (see :class:`FileReplay`)."""
    fname, chunk, name, source_id, n_repeat, wait, settle = argv
    n_repeat = np.inf if n_repeat == "inf" else int(n_repeat)
    player = _make_player(fname, int(chunk), n_repeat, name, source_id, float(wait),
                          float(settle))
    stop = threading.Event()

    def _watch():
        sys.stdin.read()  # EOF: the parent asks us to stop (or has died)
        stop.set()

    threading.Thread(target=_watch, daemon=True).start()
    player.start()
    _tell_parent("started")
    while player.running and not stop.is_set():
        time.sleep(0.02)
    if player.running:
        player.stop()
    _tell_parent("finished")


_CHILD = "import sys; from acquisition.stream import _child_main; _child_main(sys.argv[1:])"


class FileReplay:
    """Replay a recording as a live LSL stream (for demos and tests).

    The recording is saved to a temporary FIF file in double precision
    (:func:`write_replay_file`, with the counter channel :data:`COUNTER_CH`
    appended unless ``counter=False``) and streamed by
    :class:`mne_lsl.player.PlayerLSL` in real time, ``chunk_size`` samples at
    a time.

    Parameters
    ----------
    inst : path-like | mne.io.Raw
        The recording (a file is read with :func:`acquisition.read_raw`, so
        channel names are standardized).
    name : str | None
        Stream name; a unique one by default.
    source_id : str | None
        Stream source id; the name by default.
    chunk_size : int
        Samples per push.
    counter : bool
        Append the counter channel.
    n_repeat : int | float
        Times to play the file (``numpy.inf``: loop for ever).
    process : bool
        Run the player in a child process (``sys.executable``), so that it
        keeps time while the consumer computes in this one; False runs it in
        a thread of this process (starts faster).
    wait_for_consumer : float | None
        Seconds the player waits for a first consumer (an inlet) before its
        first push, so that a consumer connecting after :meth:`start` still
        gets the first sample (PlayerLSL alone would push at once); None or 0
        pushes at once.
    settle : float
        Seconds the player waits after the first consumer appeared before it
        pushes (only with ``wait_for_consumer``): the consumer is subscribed
        when the player sees it but still finishing its connection
        (:meth:`mne_lsl.stream.StreamLSL.connect` estimates the clock offset
        for about half a second), so the first samples would otherwise wait
        for it and start the replay with a backlog.
    start_timeout : float
        Seconds to wait for a child process to start streaming.

    Attributes
    ----------
    fname : pathlib.Path | None
        The temporary FIF file, while started.
    n_times : int
        Samples in one pass of the recording.
    sfreq : float
        Sampling frequency.
    stamp_lead : float
        ``chunk_size / sfreq``: PlayerLSL stamps the last sample of each
        chunk with the time the *next* chunk is due, one chunk after it sends
        it; subtract this from a sample's timestamp to get the moment it was
        sent.

    Examples
    --------
    >>> with FileReplay(SEIZURE_EDF, name="demo") as replay:  # doctest: +SKIP
    ...     src = LSLSource(replay.name, source_id=replay.source_id,
    ...                     stamp_lead=replay.stamp_lead).connect()
    """

    def __init__(self, inst, *, name=None, source_id=None, chunk_size=16, counter=True,
                 n_repeat=1, process=False, wait_for_consumer=10.0, settle=1.0,
                 start_timeout=30.0):
        if not _is_raw(inst):
            from .io import read_raw

            inst = read_raw(inst)
        self.raw = inst
        self.name = name or f"neucube-replay-{os.getpid()}-{int(time.time() * 1e3) % 10**8}"
        self.source_id = source_id or self.name
        self.chunk_size = _check_int(chunk_size, "chunk_size", minimum=1)
        self.counter = bool(counter)
        if n_repeat != np.inf:
            n_repeat = _check_int(n_repeat, "n_repeat", minimum=1)
        self.n_repeat = n_repeat
        self.process = bool(process)
        self.wait_for_consumer = float(wait_for_consumer or 0.0)
        self.settle = float(settle or 0.0)
        self.start_timeout = float(start_timeout)
        self.n_times = inst.n_times
        self.sfreq = float(inst.info["sfreq"])
        self.stamp_lead = self.chunk_size / self.sfreq
        self.fname = None
        self._player = None
        self._proc = None
        self.started_at = None

    def __repr__(self):
        return (
            f"<FileReplay | {self.name!r}, {self.n_times} samples at {self.sfreq:g} Hz, chunk "
            f"{self.chunk_size}, {'process' if self.process else 'thread'}, "
            f"{'running' if self.running else 'stopped'}>"
        )

    @property
    def duration(self):
        """float: Seconds of one pass of the recording."""
        return self.n_times / self.sfreq

    @property
    def running(self):
        """bool: Whether the player is still streaming."""
        if self._player is not None:
            return bool(self._player.running)
        if self._proc is not None:
            return self._proc.poll() is None
        return False

    def start(self):
        """Write the file and start streaming.

        Returns
        -------
        self : FileReplay
            The replay, streaming.
        """
        if self._player is not None or self._proc is not None:
            return self
        _lsl()  # liblsl configured before the player loads it
        self.fname = write_replay_file(self.raw, counter=self.counter)
        if self.process:
            import subprocess

            n_repeat = "inf" if self.n_repeat == np.inf else str(self.n_repeat)
            env = dict(os.environ)
            root = str(Path(__file__).resolve().parents[1])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
            env.setdefault("MNE_LOGGING_LEVEL", "WARNING")
            self._log = self.fname.parent / "player.log"
            with open(self._log, "w") as log:
                self._proc = subprocess.Popen(
                    [sys.executable, "-c", _CHILD, str(self.fname), str(self.chunk_size),
                     self.name, self.source_id, n_repeat, str(self.wait_for_consumer),
                     str(self.settle)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                    text=True, env=env,
                )
            deadline = time.monotonic() + self.start_timeout
            line = ""
            while line.strip() != "started" and time.monotonic() < deadline:
                line = _readline_timeout(self._proc.stdout, deadline - time.monotonic())
                if not line and self._proc.poll() is not None:
                    break
            if line.strip() != "started":
                err = ""
                if self._proc.poll() is not None:
                    err = self._log.read_text()[-2000:]
                self.stop()
                raise RuntimeError(
                    f"The replay process did not start streaming within "
                    f"{self.start_timeout:g} s. {err}"
                )
        else:
            self._player = _make_player(self.fname, self.chunk_size, self.n_repeat,
                                        self.name, self.source_id, self.wait_for_consumer,
                                        self.settle)
            self._player.start()
        self.started_at = time.monotonic()
        logger.info("Replaying %s as LSL stream %r (%d samples at %g Hz, chunks of %d%s).",
                    self.raw.filenames[0] if self.raw.filenames else "a recording",
                    self.name, self.n_times, self.sfreq, self.chunk_size,
                    ", counter channel" if self.counter else "")
        return self

    def stop(self):
        """Stop streaming and delete the temporary file.

        Returns
        -------
        self : FileReplay
            The replay, stopped (it can be started again).
        """
        if self._player is not None:
            try:
                if self._player.running:
                    self._player.stop()
            except Exception as err:  # pragma: no cover - teardown
                logger.debug("Replay %r: error while stopping: %s", self.name, err)
            self._player = None
        if self._proc is not None:
            proc = self._proc
            self._proc = None
            try:
                proc.stdin.close()
                proc.wait(timeout=10)
            except Exception:  # pragma: no cover - a child that does not stop
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self.fname is not None:
            import shutil

            shutil.rmtree(self.fname.parent, ignore_errors=True)
            self.fname = None
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def __del__(self):  # pragma: no cover - best effort
        try:
            self.stop()
        except Exception:
            pass


def _readline_timeout(pipe, timeout):
    """Read one line from a pipe, giving up after ``timeout`` seconds."""
    out = []

    def _read():
        out.append(pipe.readline())

    t = threading.Thread(target=_read, daemon=True)
    t.start()
    t.join(timeout)
    return out[0] if out else ""


# ---------------------------------------------------------------------------
# Causal resampling
# ---------------------------------------------------------------------------


class OnlineResampler:
    """Causal polyphase resampling with state kept between chunks.

    A windowed-sinc anti-aliasing FIR (Kaiser window, as
    :func:`scipy.signal.resample_poly` designs it) applied causally at the
    rational rate ``up / down``: resampling a stream chunk by chunk gives the
    same samples as resampling it whole. Unlike the offline
    :func:`acquisition.resample` it delays the signal, by
    :attr:`delay` seconds.

    Parameters
    ----------
    sfreq : float
        Input rate, Hz.
    new_sfreq : float
        Output rate, Hz; ``new_sfreq / sfreq`` must be a ratio of integers up
        to ``max_denominator``.
    max_denominator : int
        Largest ``up`` or ``down`` accepted.

    Attributes
    ----------
    up, down : int
        The rational ratio.
    taps : ndarray
        The FIR filter (at the upsampled rate).
    delay : float
        Group delay in seconds.
    """

    def __init__(self, sfreq, new_sfreq, *, max_denominator=1000):
        from scipy import signal

        self.sfreq = _check_sfreq(sfreq)
        self.new_sfreq = _check_sfreq(new_sfreq, "new_sfreq")
        ratio = Fraction(self.new_sfreq / self.sfreq).limit_denominator(max_denominator)
        if not math.isclose(self.sfreq * ratio.numerator / ratio.denominator, self.new_sfreq,
                            rel_tol=1e-9):
            raise ValueError(
                f"Cannot resample {self.sfreq:g} Hz to {self.new_sfreq:g} Hz with a ratio of "
                f"integers up to {max_denominator}; pick the rate at the source."
            )
        self.up, self.down = ratio.numerator, ratio.denominator
        max_rate = max(self.up, self.down)
        half = 10 * max_rate
        h = signal.firwin(2 * half + 1, 1.0 / max_rate, window=("kaiser", 5.0)) * self.up
        self.taps = h
        self._k = -(-h.size // self.up)  # taps per phase
        padded = np.zeros(self._k * self.up)
        padded[: h.size] = h
        self._phases = padded.reshape(self._k, self.up).T  # [p, j] = h[p + j * up]
        self.delay = half / (self.up * self.sfreq)
        self.reset()

    def reset(self):
        """Forget the state (start a new stream).

        Returns
        -------
        self : OnlineResampler
            The resampler.
        """
        self._hist = None
        self._n_in = 0
        self._n_out = 0
        return self

    def process(self, chunk):
        """Resample the next chunk.

        Parameters
        ----------
        chunk : ndarray, shape (n_channels, n_times)
            The next input samples.

        Returns
        -------
        out : ndarray, shape (n_channels, n_out)
            The output samples now due (float64).
        newest : ndarray of int, shape (n_out,)
            For each output sample, the index in ``chunk`` of the newest
            input sample it depends on.
        """
        x = np.asarray(chunk, dtype=np.float64)
        k = self._k
        if self._hist is None:
            if x.shape[1] == 0:
                return np.empty((x.shape[0], 0)), np.empty(0, dtype=int)
            self._hist = np.repeat(x[:, :1], k - 1, axis=1)  # steady start
        buf = np.concatenate([self._hist, x], axis=1)
        n_in = self._n_in + x.shape[1]
        last = (n_in * self.up - 1) // self.down if n_in else -1
        m = np.arange(self._n_out, last + 1)
        pos = m * self.down
        phase, newest = pos % self.up, pos // self.up  # newest input index (absolute)
        base = self._n_in - (k - 1)  # absolute index of buf[:, 0]
        idx = (newest - base)[:, np.newaxis] - np.arange(k)[np.newaxis, :]
        out = (buf[:, idx] * self._phases[phase][np.newaxis]).sum(axis=-1)
        self._hist = buf[:, buf.shape[1] - (k - 1):] if k > 1 else buf[:, :0]
        self._n_in = n_in
        self._n_out = last + 1
        return out, newest - (n_in - x.shape[1])
