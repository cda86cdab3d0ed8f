"""Scoring seizure detections against reference annotations (SzCORE).

The counting is the ``timescoring`` package's, the reference implementation
of SzCORE (Dan et al. 2024); nothing here re-implements it.

Event scoring (:func:`score_events`), SzCORE's defaults:

- a reference seizure is detected when any hypothesis event overlaps it,
  widened by 30 s before its onset and 60 s after its end (``minOverlap`` 0:
  any overlap);
- events less than 90 s apart are merged, events longer than 5 min split
  into 5-min pieces, in the reference and in the hypothesis alike;
- a hypothesis event that overlaps no widened detected seizure is a false
  positive; false alarms per 24 h are false positives over the recording's
  length;
- timescoring works on a 10 Hz grid: times are exact to 0.1 s.

Sample scoring (:func:`score_samples`) compares the two annotations label by
label at ``fs`` (1 Hz by default, SzCORE's advice).

Latency, which SzCORE does not score, is measured here for each detected
reference seizure: the time from its annotated onset to the first alert
inside its tolerance window (see :func:`score_events`).

References
----------
Dan, J., et al. (2024). SzCORE: Seizure Community Open-Source Research
Evaluation framework for the validation of electroencephalography-based
automated seizure detection algorithms. Epilepsia.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from .. import logger
from .._checks import check_number as _check_number
from .events import SeizureEvent, _as_events

#: Resolution (Hz) of timescoring's event scoring.
EVENT_FS = 10
#: SzCORE's event-scoring parameters (timescoring's names).
SZCORE_PARAMETERS = {
    "toleranceStart": 30.0,
    "toleranceEnd": 60.0,
    "minOverlap": 0.0,
    "maxEventDuration": 5 * 60.0,
    "minDurationBetweenEvents": 90.0,
}


@dataclass(frozen=True)
class ReferenceOutcome:
    """What became of one reference seizure.

    Attributes
    ----------
    onset : float
        Onset in seconds, as scored (after SzCORE's merging of seizures less
        than 90 s apart and splitting of those over 5 min; on a 0.1 s grid).
    duration : float
        Duration in seconds, as scored.
    detected : bool
        Whether SzCORE's event scoring counts it as found.
    latency : float | None
        Seconds from ``onset`` to the first alert in its tolerance window
        (negative: before the annotated onset); None when not detected.
    """

    onset: float
    duration: float
    detected: bool
    latency: float | None


def _nan_to_none(value):
    return None if isinstance(value, float) and math.isnan(value) else value


@dataclass
class EventScore:
    """SzCORE event scores of one recording.

    Attributes
    ----------
    sensitivity : float
        ``true_positives / n_reference``; NaN when the recording has no
        reference seizure (undefined, not 0 or 1).
    precision : float
        ``true_positives / (true_positives + false_positives)``; NaN without
        any hypothesis event.
    f1 : float
        ``2 TP / (2 TP + FP + FN)``; NaN when there is neither a reference
        seizure nor a false positive.
    fp_rate : float
        False alarms per 24 h: ``false_positives / (recording_duration /
        86400)`` (timescoring's ``fpRate``).
    true_positives : int
        Reference seizures detected.
    false_positives : int
        Hypothesis events (after merging and splitting) that match no
        reference seizure.
    n_reference : int
        Reference seizures, as scored (after merging and splitting).
    recording_duration : float
        Length of the recording in seconds.
    per_event : list of ReferenceOutcome
        One entry per scored reference seizure, in time order.
    parameters : dict
        The timescoring parameters used.
    """

    sensitivity: float
    precision: float
    f1: float
    fp_rate: float
    true_positives: int
    false_positives: int
    n_reference: int
    recording_duration: float
    per_event: list = field(default_factory=list)
    parameters: dict = field(default_factory=dict)

    @property
    def false_negatives(self) -> int:
        """Reference seizures missed."""
        return self.n_reference - self.true_positives

    @property
    def fp_per_hour(self) -> float:
        """False alarms per hour."""
        return self.false_positives / (self.recording_duration / 3600.0)

    @property
    def latencies(self) -> list[float]:
        """Latencies (s) of the detected reference seizures, in time order."""
        return [o.latency for o in self.per_event if o.latency is not None]

    def to_dict(self) -> dict:
        """Return the scores as plain Python values (JSON-safe: None where undefined).

        Returns
        -------
        scores : dict
            The attributes, ``per_event`` as a list of dicts, plus
            ``false_negatives`` and ``fp_per_hour``.
        """
        out = {k: _nan_to_none(v) for k, v in asdict(self).items()}
        out["false_negatives"] = self.false_negatives
        out["fp_per_hour"] = self.fp_per_hour
        return out


@dataclass
class SampleScore:
    """SzCORE sample (window-by-window) scores of one recording.

    Attributes
    ----------
    sensitivity : float
        Seizure samples labelled seizure, over all seizure samples; NaN if
        there are none.
    precision : float
        Seizure samples among those labelled seizure; NaN if none is.
    f1 : float
        Harmonic mean of the two; NaN if undefined.
    fp_rate : float
        False-positive samples per 24 h.
    true_positives, false_positives, n_reference : int
        Sample counts: true positives, false positives, reference seizure
        samples.
    fs : float
        Label rate in Hz.
    recording_duration : float
        Length of the recording in seconds.
    """

    sensitivity: float
    precision: float
    f1: float
    fp_rate: float
    true_positives: int
    false_positives: int
    n_reference: int
    fs: float
    recording_duration: float

    def to_dict(self) -> dict:
        """Return the scores as plain Python values (None where undefined)."""
        return {k: _nan_to_none(v) for k, v in asdict(self).items()}


def _intervals(events, duration, name, fs):
    """Events as sorted, disjoint (start, stop) seconds inside the recording.

    Events are clipped to [0, duration]; an event shorter than one label
    (``1 / fs``) is widened to one so that a point alert still counts.
    """
    out = []
    step = 1.0 / fs
    for ev in _as_events(events, name):
        start, stop = max(ev.onset, 0.0), min(ev.end, duration)
        if stop < start or ev.end < 0 or ev.onset > duration:
            logger.warning(
                "%s event %.3f-%.3f s lies outside the recording (0-%.3f s); ignored.",
                name,
                ev.onset,
                ev.end,
                duration,
            )
            continue
        if stop - start < step:
            stop = min(start + step, duration)
            start = max(stop - step, 0.0)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], stop))
        else:
            out.append((start, stop))
    return out


def _check_duration(recording_duration):
    duration = _check_number(recording_duration, "recording_duration", minimum=0.0)
    if duration == 0:
        raise ValueError(
            "recording_duration must be the positive length of the recording in seconds, got 0."
        )
    return duration


def _annotation(intervals, fs, n_samples):
    from timescoring.annotations import Annotation

    return Annotation(list(intervals), fs, n_samples)


def score_events(
    reference: Iterable[SeizureEvent | tuple[float, float]],
    hypothesis: Iterable[SeizureEvent | tuple[float, float]],
    recording_duration: float,
    *,
    tolerance_start: float = 30.0,
    tolerance_end: float = 60.0,
    min_overlap: float = 0.0,
    max_event_duration: float = 300.0,
    min_duration_between_events: float = 90.0,
    alert_delay: float = 0.0,
) -> EventScore:
    """Score detected seizures against reference ones, the SzCORE way.

    Parameters
    ----------
    reference : list of SeizureEvent
        The annotated seizures (e.g. from
        :func:`~models.seizure.events.events_from_annotations` or
        :func:`~models.seizure.formats.read_events`); (onset, duration) pairs are
        accepted too.
    hypothesis : list of SeizureEvent
        The detected events.
    recording_duration : float
        Length of the recording in seconds.
    tolerance_start, tolerance_end : float
        Seconds before a reference onset and after its end within which a
        detection still counts (SzCORE: 30 and 60).
    min_overlap : float
        Fraction of the widened reference event a detection must cover
        (SzCORE: 0, any overlap).
    max_event_duration : float
        Events longer than this are split (SzCORE: 300 s).
    min_duration_between_events : float
        Events closer than this are merged (SzCORE: 90 s).
    alert_delay : float
        Seconds from a hypothesis event's onset to its alert, for latency
        only: 0 (default) measures from the onset as annotated; for a
        windowed detector whose events start at their first positive window
        (:func:`~models.seizure.events.events_from_probabilities`), the window
        length gives the latency of the alarm.

    Returns
    -------
    score : EventScore
        Sensitivity, precision, F1, false alarms per 24 h, counts, and per
        reference seizure whether it was detected and the latency.

    Notes
    -----
    Events are clipped to the recording; an event shorter than 0.1 s (one
    step of timescoring's 10 Hz grid) is widened to 0.1 s so that a point
    alert counts.

    Latency of a detected seizure with onset ``t0`` and tolerance window
    ``[w0, w1] = [t0 - tolerance_start, end + tolerance_end]`` (clipped to
    the recording): ``max(h + alert_delay, w0) - t0`` where ``h`` is the
    earliest onset of the hypothesis events overlapping the window (as
    detected, before SzCORE's merging). It is negative when the alert came
    before the annotated onset, and never below ``-tolerance_start``: a
    detection already running when the window opens counts as an alert at
    its opening. Seizures split by ``max_event_duration`` get one latency
    per piece, each from the piece's onset.

    Examples
    --------
    A seizure at 100-160 s in a 600 s recording, a detection at 95-150 s:

    >>> s = score_events([(100, 60)], [(95, 55)], 600)
    >>> s.sensitivity, s.false_positives, s.per_event[0].latency
    (1.0, 0, -5.0)
    """
    from timescoring import scoring

    duration = _check_duration(recording_duration)
    params = {
        "toleranceStart": _check_number(tolerance_start, "tolerance_start", minimum=0.0),
        "toleranceEnd": _check_number(tolerance_end, "tolerance_end", minimum=0.0),
        "minOverlap": _check_number(min_overlap, "min_overlap", minimum=0.0),
        "maxEventDuration": _check_number(max_event_duration, "max_event_duration", minimum=0.0),
        "minDurationBetweenEvents": _check_number(
            min_duration_between_events, "min_duration_between_events", minimum=0.0
        ),
    }
    if params["maxEventDuration"] == 0:
        raise ValueError("max_event_duration must be positive (SzCORE: 300 s), got 0.")
    alert_delay = _check_number(alert_delay, "alert_delay")
    n_samples = round(duration * EVENT_FS)
    ref_iv = _intervals(reference, duration, "reference", EVENT_FS)
    hyp_iv = _intervals(hypothesis, duration, "hypothesis", EVENT_FS)
    scorer = scoring.EventScoring(
        _annotation(ref_iv, EVENT_FS, n_samples),
        _annotation(hyp_iv, EVENT_FS, n_samples),
        scoring.EventScoring.Parameters(**params),
    )

    # Per reference event: the same test timescoring applies when counting.
    fs = scorer.fs
    total = len(scorer.ref.mask) / fs
    outcomes = []
    for start, stop in scorer.ref.events:
        w0 = max(0.0, start - params["toleranceStart"])
        w1 = min(total, stop + params["toleranceEnd"])
        covered = np.sum(scorer.hyp.mask[round(w0 * fs) : round(w1 * fs)]) / fs
        detected = bool(w1 > w0 and covered / (w1 - w0) > params["minOverlap"] + 1e-6)
        latency = None
        if detected:
            onsets = [h0 for h0, h1 in hyp_iv if h0 < w1 and h1 > w0]
            if not onsets:  # found only through the merging of hypothesis events
                onsets = [h0 for h0, h1 in scorer.hyp.events if h0 < w1 and h1 > w0]
            if onsets:
                latency = float(max(min(onsets) + alert_delay, w0) - start)
        outcomes.append(ReferenceOutcome(float(start), float(stop - start), detected, latency))
    if sum(o.detected for o in outcomes) != scorer.tp:
        logger.warning(
            "Per-event detection (%d) disagrees with timescoring's count (%d); the counts "
            "are timescoring's.",
            sum(o.detected for o in outcomes),
            scorer.tp,
        )
    score = EventScore(
        sensitivity=float(scorer.sensitivity),
        precision=float(scorer.precision),
        f1=float(scorer.f1),
        fp_rate=float(scorer.fpRate),
        true_positives=int(scorer.tp),
        false_positives=int(scorer.fp),
        n_reference=int(scorer.refTrue),
        recording_duration=duration,
        per_event=outcomes,
        parameters=params,
    )
    logger.info(
        "Event scoring: %d/%d seizure(s) detected, %d false positive(s) in %.1f s (%.2f per 24 h).",
        score.true_positives,
        score.n_reference,
        score.false_positives,
        duration,
        score.fp_rate,
    )
    return score


def score_samples(
    reference: Iterable[SeizureEvent | tuple[float, float]],
    hypothesis: Iterable[SeizureEvent | tuple[float, float]],
    recording_duration: float,
    *,
    fs: float = 1.0,
) -> SampleScore:
    """Score detections against the reference label by label (SzCORE samples).

    Parameters
    ----------
    reference, hypothesis : list of SeizureEvent
        Annotated and detected events ((onset, duration) pairs accepted).
    recording_duration : float
        Length of the recording in seconds.
    fs : float
        Label rate in Hz (SzCORE advises 1 Hz). A label is a seizure when an
        event covers about half of it or more (timescoring rounds the event's
        ends to the nearest label boundary).

    Returns
    -------
    score : SampleScore
        Sensitivity, precision, F1 and counts, in labels.
    """
    from timescoring import scoring

    duration = _check_duration(recording_duration)
    if isinstance(fs, bool) or not isinstance(fs, numbers.Real) or not fs > 0:
        raise ValueError(f"fs must be a positive label rate in Hz (e.g. 1), got {fs!r}.")
    fs = float(fs)
    n_samples = round(duration * fs)
    if n_samples < 1:
        raise ValueError(
            f"recording_duration={duration:g} s holds no label at fs={fs:g} Hz; raise fs."
        )
    ref = _annotation(_intervals(reference, duration, "reference", fs), fs, n_samples)
    hyp = _annotation(_intervals(hypothesis, duration, "hypothesis", fs), fs, n_samples)
    scorer = scoring.SampleScoring(ref, hyp, fs)
    return SampleScore(
        sensitivity=float(scorer.sensitivity),
        precision=float(scorer.precision),
        f1=float(scorer.f1),
        fp_rate=float(scorer.fpRate),
        true_positives=int(scorer.tp),
        false_positives=int(scorer.fp),
        n_reference=int(scorer.refTrue),
        fs=fs,
        recording_duration=duration,
    )


def summarize_scores(scores: Iterable[EventScore]) -> dict:
    """Pool the event scores of several recordings.

    Parameters
    ----------
    scores : list of EventScore
        One per recording (from :func:`score_events`).

    Returns
    -------
    summary : dict
        ``n_recordings``, ``hours`` (total), ``n_reference``,
        ``true_positives``, ``false_positives``, ``false_negatives`` (sums),
        ``sensitivity`` (TP / reference seizures), ``precision``, ``f1``
        (``2 TP / (2 TP + FP + FN)``), ``false_alarms_per_hour`` and
        ``false_alarms_per_24h`` (false positives over the total time),
        ``latencies`` (of every detected seizure, s), ``median_latency`` and
        ``mean_latency``. Plain Python values; None where undefined (no
        reference seizure, no detection, no recording).

    Notes
    -----
    Counts are pooled over recordings (micro-average, SzCORE's way), so a
    long recording weighs more than a short one.
    """
    scores = list(scores)
    for i, s in enumerate(scores):
        if not isinstance(s, EventScore):
            raise TypeError(
                f"scores[{i}] must be an EventScore (from score_events), got {type(s).__name__}."
            )
    seconds = float(sum(s.recording_duration for s in scores))
    tp = sum(s.true_positives for s in scores)
    fp = sum(s.false_positives for s in scores)
    n_ref = sum(s.n_reference for s in scores)
    fn = n_ref - tp
    latencies = [lat for s in scores for lat in s.latencies]
    hours = seconds / 3600.0
    return {
        "n_recordings": len(scores),
        "hours": hours,
        "n_reference": n_ref,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "sensitivity": tp / n_ref if n_ref else None,
        "precision": tp / (tp + fp) if tp + fp else None,
        "f1": 2 * tp / (2 * tp + fp + fn) if n_ref + fp else None,
        "false_alarms_per_hour": fp / hours if hours else None,
        "false_alarms_per_24h": fp / (hours / 24.0) if hours else None,
        "latencies": latencies,
        "median_latency": float(np.median(latencies)) if latencies else None,
        "mean_latency": float(np.mean(latencies)) if latencies else None,
    }
