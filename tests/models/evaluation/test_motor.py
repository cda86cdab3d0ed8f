"""Evaluation and benchmark code paths, on the bundled EEGMMIDB run."""

import numpy as np
import pytest

from models.evaluation._rows import row_names
from models.evaluation.bench import run_one
from models.evaluation.motor import evaluate_motor, load_motor_epochs
from sample_data import SAMPLE_DIR


def test_load_motor_epochs_from_bundled_run():
    X, y, ch_names, sfreq = load_motor_epochs(SAMPLE_DIR, runs=(3,))
    # Run 3 holds 15 cues: 8 T1 (left) and 7 T2 (right); 0-4 s at 160 Hz.
    assert X.shape == (15, 64, 641)
    assert sorted(np.unique(y, return_counts=True)[1]) == [7, 8]
    assert set(y) == {"left", "right"}
    assert sfreq == 160 and "C3" in ch_names
    # 8-30 Hz band-passed µV: zero-mean, tens of µV.
    assert abs(X.mean()) < 1 and 1 < X.std() < 100


def test_missing_run_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="S001R07.edf"):
        load_motor_epochs(tmp_path, runs=(7,))


@pytest.mark.slow
def test_evaluate_motor_scores_every_method_on_the_same_folds():
    grid = {"n_passes": [0, 1]}
    result = evaluate_motor(
        SAMPLE_DIR, runs=(3,), n_splits=3, n_repeats=1, tmax=1.0, target="numpy", tune_grid=grid
    )
    assert "0-1 s epochs" in result["data"]
    assert result["n_epochs"] == 15 and result["chance"] == pytest.approx(8 / 15)
    assert set(result["accuracy"]) == {*row_names(tuned=True), "csp_lda", "riemann_lr"}
    # nested: each outer training fold ran its own search
    assert len(result["tuned_params"]) == 3
    assert all(set(p) == {"n_passes"} for p in result["tuned_params"])
    assert "neucube_bins" in result["accuracy"] and "spikes_only_bins" in result["accuracy"]
    point = result["operating_point"]
    # The calibrated cube works inside its band on the training epochs; NeuCube's
    # preset keeps its threshold.
    low, high = result["cube"]["band"]
    assert low <= point["neucube"]["rate"] <= high
    assert point["neucube_preset"]["threshold"] == 0.5
    assert point["neucube_no_stdp"]["stdp_change"] == 0.0
    for acc in result["accuracy"].values():
        assert len(acc["folds"]) == 3
        assert 0 <= acc["mean"] <= 1
        assert acc["mean"] == pytest.approx(np.mean(acc["folds"]), abs=1e-3)
    assert result["brian2_target"] == "numpy" and result["versions"]["brian2"]


@pytest.mark.slow
@pytest.mark.parametrize("cube", ["neucube", "shipped"])
def test_bench_baseline_is_the_same_network(cube):
    ours = run_one("numpy", "inference", 8.0, cube)
    one = run_one("numpy", "inference_one_cube", 8.0, cube)
    plain = run_one("numpy", "plain_brian2", 8.0, cube)
    assert ours["neurons"] == plain["neurons"] == 1658
    assert ours["eeg_seconds"] == plain["eeg_seconds"] == 8.0
    assert ours["realtime_factor"] > 0 and plain["realtime_factor"] > 0
    # cubes side by side and one window after another: the same spikes
    assert (ours["copies"], one["copies"]) == (8, 1)
    assert ours["reservoir_spikes_per_step"] == one["reservoir_spikes_per_step"] > 0
    # Same model written as plain Brian2: the activity agrees within 10 %.
    assert ours["reservoir_spikes_per_step"] == pytest.approx(
        plain["reservoir_spikes_per_step"], rel=0.1
    )
