"""Options several commands share, spelled and explained once."""

from __future__ import annotations

from pathlib import Path
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


def model_output(args: argparse.Namespace) -> Path:
    """Check ``--out`` before the work (which takes minutes); return the file to write.

    Parameters
    ----------
    args : argparse.Namespace
        With ``out`` and ``overwrite`` (see :func:`add_model_output`).

    Returns
    -------
    path : pathlib.Path
        ``--out`` with the ``.npz`` suffix NumPy adds when it lacks one.
    """
    from .._files import check_output

    out = Path(args.out)
    if out.suffix != ".npz":
        out = out.with_name(out.name + ".npz")
    check_output(out, "--out", overwrite=args.overwrite)
    return out


def number(
    kind: type = float,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    what: str | None = None,
):
    """Return an argparse ``type`` that parses a number and checks its range.

    Parameters
    ----------
    kind : type
        ``int`` or ``float``.
    low, high : float | None
        Smallest and largest allowed values (``None``: unbounded).
    low_open : bool
        Whether ``low`` itself is refused (``(low, high]``).
    what : str | None
        What the number is, for the message (e.g. ``"a probability"``).

    Returns
    -------
    parse : callable
        Raises :class:`argparse.ArgumentTypeError`, which argparse reports as
        ``argument --OPTION: ...`` before any work starts.
    """
    import argparse
    import math

    lo = "" if low is None else ("> " if low_open else ">= ") + f"{low:g}"
    hi = "" if high is None else f"<= {high:g}"
    rule = " and ".join(x for x in (lo, hi) if x)
    noun = "an integer" if kind is int else "a number"

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
        if kind is float and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
        bad = (low is not None and (value < low or (low_open and value == low))) or (
            high is not None and value > high
        )
        if bad:
            raise argparse.ArgumentTypeError(
                f"must be {what + ', ' if what else ''}{noun} {rule}, got {text}"
            )
        return value

    parse.__name__ = kind.__name__
    return parse


#: The seeds, folds and counts every command takes.
SEED = number(int, low=0, what="a seed")
POSITIVE_INT = number(int, low=1)
POSITIVE = number(float, low=0, low_open=True)
NON_NEGATIVE = number(float, low=0)


def _n_jobs(text: str) -> int:
    """Parse --n-jobs: -1 (every core) or an integer >= 1."""
    import argparse

    from .._parallel import check_n_jobs

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    try:
        check_n_jobs(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be -1 (every core) or >= 1, got {value}") from None
    return value


def add_parallel(p: argparse.ArgumentParser, what: str = "folds") -> None:
    """Add ``--n-jobs`` and ``--scheduler``: where independent work runs."""
    p.add_argument(
        "--n-jobs",
        type=_n_jobs,
        default=1,
        help=f"{what} computed side by side in this many processes (joblib; -1: every core; "
        "default 1); the results are the same",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help=f"compute the {what} on a Dask cluster instead: a scheduler's address "
        "(tcp://host:8786), or 'local' to start one here with --n-jobs workers (default 2)",
    )


def parallel_args(args: argparse.Namespace) -> dict:
    """Return ``n_jobs`` and ``scheduler`` from ``--n-jobs`` and ``--scheduler``."""
    n_jobs = args.n_jobs
    if args.scheduler == "local" and n_jobs == 1:
        n_jobs = 2  # a local cluster of one worker would be slower than none
    return {"n_jobs": n_jobs, "scheduler": args.scheduler}
