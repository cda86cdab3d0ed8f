"""Shared docstring text (neucube/_docs.py): filled in, indented, nothing left over."""

import importlib
import inspect

import pytest

from neucube._docs import docdict, fill_doc


def test_fill_doc_indents_entries():
    def f():
        """Do something.

        Parameters
        ----------
        %(y_ignored)s
        """

    fill_doc(f)
    assert "        y : None\n            Ignored; present for scikit-learn" in f.__doc__
    assert "%(" not in f.__doc__


def test_fill_doc_unknown_key():
    def f():
        """Doc.

        %(no_such_entry)s
        """

    with pytest.raises(KeyError, match="no_such_entry"):
        fill_doc(f)


@pytest.mark.parametrize(
    "module",
    ["neucube._checks", "neucube.encoders", "neucube.cube", "neucube.persistence"],
)
def test_no_placeholder_left(module):
    mod = importlib.import_module(module)
    for name, obj in vars(mod).items():
        if getattr(obj, "__module__", None) != module:
            continue
        members = [obj] + [getattr(obj, n) for n in dir(obj) if inspect.isclass(obj)]
        for member in members:
            doc = inspect.getdoc(member) or ""
            assert "%(" not in doc, f"{module}.{name}: unfilled placeholder"
    assert all(isinstance(text, str) and text for text in docdict.values())
