"""Cut continuous EEG into windows and stimulus-locked epochs.

:func:`sliding_windows` cuts an array into overlapping windows (a view, no
copy) for continuous monitoring such as seizure detection.
:func:`make_epochs` cuts a recording around events, taken from its annotations
or from a list of markers, for trial-based tasks; it returns the arrays a
classifier wants and the :class:`mne.Epochs` they came from.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import (
    _capture_mne_warnings,
    _check_data_2d,
    _check_positive,
    _check_raw,
    _check_sfreq,
    _mne_messages,
    _raw_label,
    _use_log_level,
)
from ._logging import logger

if TYPE_CHECKING:
    import mne
    from numpy.typing import ArrayLike


# mne.Epochs.drop_log reasons, in words.
_REASONS = {
    "NO_DATA": "runs off the data",
    "TOO_SHORT": "runs off the data",
    "IGNORED": "not selected",
}


def _to_samples(seconds, sfreq, name):
    """Round a duration to whole samples, logging when that changes it."""
    n = int(round(seconds * sfreq))
    if n < 1:
        raise ValueError(
            f"{name}={seconds!r} s is shorter than one sample at sfreq={sfreq:g} Hz "
            f"({1 / sfreq:g} s). Use at least {1 / sfreq:g} s."
        )
    if not np.isclose(n, seconds * sfreq, rtol=0, atol=1e-6):
        logger.info(
            "%s=%g s is %g samples at %g Hz; rounded to %d samples (%g s).",
            name,
            seconds,
            seconds * sfreq,
            sfreq,
            n,
            n / sfreq,
        )
    return n


def sliding_windows(
    data: ArrayLike, sfreq: float, window: float = 2.0, hop: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Cut an array into windows of fixed length at a fixed hop.

    Parameters
    ----------
    data : array-like, shape (n_channels, n_times)
        Continuous data.
    sfreq : float
        Sampling frequency in Hz.
    window : float
        Window length in seconds; rounded to whole samples
        (``round(window * sfreq)``).
    hop : float
        Time between the starts of two windows in seconds; rounded to whole
        samples. ``hop < window`` gives overlapping windows, ``hop > window``
        leaves gaps.

    Returns
    -------
    windows : ndarray, shape (n_windows, n_channels, n_samples)
        Read-only view into ``data`` (no copy); ``windows.copy()`` gives a
        writable array. ``n_windows = 1 + (n_times - n_samples) // hop_samples``;
        samples after the last whole window are not used.
    onsets : ndarray, shape (n_windows,)
        Start time of each window in seconds from the first sample.

    Raises
    ------
    ValueError
        If ``data`` is not 2-D, ``window`` or ``hop`` is not positive or
        shorter than one sample, or ``window`` is longer than the data.

    Examples
    --------
    >>> windows, onsets = sliding_windows(np.arange(20.0).reshape(2, 10), 2.0, 2.0, 1.0)
    >>> windows.shape, onsets.tolist()
    ((4, 2, 4), [0.0, 1.0, 2.0, 3.0])
    """
    data = _check_data_2d(data)
    sfreq = _check_sfreq(sfreq)
    window = _check_positive(window, "window", unit=" s")
    hop = _check_positive(hop, "hop", unit=" s")
    n_win = _to_samples(window, sfreq, "window")
    n_hop = _to_samples(hop, sfreq, "hop")
    n_times = data.shape[1]
    if n_win > n_times:
        raise ValueError(
            f"window={window:g} s ({n_win} samples) is longer than the data "
            f"({n_times} samples = {n_times / sfreq:g} s at {sfreq:g} Hz). Use a shorter "
            f"window or more data."
        )
    view = sliding_window_view(data, n_win, axis=-1)[:, ::n_hop, :]  # (n_ch, n_windows, n_win)
    windows = view.transpose(1, 0, 2)
    onsets = np.arange(windows.shape[0]) * n_hop / sfreq
    unused = n_times - ((windows.shape[0] - 1) * n_hop + n_win)
    if unused:
        logger.debug("sliding_windows: the last %d sample(s) fill no whole window.", unused)
    return windows, onsets


def _check_markers(markers):
    """Return markers as lists (onsets, labels), validated."""
    if isinstance(markers, (str, bytes)) or not hasattr(markers, "__iter__"):
        raise TypeError(f"markers must be a list of (onset_seconds, label) pairs, got {markers!r}.")
    onsets, labels = [], []
    for i, item in enumerate(markers):
        try:
            onset, label = item
        except (TypeError, ValueError):
            raise ValueError(
                f"markers[{i}] must be an (onset_seconds, label) pair, got {item!r}."
            ) from None
        if isinstance(onset, bool) or not isinstance(onset, numbers.Real) or not np.isfinite(onset):
            raise ValueError(
                f"markers[{i}] has onset {onset!r}; expected a finite number of seconds "
                f"from the first sample of the recording."
            )
        if not isinstance(label, (str, numbers.Integral)) or isinstance(label, bool):
            raise TypeError(
                f"markers[{i}] has label {label!r} of type {type(label).__name__}; "
                f"expected a str or an int."
            )
        onsets.append(float(onset))
        labels.append(label)
    if not onsets:
        raise ValueError("markers is empty: give at least one (onset_seconds, label) pair.")
    return onsets, labels


def _events_from_markers(raw, markers, event_id):
    """Build an MNE events array from (onset, label) markers."""
    onsets, labels = _check_markers(markers)
    keys = [str(label) for label in labels]
    originals = {}
    for key, label in zip(keys, labels):
        if originals.setdefault(key, label) != label:
            raise ValueError(
                f"markers use both {originals[key]!r} and {label!r} as labels; they "
                f"cannot be told apart. Use one type of label."
            )
    if event_id is None:
        event_id = {key: code for code, key in enumerate(sorted(set(keys)), start=1)}
    unused = sorted(set(keys) - set(event_id))
    if unused:
        logger.info("make_epochs: markers with label(s) %s are not in event_id; left out.", unused)
    sfreq = raw.info["sfreq"]
    rows = [
        (int(round(onset * sfreq)) + raw.first_samp, 0, event_id[key])
        for onset, key in zip(onsets, keys)
        if key in event_id
    ]
    if not rows:
        raise ValueError(
            f"No marker has a label in event_id {sorted(event_id)}; the markers' labels "
            f"are {sorted(set(keys))}."
        )
    events = np.array(rows, dtype=int).reshape(-1, 3)
    events = events[np.argsort(events[:, 0], kind="stable")]
    return events, event_id, originals


def _normalize_event_id(event_id):
    if event_id is None or isinstance(event_id, dict):
        return event_id
    if isinstance(event_id, str):
        event_id = [event_id]
    try:
        names = list(event_id)
    except TypeError:
        raise TypeError(
            f"event_id must be None, a dict of label to int code, or a list of labels, "
            f"got {event_id!r}."
        ) from None
    return {str(name): code for code, name in enumerate(names, start=1)}


def annotation_onsets(raw) -> list[tuple[int, str]]:
    """Return the onsets of a recording's annotations as sample numbers.

    The one path from annotations to markers: the live trial pipeline starts
    its trials at them, the report cuts its conditions at them, and
    :func:`make_epochs` takes its events from the same
    :func:`mne.events_from_annotations`.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording.

    Returns
    -------
    onsets : list of (int, str)
        Sample number counted from the recording's first sample (as
        ``raw.times``), and the annotation's description, in time order.
        Annotations whose description starts with ``bad`` or ``edge`` are left
        out, as MNE leaves them out of events.
    """
    import mne

    _check_raw(raw)
    if not len(raw.annotations):
        return []
    events, event_id = mne.events_from_annotations(raw, verbose="error")
    names = {code: name for name, code in event_id.items()}
    return [(int(s - raw.first_samp), names[c]) for s, _, c in events]


def make_epochs(
    raw: mne.io.BaseRaw,
    tmin: float,
    tmax: float,
    *,
    event_id: dict[str, int] | Sequence[str] | None = None,
    markers: Sequence[tuple[float, str | int]] | None = None,
    baseline: tuple[float | None, float | None] | None = None,
    picks: str | Sequence | None = None,
    reject_by_annotation: bool = True,
    verbose: bool | str | int | None = None,
) -> tuple[np.ndarray, np.ndarray, mne.Epochs]:
    """Cut a recording into epochs around events.

    The events are the recording's annotations (``raw.annotations``, e.g.
    EEGMMIDB's ``T1``/``T2`` or CHB-MIT's ``seizure``) or, when ``markers`` is
    given, a list of ``(onset_seconds, label)`` pairs.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording.
    tmin, tmax : float
        Start and end of each epoch in seconds relative to its event, each
        rounded to the nearest sample. Both ends are included (as in MNE): an
        epoch holds ``round(tmax * sfreq) - round(tmin * sfreq) + 1`` samples;
        use ``tmax - 1 / sfreq`` for one sample fewer.
    event_id : dict of str to int | list of str | None
        Which events to use and their integer codes. ``None``: all annotation
        descriptions (except those starting with ``bad`` or ``edge``), or all
        marker labels, coded 1, 2, ... in sorted order. A list of labels
        selects those, coded in the list's order.
    markers : list of (float, str | int) | None
        Events given as onsets in seconds from the first sample of ``raw``
        (``raw.times``) and labels. Onsets are rounded to the nearest sample.
        When given, the annotations are not used for events.
    baseline : None | tuple of (float | None, float | None)
        Baseline correction, as in :class:`mne.Epochs`. ``None`` (default,
        unlike MNE) applies none.
    picks : str | list | None
        Channels to keep, as in :class:`mne.Epochs` (``None``: all channels,
        bad ones included; ``'data'``: data channels only).
    reject_by_annotation : bool
        Drop epochs that overlap an annotation whose description starts with
        ``bad`` (MNE's behaviour).
    verbose : bool | str | int | None
        Log level of this call (``None``: the package setting).

    Returns
    -------
    X : ndarray, shape (n_epochs, n_channels, n_times)
        The epochs' data (float64, SI units), in chronological order of the
        events.
    y : ndarray, shape (n_epochs,)
        The label of each epoch (annotation description, or the marker label
        as given).
    epochs : mne.Epochs
        The loaded epochs ``X`` came from: ``epochs.events`` (sample of each
        event), ``epochs.event_id``, ``epochs.times``, ``epochs.drop_log``.

    Raises
    ------
    ValueError
        If there are no events (no annotations and no markers), none is left
        after selection or dropping, two events fall on the same sample, or
        ``tmin >= tmax``.

    Notes
    -----
    Epochs that run off the start or end of the data (or overlap a ``bad``
    annotation) are dropped, never padded or shifted, and each one dropped is
    logged with its label, onset and reason; ``X`` and ``y`` always agree.
    """
    import mne

    with _use_log_level(verbose):
        _check_raw(raw)
        for name, value in (("tmin", tmin), ("tmax", tmax)):
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Real)
                or not np.isfinite(value)
            ):
                raise TypeError(f"{name} must be a finite number of seconds, got {value!r}.")
        if tmin >= tmax:
            raise ValueError(
                f"tmin={tmin!r} s must be before tmax={tmax!r} s (times relative to each event)."
            )
        event_id = _normalize_event_id(event_id)
        label = _raw_label(raw)
        sfreq = raw.info["sfreq"]
        with _capture_mne_warnings() as records:
            if markers is not None:
                events, event_id, originals = _events_from_markers(raw, markers, event_id)
                source = "markers"
            else:
                if len(raw.annotations) == 0:
                    raise ValueError(
                        f"{label} has no annotations to take events from. Pass markers= "
                        f"as a list of (onset_seconds, label) pairs, or add annotations "
                        f"with raw.set_annotations."
                    )
                present = set(raw.annotations.description)
                if event_id is not None and not present & set(event_id):
                    raise ValueError(
                        f"No annotation of {label} matches event_id {sorted(event_id)}; its "
                        f"annotations are {sorted(present)}. Pick event_id among those."
                    )
                kwargs = {} if event_id is None else {"event_id": event_id}
                events, event_id = mne.events_from_annotations(raw, verbose="warning", **kwargs)
                originals = {key: key for key in event_id}
                source = "annotations"
                if len(events) == 0:
                    raise ValueError(
                        f"No annotation of {label} can serve as an event (those starting "
                        f"with 'bad' or 'edge' are left out); its annotations are "
                        f"{sorted(present)}."
                    )
            repeated, counts = np.unique(events[:, 0], return_counts=True)
            repeated = repeated[counts > 1]
            if repeated.size:
                times = ((repeated - raw.first_samp) / sfreq).round(4).tolist()
                raise ValueError(
                    f"Several events of {label} fall on the same sample, at {times} s; each "
                    f"epoch needs its own event. Remove the duplicates or select one label "
                    f"with event_id."
                )
            epochs = mne.Epochs(
                raw,
                events,
                event_id=event_id,
                tmin=tmin,
                tmax=tmax,
                baseline=baseline,
                picks=picks,
                preload=True,
                reject_by_annotation=reject_by_annotation,
                on_missing="ignore",
                verbose="warning",
            )
        code_to_label = {code: originals[key] for key, code in event_id.items()}
        for msg in _mne_messages(records):
            logger.debug("MNE, make_epochs on %s: %s", label, msg)
        dropped = [(events[i], reasons) for i, reasons in enumerate(epochs.drop_log) if reasons]
        if dropped:
            described = [
                f"{code_to_label[ev[2]]!r} at {(ev[0] - raw.first_samp) / sfreq:.3f} s "
                f"({'; '.join(_REASONS.get(r, f'overlaps annotation {r!r}') for r in reasons)})"
                for ev, reasons in dropped
            ]
            logger.warning(
                "make_epochs dropped %d of %d epochs of %s ([tmin, tmax] = [%g, %g] s): %s",
                len(dropped),
                len(events),
                label,
                tmin,
                tmax,
                ", ".join(described),
            )
        if len(epochs) == 0:
            raise ValueError(
                f"All {len(events)} epochs of {label} were dropped (see the log); choose "
                f"tmin/tmax that fit inside the recording ({raw.times[-1]:.3f} s long)."
            )
        X = epochs.get_data(copy=False)
        y = np.array([code_to_label[code] for code in epochs.events[:, 2]])
        logger.info(
            "make_epochs: %d epochs from %s of %s, %d channels x %d samples, labels %s.",
            len(epochs),
            source,
            label,
            X.shape[1],
            X.shape[2],
            {str(k): int(v) for k, v in zip(*np.unique(y.astype(str), return_counts=True))},
        )
    return X, y, epochs
