"""Search the cube's parameters and save the best model: ``neucube tune``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ._options import (
    POSITIVE_INT,
    SEED,
    add_model_output,
    add_parallel,
    add_target,
    model_output,
    number,
    parallel_args,
)

if TYPE_CHECKING:
    import argparse


def _grid(text):
    """Parse the --grid option: JSON text or a JSON file."""
    from pathlib import Path

    if text is None:
        from ..tuning import DEFAULT_GRID

        return DEFAULT_GRID
    source = "--grid"
    if not text.lstrip().startswith("{"):
        path = Path(text)
        if not path.is_file():
            raise ValueError(
                f"--grid must be JSON (for example '{{\"n_passes\": [0, 1]}}') or a JSON file; "
                f"{text!r} is neither."
            )
        source, text = str(path), path.read_text(encoding="utf-8")
    try:
        grid = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{source} is not valid JSON: {err}.") from None
    if not isinstance(grid, dict):
        raise ValueError(
            f"{source} must be a JSON object of parameter lists, got {type(grid).__name__}."
        )
    return grid


def cmd_tune(args: argparse.Namespace) -> int:
    """Grid-search the classifier's parameters, refit the best, save it."""
    import numpy as np

    from ..tuning import tune, tuning_record

    grid = _grid(args.grid)
    out = model_output(args)
    if args.task == "familiarity":
        from acquisition import read_uci_epochs

        from ..trials.familiarity import FamiliarityClassifier

        X, y, groups, ch_names, sfreq = read_uci_epochs(args.data)
        X = X * 1e6  # µV, as in the files
        estimator = FamiliarityClassifier(
            ch_names, sfreq, target=args.target, random_state=args.seed
        )
    else:
        from ..classifier import NeuCubeClassifier
        from ..evaluation.motor import load_motor_epochs

        if len(args.data) != 1:
            raise ValueError(f"--task motor takes one --data folder, got {len(args.data)}.")
        X, y, ch_names, sfreq = load_motor_epochs(args.data[0], subject=args.subject)
        estimator = NeuCubeClassifier(ch_names, sfreq, target=args.target, random_state=args.seed)
    from .._parallel import joblib_workers

    with joblib_workers(**parallel_args(args)) as n_jobs:
        searcher = tune(
            estimator,
            X,
            y,
            grid=grid,
            cv=args.cv,
            search=args.search,
            random_state=args.seed,
            n_jobs=n_jobs,
        )
    record = tuning_record(searcher)
    path = searcher.best_estimator_.save(out, overwrite=args.overwrite, extra={"tuning": record})
    results = searcher.cv_results_
    order = np.argsort(-np.asarray(results["mean_test_score"]))
    print(f"{len(order)} candidates, {searcher.n_splits_}-fold inner accuracy:")
    for i in order:
        print(f"  {results['mean_test_score'][i]:.3f}  {results['params'][i]}")
    print(
        f"Best: {searcher.best_params_} (inner accuracy {searcher.best_score_:.3f}, optimistic: "
        "chosen on these folds; `neucube evaluate --tune` gives a nested estimate). Refitted on "
        f"all {len(y)} epochs; saved to {path}"
    )
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube tune`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "tune",
        help="search the cube's parameters by cross-validation and save the best model",
        description="Grid search (scikit-learn GridSearchCV, or successive halving) over the "
        "classifier's parameters - by default the calibration band and STDP on or off, any "
        "parameter with --grid - with stratified inner folds; the best is refitted on all the data and saved "
        "with the search's record. Motor: EEGMMIDB executed left vs right fist of --subject; "
        "familiarity: UCI EEG S2 trials.",
    )
    p.add_argument("--task", default="familiarity", choices=["familiarity", "motor"])
    p.add_argument(
        "--data",
        required=True,
        nargs="+",
        help="familiarity: UCI subject folders or one folder holding them; motor: the folder "
        "with the EEGMMIDB EDF files",
    )
    add_model_output(p)
    p.add_argument(
        "--grid",
        default=None,
        help='parameter grid as JSON or a JSON file, e.g. \'{"band": [[0.001, 0.005], '
        '[0.002, 0.01]], "readout": ["bins", "counts"]}\' (default: band x n_passes)',
    )
    p.add_argument("--cv", type=number(int, low=2), default=3, help="inner folds (default 3)")
    p.add_argument("--search", default="grid", choices=["grid", "halving"])
    p.add_argument("--subject", type=POSITIVE_INT, default=1, help="motor: EEGMMIDB subject")
    add_target(p)
    p.add_argument("--seed", type=SEED, default=0)
    add_parallel(p, "candidates' fits")
    p.set_defaults(func=cmd_tune)
    return p
