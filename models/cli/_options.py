"""Options several commands share, spelled and explained once."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

TARGETS = ["auto", "numpy", "cython", "cpp_standalone"]


def add_target(p: argparse.ArgumentParser) -> None:
    """Add ``--target``: the Brian2 code-generation target of the cube."""
    p.add_argument("--target", default="auto", choices=TARGETS)


def add_model_output(p: argparse.ArgumentParser) -> None:
    """Add ``--out`` (the model file to write) and ``--overwrite``."""
    p.add_argument("--out", required=True, help="model file to write (.npz)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing model file")
