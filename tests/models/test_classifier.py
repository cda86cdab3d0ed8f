"""NeuCubeClassifier: scikit-learn behaviour and real EEG end to end."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from acquisition import OnlineFilter, make_epochs, pick_placeable, read_raw
from models.classifier import (
    DEFAULT_BAND,
    NEUCUBE_PRESET,
    NeuCubeClassifier,
    nearest_electrode,
    stdp_change,
)
from models.readouts import SpikeCountClassifier
from sample_data import MOTOR_EDF


@pytest.fixture(scope="module")
def motor():
    """EEGMMIDB S001 run 3: 15 executed left/right fist epochs, 0-1 s, 8-30 Hz."""
    raw = pick_placeable(read_raw(MOTOR_EDF))
    raw.apply_function(OnlineFilter(raw.info["sfreq"], 8.0, 30.0).filter, channel_wise=False)
    X, y, _ = make_epochs(raw, 0.0, 1.0, event_id={"T1": 1, "T2": 2})
    return X * 1e6, np.asarray(y), list(raw.ch_names), raw.info["sfreq"]


@pytest.fixture(scope="module")
def fitted(motor):
    X, y, ch_names, sfreq = motor
    clf = NeuCubeClassifier(ch_names, sfreq, target="numpy", random_state=0)
    return clf.fit(X[:10], y[:10])


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
    # The data-driven estimator checks feed 2D tabular X; this estimator takes
    # 3D epochs, so those are replaced by the real-EEG tests below.
    check("NeuCubeClassifier", NeuCubeClassifier(["Cz"], 256.0))


def test_fit_predict_on_real_eeg(fitted, motor):
    X, y, _, _ = motor
    assert X.shape == (15, 64, 161)
    assert set(fitted.classes_) == {"T1", "T2"}
    assert fitted.cube_.n_channels == 64
    proba = fitted.predict_proba(X[10:])
    assert proba.shape == (5, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = fitted.predict(X[10:])
    assert set(pred) <= {"T1", "T2"}
    np.testing.assert_array_equal(pred, fitted.classes_[proba.argmax(axis=1)])
    assert 0.0 <= fitted.score(X[10:], y[10:]) <= 1.0  # accuracy: see the planted tests


@pytest.fixture(scope="module")
def planted(motor):
    """The motor epochs twice: left-hemisphere channels x3 ("left") or right ones ("right").

    Training: both versions of epochs 0-9; held out: both versions of epochs 10-14.
    ``orthogonal`` labels split each class in half by epoch parity: the planted
    amplitude says nothing about them.
    """
    X, _, ch_names, sfreq = motor
    side = np.array([c[-1] if c[-1].isdigit() else "z" for c in ch_names])
    odd = np.isin(side, list("13579"))  # 10-10 names: odd digits on the left
    even = np.isin(side, list("2468"))
    left, right = X.copy(), X.copy()
    left[:, odd] *= 3.0
    right[:, even] *= 3.0
    XX = np.concatenate([left, right])
    y = np.repeat(["left", "right"], len(X))
    epoch = np.tile(np.arange(len(X)), 2)
    orthogonal = np.where(epoch % 2 == 0, "even", "odd")
    return XX, y, orthogonal, epoch < 10, ch_names, sfreq


@pytest.fixture(scope="module")
def planted_fit(planted):
    XX, y, _, train, ch_names, sfreq = planted
    clf = NeuCubeClassifier(ch_names, sfreq, target="numpy", random_state=0)
    train_activity = clf.fit_transform(XX[train], y[train])
    return clf, train_activity, clf.transform(XX[~train])


def test_held_out_epochs_with_a_planted_hemisphere_are_classified(planted, planted_fit):
    XX, y, _, train, _, _ = planted
    clf = planted_fit[0]
    test = ~train
    assert clf.score(XX[test], y[test]) >= 0.9  # chance: 0.5 (5 + 5 held-out epochs)
    np.testing.assert_array_equal(clf.predict(XX[test]), y[test])


@pytest.mark.parametrize("readout", ["bins", "counts", "desnn"])
def test_each_readout_learns_the_planted_signal_and_not_shuffled_labels(
    planted, planted_fit, readout
):
    # the cube is fitted without labels: each readout is trained on the same activity
    _, y, orthogonal, train, _, _ = planted
    clf, train_activity, test_activity = planted_fit
    make = clone(clf).set_params(readout=readout)._make_readout
    real = make(clf.cube_).fit(train_activity, y[train])
    assert real.score(test_activity, y[~train]) >= 0.9
    shuffled = make(clf.cube_).fit(train_activity, orthogonal[train])
    assert 0.2 <= shuffled.score(test_activity, orthogonal[~train]) <= 0.8  # chance: 0.5


def test_thresholds_frozen_and_activity_deterministic(fitted, motor):
    X = motor[0]
    thresholds = fitted.encoder_.thresholds_.copy()
    a1 = fitted.transform(X[10:12])
    a2 = fitted.transform(X[10:12])
    np.testing.assert_array_equal(fitted.encoder_.thresholds_, thresholds)
    np.testing.assert_array_equal(a1.counts, a2.counts)
    assert a1.n_spikes > 0


def test_same_seed_same_model(motor, fitted):
    X, y, ch_names, sfreq = motor
    again = clone(fitted).fit(X[:10], y[:10])
    np.testing.assert_array_equal(again.cube_.weights_, fitted.cube_.weights_)
    np.testing.assert_array_equal(again.predict_proba(X[10:]), fitted.predict_proba(X[10:]))


def test_stdp_changed_the_weights(motor, fitted):
    X, y, ch_names, sfreq = motor
    untrained = NeuCubeClassifier(ch_names, sfreq, target="numpy", random_state=0, n_passes=0)
    untrained.fit(X[:10], y[:10])
    diff = fitted.cube_.weights_ - untrained.cube_.weights_
    assert np.count_nonzero(diff) > 0
    assert np.all(np.abs(fitted.cube_.weights_) <= 2.0)


@pytest.mark.slow
def test_cross_validation_with_counts_readout(planted):
    XX, yy, orthogonal, _, ch_names, sfreq = planted
    clf = NeuCubeClassifier(ch_names, sfreq, readout="counts", target="numpy", random_state=1)
    # folds by epoch (both versions of an epoch on one side): the planted hemisphere is found
    groups = np.tile(np.arange(len(XX) // 2), 2)
    cv = GroupKFold(3)
    scores = cross_val_score(clf, XX, yy, cv=cv, groups=groups)
    assert scores.shape == (3,) and np.all(scores >= 0.8)
    # and labels that carry no planted signal are found at chance
    shuffled = cross_val_score(clf, XX, orthogonal, cv=cv, groups=groups)
    assert 0.25 <= shuffled.mean() <= 0.75


def test_spike_count_readout_by_hand():
    # Neuron 0 busy in class "a", neuron 1 busy in class "b".
    raster = np.zeros((8, 2, 10), bool)
    raster[:4, 0, ::2] = True
    raster[4:, 1, ::2] = True
    y = np.array(["a"] * 4 + ["b"] * 4)
    clf = SpikeCountClassifier().fit(raster, y)
    np.testing.assert_allclose(clf.features(raster[:1]), [[np.log1p(5), 0.0]])
    assert clf.score(raster, y) == 1.0


def test_spike_count_readout_on_held_out_noisy_rasters():
    # 3 neurons firing at random (p = 0.2); class "a" adds 6 spikes to neuron 0, "b" to neuron 1
    rng = np.random.default_rng(0)
    n = 80
    raster = rng.random((n, 3, 30)) < 0.2
    y = np.repeat(["a", "b"], n // 2)
    raster[y == "a", 0, :12:2] = True
    raster[y == "b", 1, :12:2] = True
    order = rng.permutation(n)
    raster, y = raster[order], y[order]
    orthogonal = np.where(np.arange(n) % 2 == 0, "even", "odd")  # no spikes tell these apart
    train, test = slice(0, 40), slice(40, None)
    real = SpikeCountClassifier().fit(raster[train], y[train])
    assert real.score(raster[test], y[test]) >= 0.9
    shuffled = SpikeCountClassifier().fit(raster[train], orthogonal[train])
    assert 0.25 <= shuffled.score(raster[test], orthogonal[test]) <= 0.75


def test_bad_input(motor, fitted):
    X, y, ch_names, sfreq = motor
    with pytest.raises(NotFittedError):
        NeuCubeClassifier(ch_names, sfreq).predict(X)
    with pytest.raises(ValueError, match=r"\(n_epochs, n_channels, n_times\)"):
        fitted.predict(X[0])
    with pytest.raises(ValueError, match="X has 63 channels but ch_names lists 64"):
        fitted.predict(X[:, :63])
    with pytest.raises(ValueError, match="needs ch_names and sfreq"):
        NeuCubeClassifier().fit(X, y)
    bad = X[:4].copy()
    bad[1, 5, 7] = np.nan
    with pytest.raises(ValueError, match="X"):
        NeuCubeClassifier(ch_names, sfreq).fit(bad, y[:4])
    with pytest.raises(ValueError, match="readout must be one of"):
        NeuCubeClassifier(ch_names, sfreq, readout="svm").fit(X[:4], y[:4])
    with pytest.raises(ValueError, match="15 epochs but y has 3"):
        NeuCubeClassifier(ch_names, sfreq).fit(X, y[:3])


@pytest.mark.parametrize("readout", ["desnn", "counts", "bins"])
def test_save_load_predicts_the_same(motor, tmp_path, readout):
    X, y, ch_names, sfreq = motor
    clf = NeuCubeClassifier(ch_names, sfreq, readout=readout, target="numpy", random_state=3)
    clf.fit(X[:8], y[:8])
    path = clf.save(tmp_path / "model.npz")
    loaded = NeuCubeClassifier.load(path)
    assert loaded.get_params() == clf.get_params()
    np.testing.assert_array_equal(loaded.encoder_.thresholds_, clf.encoder_.thresholds_)
    np.testing.assert_array_equal(loaded.cube_.weights_, clf.cube_.weights_)
    np.testing.assert_allclose(loaded.predict_proba(X[8:]), clf.predict_proba(X[8:]))
    np.testing.assert_array_equal(loaded.predict(X[8:]), clf.predict(X[8:]))
    assert loaded.fit_summary_ == clf.fit_summary_
    assert loaded.cube_.threshold == clf.cube_.threshold
    assert loaded.cube_.calibration_["rate"] == clf.cube_.calibration_["rate"]
    with pytest.raises(FileExistsError):
        clf.save(path)


def test_loading_a_plain_cube_file_as_a_classifier_is_a_clear_error(fitted, tmp_path):
    from neucube.persistence import CubeFileError

    path = fitted.cube_.save(tmp_path / "cube.npz", encoder=None)
    with pytest.raises(CubeFileError, match="holds a cube but no NeuCubeClassifier"):
        NeuCubeClassifier.load(path)


def test_loading_a_corrupted_model_file_is_a_clear_error(tmp_path):
    from neucube.persistence import CubeFileError

    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CubeFileError, match="broken.npz could not be read"):
        NeuCubeClassifier.load(path)


def test_calibrated_cube_works_inside_its_band(fitted, motor):
    X = motor[0]
    low, high = DEFAULT_BAND
    summary = fitted.fit_summary_
    assert low <= summary["rate"] <= high
    assert summary["threshold"] == fitted.cube_.threshold != 0.5
    assert 0 < summary["active_share"] < 1 and summary["stdp_change"] > 0
    # held-out epochs stay near the band the training epochs were put in
    rate = fitted.transform(X[10:]).rate
    assert low / 2 <= rate <= 2 * high


def test_neucube_preset_keeps_the_published_operating_point(motor):
    X, y, ch_names, sfreq = motor
    clf = NeuCubeClassifier(ch_names, sfreq, target="numpy", random_state=0, **NEUCUBE_PRESET)
    clf.fit(X[:6], y[:6])
    assert clf.cube_.threshold == 0.5 and clf.cube_.calibration_ is None
    assert (clf.cube_.w_min, clf.cube_.w_max) == (-2.0, 2.0)
    assert clf.readout == "desnn"


def test_weight_bound_clips_learning(motor):
    X, y, ch_names, sfreq = motor
    clf = NeuCubeClassifier(
        ch_names, sfreq, target="numpy", random_state=0, weight_bound=0.5, stdp_rate=0.05
    )
    before = clf.set_params(n_passes=0).fit(X[:6], y[:6]).cube_.weights_
    clf.set_params(n_passes=1).fit(X[:6], y[:6])
    # half the strongest initial weight (0.1 * input gain 2): +-0.1
    assert (clf.cube_.w_min, clf.cube_.w_max) == (-0.1, 0.1)
    changed = clf.cube_.weights_ != before
    assert changed.sum() > 100
    assert np.abs(clf.cube_.weights_[changed]).max() <= 0.1 + 1e-12
    assert np.isclose(np.abs(clf.cube_.weights_[changed]), 0.1).any()  # the bound was hit
    for bad in (0, -1, np.inf, "x"):
        with pytest.raises(ValueError, match="weight_bound"):
            NeuCubeClassifier(ch_names, sfreq, weight_bound=bad).fit(X[:4], y[:4])
    with pytest.raises(ValueError, match="group_by"):
        NeuCubeClassifier(ch_names, sfreq, group_by="lobe").fit(X[:4], y[:4])


def test_nearest_electrode_by_hand():
    coords = np.array([[0.0, 0, 0], [10, 0, 0], [20, 0, 0], [30, 0, 0], [40, 0, 0]])
    # channels on neurons 0 and 4; a third channel shares neuron 4's site
    groups = nearest_electrode(coords, [0, 4, 4])
    np.testing.assert_array_equal(groups, [0, 0, 0, 1, 1])  # neuron 2: tie -> lowest


def test_stdp_change_by_hand():
    before = np.array([0.1, -0.2, 0.3])
    after = np.array([0.2, -0.2, 0.0])
    # mean |change| (0.1 + 0 + 0.3) / 3 over mean |before| 0.2
    assert stdp_change(before, after) == pytest.approx((0.4 / 3) / 0.2)
    assert stdp_change([], []) == 0.0


def test_fit_transform_is_fit_then_transform_without_a_second_run(fitted, motor):
    X, y, _, _ = motor
    activity, spikes = clone(fitted).fit_transform(X[:10], y[:10], return_spikes=True)
    again, spikes_again = fitted.transform(X[:10], return_spikes=True)
    np.testing.assert_array_equal(activity.counts, again.counts)
    np.testing.assert_array_equal(activity.first_spike, again.first_spike)
    np.testing.assert_array_equal(spikes, spikes_again)
