"""Sliding windows (worked by hand) and event-locked epochs."""

import logging

import mne
import numpy as np
import pytest

from acquisition import annotation_onsets, make_epochs, read_raw, sliding_windows
from sample_data import MOTOR_EDF, SEIZURE_EDF


@pytest.fixture(scope="module")
def motor():
    return read_raw(MOTOR_EDF)


@pytest.fixture(scope="module")
def seizure():
    return read_raw(SEIZURE_EDF)


def test_sliding_windows_by_hand():
    data = np.arange(20.0).reshape(2, 10)
    # 2 Hz: window 2 s = 4 samples, hop 1 s = 2 samples -> 1 + (10 - 4) // 2 = 4 windows
    windows, onsets = sliding_windows(data, 2.0, window=2.0, hop=1.0)
    assert windows.shape == (4, 2, 4)
    assert onsets.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert windows[0].tolist() == [[0, 1, 2, 3], [10, 11, 12, 13]]
    assert windows[1].tolist() == [[2, 3, 4, 5], [12, 13, 14, 15]]
    assert windows[3].tolist() == [[6, 7, 8, 9], [16, 17, 18, 19]]
    # a read-only view, no copy
    assert np.shares_memory(windows, data)
    assert not windows.flags.writeable
    with pytest.raises(ValueError):
        windows[0, 0, 0] = 1.0


def test_sliding_windows_gaps_and_edges():
    data = np.arange(20.0).reshape(2, 10)
    # window 1 s = 2 samples, hop 2 s = 4 samples -> 1 + (10 - 2) // 4 = 3 windows
    windows, onsets = sliding_windows(data, 2.0, window=1.0, hop=2.0)
    assert onsets.tolist() == [0.0, 2.0, 4.0]
    assert windows[:, 0].tolist() == [[0, 1], [4, 5], [8, 9]]
    # one window as long as the data
    windows, onsets = sliding_windows(data, 2.0, window=5.0, hop=1.0)
    assert windows.shape == (1, 2, 10) and onsets.tolist() == [0.0]
    # 9 samples of 10 at a 3-sample hop: windows at 0, 3, 6 (... 9 would run off)
    windows, onsets = sliding_windows(np.zeros((1, 11)), 10.0, window=0.3, hop=0.3)
    assert onsets.tolist() == pytest.approx([0.0, 0.3, 0.6])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            dict(window=6.0),
            ValueError,
            r"window=6 s \(12 samples\) is longer than the data \(10 samples",
        ),
        (dict(hop=0.0), ValueError, r"hop must be positive.*0.0"),
        (dict(hop=-1.0), ValueError, r"hop must be positive"),
        (dict(window=0.1), ValueError, r"window=0.1 s is shorter than one sample"),
        (dict(hop=None), TypeError, r"hop must be a positive number"),
    ],
)
def test_sliding_windows_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        sliding_windows(np.zeros((2, 10)), 2.0, **kwargs)


def test_sliding_windows_shape_errors():
    with pytest.raises(ValueError, match=r"2-D array of shape \(n_channels, n_times\)"):
        sliding_windows(np.zeros(10), 2.0)
    with pytest.raises(ValueError, match="sfreq"):
        sliding_windows(np.zeros((1, 10)), 0.0)


def test_epochs_from_eegmmidb_annotations(motor):
    X, y, epochs = make_epochs(motor, 0.0, 4.0, event_id=["T1", "T2"])
    ann = motor.annotations
    keep = np.isin(ann.description, ["T1", "T2"])
    assert keep.sum() == 15
    assert X.shape == (15, 64, 641)  # 0..4 s inclusive at 160 Hz
    assert y.tolist() == ann.description[keep].tolist()
    assert (y == "T1").sum() == 8 and (y == "T2").sum() == 7
    onsets = epochs.events[:, 0] / 160.0
    np.testing.assert_allclose(onsets, ann.onset[keep], atol=0.5 / 160)
    start = epochs.events[0, 0]
    np.testing.assert_array_equal(X[0], motor.get_data()[:, start : start + 641])
    assert epochs.event_id == {"T1": 1, "T2": 2}


def test_epochs_all_annotations_and_dict(motor):
    X, y, _ = make_epochs(motor, 0.0, 1.0, event_id={"T2": 7})
    assert set(y) == {"T2"} and len(y) == 7
    _, y_all, _ = make_epochs(motor, 0.0, 1.0)
    assert len(y_all) == 30 and set(y_all) == {"T0", "T1", "T2"}


def test_epochs_from_markers(seizure, caplog):
    markers = [(2.5, "b"), (1.0, "a"), (49.9, "a"), (0.05, "b")]
    with caplog.at_level(logging.WARNING, logger="neucube.acquisition"):
        X, y, epochs = make_epochs(seizure, -0.1, 0.5, markers=markers)
    # 49.9 s runs off the end (50 s), 0.05 s off the start: dropped and logged
    assert y.tolist() == ["a", "b"]  # chronological
    # round(-0.1 * 256) = -26 to round(0.5 * 256) = 128, both included: 155 samples
    assert X.shape == (2, 23, 155)
    data = seizure.get_data()
    np.testing.assert_array_equal(X[0], data[:, 256 - 26 : 256 + 129])  # 1.0 s = sample 256
    np.testing.assert_array_equal(X[1], data[:, 640 - 26 : 640 + 129])  # 2.5 s = sample 640
    assert "dropped 2 of 4" in caplog.text
    assert "'a' at 49.898 s (runs off the data)" in caplog.text
    assert "'b' at 0.051 s (runs off the data)" in caplog.text
    assert epochs.event_id == {"a": 1, "b": 2}


def test_epochs_markers_int_labels_and_baseline(seizure):
    X, y, _ = make_epochs(seizure, -0.2, 0.2, markers=[(1.0, 0), (2.0, 1)], baseline=(None, 0))
    assert y.tolist() == [0, 1]
    n_pre = round(0.2 * 256) + 1  # -0.2 s to 0 s inclusive
    np.testing.assert_allclose(X[:, :, :n_pre].mean(axis=-1), 0.0, atol=1e-12)
    X_only, y_only, _ = make_epochs(
        seizure, 0, 0.1, markers=[(1.0, 0), (2.0, 1)], event_id={"1": 5}
    )
    assert y_only.tolist() == [1] and X_only.shape[0] == 1


def test_epochs_errors(seizure):
    with pytest.raises(ValueError, match="tmin=0.5 s must be before tmax=0.1 s"):
        make_epochs(seizure, 0.5, 0.1, markers=[(1.0, "a")])
    with pytest.raises(ValueError, match="same sample, at \\[1.0\\] s"):
        make_epochs(seizure, 0, 0.1, markers=[(1.0, "a"), (1.001, "b")])
    with pytest.raises(ValueError, match=r"markers\[0\] must be an \(onset_seconds, label\) pair"):
        make_epochs(seizure, 0, 0.1, markers=[1.0])
    with pytest.raises(ValueError, match="onset nan"):
        make_epochs(seizure, 0, 0.1, markers=[(np.nan, "a")])
    with pytest.raises(ValueError, match="All 1 epochs .* were dropped"):
        make_epochs(seizure, 0, 1.0, markers=[(49.5, "a")])
    with pytest.raises(ValueError, match="No annotation .* matches event_id"):
        make_epochs(seizure, 0, 1.0, event_id=["T1"])
    with pytest.raises(TypeError, match="mne.io.Raw"):
        make_epochs(np.zeros((2, 100)), 0, 1.0, markers=[(0.1, "a")])
    bare = mne.io.RawArray(np.zeros((2, 512)), mne.create_info(2, 256.0, "eeg"), verbose="error")
    with pytest.raises(ValueError, match="has no annotations.*markers="):
        make_epochs(bare, 0, 0.5)


def test_epochs_overlapping_bad_annotation_dropped(seizure, caplog):
    raw = seizure.copy()
    raw.annotations.append(1.1, 0.2, "BAD_artifact")
    with caplog.at_level(logging.WARNING, logger="neucube.acquisition"):
        X, y, _ = make_epochs(raw, 0.0, 0.5, markers=[(1.0, "a"), (3.0, "a")])
    assert len(X) == 1 and y.tolist() == ["a"]
    assert "'a' at 1.000 s (overlaps annotation 'BAD_artifact')" in caplog.text
    X, _, _ = make_epochs(
        raw, 0.0, 0.5, markers=[(1.0, "a"), (3.0, "a")], reject_by_annotation=False
    )
    assert len(X) == 2


def test_annotation_onsets_are_samples_from_the_first():
    import mne

    raw = mne.io.RawArray(
        np.zeros((1, 1000)), mne.create_info(["Cz"], 100.0, "eeg"), first_samp=50, verbose="error"
    )
    raw.set_annotations(mne.Annotations([4.0, 1.5, 2.0], 0.0, ["b", "a", "bad_blink"]))
    assert annotation_onsets(raw) == [(150, "a"), (400, "b")]
    raw.set_annotations(None)
    assert annotation_onsets(raw) == []
    with pytest.raises(TypeError, match="raw must be an mne.io.Raw"):
        annotation_onsets(np.zeros((1, 10)))
