"""The live pipeline in a terminal: a recording replayed as LSL, alerts printed as they happen.

:func:`run_headless` replays a recording as a live LSL stream
(:class:`acquisition.stream.FileReplay`, with a counter channel), runs the
:class:`~models.seizure.live.LivePipeline` on it, reports each alert as it is
raised and a summary at the end, including the samples the stream dropped.
With ``publish=True`` it also publishes each window's probability and each
alert as LSL streams (:class:`models.outlets.PredictionOutlets`).
``neucube demo --headless`` and ``benchmarks/live_latency.py`` run it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .. import logger
from ..io import model_identity
from .live import LivePipeline, Prediction

if TYPE_CHECKING:
    import mne

    from ..outlets import PredictionOutlets

__all__ = ["HeadlessResult", "run_headless"]


@dataclasses.dataclass(eq=False)
class HeadlessResult:
    """What :func:`run_headless` reports.

    Attributes
    ----------
    lines : list of str
        Every line reported, in order (alerts as they happened, then the
        summary).
    summary : dict
        :meth:`LivePipeline.summary`, plus ``file``, ``stream``,
        ``n_times`` (samples sent), ``received``, ``dropped`` (from the
        counter channel: samples sent but never received, 0 when none was
        lost), ``repeated``, ``model_id``, ``model_version``, ``recording``,
        ``published`` (the names of the LSL streams published, or None).
    detection : Detection
        Probabilities, scores and final events of all windows.
    alerts : list of Alert
        The alerts raised.
    """

    lines: list
    summary: dict
    detection: object
    alerts: list


def _fmt(x, unit=" s", digits=3):
    return "n/a" if x is None else f"{x:.{digits}f}{unit}"


def run_headless(
    fname: str | os.PathLike | mne.io.BaseRaw | None = None,
    model: str | os.PathLike | None = None,
    db: str | os.PathLike | Literal[False] | None = None,
    duration: float | None = None,
    stream_name: str | None = None,
    *,
    chunk_size: int = 16,
    process: bool = True,
    echo: Callable[[str], object] | None = None,
    on_prediction: Callable[[Prediction], object] | None = None,
    recording: str | None = None,
    timeout: float | None = None,
    publish: bool | PredictionOutlets = False,
    publish_wait: float = 0.0,
) -> HeadlessResult:
    """Replay a recording as a live LSL stream and detect seizures on it, headless.

    A :class:`~acquisition.stream.FileReplay` streams the file in real time
    (with a counter channel) while a :class:`LivePipeline` reads it back
    through an :class:`~acquisition.stream.LSLSource`. Alerts are reported as
    they are raised, then a summary. It ends by itself when the file is done.

    Parameters
    ----------
    fname : path-like | mne.io.Raw | None
        The recording; None: ``sample_data.SEIZURE_EDF`` (CHB-MIT, 50 s, a
        seizure from 10 s).
    model : path-like | None
        A detector model file; None: the shipped model.
    db : path-like | None | False
        Alert store for the alerts: a path, None for the user's default store
        (as ``neucube detect``), False for none.
    duration : float | None
        Stream only the first ``duration`` seconds of the recording.
    stream_name : str | None
        Name (and source id) of the LSL stream; a unique one by default.
    chunk_size : int
        Samples per LSL push.
    process : bool
        Replay from a child process (default), so the player keeps time
        while this process computes; False plays in a thread here.
    echo : callable | None
        Called with each report line as it happens (e.g. ``print``).
    on_prediction : callable | None
        Passed to :class:`LivePipeline`.
    recording : str | None
        Identifier of the stored alerts; by default the file's absolute path
        (so a replayed file's alerts are the same alerts ``neucube detect``
        stores for it: a second run keeps the first).
    timeout : float | None
        Give up after this many seconds (default: the recording's length plus
        60 s).
    publish : bool | PredictionOutlets
        Publish each window's seizure probability and each alert as LSL
        streams, ``"<stream>-neucube-proba"`` (type ``Prediction``) and
        ``"<stream>-neucube-alerts"`` (type ``Markers``, JSON), see
        :class:`models.outlets.PredictionOutlets`: True creates them and
        closes them at the end; outlets given are used and left open (they
        are the caller's to close).
    publish_wait : float
        With ``publish``, wait up to this many seconds for a consumer (e.g.
        LabRecorder) on both streams before the replay starts, so that it
        records every sample.

    Returns
    -------
    result : HeadlessResult
        The lines, the summary, the detection and the alerts.
    """
    from acquisition import read_raw
    from acquisition.stream import FileReplay, LSLSource

    from .detector import SeizureDetector, shipped_model_path

    lines = []

    def say(line):
        lines.append(line)
        logger.info("%s", line)
        if echo is not None:
            echo(line)

    if fname is None:
        from sample_data import SEIZURE_EDF

        fname = SEIZURE_EDF
    model_path = Path(model) if model is not None else shipped_model_path()
    det = SeizureDetector.load(model_path)
    if hasattr(fname, "info") and hasattr(fname, "n_times"):
        raw = fname
        label = raw.filenames[0] if raw.filenames and raw.filenames[0] else "a recording"
    else:
        raw = read_raw(fname)
        label = str(Path(fname).resolve())
    if duration is not None and duration < raw.n_times / raw.info["sfreq"]:
        raw = raw.copy().crop(0, float(duration), include_tmax=False)
    if recording is None:
        recording = str(label)
    model_id, model_version = model_identity(det, model_path)
    store = None
    if db is not False:
        from ..alerts import AlertStore

        store = AlertStore(db)

    def _alert(alert):
        ev = alert.event
        where = f"stored as alert #{alert.id}" if alert.id is not None else "not stored"
        say(
            f"ALERT at {ev.onset + ev.duration:.1f} s of stream: seizure from {ev.onset:.1f} s "
            f"({ev.duration:.1f} s so far), confidence {ev.confidence:.3f}, channels "
            f"{', '.join(ev.channels) or '-'}; latency {_fmt(alert.latency)} ({where})."
        )

    def _alert_update(alert):
        if alert.ongoing:
            return  # grown by one window: said once it is closed
        say(
            f"Alert #{alert.id if alert.id is not None else '-'} closed: seizure from "
            f"{alert.onset:.1f} s to {alert.end:.1f} s ({alert.duration:.1f} s), confidence "
            f"{alert.confidence:.3f}, channels {', '.join(alert.channels) or '-'}."
        )

    replay = FileReplay(raw, name=stream_name, chunk_size=chunk_size, process=process)
    source = LSLSource(
        replay.name, source_id=replay.source_id, stamp_lead=replay.stamp_lead, stall_timeout=1.0
    )
    pipeline = outlets = None
    own_outlets = publish is True
    try:
        if own_outlets:
            from ..outlets import PredictionOutlets

            outlets = PredictionOutlets(replay.name)
        elif publish:
            outlets = publish
        if outlets is not None:
            say(
                f"Publishing on LSL: {outlets.proba_name!r} (type Prediction, the seizure "
                f"probability of each window) and {outlets.marker_name!r} (type Markers, "
                "each alert raised, grown and closed, as JSON), stamped with the EEG's LSL time."
            )
            if publish_wait > 0:
                ok = outlets.wait_for_consumers(publish_wait)
                say(
                    "A consumer is connected to both streams."
                    if ok
                    else f"No consumer on both streams after {publish_wait:g} s; streaming anyway."
                )
        # build the pipeline (and the cube's network) before the stream starts
        pipeline = LivePipeline(
            det,
            source,
            alert_store=store,
            recording=recording,
            model_id=model_id,
            model_version=model_version,
            on_prediction=on_prediction,
            on_alert=_alert,
            on_alert_update=_alert_update,
            outlets=outlets,
        )
        replay.start()
        source.connect()
        say(
            f"Streaming {label} as LSL stream {replay.name!r}: {len(raw.ch_names)} channels + "
            f"counter, {replay.sfreq:g} Hz, {replay.duration:.1f} s, chunks of {chunk_size} "
            f"samples; model {model_id} (threshold {det.threshold:g})."
        )

        pipeline.run(
            until=lambda _: replay.delivered(source),
            timeout=timeout if timeout is not None else replay.duration + 60,
        )
        pipeline.finish()  # the recording has ended: so have its events
        det_result = pipeline.detection()
        summary = pipeline.summary()
    finally:
        if pipeline is not None:
            pipeline.stop()
        source.close()
        replay.stop()
        if store is not None:
            store.close()
        if own_outlets and outlets is not None:
            outlets.close()
    c = source.counter
    received = 0 if c is None else c.n_received
    dropped = None if c is None else c.missing_after(replay.n_times)
    summary.update(
        {
            "file": label,
            "stream": replay.name,
            "n_times": int(replay.n_times),
            "received": received,
            "dropped": dropped,
            "repeated": None if c is None else c.n_repeated,
            "model_id": model_id,
            "model_version": model_version,
            "recording": recording,
            "chunk_size": chunk_size,
            "sfreq": replay.sfreq,
            "player": "process" if process else "thread",
            "stamp_lead_s": replay.stamp_lead,
            "published": None if outlets is None else outlets.names,
        }
    )
    lat, load = summary["latency"], summary["chunk_load"]
    st = summary["source"] or {}
    say(
        f"Done: {summary['seconds']:.1f} s streamed ({summary['samples']} samples), "
        f"{summary['windows']} windows, {summary['alerts']} alert(s), {summary['events']} "
        f"event(s)."
    )
    say(
        f"Dropped samples: {dropped} (counter channel: {received} of {replay.n_times} "
        f"received, {summary['repeated']} repeated)."
    )
    say(
        f"Latency from a sample's arrival to its prediction: median {_fmt(lat['median'])}, "
        f"95th percentile {_fmt(lat['p95'])} (max {_fmt(lat['max'])})."
    )
    say(
        f"Compute per chunk, as a share of its duration: median "
        f"{_fmt(None if load['median'] is None else 100 * load['median'], ' %', 1)}, 95th "
        f"percentile {_fmt(None if load['p95'] is None else 100 * load['p95'], ' %', 1)}, "
        f"overall {_fmt(None if load['overall'] is None else 100 * load['overall'], ' %', 1)}."
    )
    faults = {
        k: st.get(k)
        for k in ("n_stalls", "n_disconnects", "n_out_of_order", "n_overflow")
        if st.get(k)
    }
    say("Stream faults: " + (", ".join(f"{k[2:]} {v}" for k, v in faults.items()) or "none") + ".")
    for ev in det_result.events:
        say(
            f"Event: {ev.onset:.1f}-{ev.end:.1f} s, confidence {ev.confidence:.3f}, channels "
            f"{', '.join(ev.channels) or '-'}."
        )
    return HeadlessResult(
        lines=lines, summary=summary, detection=det_result, alerts=list(pipeline.alerts)
    )
