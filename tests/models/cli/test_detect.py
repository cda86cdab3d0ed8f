"""neucube detect over many recordings: folders, patterns, BIDS, joblib and Dask, outputs."""

import json
import sqlite3

import mne
import pytest

from models.alerts import AlertStore
from models.cli import main
from models.seizure.formats import SZCORE_COLUMNS, read_events
from sample_data import SEIZURE_EDF, SEIZURE_EDF_2


def _detect(*args):
    return main(["detect", *map(str, args), "--quiet"])


@pytest.fixture
def archive(tmp_path):
    """A folder of two recordings, one in a subfolder."""
    root = tmp_path / "archive"
    (root / "night2").mkdir(parents=True)
    (root / "chb01_03.edf").write_bytes(SEIZURE_EDF.read_bytes())
    (root / "night2" / "chb01_04.edf").write_bytes(SEIZURE_EDF_2.read_bytes())
    return root


def _runs(db):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT recording FROM runs ORDER BY recording").fetchall()
    finally:
        conn.close()


def _table(path):
    rows = json.loads(path.read_text())["recordings"]
    return {r["recording"]: r for r in rows}


def test_a_folder_batch_writes_and_stores_what_one_file_detect_does(archive, tmp_path, capsys):
    one_db, one_out = tmp_path / "one.sqlite", tmp_path / "one.tsv"
    rec = archive / "chb01_03.edf"
    assert _detect(rec, "--db", one_db, "--out", one_out, "--format", "szcore") == 0
    one_printed = capsys.readouterr().out
    assert one_printed.startswith(f"{rec}: 50.0 s, 23 model channels\n1 seizure(s) detected")

    out, db, table = tmp_path / "out", tmp_path / "alerts.sqlite", tmp_path / "batch.json"
    out.mkdir()
    assert _detect(archive, "--db", db, "--out", out, "--json", table) == 0
    printed = capsys.readouterr().out
    assert f"{rec}: 50.0 s, 1 seizure(s) at 9.0 s for 41.0 s, stored 1 alert(s)" in printed
    assert "2 recording(s): 2 done, 0 failed, 0 skipped" in printed
    assert "h of EEG processed" in printed and "stored 2 alert(s)" in printed
    # The same SzCORE file, byte for byte, and the same alert in the store.
    assert (out / "chb01_03_events.tsv").read_text() == one_out.read_text()
    assert (out / "chb01_04_events.tsv").exists()
    with AlertStore(one_db) as one, AlertStore(db) as many:
        (alone,) = one.list()
        batch = [a for a in many.list() if a.recording == alone.recording]
        assert [(a.onset, a.duration, a.confidence, a.channels) for a in batch] == [
            (alone.onset, alone.duration, alone.confidence, alone.channels)
        ]
        assert many.verify().intact
    rows = _table(table)
    row = rows[str(rec.resolve())]
    assert row["status"] == "done" and row["n_events"] == 1 and row["duration"] == 50.0
    assert row["usable"] == 1.0 and row["events"][0]["onset"] == alone.onset
    assert set(row) >= {"recording", "status", "reason", "duration", "n_events", "usable", "events"}

    # Again: everything is skipped, nothing is written twice.
    assert _detect(archive, "--db", db, "--out", out) == 0
    printed = capsys.readouterr().out
    assert f"{rec}: skipped, already run with this model" in printed
    assert "2 recording(s): 0 done, 0 failed, 2 skipped" in printed
    assert len(_runs(db)) == 2


def test_two_joblib_processes_write_the_same_table(archive, tmp_path, capsys):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert _detect(archive, "--no-store", "--json", one) == 0
    assert _detect(archive, "--no-store", "--json", two, "--n-jobs", "2") == 0
    capsys.readouterr()
    keep = ("status", "duration", "n_events", "usable", "events")
    a, b = _table(one), _table(two)
    assert {k: {f: v[f] for f in keep} for k, v in a.items()} == {
        k: {f: v[f] for f in keep} for k, v in b.items()
    }
    assert all(r["n_events"] == 1 for r in a.values())


def test_a_bad_file_is_reported_and_the_rest_finish(archive, tmp_path, capsys):
    (archive / "notes.edf").write_text("patient notes, not EEG\n" * 40)
    db, table = tmp_path / "alerts.sqlite", tmp_path / "t.json"
    assert _detect(archive, "--db", db, "--json", table) == 2
    captured = capsys.readouterr()
    (line,) = [ln for ln in captured.err.splitlines() if "notes.edf" in ln and "failed" in ln]
    assert "cannot be read as EDF" in line
    assert "3 recording(s): 2 done, 1 failed, 0 skipped" in captured.out
    assert "Fix them and run the same command again" in captured.err
    assert len(_runs(db)) == 2
    rows = _table(table)
    bad = rows[str((archive / "notes.edf").resolve())]
    assert bad["status"] == "failed" and "notes.edf" in bad["reason"] and bad["n_events"] is None


def test_a_batch_refuses_outputs_it_cannot_write_before_any_work(archive, tmp_path, capsys):
    db = tmp_path / "alerts.sqlite"
    for args, says in (
        (("--out", tmp_path / "all.tsv", "--format", "szcore"), "put {recording} in the name"),
        (("--out", tmp_path / "none" / "{recording}.csv"), "does not exist"),
        (("--n-jobs", "0"), "--n-jobs 0"),
        (("--subject", "01"), "--subject, --session and --task"),
        (("--db", archive / "chb01_03.edf"), "is an input recording"),
        (("--bids-derivatives", archive / "chb01_03.edf"), "is a file"),
        (("--json", archive / "chb01_03.edf", "--overwrite"), "is an input recording"),
    ):
        assert _detect(archive, "--db", db, *args) == 2, args
        captured = capsys.readouterr()
        assert says in captured.err, (args, captured.err)
        assert "seizure(s)" not in captured.out  # refused before the work
    assert not db.exists() or _runs(db) == []
    # A template names each recording's file; an existing one is kept without --overwrite.
    (tmp_path / "chb01_04.csv").write_text("kept\n")
    assert _detect(archive, "--no-store", "--out", tmp_path / "{recording}.csv") == 2
    assert "exists. Pass --overwrite" in capsys.readouterr().err
    assert (tmp_path / "chb01_04.csv").read_text() == "kept\n"
    assert _detect(archive, "--no-store", "--out", tmp_path / "{recording}.csv", "--overwrite") == 0
    capsys.readouterr()
    assert len(read_events(tmp_path / "chb01_04.csv")) == 1


def test_a_store_that_fails_keeps_the_alerts_and_exits_4(archive, tmp_path, capsys, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(AlertStore, "record_run", refuse)
    db = tmp_path / "alerts.sqlite"
    assert _detect(archive, "--db", db) == 4
    err = capsys.readouterr().err
    (kept,) = tmp_path.glob("alerts-not-stored-*.json")
    assert str(kept) in err and "disk I/O error" in err
    saved = json.loads(kept.read_text())
    assert sorted(a["recording"] for a in saved["alerts"]) == sorted(
        str(p.resolve()) for p in archive.rglob("*.edf")
    )


def test_a_bids_dataset_with_a_subject_filter_writes_bids_derivatives(tmp_path, capsys):
    mne_bids = pytest.importorskip("mne_bids")
    root = tmp_path / "bids"
    for sub, source in (("01", SEIZURE_EDF), ("02", SEIZURE_EDF_2)):
        raw = mne.io.read_raw_edf(source, verbose="error")
        path = mne_bids.BIDSPath(
            subject=sub, session="1", task="szMonitoring", run=1, datatype="eeg", root=root
        )
        mne_bids.write_raw_bids(raw, path, verbose="error")
    deriv = root / "derivatives" / "neucube"
    db = tmp_path / "alerts.sqlite"
    assert _detect(root, "--subject", "01", "--db", db, "--bids-derivatives", deriv) == 0
    printed = capsys.readouterr().out
    assert "sub-01_ses-1_task-szMonitoring_run-1_eeg.edf: 50.0 s, 1 seizure(s)" in printed
    assert "1 recording(s): 1 done" in printed and "sub-02" not in printed

    description = json.loads((deriv / "dataset_description.json").read_text())
    assert description["DatasetType"] == "derivative"
    (made_by,) = description["GeneratedBy"]
    assert made_by["Name"] == "neucube-eeg" and made_by["Version"]
    (events,) = mne_bids.find_matching_paths(deriv, suffixes="events", extensions=".tsv")
    assert (events.subject, events.session, str(events.run)) == ("01", "1", "1")
    assert events.fpath.relative_to(deriv).parts[:3] == ("sub-01", "ses-1", "eeg")
    lines = events.fpath.read_text().splitlines()
    assert tuple(lines[0].split("\t")) == SZCORE_COLUMNS
    (found,) = read_events(events.fpath)
    with AlertStore(db) as store:
        (alert,) = store.list()
    assert (found.onset, found.duration, found.channels) == (
        alert.onset,
        alert.duration,
        tuple(alert.channels),
    )
    # The raw dataset is never taken for the derivatives, and a subject it lacks is named.
    assert _detect(root, "--no-store", "--bids-derivatives", root) == 2
    assert "is the BIDS dataset being read" in capsys.readouterr().err
    assert _detect(root, "--no-store", "--subject", "07") == 2
    assert "holds subjects 01, 02" in capsys.readouterr().err


def test_a_local_dask_cluster_runs_the_batch(archive, tmp_path, capsys):
    db, table = tmp_path / "alerts.sqlite", tmp_path / "t.json"
    assert _detect(archive, "--db", db, "--json", table, "--scheduler", "local") == 0
    printed = capsys.readouterr().out
    assert "2 recording(s): 2 done, 0 failed, 0 skipped" in printed
    rows = _table(table)
    assert all(r["status"] == "done" and r["n_events"] == 1 for r in rows.values())
    assert len(_runs(db)) == 2


def test_an_unreachable_scheduler_is_named_before_any_work(archive, tmp_path, capsys):
    db = tmp_path / "alerts.sqlite"
    assert _detect(archive, "--db", db, "--scheduler", "tcp://127.0.0.1:9") == 2
    err = capsys.readouterr().err
    assert "tcp://127.0.0.1:9" in err and "dask scheduler" in err and "Traceback" not in err
    assert _runs(db) == []
