"""Many recordings named at once: files, folders, glob patterns, BIDS datasets."""

import os

import mne
import pytest

from acquisition.recordings import bids_basename, eeg_stem, find_recordings, is_bids_root
from sample_data import SEIZURE_EDF, SEIZURE_EDF_2


def _touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "archive"
    for rel in (
        "p1/night.edf",
        "p1/night.EDF.txt",  # not EEG
        "p2/night.edf",
        "p2/run.vhdr",
        "p2/run.eeg",  # BrainVision data: read through its .vhdr
        "p2/long_raw.fif",
        "p2/long_raw-1.fif",  # the second part of a split FIF file
        "p3/rec.BDF",
        ".hidden/x.edf",
        "p3/.x.edf",
    ):
        _touch(root / rel)
    return root


def test_a_folder_is_searched_with_its_subfolders_for_eeg_files(archive):
    found = find_recordings(archive)
    rel = [os.path.relpath(r.path, archive.resolve()) for r in found]
    assert rel == ["p1/night.edf", "p2/long_raw.fif", "p2/night.edf", "p2/run.vhdr", "p3/rec.BDF"]
    assert found[0].given == os.path.join(str(archive), "p1/night.edf")
    assert [r.stem for r in found] == ["night", "long_raw", "night", "run", "rec"]
    assert not any(r.is_bids for r in found)


def test_files_patterns_and_folders_together_name_each_recording_once(archive, monkeypatch):
    monkeypatch.chdir(archive)
    found = find_recordings(["p2/night.edf", "p*/night.edf", "p3", "p2/night.edf"])
    assert [os.path.relpath(r.path, archive.resolve()) for r in found] == [
        "p2/night.edf",
        "p1/night.edf",
        "p3/rec.BDF",
    ]
    assert [r.given for r in found] == ["p2/night.edf", "p1/night.edf", "p3/rec.BDF"]
    recursive = find_recordings(str(archive / "**" / "*.edf"))
    assert len(recursive) == 2  # hidden files stay out of patterns too
    # An output folder inside the archive is not taken for recordings.
    _touch(archive / "out" / "night_events.edf")
    assert len(find_recordings(archive, exclude=[archive / "out"])) == 5
    assert len(find_recordings(archive)) == 6


def test_what_names_no_recording_is_an_error_saying_what_was_searched(archive, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"'absent\.edf' does not exist.*glob"):
        find_recordings(["absent.edf"])
    with pytest.raises(ValueError, match=r"matches no EEG recording .1 other file"):
        find_recordings(str(archive / "p1" / "*.txt"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"is a folder holding no EEG recording.*\.edf"):
        find_recordings(tmp_path / "empty")
    with pytest.raises(ValueError, match="BIDS dataset root"):
        find_recordings(archive, subjects="01")
    # A file named directly is kept whatever its extension: reading it says what it is.
    assert [r.path.name for r in find_recordings(archive / "p1" / "night.EDF.txt")] == [
        "night.EDF.txt"
    ]


def test_a_bids_dataset_gives_its_eeg_recordings_filtered_with_their_entities(tmp_path):
    mne_bids = pytest.importorskip("mne_bids")
    root = tmp_path / "bids"
    for sub, source in (("01", SEIZURE_EDF), ("02", SEIZURE_EDF_2)):
        raw = mne.io.read_raw_edf(source, verbose="error")
        path = mne_bids.BIDSPath(
            subject=sub, session="1", task="szMonitoring", run=1, datatype="eeg", root=root
        )
        mne_bids.write_raw_bids(raw, path, verbose="error")
    _touch(root / "derivatives" / "other" / "sub-01" / "eeg" / "sub-01_task-x_eeg.edf")
    assert is_bids_root(root) and not is_bids_root(root / "sub-01")
    found = find_recordings(root)
    assert [r.entities["subject"] for r in found] == ["01", "02"]  # no derivatives
    assert all(r.is_bids and r.bids_root == root.resolve() for r in found)
    assert found[0].path.name == "sub-01_ses-1_task-szMonitoring_run-1_eeg.edf"
    assert found[0].stem == "sub-01_ses-1_task-szMonitoring_run-1"
    (one,) = find_recordings(root, subjects=["sub-02"], tasks="szMonitoring")
    assert one.entities == {"subject": "02", "session": "1", "task": "szMonitoring", "run": "1"}
    with pytest.raises(ValueError, match=r"matches subject 03.*holds subjects 01, 02"):
        find_recordings(root, subjects="03")


def test_names_without_the_eeg_extension():
    assert eeg_stem("chb01_03.edf") == "chb01_03"
    assert eeg_stem("run_raw.FIF.GZ") == "run_raw"
    assert eeg_stem("notes.txt") == "notes"
    assert bids_basename({"subject": "01", "task": "rest", "run": "2"}) == "sub-01_task-rest_run-2"
