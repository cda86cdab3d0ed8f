"""Tuning the cube as NeuCube users do, with scikit-learn's model selection.

:func:`tune` searches a grid of :class:`~models.classifier.NeuCubeClassifier`
parameters (the encoder, the calibration band, STDP, the readout) with
:class:`~sklearn.model_selection.GridSearchCV` (or the successive-halving
:class:`~sklearn.model_selection.HalvingGridSearchCV`, which drops poor
candidates on small budgets first), refits the best on all the data, and
returns it with a record of the search that :meth:`~models.classifier.NeuCubeClassifier.save`
keeps in the model file.

A search's best score is optimistic: it was chosen on the folds it is scored
on. Honest scores come from nested cross-validation, where every outer
training fold runs its own search (``neucube evaluate --tune``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from . import logger

if TYPE_CHECKING:
    import numpy.typing as npt

    from .classifier import NeuCubeClassifier

__all__ = ["DEFAULT_GRID", "tune", "tuning_record"]

#: The default search: the calibration band, and STDP off or on (6 candidates).
#: Any other parameter can be searched too (``encoder``, ``alpha``,
#: ``stdp_rate``, ``readout``, ``n_bins`` ...).
DEFAULT_GRID = {
    "band": [(0.001, 0.005), (0.002, 0.01), (0.005, 0.02)],
    "n_passes": [0, 1],
}


def _check_grid(estimator, grid):
    if not isinstance(grid, dict) or not grid:
        raise ValueError(f"grid must be a non-empty dict of parameter lists, got {grid!r}.")
    valid = estimator.get_params()
    for name, values in grid.items():
        if name not in valid:
            raise ValueError(
                f"The grid lists {name!r}, which is not a parameter of "
                f"{type(estimator).__name__}; "
                f"choose among {sorted(k for k in valid if k not in ('ch_names', 'sfreq'))}."
            )
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f"grid[{name!r}] must be a non-empty list of values, got {values!r}.")
    return {k: [tuple(v) if isinstance(v, list) else v for v in vals] for k, vals in grid.items()}


class _CountingScorer:
    """Accuracy that advances a progress bar once per fitted candidate and fold."""

    def __init__(self, bar):
        self.bar = bar

    def __call__(self, estimator, X, y):
        score = float(np.mean(estimator.predict(X) == np.asarray(y)))
        self.bar.update(1)
        return score


def tune(
    estimator: NeuCubeClassifier,
    X: np.ndarray,
    y: npt.ArrayLike,
    *,
    grid: dict | None = None,
    cv: int = 3,
    groups: npt.ArrayLike | None = None,
    search: str = "grid",
    random_state: int = 0,
    n_jobs: int = 1,
):
    """Search the classifier's parameters by cross-validation; refit the best.

    Parameters
    ----------
    estimator : NeuCubeClassifier
        The unfitted classifier whose other parameters stay as they are.
    X : ndarray, shape (n_epochs, n_channels, n_times)
        Training epochs.
    y : array-like, shape (n_epochs,)
        Labels.
    grid : dict of str to list | None
        Parameter name to the values tried (:data:`DEFAULT_GRID` when
        ``None``).
    cv : int
        Stratified folds of the search (``GroupKFold`` when ``groups`` is
        given).
    groups : array-like | None
        Group of each epoch (for example the subject), so that no group is
        split between a search's training and test folds.
    search : ``'grid'`` | ``'halving'``
        Every candidate on every fold, or successive halving.
    random_state : int
        Seed of the folds' shuffling.
    n_jobs : int
        Fits run side by side (scikit-learn's ``n_jobs``; inside
        :func:`models._parallel.joblib_workers`, on a Dask cluster). With
        more than one, the progress bar counts finished candidates only
        through the log.

    Returns
    -------
    search : GridSearchCV | HalvingGridSearchCV
        The fitted search: ``best_estimator_`` (refitted on all of ``X``),
        ``best_params_``, ``best_score_``, ``cv_results_``.
    """
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, GroupKFold, StratifiedKFold

    from neucube._logging import progress

    grid = _check_grid(estimator, DEFAULT_GRID if grid is None else grid)
    if search not in ("grid", "halving"):
        raise ValueError(f"search must be 'grid' or 'halving', got {search!r}.")
    y = np.asarray(y)
    if isinstance(cv, bool) or not isinstance(cv, (int, np.integer)) or cv < 2:
        raise ValueError(f"cv must be an integer >= 2, got {cv!r}.")
    if groups is not None:
        folds = GroupKFold(n_splits=cv)
    else:
        folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    n_candidates = int(np.prod([len(v) for v in grid.values()]))
    # halving fits fewer candidates in its later rounds: no total known ahead
    total = n_candidates * cv if search == "grid" else None
    bar = progress(total=total, desc="tuning (candidate x fold)", unit="fit")
    # a scorer run in another process cannot move this process's bar
    scorer = _CountingScorer(bar) if n_jobs == 1 else "accuracy"
    if search == "halving":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingGridSearchCV

        searcher = HalvingGridSearchCV(
            clone(estimator),
            grid,
            cv=folds,
            scoring=scorer,
            refit=True,
            error_score="raise",
            random_state=random_state,
            n_jobs=n_jobs,
        )
    else:
        searcher = GridSearchCV(
            clone(estimator),
            grid,
            cv=folds,
            scoring=scorer,
            refit=True,
            error_score="raise",
            n_jobs=n_jobs,
        )
    logger.info(
        "Tuning %s: %d candidates x %d folds (%s search)",
        type(estimator).__name__,
        n_candidates,
        cv,
        search,
    )
    try:
        searcher.fit(X, y, groups=groups)
    finally:
        bar.close()
    logger.info(
        "Best parameters %s, inner accuracy %.3f", searcher.best_params_, searcher.best_score_
    )
    return searcher


def tuning_record(searcher) -> dict:
    """Return the search as a model-file section (see :meth:`NeuCubeClassifier.save`).

    Parameters
    ----------
    searcher : GridSearchCV | HalvingGridSearchCV
        A fitted search from :func:`tune`.

    Returns
    -------
    record : dict
        ``best_params`` and ``candidates`` (JSON), ``best_score`` (the inner
        accuracy: optimistic), ``mean_test_score`` per candidate and
        ``n_splits``.
    """
    from .classifier import jsonable_params

    results = searcher.cv_results_
    candidates = [jsonable_params(p) for p in results["params"]]
    return {
        "best_params": json.dumps(jsonable_params(searcher.best_params_)),
        "best_score": float(searcher.best_score_),
        "candidates": json.dumps(candidates),
        "mean_test_score": np.asarray(results["mean_test_score"], dtype=float),
        "n_splits": int(searcher.n_splits_),
    }
