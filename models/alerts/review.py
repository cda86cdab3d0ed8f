"""Reviewing an alert: the EEG around it, as the model saw it."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from ..seizure.detector import SeizureDetector

__all__ = ["review_segment"]


def review_segment(
    detector: SeizureDetector,
    recording: str | os.PathLike,
    onset: float,
    duration: float,
    margin: float = 5.0,
) -> tuple[float, np.ndarray]:
    """Re-read a recording and filter it the model's way, around an alert.

    Parameters
    ----------
    detector : SeizureDetector
        The model (its channels, rate and filter).
    recording : path-like
        The file the alert was raised on.
    onset, duration : float
        The alert, seconds from the recording's start.
    margin : float
        Seconds shown before and after.

    Returns
    -------
    t0 : float
        Time of the first sample returned, seconds.
    data : ndarray, shape (n_channels, n)
        Filtered EEG in µV (the detector's channels), as the model saw it.
    """
    from acquisition import read_raw

    raw = read_raw(recording)
    data, _ = detector.prepare(raw)
    sfreq = detector.sfreq
    a = max(0, int((onset - margin) * sfreq))
    b = min(data.shape[1], int(math.ceil((onset + duration + margin) * sfreq)))
    return a / sfreq, data[:, a:b]
