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
    heavy = sorted(
        m for m in loaded if m.split(".")[0] in ("brian2", "PySide6", "pyqtgraph", "gui")
    )
    assert not heavy, heavy


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports_of(path, known):
    """Modules of ours that ``path`` imports, at any level (inside functions too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()

    def resolve(module):
        # the module itself, or the package a name is taken from
        while module and module not in known:
            module = module.rpartition(".")[0]
        return module

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" for alias in node.names] + [module]
        else:
            continue
        for target in targets:
            hit = resolve(target)
            if hit and hit != name:
                found.add(hit)
    return found


@pytest.mark.parametrize("package", ["neucube", "acquisition", "models", "gui"])
def test_no_import_cycle_inside_a_package(package):
    """No module imports (even lazily) a module that imports it back."""
    paths = sorted((ROOT / package).rglob("*.py"))
    known = {_module_name(p) for p in paths}
    graph = {_module_name(p): _imports_of(p, known) for p in paths}
    # A package's __init__ that re-exports its modules is its face, not a
    # participant: the edge module -> package counts only if the package's
    # own code (not a re-export) is what is imported.
    for mod in graph:
        graph[mod] = {t for t in graph[mod] if not mod.startswith(t + ".")}
    cycles = []
    state = {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)
