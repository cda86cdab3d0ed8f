"""Every field of a model file is checked at loading: a tampered field names the file and itself."""

import json

import numpy as np
import pytest

from models.classifier import NeuCubeClassifier
from models.cli import main
from models.io import ModelFileError, read_model
from models.seizure.detector import SeizureDetector
from models.trials.familiarity import FamiliarityClassifier
from sample_data import SEIZURE_EDF_2

CHANNELS = ["Fp1-F7", "F7-T7", "T7-P7", "P7-O1"]
SFREQ = 64.0


def _windows(seed=0, n=12, n_times=128):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(CHANNELS), n_times)) * 20
    y = np.r_[np.zeros(n // 2), np.ones(n - n // 2)].astype(int)
    X[y == 1] *= 3
    return X, y


def _small_cube_classifier(klass=NeuCubeClassifier, ch_names=CHANNELS, **params):
    """A cube of 55 neurons (a 30 mm template grid): fitted and loaded in well under a second."""
    return klass(
        ch_names,
        SFREQ,
        resolution=30,
        radius=40,
        n_bins=2,
        target="numpy",
        random_state=0,
        **params,
    )


@pytest.fixture(scope="module")
def detector_file(tmp_path_factory):
    X, y = _windows()
    det = SeizureDetector(
        CHANNELS, SFREQ, l_freq=0.5, h_freq=20.0, notch=None, background=None, target="numpy"
    )
    det.classifier_ = _small_cube_classifier().fit(X, y)
    rates = det._channel_rates(X[y == 0])
    det.background_ = np.stack([rates.mean(axis=0), rates.std(axis=0) + 1e-9])
    path = det.save(tmp_path_factory.mktemp("models") / "small_detector.npz")
    return path, det, X


@pytest.fixture(scope="module")
def classifier_file(tmp_path_factory):
    X, y = _windows(seed=1)
    clf = _small_cube_classifier(FamiliarityClassifier, ch_names=["Fz", "Cz", "Pz", "Oz"])
    clf.fit(X, y)
    path = clf.save(tmp_path_factory.mktemp("models") / "small_classifier.npz")
    return path, clf, X


def tamper(src, dst, edit):
    """Copy a model file with its metadata (and arrays) changed by ``edit(meta, arrays)``."""
    with np.load(src, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(str(arrays.pop("metadata")))
    edit(meta, arrays)
    np.savez(dst, allow_pickle=False, metadata=np.array(json.dumps(meta)), **arrays)
    return dst


def _values(meta, section):
    return meta["extra"][section]["values"]


def set_params(section, **changes):
    """An edit that changes the parameters a section keeps as JSON text."""

    def edit(meta, arrays):
        values = meta["encoder"]["values"] if section == "encoder" else _values(meta, section)
        params = json.loads(values["params"])
        for key, value in changes.items():
            if value is _DROP:
                del params[key]
            else:
                params[key] = value
        values["params"] = json.dumps(params)

    return edit


_DROP = object()


def set_meta(*keys, value):
    def edit(meta, arrays):
        where = meta
        for key in keys[:-1]:
            where = where[key]
        where[keys[-1]] = value

    return edit


def set_array(name, change):
    def edit(meta, arrays):
        arrays[name] = change(arrays[name].copy())

    return edit


def _nan_first(a):
    a.flat[0] = np.nan
    return a


DETECTOR_CASES = {
    # the detector section: every parameter, then the section's arrays
    "detector.threshold": set_params("detector", threshold=5),
    "detector.window": set_params("detector", window=-1),
    "detector.hop": set_params("detector", hop=0),
    "detector.min_duration": set_params("detector", min_duration=-3),
    "detector.n_top_channels": set_params("detector", n_top_channels="x"),
    "detector.sfreq": set_params("detector", sfreq=0),
    "detector.h_freq": set_params("detector", l_freq=30.0, h_freq=20.0),
    "detector.notch": set_params("detector", notch=50.0),  # above Nyquist at 64 Hz
    "detector.max_missing": set_params("detector", max_missing=1.5),
    "detector.background_quantile": set_params("detector", background_quantile=0),
    "detector.method": set_params("detector", method="svm"),
    "detector.target": set_params("detector", target="gpu"),
    "detector.ch_names": set_params("detector", ch_names=["Fp1-F7", "Fp1-F7", "T7-P7", "P7-O1"]),
    "detector.speed": set_params("detector", speed=3),  # not a field of the detector
    "detector.merge_gap": set_params("detector", merge_gap=_DROP),  # missing
    "detector.params": set_meta("extra", "detector", "values", "params", value="{not json"),
    "detector.background": set_array("detector/background", _nan_first),
    # the classifier's parameters (the model section)
    "model.n_bins": set_params("model", n_bins=0),
    "model.C": set_params("model", C=-1.0),
    "model.sfreq": set_params("model", sfreq=128.0),  # not the cube's rate
    "model.readout": set_params("model", readout="svm"),
    "model.class": set_meta("extra", "model", "values", "class", value="Nope"),
    "model.fit:rate": set_meta("extra", "model", "values", "fit:rate", value="fast"),
    # the encoder: its kind, parameters and fitted arrays
    "encoder.kind": set_meta("encoder", "values", "kind", value="bsa"),
    "encoder.alpha": set_params("encoder", alpha=-1),
    "encoder.fitted:thresholds_": set_array("encoder/fitted:thresholds_", lambda a: a[:-1]),
    "encoder.fitted:n_channels_": set_meta("encoder", "values", "fitted:n_channels_", value=7),
    # the readout's training vectors
    "readout.features": set_array("readout/features", lambda a: a[:, :-1]),
    "readout.labels": set_array("readout/labels", np.zeros_like),
    # the cube
    "cube.threshold": set_meta("params", "threshold", value=-1),
    "cube.refractory": set_meta("params", "refractory", value="x"),
    "cube.w_max": set_meta("params", "w_max", value=-5.0),
    "cube.n_passes": set_meta("n_passes", value=-1),
    "cube.seed": set_meta("seed", value="zero"),
    "cube.ch_names": set_meta("ch_names", value=["Fp1-F7", "", "T7-P7", "P7-O1"]),
    "cube.weights": set_array("weights", _nan_first),
    "cube.input_index": set_array("input_index", lambda a: a + 10_000),
    "cube.encoder": set_meta("encoder", value=[1, 2]),
    "calibration.band": set_array("calibration/band", lambda a: a[::-1]),
}


@pytest.mark.parametrize("field", DETECTOR_CASES)
def test_a_tampered_field_of_a_seizure_model_is_refused_naming_file_and_field(
    detector_file, tmp_path, field
):
    bad = tamper(detector_file[0], tmp_path / "tampered.npz", DETECTOR_CASES[field])
    with pytest.raises(ModelFileError) as info:
        read_model(bad)
    message = str(info.value)
    assert message.startswith(f"{bad}: field {field} ")
    assert message.endswith("Retrain the model (neucube train) or restore the original file.")
    assert "\n" not in message and info.value.field == field


def test_the_words_of_an_out_of_range_field(detector_file, tmp_path):
    bad = tamper(detector_file[0], tmp_path / "five.npz", set_params("detector", threshold=5))
    with pytest.raises(ModelFileError) as info:
        SeizureDetector.load(bad)
    assert str(info.value) == (
        f"{bad}: field detector.threshold = 5 is out of range: threshold must be a probability "
        "in [0, 1], got 5. Retrain the model (neucube train) or restore the original file."
    )


CLASSIFIER_CASES = {
    "model.tmax": set_params("model", tmin=0.5, tmax=0.2),
    "model.epoch_tmin": set_params("model", epoch_tmin="early"),
    "model.band": set_params("model", band=[0.5, 0.1]),
    "model.ch_names": set_params("model", ch_names=["Fz", "Cz", "Pz"]),
    "encoder.fitted:diff_std_": set_array("encoder/fitted:diff_std_", _nan_first),
    "cube.stdp": set_meta("params", "stdp", value=None),
}


@pytest.mark.parametrize("field", CLASSIFIER_CASES)
def test_a_tampered_field_of_a_trial_classifier_is_refused(classifier_file, tmp_path, field):
    bad = tamper(classifier_file[0], tmp_path / "tampered.npz", CLASSIFIER_CASES[field])
    with pytest.raises(ModelFileError, match=f"^{bad}: field {field} "):
        read_model(bad)


def test_an_untouched_copy_loads_and_predicts_the_same(detector_file, classifier_file, tmp_path):
    path, det, X = detector_file
    copy = tamper(path, tmp_path / "copy.npz", lambda meta, arrays: None)
    loaded = read_model(copy).model
    assert loaded.get_params() == det.get_params()
    np.testing.assert_array_equal(loaded.background_, det.background_)
    np.testing.assert_array_equal(loaded.predict_proba_windows(X), det.predict_proba_windows(X))
    path, clf, X = classifier_file
    copy = tamper(path, tmp_path / "copy_trials.npz", lambda meta, arrays: None)
    loaded = read_model(copy).model
    assert isinstance(loaded, FamiliarityClassifier)
    assert loaded.get_params() == clf.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_models_from_before_calibration_still_load(detector_file, tmp_path):
    # files written before background scaling and calibration lack these four parameters
    old = set_params(
        "detector", background=_DROP, background_quantile=_DROP, band=_DROP, weight_bound=_DROP
    )
    det = read_model(tamper(detector_file[0], tmp_path / "old.npz", old)).model
    assert (det.background, det.background_quantile, det.band, det.weight_bound) == (
        None,
        0.1,
        None,
        None,
    )


def test_neucube_detect_refuses_a_tampered_model_in_one_line(detector_file, tmp_path, capsys):
    bad = tamper(detector_file[0], tmp_path / "tampered.npz", set_params("detector", hop=0))
    assert main(["detect", "--model", str(bad), str(SEIZURE_EDF_2), "--no-store"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"neucube detect: error: {bad}: field detector.hop = 0 is out of range")
