"""Reading recordings: the bundled real files and every kind of broken file."""

import logging
import shutil
import warnings

import mne
import numpy as np
import pytest

from acquisition import (
    CorruptFileError,
    EEGFileError,
    NonFiniteDataError,
    TruncatedFileError,
    UnsupportedFormatError,
    parse_channel_name,
    read_raw,
)
from sample_data import MOTOR_EDF, SEIZURE_EDF, SEIZURE_EDF_2


def test_read_seizure_edf():
    raw = read_raw(SEIZURE_EDF)
    assert len(raw.ch_names) == 23
    assert raw.info["sfreq"] == 256.0
    assert raw.n_times == 50 * 256
    assert list(raw.annotations.description) == ["seizure"]
    assert raw.annotations.onset[0] == pytest.approx(10.0)
    assert raw.ch_names[:2] == ["Fp1-F7", "F7-T7"]
    assert raw.ch_names[16:18] == ["Fz-Cz", "Cz-Pz"]
    # the duplicated T8-P8 is kept twice, under distinct names
    assert raw.ch_names[14] == "T8-P8" and raw.ch_names[22] == "T8-P8-1"
    assert len(set(raw.ch_names)) == 23
    assert np.isfinite(raw.get_data()).all()
    # data in volts (CHB-MIT is recorded in microvolts)
    assert 1e-6 < np.abs(raw.get_data()).max() < 1e-2


def test_read_seizure_edf_2_and_original_names():
    raw = read_raw(SEIZURE_EDF_2, standardize_names=False)
    assert raw.ch_names[0] == "FP1-F7"
    assert raw.ch_names[14] == "T8-P8-0"
    assert raw.annotations.onset[0] == pytest.approx(10.0)


def test_read_motor_edf():
    raw = read_raw(MOTOR_EDF)
    assert len(raw.ch_names) == 64
    assert raw.info["sfreq"] == 160.0
    assert raw.ch_names[0] == "FC5"
    assert {"Fp1", "FCz", "Iz", "T10"} <= set(raw.ch_names)
    assert all(parse_channel_name(n).name == n for n in raw.ch_names)
    assert set(raw.annotations.description) == {"T0", "T1", "T2"}
    assert read_raw(MOTOR_EDF, standardize_names=False, preload=False).ch_names[0] == "Fc5."


def test_read_raw_is_quiet(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # MNE's warnings go through our logger
        read_raw(SEIZURE_EDF)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_uppercase_extension(tmp_path):
    fname = tmp_path / "REC.EDF"
    shutil.copyfile(SEIZURE_EDF, fname)
    assert len(read_raw(fname).ch_names) == 23


def test_missing_file(tmp_path):
    fname = tmp_path / "nope.edf"
    with pytest.raises(FileNotFoundError, match="nope.edf"):
        read_raw(fname)


def test_folder(tmp_path):
    with pytest.raises(EEGFileError, match="folder"):
        read_raw(tmp_path)


@pytest.mark.parametrize(
    "name, hint",
    [("rec.xyz", "'.xyz'"), ("rec.eeg", ".vhdr"), ("rec.fdt", ".set"), ("rec", "(none)")],
)
def test_unsupported_extension(tmp_path, name, hint):
    fname = tmp_path / name
    fname.write_bytes(b"0" * 100)
    with pytest.raises(UnsupportedFormatError) as err:
        read_raw(fname)
    msg = str(err.value)
    assert str(fname) in msg and hint in msg
    assert ".edf" in msg and ".vhdr" in msg and ".gdf" in msg  # lists what is supported
    assert err.value.fname == str(fname)
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("ext", [".edf", ".bdf", ".gdf", ".fif", ".vhdr", ".set"])
def test_garbage_with_eeg_extension(tmp_path, ext):
    fname = tmp_path / f"garbage{ext}"
    fname.write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(CorruptFileError) as err:
        read_raw(fname)
    assert str(fname) in str(err.value)
    assert err.value.__cause__ is not None  # MNE's own exception is kept


def test_truncated_edf(tmp_path, caplog):
    fname = tmp_path / "cut.edf"
    fname.write_bytes(SEIZURE_EDF.read_bytes()[:-1000])  # the last 1-s record is incomplete
    with pytest.raises(TruncatedFileError) as err:
        read_raw(fname)
    assert str(fname) in str(err.value) and "allow_truncated=True" in str(err.value)
    with caplog.at_level(logging.WARNING, logger="neucube.acquisition"):
        raw = read_raw(fname, allow_truncated=True)
    assert raw.n_times == 49 * 256  # the complete records
    assert "truncated" in caplog.text and str(fname) in caplog.text


def test_truncated_header(tmp_path):
    fname = tmp_path / "stub.edf"
    fname.write_bytes(SEIZURE_EDF.read_bytes()[:3000])  # cut inside the header
    with pytest.raises(CorruptFileError, match="stub.edf"):
        read_raw(fname, allow_truncated=True)


def test_truncated_fif(tmp_path):
    raw = mne.io.read_raw_edf(SEIZURE_EDF, preload=True, verbose="error").crop(0, 4)
    full = tmp_path / "full_raw.fif"
    raw.save(full, verbose="error")
    cut = tmp_path / "cut_raw.fif"
    cut.write_bytes(full.read_bytes()[:-20000])
    with pytest.raises(TruncatedFileError, match="cut_raw.fif"):
        read_raw(cut, allow_truncated=True)


def test_nonfinite_samples(tmp_path):
    raw = mne.io.read_raw_edf(SEIZURE_EDF, preload=True, verbose="error").crop(0, 4)
    raw._data[3, 500:] = np.nan  # 'P7-O1' from 500 / 256 = 1.953 s
    raw._data[5, 700] = np.inf  # 'F3-C3'
    fname = tmp_path / "nan_raw.fif"
    raw.save(fname, verbose="error")
    with pytest.raises(NonFiniteDataError) as err:
        read_raw(fname)
    msg = str(err.value)
    assert str(fname) in msg and "'P7-O1'" in msg and "'F3-C3'" in msg and "1.953 s" in msg
    assert err.value.channels == ["P7-O1", "F3-C3"]
    assert err.value.first_time == pytest.approx(500 / 256)
    # not loaded: not checked (documented)
    assert read_raw(fname, preload=False).n_times == raw.n_times


def test_fif_round_trip_and_unplaced(tmp_path, caplog):
    info = mne.create_info(["EEG FP1-REF", "EEG T3-REF", "ECG", "-"], 128.0, "eeg")
    data = np.random.default_rng(1).standard_normal((4, 256)) * 1e-5
    fname = tmp_path / "mixed_raw.fif"
    mne.io.RawArray(data, info, verbose="error").save(fname, verbose="error")
    with caplog.at_level(logging.INFO, logger="neucube.acquisition"):
        raw = read_raw(fname)
    assert raw.ch_names == ["Fp1", "T7", "ECG", "-"]  # unplaced kept as they are
    assert "['ECG', '-']" in caplog.text
    np.testing.assert_allclose(raw.get_data(), data, rtol=1e-6)


def _write_brainvision(folder, names, data, sfreq, eeg_name="rec.eeg", marker_at=125):
    """Write a small BrainVision recording (float32, multiplexed, µV)."""
    header = (
        "Brain Vision Data Exchange Header File Version 1.0\n\n[Common Infos]\n"
        f"Codepage=UTF-8\nDataFile={eeg_name}\nMarkerFile=rec.vmrk\nDataFormat=BINARY\n"
        f"DataOrientation=MULTIPLEXED\nNumberOfChannels={len(names)}\n"
        f"SamplingInterval={1e6 / sfreq:g}\n\n[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32\n\n"
        "[Channel Infos]\n" + "".join(f"Ch{i + 1}={n},,1,µV\n" for i, n in enumerate(names))
    )
    markers = (
        "Brain Vision Data Exchange Marker File, Version 1.0\n\n[Common Infos]\n"
        f"Codepage=UTF-8\nDataFile={eeg_name}\n\n[Marker Infos]\n"
        f"Mk1=New Segment,,1,1,0\nMk2=Stimulus,S  1,{marker_at + 1},1,0\n"
    )
    (folder / "rec.vhdr").write_text(header, encoding="utf-8")
    (folder / "rec.vmrk").write_text(markers, encoding="utf-8")
    np.asarray(data, "<f4").T.tofile(folder / "rec.eeg")
    return folder / "rec.vhdr"


def test_brainvision(tmp_path):
    data = np.arange(3 * 500, dtype=float).reshape(3, 500)
    fname = _write_brainvision(tmp_path, ["Fp1", "FP2", "T3"], data, 250.0)
    raw = read_raw(fname)
    assert raw.ch_names == ["Fp1", "Fp2", "T7"]
    assert raw.info["sfreq"] == 250.0
    assert raw.annotations.onset.tolist() == [0.5]  # sample 125 at 250 Hz
    np.testing.assert_allclose(raw.get_data(), data * 1e-6)  # µV to V


def test_brainvision_nan_and_missing_data_file(tmp_path):
    data = np.zeros((2, 250))
    data[1, 100] = np.nan
    fname = _write_brainvision(tmp_path, ["Cz", "Pz"], data, 250.0)
    with pytest.raises(NonFiniteDataError, match=r"\['Pz'\]; the first at 0.400 s"):
        read_raw(fname)
    (tmp_path / "rec.eeg").unlink()
    with pytest.raises(FileNotFoundError, match="rec.vhdr"):
        read_raw(fname)


def test_verbose(caplog):
    caplog.set_level(logging.INFO, logger="neucube.acquisition")
    read_raw(SEIZURE_EDF, verbose="warning")
    assert "Read " not in caplog.text
    read_raw(SEIZURE_EDF)
    assert "Read " in caplog.text and "23 channels, 256 Hz" in caplog.text
    with pytest.raises(ValueError, match="verbose must be"):
        read_raw(SEIZURE_EDF, verbose="loud")
