"""Familiarity evaluation: the cube against ERP baselines, on the same folds.

:func:`evaluate_familiarity` measures :class:`~models.trials.familiarity.FamiliarityClassifier`
against :func:`~models.trials.erp.make_erp_lda` (down-sampled ERP amplitudes
-> shrinkage LDA) and xDAWN covariances in the Riemannian tangent space, within
subjects and across subjects, on the same folds in the same run.
"""

from __future__ import annotations

import numbers
import os
import time

import numpy as np

from .. import logger
from ..trials._window import window_slice as _window_slice
from ..trials.erp import make_erp_lda
from ..trials.familiarity import FamiliarityClassifier
from ._rows import cube_rows, mean_config_info, row_names
from .summary import summarize_accuracy

__all__ = ["METHODS", "evaluate_familiarity"]


def _xdawn_riemann_lr():
    from pyriemann.estimation import XdawnCovariances
    from pyriemann.tangentspace import TangentSpace
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        XdawnCovariances(nfilter=4, estimator="oas", xdawn_estimator="oas"),
        TangentSpace(metric="riemann"),
        LogisticRegression(),
    )


#: The cube's rows, then the non-spiking baselines, scored on the same folds.
METHODS = {name: name for name in row_names()}
METHODS.update(
    {
        "neucube_desnn": "FamiliarityClassifier: TBR (alpha 0.5) -> cube calibrated to the "
        "activity band, NeuCube STDP (one pass, bounded) -> deSNN readout (mod 0.8, drift "
        "0.005, k = 3)",
        "neucube_counts": "the same cube, log spike counts per neuron -> logistic regression",
        "neucube_bins": "the same cube, log spike counts per electrode group in 4 time bins -> "
        "logistic regression, C by inner 5-fold CV",
        "erp_lda": "no spikes: ERP amplitudes (window mean removed, 8-sample bins: 32 Hz) -> "
        "shrinkage LDA (solver 'lsqr', shrinkage 'auto')",
        "xdawn_riemann_lr": "no spikes: xDAWN covariances (4 filters per class, OAS) -> "
        "Riemannian tangent space -> logistic regression",
    }
)
BASELINES = ("erp_lda", "xdawn_riemann_lr")
#: The row a ``tune_grid`` adds.
TUNED = (
    "the FamiliarityClassifier whose parameters a 3-fold search on each training fold chose "
    "(nested cross-validation)"
)


def _chance_95(n_test, p=0.5):
    """Accuracy a coin flip exceeds with probability 5 % on ``n_test`` trials."""
    from scipy.stats import binom

    return round(float(binom.ppf(0.95, n_test, p) / n_test), 4)


def _lowpass_epochs(X, sfreq, h_freq):
    """Causal low-pass of each epoch from its first sample (steady-state start)."""
    from acquisition import OnlineFilter

    out = np.empty_like(X)
    for i, epoch in enumerate(X):
        out[i] = OnlineFilter(sfreq, l_freq=None, h_freq=h_freq).filter(epoch)
    return out


def _predict_fold(
    X, y, train, test, *, ch_names, sfreq, window, target, random_state, cube_params, tune_grid=None
):
    """Fit every method on ``train``; return each one's predictions on ``test``."""
    tmin, tmax = window

    def make_classifier(**params):
        return FamiliarityClassifier(
            ch_names,
            sfreq,
            tmin=tmin,
            tmax=tmax,
            target=target,
            random_state=random_state,
            **{**(cube_params or {}), **params},
        )

    pred, info = cube_rows(make_classifier, X[train], y[train], X[test], tune_grid=tune_grid)
    erp = make_erp_lda(sfreq, tmin=tmin, tmax=tmax).fit(X[train], y[train])
    pred["erp_lda"] = erp.predict(X[test])
    sl = _window_slice(X.shape[2], sfreq, tmin, tmax, 0.0, "evaluate_familiarity")
    riemann = _xdawn_riemann_lr().fit(X[train][..., sl], y[train])
    pred["xdawn_riemann_lr"] = riemann.predict(X[test][..., sl])
    return pred, info


def _predict_fold_kw(X, y, train, test, kw):
    return _predict_fold(X, y, train, test, **kw)


def evaluate_familiarity(
    folders: str | os.PathLike | list[str | os.PathLike],
    *,
    n_splits: int = 5,
    n_repeats: int = 1,
    across_splits: int | None = 5,
    tmin: float = 0.0,
    tmax: float = 0.6,
    h_freq: float | None = None,
    target: str = "auto",
    random_state: int = 0,
    cube_params: dict | None = None,
    on_bad: str = "raise",
    tune_grid: dict | None = None,
    n_jobs: int = 1,
    scheduler: str | None = None,
) -> dict:
    """Familiar vs unfamiliar S2 trials: cube against an ERP baseline, same folds.

    Two cross-validations in one run, every method fitted on the same training
    trials and scored on the same test trials of every fold:

    - **within subject**: each subject's S2 trials alone, repeated stratified
      K-fold; a subject's accuracy is the mean over its folds; reported as
      mean ± sd over subjects;
    - **across subjects**: train on some subjects, test on the others
      (leave one subject out, or :class:`~sklearn.model_selection.GroupKFold`);
      reported as mean ± sd over the held-out subjects (and per fold).

    Methods (:data:`METHODS`): the cube rows of :mod:`models.evaluation._rows`
    (:class:`FamiliarityClassifier` with and without STDP and at NeuCube's
    preset, and the encoder's spikes alone, each read out three ways), then
    ``erp_lda`` (:func:`make_erp_lda`) and ``xdawn_riemann_lr`` (xDAWN
    covariances, tangent space, logistic regression), both without spikes.

    With the defaults, the 14 subjects of the training excerpt (280 S2 trials)
    take about 3.5 minutes on 2 cores with the Cython target: 70
    within-subject folds and 5 across-subject folds, one cube per fold.

    Parameters
    ----------
    folders : path-like | list of path-like
        UCI subject folders (``co2a0000364``, ...), or one folder holding them.
    n_splits, n_repeats : int
        Within-subject repeated stratified K-fold (K is lowered to the
        smallest class count of a subject when that is smaller, logged). The
        default, 5-fold once, tests each trial once: 70 folds for 14 subjects.
    across_splits : int | None
        Across subjects, :class:`~sklearn.model_selection.GroupKFold` with
        this many folds of held-out subjects (default 5: with 14 subjects,
        2-3 held out per fold); ``None``, or at least the number of subjects,
        leaves one subject out at a time (about 3x longer: each fold trains
        the cube on all other subjects).
    tmin, tmax : float
        Window after the stimulus onset in seconds, for every method.
    h_freq : float | None
        Causal low-pass (Butterworth, order 4, started in steady state at
        each trial's first sample) applied to every trial before any method;
        ``None`` (default) uses the trials as distributed.
    target : str
        Brian2 code-generation target of the cube (``'auto'``: Cython when a
        compiler is there).
    random_state : int
        Seed of the folds and of the cube.
    cube_params : dict | None
        Further parameters of :class:`FamiliarityClassifier` (e.g. ``alpha``,
        ``mod``, ``drift``).
    on_bad : ``'raise'`` | ``'warn'``
        What a damaged trial file does (see ``acquisition.read_uci_epochs``).
    tune_grid : dict | None
        A parameter grid (see :func:`models.tuning.tune`): adds the
        ``neucube_tuned`` row, whose parameters a 3-fold search on each
        training fold chooses (nested cross-validation).
    n_jobs : int
        Folds fitted side by side on this machine (1: one after the other;
        -1: every core); the scores are the same.
    scheduler : str | None
        Fit them on a Dask cluster instead: ``'local'`` or a scheduler's
        address (see :mod:`models._parallel`).

    Returns
    -------
    result : dict
        JSON-able: the data (subjects, trials per class overall and per
        subject, channels, rate, window), ``chance`` (majority class) and
        ``chance_95`` (the accuracy guessing exceeds with 5 % probability on
        the pooled test trials), then for ``within_subject`` and
        ``across_subject`` the scheme, the accuracy of each method (mean, sd,
        median, per subject; per fold across subjects) and ``folds``: one
        record per fold with its subject(s), test trials (indices into the
        epochs in reading order) and every method's score on them. Then
        ``cube`` (the :class:`FamiliarityClassifier` parameters used),
        ``spikes_per_epoch`` (mean reservoir spikes per test trial), the
        Brian2 target used, versions, seed, requested target and wall time
        (in all and per part).
    """
    import mne
    import sklearn
    from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, RepeatedStratifiedKFold

    from acquisition import find_uci_subjects, read_uci_epochs

    from .._parallel import run_parallel

    for name, value, low in (
        ("n_splits", n_splits, 2),
        ("n_repeats", n_repeats, 1),
        ("across_splits", across_splits, 2),
    ):
        if name == "across_splits" and value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    t_start = time.perf_counter()
    subject_folders = find_uci_subjects(folders)
    X, y, groups, ch_names, sfreq = read_uci_epochs(subject_folders, on_bad=on_bad)
    X = X * 1e6  # µV, as in the files
    if h_freq is not None:
        X = _lowpass_epochs(X, sfreq, h_freq)
    window = (float(tmin), None if tmax is None else float(tmax))
    _window_slice(X.shape[2], sfreq, window[0], window[1], 0.0, "evaluate_familiarity")
    subjects = list(dict.fromkeys(groups))
    kw = dict(
        ch_names=ch_names,
        sfreq=sfreq,
        window=window,
        target=target,
        random_state=random_state,
        cube_params=cube_params,
        tune_grid=tune_grid,
    )
    methods = dict(METHODS)
    if tune_grid is not None:
        methods["neucube_tuned"] = TUNED
    t_read = time.perf_counter() - t_start

    # -- within subject ---------------------------------------------------------
    within_folds, per_subject, info, infos = [], {m: [] for m in methods}, {}, []
    spikes = []  # (reservoir spikes, test trials) of each fold
    plan = []
    for subject in subjects:
        idx = np.flatnonzero(groups == subject)
        _, counts = np.unique(y[idx], return_counts=True)
        if len(counts) < 2:
            raise ValueError(f"Subject {subject} has trials of one class only ({set(y[idx])}).")
        k = min(n_splits, int(counts.min()))
        if k < 2:
            raise ValueError(
                f"Subject {subject} has {int(counts.min())} trial(s) of a class: too few to "
                "cross-validate within the subject."
            )
        if k < n_splits:
            logger.info(
                "Subject %s: %d-fold instead of %d (smallest class: %d trials).",
                subject,
                k,
                n_splits,
                int(counts.min()),
            )
        cv = RepeatedStratifiedKFold(n_splits=k, n_repeats=n_repeats, random_state=random_state)
        for fold, (tr, te) in enumerate(cv.split(idx, y[idx])):
            plan.append((subject, fold // k, fold % k, idx[tr], idx[te]))
    t0 = time.perf_counter()
    fitted = run_parallel(
        _predict_fold_kw,
        [(X, y, train, test, kw) for *_, train, test in plan],
        n_jobs=n_jobs,
        scheduler=scheduler,
        desc="within-subject folds",
        unit="fold",
    )
    for (subject, repeat, fold, _, test), (pred, info) in zip(plan, fitted):
        infos.append(info)
        spikes.append(info.get("spikes", (0, 0)))
        within_folds.append(
            {
                "subject": str(subject),
                "repeat": repeat,
                "fold": fold,
                "test": [int(i) for i in test],
                "scores": {m: round(float(np.mean(pred[m] == y[test])), 4) for m in methods},
            }
        )
    for subject in subjects:
        mine = [f for f in within_folds if f["subject"] == subject]
        for m in methods:
            per_subject[m].append(np.mean([f["scores"][m] for f in mine]))
    t_within = time.perf_counter() - t0

    # -- across subjects --------------------------------------------------------
    if across_splits is None or int(across_splits) >= len(subjects):
        across_cv, scheme = LeaveOneGroupOut(), "leave one subject out"
    else:
        across_cv = GroupKFold(n_splits=int(across_splits))
        scheme = f"GroupKFold, {int(across_splits)} folds of held-out subjects"
    across_folds = []
    held_out = {m: {} for m in methods}  # accuracy on each held-out subject
    t0 = time.perf_counter()
    if len(subjects) < 2:
        logger.warning("One subject only: no across-subject evaluation.")
    else:
        splits = list(across_cv.split(X, y, groups))
        fitted = run_parallel(
            _predict_fold_kw,
            [(X, y, train, test, kw) for train, test in splits],
            n_jobs=n_jobs,
            scheduler=scheduler,
            desc="across-subject folds",
            unit="fold",
        )
        for fold, ((_, test), (pred, info)) in enumerate(zip(splits, fitted)):
            infos.append(info)
            spikes.append(info.get("spikes", (0, 0)))
            test_subjects = list(dict.fromkeys(groups[test]))
            across_folds.append(
                {
                    "fold": fold,
                    "test_subjects": [str(s) for s in test_subjects],
                    "test": [int(i) for i in test],
                    "scores": {m: round(float(np.mean(pred[m] == y[test])), 4) for m in methods},
                }
            )
            for subject in test_subjects:
                mine = groups[test] == subject
                for m in methods:
                    held_out[m][str(subject)] = float(np.mean(pred[m][mine] == y[test][mine]))
    t_across = time.perf_counter() - t0

    classes, class_counts = np.unique(y, return_counts=True)
    per_subject_classes = {
        str(s): {str(c): int(np.sum((groups == s) & (y == c))) for c in classes} for s in subjects
    }
    n_within_test = sum(len(f["test"]) for f in within_folds if f["repeat"] == 0)
    result = {
        "task": "familiarity",
        "data": "UCI EEG Database (Begleiter), S2 trials: 'S2 match' (familiar) vs "
        "'S2 nomatch' (unfamiliar), 1 s after the second picture's onset",
        "subjects": [str(s) for s in subjects],
        "n_subjects": len(subjects),
        "n_epochs": int(len(y)),
        "classes": {str(c): int(n) for c, n in zip(classes, class_counts)},
        "classes_per_subject": per_subject_classes,
        "n_channels": len(ch_names),
        "sfreq": float(sfreq),
        "window_s": [window[0], window[1] if window[1] is not None else X.shape[2] / sfreq],
        "h_freq": h_freq,
        "methods": methods,
        "chance": round(float(class_counts.max() / class_counts.sum()), 4),
        "chance_95": {
            "within_subject": _chance_95(n_within_test) if n_within_test else None,
            "across_subject": _chance_95(int(len(y))),
        },
        "within_subject": {
            "cv": f"per subject, {n_repeats}x repeated stratified {n_splits}-fold; mean over a "
            "subject's folds, then mean +- sd over subjects",
            "n_folds": len(within_folds),
            "accuracy": {m: summarize_accuracy(per_subject[m], subjects) for m in methods},
            "folds": within_folds,
        },
        "across_subject": {
            "cv": scheme,
            "n_folds": len(across_folds),
            "accuracy": {
                m: {
                    **(
                        summarize_accuracy(list(held_out[m].values()), list(held_out[m]))
                        if held_out[m]
                        else {}
                    ),
                    "folds": [f["scores"][m] for f in across_folds],
                }
                for m in methods
            },
            "folds": across_folds,
        },
        "brian2_target": info.get("target"),
        "cube": info.get("cube"),
        "operating_point": mean_config_info(infos),
        "tuned_params": [i["tuned_params"] for i in infos if "tuned_params" in i],
        "spikes_per_epoch": round(sum(n for n, _ in spikes) / max(1, sum(k for _, k in spikes)), 1),
        "versions": {
            "brian2": info.get("brian2"),
            "numpy": info.get("numpy"),
            "neucube": info.get("neucube"),
            "mne": mne.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "seed": random_state,
        "target": target,
        "wall_s": round(time.perf_counter() - t_start, 1),
        "wall_s_parts": {
            "read": round(t_read, 1),
            "within_subject": round(t_within, 1),
            "across_subject": round(t_across, 1),
        },
    }
    logger.info("Familiarity evaluation done in %.1f s", result["wall_s"])
    return result
