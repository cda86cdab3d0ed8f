"""The HTML report (`neucube report`): written for real models on bundled EEG."""

import argparse
import base64
import io
import json
import re

import mne
import numpy as np
import pytest
from PIL import Image

from models.cli.report import add_parser, main
from models.io import ModelFileError, read_model
from models.report import ReportError, write_report
from models.seizure.detector import SeizureDetector, shipped_model_path
from neucube.cube import Cube
from sample_data import SEIZURE_EDF

HEADINGS = (
    "Model",
    "Connections",
    "Clusters",
    "Feature interaction network",
    "Spike raster",
    "Cluster activity",
    "Conditions compared",
    "Weight change",
    "Accuracy",
)
MOTOR_METRICS = {
    "task": "motor",
    "data": "EEGMMIDB S001 runs 3, 7, 11",
    "cv": "3x repeated stratified 5-fold",
    "chance": 0.5,
    "seed": 0,
    "accuracy": {
        "neucube_desnn": {"mean": 0.4811, "sd": 0.1, "median": 0.5, "folds": [0.5] * 15},
        "csp_lda": {"mean": 0.7022, "sd": 0.08, "median": 0.7, "folds": [0.7] * 15},
    },
}


def _images(page):
    return re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)


def _check_images(page, at_least):
    images = _images(page)
    assert len(images) >= at_least
    for b64 in images:
        img = Image.open(io.BytesIO(base64.b64decode(b64)))
        img.load()
        assert img.format == "PNG" and img.width >= 800 and img.height >= 500
        pixels = np.asarray(img.convert("RGB")).reshape(-1, 3)[::7].astype(np.int64)
        colours = np.unique(pixels[:, 0] * 65536 + pixels[:, 1] * 256 + pixels[:, 2])
        assert len(colours) > 20, "a blank (single-colour) figure"
    return images


@pytest.fixture(scope="module")
def seizure_report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    metrics = tmp / "metrics.json"
    metrics.write_text(json.dumps(MOTOR_METRICS))
    out = write_report(
        shipped_model_path(), SEIZURE_EDF, tmp / "sub" / "report.html", metrics=metrics
    )
    return out, out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def classifier_file(tmp_path_factory):
    det = SeizureDetector.load(shipped_model_path())
    return det.classifier_.save(tmp_path_factory.mktemp("clf") / "clf.npz")


def test_seizure_report_is_one_self_contained_file(seizure_report):
    out, page = seizure_report
    assert out.name == "report.html" and out.is_file()
    assert not list(out.parent.glob("*.png")) and not list(out.parent.glob("*.part"))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # nothing fetched from elsewhere: every image is inline, no scripts or style sheets
    assert "<script" not in page and "<link" not in page
    assert not re.search(r'src="(?!data:image/png;base64,)', page)
    images = _check_images(page, at_least=7)
    assert len(images) == 7  # connections, clusters, interactions, raster, activity, compare, Δw
    for heading in HEADINGS:
        assert f"<h2>{heading}</h2>" in page


def test_seizure_report_content(seizure_report):
    _, page = seizure_report
    assert "chb01_seizure.npz (seizure detector)" in page
    assert "before seizure" in page and "during seizure" in page
    assert "Fp1-F7" in page and "T8-P8-1" in page
    assert "the 200 strongest of each sign" in page
    assert "Initial weights rebuilt from the cube" in page  # seed 0 recorded in the model
    # the accuracy table of `neucube evaluate --json`
    assert "neucube_desnn" in page and "0.481" in page and "0.702" in page
    # the connections that differ most, in a table
    assert "co-activations per sample: before seizure" in page


def test_classifier_report_from_the_command_line(classifier_file, tmp_path, capsys):
    out = tmp_path / "clf.html"
    rc = main(
        [
            "report",
            str(classifier_file),
            "--data",
            str(SEIZURE_EDF),
            "--out",
            str(out),
            "--samples",
            "1",
            "--threshold",
            "1.9",
            "--notch",
            "60",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    assert "wrote" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "clf.npz (trial classifier)" in page
    # one kind of annotation: compared with the EEG just before it
    assert "before seizure" in page and "|w| ≥ 1.9" in page
    assert "No metrics given" in page
    _check_images(page, at_least=7)


def test_read_model_detects_the_kind(classifier_file):
    loaded = read_model(classifier_file)
    assert loaded.kind == "trials" and loaded.detector is None
    assert read_model(loaded.classifier).kind == "trials"
    assert read_model(shipped_model_path()).kind == "seizure"


def test_bad_model_files(tmp_path, capsys):
    missing = tmp_path / "nothere.npz"
    with pytest.raises(FileNotFoundError, match="Model file not found"):
        write_report(missing, SEIZURE_EDF, tmp_path / "r.html")
    assert (
        main(
            ["report", str(missing), "--data", str(SEIZURE_EDF), "--out", str(tmp_path / "r.html")]
        )
        == 2
    )
    assert "neucube report: error: Model file not found" in capsys.readouterr().err
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, a=np.arange(3))
    with pytest.raises(ModelFileError, match="not a NeuCube-EEG model"):
        write_report(foreign, SEIZURE_EDF, tmp_path / "r.html")
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    with pytest.raises(ModelFileError, match="not a NeuCube-EEG model"):
        write_report(text, SEIZURE_EDF, tmp_path / "r.html")
    bare = Cube(
        np.c_[np.arange(3) * 10.0, np.zeros(3), np.zeros(3)], [0], target="numpy", random_state=0
    ).save(tmp_path / "cube.npz")
    with pytest.raises(ModelFileError, match="no trained model"):
        write_report(bare, SEIZURE_EDF, tmp_path / "r.html")
    with pytest.raises(TypeError, match="model must be"):
        write_report(42, SEIZURE_EDF, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_bad_data_and_options(classifier_file, tmp_path):
    model = shipped_model_path()
    with pytest.raises(FileNotFoundError, match="--data not found"):
        write_report(model, tmp_path / "none.edf", tmp_path / "r.html")
    with pytest.raises(FileNotFoundError, match="No EEG recording"):
        write_report(model, tmp_path, tmp_path / "r.html")
    with pytest.raises(ReportError, match=r"\.html"):
        write_report(model, SEIZURE_EDF, tmp_path / "r.pdf")
    bad = tmp_path / "metrics.json"
    bad.write_text("{not json")
    with pytest.raises(ReportError, match="is not JSON"):
        write_report(model, SEIZURE_EDF, tmp_path / "r.html", metrics=bad)
    with pytest.raises(FileNotFoundError, match="--metrics file not found"):
        write_report(model, SEIZURE_EDF, tmp_path / "r.html", metrics=tmp_path / "m.json")
    with pytest.raises(ValueError, match="threshold"):
        write_report(model, SEIZURE_EDF, tmp_path / "r.html", threshold=-1)
    # a recording without the classifier's 23 bipolar channels
    info = mne.create_info(["C3", "C4"], 256.0, "eeg")
    other = tmp_path / "other_raw.fif"
    mne.io.RawArray(np.zeros((2, 1024)), info, verbose="error").save(other, verbose="error")
    with pytest.raises(ReportError, match="lacks 23 of the model's 23 channels"):
        write_report(classifier_file, other, tmp_path / "r.html")


def test_add_report_parser():
    parser = argparse.ArgumentParser(prog="neucube")
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    args = parser.parse_args(
        [
            "report",
            "m.npz",
            "--data",
            "x.edf",
            "--out",
            "r.html",
            "--metrics",
            "m.json",
            "--conditions",
            "T1",
            "T2",
        ]
    )
    assert args.model == "m.npz" and args.data == "x.edf" and args.out == "r.html"
    assert args.metrics == "m.json" and args.conditions == ["T1", "T2"]
    assert args.func.__name__ == "cmd_report"
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "m.npz", "--out", "r.html"])  # --data is required


def test_report_for_a_trained_familiarity_model(tmp_path):
    import base64
    import io
    import re

    from PIL import Image

    from models.classifier import NeuCubeClassifier
    from models.cli import main
    from models.trials.familiarity import FamiliarityClassifier
    from sample_data import SAMPLE_DIR

    uci = SAMPLE_DIR / "uci"
    model = tmp_path / "familiarity.npz"
    assert (
        main(
            [
                "train",
                "--task",
                "familiarity",
                "--data",
                str(uci),
                "--out",
                str(model),
                "--target",
                "numpy",
            ]
        )
        == 0
    )
    # A familiarity model file loads as the class that saved it, from either class.
    assert type(NeuCubeClassifier.load(model)) is FamiliarityClassifier
    out = tmp_path / "familiarity.html"
    assert main(["report", str(model), "--data", str(uci), "--out", str(out)]) == 0
    html = out.read_text()
    assert "&#x27;familiar&#x27; (S2 match)" in html
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) >= 5
    for b64 in images:
        img = Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")
        assert len(img.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 20
