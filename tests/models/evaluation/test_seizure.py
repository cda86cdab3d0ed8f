"""Leave-one-seizure-out: the folds, the latency and the excerpts it reads.

The fold tests run the evaluation on synthetic recordings whose answer is
known: seizures are a 5 Hz, 200 µV rhythm in 5 µV noise, and the detector's
fit and detection are spied on, so every fold's training recordings are seen.
"""

import json

import mne
import numpy as np
import pytest

import models.evaluation.seizure as seizure_eval
import models.seizure.detector as detector_mod
from acquisition import CHBMIT_BIPOLAR, bipolar_names
from models.evaluation.seizure import evaluate_seizure, load_chbmit_seizures
from sample_data import SEIZURE_EDF, SEIZURE_EDF_2

SFREQ = 256.0
CH_NAMES = ["Fp1-F7", "F7-T7"]
#: name: (seizure onset, seizure duration), seconds, in 25 s recordings
SEIZURES = {"sz_a": (10.5, 8.0), "sz_b": (6.5, 10.0), "sz_c": (12.25, 6.0), "sz_d": (8.5, 9.0)}
#: Latency by hand. 2 s windows, hop 1 s; a window is positive once the rhythm fills
#: about 60 % of it (see _Spy). Onset 10.5: window 9-11 holds 0.5 s of seizure (25 %),
#: window 10-12 holds 1.5 s (75 %): the first alert comes at 12 s, 1.5 s after the onset
#: (likewise for 6.5 and 8.5). Onset 12.25: window 11-13 holds 0.75 s (37.5 %), window
#: 12-14 holds 1.75 s (87.5 %): the alert comes at 14 s, 1.75 s after the onset.
LATENCY = {"sz_a": 1.5, "sz_b": 1.5, "sz_c": 1.75, "sz_d": 1.5}
#: 50 µV: above the seizure rhythm most of each period, never reached by the noise
LEVEL_UV = 50.0


def _recording(name, seizure=None, *, seed, seconds=25.0):
    """A 2-channel recording: 5 µV noise, a 200 µV 5 Hz rhythm during the seizure."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SFREQ)) / SFREQ
    data = rng.normal(0.0, 5.0, (len(CH_NAMES), t.size))
    if seizure is not None:
        onset, duration = seizure
        during = (t >= onset) & (t < onset + duration)
        data[:, during] += 200.0 * np.sin(2 * np.pi * 5.0 * t[during])
    raw = mne.io.RawArray(data * 1e-6, mne.create_info(CH_NAMES, SFREQ, "eeg"), verbose="error")
    if seizure is not None:
        raw.set_annotations(mne.Annotations([seizure[0]], [seizure[1]], ["seizure"]))
    raw.info["description"] = name  # follows the recording into any copy
    return raw


class _Spy(detector_mod.SeizureDetector):
    """The features detector, recording what each model was trained on and ran over.

    Its window probability is the share of channel 0's samples beyond
    ``LEVEL_UV``: about 0.84 in a window filled by the rhythm, so a window is
    positive once the rhythm fills about 60 % of it.
    """

    runs = []  # (name of the recording detected, names trained on)

    def fit(self, raws, description="seizure"):
        self.trained_on_ = [r.info["description"] for r in raws]
        return super().fit(raws, description)

    def detect(self, raw, **kw):
        name = raw.info["description"]
        _Spy.runs.append((name, list(self.trained_on_)))
        assert name not in self.trained_on_, f"{name} detected by a model trained on it"
        return super().detect(raw, **kw)

    def score_windows(self, X, bad=None, scale=None):
        scored = super().score_windows(X, bad, scale)  # the trained model runs too
        scored.proba = np.mean(np.abs(X[:, 0]) > LEVEL_UV, axis=-1)
        return scored


@pytest.fixture
def synthetic(monkeypatch):
    """Four synthetic seizures and four seizure-free runs in place of the real data."""
    records = [(n, _recording(n, s, seed=k)) for k, (n, s) in enumerate(SEIZURES.items())]
    background = [(f"bg_{k}", _recording(f"bg_{k}", seed=10 + k)) for k in range(4)]
    monkeypatch.setattr(seizure_eval, "load_chbmit_seizures", lambda d: records)
    monkeypatch.setattr(seizure_eval, "load_background", lambda d: background)
    monkeypatch.setattr(detector_mod, "SeizureDetector", _Spy)
    monkeypatch.setattr(_Spy, "runs", [])
    return records, background


def test_each_seizure_is_held_out_once_and_never_trained_on(synthetic):
    records, _ = synthetic
    result = evaluate_seizure("chbmit", methods=("features",), random_state=3)
    json.dumps(result)
    names = [n for n, _ in records]
    # one model per fold, trained on every other seizure, run over the held-out one
    assert [held for held, _ in _Spy.runs] == names
    for held, trained in _Spy.runs:
        assert trained == [n for n in names if n != held]
    entry = result["methods"]["features"]
    per = entry["per_seizure"]
    assert [p["seizure"] for p in per] == names
    assert entry["seizures"] == 4 and entry["seizures_detected"] == 4
    assert entry["sensitivity"] == 1.0
    for p in per:
        onset, _ = SEIZURES[p["seizure"]]
        # latency: from the annotated onset to the end of the first positive window
        assert p["latency_s"] == LATENCY[p["seizure"]]
        assert p["detected"] and p["alerts"] == 1 and p["false_alarms"] == 0
        # windows that end by the onset: 0-2 s ... up to the one ending at floor(onset)
        assert p["preictal_windows"] == int(onset) - 1
        assert p["preictal_windows_over_threshold"] == 0
    assert entry["median_latency_s"] == 1.5
    summary = entry["szcore_excerpts"]
    assert (summary["n_recordings"], summary["true_positives"]) == (4, 4)
    assert summary["false_positives"] == 0
    assert "background" not in entry and result["background_training"] == "none"
    assert result["detector"]["random_state"] == 3


def test_background_runs_are_cross_fitted_halves(synthetic):
    records, background = synthetic
    names = [n for n, _ in records]
    result = evaluate_seizure("chbmit", "bg", methods=("features",), background_training=True)
    odd, even = ["bg_0", "bg_2"], ["bg_1", "bg_3"]  # runs 1, 3 and runs 2, 4
    folds, rest = _Spy.runs[:4], _Spy.runs[4:]
    # the seizure folds train on the other seizures and the odd half
    for (held, trained), name in zip(folds, names):
        assert held == name and trained == [n for n in names if n != held] + odd
    # false alarms: a model trained on every seizure and one half, run over the other half
    assert rest == [(b, names + odd) for b in even] + [(b, names + even) for b in odd]
    bg = result["methods"]["features"]["background"]
    assert bg["false_alarms"] == 0 and bg["false_alarms_per_hour"] == 0.0
    assert bg["hours"] == round(4 * 25 / 3600, 3) and bg["missing_channels"] == []
    assert [r["run"] for r in bg["per_run"]] == ["bg_0", "bg_1", "bg_2", "bg_3"]
    assert result["background_training"] == "cross-fitted halves of the background runs"
    # without background training every run is tested by one model that saw none of them
    _Spy.runs.clear()
    evaluate_seizure("chbmit", "bg", methods=("features",))
    assert _Spy.runs[4:] == [(b, names) for b, _ in background]


def test_an_unknown_method_is_named(synthetic):
    with pytest.raises(ValueError, match=r"Unknown methods \['svm'\]"):
        evaluate_seizure("chbmit", methods=("features", "svm"))


def test_chbmit_excerpts_are_read_with_their_onsets(tmp_path, caplog):
    (tmp_path / "edf").mkdir()
    (tmp_path / "windows_npy").mkdir()
    for src in (SEIZURE_EDF, SEIZURE_EDF_2):
        (tmp_path / "edf" / src.name).write_bytes(src.read_bytes())
    rng = np.random.default_rng(0)
    n_ch = len(bipolar_names(CHBMIT_BIPOLAR))
    pre, ictal = rng.normal(0, 20, (n_ch, 2560)), rng.normal(0, 80, (n_ch, 2560))
    np.save(tmp_path / "windows_npy" / "chb01_21_preictal10s.npy", pre)
    np.save(tmp_path / "windows_npy" / "chb01_21_ictal_onset+10to+20s.npy", ictal)
    with caplog.at_level("WARNING", logger="neucube"):
        records = load_chbmit_seizures(tmp_path)
    assert [n for n, _ in records] == ["chb01_03", "chb01_04", "chb01_21 (+10 s)"]
    assert "chb01_18: no excerpt arrays" in caplog.text and "chb01_26" in caplog.text
    name, raw = records[2]
    # 10 s before the onset, then 10 s from onset + 10 s: the seizure annotated from 10 s
    assert raw.n_times == 5120 and raw.info["sfreq"] == 256.0
    assert list(raw.annotations.onset) == [10.0] and list(raw.annotations.duration) == [10.0]
    np.testing.assert_allclose(raw.get_data(units="uV"), np.hstack([pre, ictal]))
    assert raw.ch_names == bipolar_names(CHBMIT_BIPOLAR)
    edf = records[0][1]
    assert edf.annotations.description[0].lower() == "seizure"
    assert edf.annotations.onset[0] == pytest.approx(10.0)
    with pytest.raises(FileNotFoundError, match="Pass --data the chbmit folder"):
        load_chbmit_seizures(tmp_path / "windows_npy")


def test_folds_side_by_side_give_the_same_result(monkeypatch):
    # The features detector itself in worker processes (loky) and on a local Dask
    # cluster, not the spy.
    records = [(n, _recording(n, s, seed=k)) for k, (n, s) in enumerate(SEIZURES.items())]
    background = [(f"bg_{k}", _recording(f"bg_{k}", seed=10 + k)) for k in range(2)]
    monkeypatch.setattr(seizure_eval, "load_chbmit_seizures", lambda d: records)
    monkeypatch.setattr(seizure_eval, "load_background", lambda d: background)
    one = evaluate_seizure("chbmit", "bg", methods=("features",))
    two = evaluate_seizure("chbmit", "bg", methods=("features",), n_jobs=2)
    dask = evaluate_seizure("chbmit", "bg", methods=("features",), scheduler="local")
    for result in (one, two, dask):
        result.pop("wall_s")
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    assert json.dumps(one, sort_keys=True) == json.dumps(dask, sort_keys=True)
    assert one["methods"]["features"]["seizures"] == 4
    with pytest.raises(ValueError, match="n_jobs must be -1"):
        evaluate_seizure("chbmit", methods=("features",), n_jobs=0)
