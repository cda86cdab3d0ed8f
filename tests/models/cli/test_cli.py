"""The neucube command line, run in-process and as the installed script."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from acquisition import read_raw
from models.cli import main
from sample_data import MOTOR_EDF, SEIZURE_EDF, SEIZURE_EDF_2


def test_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("info", "demo", "spikes"):
        assert command in out


def test_demo_prints_spike_rates_before_and_during_the_seizure(capsys):
    assert main(["demo", "--offline"]) == 0
    out = capsys.readouterr().out
    assert "chb01_03" in out and "before /s" in out and "during /s" in out
    rows = [
        line.split() for line in out.splitlines() if line.startswith(("Fp1-F7", "T8-P8", "mean"))
    ]
    assert [r[0] for r in rows] == ["Fp1-F7", "T8-P8", "T8-P8-1", "mean"]
    before, during = float(rows[-1][1]), float(rows[-1][2])
    # Real chb01_03: every channel spikes more during the seizure (about 2.4x).
    assert during > 1.5 * before > 0
    assert "23 of 23 channels rose" in out


def test_spikes_json_on_motor_run_with_explicit_segments(capsys):
    argv = [
        "spikes",
        str(MOTOR_EDF),
        "--segment",
        "first",
        "0",
        "60",
        "--segment",
        "second",
        "60",
        "120",
        "--fit",
        "first",
        "--json",
    ]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["sfreq"] == 160
    assert len(result["channels"]) == 64 and "FC5" in result["channels"]
    assert set(result["rates_per_s"]) == {"first", "second"}
    assert all(t > 0 for t in result["thresholds_uV"])
    # The encoder never spikes more than once per sample per channel.
    assert all(0 < r <= 160 for r in result["rates_per_s"]["first"])


def test_missing_file_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    missing = tmp_path / "nope.edf"
    assert main(["spikes", str(missing)]) == 2
    err = capsys.readouterr().err
    assert "nope.edf" in err and "Traceback" not in err


def test_recording_without_seizure_annotation_asks_for_segments(capsys):
    assert main(["spikes", str(MOTOR_EDF)]) == 2
    err = capsys.readouterr().err
    assert "No annotation matching 'seizure'" in err and "T0" in err


def test_bad_fit_segment_names_the_choices(capsys):
    assert main(["spikes", str(SEIZURE_EDF), "--fit", "during-ish"]) == 2
    assert "fit_segment must be one of the segments" in capsys.readouterr().err


def test_installed_console_script_answers_help():
    # `make test` installs the project into the virtual environment running the tests.
    script = Path(sys.executable).parent / "neucube"
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    assert "spikes" in out.stdout


def test_info_json_names_versions_and_target(capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)  # nothing else on stdout
    assert info["brian2"] and info["mne"] and info["numpy"] and info["neucube-eeg"]
    assert info["brian2_target_in_use"] in ("numpy", "cython")
    assert "numpy" in info["brian2_targets_available"]
    assert isinstance(info["cpp_compiler_usable"], bool)


def test_detect_writes_szcore_and_stores_a_reviewable_alert(tmp_path, capsys):
    db = tmp_path / "alerts.sqlite"
    out = tmp_path / "found.tsv"
    argv = [
        "detect",
        str(SEIZURE_EDF),
        "--out",
        str(out),
        "--format",
        "szcore",
        "--db",
        str(db),
        "--quiet",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "1 seizure(s) detected" in printed and "stored 1 alert(s)" in printed
    rows = out.read_text().splitlines()
    assert rows[0].split("\t") == [
        "onset",
        "duration",
        "eventType",
        "confidence",
        "channels",
        "dateTime",
        "recordingDuration",
    ]
    onset, duration, kind = rows[1].split("\t")[:3]
    assert kind == "sz" and float(onset) < 20 and float(onset) + float(duration) > 40
    # Running detection again stores no duplicate (and replaces --out only when told).
    assert main(argv) == 2
    assert "exists. Pass --overwrite" in capsys.readouterr().err
    assert main([*argv, "--overwrite"]) == 0
    capsys.readouterr()
    assert main(["alerts", "--db", str(db), "list", "--json"]) == 0
    alerts = json.loads(capsys.readouterr().out)
    assert len(alerts) == 1 and alerts[0]["status"] == "pending"
    assert (
        main(
            [
                "alerts",
                "--db",
                str(db),
                "review",
                str(alerts[0]["id"]),
                "--status",
                "rejected",
                "--reviewer",
                "Dr. B",
                "--note",
                "artefact",
            ]
        )
        == 0
    )
    export = tmp_path / "reviewed.csv"
    assert main(["alerts", "--db", str(db), "export", "--out", str(export), "--format", "csv"]) == 0
    assert "rejected" in export.read_text() and "Dr. B" in export.read_text()


@pytest.mark.slow
def test_train_seizure_saves_a_detector_that_finds_another_seizure(tmp_path, capsys, caplog):
    from models.evaluation.seizure import NPY_RECORDS
    from models.seizure.detector import SeizureDetector
    from models.seizure.events import events_from_annotations
    from models.seizure.scoring import score_events

    # a chb01 folder holding one of the seven excerpts: chb01_04 (seizure from 10 s)
    (tmp_path / "edf").mkdir()
    (tmp_path / "edf" / SEIZURE_EDF_2.name).write_bytes(SEIZURE_EDF_2.read_bytes())
    out = tmp_path / "chb01"
    argv = ["train", "--data", str(tmp_path), "--out", str(out), "--target", "numpy"]
    with caplog.at_level("WARNING", logger="neucube"):
        assert main(argv) == 0
    printed = capsys.readouterr().out
    model = tmp_path / "chb01.npz"
    assert f"on 1 seizures (chb01_04); saved to {model}" in printed
    assert all(f"{name}: no excerpt arrays" in caplog.text for name in NPY_RECORDS)
    det = SeizureDetector.load(model)
    assert det.method == "neucube" and det.readout == "bins" and det.random_state == 0
    assert det.target == "numpy" and len(det.ch_names) == 23 and det.background == 300.0
    assert det.background_.shape == (2, 23)
    # the saved model finds the seizure of chb01_03, which it never saw
    raw = read_raw(SEIZURE_EDF)
    found = det.detect(raw, progress_bar=False)
    ref = events_from_annotations(raw, description="seizure")
    assert score_events(ref, found.events, found.duration).per_event[0].detected
    # a second run refuses to replace the model unless told
    assert main(argv) == 2
    assert "exists. Pass --overwrite" in capsys.readouterr().err


def test_demo_names_the_missing_qt_libraries_and_runs_headless(monkeypatch, capsys):
    from models.cli import demo

    monkeypatch.setattr(demo.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    have = {"xcb-icccm"}
    packages = demo.missing_qt_libraries(lambda name: name if name in have else None)
    assert packages == ["libxcb-cursor0", "libxcb-keysyms1"]
    assert demo.missing_qt_libraries(lambda name: name) == []
    monkeypatch.setenv("QT_QPA_PLATFORM", "wayland")
    assert demo.missing_qt_libraries(lambda name: None) == []  # not the xcb plugin
    monkeypatch.delenv("QT_QPA_PLATFORM")

    ran = []
    monkeypatch.setattr(demo, "missing_qt_libraries", lambda: packages)
    monkeypatch.setattr(demo, "_demo_headless", lambda args: ran.append(args) or 0)
    monkeypatch.setattr(demo, "_display_available", lambda: True)
    assert main(["demo"]) == 0 and len(ran) == 1
    err = capsys.readouterr().err
    assert "sudo apt install libxcb-cursor0 libxcb-keysyms1" in err
