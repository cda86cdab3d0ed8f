"""Seizure detector: real CHB-MIT EEG end to end, and every bad input."""

import json
import zipfile

import mne
import numpy as np
import pytest

from acquisition import read_raw
from models.seizure.detector import SeizureDetector, shipped_model_path, window_features
from models.seizure.events import events_from_annotations
from models.seizure.scoring import score_events
from sample_data import MOTOR_EDF, SEIZURE_EDF, SEIZURE_EDF_2


@pytest.fixture(scope="module")
def shipped():
    return SeizureDetector.load(shipped_model_path())


@pytest.fixture(scope="module")
def chb03():
    return read_raw(SEIZURE_EDF)


def _detected(raw, found):
    ref = events_from_annotations(raw, description="seizure")
    return score_events(ref, found.events, found.duration).per_event[0].detected


def test_shipped_model_finds_the_bundled_seizure(shipped, chb03):
    found = shipped.detect(chb03)
    assert len(found.events) == 1
    ev = found.events[0]
    # The annotated seizure runs 10-50 s.
    assert ev.onset < 20 and ev.onset + ev.duration > 40
    assert ev.confidence > 0.9 and len(ev.channels) == 3
    assert set(ev.channels) <= set(shipped.ch_names)
    assert _detected(chb03, found)
    assert found.proba.shape == found.times.shape == (49,)  # 50 s, 2 s windows, 1 s hop


def test_detect_in_batches_equals_one_batch(shipped, chb03, monkeypatch):
    # the windows are cut batch by batch out of the recording (an hour never
    # holds all its windows): 49 windows in batches of 7, 10 and 600 agree,
    # flat channels included
    flat = chb03.copy().load_data()
    flat._data[3, : 20 * 256] = 0.0  # one channel flat for the first 20 s
    whole = shipped.detect(flat)
    for size in (7, 10):
        monkeypatch.setattr(SeizureDetector, "_batch_windows", size)
        part = shipped.detect(flat)
        np.testing.assert_array_equal(part.times, whole.times)
        np.testing.assert_allclose(part.proba, whole.proba, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(part.channel_scores, whole.channel_scores)
        assert part.flagged == whole.flagged and part.flagged
        assert [(e.onset, e.duration, e.channels) for e in part.events] == [
            (e.onset, e.duration, e.channels) for e in whole.events
        ]


def test_features_baseline_trained_on_one_seizure_finds_another():
    det = SeizureDetector(method="features").fit([read_raw(SEIZURE_EDF_2)])
    raw = read_raw(SEIZURE_EDF)
    found = det.detect(raw)
    assert _detected(raw, found)
    assert found.proba[:5].max() < det.threshold  # quiet well before the onset


@pytest.mark.slow
def test_cube_trained_on_one_seizure_finds_another_whatever_the_amplitude():
    det = SeizureDetector(method="neucube", target="numpy").fit([read_raw(SEIZURE_EDF_2)])
    assert det.follows_background and det.background == 300.0
    raw = read_raw(SEIZURE_EDF)
    found = det.detect(raw)
    assert _detected(raw, found)
    # The same EEG 4x louder (another amplifier, another person): the input follows the
    # recording's background, so the cube sees the same thing and says the same.
    louder = raw.copy().apply_function(lambda x: 4 * x)
    det.max_abs_uv = 1e5  # the artefact ceiling is absolute µV: lifted, so only the scale differs
    found = det.detect(raw)
    again = det.detect(louder)
    np.testing.assert_allclose(again.proba, found.proba, atol=1e-9)
    assert [e.onset for e in again.events] == [e.onset for e in found.events]
    # Without the background scale, the louder windows drive the cube harder.
    data, _ = det.prepare(raw)
    win, _, bad = det.windows(data)
    quiet = det.score_windows(win, bad).activity
    loud = det.score_windows(4 * win, bad).activity
    assert loud.n_spikes > 1.2 * quiet.n_spikes
    # window_scales: the 0.1 quantile of the block line lengths before each window's end
    level = det.background_level().update(data)
    scales = det.window_scales(level, [0, 10])
    n_hop = 256
    first = np.abs(np.diff(data[:, : 2 * n_hop], axis=1))
    blocks = [first[:, : n_hop - 1].mean(axis=1), first[:, n_hop - 1 :].mean(axis=1)]
    np.testing.assert_allclose(scales[0], np.quantile(blocks, 0.1, axis=0))
    assert scales.shape == (2, len(det.ch_names)) and np.all(scales > 0)


def test_window_features_by_hand():
    sfreq = 100.0
    t = np.arange(200) / sfreq
    win = np.stack([np.sin(2 * np.pi * 10 * t), np.zeros_like(t)])[None]  # alpha, flat
    feats = window_features(win, sfreq).reshape(2, 5)
    # Line length of a 10 Hz unit sine sampled at 100 Hz: per period (10 samples)
    # the samples swing between +-sin(72 deg), so mean |diff| = 4 sin(72 deg) / 10.
    assert np.exp(feats[0, 0]) == pytest.approx(4 * np.sin(np.deg2rad(72)) / 10, rel=0.01)
    assert np.argmax(feats[0, 1:]) == 2  # the alpha band holds the power
    assert np.all(feats[1] == pytest.approx(np.log(1e-6)))  # a flat channel: nothing


def test_missing_channels_degraded_mode_warns_and_still_detects(shipped, chb03, caplog):
    raw = chb03.copy().drop_channels(["T7-FT9", "FT10-T8"])
    with caplog.at_level("WARNING", logger="neucube"):
        found = shipped.detect(raw)
    assert found.missing == ["T7-FT9", "FT10-T8"]
    assert "lacks 2 of the model's channels (T7-FT9, FT10-T8)" in caplog.text
    assert _detected(raw, found)


def test_too_many_missing_channels_is_an_error_listing_them(shipped, chb03):
    raw = chb03.copy().pick(chb03.ch_names[:10])
    with pytest.raises(
        ValueError, match=r"lacks 13 of the model's 23 channels: \['C4-P4', 'P4-O2'"
    ):
        shipped.detect(raw)


def test_monopolar_recording_is_re_referenced(shipped, caplog):
    with caplog.at_level("WARNING", logger="neucube"):
        found = shipped.detect(read_raw(MOTOR_EDF))
    assert "re-referenced into its pairs" in caplog.text
    assert found.resampled_from == 160.0
    assert found.missing == ["T7-FT9", "FT9-FT10", "FT10-T8"]
    # 125 s of another person's seizure-free EEG, which the model never saw: no alert
    assert len(found.proba) == 124 and found.events == []
    assert found.proba.max() < shipped.threshold


def test_other_sampling_rate_is_resampled_and_said(shipped, chb03, caplog):
    raw = chb03.copy().resample(200.0)
    with caplog.at_level("WARNING", logger="neucube"):
        found = shipped.detect(raw)
    assert found.resampled_from == 200.0 and "resampled to the model's 256 Hz" in caplog.text
    assert _detected(raw, found)


def test_flat_and_disconnected_channels_are_flagged_never_alerted(shipped, chb03):
    pre = chb03.copy().crop(0, 9.0)  # before the seizure: no alert expected
    assert shipped.detect(pre).events == []
    data = pre.get_data()
    data[3] = 0.0  # P7-O1 flat
    rng = np.random.default_rng(0)
    data[8] = rng.normal(0, 4000e-6, data.shape[1])  # Fp2-F4 disconnected: 4 mV noise
    bad = mne.io.RawArray(data, pre.info, verbose="error")
    found = shipped.detect(bad)
    assert found.events == []
    assert set(found.flagged) == {"P7-O1", "Fp2-F4"}
    assert np.all(np.isneginf(found.channel_scores[:, [3, 8]]))


def test_flagged_channels_of_unseen_monopolar_eeg_never_alert(shipped):
    # EEGMMIDB S001 (another person, never trained on): electrodes are broken before the
    # recording is re-referenced into the model's pairs
    raw = read_raw(MOTOR_EDF).crop(0, 30)
    data = raw.get_data()
    names = raw.ch_names
    data[names.index("O1")] = data[names.index("P7")]  # bridged: P7-O1 is flat
    rng = np.random.default_rng(0)
    data[names.index("Fp2")] = rng.normal(0, 4000e-6, data.shape[1])  # 4 mV: disconnected
    found = shipped.detect(mne.io.RawArray(data, raw.info, verbose="error"))
    assert found.events == [] and found.proba.max() < shipped.threshold
    # the pairs holding a broken electrode, in every window; FT9 and FT10 are missing
    assert found.flagged == {"P7-O1": 29, "Fp2-F4": 29, "Fp2-F8": 29}
    assert found.missing == ["T7-FT9", "FT9-FT10", "FT10-T8"]
    columns = [shipped.ch_names.index(c) for c in found.flagged]
    assert np.all(np.isneginf(found.channel_scores[:, columns]))


def test_seconds_long_recording_is_a_clear_error(shipped, chb03):
    with pytest.raises(ValueError, match="shorter than one 2 s window"):
        shipped.detect(chb03.copy().crop(0, 1.0))


def test_untrained_and_bad_parameters(chb03):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not trained"):
        SeizureDetector(ch_names=chb03.ch_names).predict_proba_windows(np.zeros((1, 23, 512)))
    with pytest.raises(ValueError, match="method must be"):
        SeizureDetector(method="svm").fit([chb03])
    with pytest.raises(ValueError, match="hop must be"):
        SeizureDetector(hop=3.0).fit([chb03])
    pre = chb03.copy().crop(0, 8.0)
    with pytest.raises(ValueError, match="both are needed"):
        SeizureDetector(method="features").fit([pre])


def test_model_file_from_an_incompatible_version_is_a_clear_error(tmp_path):
    from neucube.persistence import CubeFileError

    src = shipped_model_path()
    with np.load(src, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(str(arrays["metadata"]))
    meta["format_version"] = 99
    arrays["metadata"] = np.array(json.dumps(meta))
    future = tmp_path / "future.npz"
    np.savez_compressed(future, **arrays)
    with pytest.raises(CubeFileError, match="format version 99.*Upgrade NeuCube-EEG"):
        SeizureDetector.load(future)
    assert zipfile.is_zipfile(future)


def test_a_classifier_that_is_no_detector_is_refused(tmp_path):
    from neucube.persistence import CubeFileError

    with np.load(shipped_model_path(), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(str(arrays["metadata"]))
    del meta["extra"]["detector"]
    arrays = {k: v for k, v in arrays.items() if not k.startswith("detector/")}
    arrays["metadata"] = np.array(json.dumps(meta))
    plain = tmp_path / "plain.npz"
    np.savez_compressed(plain, **arrays)
    with pytest.raises(CubeFileError, match="not a seizure detector model"):
        SeizureDetector.load(plain)


def test_save_and_load_give_the_same_detector(shipped, tmp_path):
    path = shipped.save(tmp_path / "again.npz")
    again = SeizureDetector.load(path)
    assert again.get_params() == shipped.get_params()
    np.testing.assert_array_equal(again.background_, shipped.background_)
    clf, clf_again = shipped.classifier_, again.classifier_
    assert clf_again.get_params() == clf.get_params()
    np.testing.assert_array_equal(clf_again.encoder_.thresholds_, clf.encoder_.thresholds_)
    np.testing.assert_array_equal(clf_again.cube_.weights_, clf.cube_.weights_)
    # the same windows of chb01_04 scored the same, background scale included
    raw = read_raw(SEIZURE_EDF_2)
    data, _ = shipped.prepare(raw)
    win, _, bad = shipped.windows(data)
    level = shipped.background_level().update(data)
    picks = [2, 8, 9, 10, 20]  # before, at and after the onset at 10 s
    scale = shipped.window_scales(level, picks)
    a = shipped.score_windows(win[picks], bad[picks], scale)
    b = again.score_windows(win[picks], bad[picks], scale)
    np.testing.assert_array_equal(b.proba, a.proba)
    np.testing.assert_array_equal(b.channel_scores, a.channel_scores)
    assert a.proba[0] < 0.5 < a.proba[-1]
    # and a recording neither has seen (EEGMMIDB, another person): the same, no alert
    other = read_raw(MOTOR_EDF).crop(0, 30)
    found, found_again = shipped.detect(other), again.detect(other)
    np.testing.assert_array_equal(found_again.proba, found.proba)
    np.testing.assert_array_equal(found_again.channel_scores, found.channel_scores)
    assert found.events == found_again.events == []
    with pytest.raises(FileExistsError):
        again.save(path)
    assert (
        SeizureDetector.load(again.save(path, overwrite=True)).get_params() == shipped.get_params()
    )


def test_only_the_cube_detector_is_saved(tmp_path):
    det = SeizureDetector(method="features").fit([read_raw(SEIZURE_EDF_2)])
    with pytest.raises(ValueError, match="Only the cube detector"):
        det.save(tmp_path / "features.npz")
    assert not list(tmp_path.iterdir())


def test_a_detector_trained_here_loads_with_the_same_parameters(tmp_path):
    raw = read_raw(SEIZURE_EDF_2)
    det = SeizureDetector(ch_names=raw.ch_names, target="numpy", random_state=1)
    data, _ = det.prepare(raw)
    win, _, _ = det.windows(data)
    picks = [2, 4, 6, 14, 18, 22]  # three windows before the onset at 10 s, three after
    X = det._scaled(win, det._scales(data, len(win)))[picks]
    det.fit_windows(X, np.array([0, 0, 0, 1, 1, 1]))
    loaded = SeizureDetector.load(det.save(tmp_path / "small.npz"))
    np.testing.assert_array_equal(loaded.background_, det.background_)
    np.testing.assert_array_equal(loaded.predict_proba_windows(X), det.predict_proba_windows(X))
    assert loaded.get_params() == det.get_params()
