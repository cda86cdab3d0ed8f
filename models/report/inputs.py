"""What a report is made of: the recordings, the conditions compared and the metrics."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import logger

SEIZURE_DESCRIPTION = "seizure"


class ReportError(ValueError):
    """The report cannot be made from the inputs given (the message says why)."""


def _recording_files(data):
    """Return the recording ``data`` names, or the EEG files in the folder it names."""
    from acquisition import SUPPORTED_EXTENSIONS

    path = Path(data)
    if not path.exists():
        raise FileNotFoundError(
            f"--data not found: {path}. Pass an EEG recording or a folder of them."
        )
    if path.is_file():
        return [path]
    exts = tuple(SUPPORTED_EXTENSIONS)
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(exts))
    if not files:
        raise FileNotFoundError(
            f"No EEG recording in {path} (looked for {', '.join(exts)} files, in subfolders too)."
        )
    return files


def _find_recording(files, prefer):
    """Read the first of ``files`` whose annotation descriptions satisfy ``prefer``."""
    from acquisition import read_raw

    first = None
    for f in files[:50]:
        raw = read_raw(f)
        if first is None:
            first = (f, raw)
        if len(files) == 1 or prefer({str(d).strip().lower() for d in raw.annotations.description}):
            return f, raw
    logger.info(
        "None of %d recordings has the annotations looked for; using %s", len(files), first[0]
    )
    return first


@dataclass
class Condition:
    """Samples of one condition: ``X`` (n, channels, times) and their onsets (s)."""

    name: str
    X: np.ndarray
    onsets: np.ndarray


def _spread(index, n):
    """At most ``n`` entries of ``index`` spread evenly over it."""
    index = np.asarray(index)
    if len(index) <= n:
        return index
    return index[np.unique(np.round(np.linspace(0, len(index) - 1, n)).astype(int))]


def _seizure_conditions(det, raw, n):
    from ..seizure.events import events_from_annotations

    data, _ = det.prepare(raw)
    win, times, _ = det.windows(data)
    events = events_from_annotations(raw, description=SEIZURE_DESCRIPTION)
    how = ""
    if events:
        ev = events[0]
        before = np.flatnonzero(times + det.window <= ev.onset + 1e-9)[-n:]
        during = np.flatnonzero((times >= ev.onset - 1e-9) & (times + det.window <= ev.end + 1e-9))
        during = _spread(during, n)
        if len(before) and len(during):
            how = (
                f"the {len(before)} window(s) just before the annotated seizure "
                f"({ev.onset:g}–{ev.end:g} s) and {len(during)} spread over it"
            )
            return [
                Condition("before seizure", win[before], times[before]),
                Condition("during seizure", win[during], times[during]),
            ], how
    pick = _spread(np.arange(len(win)), 60)
    proba = det.predict_proba_windows(win[pick])
    pos, neg = pick[proba >= det.threshold], pick[proba < det.threshold]
    conds = []
    if len(neg):
        neg = _spread(neg, n)
        conds.append(Condition("no seizure predicted", win[neg], times[neg]))
    if len(pos):
        pos = _spread(pos, n)
        conds.append(Condition("seizure predicted", win[pos], times[pos]))
    how = (
        f"no annotated seizure with windows before and during it: {len(pick)} windows spread "
        f"over the recording, split by the model's own call (threshold {det.threshold:g})"
    )
    return conds, how


def _uci_folders(data):
    """Return the UCI EEG subject folders ``data`` names, or None if it names none."""
    from acquisition import find_uci_subjects

    path = Path(data)
    if not path.is_dir():
        return None
    try:
        return find_uci_subjects(path)
    except (FileNotFoundError, ValueError):
        return None


def _uci_conditions(clf, folders, n):
    """Familiar and unfamiliar trials of UCI subject folders, as conditions."""
    from acquisition import read_uci_epochs

    X, y, groups, ch_names, sfreq = read_uci_epochs(folders)
    if list(ch_names) != list(clf.ch_names) or abs(sfreq - float(clf.sfreq)) > 1e-6:
        raise ReportError(
            f"The trials in {folders[0].parent} have other channels or another rate than the "
            "model was trained on."
        )
    X = X * 1e6  # µV, as the classifier was trained
    crop = getattr(clf, "_crop", None)  # a FamiliarityClassifier sees only its window
    if crop is not None:
        X = crop(X)[0]
    conds = []
    for label in ("familiar", "unfamiliar"):
        idx = _spread(np.flatnonzero(y == label), n)
        conds.append(Condition(label, X[idx], idx.astype(float)))
    how = (
        f"UCI EEG trials of {len(set(groups))} subject(s): 'familiar' (S2 match) and "
        f"'unfamiliar' (S2 nomatch), as the classifier sees them"
    )
    return conds, how


def _classifier_conditions(clf, raw, n, names, epoch, l_freq, h_freq, notch):
    from acquisition import OnlineFilter, annotation_onsets, resample

    fname = raw.filenames[0] if raw.filenames and raw.filenames[0] else "the recording"
    ch_names = list(clf.ch_names)
    missing = [c for c in ch_names if c not in raw.ch_names]
    if missing:
        raise ReportError(
            f"{fname} lacks {len(missing)} of the model's {len(ch_names)} channels: {missing}. "
            "Pass a recording with the channels the classifier was trained on."
        )
    raw = raw.copy().pick(ch_names)
    sfreq = float(clf.sfreq)
    if abs(raw.info["sfreq"] - sfreq) > 1e-6:
        logger.warning(
            "%s is sampled at %g Hz; resampled to the model's %g Hz.",
            fname,
            raw.info["sfreq"],
            sfreq,
        )
        raw = resample(raw, new_sfreq=sfreq)
    data = raw.get_data(units="uV")
    data = OnlineFilter(sfreq, l_freq=l_freq, h_freq=h_freq, notch=notch).filter(data)
    n_times = int(round(epoch * sfreq))
    if n_times < 2 or n_times > data.shape[1]:
        raise ReportError(
            f"epoch={epoch:g} s does not fit: the recording is {data.shape[1] / sfreq:.1f} s long."
        )
    onsets = {}
    for start, desc in annotation_onsets(raw):  # bad/edge annotations left out
        if 0 <= start and start + n_times <= data.shape[1]:
            onsets.setdefault(desc, []).append(start)
    if names:
        unknown = [c for c in names if c not in onsets]
        if unknown:
            raise ReportError(
                f"--conditions {unknown} not among the annotations of {fname} with a whole "
                f"{epoch:g} s epoch: {sorted(onsets)}."
            )
        chosen = list(names)
    else:
        chosen = sorted(onsets, key=lambda d: (-len(onsets[d]), d))[:2]
    conds = []
    for name in chosen:
        starts = _spread(np.array(onsets[name]), n)
        X = np.stack([data[:, s : s + n_times] for s in starts])
        conds.append(Condition(name, X, starts / sfreq))
    how = ""
    if len(conds) == 1 and not names:
        # one kind of annotation: compare it with the EEG just before its first onset
        first = min(onsets[chosen[0]])
        starts = np.arange(first - n_times, -1, -n_times)[:n][::-1]
        if len(starts):
            X = np.stack([data[:, s : s + n_times] for s in starts])
            conds.insert(0, Condition(f"before {chosen[0]}", X, starts / sfreq))
            how = f"; '{conds[0].name}': the {len(starts)} epoch(s) just before its first onset"
    if conds:
        how = (
            f"{epoch:g} s epochs from the onsets of the annotations "
            + " and ".join(f"'{c}'" for c in chosen)
            + how
            + f", band-pass {l_freq}–{h_freq} Hz (causal)"
        )
        return conds, how
    starts = np.arange(0, data.shape[1] - n_times + 1, n_times)[:n]
    X = np.stack([data[:, s : s + n_times] for s in starts])
    return [Condition("recording", X, starts / sfreq)], (
        f"the first {len(starts)} consecutive {epoch:g} s epochs (no annotations to compare)"
    )


def _load_metrics(metrics):
    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return metrics
    path = Path(metrics)
    if not path.is_file():
        raise FileNotFoundError(f"--metrics file not found: {path}.")
    try:
        result = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise ReportError(
            f"--metrics {path} is not JSON ({err}). Pass the output of "
            "`neucube evaluate ... --json`."
        ) from err
    if not isinstance(result, dict):
        raise ReportError(
            f"--metrics {path} holds a JSON {type(result).__name__}, not an object "
            "as `neucube evaluate ... --json` writes."
        )
    return result
