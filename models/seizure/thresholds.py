"""What an operating point does: events in a recording, false alarms on seizure-free EEG.

A reviewer who moves the detector's threshold, minimum duration or merge gap
wants to see two things at once: the events those settings find in the
recording at hand, and how often they raise an alarm on EEG without any
seizure. Both follow from window probabilities alone, through the rule the
detector itself uses (:func:`models.seizure.events.events_from_probabilities`),
so nothing is simulated again:

- the events here come from the recording's probability trend
  (:attr:`Detection.proba <models.seizure.detector.Detection.proba>`);
- the false alarms per hour come from the window probabilities the model gave
  on seizure-free EEG when it was evaluated, kept in the model file as the
  optional ``evaluation`` section (:class:`BackgroundProbabilities`).

:func:`models.evaluation.seizure.record_background` runs a model over
seizure-free EEG and writes it with the section (:func:`save_with_background`).
Model files written before that section existed load as they always did;
:func:`model_background` returns None for them, and the rate is then "not
recorded by this model's evaluation".

The ``evaluation`` section
--------------------------
``run_names`` (str array), ``run_lengths`` (int array: windows per run),
``times`` and ``proba`` (float arrays: every run's window onsets, seconds
from the run's start, and seizure probabilities, runs one after another),
``durations`` (float array: seconds of EEG per run), and the values
``window`` (window length, seconds), ``source`` (what the EEG was) and
``version`` (1).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .. import logger
from .._checks import check_number
from .events import SeizureEvent, events_from_probabilities

if TYPE_CHECKING:
    from pathlib import Path

    import mne

    from .detector import SeizureDetector

__all__ = [
    "EVALUATION_SECTION",
    "NOT_RECORDED",
    "BackgroundProbabilities",
    "OperatingPoint",
    "background_probabilities",
    "consequences",
    "events_at",
    "false_alarms_per_hour",
    "model_background",
    "save_with_background",
]

#: Name of the model file's section holding the evaluation's window probabilities.
EVALUATION_SECTION = "evaluation"
#: What is said of the false alarm rate when the model file does not hold it.
NOT_RECORDED = "not recorded by this model's evaluation"
_VERSION = 1


@dataclasses.dataclass(frozen=True)
class BackgroundProbabilities:
    """The window probabilities a model gave on seizure-free EEG.

    Attributes
    ----------
    runs : tuple of (str, ndarray, ndarray, float)
        One ``(name, times, proba, duration)`` per recording: window onsets
        (seconds from its start, increasing), their seizure probabilities and
        the seconds of EEG it holds.
    window : float
        Window length, seconds.
    source : str
        What the EEG was (e.g. ``'EEGMMIDB S001 R03'``).
    """

    runs: tuple
    window: float
    source: str = ""

    def __post_init__(self):
        window = check_number(self.window, "window", minimum=0, strict=True)
        runs = []
        for name, times, proba, duration in self.runs:
            times = np.asarray(times, dtype=float)
            proba = np.asarray(proba, dtype=float)
            if times.shape != proba.shape or times.ndim != 1:
                raise ValueError(
                    f"Background run {name!r}: times and proba must be 1-D and of one length, "
                    f"got shapes {times.shape} and {proba.shape}."
                )
            duration = check_number(duration, f"duration of run {name!r}", minimum=0)
            runs.append((str(name), times, proba, duration))
        object.__setattr__(self, "runs", tuple(runs))
        object.__setattr__(self, "window", window)

    @property
    def seconds(self) -> float:
        """float: Seconds of seizure-free EEG in all."""
        return float(sum(run[3] for run in self.runs))

    @property
    def hours(self) -> float:
        """float: Hours of seizure-free EEG in all."""
        return self.seconds / 3600.0

    def to_section(self) -> dict:
        """Return the record as the model file's ``evaluation`` section.

        Returns
        -------
        section : dict
            Arrays and values as described in the module's notes.
        """
        return {
            "version": _VERSION,
            "window": float(self.window),
            "source": str(self.source),
            "run_names": np.array([r[0] for r in self.runs], dtype=str),
            "run_lengths": np.array([len(r[1]) for r in self.runs], dtype=np.int64),
            "durations": np.array([r[3] for r in self.runs], dtype=float),
            "times": np.concatenate([r[1] for r in self.runs]) if self.runs else np.zeros(0),
            "proba": np.concatenate([r[2] for r in self.runs]) if self.runs else np.zeros(0),
        }

    @classmethod
    def from_section(cls, section: dict, fname: str = "the model file") -> BackgroundProbabilities:
        """Read the record back from a model file's ``evaluation`` section.

        Parameters
        ----------
        section : dict
            The section, as the cube file reader returns it.
        fname : str
            The file, for error messages.

        Returns
        -------
        background : BackgroundProbabilities
            The record.

        Raises
        ------
        ValueError
            If a field is missing or inconsistent (naming the file and field).
        """
        keys = ("window", "run_names", "run_lengths", "durations", "times", "proba")
        missing = [k for k in keys if k not in section]
        if missing:
            raise ValueError(
                f"{fname}: the {EVALUATION_SECTION!r} section lacks {', '.join(missing)}; "
                "record the evaluation again (models.seizure.thresholds.save_with_background)."
            )
        lengths = np.asarray(section["run_lengths"], dtype=np.int64)
        names = [str(n) for n in np.asarray(section["run_names"]).ravel()]
        durations = np.asarray(section["durations"], dtype=float).ravel()
        times = np.asarray(section["times"], dtype=float).ravel()
        proba = np.asarray(section["proba"], dtype=float).ravel()
        if (
            len(names) != len(lengths)
            or len(durations) != len(lengths)
            or lengths.min(initial=0) < 0
            or int(lengths.sum()) != len(times)
            or len(times) != len(proba)
        ):
            raise ValueError(
                f"{fname}: the {EVALUATION_SECTION!r} section is inconsistent ({len(names)} "
                f"run names, {len(lengths)} run lengths summing to {int(lengths.sum())}, "
                f"{len(times)} times, {len(proba)} probabilities); record the evaluation again."
            )
        edges = np.concatenate([[0], np.cumsum(lengths)])
        runs = tuple(
            (names[k], times[edges[k] : edges[k + 1]], proba[edges[k] : edges[k + 1]], durations[k])
            for k in range(len(names))
        )
        return cls(runs, float(section["window"]), str(section.get("source", "")))


@dataclasses.dataclass(frozen=True)
class OperatingPoint:
    """What one threshold, minimum duration and merge gap do.

    Attributes
    ----------
    threshold, min_duration, merge_gap : float
        The settings.
    events : list of SeizureEvent
        The events they find in the recording at hand.
    false_alarms : int | None
        Events they raise on the evaluation's seizure-free EEG (None when the
        model's evaluation did not record it).
    hours : float | None
        Hours of that EEG.
    """

    threshold: float
    min_duration: float
    merge_gap: float
    events: list
    false_alarms: int | None = None
    hours: float | None = None

    @property
    def false_alarms_per_hour(self) -> float | None:
        """float | None: ``false_alarms / hours`` (None when not recorded)."""
        if self.false_alarms is None or not self.hours:
            return None
        return self.false_alarms / self.hours

    def describe(self) -> str:
        """Return one line: ``'N events here · X false alarms/h on seizure-free EEG in evaluation'``.

        Returns
        -------
        line : str
            The line (the rate "not recorded by this model's evaluation" when
            unknown).
        """
        n = len(self.events)
        here = f"{n} event{'' if n == 1 else 's'} here"
        rate = self.false_alarms_per_hour
        if rate is None:
            return f"{here} · false alarms/h on seizure-free EEG: {NOT_RECORDED}"
        return (
            f"{here} · {rate:.2f} false alarms/h on seizure-free EEG in evaluation "
            f"({self.false_alarms} in {self.hours:.2f} h)"
        )


def events_at(
    proba: np.ndarray,
    times: np.ndarray,
    *,
    window: float,
    threshold: float,
    min_duration: float,
    merge_gap: float,
    channel_scores: np.ndarray | None = None,
    ch_names: Sequence[str] | None = None,
) -> list[SeizureEvent]:
    """Return the events a probability trend holds at one operating point.

    Parameters
    ----------
    proba : ndarray, shape (n_windows,)
        Seizure probability of each window.
    times : ndarray, shape (n_windows,)
        Window onsets, seconds.
    window : float
        Window length, seconds.
    threshold, min_duration, merge_gap : float
        The settings, as :class:`~models.seizure.detector.SeizureDetector`
        takes them.
    channel_scores : ndarray, shape (n_windows, n_channels) | None
        Per-channel involvement, to name each event's channels.
    ch_names : sequence of str | None
        The columns of ``channel_scores``.

    Returns
    -------
    events : list of SeizureEvent
        As :func:`~models.seizure.events.events_from_probabilities` finds them.
    """
    return events_from_probabilities(
        proba,
        times,
        window=window,
        threshold=threshold,
        min_duration=min_duration,
        merge_gap=merge_gap,
        channel_scores=channel_scores,
        ch_names=None if ch_names is None else list(ch_names),
    )


def false_alarms_per_hour(
    background: BackgroundProbabilities,
    *,
    threshold: float,
    min_duration: float,
    merge_gap: float,
) -> tuple[int, float]:
    """Count the events raised on seizure-free EEG at one operating point.

    Every event there is a false alarm. Each run is turned into events on its
    own (an event never spans two recordings).

    Parameters
    ----------
    background : BackgroundProbabilities
        The evaluation's window probabilities on seizure-free EEG.
    threshold, min_duration, merge_gap : float
        The settings.

    Returns
    -------
    false_alarms : int
        Events raised over all runs.
    per_hour : float
        ``false_alarms`` per hour of EEG (``nan`` for no EEG).
    """
    total = 0
    for _, times, proba, _ in background.runs:
        if len(times):
            total += len(
                events_at(
                    proba,
                    times,
                    window=background.window,
                    threshold=threshold,
                    min_duration=min_duration,
                    merge_gap=merge_gap,
                )
            )
    hours = background.hours
    return total, (total / hours if hours > 0 else float("nan"))


def consequences(
    proba: np.ndarray,
    times: np.ndarray,
    *,
    window: float,
    threshold: float,
    min_duration: float,
    merge_gap: float,
    background: BackgroundProbabilities | None = None,
    channel_scores: np.ndarray | None = None,
    ch_names: Sequence[str] | None = None,
) -> OperatingPoint:
    """Say what an operating point does here and on the evaluation's seizure-free EEG.

    Parameters
    ----------
    proba, times : ndarray, shape (n_windows,)
        The recording's probability trend and window onsets.
    window : float
        Window length, seconds.
    threshold, min_duration, merge_gap : float
        The settings.
    background : BackgroundProbabilities | None
        What the model's evaluation recorded (:func:`model_background`);
        None when it recorded nothing.
    channel_scores, ch_names
        See :func:`events_at`.

    Returns
    -------
    point : OperatingPoint
        The events here and, when recorded, the false alarms.
    """
    events = events_at(
        proba,
        times,
        window=window,
        threshold=threshold,
        min_duration=min_duration,
        merge_gap=merge_gap,
        channel_scores=channel_scores,
        ch_names=ch_names,
    )
    false_alarms = hours = None
    if background is not None:
        false_alarms, _ = false_alarms_per_hour(
            background, threshold=threshold, min_duration=min_duration, merge_gap=merge_gap
        )
        hours = background.hours
    return OperatingPoint(
        float(threshold), float(min_duration), float(merge_gap), events, false_alarms, hours
    )


def background_probabilities(
    detector: SeizureDetector,
    recordings: Iterable[tuple[str, mne.io.BaseRaw]],
    *,
    source: str = "",
) -> BackgroundProbabilities:
    """Run a detector over seizure-free recordings and keep its window probabilities.

    Parameters
    ----------
    detector : SeizureDetector
        The trained detector (the one that is saved).
    recordings : iterable of (str, mne.io.Raw)
        Name and seizure-free recording, as
        :func:`models.evaluation.seizure.load_background` returns them.
    source : str
        What the EEG is, kept in the record.

    Returns
    -------
    background : BackgroundProbabilities
        One run per recording.
    """
    runs = []
    for name, raw in recordings:
        found = detector.detect(raw, progress_bar=False)
        runs.append((name, found.times, found.proba, found.duration))
        logger.info(
            "Seizure-free %s: %d windows, %d event(s) at the model's own settings.",
            name,
            len(found.times),
            len(found.events),
        )
    return BackgroundProbabilities(tuple(runs), detector.window, source)


def save_with_background(
    detector: SeizureDetector,
    background: BackgroundProbabilities,
    fname: str | os.PathLike,
    *,
    overwrite: bool = False,
) -> Path:
    """Save a detector with its evaluation's window probabilities on seizure-free EEG.

    The file is the one :meth:`SeizureDetector.save
    <models.seizure.detector.SeizureDetector.save>` writes, plus the
    ``evaluation`` section; readers that do not know the section ignore it.

    Parameters
    ----------
    detector : SeizureDetector
        The trained cube detector.
    background : BackgroundProbabilities
        What :func:`background_probabilities` recorded with it.
    fname : path-like
        The model file to write.
    overwrite : bool
        Whether an existing file may be replaced.

    Returns
    -------
    fname : pathlib.Path
        The file written.
    """
    import json

    if detector.method != "neucube":
        raise ValueError("Only the cube detector (method='neucube') is saved as a model file.")
    if abs(background.window - detector.window) > 1e-9:
        raise ValueError(
            f"The background probabilities were computed with {background.window:g} s windows, "
            f"the detector uses {detector.window:g} s; compute them with this detector."
        )
    sections = {
        "detector": {
            "params": json.dumps(detector.get_params()),
            "background": detector.background_,
        },
        EVALUATION_SECTION: background.to_section(),
    }
    return detector.classifier_.save(fname, overwrite=overwrite, extra=sections)


def model_background(detector: SeizureDetector) -> BackgroundProbabilities | None:
    """Return what a loaded model's evaluation recorded on seizure-free EEG.

    Parameters
    ----------
    detector : SeizureDetector
        A detector read from a model file.

    Returns
    -------
    background : BackgroundProbabilities | None
        The record, or None when the file has no ``evaluation`` section
        (every model file written before it existed, the shipped one
        included).
    """
    cube = getattr(getattr(detector, "classifier_", None), "cube_", None)
    extra = getattr(cube, "extra_", None) or {}
    section = extra.get(EVALUATION_SECTION)
    if not section:
        return None
    return BackgroundProbabilities.from_section(dict(section))
