"""The package's public face and its place in the layers."""

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import acquisition
import acquisition.stream

PACKAGE = Path(acquisition.__file__).resolve().parent
FORBIDDEN = {"neucube", "models", "gui"}
MODULES = sorted(PACKAGE.rglob("*.py"))  # acquisition/stream/ too


def test_never_imports_upper_layers():
    """acquisition knows nothing of spikes, models or the GUI."""
    assert PACKAGE / "stream" / "lsl.py" in MODULES
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & FORBIDDEN, f"{path.name}:{node.lineno} imports {roots & FORBIDDEN}"


def test_no_print():
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        assert not [c for c in calls if getattr(c.func, "id", None) == "print"], path.name


def _check_documented(package):
    for name in package.__all__:
        obj = getattr(package, name)
        if inspect.isfunction(obj):
            doc = inspect.getdoc(obj)
            assert doc and "Returns\n-------" in doc, name
            if inspect.signature(obj).parameters:
                assert "Parameters\n----------" in doc, name
        elif inspect.isclass(obj):
            assert inspect.getdoc(obj), name
            for meth_name, meth in vars(obj).items():
                if inspect.isfunction(meth) and not meth_name.startswith("_"):
                    assert inspect.getdoc(meth), f"{name}.{meth_name}"


def test_public_names_documented():
    _check_documented(acquisition)
    _check_documented(acquisition.stream)


def test_public_functions_have_type_hints():
    for package in (acquisition, acquisition.stream):
        for name in package.__all__:
            obj = getattr(package, name)
            funcs = [(name, obj)] if inspect.isfunction(obj) else []
            if inspect.isclass(obj):
                funcs = [
                    (f"{name}.{m}", f)
                    for m, f in vars(obj).items()
                    if inspect.isfunction(f) and (not m.startswith("_") or m == "__init__")
                ]
            for label, func in funcs:
                if getattr(func, "__module__", "").startswith("acquisition"):
                    assert "return" in func.__annotations__, f"{label} has no return type"


def test_stream_names_importable_as_before():
    """What models/, gui/, benchmarks/ and their tests import from acquisition.stream."""
    from acquisition.stream import (  # noqa: F401
        COUNTER_CH,
        STATES,
        ArraySource,
        FileReplay,
        LSLSource,
        MarkerInlet,
        OnlineResampler,
        RingBuffer,
        SampleCounter,
        SourceStatus,
        add_counter_channel,
        configure_lsl,
        local_clock,
        write_replay_file,
    )

    # the liblsl helpers live in their own module, re-exported by the package
    assert sys.modules["acquisition.stream._lsl"].configure_lsl is configure_lsl


def test_import_acquisition_stream_loads_no_lsl():
    code = (
        "import sys, acquisition.stream; "
        "print([m for m in sys.modules if m.split('.')[0] in "
        "('mne_lsl', 'pylsl', 'neucube', 'models', 'gui')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    )
    assert out.stdout.strip() == "[]"
