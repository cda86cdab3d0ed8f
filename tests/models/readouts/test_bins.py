"""The time-binned readout: hand-counted features, inner cross-validation of C."""

import numpy as np
import pytest

from models.readouts import BinnedCountClassifier, make_readout
from neucube.cube import CubeActivity


def _activity():
    # 2 samples of 6 steps, 3 neurons; bins of 2 steps with n_bins=3.
    spikes = [(0, 0, 0), (0, 1, 0), (0, 5, 2), (1, 2, 1), (1, 3, 2), (1, 4, 0)]
    s, t, n = (np.array(c) for c in zip(*spikes))
    return CubeActivity(sample=s, neuron=n, step=t, n_samples=2, n_neurons=3, n_times=6)


def test_features_by_hand_per_neuron_and_per_group():
    act = _activity()
    F = BinnedCountClassifier(n_bins=3).features(act)
    # feature g * n_bins + b: sample 0 has neuron 0 twice in bin 0, neuron 2 in bin 2
    expected = np.zeros((2, 9))
    expected[0, 0] = 2
    expected[0, 2 * 3 + 2] = 1
    expected[1, 1 * 3 + 1] = 1  # neuron 1, step 2 -> bin 1
    expected[1, 2 * 3 + 1] = 1  # neuron 2, step 3 -> bin 1
    expected[1, 0 * 3 + 2] = 1  # neuron 0, step 4 -> bin 2
    np.testing.assert_allclose(F, np.log1p(expected))
    # neurons 0 and 2 in group 0, neuron 1 in group 1
    G = BinnedCountClassifier(n_bins=3, groups=[0, 1, 0]).features(act)
    grouped = np.zeros((2, 6))
    grouped[0, 0], grouped[0, 2] = 2, 1
    grouped[1, 1 * 3 + 1], grouped[1, 1], grouped[1, 2] = 1, 1, 1
    np.testing.assert_allclose(G, np.log1p(grouped))
    # a raster gives the same features as the activity it shows
    raster = np.stack([act.raster(k) for k in range(2)])
    np.testing.assert_allclose(BinnedCountClassifier(n_bins=3).features(raster), F)
    # one bin: whole-sample counts
    np.testing.assert_allclose(BinnedCountClassifier(n_bins=1).features(act), np.log1p(act.counts))


def test_bad_bins_and_groups():
    act = _activity()
    with pytest.raises(ValueError, match="n_bins"):
        BinnedCountClassifier(n_bins=7).features(act)
    with pytest.raises(ValueError, match="n_bins"):
        BinnedCountClassifier(n_bins=0).features(act)
    with pytest.raises(ValueError, match="3 neurons"):
        BinnedCountClassifier(groups=[0, 1]).features(act)
    with pytest.raises(ValueError, match="non-negative"):
        BinnedCountClassifier(n_bins=2, groups=[0, -1, 0]).features(act)


def test_timing_carries_the_class_and_c_is_chosen_inside():
    # Both classes fire the same number of spikes; only their timing differs.
    rng = np.random.default_rng(0)
    n, n_neurons, n_times = 60, 4, 20
    raster = rng.random((n, n_neurons, n_times)) < 0.1
    y = np.repeat([0, 1], n // 2)
    raster[y == 0, 0, :5] = True
    raster[y == 1, 0, 15:] = True
    order = rng.permutation(n)
    raster, y = raster[order], y[order]
    train, test = slice(0, 40), slice(40, None)
    whole = make_readout("bins", n_bins=1).fit(raster[train], y[train])
    binned = make_readout("bins", n_bins=4).fit(raster[train], y[train])
    assert binned.score(raster[test], y[test]) >= 0.9
    assert whole.score(raster[test], y[test]) < 0.8  # counts alone cannot tell
    assert binned.C_ in binned.Cs
    proba = binned.predict_proba(raster[test])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_too_few_samples_for_inner_folds_uses_c_1():
    raster = np.zeros((3, 2, 4), bool)
    raster[0, 0, 0] = raster[2, 0, 1] = True
    r = BinnedCountClassifier(n_bins=2).fit(raster, [0, 1, 0])
    assert r.C_ == 1.0
