"""Rerunnable evaluations on real EEG, each against a baseline in the same run.

``evaluate_motor`` measures executed left- vs right-fist classification on
EEGMMIDB (runs 3, 7 and 11 of a subject; epochs 0-4 s after each T1/T2 cue)
with repeated stratified cross-validation. In every fold the same training
epochs fit

- the NeuCube pipeline (TBR → cube with STDP → deSNN readout),
- the same fitted cube with the plain spike-count readout, and
- a non-spiking baseline: CSP (MNE) + LDA (scikit-learn),

and all are scored on the same held-out epochs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from .. import logger
from .summary import summarize_accuracy

MOTOR_RUNS = (3, 7, 11)


def load_motor_epochs(
    data_dir: str | os.PathLike,
    subject: int = 1,
    runs: tuple[int, ...] = MOTOR_RUNS,
    tmin: float = 0.0,
    tmax: float = 4.0,
    l_freq: float = 8.0,
    h_freq: float = 30.0,
) -> tuple[np.ndarray, np.ndarray, list[str], float]:
    """Load executed left/right fist epochs of one EEGMMIDB subject.

    Parameters
    ----------
    data_dir : path-like
        Folder holding ``S001R03.edf`` etc. (PhysioNet's file names).
    subject : int
        Subject number.
    runs : tuple of int
        Runs to use (3, 7, 11: executed left/right fist).
    tmin, tmax : float
        Epoch window around each cue in seconds (both ends included).
    l_freq, h_freq : float
        Causal band-pass applied to each run before epoching.

    Returns
    -------
    X : ndarray, shape (n_epochs, n_channels, n_times)
        Filtered epochs in µV.
    y : ndarray of str, shape (n_epochs,)
        ``'left'`` (T1) or ``'right'`` (T2).
    ch_names : list of str
        Standardized channel names.
    sfreq : float
        Sampling rate in Hz.
    """
    from acquisition import OnlineFilter, make_epochs, pick_placeable, read_raw

    data_dir = Path(data_dir)
    Xs, ys, ch_names, sfreq = [], [], None, None
    for run in runs:
        fname = data_dir / f"S{subject:03d}R{run:02d}.edf"
        if not fname.is_file():
            raise FileNotFoundError(
                f"EEGMMIDB run {run} of subject {subject} not found: {fname}. Pass --data the "
                "folder holding PhysioNet's EEGMMIDB files (S001R03.edf, S001R07.edf, ...)."
            )
        raw = pick_placeable(read_raw(fname))
        if ch_names is None:
            ch_names, sfreq = list(raw.ch_names), raw.info["sfreq"]
        elif list(raw.ch_names) != ch_names or raw.info["sfreq"] != sfreq:
            raise ValueError(
                f"{fname} has other channels or another sampling rate than run {runs[0]}."
            )
        filt = OnlineFilter(sfreq, l_freq=l_freq, h_freq=h_freq)
        raw.apply_function(filt.filter, channel_wise=False)
        X, y, _ = make_epochs(raw, tmin, tmax, event_id={"T1": 1, "T2": 2})
        Xs.append(X * 1e6)
        ys.append(np.where(np.asarray(y) == "T1", "left", "right"))
    return np.concatenate(Xs), np.concatenate(ys), ch_names, sfreq


def evaluate_motor(
    data_dir: str | os.PathLike,
    *,
    subject: int = 1,
    runs: tuple[int, ...] = MOTOR_RUNS,
    n_splits: int = 5,
    n_repeats: int = 3,
    l_freq: float = 8.0,
    h_freq: float = 30.0,
    target: str = "auto",
    random_state: int = 0,
    cube_params: dict | None = None,
) -> dict:
    """Cross-validate NeuCube and CSP+LDA on executed left vs right fist.

    Parameters
    ----------
    data_dir : path-like
        Folder with the subject's EEGMMIDB EDF files.
    subject : int
        Subject number.
    runs : tuple of int
        EEGMMIDB runs to use (3, 7, 11: executed left/right fist).
    n_splits, n_repeats : int
        Repeated stratified K-fold cross-validation.
    l_freq, h_freq : float
        Causal band-pass in Hz, the same for every method.
    target : str
        Brian2 code-generation target of the cube.
    random_state : int
        Seed of the folds and of the cube.
    cube_params : dict | None
        Extra parameters of :class:`~models.classifier.NeuCubeClassifier`.

    Returns
    -------
    result : dict
        Accuracy per method (mean, sd, median, per fold), chance level, the
        data's shape and the provenance (versions, target, seed, seconds).
    """
    import mne
    from mne.decoding import CSP
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.model_selection import RepeatedStratifiedKFold
    from sklearn.pipeline import make_pipeline

    from neucube._logging import progress

    from ..classifier import NeuCubeClassifier
    from ..readouts import SpikeCountClassifier

    t_start = time.perf_counter()
    X, y, ch_names, sfreq = load_motor_epochs(
        data_dir, subject=subject, runs=runs, l_freq=l_freq, h_freq=h_freq
    )
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=random_state)
    scores = {"neucube_desnn": [], "neucube_counts": [], "csp_lda": []}
    info = {}
    for train, test in progress(list(cv.split(X, y)), desc="folds", unit="fold"):
        clf = NeuCubeClassifier(
            ch_names, sfreq, target=target, random_state=random_state, **(cube_params or {})
        )
        clf.fit(X[train], y[train])
        a_train, a_test = clf.transform(X[train]), clf.transform(X[test])
        scores["neucube_desnn"].append(float(np.mean(clf.readout_.predict(a_test) == y[test])))
        counts = SpikeCountClassifier().fit(a_train, y[train])
        scores["neucube_counts"].append(counts.score(a_test, y[test]))
        csp = make_pipeline(CSP(n_components=4, log=True), LinearDiscriminantAnalysis())
        with mne.utils.use_log_level("warning"):  # MNE logs CSP's steps to stdout
            csp.fit(X[train], y[train])
            scores["csp_lda"].append(csp.score(X[test], y[test]))
        info = a_test.info
    classes, counts = np.unique(y, return_counts=True)
    result = {
        "task": "motor",
        "data": f"EEGMMIDB S{subject:03d} runs {', '.join(map(str, runs))}: executed left vs "
        "right fist, 0-4 s epochs",
        "n_epochs": int(len(y)),
        "classes": {str(c): int(n) for c, n in zip(classes, counts)},
        "n_channels": len(ch_names),
        "sfreq": float(sfreq),
        "band_hz": [l_freq, h_freq],
        "cv": f"{n_repeats}x repeated stratified {n_splits}-fold",
        "chance": float(counts.max() / counts.sum()),
        "accuracy": {name: summarize_accuracy(s) for name, s in scores.items()},
        "brian2_target": info.get("target"),
        "versions": {
            "brian2": info.get("brian2"),
            "numpy": info.get("numpy"),
            "neucube": info.get("neucube"),
        },
        "seed": random_state,
        "wall_s": round(time.perf_counter() - t_start, 1),
    }
    logger.info("Motor evaluation done in %.1f s", result["wall_s"])
    return result
