"""Accuracy over folds, in one shape for every evaluation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt


def summarize_accuracy(scores: npt.ArrayLike, labels: list[str] | None = None) -> dict:
    """Mean, sd and median of accuracies, with the scores they come from.

    Parameters
    ----------
    scores : array-like of float
        One accuracy per fold (or per subject).
    labels : list of str | None
        Name of each score; ``None``: they are folds.

    Returns
    -------
    summary : dict
        ``mean``, ``sd`` (``ddof=1``; 0 for a single score), ``median``
        (rounded to 4 decimals) and ``folds`` (a list), or ``per_subject``
        (a dict) when ``labels`` are given.
    """
    scores = np.asarray(scores, float)
    out = {
        "mean": round(float(scores.mean()), 4),
        "sd": round(float(scores.std(ddof=1)), 4) if len(scores) > 1 else 0.0,
        "median": round(float(np.median(scores)), 4),
    }
    if labels is None:
        out["folds"] = [round(float(s), 4) for s in scores]
    else:
        out["per_subject"] = {str(k): round(float(s), 4) for k, s in zip(labels, scores)}
    return out
