"""Numeric options are checked against their range before any work, naming the option."""

import argparse

import pytest

from models.cli import main
from models.cli._options import number
from sample_data import SAMPLE_DIR, SEIZURE_EDF

DATA = str(SAMPLE_DIR)

CASES = [
    (["evaluate", "--data", DATA, "--folds", "1"], "--folds", "integer >= 2"),
    (["evaluate", "--data", DATA, "--repeats", "0"], "--repeats", ">= 1"),
    (["evaluate", "--data", DATA, "--subject", "-3"], "--subject", ">= 1"),
    (["evaluate", "--data", DATA, "--seed", "-1"], "--seed", "a seed"),
    (["evaluate", "--data", DATA, "--folds", "two"], "--folds", "expected an integer"),
    (["train", "--data", DATA, "--out", "m.npz", "--seed", "1.5"], "--seed", "integer"),
    (["tune", "--data", DATA, "--out", "m.npz", "--cv", "0"], "--cv", ">= 2"),
    (["bench", "--duration", "0"], "--duration", "> 0"),
    (["bench", "--duration", "nan"], "--duration", "finite"),
    (["bench", "--repeat", "0"], "--repeat", ">= 1"),
    (["spikes", str(SEIZURE_EDF), "--alpha", "-0.5"], "--alpha", ">= 0"),
    (["spikes", str(SEIZURE_EDF), "--h-freq", "0"], "--h-freq", "> 0"),
    (["spikes", str(SEIZURE_EDF), "--notch", "-60"], "--notch", "> 0"),
    (["report", "m.npz", "--data", "x", "--out", "r.html", "--samples", "0"], "--samples", ">= 1"),
    (["report", "m.npz", "--data", "x", "--out", "r.html", "--epoch", "-2"], "--epoch", "> 0"),
    (["alerts", "list", "--limit", "0"], "--limit", ">= 1"),
    (["alerts", "show", "0"], "id", ">= 1"),
]


@pytest.mark.parametrize(
    ("argv", "option", "rule"), CASES, ids=[" ".join(c[0][:1] + [c[1]]) for c in CASES]
)
def test_out_of_range_numbers_are_refused_by_name(
    argv, option, rule, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # nothing may be written; nothing is
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err and rule in err
    assert list(tmp_path.iterdir()) == []


def test_number_by_hand():
    prob = number(float, low=0, low_open=True, high=1, what="a probability")
    assert prob("0.5") == 0.5 and prob("1") == 1.0
    for bad in ("0", "1.5", "-1", "inf", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            prob(bad)
    assert number(int, low=2)("2") == 2
