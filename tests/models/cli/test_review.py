"""``neucube review``: what is refused before any window opens, and what the window is given."""

import subprocess
import sys

import pytest

from models.alerts import AlertStore
from models.cli import main
from models.cli.review import EXIT_NO_DISPLAY
from models.io import peek_model
from models.seizure.detector import shipped_model_path
from sample_data import MOTOR_EDF, SEIZURE_EDF, SEIZURE_EDF_2


def _store(path, *recordings):
    with AlertStore(path) as store:
        for rec in recordings:
            store.add_alert(str(rec.resolve()), 9.0, 3.0, 0.9, model_id="m")
    return path


@pytest.fixture
def calls(monkeypatch):
    """The window's command lines, instead of opening it; a display is there."""
    seen = []

    def call(argv):
        seen.append(argv)
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    monkeypatch.setattr("models.cli.review._display_problem", lambda: None)
    return seen


def test_a_missing_file_is_named(tmp_path, capsys, calls):
    db = _store(tmp_path / "a.sqlite", SEIZURE_EDF)
    missing = tmp_path / "night_07.edf"
    assert main(["review", str(missing), "--db", str(db)]) == 2
    assert f"{missing}: no such recording file" in capsys.readouterr().err
    # a file that exists but has no alert
    assert main(["review", str(SEIZURE_EDF_2), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"{SEIZURE_EDF_2}: the alert store {db} holds no alert of this recording" in err
    assert f"run `neucube detect {SEIZURE_EDF_2} --db {db}` first" in err
    # run by this model, without any alert
    model = peek_model(shipped_model_path())
    with AlertStore(db) as store:
        store.record_run(
            str(SEIZURE_EDF_2.resolve()), model_id=model.model_id, model_version=model.model_version
        )
    assert main(["review", str(SEIZURE_EDF_2), "--db", str(db)]) == 2
    assert "detection ran over it and raised no alert" in capsys.readouterr().err
    assert not calls


def test_a_missing_file_with_alerts_stored_is_named(tmp_path, capsys, calls):
    gone = tmp_path / "gone.edf"
    gone.write_bytes(SEIZURE_EDF.read_bytes())
    db = _store(tmp_path / "a.sqlite", gone)
    gone.unlink()
    assert main(["review", str(gone), "--db", str(db)]) == 2
    assert f"{gone}: no such recording file" in capsys.readouterr().err
    assert not calls


def test_a_file_that_is_not_eeg_is_named(tmp_path, capsys, calls):
    bad = tmp_path / "night_03.edf"
    bad.write_text("not an EDF file")
    db = _store(tmp_path / "a.sqlite", bad)
    assert main(["review", str(bad), "--db", str(db)]) == 2
    assert f"{str(bad)!r} cannot be read as EDF" in capsys.readouterr().err
    assert not calls


def test_a_store_that_is_not_there(tmp_path, capsys):
    db = tmp_path / "none.sqlite"
    assert main(["review", str(SEIZURE_EDF), "--store", str(db)]) == 2
    assert f"no alert store at {db}" in capsys.readouterr().err
    assert not db.exists()  # never created by a review


def test_a_file_of_another_rate_is_refused(tmp_path, capsys, calls):
    db = _store(tmp_path / "a.sqlite", MOTOR_EDF)
    assert main(["review", str(MOTOR_EDF), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"{MOTOR_EDF} is sampled at 160 Hz" in err and "at 256 Hz" in err
    assert not calls


def test_no_display_says_so(tmp_path, capsys, monkeypatch):
    db = _store(tmp_path / "a.sqlite", SEIZURE_EDF)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(subprocess, "call", lambda argv: pytest.fail("no window without a display"))
    assert main(["review", str(SEIZURE_EDF), "--db", str(db)]) == EXIT_NO_DISPLAY
    err = capsys.readouterr().err
    assert "cannot open here" in err and "no display" in err and "neucube alerts list" in err


def test_the_window_gets_the_recordings_with_alerts(tmp_path, capsys, calls):
    db = _store(tmp_path / "a.sqlite", SEIZURE_EDF)
    argv = ["review", str(SEIZURE_EDF), str(SEIZURE_EDF_2), "--db", str(db), "--reviewer", "Dr. A"]
    assert main(argv) == 0
    assert f"left out {SEIZURE_EDF_2}" in capsys.readouterr().err
    (window,) = calls
    assert window[:3] == [sys.executable, "-m", "gui.review"]
    assert window[3:] == [
        str(SEIZURE_EDF),
        "--db",
        str(db),
        "--reviewer",
        "Dr. A",
        "--context",
        "30.0",
    ]
    # without FILE: the recordings with pending alerts whose files are here
    calls.clear()
    assert main(["review", "--db", str(db)]) == 0
    assert calls[0][3] == str(SEIZURE_EDF.resolve())
