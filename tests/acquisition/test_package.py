"""The package's public face and its place in the layers."""

import ast
import inspect
from pathlib import Path

import acquisition

PACKAGE = Path(acquisition.__file__).resolve().parent
FORBIDDEN = {"neucube", "models", "gui"}


def test_never_imports_upper_layers():
    """acquisition knows nothing of spikes, models or the GUI."""
    for path in PACKAGE.glob("*.py"):
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
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        assert not [c for c in calls if getattr(c.func, "id", None) == "print"], path.name


def test_public_names_documented():
    for name in acquisition.__all__:
        obj = getattr(acquisition, name)
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
