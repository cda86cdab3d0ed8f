"""FamiliarityClassifier on the bundled UCI trials."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from acquisition import read_uci_epochs
from models.trials.familiarity import FamiliarityClassifier
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


def test_defaults_and_window_match_the_parent():
    from models.classifier import NeuCubeClassifier

    params = FamiliarityClassifier().get_params()
    assert params["tmin"] == 0.0 and params["tmax"] == 0.6 and params["epoch_tmin"] == 0.0
    parent = NeuCubeClassifier().get_params()
    assert {k: params[k] for k in parent} == parent  # one set of defaults
    assert params["encoder"] == "tbr" and params["alpha"] == 0.5
    assert params["readout"] == "bins" and params["n_passes"] == 1
    assert params["band"] == (0.002, 0.01) and params["weight_bound"] == 2.0
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
    assert 0.0 <= fitted.score(X[1::2], y[1::2]) <= 1.0  # accuracy: see the planted test
    # The cube sees the window only: 0-0.6 s at 256 Hz is 154 steps.
    activity = fitted.transform(X[:2])
    assert activity.n_times == 154 and activity.n_spikes > 0


@pytest.mark.slow
def test_held_out_trials_with_a_planted_rhythm_are_classified(uci):
    # a 10 Hz burst (20 µV, 0.2-0.5 s) on the parietal channels of the familiar trials;
    # the EEG itself has a standard deviation of about 11 µV
    X, y, _, ch_names, sfreq = uci
    t = np.arange(X.shape[2]) / sfreq
    burst = np.sin(2 * np.pi * 10.0 * t) * ((t >= 0.2) & (t < 0.5))
    parietal = [i for i, c in enumerate(ch_names) if c.upper().startswith(("P", "CP", "O"))]
    X = X.copy()
    X[np.ix_(y == "familiar", parietal)] += 20.0 * burst
    train, test = slice(0, None, 2), slice(1, None, 2)
    clf = FamiliarityClassifier(ch_names, sfreq, target="numpy", random_state=0)
    train_activity = clf.fit_transform(X[train], y[train])
    assert clf.score(X[test], y[test]) >= 0.9  # chance: 0.5, 20 held-out trials
    # labels no signal tells apart (each class split in two): chance; the cube is fitted
    # without labels, so only the readout is trained again
    halves = clf._make_readout(clf.cube_).fit(train_activity, _halves(y[train]))
    assert 0.2 <= halves.score(clf.transform(X[test]), _halves(y[test])) <= 0.8


def _halves(y):
    """Split each class in two halves by rank: labels no signal tells apart."""
    out = np.empty(len(y), dtype=object)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        out[idx] = np.where(np.arange(len(idx)) % 2 == 0, "first", "second")
    return out


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
