"""The layers of DESIGN.md: imports point down only, heavy imports stay lazy."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> top-level packages of ours it must never import
FORBIDDEN = {
    "neucube": {"acquisition", "models", "gui"},
    "acquisition": {"neucube", "models", "gui"},
    "models": {"gui"},
}


def _imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down_only(package):
    offending = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for module in _imported_modules(path):
            if module.split(".")[0] in FORBIDDEN[package]:
                offending.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offending, offending


def test_nothing_imports_gui():
    offending = []
    for package in ("neucube", "acquisition", "models", "tests", "benchmarks", "scripts"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if package == "tests" and "gui" in path.parts:
                continue  # the GUI's own tests
            for module in _imported_modules(path):
                if module.split(".")[0] == "gui":
                    offending.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offending, offending


HEAVY = ("brian2", "PySide6", "pyqtgraph", "mne_lsl", "pylsl", "gui", "acquisition", "models")


def _modules_after_import(statement):
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "statement",
    [
        "import neucube",
        "import neucube.template",
        "import neucube.encoders",
    ],
)
def test_import_neucube_stays_light(statement):
    loaded = _modules_after_import(statement)
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert not heavy, f"{statement!r} pulled in {heavy}"


def test_import_acquisition_pulls_no_qt_lsl_or_spikes():
    loaded = _modules_after_import("import acquisition")
    bad = ("brian2", "PySide6", "pyqtgraph", "mne_lsl", "pylsl", "neucube", "models", "gui")
    heavy = sorted(m for m in loaded if m.split(".")[0] in bad and m != "neucube")
    # acquisition logs under the 'neucube.acquisition' logger name without
    # importing the neucube package.
    assert not heavy and "neucube" not in loaded, heavy


def test_cli_help_pulls_no_qt_or_brian2():
    loaded = _modules_after_import("import models.cli")
    heavy = sorted(m for m in loaded if m.split(".")[0] in ("brian2", "PySide6", "pyqtgraph", "gui"))
    assert not heavy, heavy
