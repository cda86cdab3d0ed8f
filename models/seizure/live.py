"""Live seizure detection: a stream in, predictions and alerts out, as they happen.

:class:`LivePipeline` runs a trained :class:`~models.seizure.detector.SeizureDetector`
on a live source (:class:`acquisition.stream.LSLSource`, or any object with
its interface, such as :class:`acquisition.stream.ArraySource`). It is the
offline detector cut into chunks, with nothing else changed:

1. each chunk's channels are mapped to the model's channels in the model's
   order by the detector's own rules (picking, re-referencing a monopolar
   stream into the model's bipolar pairs, missing channels left flat in
   degraded mode, see :meth:`SeizureDetector.prepare
   <models.seizure.detector.SeizureDetector.prepare>`), scaled to µV;
2. resampled causally to the model's rate if the stream's differs
   (:class:`acquisition.stream.OnlineResampler`; offline uses a zero-phase
   resampler, so only there do live and offline differ);
3. filtered by one :class:`acquisition.OnlineFilter` whose state is kept from
   chunk to chunk (chunked filtering equals whole filtering);
4. kept in a ring buffer; every hop, the window that has just completed
   (windows aligned to the stream's first sample exactly as
   :func:`acquisition.sliding_windows` aligns them offline) is flagged and
   zeroed per channel by :meth:`SeizureDetector.windows
   <models.seizure.detector.SeizureDetector.windows>`, and scored by
   :meth:`SeizureDetector.predict_proba_windows
   <models.seizure.detector.SeizureDetector.predict_proba_windows>`: the same cube,
   built once and never rebuilt or recompiled;
5. the running events rule (the detector's ``threshold``, ``min_duration``
   and ``merge_gap``, as :func:`models.seizure.events.events_from_probabilities`
   applies them offline) raises one alert per event, as soon as the event is
   long enough; the alert goes to the :class:`~models.alerts.AlertStore`
   (as ``ongoing``) and to ``on_alert``. The alert keeps that moment; its
   event grows while the seizure lasts (``on_alert_update`` hears each
   step) and, once it has ended (or the stream has, :meth:`finish`), its
   final extent is recorded in the store, the same extent an offline
   detection of the same samples gives;
6. with ``outlets`` (:class:`models.outlets.PredictionOutlets`), each
   window's probability and each alert are published as LSL streams,
   stamped with the LSL time of the window's last sample.

So for the same samples the live path gives the same window probabilities,
channel scores and events as :meth:`SeizureDetector.detect
<models.seizure.detector.SeizureDetector.detect>` on the whole recording
(``tests/models/seizure/test_live.py`` proves it, through LSL too).

:func:`models.seizure.headless.run_headless` replays a recording as a live
LSL stream and runs this pipeline on it (the terminal demo).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from acquisition.stream import RingBuffer

from .. import logger
from ..alerts.records import Alert
from ..io import model_identity
from .events import EventTracker, SeizureEvent

if TYPE_CHECKING:
    from .detector import Detection

# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclasses.dataclass(eq=False)
class Prediction:
    """What the pipeline says about one window, as soon as it is complete.

    Attributes
    ----------
    index : int
        Window number, from 0.
    onset : float
        Window start, seconds from the stream's first sample (as
        :func:`acquisition.sliding_windows` gives offline).
    duration : float
        Window length, seconds.
    proba : float
        Seizure probability.
    channel_scores : ndarray, shape (n_channels,)
        Involvement of each model channel (``-inf`` where flagged), as in
        :attr:`Detection.channel_scores <models.seizure.detector.Detection>`.
    flagged : ndarray of bool, shape (n_channels,)
        Channels flat or disconnected in this window (set flat).
    positive : bool
        ``proba >= threshold``.
    timestamp : float
        LSL timestamp of the window's last sample.
    emitted_at : float
        LSL clock time when the prediction was made.
    latency : float | None
        ``emitted_at - (timestamp - source.stamp_lead)``: seconds from the
        moment the window's last sample was sent on the stream (its
        timestamp, less the sender's stamp lead, e.g. PlayerLSL's one chunk)
        to this prediction: transport, waiting for the next pull, filtering
        and the cube. None when the source is not live (an
        :class:`~acquisition.stream.ArraySource` fed faster than real time).
    pull_latency : float
        ``emitted_at`` minus the moment the pipeline pulled that sample.
    compute_s : float
        Seconds spent on this window (flagging, cube, readout, scores).
    spikes : ndarray of int8, shape (n_channels, n_times) | None
        The encoder's spikes of the window (+1/-1/0): the cube's input.
    activity : neucube.cube.CubeActivity | None
        The reservoir's spikes on the window (one sample), for a raster.
    alert : models.alerts.Alert | None
        The alert this window raised, if any (with its store id once stored).
    alert_updates : list of models.alerts.Alert
        Alerts whose event this window grew (``ongoing``) or closed (not
        ``ongoing``: at its final extent), as they are now.
    """

    index: int
    onset: float
    duration: float
    proba: float
    channel_scores: np.ndarray
    flagged: np.ndarray
    positive: bool
    timestamp: float
    emitted_at: float
    latency: float | None
    pull_latency: float
    compute_s: float
    spikes: np.ndarray | None = None
    activity: object = None
    alert: object = None
    alert_updates: list = dataclasses.field(default_factory=list)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _channel_plan(detector, ch_names, ch_types, where):
    """How to build each model channel from the stream's channels.

    The detector's own montage rules run on a Raw whose data are the identity
    matrix (one sample per stream channel), so the result's rows are the
    coefficients of each model channel over the stream's channels: exactly
    what :meth:`SeizureDetector.prepare` does to a recording, as a linear map.

    Returns
    -------
    terms : list of list of (int, float)
        For each model channel, (stream row, coefficient) pairs; empty for a
        missing channel.
    missing : list of str
    """
    import mne

    n = len(ch_names)
    valid = set(mne.io.get_channel_type_constants())
    types = [t if t in valid else "misc" for t in (ch_types or ["eeg"] * n)]
    info = mne.create_info(list(ch_names), 1000.0, types)
    eye = mne.io.RawArray(np.eye(n), info, verbose="error")
    montage = detector._to_model_montage(eye, where)
    present, missing = detector._match_channels(montage.ch_names, where)
    coef = montage.get_data()
    model = list(detector.ch_names)
    terms = [[] for _ in model]
    for name in present:
        row = coef[montage.ch_names.index(name)]
        terms[model.index(name)] = [(int(j), float(row[j])) for j in np.flatnonzero(row)]
    return terms, missing


def _percentiles(values):
    values = np.asarray([v for v in values if v is not None], dtype=float)
    if values.size == 0:
        return {"n": 0, "median": None, "p95": None, "max": None}
    return {
        "n": int(values.size),
        "median": float(np.median(values)),
        "p95": float(np.percentile(values, 95)),
        "max": float(values.max()),
    }


# ---------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------


class LivePipeline:
    """Run a seizure detector on a live source, window by window.

    Parameters
    ----------
    detector : SeizureDetector
        A trained detector (e.g. ``SeizureDetector.load(shipped_model_path())``).
        Its window, hop, filter, flagging and events settings are used as
        they are.
    source : LSLSource | ArraySource
        Where the samples come from (connected here if it is not yet). Any
        object with ``ch_names``, ``ch_types``, ``sfreq``, ``state``,
        ``connect()``, ``pull() -> (data (n_channels, n) in SI units,
        timestamps (n,))``, ``status()`` and ``stamp_lead`` will do.
    alert_store : AlertStore | path-like | None
        Where alerts are stored. A path is opened on the first alert, in the
        thread that processes the stream (an SQLite connection belongs to the
        thread that opened it), and closed by :meth:`close`.
    recording : str | None
        Identifier the alerts are stored under; by default
        ``"lsl:<stream name>@<UTC start>"``, unique per session.
    model_id, model_version : str | None
        The model, as stored with alerts (see :func:`models.io.model_identity`).
    on_prediction : callable | None
        Called with each :class:`Prediction`, in the processing thread.
    on_alert : callable | None
        Called with each :class:`~models.alerts.Alert` as it is raised, in the
        processing thread (a GUI must hand it over to its own thread).
    on_alert_update : callable | None
        Called with an :class:`~models.alerts.Alert` each time its event grows
        (``alert.ongoing`` True) and once when it is closed (``ongoing``
        False, at its final extent, as stored), in the processing thread.
    outlets : models.outlets.PredictionOutlets | None
        LSL outlets each prediction is published on (and the alert it
        raised), before ``on_prediction`` is called, with the LSL timestamp of
        the window's last sample (see :meth:`PredictionOutlets.publish
        <models.outlets.PredictionOutlets.publish>`). They stay the caller's
        to close.
    extent_every : float
        While an alert's event grows, its extent so far is recorded in the
        store (as ``'ongoing'``) each time it has grown this many seconds
        more, so that a crash during a long seizure loses at most that much
        of its extent; the final extent is recorded when it closes in any
        case.
    buffer_seconds : float
        Seconds of filtered signal the ring buffer keeps (for display; at
        least one window and one hop are always kept).
    keep_predictions : int
        Most recent :class:`Prediction` objects kept in :attr:`predictions`
        (probabilities and scores of all windows are kept in any case).
    warmup : bool
        Score one flat window at once (:meth:`warmup`), so that the cube's
        network is built and its code loaded before the stream starts and
        the first real window is not seconds late.

    Attributes
    ----------
    ch_names : list of str
        The model's channels, in order (the rows of every window).
    sfreq : float
        The model's rate.
    missing : list of str
        Model channels the stream lacks (left flat).
    predictions : collections.deque of Prediction
        The most recent predictions.
    alerts : list of Alert
        Every alert raised.
    latest : Prediction | None
        The last prediction (with its cube activity, for display).

    Notes
    -----
    Call :meth:`step` repeatedly (it pulls once and returns the new
    predictions), or :meth:`run` to loop until the source ends, or
    :meth:`start` to loop in a background thread. Errors raised by the
    callbacks or the alert store are logged, never raised: the stream goes
    on.
    """

    def __init__(
        self,
        detector,
        source,
        *,
        alert_store=None,
        recording=None,
        model_id=None,
        model_version=None,
        on_prediction=None,
        on_alert=None,
        on_alert_update=None,
        outlets=None,
        extent_every=30.0,
        buffer_seconds=10.0,
        keep_predictions=3600,
        warmup=True,
    ):
        from collections import deque

        if not hasattr(detector, "classifier_"):
            raise ValueError(
                "detector is not trained: load one with SeizureDetector.load(path) or fit it."
            )
        detector._check_params()
        self.detector = detector
        self.source = source
        self.ch_names = list(detector.ch_names)
        self.sfreq = float(detector.sfreq)
        self.n_window = int(round(detector.window * self.sfreq))
        self.n_hop = int(round(detector.hop * self.sfreq))
        self.window = float(detector.window)
        cap = max(self.n_window + self.n_hop, int(round(buffer_seconds * self.sfreq)))
        self._ring = RingBuffer(len(self.ch_names), cap, extras=("stamps", "pulled"))
        self._store_arg = alert_store
        self._store = None
        self._own_store = False
        self.recording = recording
        ident = model_identity(detector)
        self.model_id = model_id or ident[0]
        self.model_version = model_version if model_version is not None else ident[1]
        self.on_prediction = on_prediction
        self.on_alert = on_alert
        self.on_alert_update = on_alert_update
        self._alert_of = {}  # event number -> index in self.alerts
        self.extent_every = float(extent_every)
        if not self.extent_every > 0:
            raise ValueError(
                f"extent_every must be a positive number of seconds, got {extent_every!r}."
            )
        self._recorded = {}  # alert id -> the duration last recorded in the store
        self.outlets = outlets
        self._n_unpublished = 0
        self.predictions = deque(maxlen=int(keep_predictions))
        self.alerts = []
        self.latest = None
        self.missing = []
        self.resampled_from = None
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = None
        self._ready = False
        self._next = 0  # next window index
        det = detector
        self._events = EventTracker(
            window=self.window,
            threshold=det.threshold,
            min_duration=det.min_duration,
            merge_gap=det.merge_gap,
            ch_names=self.ch_names,
            n_channels=det.n_top_channels,
        )
        self._times, self._proba, self._scores = (
            self._events.times,
            self._events.proba,
            self._events.channel_scores,
        )
        self._bad = []
        self._latency, self._pull_latency, self._compute = [], [], []
        self._chunks = []  # (n source samples, seconds of compute)
        self._n_in = 0  # source samples processed
        self._n_held = 0
        self._last_good = None
        self.started_at = None
        if warmup:
            self.warmup()
        if getattr(source, "ch_names", None) is not None and getattr(source, "sfreq", None):
            self._setup()

    def __repr__(self):
        return (
            f"<LivePipeline | {len(self.ch_names)} channels at {self.sfreq:g} Hz, "
            f"{len(self._proba)} windows, {len(self.alerts)} alerts, source "
            f"{getattr(self.source, 'state', '?')}>"
        )

    # -- setup --------------------------------------------------------------------

    def _setup(self):
        from acquisition import OnlineFilter
        from acquisition.stream import OnlineResampler

        det = self.detector
        src = self.source
        where = f"stream {getattr(src, 'name', None) or 'source'!r}"
        self._terms, self.missing = _channel_plan(
            det, list(src.ch_names), getattr(src, "ch_types", None), where
        )
        self._missing_rows = [self.ch_names.index(c) for c in self.missing]
        self._used_rows = sorted({j for terms in self._terms for j, _ in terms})
        sfreq = float(src.sfreq)
        self._resampler = None
        if abs(sfreq - self.sfreq) > 1e-6:
            self._resampler = OnlineResampler(sfreq, self.sfreq)
            self.resampled_from = sfreq
            logger.warning(
                "%s is sampled at %g Hz; resampled causally to the model's %g Hz (a %.0f ms "
                "delay; results differ slightly from offline detection, which resamples "
                "with a zero-phase filter).",
                where,
                sfreq,
                self.sfreq,
                1e3 * self._resampler.delay,
            )
        self._filter = OnlineFilter(
            self.sfreq, l_freq=det.l_freq, h_freq=det.h_freq, notch=det.notch
        )
        self._level = None
        if det.follows_background:
            self._level = det.background_level(margin=self.n_window // self.n_hop + 4)
        self._source_sfreq = sfreq
        self._ready = True
        logger.info(
            "Live pipeline on %s: %d model channels (%d missing), window %g s, hop %g s, "
            "threshold %g.",
            where,
            len(self.ch_names),
            len(self.missing),
            det.window,
            det.hop,
            det.threshold,
        )

    def warmup(self) -> float:
        """Score one flat window, so the cube is built before the stream starts.

        The detector's cube builds its Brian2 network (and loads its compiled
        code) on first use, which takes seconds; afterwards every window runs
        on that same network.

        Returns
        -------
        seconds : float
            How long it took.
        """
        t0 = time.perf_counter()
        flat = np.zeros((1, len(self.ch_names), self.n_window))
        self.detector.predict_proba_windows(flat)
        took = time.perf_counter() - t0
        logger.debug("Live pipeline warmed up in %.2f s.", took)
        return took

    def _open_store(self):
        if self._store is not None or self._store_arg is None:
            return self._store
        from ..alerts import AlertStore

        if isinstance(self._store_arg, AlertStore):
            self._store = self._store_arg
        else:
            self._store = AlertStore(self._store_arg)
            self._own_store = True
        return self._store

    # -- processing -----------------------------------------------------------------

    def _to_model(self, data):
        """Stream channels (SI units) → model channels in µV."""
        x = data
        rows = self._used_rows
        if rows and not np.isfinite(x[rows]).all():
            x = self._hold_last(x)
        out = np.zeros((len(self.ch_names), x.shape[1]))
        for i, terms in enumerate(self._terms):
            if not terms:
                continue
            j, c = terms[0]
            acc = x[j] if c == 1.0 else c * x[j]
            for j, c in terms[1:]:
                acc = acc + c * x[j]
            out[i] = acc
        out *= 1e6  # as raw.get_data(units="uV")
        if x.shape[1]:
            self._last_good = x[:, -1].copy()
        return out

    def _hold_last(self, x):
        """Replace NaN/inf samples by the channel's last good value."""
        x = np.array(x, dtype=np.float64)
        bad = ~np.isfinite(x)
        if self._n_held == 0:
            logger.warning(
                "Non-finite samples in the stream; each is replaced by its channel's last "
                "good value (the causal filter cannot take them)."
            )
        self._n_held += int(bad.sum())
        last = self._last_good if self._last_good is not None else np.zeros(x.shape[0])
        for ch in np.flatnonzero(bad.any(axis=1)):
            row = x[ch]
            prev = last[ch] if np.isfinite(last[ch]) else 0.0
            for t in np.flatnonzero(bad[ch]):
                row[t] = prev if t == 0 else row[t - 1]
        return x

    def step(self) -> list[Prediction]:
        """Pull once from the source and process what came.

        Returns
        -------
        predictions : list of Prediction
            The windows completed by these samples (often none: one per hop).
        """
        if getattr(self.source, "state", "connected") == "idle":
            self.source.connect()
        if not self._ready:
            self._setup()
        data, stamps = self.source.pull()
        n = data.shape[1]
        if n == 0:
            return []
        pulled = _lsl_now()
        t0 = time.perf_counter()
        if self.started_at is None:  # wall-clock time of the first sample
            age = 0.0
            if getattr(self.source, "live", True):
                sent = float(stamps[0]) - float(getattr(self.source, "stamp_lead", 0.0))
                age = max(0.0, pulled - sent)
            self.started_at = _dt.datetime.now(_dt.UTC) - _dt.timedelta(seconds=age)
        x = self._to_model(data)
        if self._resampler is not None:
            x, newest = self._resampler.process(x)
            stamps = stamps[newest]
        x = self._filter.filter(x)
        if self._missing_rows:
            x[self._missing_rows] = 0.0
        out = []
        for a in range(0, x.shape[1], self.n_hop):
            b = min(x.shape[1], a + self.n_hop)
            if self._level is not None:
                self._level.update(x[:, a:b])
            with self._lock:
                self._ring.append(x[:, a:b], stamps=stamps[a:b], pulled=pulled)
            while self._next * self.n_hop + self.n_window <= self._ring.total:
                out.append(self._emit(self._next))
                self._next += 1
        self._n_in += n
        self._chunks.append((n, time.perf_counter() - t0))
        return out

    def _emit(self, k):
        det = self.detector
        start = k * self.n_hop
        t0 = time.perf_counter()
        with self._lock:
            seg, stamps, pulled = self._ring.get(start, start + self.n_window)
        win, _, bad = det.windows(seg)
        scale = None if self._level is None else det.window_scales(self._level, [k])
        scored = det.score_windows(win, bad, scale)
        proba, activity, scores = scored.proba, scored.activity, scored.channel_scores
        spikes = None if scored.spikes is None else scored.spikes[0]
        emitted = _lsl_now()
        compute = time.perf_counter() - t0
        live = getattr(self.source, "live", True)
        lead = float(getattr(self.source, "stamp_lead", 0.0))
        latency = emitted - (float(stamps[-1]) - lead) if live else None
        onset = start / self.sfreq  # as sliding_windows: index * hop_samples / sfreq
        p = float(proba[0])
        with self._lock:
            changes = self._events.feed(onset, p, scores[0])
            self._bad.append(bad[0])
            self._latency.append(latency)
            self._pull_latency.append(emitted - float(pulled[-1]))
            self._compute.append(compute)
        pred = Prediction(
            index=k,
            onset=onset,
            duration=self.window,
            proba=p,
            channel_scores=scores[0],
            flagged=bad[0],
            positive=p >= det.threshold,
            timestamp=float(stamps[-1]),
            emitted_at=emitted,
            latency=latency,
            pull_latency=emitted - float(pulled[-1]),
            compute_s=compute,
            spikes=spikes,
            activity=activity,
        )
        for change in changes:
            if change.kind == "raised":
                pred.alert = self._raise_alert(change, pred)
            else:
                pred.alert_updates.append(self._follow_alert(change))
        with self._lock:
            if self.latest is not None:
                self.latest.activity = None  # keep one cube activity in memory
            self.predictions.append(pred)
            self.latest = pred
        if self.outlets is not None and not self.outlets.deliver(pred):
            self._n_unpublished += 1
        if self.on_prediction is not None:
            try:
                self.on_prediction(pred)
            except Exception:
                logger.exception("on_prediction raised; the stream goes on.")
        return pred

    def _raise_alert(self, change, pred):
        """Store an event that just became long enough, and tell on_alert."""
        event = change.event
        alert = Alert.from_event(
            event,
            recording=self._recording_id(),
            model_id=self.model_id,
            model_version=self.model_version,
            threshold=self.detector.threshold,
            recording_start=self.started_at.isoformat() if self.started_at else None,
            latency=pred.latency,
            ongoing=True,
        )
        logger.info(
            "Seizure alert: event from %.1f s (%.1f s so far), confidence %.3f, channels %s.",
            event.onset,
            event.duration,
            event.confidence,
            ", ".join(event.channels),
        )
        alert = self._store_alert(alert)
        self._alert_of[change.number] = len(self.alerts)
        self.alerts.append(alert)
        if self.on_alert is not None:
            try:
                self.on_alert(alert)
            except Exception:
                logger.exception("on_alert raised; the stream goes on.")
        return alert

    def _follow_alert(self, change):
        """Grow a raised alert's event; record its final extent when it is closed."""
        j = self._alert_of[change.number]
        alert = self.alerts[j]
        closed = change.kind == "closed"
        grown = alert.with_extent(change.event, ongoing=not closed)
        if closed:
            logger.info(
                "Seizure event from %.1f s closed: %.1f s long, confidence %.3f.",
                grown.onset,
                grown.duration,
                grown.confidence,
            )
            if alert.id is not None:
                grown = self._store_extent(grown)
        elif alert.id is not None:
            last = self._recorded.get(alert.id, alert.raised_duration or alert.duration)
            if grown.duration - last >= self.extent_every - 1e-9:
                grown = self._store_extent(grown)
        self.alerts[j] = grown
        if self.on_alert_update is not None:
            try:
                self.on_alert_update(grown)
            except Exception:
                logger.exception("on_alert_update raised; the stream goes on.")
        return grown

    def _store_extent(self, alert):
        """Record an alert's extent (final unless ongoing); return it as stored (or as it is)."""
        try:
            stored = self._open_store().record_extent(
                alert.id,
                alert.duration,
                alert.confidence,
                alert.channels,
                usable=alert.usable,
                closed=not alert.ongoing,
            )
            self._recorded[alert.id] = alert.duration
            return dataclasses.replace(stored, latency=alert.latency)
        except Exception:
            logger.exception(
                "The extent of alert %s could not be stored; it is kept in memory "
                "(pipeline.alerts) and the store shows its last recorded extent.",
                alert.id,
            )
            return alert

    def finish(self) -> list:
        """Close the events still open: the stream has ended (or is left).

        Each alert whose event was still growing gets its extent so far as
        its final extent, in the store and in :attr:`alerts`; the outlets
        publish it as closed, stamped with the last sample's LSL time. A
        second call does nothing. :meth:`run` calls it when a finite source
        has handed out everything, :meth:`close` in any case.

        Returns
        -------
        alerts : list of Alert
            The alerts closed now.
        """
        with self._lock:
            changes = self._events.finish()
            stamp = None
            if changes and self._ring.total:
                _, stamps, _ = self._ring.get(self._ring.total - 1, self._ring.total)
                stamp = float(stamps[-1])
        closed = [self._follow_alert(change) for change in changes]
        if self.outlets is not None and stamp is not None:
            for alert in closed:
                try:
                    self.outlets.publish_alert(alert, stamp)
                except Exception:
                    logger.exception("The closed alert %s could not be published.", alert.id)
        return closed

    def _recording_id(self):
        if self.recording is None:
            start = (self.started_at or _dt.datetime.now(_dt.UTC)).isoformat(timespec="seconds")
            self.recording = f"live:{getattr(self.source, 'name', None) or 'stream'}@{start}"
        return self.recording

    def _store_alert(self, alert):
        """Store the alert; return it as stored (or as it is, if it cannot be)."""
        try:
            store = self._open_store()
            if store is None:
                return alert
            (alert_id,) = store.add_alerts([alert])
            return dataclasses.replace(store.get(alert_id), latency=alert.latency)
        except Exception:
            logger.exception(
                "The alert could not be stored; it is kept in memory (pipeline.alerts)."
            )
            return alert

    # -- loops ----------------------------------------------------------------------

    def run(
        self,
        *,
        duration: float | None = None,
        timeout: float | None = None,
        until: Callable[[LivePipeline], bool] | None = None,
        poll_interval: float = 0.005,
    ) -> LivePipeline:
        """Process the stream until it ends (or a limit is reached).

        Parameters
        ----------
        duration : float | None
            Stop after this many seconds of stream have been processed.
        timeout : float | None
            Stop after this many seconds of wall-clock time.
        until : callable | None
            Stop when ``until(pipeline)`` returns True (checked after every
            pull).
        poll_interval : float
            Seconds to sleep when a pull brings nothing.

        Returns
        -------
        self : LivePipeline
            The pipeline.

        Notes
        -----
        Also stops when :meth:`stop` is called (from another thread) or when
        a finite source (``source.ended``) has handed out everything.
        """
        t_end = None if timeout is None else time.monotonic() + float(timeout)
        self._stop.clear()
        while not self._stop.is_set():
            new = self.step()
            if duration is not None and self._n_in >= duration * self._source_sfreq:
                break
            if until is not None and until(self):
                break
            if t_end is not None and time.monotonic() >= t_end:
                logger.info("LivePipeline.run: timeout of %g s reached.", timeout)
                break
            if not new and getattr(self.source, "ended", False):
                self.finish()  # a finite source has handed out everything
                break
            if not new:
                time.sleep(poll_interval)
        return self

    def start(self, **kwargs: object) -> LivePipeline:
        """Run :meth:`run` in a background thread.

        Parameters
        ----------
        **kwargs
            Passed to :meth:`run`.

        Returns
        -------
        self : LivePipeline
            The pipeline, running.
        """
        if self._thread is not None and self._thread.is_alive():
            return self

        def _target():
            try:
                self.run(**kwargs)
            except Exception:
                logger.exception("The live pipeline stopped on an error.")

        self._thread = threading.Thread(target=_target, name="neucube-live", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> LivePipeline:
        """Stop :meth:`run` (and wait for a background thread).

        Parameters
        ----------
        timeout : float
            Seconds to wait for the thread.

        Returns
        -------
        self : LivePipeline
            The pipeline.
        """
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        return self

    def close(self) -> None:
        """Stop, close the open events (:meth:`finish`), and the store if the pipeline opened it."""
        self.stop()
        if self._ready:
            self.finish()
        if self._own_store and self._store is not None:
            self._store.close()
            self._store = None
            self._own_store = False

    # -- results --------------------------------------------------------------------

    @property
    def n_windows(self) -> int:
        """int: Windows scored so far."""
        return len(self._proba)

    @property
    def seconds(self) -> float:
        """float: Seconds of stream processed (at the stream's rate)."""
        return self._n_in / self._source_sfreq if self._ready else 0.0

    def get_data(self, seconds: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return the most recent filtered signal, for display.

        Parameters
        ----------
        seconds : float | None
            How much (None: all the ring buffer holds).

        Returns
        -------
        data : ndarray, shape (n_channels, n_times)
            Filtered EEG in µV, model channels in order.
        timestamps : ndarray, shape (n_times,)
            LSL timestamps of those samples.
        """
        with self._lock:
            ring = self._ring
            n = ring.n_kept
            if seconds is not None:
                n = min(n, int(round(seconds * self.sfreq)))
            data, stamps, _ = ring.get(ring.total - n, ring.total)
            return data, stamps

    def events(self) -> list[SeizureEvent]:
        """Events over all windows so far, by the offline rule.

        Returns
        -------
        events : list of SeizureEvent
            :func:`models.seizure.events.events_from_probabilities` with the
            detector's settings, as :meth:`SeizureDetector.detect` applies it.
        """
        with self._lock:
            return self._events.events

    def detection(self) -> Detection:
        """Everything so far as a :class:`~models.seizure.detector.Detection`.

        Returns
        -------
        detection : Detection
            What :meth:`SeizureDetector.detect` returns for the same samples.
        """
        from .detector import Detection

        with self._lock:
            bad = np.array(self._bad).reshape(-1, len(self.ch_names))
            flagged = {
                c: int(n)
                for c, n in zip(self.ch_names, bad.sum(axis=0))
                if n and c not in self.missing
            }
            return Detection(
                events=self.events(),
                times=np.array(self._times),
                proba=np.array(self._proba),
                channel_scores=np.array(self._scores).reshape(-1, len(self.ch_names)),
                ch_names=list(self.ch_names),
                flagged=flagged,
                missing=list(self.missing),
                duration=self._ring.total / self.sfreq,
                sfreq=self.sfreq,
                resampled_from=self.resampled_from,
            )

    def summary(self) -> dict:
        """Return the counts, latency and load so far.

        Returns
        -------
        summary : dict
            ``seconds`` and ``samples`` of stream processed, ``windows``,
            ``alerts``, ``events``; ``latency`` (from a sample's arrival to its
            window's prediction, see :class:`Prediction`), ``pull_latency``,
            ``window_compute_s``: each ``{n, median, p95, max}`` in seconds;
            ``chunk_load``: compute time per pulled chunk as a share of the
            chunk's duration ``{n, median, p95, max}`` and ``overall`` (all
            compute over all stream time); ``unpublished``: windows the
            outlets failed to publish; ``source``: the source's status.
        """
        with self._lock:
            loads = [c / (n / self._source_sfreq) for n, c in self._chunks] if self._ready else []
            total_n = sum(n for n, _ in self._chunks)
            total_c = sum(c for _, c in self._chunks)
            status = self.source.status() if hasattr(self.source, "status") else None
            return {
                "seconds": self.seconds,
                "samples": self._n_in,
                "windows": len(self._proba),
                "alerts": len(self.alerts),
                "events": len(self.events()),
                "latency": _percentiles(self._latency),
                "pull_latency": _percentiles(self._pull_latency),
                "window_compute_s": _percentiles(self._compute),
                "chunk_load": {
                    **_percentiles(loads),
                    "overall": (total_c / (total_n / self._source_sfreq)) if total_n else None,
                },
                "nonfinite_held": self._n_held,
                "unpublished": self._n_unpublished,
                "source": None if status is None else status.to_dict(),
            }


def _lsl_now():
    from acquisition.stream import local_clock

    return local_clock()
