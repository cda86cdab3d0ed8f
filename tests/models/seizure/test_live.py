"""The live pipeline gives what the offline detector gives, for the same samples.

The default tests feed recordings through an in-memory source in chunks of
random sizes (the live code path, minus the network); the slow one replays
the bundled CHB-MIT seizure through a real LSL stream in real time.
"""

import logging

import numpy as np
import pytest

from acquisition import read_raw
from acquisition.stream import ArraySource, configure_lsl
from models.alerts import Alert, AlertStore
from models.io import model_identity
from models.seizure.detector import SeizureDetector, shipped_model_path
from models.seizure.headless import run_headless
from models.seizure.live import LivePipeline, Prediction
from sample_data import MOTOR_EDF, SEIZURE_EDF

configure_lsl(resolve_scope="machine")  # before liblsl loads: local only, quiet


@pytest.fixture(scope="module")
def detector():
    return SeizureDetector.load(shipped_model_path())


@pytest.fixture(scope="module")
def chb03():
    return read_raw(SEIZURE_EDF)


@pytest.fixture(scope="module")
def offline(detector, chb03):
    return detector.detect(chb03, progress_bar=False)


def _assert_same(live, off):
    """Live Detection == offline Detection (probabilities to rounding)."""
    np.testing.assert_array_equal(live.times, off.times)
    np.testing.assert_allclose(live.proba, off.proba, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(live.channel_scores, off.channel_scores, rtol=1e-12, atol=1e-12)
    assert live.flagged == off.flagged and live.missing == off.missing
    assert live.ch_names == off.ch_names and live.duration == off.duration
    assert len(live.events) == len(off.events)
    for a, b in zip(live.events, off.events):
        assert (a.onset, a.duration, a.channels) == (b.onset, b.duration, b.channels)
        assert a.confidence == pytest.approx(b.confidence, abs=1e-12)


def _network(detector):
    """Each simulator's built networks, by the number of cubes side by side."""
    sims = detector.classifier_.cube_._sims
    return {
        key: (sim, {copies: built.objs["net"] for copies, built in sim._nets.items()})
        for key, sim in sims.items()
    }


def test_live_equals_offline_in_random_chunks_and_alerts_once(detector, chb03, offline, tmp_path):
    store = AlertStore(tmp_path / "alerts.sqlite")
    preds, alerts = [], []
    src = ArraySource(chb03, chunk_size=(1, 300), random_state=0)
    pipe = LivePipeline(
        detector,
        src,
        alert_store=store,
        recording="chb01_03 live",
        on_prediction=preds.append,
        on_alert=alerts.append,
    )
    built = _network(detector)  # warmup built the cube's one-window network
    assert built and all(1 in nets for _, nets in built.values())
    pipe.run()
    # the same network objects scored every window: nothing rebuilt or recompiled
    assert _network(detector) == built
    _assert_same(pipe.detection(), offline)

    assert [p.index for p in preds] == list(range(49))
    np.testing.assert_array_equal([p.onset for p in preds], offline.times)
    assert all(isinstance(p, Prediction) and p.latency is None for p in preds)  # not real time
    latest = pipe.latest
    assert latest is preds[-1] and latest.spikes.shape == (23, 512)
    assert latest.activity.n_samples == 1 and latest.activity.n_times == 512
    assert preds[0].activity is None  # only the latest window's activity is kept
    data, stamps = pipe.get_data(seconds=2.0)
    assert data.shape == (23, 512) and stamps.shape == (512,)

    # one alert for the one event, raised as soon as it lasted min_duration (3 s):
    # windows at 9 s and 10 s are positive, the second completes at 12 s
    assert len(alerts) == 1 and isinstance(alerts[0], Alert)
    raised = alerts[0]
    ev = raised.event
    assert [p.index for p in preds if p.alert is not None] == [10] and preds[10].alert is raised
    assert (ev.onset, ev.duration) == (offline.events[0].onset, detector.min_duration)
    assert raised.ongoing and raised.raised_time == 12.0
    # every later window grew it (the seizure runs to the end of the file); the end of
    # the stream closed it at the extent the offline detection gives
    assert [len(p.alert_updates) for p in preds] == [0] * 11 + [1] * 38
    assert all(p.alert_updates[0].ongoing for p in preds[11:])
    assert [p.alert_updates[0].duration for p in preds[11:]] == list(range(4, 42))
    (final,) = pipe.alerts
    final_ev = offline.events[0]
    assert (final.onset, final.duration, final.channels) == (
        final_ev.onset,
        final_ev.duration,
        final_ev.channels,
    )
    assert final.confidence == pytest.approx(final_ev.confidence, abs=1e-12)
    assert final.usable == final_ev.usable and not final.ongoing
    assert final.raised_time == 12.0  # the moment it was raised never changes
    stored = store.list()
    assert len(stored) == 1 and stored[0].id == raised.id
    assert stored[0] == final  # one alert record, live and stored
    model_id, model_version = model_identity(detector, shipped_model_path())
    assert (stored[0].recording, stored[0].onset, stored[0].duration) == (
        "chb01_03 live",
        9.0,
        41.0,
    )
    assert (stored[0].model_id, stored[0].model_version) == (model_id, model_version)
    assert stored[0].threshold == detector.threshold and stored[0].channels == final_ev.channels
    # the audit shows it raised ongoing at 3 s, recorded again once 30 s longer (a crash
    # then would keep that much), then closed at 41 s
    assert [(e.state, e.duration) for e in store.extents(raised.id)] == [
        ("ongoing", 3.0),
        ("ongoing", 33.0),
        ("closed", 41.0),
    ]
    assert pipe.finish() == []  # closed once
    store.close()

    summary = pipe.summary()
    assert (summary["windows"], summary["alerts"], summary["events"]) == (49, 1, 1)
    assert summary["samples"] == chb03.n_times and summary["seconds"] == 50.0
    assert summary["chunk_load"]["n"] > 49 and summary["window_compute_s"]["n"] == 49


def test_monopolar_stream_is_rereferenced_like_offline_with_missing_channels(detector):
    # EEGMMIDB is monopolar (64 channels, no FT9/FT10): the model's bipolar pairs are
    # formed live exactly as offline, three pairs are missing (degraded mode)
    raw = read_raw(MOTOR_EDF).crop(0, 12, include_tmax=False).resample(256.0)
    off = detector.detect(raw, progress_bar=False)
    pipe = LivePipeline(detector, ArraySource(raw, chunk_size=(1, 200), random_state=1))
    pipe.run()
    assert pipe.missing == ["T7-FT9", "FT9-FT10", "FT10-T8"]
    _assert_same(pipe.detection(), off)


def test_unseen_seizure_free_stream_at_its_own_rate_raises_no_alert(detector, tmp_path):
    # 30 s of EEGMMIDB S001 (another person, never trained on) streamed at its 160 Hz:
    # re-referenced and resampled live, every window scored, nothing alerted or stored
    raw = read_raw(MOTOR_EDF).crop(0, 30, include_tmax=False)
    store = AlertStore(tmp_path / "alerts.sqlite")
    alerts = []
    src = ArraySource(raw, chunk_size=(1, 200), random_state=5)
    pipe = LivePipeline(detector, src, alert_store=store, on_alert=alerts.append)
    pipe.run()
    live = pipe.detection()
    assert pipe.resampled_from == 160.0 and pipe.missing == ["T7-FT9", "FT9-FT10", "FT10-T8"]
    np.testing.assert_array_equal(live.times, np.arange(29.0))
    assert live.proba.max() < detector.threshold
    assert live.events == [] and pipe.alerts == alerts == [] and store.list() == []
    store.close()
    # offline (zero-phase resampling) agrees: no event either
    assert detector.detect(raw, progress_bar=False).events == []


def test_flat_and_saturated_channel_windows_are_flagged_like_offline(detector, chb03):
    raw = chb03.copy().crop(0, 12, include_tmax=False)
    sfreq = raw.info["sfreq"]
    raw._data[0, int(3 * sfreq) : int(8 * sfreq)] = 0.0  # Fp1-F7 disconnected: flat
    raw._data[6, int(6 * sfreq) : int(6.2 * sfreq)] = 5e-3  # C3-P3 saturated: 5 mV
    off = detector.detect(raw, progress_bar=False)
    assert off.flagged and set(off.flagged) == {"Fp1-F7", "C3-P3"}
    pipe = LivePipeline(detector, ArraySource(raw, chunk_size=(5, 80), random_state=2))
    pipe.run()
    live = pipe.detection()
    _assert_same(live, off)
    assert all(np.isneginf(p.channel_scores[p.flagged]).all() for p in pipe.predictions)


def test_non_finite_samples_are_held_not_fatal(detector, chb03):
    data = chb03.get_data()[:, : 6 * 256].copy()
    data[3, 512:522] = np.nan  # ten samples lost on P7-O1
    data[5, 700] = np.inf
    src = ArraySource(data, 256.0, chb03.ch_names, chunk_size=(1, 64), random_state=4)
    pipe = LivePipeline(detector, src, warmup=False)
    pipe.run()
    assert pipe.n_windows == 5 and np.isfinite(pipe.detection().proba).all()
    assert pipe.summary()["nonfinite_held"] == 11
    assert src.status().n_nonfinite == 11


def test_faster_stream_is_resampled_causally(detector, chb03, offline):
    raw = chb03.copy().resample(512.0)
    pipe = LivePipeline(detector, ArraySource(raw, chunk_size=(1, 400), random_state=3))
    pipe.run()
    live = pipe.detection()
    assert live.resampled_from == 512.0 and live.sfreq == 256.0
    np.testing.assert_array_equal(live.times, offline.times)
    # a causal resampler, not the offline zero-phase one: close, not equal
    assert np.abs(live.proba - offline.proba).max() < 0.3
    assert [(e.onset, e.duration) for e in live.events] == [
        (e.onset, e.duration) for e in offline.events
    ]


def test_callback_and_store_errors_do_not_stop_the_stream(detector, chb03, tmp_path, caplog):
    raw = chb03.copy().crop(0, 13, include_tmax=False)

    def boom(_):
        raise RuntimeError("a broken GUI callback")

    bad_store = tmp_path / "no such folder" / "alerts.sqlite"
    pipe = LivePipeline(
        detector,
        ArraySource(raw, chunk_size=64),
        alert_store=bad_store,
        on_prediction=boom,
        on_alert=boom,
        warmup=False,
    )
    with caplog.at_level(logging.ERROR, logger="neucube.models"):
        pipe.run()
    assert pipe.n_windows == 12 and len(pipe.alerts) == 1
    assert pipe.alerts[0].id is None  # kept in memory, not stored
    assert pipe.alerts[0].recording.startswith("live:")
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "on_prediction raised" in messages and "on_alert raised" in messages
    assert "could not be stored" in messages


def test_untrained_detector_is_refused():
    with pytest.raises(ValueError, match="not trained"):
        LivePipeline(SeizureDetector(), ArraySource(np.zeros((1, 10)), 256.0, ["Cz"]))


def test_extent_every_must_be_positive(detector):
    with pytest.raises(ValueError, match="extent_every must be a positive number of seconds"):
        LivePipeline(detector, ArraySource(np.zeros((1, 10)), 256.0, ["Cz"]), extent_every=0)


@pytest.mark.slow
def test_headless_replay_over_lsl_reports_as_it_goes(tmp_path):
    lines, preds = [], []
    res = run_headless(
        duration=5.0,
        db=tmp_path / "alerts.sqlite",
        process=False,
        echo=lines.append,
        on_prediction=preds.append,
    )
    assert res.lines == lines and lines[0].startswith("Streaming ")
    s = res.summary
    assert (s["seconds"], s["windows"], s["n_times"], s["received"]) == (5.0, 4, 1280, 1280)
    assert s["dropped"] == 0 and s["repeated"] == 0
    # latency and load are measured for every window (their size is the machine's:
    # benchmarks/live_latency.py reports them; a test asserts only that they exist)
    latencies = [p.latency for p in preds]
    assert len(latencies) == 4 and all(t is not None for t in latencies)
    assert np.all(np.isfinite(latencies)) and min(latencies) > 0
    assert s["latency"]["n"] == 4 and s["latency"]["median"] > 0
    assert s["chunk_load"]["overall"] > 0
    assert any(line.startswith("Dropped samples: 0 ") for line in lines)
    assert any(line.startswith("Latency from a sample's arrival") for line in lines)
    assert not res.alerts  # the seizure starts at 10 s


@pytest.mark.slow
def test_lsl_replay_of_the_seizure_equals_offline_detection(offline, tmp_path):
    res = run_headless(SEIZURE_EDF, db=tmp_path / "alerts.sqlite", process=True)
    _assert_same(res.detection, offline)
    s = res.summary
    assert s["dropped"] == 0 and s["received"] == s["n_times"] == 12800
    assert len(res.alerts) == 1 and res.alerts[0].id is not None
    assert any(line.startswith("ALERT ") for line in res.lines)
    assert s["latency"]["n"] == s["windows"] and s["latency"]["p95"] > 0
    with AlertStore(tmp_path / "alerts.sqlite") as store:
        (stored,) = store.list()
    assert stored.onset == offline.events[0].onset
    assert (stored.duration, stored.ongoing) == (offline.events[0].duration, False)
    assert res.alerts[0] == stored
