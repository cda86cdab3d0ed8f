"""Reviewed alerts out as an EDF+ annotation file: read back by MNE and edfio, exactly."""

import datetime as dt

import edfio
import mne
import numpy as np
import pytest

from models.alerts import AlertStore, AlertStoreError
from models.cli import main
from models.seizure.formats import write_edf_annotations
from sample_data import SEIZURE_EDF

START = "2026-12-01T22:15:03.250000+00:00"


@pytest.fixture
def store(tmp_path):
    """A store with two reviewed alerts and one pending of one recording, one of another."""
    db = tmp_path / "alerts.sqlite"
    rec = str(tmp_path / "night_01.edf")
    common = dict(model_id="m", recording_start=START, recording_duration=3600.0)
    with AlertStore(db) as s:
        a = s.add_alert(rec, 9.0, 41.0, 0.9, ["FP1-F7"], **common)
        b = s.add_alert(rec, 1234.567, 2.5, 0.6, **common)
        s.add_alert(rec, 2000.0, 3.0, 0.7, **common)  # stays pending
        s.add_alert(str(tmp_path / "night_02.edf"), 5.0, 4.0, 0.8, **common)
        s.review(a, "confirmed", "Dr. A", "typical onset")
        s.review(b, "rejected", "Dr. B\tsecond\nline")  # separators in a name are kept out
        yield s, rec, (a, b)


def test_round_trip_by_mne_and_edfio(tmp_path, store):
    s, rec, (a, b) = store
    out = tmp_path / "night_01_alerts.edf"
    assert s.export(out, "edf", recording=rec, overwrite=False) == [out]
    # by hand: onsets to the millisecond as stored, durations as given, texts with
    # status, reviewer, note and the alert's id; sorted by onset; pending left out
    onsets, durations = [9.0, 1234.567], [41.0, 2.5]
    texts = [
        f"seizure confirmed by Dr. A: typical onset (alert {a})",
        f"seizure rejected by Dr. B second line (alert {b})",
    ]
    annot = mne.read_annotations(out)
    np.testing.assert_allclose(annot.onset, onsets, rtol=0, atol=1e-6)
    np.testing.assert_allclose(annot.duration, durations, rtol=0, atol=1e-6)
    assert list(annot.description) == texts
    edf = edfio.read_edf(out)
    assert [(x.onset, x.duration, x.text) for x in edf.annotations] == list(
        zip(onsets, durations, texts)
    )
    assert edf.num_signals == 0 and edf.reserved == "EDF+C"  # annotations alone
    # the recording's start, sub-second part included (EDF+ keeps it in the first TAL)
    assert edf.startdate == dt.date(2026, 12, 1)
    assert edf.starttime == dt.time(22, 15, 3, 250000)


def test_the_cli_writes_edf_and_refuses_an_existing_file(tmp_path, store, capsys):
    s, rec, _ = store
    db = str(s.path)
    out = tmp_path / "{recording}_alerts.edf"
    argv = ["alerts", "--db", db, "export", "--format", "edf", "--out", str(out)]
    assert main(argv) == 0
    written = sorted(p.name for p in tmp_path.glob("*_alerts.edf"))
    assert written == ["night_01_alerts.edf"]  # night_02's only alert is pending
    before = (tmp_path / "night_01_alerts.edf").read_bytes()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "night_01_alerts.edf exists" in err and "--overwrite" in err
    assert (tmp_path / "night_01_alerts.edf").read_bytes() == before
    # every status asked for: both recordings, pending ones said so
    assert main([*argv, "--status", "pending", "--overwrite"]) == 0
    texts = list(mne.read_annotations(tmp_path / "night_02_alerts.edf").description)
    assert texts[0].startswith("seizure pending (alert ")


def test_no_alerts_to_export_writes_nothing(tmp_path, capsys):
    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as s:
        s.add_alert("rec.edf", 1.0, 2.0, model_id="m")  # pending only
    out = tmp_path / "rec_alerts.edf"
    assert main(["alerts", "--db", str(db), "export", "--format", "edf", "--out", str(out)]) == 0
    assert "nothing written" in capsys.readouterr().out
    assert not out.exists()
    with pytest.raises(ValueError, match="at least one"):
        write_edf_annotations(out, [])


def test_several_recordings_need_a_template_and_the_recording_is_never_written(tmp_path, store):
    s, rec, _ = store
    with pytest.raises(ValueError, match=r"\{recording\}"):
        s.export(tmp_path / "all.edf", "edf", status=["pending"])
    with pytest.raises(AlertStoreError, match="is the recording"):
        s.export(rec, "edf", recording=rec)


def test_an_unknown_start_is_written_anonymous(tmp_path, caplog):
    out = write_edf_annotations(tmp_path / "x.edf", [(0.5, 1.0, "seizure")])
    assert "start is unknown" in caplog.text
    edf = edfio.read_edf(out)
    assert edf.starttime == dt.time(0, 0) and edf.annotations[0].onset == 0.5


def test_alerts_of_the_bundled_recording_line_up_with_its_header(tmp_path):
    """The start written is the recording's own (MNE's meas_date of the bundled EDF)."""
    raw = mne.io.read_raw_edf(SEIZURE_EDF, preload=False, verbose="error")
    start = raw.info["meas_date"]
    with AlertStore(tmp_path / "a.sqlite") as s:
        aid = s.add_alert(
            str(SEIZURE_EDF), 9.0, 41.0, model_id="m", recording_start=start.isoformat()
        )
        s.review(aid, "confirmed", "Dr. A")
        (out,) = s.export(tmp_path / "sz_alerts.edf", "edf")
    edf = edfio.read_edf(out)
    assert dt.datetime.combine(edf.startdate, edf.starttime) == start.replace(tzinfo=None)


def test_an_export_never_writes_over_eeg_but_replaces_its_own_annotation_file(tmp_path, store):
    s, _, _ = store
    eeg = tmp_path / "other_recording.edf"
    eeg.write_bytes(SEIZURE_EDF.read_bytes())
    for fmt in ("edf", "csv"):
        with pytest.raises(AlertStoreError, match="holds EEG signals.*even with --overwrite"):
            s.export(eeg, fmt, recording=None if fmt == "csv" else store[1])
    assert eeg.read_bytes() == SEIZURE_EDF.read_bytes()
    (ours,) = s.export(tmp_path / "x_alerts.edf", "edf", recording=store[1])
    first = ours.read_bytes()
    s.review(store[2][1], "confirmed", "Dr. C")  # changes what is exported
    (again,) = s.export(ours, "edf", recording=store[1], overwrite=True)
    assert again == ours and ours.read_bytes() != first  # an annotation file is not EEG
