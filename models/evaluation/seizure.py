"""Seizure detection evaluated on real EEG, the cube against a classic baseline.

Leave-one-seizure-out on CHB-MIT chb01: seven seizures (four EDF excerpts,
each with the 10 s before the seizure, and three shorter excerpts of 10 s
before onset plus 10 s from onset + 10 s). For each seizure a detector is
trained on the other six and run over the held-out excerpt; SzCORE event
scoring (``timescoring``) says whether it was found and how many false alarms
it raised, and the latency from the annotated onset to the first alert (the
end of the first window of a detected event, when a live alert could fire) is
measured beside it.

False alarms on EEG without seizures: a detector trained on all seven
seizures runs over the 25 minutes of EEGMMIDB S001 (another person, awake,
64 channels at 160 Hz), re-referenced into the CHB-MIT bipolar montage (3 of
its 23 channels need electrodes EEGMMIDB lacks: the detector's degraded mode)
and resampled to 256 Hz.

Both methods (the cube and the line-length/band-power baseline) share the
windows, filters, thresholds and event rules, and run on the same folds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import logger
from ..seizure.detector import NEUCUBE_DETECTOR_PRESET

if TYPE_CHECKING:
    import mne

NPY_RECORDS = ("chb01_18", "chb01_21", "chb01_26")

#: The detectors compared, by row name: detector parameters over the defaults.
METHODS = {
    "neucube_bins": {"method": "neucube"},
    "neucube_absolute_bins": {"method": "neucube", "background": None},
    "neucube_no_stdp_bins": {"method": "neucube", "n_passes": 0},
    "neucube_preset_counts": {"method": "neucube", **NEUCUBE_DETECTOR_PRESET, "readout": "counts"},
    "features": {"method": "features"},
}
#: What each row is.
METHOD_DOCS = {
    "neucube_bins": "the default cube: input scaled by the recording's background (0.1 "
    "quantile of the 1 s line lengths of the last 300 s), TBR, cube calibrated to the activity band, bounded STDP, "
    "time-binned counts per electrode group -> logistic regression (C by inner CV)",
    "neucube_absolute_bins": "the same, with absolute input amplitudes (no background scaling)",
    "neucube_no_stdp_bins": "the default cube with STDP off",
    "neucube_preset_counts": "NeuCube's operating point (threshold 0.5, STDP within +-2), "
    "absolute amplitudes, log spike counts -> logistic regression",
    "features": "no spikes: per channel log line length and log delta/theta/alpha/beta power "
    "-> logistic regression (C 0.1, balanced)",
}


def load_chbmit_seizures(data_dir: str | os.PathLike) -> list[tuple[str, mne.io.BaseRaw]]:
    """Load the chb01 seizure excerpts as annotated recordings.

    Parameters
    ----------
    data_dir : path-like
        Folder with ``edf/*.edf`` (seizure annotated as ``seizure``) and
        ``windows_npy/*_preictal10s.npy`` / ``*_ictal_onset+10to+20s.npy``.

    Returns
    -------
    records : list of (str, mne.io.Raw)
        Name and recording; the NumPy excerpts become a 20 s recording
        (10 s before onset, then onset + 10 s … + 20 s) whose ``seizure``
        annotation starts at 10 s, so their latency counts from onset + 10 s.
    """
    import mne

    from acquisition import CHBMIT_BIPOLAR, bipolar_names, read_raw

    data_dir = Path(data_dir)
    edfs = sorted((data_dir / "edf").glob("*.edf"))
    if not edfs:
        raise FileNotFoundError(
            f"No CHB-MIT EDF excerpts in {data_dir / 'edf'}. Pass --data the chbmit folder "
            "(holding edf/ and windows_npy/)."
        )
    records = [(p.stem.split("_")[0] + "_" + p.stem.split("_")[1], read_raw(p)) for p in edfs]
    ch_names = bipolar_names(CHBMIT_BIPOLAR)
    have = {name for name, _ in records}
    for name in NPY_RECORDS:
        if name in have:  # a whole excerpt (a fetched case) supersedes the arrays
            continue
        pre = data_dir / "windows_npy" / f"{name}_preictal10s.npy"
        ictal = data_dir / "windows_npy" / f"{name}_ictal_onset+10to+20s.npy"
        if not (pre.is_file() and ictal.is_file()):
            logger.warning("%s: no excerpt arrays in %s; left out.", name, pre.parent)
            continue
        a, b = np.load(pre), np.load(ictal)
        info = mne.create_info(ch_names, 256.0, "eeg")
        raw = mne.io.RawArray(np.hstack([a, b]) * 1e-6, info, verbose="error")
        onset = a.shape[1] / 256.0
        raw.set_annotations(mne.Annotations([onset], [b.shape[1] / 256.0], ["seizure"]))
        records.append((name + " (+10 s)", raw))
    return records


def load_background(data_dir: str | os.PathLike) -> list[tuple[str, mne.io.BaseRaw]]:
    """Load EEGMMIDB runs re-referenced into the CHB-MIT montage.

    Parameters
    ----------
    data_dir : path-like
        Folder with ``S001R*.edf``.

    Returns
    -------
    records : list of (str, mne.io.Raw)
        One bipolar recording per run (160 Hz; the detector resamples).
    """
    from acquisition import read_raw, to_bipolar

    files = sorted(Path(data_dir).glob("S*R*.edf"))
    if not files:
        raise FileNotFoundError(f"No EEGMMIDB runs (S001R01.edf ...) in {data_dir}.")
    return [(p.stem, to_bipolar(read_raw(p), on_missing="warn")) for p in files]


def _call(func, args):
    return func(*args)


def _held_out(params, records, i, extra):
    """Train on every seizure but the i-th (and ``extra``); score the i-th."""
    from ..seizure.detector import SeizureDetector
    from ..seizure.events import events_from_annotations
    from ..seizure.scoring import score_events

    name, raw = records[i]
    train = [r for j, (_, r) in enumerate(records) if j != i]
    det = SeizureDetector(**params).fit(train + list(extra))
    found = det.detect(raw)
    ref = events_from_annotations(raw, description="seizure")
    # An alert exists once its first window is complete: latency counts to then.
    score = score_events(ref, found.events, found.duration, alert_delay=det.window)
    onset = ref[0].onset
    latency = score.per_event[0].latency if score.per_event else None
    pre = found.proba[found.times + det.window <= onset]
    per = {
        "seizure": name,
        "detected": bool(score.per_event[0].detected) if score.per_event else False,
        "latency_s": None if latency is None else round(latency, 2),
        "alerts": len(found.events),
        "false_alarms": int(score.false_positives),
        "preictal_windows_over_threshold": int(np.sum(pre > det.threshold)),
        "preictal_windows": int(len(pre)),
        "max_seizure_proba": round(float(found.proba.max()), 3),
    }
    logger.info("%s: %s", name, per)
    point = getattr(getattr(det, "classifier_", None), "fit_summary_", None)
    return per, score, point


def _false_alarms(params, records, train_bg, test_bg):
    """Train on every seizure (and ``train_bg``); count alerts on ``test_bg``."""
    from ..seizure.detector import SeizureDetector

    det = SeizureDetector(**params).fit([r for _, r in records] + [r for _, r in train_bg])
    fa, seconds, runs, missing = 0, 0.0, [], []
    for name, raw in test_bg:
        found = det.detect(raw)
        fa += len(found.events)
        seconds += found.duration
        missing = found.missing
        runs.append({"run": name, "false_alarms": len(found.events)})
    return {"false_alarms": fa, "seconds": seconds, "per_run": runs, "missing": missing}


def evaluate_seizure(
    chbmit_dir: str | os.PathLike,
    background_dir: str | os.PathLike | None = None,
    *,
    methods: tuple[str, ...] = tuple(METHODS),
    background_training: bool = False,
    target: str = "auto",
    random_state: int = 0,
    detector_params: dict | None = None,
    n_jobs: int = 1,
    scheduler: str | None = None,
) -> dict:
    """Leave-one-seizure-out on chb01 and false alarms on seizure-free EEG.

    Parameters
    ----------
    chbmit_dir : path-like
        The chb01 folder (see :func:`load_chbmit_seizures`).
    background_dir : path-like | None
        EEGMMIDB folder for false alarms on seizure-free EEG; None skips it.
    methods : tuple of str
        Detectors to compare, names of :data:`METHODS`.
    background_training : bool
        ``False`` (default): train on chb01 alone (patient-specific, 70 s of
        non-seizure EEG). ``True``: also train on seizure-free background,
        cross-fitted: the background runs are split in two halves (odd and
        even runs); every model trains on one half and false alarms are
        counted on the other, so no minute is tested by a model that saw it.
        The leave-one-seizure-out folds train with the odd half.
    target : str
        Brian2 code-generation target.
    random_state : int
        Seed of the cube.
    detector_params : dict | None
        Further :class:`~models.seizure.detector.SeizureDetector` parameters.
    n_jobs : int
        Folds fitted side by side on this machine (1: one after the other;
        -1: every core); the results are the same.
    scheduler : str | None
        Fit them on a Dask cluster instead: ``'local'`` or a scheduler's
        address (see :mod:`models._parallel`).

    Returns
    -------
    result : dict
        Per method: per-seizure detection and latency, SzCORE event scores
        summed over the held-out excerpts, false alarms per hour on the
        background, and the hours used; plus provenance.
    """
    from .._parallel import run_parallel
    from ..seizure.detector import SeizureDetector
    from ..seizure.scoring import summarize_scores

    t_start = time.perf_counter()
    records = load_chbmit_seizures(chbmit_dir)
    background = load_background(background_dir) if background_dir else []
    params = dict(target=target, random_state=random_state, **(detector_params or {}))
    n_short = sum(name.endswith("(+10 s)") for name, _ in records)
    out = {
        "task": "seizure",
        "data": f"CHB-MIT {records[0][0].split('_')[0]}: {len(records)} seizures "
        f"({len(records) - n_short} EDF excerpts, {n_short} short excerpts); "
        + (
            f"{len(background)} runs of EEGMMIDB as seizure-free EEG"
            if background
            else "no background"
        ),
        "methods": {},
    }
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"Unknown methods {unknown}; choose among {sorted(METHODS)}.")
    halves = (background[0::2], background[1::2])
    extra = [r for _, r in halves[0]] if background_training else []
    if background_training:
        plans = [(halves[0], halves[1]), (halves[1], halves[0])]
    else:
        plans = [((), background)]
    # Every fold and every background plan of every method is independent.
    folds = [(method, i) for method in methods for i in range(len(records))]
    bg_tasks = [(method, k) for method in methods for k in range(len(plans))] if background else []
    tasks = [
        *((_held_out, ({**params, **METHODS[m]}, records, i, extra)) for m, i in folds),
        *((_false_alarms, ({**params, **METHODS[m]}, records, *plans[k])) for m, k in bg_tasks),
    ]
    results = run_parallel(
        _call, tasks, n_jobs=n_jobs, scheduler=scheduler, desc="seizure folds", unit="fit"
    )
    held_out = dict(zip(folds, results[: len(folds)]))
    on_background = dict(zip(bg_tasks, results[len(folds) :]))
    for method in methods:
        per = [held_out[method, i][0] for i in range(len(records))]
        scores = [held_out[method, i][1] for i in range(len(records))]
        point = held_out[method, len(records) - 1][2]
        summary = summarize_scores(scores)
        entry = {
            "per_seizure": per,
            "seizures_detected": int(sum(p["detected"] for p in per)),
            "seizures": len(per),
            "sensitivity": float(np.mean([p["detected"] for p in per])),
            "median_latency_s": (
                float(np.median([p["latency_s"] for p in per if p["latency_s"] is not None]))
                if any(p["latency_s"] is not None for p in per)
                else None
            ),
            "szcore_excerpts": summary,
        }
        if background:
            parts = [on_background[method, k] for k in range(len(plans))]
            fa = sum(part["false_alarms"] for part in parts)
            seconds = sum(part["seconds"] for part in parts)
            runs = [run for part in parts for run in part["per_run"]]
            entry["background"] = {
                "hours": round(seconds / 3600, 3),
                "false_alarms": fa,
                "false_alarms_per_hour": round(fa / (seconds / 3600), 2),
                "missing_channels": parts[-1]["missing"],
                "per_run": sorted(runs, key=lambda r: r["run"]),
            }
        entry["description"] = METHOD_DOCS[method]
        if point is not None:
            entry["operating_point"] = {k: round(float(v), 5) for k, v in point.items()}
        out["methods"][method] = entry
    out["background_training"] = (
        "cross-fitted halves of the background runs"
        if background_training and background
        else "none"
    )
    from importlib.metadata import version

    out["detector"] = {
        k: v for k, v in SeizureDetector(**params).get_params().items() if k != "ch_names"
    }
    out["versions"] = {d: version(d) for d in ("neucube-eeg", "brian2", "numpy", "timescoring")}
    out["wall_s"] = round(time.perf_counter() - t_start, 1)
    return out


def record_background(
    model: str | os.PathLike | None,
    background_dir: str | os.PathLike,
    out: str | os.PathLike,
    *,
    overwrite: bool = False,
) -> Path:
    """Run a seizure model over seizure-free EEG and save it with what it gave there.

    The window probabilities are kept in the model file's ``evaluation``
    section (:mod:`models.seizure.thresholds`), so that the review window can
    say how many false alarms per hour any threshold, minimum duration and
    merge gap raise on that EEG, without running the cube again. The model is
    otherwise written unchanged; files without the section load as before.

    Parameters
    ----------
    model : path-like | None
        The seizure model file (None: the shipped one).
    background_dir : path-like
        Folder of seizure-free EEGMMIDB runs (see :func:`load_background`).
    out : path-like
        The model file to write; never the model read.
    overwrite : bool
        Whether an existing ``out`` may be replaced.

    Returns
    -------
    out : pathlib.Path
        The file written.
    """
    from .._files import same_file
    from ..io import read_model
    from ..seizure.thresholds import background_probabilities, save_with_background

    loaded = read_model(model)
    if loaded.kind != "seizure":
        raise ValueError(f"{loaded.path} holds a {loaded.description}, not a seizure detector.")
    if loaded.path is not None and same_file(out, loaded.path):
        raise ValueError(
            f"{out} is the model read; the model with its evaluation is written to another file."
        )
    runs = load_background(background_dir)
    names = ", ".join(name for name, _ in runs)
    background = background_probabilities(
        loaded.model, runs, source=f"EEGMMIDB {names} ({Path(background_dir).name})"
    )
    logger.info(
        "%s: %.2f h of seizure-free EEG recorded for its evaluation.", out, background.hours
    )
    return save_with_background(loaded.model, background, out, overwrite=overwrite)
