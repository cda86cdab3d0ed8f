"""Seizure events: the one type every part of the application passes around.

A :class:`SeizureEvent` is a span of a recording, in seconds from its first
sample, with a confidence, the channels most involved and a label. Detections
(:func:`events_from_probabilities`), reference annotations
(:func:`events_from_annotations`), the files of :mod:`models.seizure.formats` and
the scoring of :mod:`models.seizure.scoring` all speak it.

Conventions
-----------
Times are seconds from the first sample of the recording (``raw.first_time``
is taken off MNE's annotation onsets). A detected event starts at the onset
of its first positive window and ends at the end of its last positive window:
that is where the EEG that made the classifier fire begins and ends, which
is what a clinician reviewing the trace expects to see marked. The alert of a
live detector can only be raised once that first window is complete, one
window length later; :func:`models.seizure.scoring.score_events` takes that delay
(``alert_delay``) when it measures latency.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .. import logger
from .._checks import check_number as _check_number

if TYPE_CHECKING:
    import mne
    import numpy.typing as npt

#: Label of a seizure of unspecified type (SzCORE / HED-SCORE ``eventType``).
SEIZURE_LABEL = "sz"

_EPS = 1e-9  # seconds: gaps below this are rounding, not gaps


@dataclass(frozen=True)
class SeizureEvent:
    """A seizure (or seizure-like event) in a recording.

    Parameters
    ----------
    onset : float
        Start in seconds from the first sample of the recording (may be
        negative only if the event began before the recording).
    duration : float
        Length in seconds, >= 0.
    confidence : float | None
        How sure the source is, in [0, 1]: 1.0 for an expert annotation, the
        peak window probability for a detection, None when unknown (written
        ``n/a``).
    channels : tuple of str
        The channels most involved, most involved first; empty when not known
        or when the event concerns all channels.
    label : str
        Event type; ``'sz'`` (seizure, type unspecified) by default. SzCORE's
        subtypes (``'sz-foc'``, ``'sz-gen'``, ...) are kept as they are.
    usable : float | None
        For a detection: the share of its channel-windows whose EEG the
        detector could use (neither flat, disconnected, saturated nor
        missing), in [0, 1]. None when not known (annotations, files). It
        describes the evidence, not the event, and is left out of equality.

    Attributes
    ----------
    end : float
        ``onset + duration``.
    """

    onset: float
    duration: float
    confidence: float | None = 1.0
    channels: tuple = ()
    label: str = SEIZURE_LABEL
    usable: float | None = field(default=None, compare=False)

    def __post_init__(self):
        onset = _check_number(self.onset, "onset")
        duration = _check_number(self.duration, "duration")
        if duration < 0:
            raise ValueError(
                f"duration must be >= 0 seconds, got {duration!r} (onset {onset!r}). "
                f"Give the event's length, not its end time."
            )
        confidence = _check_number(self.confidence, "confidence", allow_none=True)
        if confidence is not None and not 0.0 <= confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1] or None (unknown), got {confidence!r}.")
        channels = self.channels
        if isinstance(channels, str):
            channels = (channels,) if channels else ()
        try:
            channels = tuple(str(ch) for ch in channels)
        except TypeError:
            raise TypeError(
                f"channels must be a sequence of channel names, got {self.channels!r}."
            ) from None
        if not isinstance(self.label, str) or not self.label:
            raise TypeError(f"label must be a non-empty str such as 'sz', got {self.label!r}.")
        usable = _check_number(self.usable, "usable", minimum=0, maximum=1, allow_none=True)
        object.__setattr__(self, "usable", usable)
        object.__setattr__(self, "onset", onset)
        object.__setattr__(self, "duration", duration)
        object.__setattr__(self, "confidence", confidence)
        object.__setattr__(self, "channels", channels)

    @property
    def end(self) -> float:
        """End of the event in seconds (``onset + duration``)."""
        return self.onset + self.duration


def _as_events(events, name="events"):
    """Return ``events`` as a list of SeizureEvent, sorted by onset.

    Accepts SeizureEvent objects and (onset, duration) pairs.
    """
    if events is None:
        return []
    if isinstance(events, SeizureEvent):
        events = [events]
    out = []
    for i, ev in enumerate(events):
        if isinstance(ev, SeizureEvent):
            out.append(ev)
            continue
        try:
            onset, duration = ev
        except (TypeError, ValueError):
            raise TypeError(
                f"{name}[{i}] must be a SeizureEvent or an (onset, duration) pair in "
                f"seconds, got {ev!r}."
            ) from None
        out.append(SeizureEvent(onset, duration))
    return sorted(out, key=lambda ev: (ev.onset, ev.end))


def events_from_probabilities(
    proba: npt.ArrayLike,
    times: npt.ArrayLike,
    *,
    window: float | None = None,
    threshold: float = 0.5,
    min_duration: float = 0.0,
    merge_gap: float = 0.0,
    confidence: str = "max",
    channel_scores: npt.ArrayLike | None = None,
    ch_names: list[str] | None = None,
    n_channels: int = 3,
    label: str = SEIZURE_LABEL,
) -> list[SeizureEvent]:
    """Turn a seizure probability per sliding window into events.

    Parameters
    ----------
    proba : array-like, shape (n_windows,)
        Seizure probability of each window, in [0, 1].
    times : array-like, shape (n_windows,)
        Onset of each window in seconds from the recording start, strictly
        increasing.
    window : float | None
        Length of each window in seconds. None takes the step between window
        onsets (non-overlapping windows); it must be given when there is
        fewer than two windows.
    threshold : float
        A window is positive when its probability is >= ``threshold``.
    min_duration : float
        Events shorter than this (seconds, after merging) are dropped.
    merge_gap : float
        Events separated by less than this many seconds are merged. Events
        whose windows overlap or touch are always one event.
    confidence : ``'max'`` | ``'mean'``
        The event's confidence: the peak probability of its windows (default:
        what the classifier was most sure of) or their mean (from its first to
        its last positive window, gaps bridged by ``merge_gap`` included).
    channel_scores : array-like, shape (n_windows, n_channels) | None
        How involved each channel is in each window (larger is more). Each
        event's ``channels`` are the ``n_channels`` channels of highest mean
        score over its windows. Non-finite scores (``-inf`` for a flagged
        channel-window) are left out of the mean; a channel with no finite
        score in the event is never reported. The share of finite scores
        over the event's windows is its ``usable``.
    ch_names : list of str | None
        Names of the columns of ``channel_scores``; required with it.
    n_channels : int
        How many channels to report per event.
    label : str
        Label of the events.

    Returns
    -------
    events : list of SeizureEvent
        Sorted by onset. ``onset`` is the onset of the first positive window,
        ``onset + duration`` the end (onset + ``window``) of the last one.

    Notes
    -----
    Each positive window stands for the span ``[t, t + window]``. Spans that
    overlap or touch form one event (with overlapping windows, a single
    negative window between two positive ones is therefore bridged: their
    spans overlap). Then events closer than ``merge_gap`` are merged and
    events shorter than ``min_duration`` dropped, in that order.

    The onset is the start of the first positive window: the earliest point
    of the EEG that made the classifier fire, which is where a reviewer
    expects the mark. A live alert is raised only when that window is
    complete, ``window`` seconds later; pass ``alert_delay=window`` to
    :func:`models.seizure.scoring.score_events` to measure alarm latency.

    Examples
    --------
    Four 1-s windows, the middle two positive:

    >>> events_from_probabilities([0.1, 0.8, 0.9, 0.2], [0, 1, 2, 3], window=1.0)
    [SeizureEvent(onset=1.0, duration=2.0, confidence=0.9, channels=(), label='sz', usable=None)]
    """
    proba = np.asarray(proba, dtype=float)
    times = np.asarray(times, dtype=float)
    if proba.ndim != 1 or times.ndim != 1 or len(proba) != len(times):
        raise ValueError(
            f"proba and times must be 1-D arrays of the same length (one value per "
            f"window), got shapes {proba.shape} and {times.shape}."
        )
    if not np.all(np.isfinite(proba)):
        bad = np.flatnonzero(~np.isfinite(proba))
        raise ValueError(
            f"proba holds {len(bad)} non-finite value(s), first at window {bad[0]} "
            f"(t = {times[bad[0]]:g} s). Fix the classifier's output before making events."
        )
    if len(proba) and (proba.min() < 0 or proba.max() > 1):
        raise ValueError(
            f"proba must hold probabilities in [0, 1], got values from {proba.min():g} to "
            f"{proba.max():g}. Pass predict_proba's seizure column, not a decision score."
        )
    if not np.all(np.isfinite(times)) or np.any(np.diff(times) <= 0):
        raise ValueError(
            "times must be finite and strictly increasing (the onset of each window in seconds)."
        )
    if window is None:
        if len(times) < 2:
            raise ValueError(
                "window is None and there are fewer than two windows to infer it from; "
                "pass window= the window length in seconds."
            )
        window = float(np.median(np.diff(times)))
    window = _check_number(window, "window", minimum=0.0)
    if window == 0:
        raise ValueError("window must be a positive length in seconds, got 0.")
    threshold = _check_number(threshold, "threshold")
    min_duration = _check_number(min_duration, "min_duration", minimum=0.0)
    merge_gap = _check_number(merge_gap, "merge_gap", minimum=0.0)
    if confidence not in ("max", "mean"):
        raise ValueError(f"confidence must be 'max' or 'mean', got {confidence!r}.")
    scores = None
    if channel_scores is not None:
        scores = np.asarray(channel_scores, dtype=float)
        if scores.ndim != 2 or scores.shape[0] != len(times):
            raise ValueError(
                f"channel_scores must have shape (n_windows, n_channels) = "
                f"({len(times)}, n_channels), got {scores.shape}."
            )
        if ch_names is None or len(ch_names) != scores.shape[1]:
            raise ValueError(
                f"ch_names must name the {scores.shape[1]} columns of channel_scores, got "
                f"{None if ch_names is None else len(ch_names)} name(s)."
            )
        if (
            isinstance(n_channels, bool)
            or not isinstance(n_channels, numbers.Integral)
            or n_channels < 0
        ):
            raise ValueError(f"n_channels must be an integer >= 0, got {n_channels!r}.")

    tracker = EventTracker(
        window=window,
        threshold=threshold,
        min_duration=min_duration,
        merge_gap=merge_gap,
        confidence=confidence,
        ch_names=ch_names if scores is not None else None,
        n_channels=n_channels,
        label=label,
    )
    tracker.extend(times, proba, scores)
    events = tracker.events
    logger.debug(
        "%d positive window(s) of %d -> %d event(s) (threshold %g, merge_gap %g s, "
        "min_duration %g s).",
        int(np.count_nonzero(proba >= threshold)),
        len(proba),
        len(events),
        threshold,
        merge_gap,
        min_duration,
    )
    return events


@dataclass(frozen=True)
class EventChange:
    """What one window (or the end of the stream) did to an event.

    Attributes
    ----------
    kind : ``'raised'`` | ``'updated'`` | ``'closed'``
        ``'raised'``: the event has just become long enough (``min_duration``)
        to be reported; ``'updated'``: a reported event grew; ``'closed'``: a
        reported event can grow no more (a window came that no later window
        can bridge to it, or the stream ended), so this is its final extent.
    number : int
        Which event, counted from 0 in the order events begin (the same
        number for every change of one event).
    event : SeizureEvent
        The event at its extent now.
    """

    kind: str
    number: int
    event: SeizureEvent


class EventTracker:
    """The events rule, fed all windows at once (offline) or one at a time (live).

    :func:`events_from_probabilities` feeds it a whole recording;
    :class:`~models.seizure.live.LivePipeline` feeds it each window as it is
    scored (:meth:`feed`), raises an alert when an event is reported, follows
    it as it grows and records its final extent when it is closed. Both
    therefore find the same events for the same windows.

    An event is closed by the first window whose onset lies more than
    ``merge_gap`` (and more than rounding) past the event's end: no later
    window can join it then. :meth:`finish` closes what is open when the
    stream ends, where an offline detection ends the event with the
    recording.

    Parameters
    ----------
    window : float
        Length of each window in seconds, > 0.
    threshold, min_duration, merge_gap, confidence, n_channels, label
        As in :func:`events_from_probabilities` (already checked).
    ch_names : list of str | None
        Names of the channel-score columns; None when no scores are given.

    Attributes
    ----------
    times, proba : list of float
        Onset and probability of every window fed so far.
    channel_scores : list of ndarray
        Channel scores of every window (empty without ``ch_names``).
    """

    def __init__(
        self,
        *,
        window,
        threshold=0.5,
        min_duration=0.0,
        merge_gap=0.0,
        confidence="max",
        ch_names=None,
        n_channels=3,
        label=SEIZURE_LABEL,
    ):
        self.window = float(window)
        self.threshold = float(threshold)
        self.min_duration = float(min_duration)
        self.merge_gap = float(merge_gap)
        self.confidence = confidence
        self.ch_names = None if ch_names is None else list(ch_names)
        self.n_channels = int(n_channels)
        self.label = label
        self.times, self.proba, self.channel_scores = [], [], []
        # Per event: [first, last, reported, closed, last reported last] window indices.
        self._groups = []

    def __len__(self):
        return len(self.proba)

    def feed(
        self, time: float, proba: float, channel_scores: np.ndarray | None = None
    ) -> list[EventChange]:
        """Feed the next window; say what it did to the events.

        Parameters
        ----------
        time : float
            Its onset, seconds; later than the previous window's.
        proba : float
            Its seizure probability.
        channel_scores : ndarray, shape (n_channels,) | None
            Its channel scores (required when ``ch_names`` was given).

        Returns
        -------
        changes : list of EventChange
            In order: the closing of the previous event, if this window ends
            it; then this window's event raised or updated, if it is positive.
        """
        scores = None if channel_scores is None else [channel_scores]
        return self._feed([time], [proba], scores)

    def finish(self) -> list[EventChange]:
        """Close the reported events still open: the stream has ended.

        Returns
        -------
        changes : list of EventChange
            One ``'closed'`` change per reported event that was open.
        """
        out = []
        for number, g in enumerate(self._groups):
            if g[2] and not g[3]:
                g[3] = True
                out.append(EventChange("closed", number, self._event(g[0], g[1])))
        return out

    def extend(
        self,
        times: npt.ArrayLike,
        proba: npt.ArrayLike,
        channel_scores: npt.ArrayLike | None = None,
    ) -> list[SeizureEvent]:
        """Feed many windows at once; return the events they raised (see :meth:`feed`).

        Parameters
        ----------
        times : array-like, shape (n_windows,)
            Their onsets, seconds; increasing, and later than the previous
            window's.
        proba : array-like, shape (n_windows,)
            Their seizure probabilities.
        channel_scores : array-like, shape (n_windows, n_channels) | None
            Their channel scores (required when ``ch_names`` was given).

        Returns
        -------
        events : list of SeizureEvent
            The events these windows made long enough, in order.
        """
        return [c.event for c in self._feed(times, proba, channel_scores) if c.kind == "raised"]

    def _feed(self, times, proba, channel_scores):
        times = np.asarray(times, dtype=float)
        proba = np.asarray(proba, dtype=float)
        if len(times) and self.times and not times[0] > self.times[-1]:
            raise ValueError(
                f"Window onsets must increase: got {times[0]:g} s after {self.times[-1]:g} s."
            )
        n0 = len(self.proba)
        self.times.extend(times.tolist())
        self.proba.extend(proba.tolist())
        if self.ch_names is not None:
            self.channel_scores.extend(np.asarray(channel_scores, dtype=float))
        changes = []
        positive = proba >= self.threshold
        if len(self._groups) and not self._groups[-1][3] and not positive.any():
            # Negative windows only (the usual case): at most they close the last event.
            closed = self._close(n0 + len(proba) - 1)
            return [closed] if closed is not None else []
        for k in range(len(proba)):
            i = n0 + k
            closed = self._close(i)
            if closed is not None:
                changes.append(closed)
            if positive[k]:
                change = self._positive(i)
                if change is not None:
                    changes.append(change)
        return changes

    def _close(self, i):
        """Close the last event if window ``i`` lies beyond what can still join it."""
        if not self._groups:
            return None
        g = self._groups[-1]
        if g[3]:
            return None
        gap = self.times[i] - (self.times[g[1]] + self.window)
        if gap <= _EPS or gap < self.merge_gap:
            return None
        g[3] = True
        if not g[2]:
            return None  # never long enough: never reported
        return EventChange("closed", len(self._groups) - 1, self._event(g[0], g[1]))

    def _positive(self, i):
        groups = self._groups
        if groups and not groups[-1][3]:
            groups[-1][1] = i
        else:
            groups.append([i, i, False, False, i])
        g = groups[-1]
        number = len(groups) - 1
        if g[2]:
            if g[4] == i:
                return None
            g[4] = i
            return EventChange("updated", number, self._event(g[0], g[1]))
        if self._duration(g[0], g[1]) < self.min_duration - _EPS:
            return None
        g[2], g[4] = True, i
        return EventChange("raised", number, self._event(g[0], g[1]))

    def _duration(self, first, last):
        return float(self.times[last] + self.window - self.times[first])

    def _event(self, first, last):
        onset, duration = self.times[first], self._duration(first, last)
        span = np.asarray(self.proba[first : last + 1])
        conf = float(span.max() if self.confidence == "max" else span.mean())
        channels, usable = (), None
        if self.ch_names is not None:
            scores = np.asarray(self.channel_scores[first : last + 1])
            usable = float(np.isfinite(scores).mean()) if scores.size else None
            if self.n_channels:
                channels = _top_channels(scores, self.ch_names, self.n_channels)
        return SeizureEvent(
            onset, duration, confidence=conf, channels=channels, label=self.label, usable=usable
        )

    @property
    def events(self) -> list[SeizureEvent]:
        """list of SeizureEvent: Every event so far, at its extent so far."""
        out = []
        for first, last, *_ in self._groups:
            onset, duration = self.times[first], self._duration(first, last)
            if duration < self.min_duration - _EPS:
                logger.debug(
                    "Event %.3f-%.3f s dropped: shorter than min_duration=%g s.",
                    onset,
                    onset + duration,
                    self.min_duration,
                )
                continue
            out.append(self._event(first, last))
        return out


def _top_channels(scores, ch_names, k):
    """Names of the ``k`` channels of highest mean finite score, best first."""
    finite = np.isfinite(scores)
    counts = finite.sum(axis=0)
    sums = np.where(finite, scores, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), -np.inf)
    order = np.argsort(-mean, kind="stable")  # ties: channel order
    return tuple(str(ch_names[c]) for c in order[:k] if np.isfinite(mean[c]))


def _matches(description, wanted):
    return description.strip().lower() in wanted


def events_from_annotations(
    inst: mne.io.BaseRaw | mne.Annotations,
    description: str | Sequence[str] = "seizure",
    *,
    label: str = SEIZURE_LABEL,
) -> list[SeizureEvent]:
    """Read the seizure events of a recording's (or a set of) annotations.

    Parameters
    ----------
    inst : mne.io.Raw | mne.Annotations
        A recording (its ``annotations``; onsets are returned relative to its
        first sample) or annotations (onsets taken as they are: relative to
        the recording start for annotations read from an EDF file or without
        ``orig_time``).
    description : str | sequence of str
        Annotation description(s) that mark a seizure, compared whole and
        case-insensitively (``'seizure'`` matches ``'Seizure'`` but not
        ``'no seizure'``).
    label : str
        Label given to the events.

    Returns
    -------
    events : list of SeizureEvent
        Sorted by onset, with ``confidence`` 1.0 unless the annotation's
        ``extras`` hold a ``'confidence'`` (None for None or ``'n/a'``), ``channels``
        from the annotation's ``ch_names`` and ``label`` from its extras'
        ``'label'`` if any. Empty when nothing matches (a seizure-free
        recording).
    """
    import mne

    if isinstance(inst, mne.Annotations):
        annotations, first_time, where = inst, 0.0, "the annotations"
    elif isinstance(inst, mne.io.BaseRaw):
        annotations, first_time = inst.annotations, float(inst.first_time)
        fnames = [str(f) for f in getattr(inst, "filenames", ()) if f is not None]
        where = fnames[0] if fnames else "the Raw"
    else:
        raise TypeError(
            f"inst must be an mne.io.Raw or mne.Annotations, got {type(inst).__name__}. "
            f"Read a recording with acquisition.read_raw or annotations with "
            f"models.seizure.formats.read_events."
        )
    wanted = (description,) if isinstance(description, str) else tuple(description)
    if not wanted or not all(isinstance(d, str) and d.strip() for d in wanted):
        raise ValueError(
            f"description must be a non-empty str or a sequence of them, got {description!r}."
        )
    wanted = {d.strip().lower() for d in wanted}
    has_ch = hasattr(annotations, "ch_names")
    has_extras = hasattr(annotations, "extras")
    events = []
    for i, desc in enumerate(annotations.description):
        if not _matches(desc, wanted):
            continue
        extras = (annotations.extras[i] or {}) if has_extras else {}
        conf = extras.get("confidence", 1.0)
        if conf is None or (isinstance(conf, str) and conf.strip().lower() in ("n/a", "")):
            conf = None
        else:
            conf = float(conf)
        events.append(
            SeizureEvent(
                float(annotations.onset[i]) - first_time,
                float(annotations.duration[i]),
                confidence=conf,
                channels=tuple(annotations.ch_names[i]) if has_ch else (),
                label=str(extras.get("label") or label),
            )
        )
    if not events:
        logger.debug(
            "No annotation described %s in %s (descriptions: %s).",
            sorted(wanted),
            where,
            sorted(set(annotations.description)),
        )
    return sorted(events, key=lambda ev: (ev.onset, ev.end))
