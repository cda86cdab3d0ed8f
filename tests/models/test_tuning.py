"""Tuning: scikit-learn's search over the cube, its record in the model file, the CLI."""

import json

import numpy as np
import pytest

from models.classifier import NeuCubeClassifier
from models.cli import main
from models.tuning import tune, tuning_record
from sample_data import SAMPLE_DIR


@pytest.fixture(scope="module")
def motor():
    from models.evaluation.motor import load_motor_epochs

    X, y, ch_names, sfreq = load_motor_epochs(SAMPLE_DIR, runs=(3,), tmax=1.0)
    return X, y, ch_names, sfreq


@pytest.mark.slow
def test_grid_search_picks_refits_and_records(motor, tmp_path):
    X, y, ch_names, sfreq = motor
    clf = NeuCubeClassifier(ch_names, sfreq, target="numpy", random_state=0)
    grid = {"n_passes": [0, 1], "readout": ["counts"]}
    searcher = tune(clf, X, y, grid=grid, cv=2)
    results = searcher.cv_results_
    assert len(results["params"]) == 2 and searcher.n_splits_ == 2
    best = int(np.argmax(results["mean_test_score"]))
    assert searcher.best_params_ == results["params"][best]
    # the best candidate, refitted on every epoch, is what is kept
    model = searcher.best_estimator_
    assert model.get_params()["n_passes"] == searcher.best_params_["n_passes"]
    assert len(model.readout_.labels_) == len(y)
    record = tuning_record(searcher)
    path = model.save(tmp_path / "tuned.npz", extra={"tuning": record})
    loaded = NeuCubeClassifier.load(path)
    saved = loaded.cube_.extra_["tuning"]
    assert json.loads(saved["best_params"]) == searcher.best_params_
    np.testing.assert_allclose(saved["mean_test_score"], results["mean_test_score"])
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_bad_grids_name_what_is_wrong(motor):
    X, y, ch_names, sfreq = motor
    clf = NeuCubeClassifier(ch_names, sfreq)
    with pytest.raises(ValueError, match="'speed', which is not a parameter"):
        tune(clf, X, y, grid={"speed": [1]})
    with pytest.raises(ValueError, match="non-empty list"):
        tune(clf, X, y, grid={"n_passes": []})
    with pytest.raises(ValueError, match="cv must be"):
        tune(clf, X, y, grid={"n_passes": [0]}, cv=1)
    with pytest.raises(ValueError, match="search must be"):
        tune(clf, X, y, grid={"n_passes": [0]}, search="random")


def test_cli_tune_refuses_bad_options_before_any_work(tmp_path, capsys):
    out = tmp_path / "m.npz"
    data = str(SAMPLE_DIR / "uci")
    assert main(["tune", "--data", data, "--out", str(out), "--grid", "{nope"]) == 2
    assert "--grid is not valid JSON" in capsys.readouterr().err
    assert main(["tune", "--data", data, "--out", str(out), "--grid", "grid.json"]) == 2
    assert "is neither" in capsys.readouterr().err
    assert main(["tune", "--data", data, "--out", str(out), "--grid", '{"speed": [1]}']) == 2
    assert "--grid names 'speed'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["tune", "--data", data, "--out", str(out), "--cv", "1"])
    assert "argument --cv: must be an integer >= 2" in capsys.readouterr().err
    out.write_text("keep me")
    assert main(["tune", "--data", data, "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err and out.read_text() == "keep me"
    assert main(["evaluate", "--task", "seizure", "--data", data, "--tune"]) == 2
    assert "--task seizure has none" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_tune_saves_the_best_familiarity_model(tmp_path, capsys):
    out = tmp_path / "fam.npz"
    grid = '{"n_passes": [0, 1], "readout": ["counts"]}'
    args = ["tune", "--data", str(SAMPLE_DIR / "uci"), "--out", str(out), "--grid", grid]
    assert main([*args, "--cv", "2", "--target", "numpy"]) == 0
    printed = capsys.readouterr().out
    assert "2 candidates, 2-fold inner accuracy" in printed and "optimistic" in printed
    from models.trials.familiarity import FamiliarityClassifier

    model = FamiliarityClassifier.load(out)
    assert json.loads(model.cube_.extra_["tuning"]["best_params"])["readout"] == "counts"


@pytest.mark.slow
def test_halving_search_keeps_the_best_of_its_last_round(motor):
    X, y, ch_names, sfreq = motor
    clf = NeuCubeClassifier(ch_names, sfreq, target="numpy", random_state=0, readout="counts")
    searcher = tune(clf, X, y, grid={"n_passes": [0, 1]}, cv=2, search="halving")
    assert searcher.best_params_ in ({"n_passes": 0}, {"n_passes": 1})
    assert searcher.n_resources_[-1] == len(y)  # the last round used every epoch
    assert len(searcher.best_estimator_.readout_.labels_) == len(y)


@pytest.mark.slow
def test_a_search_in_worker_processes_scores_the_same(motor):
    X, y, ch_names, sfreq = motor
    clf = NeuCubeClassifier(ch_names, sfreq, target="numpy", random_state=0)
    grid = {"n_passes": [0, 1], "readout": ["counts"]}
    here = tune(clf, X, y, grid=grid, cv=2)
    there = tune(clf, X, y, grid=grid, cv=2, n_jobs=2)
    np.testing.assert_array_equal(
        here.cv_results_["mean_test_score"], there.cv_results_["mean_test_score"]
    )
    assert here.best_params_ == there.best_params_
    np.testing.assert_array_equal(here.best_estimator_.predict(X), there.best_estimator_.predict(X))
