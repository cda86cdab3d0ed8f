"""Model files: peek_model reads the header, read_model the model, in one set of words."""

import numpy as np
import pytest

from models.classifier import NeuCubeClassifier
from models.io import ModelFileError, model_identity, peek_model, read_model
from models.seizure.detector import SeizureDetector, shipped_model_path
from neucube.cube import Cube


def test_peek_model_reads_the_header_of_the_shipped_model():
    info = peek_model(shipped_model_path())
    assert (info.kind, info.class_name, info.description) == (
        "seizure",
        "NeuCubeClassifier",
        "seizure detector",
    )
    assert {"model", "readout", "detector"} <= info.sections
    assert info.model_id == "chb01_seizure.npz"
    assert info.model_version.startswith("neucube ")


def test_read_model_and_identity_agree_with_the_header():
    loaded = read_model()  # None: the shipped model
    assert loaded.kind == "seizure" and isinstance(loaded.model, SeizureDetector)
    assert loaded.detector is loaded.model and loaded.classifier is loaded.model.classifier_
    assert loaded.cube is loaded.model.classifier_.cube_
    assert loaded.path == shipped_model_path() and loaded.name == "chb01_seizure.npz"
    info = peek_model(loaded.path)
    assert model_identity(loaded.model, loaded.path) == (info.model_id, info.model_version)
    # An object is returned with its kind, not re-read.
    again = read_model(loaded.classifier)
    assert again.kind == "trials" and again.model is loaded.classifier and again.path is None
    assert isinstance(again.model, NeuCubeClassifier)


def test_read_model_cache_returns_the_same_object_while_the_file_is_unchanged():
    a = read_model(shipped_model_path(), cache=True)
    assert read_model(shipped_model_path(), cache=True) is a
    assert read_model(shipped_model_path()) is not a  # cache=False reads anew


def test_bad_model_files_are_refused_with_the_same_words(tmp_path):
    with pytest.raises(FileNotFoundError, match="Model file not found"):
        peek_model(tmp_path / "nothere.npz")
    foreign = tmp_path / "x.npz"
    np.savez(foreign, a=np.zeros(2))
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    for bad in (foreign, text):
        with pytest.raises(ModelFileError, match="is not a NeuCube-EEG model file"):
            peek_model(bad)
        with pytest.raises(ModelFileError, match="is not a NeuCube-EEG model file"):
            read_model(bad)
    bare = Cube(
        np.c_[np.arange(3) * 10.0, np.zeros(3), np.zeros(3)], [0], target="numpy", random_state=0
    ).save(tmp_path / "cube.npz")
    with pytest.raises(ModelFileError, match="no trained model"):
        read_model(bare)
    with pytest.raises(TypeError, match="model must be"):
        read_model(42)
    with pytest.raises(ModelFileError, match="not trained"):
        read_model(SeizureDetector())
