"""Review stored alerts over their recordings, in a window: ``neucube review``.

The recordings and the store are checked here, before any window opens: a
missing or unreadable file, a recording the store holds no alert of, or one
sampled at another rate than the model's is refused with the file named.
The review window (:mod:`gui.review`) then runs as its own process, as
``neucube demo`` runs the app: nothing in ``models`` imports ``gui``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

#: Exit code when there is no display to open the window on (as ``python -m gui``).
EXIT_NO_DISPLAY = 3


def _identifier(path):
    """Return the name ``neucube detect`` stores a recording's alerts under: its resolved path."""
    try:
        return str(Path(path).expanduser().resolve())
    except (OSError, RuntimeError):
        return os.path.abspath(os.path.expanduser(path))


def _model_rate(model):
    """Return the sampling rate of a seizure model, read from its header (no cube built)."""
    import json
    from importlib.resources import files

    import numpy as np

    from ..io import peek_model

    if model is None:  # shipped_model_path(), without importing the detector (and SciPy)
        model = Path(str(files("models") / "data" / "chb01_seizure.npz"))
    info = peek_model(model)
    if info.kind != "seizure":
        raise ValueError(
            f"--model {model}: the file holds a {info.description}, not a seizure detector. "
            "Leave --model out for the shipped one."
        )
    try:
        with np.load(info.path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["metadata"]))
        params = json.loads(meta["extra"]["detector"]["values"]["params"])
        return info, float(params["sfreq"])
    except Exception:  # the window reads the model and says what is wrong with it
        return info, None


def _check_recording(path, sfreq, model_path):
    """Refuse a recording that is unreadable or at another rate than the model's."""
    import mne

    try:  # the header alone, by MNE (acquisition's reader loads SciPy's filters: seconds)
        rate = float(mne.io.read_raw(path, preload=False, verbose="error").info["sfreq"])
    except Exception:
        from acquisition import read_raw

        # says what is wrong, naming the file (or reads what MNE alone did not)
        rate = float(read_raw(path, preload=False, verbose="error").info["sfreq"])
    if sfreq is not None and abs(rate - sfreq) > 1e-6:
        raise ValueError(
            f"{path} is sampled at {rate:g} Hz and the model {model_path.name} at {sfreq:g} Hz: "
            "the review shows the EEG, the alerts and the trend at the model's rate, sample for "
            f"sample. Resample the recording to {sfreq:g} Hz and run `neucube detect` on that "
            "file, or pass --model a model trained at its rate."
        )


def _recordings(args, store, model):
    """Return the files to review; say why any is left out."""
    if not args.recording:
        pending = sorted({a.recording for a in store.list(status="pending")})
        files = [r for r in pending if os.path.isfile(r)]
        if not files:
            gone = f" ({len(pending)} recording(s) whose files are not here)" if pending else ""
            raise ValueError(
                f"The alert store {store.path} holds no pending alert of a recording file here"
                f"{gone}. Name the recordings: neucube review FILE ..."
            )
        return files
    keep, without = [], []
    for path in args.recording:
        if not os.path.isfile(os.path.expanduser(path)):
            raise FileNotFoundError(
                f"{path}: no such recording file. Give the recordings that `neucube detect` "
                "ran over (their alerts are stored under their full paths)."
            )
        rec = _identifier(path)
        if store.list(recording=rec, limit=1):
            keep.append(path)
        else:
            without.append((path, rec in store.finished(model.model_id, model.model_version)))
    for path, ran in without:
        why = (
            "detection ran over it and raised no alert: nothing to review"
            if ran
            else f"run `neucube detect {path} --db {store.path}` first"
        )
        line = f"{path}: the alert store {store.path} holds no alert of this recording ({why})."
        if keep:
            print(f"neucube review: left out {line}", file=sys.stderr)
        else:
            raise ValueError(line)
    return keep


def _display_problem():
    """Return why no window can open here, or None (checked without importing Qt)."""
    import importlib.util

    from .demo import _display_available, missing_qt_libraries

    if importlib.util.find_spec("PySide6") is None:
        return "PySide6 is not installed (pip install neucube-eeg[gui])"
    if not _display_available():
        return "there is no display (no DISPLAY or WAYLAND_DISPLAY, or QT_QPA_PLATFORM=offscreen)"
    missing = missing_qt_libraries()
    if missing:
        return (
            f"Qt needs the system libraries of {', '.join(missing)} (sudo apt install "
            f"{' '.join(missing)})"
        )
    return None


def cmd_review(args: argparse.Namespace) -> int:
    """Check the recordings and the store, then open the review window."""
    import subprocess

    from ..alerts import AlertStore

    model, sfreq = _model_rate(args.model)
    with AlertStore(args.db, create=False) as store:
        files = _recordings(args, store, model)
        db = store.path
    for path in files:
        _check_recording(path, sfreq, model.path)
    if not args.allow_offscreen:
        problem = _display_problem()
        if problem:
            print(
                f"neucube review: error: the review window cannot open here: {problem}. "
                "Run it on a desktop, or review from the terminal with `neucube alerts list` "
                "and `neucube alerts review ID`.",
                file=sys.stderr,
            )
            return EXIT_NO_DISPLAY
    argv = [sys.executable, "-m", "gui.review", *files, "--db", str(db)]
    if args.model is not None:
        argv += ["--model", str(model.path)]
    if args.reviewer:
        argv += ["--reviewer", args.reviewer]
    argv += ["--context", repr(args.context)]
    for flag, on in (
        ("--allow-offscreen", args.allow_offscreen),
        ("--quit-when-shown", args.quit_when_shown),
        ("--verbose", args.verbose),
    ):
        argv += [flag] if on else []
    rc = subprocess.call(argv)
    if rc == EXIT_NO_DISPLAY:
        print(
            "neucube review: error: the review window found no display it could open on. "
            "Review from the terminal with `neucube alerts list` and `neucube alerts review ID`.",
            file=sys.stderr,
        )
    return rc


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube review`` to the command line's subparsers."""
    from ..alerts import default_db_path
    from ._options import POSITIVE

    p = subparsers.add_parser(
        "review",
        help="review stored alerts over their recordings in a window",
        description="Open the review window over recordings that `neucube detect` ran over: "
        "their stored alerts at once (pending first), the EEG 30 s around each, the seizure "
        "probability over the whole recording (computed in the background; click it to jump "
        "there), confirm or reject with your name and a note (kept in the audit trail), and "
        "what another threshold, minimum duration or merge gap would find. Keys: N next "
        "alert, P previous, C confirm, R reject. Without FILE: every recording with pending "
        "alerts whose file is here.",
    )
    p.add_argument("recording", nargs="*", metavar="FILE", help="recordings to review")
    p.add_argument(
        "--db",
        "--store",
        dest="db",
        metavar="PATH",
        default=None,
        help=f"the alert store (default: {default_db_path()})",
    )
    p.add_argument("--model", default=None, help="model file (default: the shipped chb01 model)")
    p.add_argument("--reviewer", default="", help="your name, filled in for the reviews")
    p.add_argument(
        "--context",
        type=POSITIVE,
        default=30.0,
        metavar="SECONDS",
        help="EEG shown before and after an alert (default: 30)",
    )
    p.add_argument(
        "--allow-offscreen",
        action="store_true",
        help="open the window even without a display (tests, benchmarks)",
    )
    p.add_argument(
        "--quit-when-shown",
        action="store_true",
        help="print when the first alert is on screen and close (benchmarks)",
    )
    p.set_defaults(func=cmd_review)
    return p
