"""Live EEG from any LSL stream: :class:`LSLSource`.

The source survives stalls, disconnections (with reconnection attempts and
backoff) and out-of-order timestamps: faults change its
:attr:`~LSLSource.state` and the counters of :meth:`~LSLSource.status`,
they are never raised from :meth:`~LSLSource.pull`. Nothing already
received is lost: :meth:`~LSLSource.pull` has handed it out, and the inlet
is drained before it is replaced.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from .._checks import _check_positive
from .._logging import logger
from ._base import _SourceBase
from ._lsl import _lsl


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

    def __init__(
        self,
        name: str | None = None,
        *,
        source_id: str | None = None,
        stype: str | None = None,
        bufsize: float = 30.0,
        stall_timeout: float = 1.0,
        backoff: tuple[float, float] = (0.25, 4.0),
        probe_timeout: float = 0.5,
        connect_timeout: float = 5.0,
        processing_flags: Sequence[str] | None = ("clocksync",),
        standardize_names: bool = True,
        counter: str | None = "auto",
        stamp_lead: float = 0.0,
    ) -> None:
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
            logger.info(
                "processing_flags has 'monotize': out-of-order timestamps will not be seen."
            )
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

    def __repr__(self) -> str:
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

        stream = StreamLSL(self.bufsize, name=self.name, stype=self.stype, source_id=self.source_id)
        stream.connect(
            acquisition_delay=None, processing_flags=self.processing_flags, timeout=timeout
        )
        return stream

    def connect(self, timeout: float | None = None) -> LSLSource:
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
            If no stream matches within ``timeout``, or, without a
            ``source_id``, more than one answers to the name within
            ``probe_timeout``.
        """
        if self._state == "closed":
            raise RuntimeError("This LSLSource was closed; make a new one to connect again.")
        if self._stream is not None:
            return self
        timeout = self.connect_timeout if timeout is None else float(timeout)
        try:
            stream = self._open(timeout)
        except RuntimeError as err:
            if self.source_id is None:
                # mne-lsl refuses a name that two streams answer to when it
                # sees both at once; say so in the same words as the probe.
                self._refuse_ambiguous(None)
            raise RuntimeError(
                f"No single LSL stream matches name={self.name!r}, source_id="
                f"{self.source_id!r}, stype={self.stype!r} within {timeout:g} s ({err}). "
                "Check that the sender is running (e.g. `mne-lsl player FILE`) and on "
                "this network, or pass the right name/source_id."
            ) from err
        if self.source_id is None:
            self._refuse_ambiguous(stream)
        self._adopt(stream, first=True)
        logger.info(
            "Connected to %s: %d channels at %g Hz.", self._label(), len(self.ch_names), self.sfreq
        )
        return self

    def _refuse_ambiguous(self, stream):
        """Refuse a name (or type) that more than one stream answers to.

        liblsl stops resolving at the first stream that matches, so a second
        sender with the same name would be chosen at random. Without a
        ``source_id``, look ``probe_timeout`` seconds for a second one.
        ``stream`` (None when none could be opened) is disconnected first.
        """
        from mne_lsl.lsl import resolve_streams

        found = resolve_streams(self.probe_timeout, self.name, self.stype, None, minimum=2)
        ids = sorted({(s.source_id, s.hostname) for s in found})
        if len(ids) > 1:
            if stream is not None:
                stream.disconnect()
            shown = ", ".join(f"{sid!r} on {host}" for sid, host in ids)
            raise RuntimeError(
                f"{len(ids)} LSL streams match name={self.name!r}, stype={self.stype!r}: "
                f"source ids {shown}. Pass the source_id of the one to record (the app: "
                "--source-id) so that the right amplifier is used."
            )

    def _adopt(self, stream, first=False):
        """Take a connected StreamLSL as the current one (checking it matches)."""
        info = stream.info
        names = list(info["ch_names"])
        if self.standardize_names:
            from ..channels import standardize_channel_names

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
            self._scale = None if not np.any(mul) else (10.0**mul)[:, np.newaxis]
            self.source_id = self.source_id or stream.source_id
            self.name = self.name or stream.name
            self._setup_counter()
        self._stream = stream
        if first:
            self._set_state("connected")
        self._stall_ref = time.monotonic()
        self._delay = self.backoff[0]
        self._next_check = self._stall_ref + self.stall_timeout

    def close(self) -> None:
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
                    "were lost. Pull more often or raise bufsize.",
                    self._label(),
                    n - cap,
                    self.bufsize,
                )
                n = cap
            parts.append(np.array(data[:, cap - n :], dtype=np.float64))
            stamps.append(np.array(ts[cap - n :], dtype=np.float64))
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

    def pull(self) -> tuple[np.ndarray, np.ndarray]:
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
                logger.info(
                    "%s resumed after a stall of %.2f s.",
                    self._label(),
                    time.monotonic() - self._stall_ref,
                )
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
                    logger.debug(
                        "%s: %d sample(s) received by both the old and the new inlet; kept once.",
                        self._label(),
                        int((~keep).sum()),
                    )
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
            logger.debug(
                "%s: %d sample(s) received by both the old and the new inlet; kept once.",
                self._label(),
                int((~keep).sum()),
            )
        return (
            np.concatenate([old_data[:, keep], data], axis=1),
            np.concatenate([old_ts[keep], ts]),
        )

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
                "backoff (%g to %g s).",
                self._label(),
                *self.backoff,
            )
            self._set_state("disconnected")
            self._delay = self.backoff[0]
            self._next_check = time.monotonic() + self._delay

    def _resolves(self):
        lsl = _lsl()
        try:
            found = lsl.resolve_streams(self.probe_timeout, self.name, self.stype, self.source_id)
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
            logger.warning(
                "%s stalled: no new sample for %.2f s (timeout %g s).",
                self._label(),
                now - self._stall_ref,
                self.stall_timeout,
            )
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
            logger.info(
                "%s: reconnection attempt %d failed: %s", self._label(), self._n_attempts, err
            )
            self._backoff(time.monotonic())
            return
        old = None
        if self._stream is not None:
            try:
                old = self._drain()
            except Exception as err:
                logger.debug("%s: the old inlet could not be drained: %s", self._label(), err)
                old = None
            logger.debug(
                "%s: the old inlet held %d sample(s).",
                self._label(),
                0 if old is None or old[1] is None else old[1].size,
            )
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
