"""Commands refuse, before any work, what would destroy or lose data (detect, export, train)."""

import hashlib
import json
import sqlite3

import mne
import numpy as np
import pytest

from models.alerts import AlertStore
from models.cli import main
from models.seizure.detector import shipped_model_path
from sample_data import SEIZURE_EDF


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def recording(tmp_path):
    """A copy of the bundled seizure recording, so that a test may try to harm it."""
    path = tmp_path / "rec.edf"
    path.write_bytes(SEIZURE_EDF.read_bytes())
    return path


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "alerts.sqlite"
    with AlertStore(path) as store:
        store.add_alert("other.edf", 1.0, 2.0, model_id="m")
    return path


def _n_alerts(db):
    with AlertStore(db) as store:
        return len(store.list())


def _detect(*args):
    return main(["detect", *map(str, args), "--quiet"])


@pytest.mark.parametrize(
    "target, what",
    [("recording", "the input recording"), ("db", "the alert store"), ("model", "the model file")],
)
def test_out_never_writes_over_an_input_or_the_store(target, what, recording, db, tmp_path, capsys):
    model = tmp_path / "model.npz"
    model.write_bytes(shipped_model_path().read_bytes())
    paths = {"recording": recording, "db": db, "model": model}
    before = {k: _digest(v) for k, v in paths.items()}
    for overwrite in ([], ["--overwrite"]):
        rc = _detect(
            recording,
            "--model",
            model,
            "--db",
            db,
            "--out",
            paths[target],
            "--format",
            "csv",
            *overwrite,
        )
        err = capsys.readouterr().err
        assert rc == 2 and f"--out {paths[target]} is {what}" in err, err
    assert {k: _digest(v) for k, v in paths.items()} == before
    assert _n_alerts(db) == 1


def test_out_checked_before_the_work(recording, db, tmp_path, capsys):
    cases = [
        (tmp_path / "no" / "such" / "found.csv", "the folder"),
        (tmp_path, "is a folder"),
        (tmp_path / "found.xyz", "cannot tell the format from the file name. Pass --format"),
    ]
    existing = tmp_path / "old.csv"
    existing.write_text("keep me")
    cases.append((existing, "exists. Pass --overwrite"))
    for out, message in cases:
        assert _detect(recording, "--db", db, "--out", out) == 2
        captured = capsys.readouterr()
        assert message in captured.err and str(out) in captured.err, captured.err
        assert "seizure(s) detected" not in captured.out  # refused before the work
    assert existing.read_text() == "keep me" and _n_alerts(db) == 1


@pytest.mark.parametrize("value", ["5", "0", "-1", "1.5"])
def test_threshold_out_of_range_is_refused(value, recording, db, capsys):
    assert _detect(recording, "--db", db, "--threshold", value) == 2
    assert f"--threshold {float(value):g}" in capsys.readouterr().err
    assert _n_alerts(db) == 1


def test_a_locked_store_is_found_before_the_work(recording, db, capsys, monkeypatch):
    monkeypatch.setitem(AlertStore.__init__.__kwdefaults__, "timeout", 0.2)
    holder = sqlite3.connect(db, timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        assert _detect(recording, "--db", db) == 2
        captured = capsys.readouterr()
        assert "alert store" in captured.err and str(db) in captured.err, captured.err
        assert "seizure(s) detected" not in captured.out
    finally:
        holder.rollback()
        holder.close()


def test_a_store_that_fails_after_the_work_keeps_the_alerts(recording, db, capsys, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(AlertStore, "record_run", refuse)
    assert _detect(recording, "--db", db) == 4
    err = capsys.readouterr().err
    (kept,) = db.parent.glob("alerts-not-stored-*.json")
    assert str(kept) in err and "disk I/O error" in err
    saved = json.loads(kept.read_text())
    assert len(saved["alerts"]) == 1 and saved["alerts"][0]["recording"] == str(recording)
    assert saved["alerts"][0]["onset"] < 20  # the seizure of the bundled recording


def test_a_recording_with_no_usable_eeg_is_not_a_clean_bill_of_health(db, tmp_path, capsys):
    raw = mne.io.read_raw_edf(SEIZURE_EDF, preload=True, verbose="error")
    raw._data[:] = 0.0  # every channel flat
    flat = tmp_path / "flat.fif"
    raw.save(flat, verbose="error")
    assert _detect(flat, "--db", db) == 3
    captured = capsys.readouterr()
    assert "No usable EEG" in captured.err and "No seizure detected" not in captured.out
    assert _n_alerts(db) == 1
    np.testing.assert_array_equal(mne.io.read_raw_fif(flat, verbose="error").get_data(), 0.0)


def test_export_never_writes_over_the_store_and_asks_before_replacing(db, tmp_path, capsys):
    with AlertStore(db) as store:
        (alert,) = store.list()
        store.review(alert.id, "confirmed", "Dr. A")
    before = _digest(db)
    base = ["alerts", "--db", str(db), "export"]
    assert main([*base, "--out", str(db), "--overwrite"]) == 2
    assert "never writes over it" in capsys.readouterr().err
    assert _digest(db) == before and _n_alerts(db) == 1
    out = tmp_path / "reviewed.csv"
    out.write_text("keep me")
    assert main([*base, "--out", str(out)]) == 2
    assert "exists. Pass --overwrite" in capsys.readouterr().err and out.read_text() == "keep me"
    assert main([*base, "--out", str(tmp_path / "none" / "x.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main([*base, "--out", str(out), "--overwrite"]) == 0
    assert "Dr. A" in out.read_text()


def test_train_checks_its_output_before_training(tmp_path, capsys):
    existing = tmp_path / "model.npz"
    existing.write_bytes(b"an older model")
    # --data does not even exist: the output is refused first, nothing is trained
    for out in (existing, tmp_path / "model"):  # NumPy would append .npz to the second
        assert main(["train", "--data", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
        assert "model.npz exists. Pass --overwrite" in capsys.readouterr().err
    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "no" / "m.npz")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert existing.read_bytes() == b"an older model"


def test_report_never_writes_over_its_model_or_recording(recording, tmp_path, capsys):
    model = tmp_path / "model.npz"
    model.write_bytes(shipped_model_path().read_bytes())
    before = (_digest(model), _digest(recording))
    for out, what in ((model, "the model file"), (recording, "the recording")):
        argv = ["report", str(model), "--data", str(recording), "--out", str(out)]
        assert main(argv) == 2
        assert f"--out {out} is {what}" in capsys.readouterr().err
    assert (_digest(model), _digest(recording)) == before
