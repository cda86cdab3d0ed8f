"""UCI EEG Database reader, on the bundled excerpt and on damaged copies of it."""

import gzip
import logging
import shutil

import mne
import numpy as np
import pytest

from acquisition import (
    CorruptFileError,
    EEGFileError,
    NonFiniteDataError,
    TruncatedFileError,
    UCIEpochs,
    find_uci_subjects,
    read_uci_epochs,
    read_uci_subject,
    read_uci_trial,
)
from sample_data import SAMPLE_DIR

UCI_DIR = SAMPLE_DIR / "uci"
ALCOHOLIC = UCI_DIR / "co2a0000368"
CONTROL = UCI_DIR / "co2c0000340"
FIRST = ALCOHOLIC / "co2a0000368.rd.000.gz"  # S1 obj, trial 0


def _lines(fname=FIRST):
    with gzip.open(fname, "rt") as fid:
        return fid.read().split("\n")


def _write(path, lines, *, compress=True):
    text = "\n".join(lines)
    if compress:
        with gzip.open(path, "wt") as fid:
            fid.write(text)
    else:
        path.write_text(text)
    return path


def _broken(tmp_path, edit, name="co2a0000368.rd.000.gz"):
    """Write a copy of FIRST changed by ``edit(lines) -> lines`` into tmp_path."""
    return _write(tmp_path / name, edit(_lines()))


# ---------------------------------------------------------------------------
# One trial
# ---------------------------------------------------------------------------


def test_read_trial_from_bundled_excerpt():
    trial = read_uci_trial(FIRST)
    assert trial.data.shape == (61, 256)
    assert trial.sfreq == 256.0
    assert (trial.condition, trial.trial, trial.err) == ("S1 obj", 0, False)
    assert (trial.subject, trial.group) == ("co2a0000368", "alcoholic")
    assert trial.fname == str(FIRST)
    # 10-10 spellings, non-EEG channels X, Y and nd dropped, file order kept.
    assert len(trial.ch_names) == len(set(trial.ch_names)) == 61
    assert trial.ch_names[:3] == ["Fp1", "Fp2", "F7"]
    assert trial.ch_names[-1] == "CPz"  # 'CPZ', after 'X' was dropped
    assert {"Fz", "Cz", "Pz", "Oz", "Fpz", "AFz", "FCz", "POz", "AF1", "PO2"} <= set(trial.ch_names)
    assert not {"X", "Y", "nd", "FP1", "CPZ"} & set(trial.ch_names)
    # Hand-checked against the text: '0 FP1 0 5.015', '0 FP1 1 5.503',
    # '0 FP1 2 4.039', '0 CPZ 0 -0.020' (µV); returned in volts.
    np.testing.assert_allclose(trial.data[0, :3], [5.015e-6, 5.503e-6, 4.039e-6], rtol=1e-12)
    assert trial.data[-1, 0] == pytest.approx(-0.020e-6)
    # Quirk: Cz of this subject's first trials is exactly zero.
    assert not trial.data[trial.ch_names.index("Cz")].any()


def test_trial_number_comes_from_the_file_not_its_name():
    trial = read_uci_trial(CONTROL / "co2c0000340.rd.042.gz")
    assert (trial.trial, trial.condition, trial.group) == (41, "S2 match", "control")


def test_plain_text_file_reads_like_gzip(tmp_path):
    plain = _write(tmp_path / "co2a0000368.rd.000", _lines(), compress=False)
    a, b = read_uci_trial(plain), read_uci_trial(FIRST)
    np.testing.assert_array_equal(a.data, b.data)
    assert a.ch_names == b.ch_names


def test_err_trials_are_flagged(tmp_path):
    def edit(lines):
        lines[3] = "# S2 nomatch err, trial 0"
        return lines

    trial = read_uci_trial(_broken(tmp_path, edit))
    assert (trial.condition, trial.err) == ("S2 nomatch", True)


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="nothere.rd.000.gz"):
        read_uci_trial(UCI_DIR / "nothere.rd.000.gz")


# ---------------------------------------------------------------------------
# Damaged files: each error names the file and what is wrong
# ---------------------------------------------------------------------------


def test_truncated_gzip(tmp_path):
    raw = FIRST.read_bytes()
    bad = tmp_path / "cut.rd.000.gz"
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(TruncatedFileError, match="truncated gzip") as info:
        read_uci_trial(bad)
    assert str(bad) in str(info.value) and info.value.fname == str(bad)


def test_damaged_gzip_and_binary_and_empty(tmp_path):
    raw = FIRST.read_bytes()
    bad = tmp_path / "bad.rd.000.gz"
    bad.write_bytes(raw[:10] + bytes(200) + raw[210:])
    with pytest.raises(CorruptFileError, match=r"bad\.rd\.000\.gz.*damaged gzip"):
        read_uci_trial(bad)
    binary = tmp_path / "bin.rd.000"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(CorruptFileError, match="not a text file"):
        read_uci_trial(binary)
    empty = tmp_path / "empty.rd.000.gz"
    empty.write_bytes(b"")
    with pytest.raises(CorruptFileError, match="empty"):
        read_uci_trial(empty)


@pytest.mark.parametrize(
    "line, text, match",
    [
        (0, "# some other file", "line 1"),
        (1, "# 64 channels", "line 2"),
        (2, "# 3.906000 msecs", "line 3"),
        (2, "# 3.906000 msecs mV", "unit 'mV'"),
        (3, "# S1 obj", "line 4"),
        (3, "# S3 picture , trial 0", "condition 'S3 picture'"),
    ],
)
def test_wrong_header(tmp_path, line, text, match):
    def edit(lines):
        lines[line] = text
        return lines

    bad = _broken(tmp_path, edit)
    with pytest.raises(CorruptFileError, match="wrong header") as info:
        read_uci_trial(bad)
    assert match in str(info.value) and str(bad) in str(info.value)


def test_header_only(tmp_path):
    bad = _broken(tmp_path, lambda lines: lines[:5])
    with pytest.raises(TruncatedFileError, match="no data rows"):
        read_uci_trial(bad)
    with pytest.raises(CorruptFileError, match="has 2 line"):
        read_uci_trial(_broken(tmp_path, lambda lines: lines[:2], name="two.rd.000.gz"))


def test_missing_rows_in_one_channel(tmp_path):
    # Lines 520-529 (1-based) are samples 0-9 of F7, the third channel.
    bad = _broken(tmp_path, lambda lines: lines[:519] + lines[529:])
    match = r"missing rows: channel 'F7' has 246 rows.*samples 0, 1, 2, 3, 4, \.\.\. are missing"
    with pytest.raises(TruncatedFileError, match=match):
        read_uci_trial(bad)


def test_file_cut_at_a_line_end(tmp_path):
    # The last channel (Y) loses its last 56 rows: a copy stopped early.
    bad = _broken(tmp_path, lambda lines: [ln for ln in lines if ln][:-56])
    with pytest.raises(TruncatedFileError, match="channel 'Y' has 200 rows"):
        read_uci_trial(bad)


def test_row_cut_short(tmp_path):
    def edit(lines):
        lines[6] = "0 FP1 1"
        return lines

    with pytest.raises(CorruptFileError, match=r"line 7: expected 4 fields.*got 3"):
        read_uci_trial(_broken(tmp_path, edit))


def test_row_cut_short_and_another_too_long(tmp_path):
    # The total count of fields stays a multiple of 4: still found.
    def edit(lines):
        lines[6] = "0 FP1 1"
        lines[9] = "0 FP1 4 2.0 7.0"
        return lines

    with pytest.raises(CorruptFileError, match="line 7: expected 4 fields"):
        read_uci_trial(_broken(tmp_path, edit))


@pytest.mark.parametrize(
    "row, what",
    [
        ("0 FP1 1 abc", "value 'abc'"),
        ("0 FP1 x1 5.503", "sample number 'x1'"),
        ("zero FP1 1 5.503", "trial number 'zero'"),
    ],
)
def test_non_numeric_values(tmp_path, row, what):
    def edit(lines):
        lines[6] = row
        return lines

    with pytest.raises(CorruptFileError, match=rf"line 7: the {what} is not a number"):
        read_uci_trial(_broken(tmp_path, edit))


def test_non_finite_value(tmp_path):
    def edit(lines):
        lines[6] = "0 FP1 1 nan"
        return lines

    with pytest.raises(NonFiniteDataError, match=r"FP1.*sample 1") as info:
        read_uci_trial(_broken(tmp_path, edit))
    assert info.value.channels == ["FP1"]


def test_inconsistent_channel_count(tmp_path):
    # Drop channel nd (header line and its 256 rows): 63 channels, header says 64.
    def edit(lines):
        return [ln for ln in lines if " nd " not in ln and not ln.startswith("# nd chan")]

    match = "inconsistent channel count: the header says 64 channels, the rows hold 63"
    with pytest.raises(CorruptFileError, match=match):
        read_uci_trial(_broken(tmp_path, edit))


def test_channel_in_two_blocks(tmp_path):
    # Move FP1's last row after FP2's rows.
    def edit(lines):
        row = lines[260]  # '0 FP1 255 ...'
        return lines[:260] + lines[261:518] + [row] + lines[518:]

    with pytest.raises(CorruptFileError, match="channel 'FP1' appears again"):
        read_uci_trial(_broken(tmp_path, edit))


def test_samples_out_of_order(tmp_path):
    def edit(lines):
        lines[6], lines[7] = lines[7], lines[6]
        return lines

    with pytest.raises(CorruptFileError, match="line 7: channel 'FP1': expected sample 1, got 2"):
        read_uci_trial(_broken(tmp_path, edit))


def test_rows_of_another_trial(tmp_path):
    def edit(lines):
        lines[100] = "7" + lines[100][1:]
        return lines

    match = "line 101: the row belongs to trial 7 but the header says trial 0"
    with pytest.raises(CorruptFileError, match=match):
        read_uci_trial(_broken(tmp_path, edit))


def test_shorter_trial_needs_n_times_none(tmp_path):
    def edit(lines):  # keep samples 0-199 of every channel
        return [ln for ln in lines if ln.startswith("#") or not ln or int(ln.split()[2]) < 200]

    short = _broken(tmp_path, edit)
    with pytest.raises(TruncatedFileError, match="200 samples per channel, expected 256"):
        read_uci_trial(short)
    assert read_uci_trial(short, n_times=None).data.shape == (61, 200)
    with pytest.raises(ValueError, match="n_times"):
        read_uci_trial(short, n_times=1.5)


def test_every_damage_is_an_eeg_file_error():
    assert issubclass(TruncatedFileError, EEGFileError)
    assert issubclass(CorruptFileError, ValueError)


# ---------------------------------------------------------------------------
# Folders and epochs
# ---------------------------------------------------------------------------


def test_read_epochs_of_bundled_subjects():
    epochs = read_uci_epochs(UCI_DIR)
    assert isinstance(epochs, UCIEpochs)
    X, y, groups, ch_names, sfreq = epochs
    assert X.shape == (40, 61, 256) and sfreq == 256.0 and len(ch_names) == 61
    assert sorted(np.unique(y, return_counts=True)[1]) == [20, 20]
    assert set(y) == {"familiar", "unfamiliar"}
    assert list(groups[:20]) == ["co2a0000368"] * 20 and list(groups[20:]) == ["co2c0000340"] * 20
    # Trials in trial-number order: co2a0000368 trial 1 is S2 nomatch, trial 3 S2 match.
    assert list(y[:2]) == ["unfamiliar", "familiar"]
    np.testing.assert_array_equal(X[1], read_uci_trial(ALCOHOLIC / "co2a0000368.rd.003.gz").data)
    # Volts: scalp EEG of tens of µV.
    assert 1e-6 < np.abs(X).max() < 1e-3


def test_folders_given_one_by_one_or_as_parent():
    a = read_uci_epochs([CONTROL, ALCOHOLIC])
    b = read_uci_epochs(UCI_DIR)
    np.testing.assert_array_equal(a.X, b.X)  # subjects sorted by name
    assert find_uci_subjects([UCI_DIR, ALCOHOLIC]) == [ALCOHOLIC, CONTROL]


def test_read_subject_and_conditions():
    X, y, groups, _, _ = read_uci_subject(CONTROL)
    assert X.shape == (20, 61, 256) and set(groups) == {"co2c0000340"}
    s1 = read_uci_subject(CONTROL, conditions=("S1 obj",))
    assert s1.X.shape[0] == 10 and set(s1.y) == {"S1 obj"}
    with pytest.raises(ValueError, match="conditions"):
        read_uci_epochs(UCI_DIR, conditions=("S2 maybe",))
    with pytest.raises(FileNotFoundError, match="not a UCI subject folder"):
        read_uci_subject(UCI_DIR)


def test_return_mne_epochs():
    conditions = ("S1 obj", "S2 match", "S2 nomatch")
    epochs = read_uci_subject(ALCOHOLIC, conditions=conditions, return_mne=True)
    assert isinstance(epochs, mne.EpochsArray)
    assert len(epochs) == 30 and epochs.tmin == 0.0 and epochs.info["sfreq"] == 256.0
    assert set(epochs.event_id) == {"S1 obj", "familiar", "unfamiliar"}
    assert len(epochs["familiar"]) == 10
    assert list(epochs.metadata["trial"][:3]) == [0, 1, 2]
    assert set(epochs.metadata["group"]) == {"alcoholic"}
    assert epochs.get_montage() is not None


def test_dead_channels_and_err_trials_are_logged(tmp_path, caplog):
    folder = tmp_path / "co2a0000368"
    folder.mkdir()
    for name in ("co2a0000368.rd.001.gz", "co2a0000368.rd.003.gz", "co2a0000368.rd.007.gz"):
        shutil.copy(ALCOHOLIC / name, folder / name)
    lines = _lines(ALCOHOLIC / "co2a0000368.rd.007.gz")
    lines[3] = lines[3].replace("S2 nomatch", "S2 nomatch err")
    _write(folder / "co2a0000368.rd.007.gz", lines)
    with caplog.at_level(logging.INFO, logger="neucube.acquisition"):
        epochs = read_uci_subject(folder)
    assert len(epochs.y) == 2  # the err trial left out
    assert "left out 1 trial(s) marked 'err'" in caplog.text
    assert "trial 1: Cz" in caplog.text and "trial 3: Cz" in caplog.text
    assert len(read_uci_subject(folder, include_err=True).y) == 3


def test_damaged_file_in_a_folder_raises_or_is_skipped(tmp_path, caplog):
    folder = tmp_path / "co2c0000340"
    folder.mkdir()
    for name in ("co2c0000340.rd.001.gz", "co2c0000340.rd.003.gz"):
        shutil.copy(CONTROL / name, folder / name)
    raw = (CONTROL / "co2c0000340.rd.005.gz").read_bytes()
    (folder / "co2c0000340.rd.005.gz").write_bytes(raw[:1000])
    with pytest.raises(TruncatedFileError, match="co2c0000340.rd.005.gz"):
        read_uci_subject(folder)
    with caplog.at_level(logging.WARNING, logger="neucube.acquisition"):
        epochs = read_uci_subject(folder, on_bad="warn")
    assert len(epochs.y) == 2
    assert "co2c0000340.rd.005.gz" in caplog.text
    with pytest.raises(ValueError, match="on_bad"):
        read_uci_subject(folder, on_bad="ignore")


def test_no_subject_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="no UCI trial files"):
        find_uci_subjects(tmp_path)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        find_uci_subjects(tmp_path / "missing")
