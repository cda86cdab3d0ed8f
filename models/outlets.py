"""Live predictions and alerts out as LSL streams, for LabRecorder and other software.

:class:`PredictionOutlets` owns two LSL outlets:

- a numeric stream (type ``"Prediction"``, irregular rate, float64): per
  window of the seizure pipeline (:class:`~models.seizure.live.LivePipeline`)
  one sample with the seizure probability; per trial of the trial pipeline
  (:class:`~models.trials.live.LiveTrialPipeline`) one sample with the
  probability of each class, one channel per class;
- a marker stream (type ``"Markers"``, irregular rate, one string channel):
  one JSON text per step of an alert (``{"event": "alert", "state":
  "raised" | "updated" | "closed", ...}``: raised, its event grown, its
  final extent) or per trial classified (``{"event": "trial", ...}``).

Every sample carries the LSL timestamp of the EEG sample it is about (the last
sample of the window or epoch, :attr:`Prediction.timestamp
<models.seizure.live.Prediction.timestamp>`), not the time it was pushed, so a
recording of the EEG and of these streams lines them up sample for sample.

Give the outlets to a pipeline (``LivePipeline(..., outlets=outlets)``) and
it publishes each result as it is made; close them when done (or use them as a
context manager). ``neucube demo --headless --publish`` does it for the demo.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import uuid
from collections.abc import Sequence
from types import ModuleType

import numpy as np

from . import logger

__all__ = ["PROBA_TYPE", "MARKER_TYPE", "PredictionOutlets"]

#: LSL type of the numeric stream.
PROBA_TYPE = "Prediction"
#: LSL type of the marker stream (the type LabRecorder and most tools expect).
MARKER_TYPE = "Markers"

#: liblsl reads a timestamp of exactly 0 as "now"; this is pushed instead.
_TINY = math.nextafter(0.0, 1.0)


def _lsl() -> ModuleType:
    """Import :mod:`mne_lsl.lsl`, quieting liblsl first if nobody configured it."""
    if "mne_lsl.lsl" not in sys.modules and not os.environ.get("LSLAPICFG"):
        from acquisition.stream import configure_lsl

        configure_lsl()
    import mne_lsl.lsl

    return mne_lsl.lsl


def _json_value(x):
    """Make a value JSON-safe (numpy scalars, tuples, non-finite floats)."""
    if isinstance(x, dict):
        return {str(k): _json_value(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_value(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


class PredictionOutlets:
    """Two LSL outlets: the probabilities of each window or trial, and markers.

    Parameters
    ----------
    source : str
        Name of the EEG stream the predictions are about; the streams are
        named after it.
    classes : sequence of str | None
        The trial classifier's classes (one channel each, in this order);
        None for the seizure pipeline (one channel, ``"seizure"``).
    proba_name : str | None
        Name of the numeric stream; by default ``"<source>-neucube-proba"``.
    marker_name : str | None
        Name of the marker stream; by default ``"<source>-neucube-alerts"``
        (seizure) or ``"<source>-neucube-trials"`` (trials).
    session : str | None
        Token that makes the source ids unique (``"neucube-<session>-proba"``
        and ``"neucube-<session>-markers"``); a random one by default, so
        every run's streams have source ids of their own.

    Attributes
    ----------
    proba_name, marker_name : str
        The streams' names.
    proba_source_id, marker_source_id : str
        The streams' source ids.
    labels : list of str
        Channel labels of the numeric stream.
    closed : bool
        Whether :meth:`close` was called.
    n_failed : int
        Predictions and trials :meth:`deliver` could not publish.

    Raises
    ------
    ValueError
        If the names or classes are empty or repeated.
    RuntimeError
        If liblsl cannot create an outlet (nothing is left open then).

    Notes
    -----
    Samples pushed before a consumer (an inlet, LabRecorder) has connected
    are not delivered to it: create the outlets before the stream starts and
    call :meth:`wait_for_consumers` if every sample must be recorded.
    Pushing is thread-safe; a pipeline calls :meth:`publish` (or
    :meth:`publish_trial`) from its processing thread.

    Examples
    --------
    >>> with PredictionOutlets("EEG") as outlets:  # doctest: +SKIP
    ...     LivePipeline(detector, LSLSource("EEG"), outlets=outlets).run()
    """

    def __init__(
        self,
        source: str,
        classes: Sequence[str] | None = None,
        *,
        proba_name: str | None = None,
        marker_name: str | None = None,
        session: str | None = None,
    ) -> None:
        source = str(source or "").strip()
        if not source:
            raise ValueError("source must name the EEG stream the predictions are about.")
        self.kind = "seizure" if classes is None else "trials"
        if classes is None:
            labels = ["seizure"]
        else:
            labels = [str(c) for c in classes]
            if not labels or len(set(labels)) != len(labels):
                raise ValueError(
                    f"classes must be distinct class names, one channel each, got {labels!r}."
                )
        self.labels = labels
        self.source = source
        self.proba_name = proba_name or f"{source}-neucube-proba"
        self.marker_name = marker_name or (
            f"{source}-neucube-{'alerts' if self.kind == 'seizure' else 'trials'}"
        )
        if self.proba_name == self.marker_name:
            raise ValueError(
                f"proba_name and marker_name are both {self.proba_name!r}; give two names."
            )
        session = session or uuid.uuid4().hex[:12]
        self.proba_source_id = f"neucube-{session}-proba"
        self.marker_source_id = f"neucube-{session}-markers"
        self._lock = threading.Lock()
        self._proba = self._markers = None
        self.closed = False
        self.n_failed = 0
        self.n_proba = self.n_markers = 0
        try:
            lsl = _lsl()
        except Exception as err:  # mne-lsl or liblsl missing or broken
            self.closed = True
            raise RuntimeError(
                f"Cannot publish on LSL: mne_lsl.lsl could not be loaded ({err}). Install "
                "mne-lsl (pip install mne-lsl), or run without publishing."
            ) from err
        try:
            self._proba = self._outlet(
                lsl,
                self.proba_name,
                PROBA_TYPE,
                labels,
                "float64",
                self.proba_source_id,
                "probability",
            )
            self._markers = self._outlet(
                lsl, self.marker_name, MARKER_TYPE, ["event"], "string", self.marker_source_id, None
            )
        except BaseException:
            self._destroy()
            self.closed = True
            raise
        logger.info(
            "Publishing %s predictions on LSL stream %r (type %s, %d channel(s): %s) and "
            "markers on %r (type %s).",
            self.kind,
            self.proba_name,
            PROBA_TYPE,
            len(labels),
            ", ".join(labels),
            self.marker_name,
            MARKER_TYPE,
        )

    def _outlet(self, lsl, name, stype, labels, dtype, source_id, unit):
        try:
            info = lsl.StreamInfo(name, stype, len(labels), 0.0, dtype, source_id)
            info.set_channel_names(list(labels))
            info.set_channel_types(["misc"] * len(labels))
            if unit is not None:
                info.set_channel_units([unit] * len(labels))
            desc = info.desc.append_child("neucube")
            desc.append_child_value("source_stream", self.source)
            desc.append_child_value("pipeline", self.kind)
            desc.append_child_value(
                "timestamps", "LSL time of the last EEG sample of the window or epoch"
            )
            return lsl.StreamOutlet(info)
        except Exception as err:
            raise RuntimeError(
                f"Could not create the LSL outlet {name!r} (type {stype}): {err}. Check that "
                "liblsl works here (python -c 'import mne_lsl.lsl'), or run without publishing."
            ) from err

    def __repr__(self):
        state = "closed" if self.closed else "open"
        return (
            f"<PredictionOutlets | {self.proba_name!r} ({len(self.labels)} channel(s)), "
            f"{self.marker_name!r}; {self.n_proba} samples, {self.n_markers} markers, {state}>"
        )

    def __enter__(self) -> PredictionOutlets:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def names(self) -> dict:
        """dict: ``{"proba": name, "markers": name}``, the streams' names."""
        return {"proba": self.proba_name, "markers": self.marker_name}

    # -- pushing ---------------------------------------------------------------------

    def _check_open(self):
        if self.closed:
            raise RuntimeError(
                f"The LSL outlets {self.proba_name!r} and {self.marker_name!r} are closed; "
                "create new PredictionOutlets to publish again."
            )

    def push_proba(self, values: Sequence[float] | float, timestamp: float) -> None:
        """Push one sample of the numeric stream.

        Parameters
        ----------
        values : float | sequence of float
            One value per channel (:attr:`labels`).
        timestamp : float
            LSL timestamp of the EEG sample the values are about.

        Raises
        ------
        ValueError
            If the number of values is not the number of channels.
        RuntimeError
            If the outlets are closed.
        """
        x = np.atleast_1d(np.asarray(values, dtype=np.float64))
        if x.ndim != 1 or x.size != len(self.labels):
            raise ValueError(
                f"The stream {self.proba_name!r} has {len(self.labels)} channel(s) "
                f"({', '.join(self.labels)}); got {x.size} value(s)."
            )
        with self._lock:
            self._check_open()
            self._proba.push_sample(x, timestamp=float(timestamp) or _TINY)
            self.n_proba += 1

    def push_marker(self, payload: dict | str, timestamp: float) -> None:
        """Push one marker: a dict (sent as JSON text) or a text.

        Parameters
        ----------
        payload : dict | str
            The marker.
        timestamp : float
            LSL timestamp of the EEG sample the marker is about.

        Raises
        ------
        RuntimeError
            If the outlets are closed.
        """
        text = (
            payload
            if isinstance(payload, str)
            else json.dumps(_json_value(payload), sort_keys=True)
        )
        with self._lock:
            self._check_open()
            self._markers.push_sample([text], timestamp=float(timestamp) or _TINY)
            self.n_markers += 1

    def publish(self, prediction) -> None:
        """Publish one window of the seizure pipeline, and the alert it raised if any.

        Parameters
        ----------
        prediction : models.seizure.live.Prediction
            Its ``proba`` goes to the numeric stream; then each alert whose
            event it closed or grew (``alert_updates``) and the alert it
            raised (``alert``), in that order, to the marker stream (see
            :meth:`publish_alert`). All with ``prediction.timestamp``.

        Raises
        ------
        ValueError
            If these are outlets for trials.
        RuntimeError
            If the outlets are closed.
        """
        if self.kind != "seizure":
            raise ValueError(
                f"These outlets carry trial classes ({', '.join(self.labels)}); publish "
                "trials with publish_trial, or create PredictionOutlets(source) for seizures."
            )
        stamp = float(prediction.timestamp)
        self.push_proba([prediction.proba], stamp)
        window = int(prediction.index)
        for alert in getattr(prediction, "alert_updates", ()):
            self.publish_alert(alert, stamp, window=window)
        alert = getattr(prediction, "alert", None)
        if alert is not None:
            self.publish_alert(alert, stamp, window=window, state="raised")

    def publish_alert(
        self, alert, timestamp: float, *, window: int | None = None, state: str | None = None
    ) -> None:
        """Publish one step of an alert's life on the marker stream.

        Parameters
        ----------
        alert : models.alerts.Alert
            The alert, as it is now.
        timestamp : float
            LSL timestamp of the EEG sample it is about (the last sample of
            the window that raised, grew or closed it; the stream's last
            sample when the stream's end closed it).
        window : int | None
            The window that did it; None at the end of the stream.
        state : ``'raised'`` | ``'updated'`` | ``'closed'`` | None
            What happened; None: ``'updated'`` if the alert is ongoing, else
            ``'closed'``.

        Notes
        -----
        The marker is ``{"event": "alert", "state", "alert_id", "recording",
        "onset", "duration", "confidence", "channels", "threshold",
        "model_id", "window", "usable"}`` as JSON (``onset`` and
        ``duration``: seconds from the stream's first sample; ``duration``:
        the event's length so far, final once ``'closed'``; ``alert_id``: its
        id in the alert store, None when not stored).
        """
        if state is None:
            state = "updated" if alert.ongoing else "closed"
        if state not in ("raised", "updated", "closed"):
            raise ValueError(f"state must be 'raised', 'updated' or 'closed', got {state!r}.")
        self.push_marker(
            {
                "event": "alert",
                "state": state,
                "alert_id": alert.id,
                "recording": alert.recording,
                "onset": float(alert.onset),
                "duration": float(alert.duration),
                "confidence": alert.confidence,
                "channels": list(alert.channels),
                "threshold": alert.threshold,
                "model_id": alert.model_id,
                "window": window,
                "usable": alert.usable,
            },
            timestamp,
        )

    def publish_trial(self, trial) -> None:
        """Publish one trial of the trial pipeline: its class probabilities and a marker.

        Parameters
        ----------
        trial : models.trials.live.TrialResult
            Its probabilities (in the order of :attr:`labels`) go to the
            numeric stream; ``{"event": "trial", "index", "marker",
            "predicted", "confidence", "proba", "onset", "marker_timestamp"}``
            to the marker stream. Both with ``trial.timestamp`` (the LSL time
            of the epoch's last sample).

        Raises
        ------
        ValueError
            If the trial's classes are not the outlets' channels.
        RuntimeError
            If the outlets are closed.
        """
        proba = {str(k): float(v) for k, v in trial.proba.items()}
        if sorted(proba) != sorted(self.labels):
            raise ValueError(
                f"The trial's classes {sorted(proba)} are not the channels of "
                f"{self.proba_name!r} ({', '.join(self.labels)}); create the outlets with "
                "classes=pipeline.classes."
            )
        stamp = float(trial.timestamp)
        self.push_proba([proba[c] for c in self.labels], stamp)
        self.push_marker(
            {
                "event": "trial",
                "index": int(trial.index),
                "marker": trial.marker,
                "predicted": str(trial.predicted),
                "confidence": float(trial.confidence),
                "proba": proba,
                "onset": float(trial.onset),
                "marker_timestamp": getattr(trial, "marker_timestamp", None),
            },
            stamp,
        )

    # -- consumers, closing ----------------------------------------------------------

    def has_consumers(self) -> bool:
        """Return whether both streams have at least one consumer (e.g. LabRecorder).

        Returns
        -------
        connected : bool
            True when an inlet is connected to each stream.
        """
        with self._lock:
            if self.closed:
                return False
            return bool(self._proba.has_consumers and self._markers.has_consumers)

    def wait_for_consumers(self, timeout: float) -> bool:
        """Wait until both streams have a consumer, or until ``timeout`` seconds have passed.

        Parameters
        ----------
        timeout : float
            Most seconds to wait (for both streams together).

        Returns
        -------
        connected : bool
            Whether both streams have a consumer.
        """
        import time

        self._check_open()
        t_end = time.monotonic() + float(timeout)
        for outlet in (self._proba, self._markers):
            left = max(0.0, t_end - time.monotonic())
            if not outlet.wait_for_consumers(left):
                return False
        return True

    def _destroy(self):
        for attr in ("_proba", "_markers"):
            outlet = getattr(self, attr)
            if outlet is not None:
                setattr(self, attr, None)
                try:
                    outlet._del()
                except Exception:
                    logger.exception("Destroying the LSL outlet failed.")

    def deliver(self, item) -> bool:
        """Publish a pipeline's prediction or trial, never raising.

        A pipeline calls this from its processing thread: a failure (outlets
        closed, liblsl refusing) is logged once, then only counted in
        ``n_failed``, and the stream goes on.

        Parameters
        ----------
        item : Prediction | TrialResult
            A seizure window (:meth:`publish`) or a trial (:meth:`publish_trial`).

        Returns
        -------
        published : bool
            Whether it went out.
        """
        trial = hasattr(item, "marker_timestamp")
        try:
            (self.publish_trial if trial else self.publish)(item)
        except Exception:
            self.n_failed += 1
            if self.n_failed == 1:
                logger.exception(
                    "%s %d could not be published over LSL; the stream goes on (later "
                    "failures are only counted).",
                    "Trial" if trial else "Window",
                    item.index,
                )
            return False
        return True

    def close(self) -> None:
        """Destroy both outlets (their consumers see the streams end); a second call does nothing."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            self._destroy()
        logger.info(
            "Closed the LSL streams %r (%d samples) and %r (%d markers).",
            self.proba_name,
            self.n_proba,
            self.marker_name,
            self.n_markers,
        )
