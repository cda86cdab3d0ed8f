"""Rerunnable evaluations on real EEG, each against a baseline in the same run.

``evaluate_motor`` measures executed left- vs right-fist classification on
EEGMMIDB (runs 3, 7 and 11 of a subject; epochs 0-4 s after each T1/T2 cue)
with repeated stratified cross-validation. In every fold the same training
epochs fit

- the cube rows of :mod:`models.evaluation._rows` (the calibrated cube with
  and without STDP, NeuCube's preset, the encoder's spikes alone, each read
  out by deSNN, spike counts and time-binned counts), and
- two non-spiking baselines: CSP (MNE) + LDA, and covariances → Riemannian
  tangent space → logistic regression (pyriemann, the pipeline that leads
  MOABB's motor benchmarks),

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


def _csp_lda():
    from mne.decoding import CSP
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import make_pipeline

    return make_pipeline(CSP(n_components=4, log=True), LinearDiscriminantAnalysis())


def _riemann_lr():
    from pyriemann.estimation import Covariances
    from pyriemann.tangentspace import TangentSpace
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        Covariances(estimator="oas"), TangentSpace(metric="riemann"), LogisticRegression()
    )


#: The non-spiking baselines, scored on the same folds as the cube.
BASELINES = {"csp_lda": _csp_lda, "riemann_lr": _riemann_lr}
#: What every row of the table is.
METHODS = {
    "neucube_<readout>": "TBR (alpha 0.5) -> cube on the 10 mm template, calibrated to the "
    "activity band, NeuCube STDP (one pass, bounded) -> readout",
    "neucube_no_stdp_<readout>": "the same cube with STDP off",
    "neucube_preset_<readout>": "NeuCube's published operating point (threshold 0.5, no "
    "calibration, STDP rate 0.001 within +-2)",
    "spikes_only_<readout>": "the encoder's spikes alone, no reservoir",
    "<config>_desnn": "deSNN readout (mod 0.8, drift 0.005, k = 3)",
    "<config>_counts": "log spike counts per neuron -> logistic regression",
    "<config>_bins": "log spike counts per electrode group (per input neuron for "
    "spikes_only) in 4 time bins -> logistic regression, C by inner 5-fold CV",
    "neucube_tuned": "the cube whose parameters (by default band and STDP passes) a 3-fold "
    "search on each training fold chose (nested cross-validation; only with a grid)",
    "csp_lda": "no spikes: CSP (4 components, log variance) -> LDA",
    "riemann_lr": "no spikes: covariance (OAS) -> Riemannian tangent space -> logistic regression",
}


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


def _motor_fold(X, y, ch_names, sfreq, target, random_state, cube_params, tune_grid, train, test):
    """Score every row on one fold: the cube's rows and the baselines."""
    import mne

    from ..classifier import NeuCubeClassifier
    from ._rows import cube_rows

    def make_classifier(**params):
        return NeuCubeClassifier(
            ch_names,
            sfreq,
            target=target,
            random_state=random_state,
            **{**(cube_params or {}), **params},
        )

    pred, info = cube_rows(make_classifier, X[train], y[train], X[test], tune_grid=tune_grid)
    scores = {name: float(np.mean(p == y[test])) for name, p in pred.items()}
    for name, make in BASELINES.items():
        with mne.utils.use_log_level("warning"):  # MNE logs CSP's steps to stdout
            model = make().fit(X[train], y[train])
            scores[name] = float(model.score(X[test], y[test]))
    return scores, info


def evaluate_motor(
    data_dir: str | os.PathLike,
    *,
    subject: int = 1,
    runs: tuple[int, ...] = MOTOR_RUNS,
    n_splits: int = 5,
    n_repeats: int = 3,
    tmin: float = 0.0,
    tmax: float = 4.0,
    l_freq: float = 8.0,
    h_freq: float = 30.0,
    target: str = "auto",
    random_state: int = 0,
    cube_params: dict | None = None,
    tune_grid: dict | None = None,
    n_jobs: int = 1,
    scheduler: str | None = None,
) -> dict:
    """Cross-validate the cube and the baselines on executed left vs right fist.

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
    tmin, tmax : float
        Epoch window after each cue in seconds.
    l_freq, h_freq : float
        Causal band-pass in Hz, the same for every method.
    target : str
        Brian2 code-generation target of the cube.
    random_state : int
        Seed of the folds and of the cube.
    cube_params : dict | None
        Extra parameters of :class:`~models.classifier.NeuCubeClassifier`.
    tune_grid : dict | None
        A parameter grid: adds the ``neucube_tuned`` row, whose parameters a
        3-fold search on each training fold chooses (nested cross-validation).
    n_jobs : int
        Folds scored side by side on this machine (1: one after the other;
        -1: every core); the scores are the same.
    scheduler : str | None
        Score them on a Dask cluster instead: ``'local'`` or a scheduler's
        address (see :mod:`models._parallel`).

    Returns
    -------
    result : dict
        Accuracy per method (mean, sd, median, per fold), chance level, the
        data's shape and the provenance (versions, target, seed, seconds).
    """
    from sklearn.model_selection import RepeatedStratifiedKFold

    from .._parallel import run_parallel
    from ._rows import mean_config_info, row_names

    t_start = time.perf_counter()
    X, y, ch_names, sfreq = load_motor_epochs(
        data_dir, subject=subject, runs=runs, tmin=tmin, tmax=tmax, l_freq=l_freq, h_freq=h_freq
    )
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=random_state)
    scores = {name: [] for name in [*row_names(tuned=tune_grid is not None), *BASELINES]}
    infos = []

    splits = list(cv.split(X, y))
    common = (X, y, ch_names, sfreq, target, random_state, cube_params, tune_grid)
    folds = run_parallel(
        _motor_fold,
        [(*common, train, test) for train, test in splits],
        n_jobs=n_jobs,
        scheduler=scheduler,
        desc="folds",
        unit="fold",
    )
    for fold_scores, info in folds:
        infos.append(info)
        for name, score in fold_scores.items():
            scores[name].append(score)
    info = infos[-1] if infos else {}
    classes, counts = np.unique(y, return_counts=True)
    result = {
        "task": "motor",
        "data": f"EEGMMIDB S{subject:03d} runs {', '.join(map(str, runs))}: executed left vs "
        f"right fist, {tmin:g}-{tmax:g} s epochs",
        "n_epochs": int(len(y)),
        "classes": {str(c): int(n) for c, n in zip(classes, counts)},
        "n_channels": len(ch_names),
        "sfreq": float(sfreq),
        "band_hz": [l_freq, h_freq],
        "cv": f"{n_repeats}x repeated stratified {n_splits}-fold",
        "chance": float(counts.max() / counts.sum()),
        "methods": dict(METHODS),
        "accuracy": {name: summarize_accuracy(s) for name, s in scores.items()},
        "operating_point": mean_config_info(infos),
        "tuned_params": [i["tuned_params"] for i in infos if "tuned_params" in i],
        "cube": info.get("cube"),
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
