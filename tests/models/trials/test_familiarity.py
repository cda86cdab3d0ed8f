"""FamiliarityClassifier, the ERP baseline and the familiarity evaluation."""

import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

import models.trials.familiarity as familiarity
from acquisition import read_uci_epochs
from models.trials.familiarity import (
    METHODS,
    ERPFeatures,
    FamiliarityClassifier,
    evaluate_familiarity,
    make_erp_lda,
)
from sample_data import SAMPLE_DIR

UCI_DIR = SAMPLE_DIR / "uci"


@pytest.fixture(scope="module")
def uci():
    """The bundled excerpt: 2 subjects x 20 S2 trials, 61 channels, 1 s, in µV."""
    X, y, groups, ch_names, sfreq = read_uci_epochs(UCI_DIR)
    return X * 1e6, y, groups, ch_names, sfreq


@pytest.fixture(scope="module")
def fitted(uci):
    X, y, _, ch_names, sfreq = uci
    clf = FamiliarityClassifier(ch_names, sfreq, target="numpy", random_state=0)
    return clf.fit(X[::2], y[::2])


@pytest.mark.parametrize(
    "check",
    [
        check_parameters_default_constructible,
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
    ],
)
def test_sklearn_checks_that_apply(check):
    check("FamiliarityClassifier", FamiliarityClassifier(["Cz"], 256.0))


def test_neucube_defaults_and_window():
    params = FamiliarityClassifier().get_params()
    assert params["tmin"] == 0.0 and params["tmax"] == 0.6 and params["epoch_tmin"] == 0.0
    assert params["encoder"] == "tbr" and params["alpha"] == 0.5
    assert params["readout"] == "desnn" and params["n_passes"] == 1
    assert (params["mod"], params["drift"], params["n_neighbors"]) == (0.8, 0.005, 3)
    assert (params["resolution"], params["radius"], params["stdp_rate"]) == (10.0, 25.0, 0.001)


def test_fit_predict_on_bundled_excerpt(fitted, uci):
    X, y, _, _, _ = uci
    assert X.shape == (40, 61, 256)
    assert set(fitted.classes_) == {"familiar", "unfamiliar"}
    assert fitted.cube_.n_channels == 61
    proba = fitted.predict_proba(X[1::2])
    assert proba.shape == (20, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = fitted.predict(X[1::2])
    np.testing.assert_array_equal(pred, fitted.classes_[proba.argmax(axis=1)])
    assert 0.0 <= fitted.score(X[1::2], y[1::2]) <= 1.0
    # The cube sees the window only: 0-0.6 s at 256 Hz is 154 steps.
    activity = fitted.transform(X[:2])
    assert activity.n_times == 154 and activity.n_spikes > 0


def test_window_is_checked(uci):
    X, y, _, ch_names, sfreq = uci
    with pytest.raises(ValueError, match="does not fit in epochs of 256 samples"):
        FamiliarityClassifier(ch_names, sfreq, tmax=1.5).fit(X[:4], y[:4])
    with pytest.raises(ValueError, match="tmin .* must be below tmax"):
        FamiliarityClassifier(ch_names, sfreq, tmin=0.5, tmax=0.2).fit(X[:4], y[:4])
    with pytest.raises(ValueError, match="needs sfreq"):
        FamiliarityClassifier(ch_names).fit(X[:4], y[:4])


def test_epoch_tmin_shifts_the_window(uci):
    # Epochs cut from 0.2 s before the stimulus (51 samples added in front)
    # give the cube the same 0-0.3 s of data, hence the same activity.
    X, y, _, ch_names, sfreq = uci
    X, y = X[:6, :, :128], y[:6]
    pre = np.concatenate([np.full(X[:, :, :51].shape, 99.0), X], axis=2)
    kw = dict(tmin=0.0, tmax=0.3, target="numpy", random_state=0)
    a = FamiliarityClassifier(ch_names, sfreq, **kw).fit(X, y)
    b = FamiliarityClassifier(ch_names, sfreq, epoch_tmin=-51 / sfreq, **kw).fit(pre, y)
    np.testing.assert_array_equal(a.encoder_.thresholds_, b.encoder_.thresholds_)
    np.testing.assert_array_equal(a.transform(X).counts, b.transform(pre).counts)


def test_save_load_round_trip(fitted, uci, tmp_path):
    X = uci[0]
    fname = fitted.save(tmp_path / "familiarity.npz")
    loaded = FamiliarityClassifier.load(fname)
    assert isinstance(loaded, FamiliarityClassifier)
    assert loaded.get_params() == fitted.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X[1:6:2]), fitted.predict_proba(X[1:6:2]))


def test_erp_features_by_hand():
    # One channel, 16 samples at 16 Hz, window 0-0.75 s (12 samples), bins of 4.
    x = np.arange(16, dtype=float)[np.newaxis, np.newaxis]
    feats = ERPFeatures(sfreq=16.0, tmin=0.0, tmax=0.75, decim=4).fit_transform(x)
    # Window 0..11 has mean 5.5; bin means 1.5, 5.5, 9.5 minus 5.5.
    np.testing.assert_allclose(feats, [[-4.0, 0.0, 4.0]])
    # epoch_tmin: the same window of epochs starting 0.25 s before the onset.
    shifted = np.concatenate([np.zeros((1, 1, 4)), x], axis=2)
    erp = ERPFeatures(sfreq=16.0, tmin=0.0, tmax=0.75, epoch_tmin=-0.25, decim=4)
    feats2 = erp.fit_transform(shifted)
    np.testing.assert_allclose(feats2, feats)


def test_erp_lda_baseline(uci):
    X, y, _, _, sfreq = uci
    pipe = make_erp_lda(sfreq).fit(X[::2], y[::2])
    erp, lda = pipe.steps[0][1], pipe.steps[1][1]
    assert erp.decim == 8 and erp.transform(X[:1]).shape == (1, 61 * 19)  # 0-0.6 s at 32 Hz
    assert isinstance(lda, LinearDiscriminantAnalysis)
    assert (lda.solver, lda.shrinkage) == ("lsqr", "auto")
    assert 0.0 <= pipe.score(X[1::2], y[1::2]) <= 1.0


def _check_result(result, *, n_subjects, n_within, n_across):
    json.dumps(result)  # JSON-able
    assert result["task"] == "familiarity"
    assert result["n_subjects"] == n_subjects and result["n_epochs"] == 40
    assert result["classes"] == {"familiar": 20, "unfamiliar": 20}
    assert result["chance"] == 0.5 and 0.5 < result["chance_95"]["across_subject"] < 0.7
    assert result["window_s"] == [0.0, 0.6]
    assert set(result["methods"]) == set(METHODS) == {"neucube_desnn", "neucube_counts", "erp_lda"}
    within, across = result["within_subject"], result["across_subject"]
    assert len(within["folds"]) == within["n_folds"] == n_within
    assert len(across["folds"]) == across["n_folds"] == n_across
    for part in (within, across):
        # Every method was scored on every fold: one record per fold, all scores in it.
        for fold in part["folds"]:
            assert set(fold["scores"]) == set(METHODS)
            assert all(0.0 <= s <= 1.0 for s in fold["scores"].values())
        for m in METHODS:
            acc = part["accuracy"][m]
            assert set(acc["per_subject"]) == set(result["subjects"])
            assert acc["mean"] == pytest.approx(np.mean(list(acc["per_subject"].values())), abs=1e-4)
    # Within subject: each subject's test trials of a repeat are its 20 trials, once each.
    for subject in result["subjects"]:
        first = [f for f in within["folds"] if f["subject"] == subject and f["repeat"] == 0]
        tests = [i for f in first for i in f["test"]]
        assert len(tests) == len(set(tests)) == 20
        for m in METHODS:
            mine = [f["scores"][m] for f in within["folds"] if f["subject"] == subject]
            acc = within["accuracy"][m]["per_subject"][subject]
            assert acc == pytest.approx(np.mean(mine), abs=1e-4)
    # Across subjects (leave one out): each fold tests one whole subject.
    assert sorted(s for f in across["folds"] for s in f["test_subjects"]) == result["subjects"]
    for m in METHODS:
        assert across["accuracy"][m]["folds"] == [f["scores"][m] for f in across["folds"]]
    assert result["seed"] == 0 and result["wall_s"] > 0


def test_evaluation_bookkeeping_same_folds(monkeypatch):
    """The folds and summaries, with the methods replaced by a fast stand-in."""
    calls = []

    def fake_predict_fold(X, y, train, test, **kw):
        calls.append((tuple(train), tuple(test)))
        assert not set(train) & set(test)
        right = y[test]
        wrong = np.where(right == "familiar", "unfamiliar", "familiar")
        half = np.where(np.arange(len(test)) % 2 == 0, right, wrong)
        return {"neucube_desnn": right, "neucube_counts": wrong, "erp_lda": half}, {"target": "numpy"}

    monkeypatch.setattr(familiarity, "_predict_fold", fake_predict_fold)
    result = evaluate_familiarity(UCI_DIR, n_splits=5, n_repeats=2, target="numpy")
    _check_result(result, n_subjects=2, n_within=2 * 5 * 2, n_across=2)
    assert len(calls) == 22  # one fit per fold, shared by every method
    within = result["within_subject"]
    for part in (within, result["across_subject"]):
        assert part["accuracy"]["neucube_desnn"]["mean"] == 1.0
        assert part["accuracy"]["neucube_counts"]["mean"] == 0.0
        for fold in part["folds"]:
            n = len(fold["test"])
            assert fold["scores"]["erp_lda"] == pytest.approx(((n + 1) // 2) / n, abs=1e-4)
    for bad in (dict(across_splits=1), dict(n_splits=1), dict(n_repeats=0)):
        with pytest.raises(ValueError, match=next(iter(bad))):
            evaluate_familiarity(UCI_DIR, **bad)


def test_evaluation_reads_a_list_of_folders(monkeypatch):
    monkeypatch.setattr(
        familiarity, "_predict_fold",
        lambda X, y, train, test, **kw: ({m: y[test] for m in METHODS}, {}),
    )
    folders = [UCI_DIR / "co2c0000340", UCI_DIR / "co2a0000368"]
    a = evaluate_familiarity(folders, n_splits=2, n_repeats=1)
    assert a["subjects"] == ["co2a0000368", "co2c0000340"]
    assert a["within_subject"]["accuracy"]["erp_lda"]["mean"] == 1.0


@pytest.mark.slow
def test_evaluate_familiarity_on_bundled_excerpt():
    result = evaluate_familiarity(UCI_DIR, n_splits=2, n_repeats=1, target="numpy")
    _check_result(result, n_subjects=2, n_within=4, n_across=2)
    assert result["brian2_target"] == "numpy" and result["versions"]["brian2"]
    assert result["spikes_per_epoch"] > 0


def test_split_activity_by_hand():
    from neucube.cube import CubeActivity

    # 3 samples of 4 steps, 2 neurons: spikes (sample, step, neuron).
    spikes = [(0, 0, 1), (0, 2, 0), (1, 1, 1), (2, 0, 0), (2, 3, 0)]
    s, t, n = (np.array(c) for c in zip(*spikes))
    act = CubeActivity(sample=s, neuron=n, step=t, n_samples=3, n_neurons=2, n_times=4, sfreq=4.0)
    first, rest = familiarity._split_activity(act, 1)
    assert (first.n_samples, rest.n_samples) == (1, 2)
    np.testing.assert_array_equal(first.counts, act.counts[:1])
    np.testing.assert_array_equal(rest.counts, act.counts[1:])
    np.testing.assert_array_equal(rest.first_spike, [[-1, 1], [0, -1]])
    assert rest.n_spikes == 3 and rest.sfreq == 4.0
