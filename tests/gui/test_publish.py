"""The app publishes what it computes as LSL streams, read back in another process.

The window's worker, given ``publish``, sends each window's seizure probability
on a numeric stream and each alert (raised, grown, closed) on a marker stream,
stamped with the LSL time of the EEG sample it refers to. A reader in another
process (as LabRecorder would be) must get every window and every step of the
alert once, in order, with those timestamps.
"""

import json
import time
import uuid

import numpy as np
import pytest

from gui.worker import PipelineWorker, SourceSpec
from models.alerts import AlertStore
from models.outlets import PredictionOutlets
from sample_data import SEIZURE_EDF
from tests.models._lsl_reader import Reader


def _drain(worker, got):
    while True:
        try:
            msg = worker.messages.get_nowait()
        except Exception:
            return got
        got.setdefault(msg.kind, []).append(msg.payload)


def _read(outlets):
    reader = Reader(
        [
            (outlets.proba_name, outlets.proba_source_id),
            (outlets.marker_name, outlets.marker_source_id),
        ]
    )
    reader.wait_ready()
    return reader


def test_the_worker_publishes_every_window_and_each_step_of_the_alert(tmp_path):
    outlets = PredictionOutlets(f"neucube-test-app-{uuid.uuid4().hex[:12]}")
    reader = _read(outlets)
    db = tmp_path / "alerts.sqlite"
    spec = SourceSpec(kind="file", path=str(SEIZURE_EDF), speed=None, duration=13.0)
    worker = PipelineWorker(spec, db=db, publish=outlets)
    got = {}
    try:
        worker.start()
        while worker.running:
            _drain(worker, got)
            time.sleep(0.01)
        _drain(worker, got)
        assert worker.state == "finished", worker.error
        reader.wait_for({outlets.proba_name: 12, outlets.marker_name: 3})
        received = reader.finish()
    finally:
        reader.close()
        outlets.close()
    assert not got.get("error")
    (ready,) = got["ready"]
    assert ready["published"] == outlets.names
    frames = got["frame"]
    proba = received[outlets.proba_name]
    markers = received[outlets.marker_name]
    # every window once, in order: the probabilities the window drew
    assert len(frames) == 12 and len(proba["stamps"]) == 12
    np.testing.assert_array_equal(np.ravel(proba["samples"]), [f.proba for f in frames])
    # the file plays as an ArraySource: sample i is stamped i / sfreq; a window's
    # prediction carries its last sample's stamp (2-s windows, 1-s hop, 256 Hz)
    expected = [(k * 256 + 511) / 256 for k in range(12)]
    np.testing.assert_allclose(proba["stamps"], expected, rtol=0, atol=1e-9)
    # the alert raised by window 10, grown by 11, closed at the end of the recording
    msgs = [json.loads(text) for (text,) in markers["samples"]]
    assert [m["state"] for m in msgs] == ["raised", "updated", "closed"]
    np.testing.assert_allclose(
        markers["stamps"], [expected[10], expected[11], (13 * 256 - 1) / 256], rtol=0, atol=1e-9
    )
    with AlertStore(db) as store:
        (stored,) = store.list()
    assert {m["alert_id"] for m in msgs} == {stored.id}
    assert [m["duration"] for m in msgs] == [3.0, 4.0, stored.duration] == [3.0, 4.0, 4.0]
    assert got["alert"][0].id == stored.id and got["alert_update"][-1] == stored


@pytest.mark.parametrize("kind", ["seizure", "trials"])
def test_outlets_of_the_run_are_named_after_the_source_and_closed_with_it(kind):
    spec = SourceSpec(kind="file", path=str(SEIZURE_EDF), speed=None, duration=3.0)
    worker = PipelineWorker(spec, db=False, publish=True)

    class _Source:
        name = f"neucube-test-src-{uuid.uuid4().hex[:8]}"

    outlets = worker._open_outlets(_Source(), classes=None if kind == "seizure" else ["a", "b"])
    assert worker.outlets is outlets and outlets.kind == kind
    suffix = "alerts" if kind == "seizure" else "trials"
    assert outlets.names == {
        "proba": f"{_Source.name}-neucube-proba",
        "markers": f"{_Source.name}-neucube-{suffix}",
    }
    worker._cleanup()
    assert outlets.closed
    assert PipelineWorker(spec, db=False)._open_outlets(_Source()) is None
