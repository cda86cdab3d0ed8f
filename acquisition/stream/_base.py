"""What every source shares: its states, its status snapshot, its fault counters.

A source (:class:`~acquisition.stream.LSLSource`,
:class:`~acquisition.stream.ArraySource`) derives from :class:`_SourceBase`
and provides ``ch_names``, ``sfreq``, ``ch_types``, ``connect()``,
``pull()`` and ``close()``; the base counts what :meth:`pull` hands out
(``_account``), checks the counter channel and out-of-order timestamps, and
reports it all in a :class:`SourceStatus`.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np

from .._logging import logger
from .counter import COUNTER_CH, SampleCounter

#: Source states, in the order a stream normally goes through them.
STATES = ("idle", "connected", "stalled", "disconnected", "closed")


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

    def to_dict(self) -> dict:
        """Return the status as a dict of plain values.

        Returns
        -------
        status : dict
            Field name to value.
        """
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
    def counter_channel(self) -> str | None:
        """str | None: Name of the counter channel in use."""
        return None if self._counter_idx is None else self.ch_names[self._counter_idx]

    @property
    def state(self) -> str:
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
                    "%d so far.",
                    self._label(),
                    n_back,
                    cur[first],
                    prev[first],
                    self._n_out_of_order,
                )
        self._last_ts = float(ts[-1])
        finite = np.isfinite(data)
        if not finite.all():
            bad = int((~finite).sum())
            if self._n_nonfinite == 0:
                logger.warning(
                    "%s: %d NaN or infinite sample value(s) received (channels %s); handed "
                    "out as they are.",
                    self._label(),
                    bad,
                    [self.ch_names[i] for i in np.flatnonzero(~finite.all(axis=1))],
                )
            self._n_nonfinite += bad
        if self.counter is not None:
            dropped, repeated = self.counter.update(data[self._counter_idx])
            if dropped or repeated:
                logger.warning(
                    "%s: counter channel %r shows %d dropped and %d repeated sample(s) in "
                    "this chunk (%d and %d so far).",
                    self._label(),
                    self.counter_channel,
                    dropped,
                    repeated,
                    self.counter.n_dropped,
                    self.counter.n_repeated,
                )

    def _label(self):
        return f"Stream {getattr(self, 'name', None)!r}"

    def status(self) -> SourceStatus:
        """Return the state and fault counters.

        Returns
        -------
        status : SourceStatus
            A snapshot, safe to read from another thread.
        """
        since = None if self._last_data is None else time.monotonic() - self._last_data
        c = self.counter
        return SourceStatus(
            state=self._state,
            name=getattr(self, "name", None),
            n_samples=self._n_samples,
            seconds_since_data=since,
            n_stalls=self._n_stalls,
            n_disconnects=self._n_disconnects,
            n_reconnects=self._n_reconnects,
            n_reconnect_attempts=self._n_attempts,
            n_out_of_order=self._n_out_of_order,
            n_nonfinite=self._n_nonfinite,
            n_overflow=self._n_overflow,
            n_dropped=None if c is None else c.n_dropped,
            n_repeated=None if c is None else c.n_repeated,
        )

    def __enter__(self):
        if self._state == "idle":
            self.connect()
        return self

    def __exit__(self, *exc):
        self.close()
