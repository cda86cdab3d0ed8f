"""Batches of recordings: here, through joblib and on a real Dask cluster on this machine."""

import os
import sqlite3

import mne
import pytest

from acquisition import read_raw
from acquisition.recordings import find_recordings
from models.alerts import AlertStore
from models.io import read_model
from models.seizure import batch
from models.seizure.batch import detect_many, plan_batch
from sample_data import MOTOR_EDF, SEIZURE_EDF, SEIZURE_EDF_2


def _events(events):
    return [(ev.onset, ev.duration, ev.confidence, tuple(ev.channels)) for ev in events]


def _copies(folder, names_sources):
    folder.mkdir(exist_ok=True)
    paths = []
    for name, source in names_sources:
        path = folder / name
        path.write_bytes(source.read_bytes())
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def chb(tmp_path_factory):
    """The two bundled chb01 excerpts and a cropped EEGMMIDB run, copied into one folder."""
    folder = tmp_path_factory.mktemp("archive")
    paths = _copies(folder, [("a.edf", SEIZURE_EDF), ("b.edf", SEIZURE_EDF_2)])
    motor = folder / "motor_raw.fif"
    read_raw(MOTOR_EDF).crop(0, 20).save(motor, verbose="error")
    return [*paths, motor]


@pytest.fixture(scope="module")
def expected(chb):
    """What the shipped detector finds in each recording, one at a time in this process."""
    det = read_model(None, cache=True).model
    return {str(p): _events(det.detect(read_raw(p), progress_bar=False).events) for p in chb}


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _runs(db):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT recording, n_alerts FROM runs ORDER BY recording").fetchall()
    finally:
        conn.close()


def test_a_batch_here_finds_what_each_recording_alone_finds(chb, expected, tmp_path):
    seen = []
    with AlertStore(tmp_path / "alerts.sqlite") as store:
        done = detect_many(chb, store=store, on_result=seen.append, progress_bar=False)
        stored = {str(p): _events(a for a in store.list() if a.recording == str(p)) for p in chb}
        assert store.verify().intact
    assert [r.status for r in done.results] == ["done"] * 3
    assert {r.recording: _events(r.events) for r in done.results} == expected
    assert sorted(r.recording for r in seen) == sorted(expected)
    assert stored == expected  # the alerts as found
    assert expected[str(chb[0])] and expected[str(chb[1])] and not expected[str(chb[2])]
    motor = done.results[2]
    assert motor.resampled_from == 160 and len(motor.missing) == 3 and 0 < motor.usable < 1
    assert done.hours == pytest.approx((50 + 37 + 20) / 3600, abs=0.1 / 3600)


def test_two_joblib_processes_find_the_same(chb, expected):
    done = detect_many(chb, n_jobs=2, progress_bar=False)
    assert {r.recording: _events(r.events) for r in done.results} == expected
    assert all(r.status == "done" for r in done.results)
    # Each ran in a worker process, and what it logged there is said here.
    assert all(r.worker.rsplit(":", 1)[1] != str(os.getpid()) for r in done.results)
    motor = done.results[2]
    assert any("lacks 3 of the model's channels" in msg for _, _, msg in motor.logs)


def test_a_dask_cluster_finds_the_same(chb, expected, cluster, tmp_path):
    with AlertStore(tmp_path / "alerts.sqlite") as store:
        done = detect_many(chb, store=store, scheduler=cluster, progress_bar=False)
        assert store.verify().intact
    assert {r.recording: _events(r.events) for r in done.results} == expected
    assert {r.recording for r in done.results if r.status == "done"} == set(expected)
    assert len({r.worker for r in done.results}) >= 1
    assert [rec for rec, _ in _runs(tmp_path / "alerts.sqlite")] == sorted(expected)


def test_a_bad_file_among_good_ones_fails_alone(tmp_path):
    good = _copies(tmp_path, [("good.edf", SEIZURE_EDF_2)])[0]
    notes = tmp_path / "notes.edf"
    notes.write_text("patient notes, not EEG\n" * 40)
    raw = mne.io.read_raw_edf(SEIZURE_EDF, preload=True, verbose="error")
    raw.pick(raw.ch_names[:2]).save(tmp_path / "two_raw.fif", verbose="error")
    flat = mne.io.read_raw_edf(SEIZURE_EDF, preload=True, verbose="error").crop(0, 20)
    flat._data[:] = 0.0
    flat.save(tmp_path / "flat_raw.fif", verbose="error")
    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as store:
        done = detect_many(tmp_path, store=store, progress_bar=False)
        assert store.verify().intact
    by_name = {os.path.basename(r.recording): r for r in done.results}
    assert set(by_name) == {"good.edf", "notes.edf", "two_raw.fif", "flat_raw.fif"}
    assert by_name["good.edf"].status == "done" and len(by_name["good.edf"].alert_ids) == 1
    for name in ("notes.edf", "two_raw.fif", "flat_raw.fif"):
        assert by_name[name].status == "failed" and by_name[name].events == ()
        assert "\n" not in by_name[name].reason
    assert "notes.edf" in by_name["notes.edf"].reason
    assert "cannot be read as EDF" in by_name["notes.edf"].reason
    assert "two_raw.fif" in by_name["two_raw.fif"].reason  # too few of the model's channels
    assert by_name["flat_raw.fif"].reason.startswith("No usable EEG")
    assert done.counts["done"] == 1 and done.counts["failed"] == 3
    assert _runs(db) == [(str(good.resolve()), 1)]  # only what ran is recorded as run


def test_a_second_run_skips_what_is_done_and_does_the_rest(tmp_path):
    first, second = _copies(tmp_path / "in", [("a.edf", SEIZURE_EDF_2), ("b.edf", SEIZURE_EDF)])
    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as store:
        once = detect_many([first], store=store, progress_bar=False)
        assert once.counts["done"] == 1
        seen = []
        again = detect_many(tmp_path / "in", store=store, on_result=seen.append)
        assert [(os.path.basename(r.recording), r.status) for r in seen] == [
            ("a.edf", "skipped"),
            ("b.edf", "done"),
        ]
        assert again.results[0].reason == batch.SKIPPED_REASON
        assert again.hours == pytest.approx(50 / 3600)  # only what ran this time
        third = detect_many(tmp_path / "in", store=store, progress_bar=False)
        assert third.counts == {**third.counts, "skipped": 2, "done": 0}
        assert len(store.list()) == 2 and store.verify().intact
        # Without skipping, both run again and nothing is stored twice.
        rerun = detect_many(tmp_path / "in", store=store, skip_done=False, progress_bar=False)
        assert rerun.counts["done"] == 2 and len(store.list()) == 2
    assert [n for _, n in _runs(db)] == [1, 1]


def test_a_plan_names_what_it_skips_before_any_work(tmp_path):
    rec = _copies(tmp_path, [("a.edf", SEIZURE_EDF_2)])[0]
    with AlertStore(tmp_path / "alerts.sqlite") as store:
        plan = plan_batch(find_recordings(tmp_path), store=store)
        assert [r.path for r in plan.pending] == [rec.resolve()] and plan.skipped == []
        assert plan.model_id == "chb01_seizure.npz" and plan.threshold == 0.5
        store.record_run(
            str(rec.resolve()), [], model_id=plan.model_id, model_version=plan.model_version
        )
        again = plan_batch(find_recordings(tmp_path), store=store)
        assert again.pending == [] and [r.path for r in again.skipped] == [rec.resolve()]
    with pytest.raises(ValueError, match="threshold"):
        plan_batch([rec], threshold=1.5)
    for bad in (0, -2, 1.5):
        with pytest.raises(ValueError, match="n_jobs"):
            batch.check_n_jobs(bad)


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(cluster, tmp_path):
    # Eight recordings over two workers: when the first result arrives the others are
    # still running, and the worker killed then holds one of them.
    sources = [SEIZURE_EDF, SEIZURE_EDF_2] * 4
    recs = _copies(tmp_path / "in", [(f"r{k}.edf", s) for k, s in enumerate(sources)])
    seen, killed = [], {}

    def kill_a_busy_worker(result):
        seen.append(result.recording)
        if killed:
            return
        busy = {w: keys for w, keys in cluster.processing().items() if keys}
        if not busy:
            return  # nothing running at this moment: try at the next result
        address = sorted(busy)[0]
        killed.update(address=address, running=busy[address])
        cluster.run(os._exit, 1, workers=[address], on_error="ignore")

    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as store:
        done = detect_many(
            tmp_path / "in",
            store=store,
            scheduler=cluster,
            on_result=kill_a_busy_worker,
            progress_bar=False,
        )
        assert store.verify().intact
        alerts = store.list()
    assert killed["running"], "no worker was killed while it ran a recording"
    paths = sorted(str(p.resolve()) for p in recs)
    assert [r.status for r in done.results] == ["done"] * len(recs)
    assert sorted(seen) == paths  # each reported once
    assert _runs(db) == [(p, 1) for p in paths]  # each stored once, with its one seizure
    assert sorted(a.recording for a in alerts) == paths
    assert killed["address"] not in cluster.scheduler_info()["workers"]


def test_a_batch_stopped_half_way_keeps_what_it_finished(tmp_path):
    _copies(
        tmp_path / "in",
        [("a.edf", SEIZURE_EDF_2), ("b.edf", SEIZURE_EDF), ("c.edf", SEIZURE_EDF_2)],
    )

    def stop_after_the_first(result):
        raise KeyboardInterrupt  # Ctrl-C as the first recording is reported

    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as store:
        stopped = detect_many(tmp_path / "in", store=store, on_result=stop_after_the_first)
        assert stopped.interrupted
        assert [r.status for r in stopped.results] == ["done", "not run", "not run"]
        assert store.verify().intact and len(store.list()) == 1
        again = detect_many(tmp_path / "in", store=store, progress_bar=False)
        assert [r.status for r in again.results] == ["skipped", "done", "done"]
    assert len(_runs(db)) == 3
