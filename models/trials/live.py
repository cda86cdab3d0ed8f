"""Live trial classification: a stream and its markers in, one prediction per trial out.

:class:`LiveTrialPipeline` runs a trained trial classifier (a
:class:`~models.classifier.NeuCubeClassifier`, e.g. a
:class:`~models.trials.familiarity.FamiliarityClassifier`) on a live source
(:class:`acquisition.stream.LSLSource`, or anything with its interface, such as
:class:`acquisition.stream.ArraySource`). It has the contract of the live
seizure pipeline (:class:`~models.seizure.live.LivePipeline`): :meth:`step`
pulls once and returns what these samples completed, here the trials.

1. each chunk's channels are mapped to the model's channels by name (missing
   ones left flat, at most half of them), scaled to µV as the epochs the
   classifier was trained on;
2. kept in a :class:`~acquisition.stream.RingBuffer` with their timestamps;
3. markers start trials: sample numbers (a recording's annotations, see
   :func:`acquisition.annotation_onsets`) or an LSL marker stream
   (:class:`acquisition.stream.MarkerInlet`), whose timestamps are placed on
   the nearest sample;
4. as soon as the epoch after a marker is complete (``epoch_tmin`` to
   ``tmax`` of the classifier, or ``trial_seconds``), it is classified:
   :meth:`NeuCubeClassifier.transform <models.classifier.NeuCubeClassifier.transform>`
   then its readout, exactly as offline for the same samples;
5. with ``outlets`` (:class:`models.outlets.PredictionOutlets`), each trial's
   class probabilities and a marker are published as LSL streams, stamped
   with the LSL time of the epoch's last sample.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .. import logger

__all__ = ["LiveTrialPipeline", "TrialResult"]


@dataclasses.dataclass(eq=False)
class TrialResult:
    """One classified trial.

    Attributes
    ----------
    index : int
        Trial number, from 0.
    onset : float
        The marker's time, seconds from the stream's first sample.
    marker : str
        The marker's text (e.g. the annotation's description).
    predicted : object
        The predicted class.
    confidence : float
        Its probability.
    proba : dict
        Class to probability.
    compute_s : float
        Seconds the classification took.
    window : tuple of float
        Start and length (seconds from the stream's first sample) of the part
        of the epoch the cube saw.
    spikes : ndarray of int8, shape (n_channels, n_times) | None
        The encoder's spikes of the trial (the cube's input).
    activity : neucube.cube.CubeActivity | None
        The reservoir's spikes on the trial.
    timestamp : float | None
        LSL timestamp of the epoch's last sample (when the trial could be
        classified).
    marker_timestamp : float | None
        LSL timestamp of the marker's sample; None when the marker's sample
        lies outside the epoch.
    """

    index: int
    onset: float
    marker: str
    predicted: object
    confidence: float
    proba: dict
    compute_s: float = 0.0
    window: tuple = (0.0, 0.0)
    spikes: np.ndarray | None = dataclasses.field(default=None, repr=False)
    activity: object = dataclasses.field(default=None, repr=False)
    timestamp: float | None = None
    marker_timestamp: float | None = None

    @property
    def correct(self) -> bool | None:
        """bool | None: Whether the marker names the predicted class (None if it names none)."""
        classes = [str(c) for c in self.proba]
        if self.marker not in classes:
            return None
        return self.marker == str(self.predicted)


class LiveTrialPipeline:
    """Classify trials of a live stream as their epochs complete.

    Parameters
    ----------
    classifier : NeuCubeClassifier
        A fitted trial classifier (its ``ch_names``, ``sfreq``, and for a
        :class:`~models.trials.familiarity.FamiliarityClassifier` its window).
    source : LSLSource | ArraySource
        The stream, at the classifier's sampling rate.
    markers : list of (int, str) | MarkerInlet
        What starts the trials: sample numbers from the stream's first sample
        with their labels (see :func:`acquisition.annotation_onsets`), or an object whose
        ``pull()`` returns new ``(LSL timestamp, label)`` pairs.
    trial_seconds : float
        Epoch length for a classifier without a window of its own.
    buffer_seconds : float
        Seconds of signal kept (at least four epochs are).
    on_trial : callable | None
        Called with each :class:`TrialResult` as it is made; its errors are
        logged, never raised.
    outlets : models.outlets.PredictionOutlets | None
        LSL outlets each trial is published on before ``on_trial`` is called
        (created with ``classes=`` the classifier's classes, see
        :meth:`PredictionOutlets.publish_trial
        <models.outlets.PredictionOutlets.publish_trial>`); their errors are
        logged, never raised. They stay the caller's to close.

    Attributes
    ----------
    ch_names : list of str
        The model's channels, in order.
    sfreq : float
        The model's sampling rate.
    missing : list of str
        Model channels the stream lacks (left flat).
    trials : list of TrialResult
        Every trial classified so far.
    buffer : acquisition.stream.RingBuffer
        The signal (µV, model channels) with its timestamps (extra
        ``'stamps'``).
    """

    def __init__(
        self,
        classifier,
        source,
        *,
        markers,
        trial_seconds=1.0,
        buffer_seconds=30.0,
        on_trial=None,
        outlets=None,
    ):
        from acquisition.stream import RingBuffer

        if not hasattr(classifier, "readout_"):
            raise ValueError(
                "classifier is not fitted: load one with NeuCubeClassifier.load(path) or fit it."
            )
        self.classifier = clf = classifier
        self.source = source
        self.ch_names = list(clf.ch_names)
        self.sfreq = float(clf.sfreq)
        epoch_tmin = float(getattr(clf, "epoch_tmin", 0.0) or 0.0)
        tmax = getattr(clf, "tmax", None)
        if tmax is not None:
            self.n_epoch = int(round((float(tmax) - epoch_tmin) * self.sfreq))
            crop_start = int(round((float(clf.tmin) - epoch_tmin) * self.sfreq))
        else:
            self.n_epoch = int(round(float(trial_seconds) * self.sfreq))
            crop_start = 0
        if self.n_epoch < 2:
            raise ValueError(
                f"trial_seconds={trial_seconds!r} gives epochs of {self.n_epoch} samples at "
                f"{self.sfreq:g} Hz; give at least two samples."
            )
        self._crop = (crop_start, self.n_epoch)
        self._first_offset = int(round(epoch_tmin * self.sfreq))
        if isinstance(markers, (list, tuple)):
            self._pending = sorted((int(s), str(label)) for s, label in markers)
            self._inlet = None
        elif hasattr(markers, "pull"):
            self._pending, self._inlet = [], markers
        else:
            raise TypeError(
                "markers must be a list of (sample, label) pairs or a marker stream with "
                f"pull() (acquisition.stream.MarkerInlet), got {type(markers).__name__}."
            )
        self._unplaced = []  # LSL markers not yet placed: (timestamp, label)
        cap = max(int(round(float(buffer_seconds) * self.sfreq)), 4 * self.n_epoch)
        self.buffer = RingBuffer(len(self.ch_names), cap, extras=("stamps",))
        self.on_trial = on_trial
        self.outlets = outlets
        self.trials = []
        self.missing = []
        self._rows = None

    def __repr__(self):
        return (
            f"<LiveTrialPipeline | {type(self.classifier).__name__}, "
            f"{len(self.trials)} trials, {self.buffer.total / self.sfreq:.1f} s>"
        )

    @property
    def classes(self) -> list[str]:
        """list of str: The classifier's classes."""
        return [str(c) for c in self.classifier.classes_]

    @property
    def window(self) -> float:
        """float: Epoch length in seconds."""
        return self.n_epoch / self.sfreq

    @property
    def seconds(self) -> float:
        """float: Seconds of stream received."""
        return self.buffer.total / self.sfreq

    def _setup(self):
        src = self.source
        src_names = list(src.ch_names)
        if abs(float(src.sfreq) - self.sfreq) > 1e-6:
            raise ValueError(
                f"The stream is sampled at {float(src.sfreq):g} Hz but the model at "
                f"{self.sfreq:g} Hz; stream at the model's rate."
            )
        rows = [src_names.index(c) if c in src_names else None for c in self.ch_names]
        missing = [c for c, r in zip(self.ch_names, rows) if r is None]
        if len(missing) > len(self.ch_names) // 2:
            raise ValueError(
                f"The stream lacks {len(missing)} of the model's {len(self.ch_names)} channels "
                f"({missing[:8]}{' ...' if len(missing) > 8 else ''}); it cannot be classified "
                "with this model."
            )
        if missing:
            logger.warning("The stream lacks the model's channels %s: left flat.", missing)
        self._rows, self.missing = rows, missing

    def _place_markers(self):
        """Put LSL markers on the sample nearest their timestamp."""
        self._unplaced.extend(self._inlet.pull())
        buf = self.buffer
        if not self._unplaced or buf.total == 0:
            return
        lo, stamps = buf.extra("stamps")
        half = 0.5 / self.sfreq
        still = []
        for t, label in self._unplaced:
            if t > stamps[-1]:
                still.append((t, label))
                continue
            k = int(np.searchsorted(stamps, t - half))
            if k == 0 and t < stamps[0] - half:
                logger.warning("Marker %r at %.3f came before the kept data; skipped.", label, t)
                continue
            self._pending.append((lo + k, str(label)))
        self._pending.sort()
        self._unplaced = still

    def _classify(self, sample, label, start):
        clf = self.classifier
        X, stamps = self.buffer.get(start, start + self.n_epoch)
        X = X[np.newaxis]
        at = sample - start  # the marker's sample within the epoch
        t0 = time.perf_counter()
        activity, spikes = clf.transform(X, return_spikes=True)
        proba = clf.readout_.predict_proba(activity)[0]
        took = time.perf_counter() - t0
        k = int(np.argmax(proba))
        a, b = self._crop
        return TrialResult(
            index=len(self.trials),
            onset=sample / self.sfreq,
            marker=label,
            predicted=clf.classes_[k],
            confidence=float(proba[k]),
            proba={str(c): float(p) for c, p in zip(clf.classes_, proba)},
            compute_s=took,
            window=((start + a) / self.sfreq, (b - a) / self.sfreq),
            spikes=spikes[0],
            activity=activity,
            timestamp=float(stamps[-1]),
            marker_timestamp=float(stamps[at]) if 0 <= at < stamps.size else None,
        )

    def step(self) -> list[TrialResult]:
        """Pull once from the source and classify the trials these samples complete.

        Returns
        -------
        trials : list of TrialResult
            The trials completed (often none).
        """
        if getattr(self.source, "state", "connected") == "idle":
            self.source.connect()
        if self._rows is None:
            self._setup()
        data, ts = self.source.pull()
        n = ts.size
        if n:
            x = np.zeros((len(self.ch_names), n))
            for i, r in enumerate(self._rows):
                if r is not None:
                    x[i] = data[r]
            x *= 1e6  # µV, as the epochs a classifier is trained on
            self.buffer.append(x, stamps=ts)  # the buffer locks itself
        if self._inlet is not None:
            self._place_markers()
        done = []
        total = self.buffer.total
        while self._pending and self._pending[0][0] + self._first_offset + self.n_epoch <= total:
            sample, label = self._pending.pop(0)
            start = sample + self._first_offset
            if start < self.buffer.first:
                logger.warning("Trial at sample %d: its data are gone; skipped.", sample)
                continue
            trial = self._classify(sample, label, start)
            self.trials.append(trial)
            done.append(trial)
            if self.outlets is not None:
                self.outlets.deliver(trial)
            if self.on_trial is not None:
                try:
                    self.on_trial(trial)
                except Exception:
                    logger.exception("on_trial raised; the stream goes on.")
        return done

    def get_data(self, start: int, stop: int | None = None) -> tuple[int, np.ndarray]:
        """Return the model-channel signal from sample ``start`` (clipped to what is kept).

        Parameters
        ----------
        start : int
            First sample, counted from the stream's first sample.
        stop : int | None
            End (exclusive); None: everything received.

        Returns
        -------
        start : int
            The first sample returned.
        data : ndarray, shape (n_channels, n)
            µV, model channels in order.
        """
        stop = self.buffer.total if stop is None else stop
        first, data, _ = self.buffer.segment(start, stop)
        return first, data

    @property
    def n_pending(self) -> int:
        """int: Markers waiting for their epoch to complete."""
        return len(self._pending) + len(self._unplaced)

    def close(self) -> None:
        """Close the marker stream (the source is the caller's)."""
        if self._inlet is not None and hasattr(self._inlet, "close"):
            self._inlet.close()
