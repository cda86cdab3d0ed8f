"""Run the fault catalogue (:mod:`tests.faults.catalogue`): every case, then nothing lost."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from models.seizure.detector import shipped_model_path
from tests.faults.catalogue import AREAS, CASES, Workspace, assert_says, restore

RUN_HERE = [c for c in CASES if c.test is None]
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("case", RUN_HERE, ids=[c.id for c in RUN_HERE])
def test_fault(case, tmp_path):
    ws = Workspace(tmp_path, shipped_model_path())
    try:
        if case.prepare is not None:
            case.prepare(ws)
        ws.mark()
        result = ws.run(case.argv) if case.argv else None
        if result is not None:
            assert_says(case, result)
        if case.check is not None:
            assert case.check(ws, result) is not False, f"{case.id}: its check failed"
    finally:
        restore(ws)
    ws.assert_nothing_lost(case)


def test_the_catalogue_is_whole():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) >= 60
    assert {c.area for c in CASES} == set(AREAS)
    for case in CASES:
        assert case.given and case.expected, case.id
        runs = bool(case.argv) or case.check is not None
        assert runs != (case.test is not None), f"{case.id}: runs here or names a test, not both"
        if case.argv:
            assert case.code is not None and case.says, f"{case.id}: says what must happen"


@pytest.mark.parametrize("case", [c for c in CASES if c.test], ids=[c.id for c in CASES if c.test])
def test_cases_checked_elsewhere_name_a_test_that_exists(case):
    module, function = case.test.split("::")
    test = getattr(importlib.import_module(module), function, None)
    assert callable(test), f"{case.id}: {case.test} does not exist"


def test_the_catalogue_lists_in_one_command():
    out = subprocess.run(
        [sys.executable, "-m", "tests.faults", "--area", "store"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    store = [c for c in CASES if c.area == "store"]
    assert all(c.id in out and c.expected in out for c in store)
    assert "reader-missing-file" not in out
    full = subprocess.run(
        [sys.executable, "-m", "tests.faults", "--markdown"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert full.count("\n| `") == len(CASES) and f"{len(CASES)} cases" in full
