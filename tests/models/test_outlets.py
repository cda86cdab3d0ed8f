"""Predictions and alerts published as LSL streams arrive in another process exactly once.

A reader in a spawned process (``_lsl_reader``, as LabRecorder would be)
subscribes to both streams before the pipeline runs; the test waits until it
has reported every sample, then compares what it received, in order, with
what the pipeline made: values, JSON markers and the EEG's LSL timestamps.
"""

import json
import logging
import uuid

import numpy as np
import pytest

from acquisition import read_raw, read_uci_epochs
from acquisition.stream import ArraySource, configure_lsl
from models.alerts import AlertStore
from models.cli.main import main
from models.outlets import MARKER_TYPE, PROBA_TYPE, PredictionOutlets
from models.seizure.detector import SeizureDetector, shipped_model_path
from models.seizure.live import LivePipeline
from models.trials.familiarity import FamiliarityClassifier
from models.trials.live import LiveTrialPipeline
from sample_data import SAMPLE_DIR, SEIZURE_EDF

from ._lsl_reader import Reader

configure_lsl(resolve_scope="machine")  # before liblsl loads: local only, quiet


def _unique(prefix="neucube-test-out"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def detector():
    return SeizureDetector.load(shipped_model_path())


@pytest.fixture(scope="module")
def chb03_13s():
    """The first 13 s of chb01_03: 12 windows, one alert (raised by window 10, grown by 11)."""
    return read_raw(SEIZURE_EDF).crop(0, 13, include_tmax=False)


@pytest.fixture
def reader_of():
    """Start a reader of some outlets' two streams; stop it after the test."""
    readers = []

    def start(outlets):
        r = Reader(
            [
                (outlets.proba_name, outlets.proba_source_id),
                (outlets.marker_name, outlets.marker_source_id),
            ]
        )
        readers.append(r)
        return r, r.wait_ready()

    yield start
    for r in readers:
        r.close()


def _received(reader, outlets, n_proba, n_markers):
    reader.wait_for({outlets.proba_name: n_proba, outlets.marker_name: n_markers})
    got = reader.finish()
    return got[outlets.proba_name], got[outlets.marker_name]


def test_streams_are_named_after_the_source_with_unique_source_ids():
    name = _unique()
    with PredictionOutlets(name) as a, PredictionOutlets(name) as b:
        assert a.names == {"proba": f"{name}-neucube-proba", "markers": f"{name}-neucube-alerts"}
        assert a.labels == ["seizure"] and a.kind == "seizure"
        assert len({a.proba_source_id, a.marker_source_id, b.proba_source_id}) == 3
    with PredictionOutlets(name, classes=["a", "b"], proba_name=f"{name}-p") as t:
        assert t.names == {"proba": f"{name}-p", "markers": f"{name}-neucube-trials"}
        assert t.labels == ["a", "b"]


def test_every_window_and_alert_arrives_once_in_order_with_the_eeg_timestamps(
    detector, chb03_13s, tmp_path, reader_of
):
    outlets = PredictionOutlets(_unique())
    reader, info = reader_of(outlets)
    proba_info, marker_info = info[outlets.proba_name], info[outlets.marker_name]
    assert (proba_info["stype"], proba_info["sfreq"]) == (PROBA_TYPE, 0.0)
    assert proba_info["ch_names"] == ["seizure"] and proba_info["source_id"].startswith("neucube-")
    assert (marker_info["stype"], marker_info["sfreq"], marker_info["n_channels"]) == (
        MARKER_TYPE,
        0.0,
        1,
    )

    store = AlertStore(tmp_path / "alerts.sqlite")
    preds, alerts = [], []
    src = ArraySource(chb03_13s, chunk_size=(1, 300), random_state=0)
    pipe = LivePipeline(
        detector,
        src,
        alert_store=store,
        on_prediction=preds.append,  # the user's callbacks still get everything
        on_alert=alerts.append,
        outlets=outlets,
        warmup=False,
    )
    pipe.run()
    alert = alerts[0]
    stored = store.get(alert.id)
    store.close()
    assert len(preds) == 12 and len(alerts) == 1 and alerts[0].id is not None
    proba, markers = _received(reader, outlets, 12, 3)
    outlets.close()

    # every window once, in order, stamped with its last EEG sample's LSL time
    sfreq, n_hop, n_win = 256.0, pipe.n_hop, pipe.n_window
    eeg_stamps = [(k * n_hop + n_win - 1) / sfreq for k in range(12)]  # ArraySource: index/sfreq
    np.testing.assert_allclose([p.timestamp for p in preds], eeg_stamps, rtol=0, atol=1e-9)
    np.testing.assert_allclose(proba["stamps"], eeg_stamps, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(np.ravel(proba["samples"]), [p.proba for p in preds])
    assert outlets.n_proba == 12 and outlets.n_markers == 3

    # the alert raised once, stamped with the window that raised it; grown by the next
    # window; closed with the stream's last sample, at the extent the store holds
    (raised,) = [p for p in preds if p.alert is not None]
    assert raised.index == 10 and [len(p.alert_updates) for p in preds[10:]] == [0, 1]
    msgs = [json.loads(text) for (text,) in markers["samples"]]
    assert [m["state"] for m in msgs] == ["raised", "updated", "closed"]
    last_sample = (13 * 256 - 1) / sfreq
    assert markers["stamps"] == pytest.approx(
        [raised.timestamp, preds[11].timestamp, last_sample], abs=1e-9
    )
    assert {m["event"] for m in msgs} == {"alert"} and {m["alert_id"] for m in msgs} == {alert.id}
    assert [(m["onset"], m["duration"], m["window"]) for m in msgs] == [
        (9.0, 3.0, 10),
        (9.0, 4.0, 11),
        (9.0, 4.0, None),
    ]
    assert msgs[0]["confidence"] == pytest.approx(alert.confidence)
    assert msgs[0]["channels"] == list(alert.channels) and msgs[0]["recording"] == alert.recording
    assert (stored.duration, stored.ongoing, stored.raised_duration) == (4.0, False, 3.0)
    assert msgs[2]["confidence"] == pytest.approx(stored.confidence)
    assert msgs[2]["channels"] == list(stored.channels)


@pytest.fixture(scope="module")
def trials():
    """A FamiliarityClassifier fitted on half the bundled UCI trials; the other half back to back."""
    X, y, _, ch_names, sfreq = read_uci_epochs(SAMPLE_DIR / "uci")
    clf = FamiliarityClassifier(ch_names, sfreq, target="numpy", random_state=0)
    clf.fit(X[::2] * 1e6, y[::2])
    test = np.arange(1, 12, 2)
    return clf, X[test], y[test], ch_names, sfreq


def test_every_trial_arrives_once_with_its_class_probabilities(trials, reader_of):
    clf, X, y, ch_names, sfreq = trials
    classes = [str(c) for c in clf.classes_]
    outlets = PredictionOutlets(_unique(), classes=classes)
    reader, info = reader_of(outlets)
    assert info[outlets.proba_name]["ch_names"] == classes

    n = X.shape[2]
    markers = [(k * n, str(label)) for k, label in enumerate(y)]
    src = ArraySource(np.concatenate(list(X), axis=1), sfreq, ch_names, chunk_size=50)
    seen = []
    pipe = LiveTrialPipeline(clf, src, markers=markers, on_trial=seen.append, outlets=outlets)
    while not (src.ended and pipe.n_pending == 0):
        pipe.step()
    assert len(seen) == len(X) == 6
    proba, marks = _received(reader, outlets, 6, 6)
    outlets.close()

    # the epoch's last sample and the marker's sample, on the stream's clock (index / sfreq)
    n_epoch = pipe.n_epoch
    ends = [(k * n + n_epoch - 1) / sfreq for k in range(6)]
    np.testing.assert_allclose([t.timestamp for t in seen], ends, rtol=0, atol=1e-9)
    np.testing.assert_allclose(proba["stamps"], ends, rtol=0, atol=1e-9)
    np.testing.assert_allclose(marks["stamps"], ends, rtol=0, atol=1e-9)
    expected = [[t.proba[c] for c in classes] for t in seen]
    np.testing.assert_array_equal(proba["samples"], expected)
    msgs = [json.loads(row[0]) for row in marks["samples"]]
    assert [m["index"] for m in msgs] == list(range(6))
    for m, t, (sample, label) in zip(msgs, seen, markers):
        assert (m["event"], m["marker"], m["predicted"]) == ("trial", label, str(t.predicted))
        assert m["proba"] == t.proba and m["confidence"] == t.confidence
        assert m["marker_timestamp"] == pytest.approx(sample / sfreq, abs=1e-9)


# ---------------------------------------------------------------------------
# Bad cases


class _FailingSecondOutlet:
    """Stands in for mne_lsl's StreamOutlet: the first is made, the second fails."""

    made, destroyed = [], []

    def __init__(self, info, *args, **kwargs):
        if self.made:
            raise RuntimeError("liblsl: could not bind a port")
        self.made.append(info.name)

    def _del(self):
        self.destroyed.append(True)


def test_an_outlet_that_cannot_be_created_is_a_clear_error_and_leaves_nothing_open(monkeypatch):
    import mne_lsl.lsl

    _FailingSecondOutlet.made, _FailingSecondOutlet.destroyed = [], []
    monkeypatch.setattr(mne_lsl.lsl, "StreamOutlet", _FailingSecondOutlet)
    name = _unique()
    with pytest.raises(RuntimeError, match="Could not create the LSL outlet") as err:
        PredictionOutlets(name)
    assert f"{name}-neucube-alerts" in str(err.value) and "could not bind" in str(err.value)
    assert _FailingSecondOutlet.made == [f"{name}-neucube-proba"]
    assert _FailingSecondOutlet.destroyed == [True]  # the first outlet is not left behind


def test_without_mne_lsl_publishing_says_what_to_install(monkeypatch):
    import models.outlets

    def no_lsl():
        raise ImportError("No module named 'mne_lsl'")

    monkeypatch.setattr(models.outlets, "_lsl", no_lsl)
    with pytest.raises(RuntimeError, match="pip install mne-lsl"):
        PredictionOutlets(_unique())


def test_closing_twice_is_harmless_and_pushing_after_close_is_refused():
    outlets = PredictionOutlets(_unique())
    outlets.push_proba(0.5, 1.0)
    outlets.close()
    outlets.close()
    assert outlets.closed and not outlets.has_consumers() and "closed" in repr(outlets)
    with pytest.raises(RuntimeError, match="are closed"):
        outlets.push_proba(0.5, 2.0)
    with pytest.raises(RuntimeError, match="are closed"):
        outlets.push_marker({"event": "x"}, 2.0)
    assert outlets.n_proba == 1


def test_bad_values_and_classes_are_refused():
    name = _unique()
    with pytest.raises(ValueError, match="distinct class names"):
        PredictionOutlets(name, classes=["a", "a"])
    with pytest.raises(ValueError, match="source must name"):
        PredictionOutlets("")
    with PredictionOutlets(name, classes=["a", "b"]) as outlets:
        with pytest.raises(ValueError, match=r"2 channel\(s\) \(a, b\); got 3"):
            outlets.push_proba([0.1, 0.2, 0.7], 1.0)
        with pytest.raises(ValueError, match="publish_trial"):
            outlets.publish(object())
    with PredictionOutlets(name) as outlets:

        class Trial:
            proba = {"a": 0.4, "b": 0.6}
            timestamp = 1.0

        with pytest.raises(ValueError, match=r"classes=pipeline.classes"):
            outlets.publish_trial(Trial())


def test_closed_outlets_do_not_stop_the_pipeline(detector, chb03_13s, caplog):
    outlets = PredictionOutlets(_unique())
    outlets.close()
    preds = []
    pipe = LivePipeline(
        detector,
        ArraySource(chb03_13s.copy().crop(0, 4, include_tmax=False), chunk_size=64),
        outlets=outlets,
        on_prediction=preds.append,
        warmup=False,
    )
    with caplog.at_level(logging.ERROR, logger="neucube.models"):
        pipe.run()
    assert pipe.n_windows == len(preds) == 3 and pipe.summary()["unpublished"] == 3
    errors = [r for r in caplog.records if "could not be published" in r.getMessage()]
    assert len(errors) == 1  # logged once, then counted


# ---------------------------------------------------------------------------
# The command line


def test_demo_publish_runs_headless_and_publishes(monkeypatch, capsys):
    import models.seizure.headless as headless

    calls = []
    monkeypatch.setattr(headless, "run_headless", lambda **kw: calls.append(kw) or object())
    assert main(["demo", "--headless", "--publish", "--publish-wait", "5"]) == 0
    assert calls[-1]["publish"] is True and calls[-1]["publish_wait"] == 5.0
    assert main(["demo", "--headless"]) == 0 and calls[-1]["publish"] is False
    # with a display, the desktop app publishes
    import subprocess

    monkeypatch.setattr("models.cli.demo._display_available", lambda: True)
    monkeypatch.setattr("models.cli.demo.missing_qt_libraries", list)
    apps = []
    monkeypatch.setattr(subprocess, "call", lambda cmd: apps.append(cmd) or 0)
    assert main(["demo", "--publish"]) == 0 and len(calls) == 2
    assert apps[-1][1:] == ["-m", "gui", "--publish"]
    assert main(["demo"]) == 0 and apps[-1][1:] == ["-m", "gui"]


def test_demo_publish_is_refused_offline(capsys):
    assert main(["demo", "--offline", "--publish"]) != 0
    assert "--publish" in capsys.readouterr().err


@pytest.mark.slow
def test_headless_replay_publishes_every_window_and_the_alert_over_lsl(tmp_path, reader_of):
    from models.seizure.headless import run_headless

    stream = _unique("neucube-test-replay")
    outlets = PredictionOutlets(stream)
    assert outlets.proba_name == f"{stream}-neucube-proba"
    reader, _ = reader_of(outlets)
    preds = []
    res = run_headless(
        duration=13.0,
        stream_name=stream,
        db=tmp_path / "alerts.sqlite",
        process=False,
        on_prediction=preds.append,
        publish=outlets,
    )
    assert not outlets.closed  # given outlets stay the caller's
    assert res.summary["published"] == outlets.names
    assert any(line.startswith("Publishing on LSL: ") and stream in line for line in res.lines)
    assert len(preds) == res.summary["windows"] == 12 and len(res.alerts) == 1
    proba, markers = _received(reader, outlets, 12, 3)
    outlets.close()
    # stamped with the replayed EEG's LSL timestamps, not the time of the push
    np.testing.assert_allclose(proba["stamps"], [p.timestamp for p in preds], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(np.ravel(proba["samples"]), [p.proba for p in preds])
    (raised,) = [p for p in preds if p.alert is not None]
    assert markers["stamps"][:2] == pytest.approx([raised.timestamp, preds[11].timestamp], abs=1e-9)
    assert markers["stamps"][2] >= preds[11].timestamp  # the replay's last sample
    msgs = [json.loads(text) for (text,) in markers["samples"]]
    assert [m["state"] for m in msgs] == ["raised", "updated", "closed"]
    assert {m["alert_id"] for m in msgs} == {res.alerts[0].id} and msgs[0]["onset"] == 9.0
    assert (
        (res.alerts[0].duration, res.alerts[0].ongoing)
        == (msgs[2]["duration"], False)
        == (
            4.0,
            False,
        )
    )
    assert "Alert #1 closed: seizure from 9.0 s to 13.0 s (4.0 s)" in "\n".join(res.lines)
