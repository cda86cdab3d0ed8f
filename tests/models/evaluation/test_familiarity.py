"""The familiarity evaluation: cube against the ERP baseline on the same folds."""

import json

import numpy as np
import pytest

import models.evaluation.familiarity as familiarity
from models.evaluation.familiarity import METHODS, evaluate_familiarity
from sample_data import SAMPLE_DIR

UCI_DIR = SAMPLE_DIR / "uci"


def _check_result(result, *, n_subjects, n_within, n_across):
    json.dumps(result)  # JSON-able
    assert result["task"] == "familiarity"
    assert result["n_subjects"] == n_subjects and result["n_epochs"] == 40
    assert result["classes"] == {"familiar": 20, "unfamiliar": 20}
    assert result["chance"] == 0.5 and 0.5 < result["chance_95"]["across_subject"] < 0.7
    assert result["window_s"] == [0.0, 0.6]
    assert set(result["methods"]) == set(METHODS)
    assert {"neucube_desnn", "neucube_counts", "neucube_bins", "erp_lda"} <= set(METHODS)
    assert {"spikes_only_bins", "neucube_preset_desnn", "xdawn_riemann_lr"} <= set(METHODS)
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
            assert acc["mean"] == pytest.approx(
                np.mean(list(acc["per_subject"].values())), abs=1e-4
            )
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
        pred = {m: right for m in METHODS}
        pred.update({"neucube_counts": wrong, "erp_lda": half})
        return pred, {"target": "numpy"}

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
        familiarity,
        "_predict_fold",
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


def test_a_tuning_grid_adds_the_nested_row(monkeypatch):
    seen = []

    def fake(X, y, train, test, **kw):
        seen.append(kw["tune_grid"])
        return {**{m: y[test] for m in METHODS}, "neucube_tuned": y[test]}, {}

    monkeypatch.setattr(familiarity, "_predict_fold", fake)
    grid = {"n_passes": [0, 1]}
    result = evaluate_familiarity(UCI_DIR, n_splits=2, n_repeats=1, tune_grid=grid)
    assert "neucube_tuned" in result["methods"] and "neucube_tuned" not in METHODS
    assert result["within_subject"]["accuracy"]["neucube_tuned"]["mean"] == 1.0
    assert result["across_subject"]["accuracy"]["neucube_tuned"]["mean"] == 1.0
    assert seen and all(g == grid for g in seen)  # every fold searched on its own
