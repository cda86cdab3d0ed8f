"""Seizure detection over many recordings, here or on a Dask cluster: :func:`detect_many`.

A batch runs :meth:`SeizureDetector.detect <models.seizure.detector.SeizureDetector.detect>`
over each recording and keeps, for each, what ``neucube detect`` keeps for one:
its events, its length, the share of its EEG that was usable, the model that
ran. The work is split in two:

- **workers** do the pure work: read the recording, run the detector, and
  return a :class:`RecordingResult` (a few numbers and the events; never the
  signal). A worker reads the model file itself, once per process
  (:func:`models.io.read_model` with ``cache=True``): a trained cube is
  never pickled from one process to another, only the model's path travels;
- the **client** (the process that called :func:`run_batch`) alone writes:
  as each result arrives it writes the recording's files (the ``write``
  callback), stores its alerts and the record of the run in one transaction
  (:meth:`AlertStore.record_run <models.alerts.store.AlertStore.record_run>`),
  then reports it (``on_result``, the progress bar). A batch stopped half-way
  keeps every recording finished until then, and the same batch run again
  skips them (:meth:`AlertStore.finished
  <models.alerts.store.AlertStore.finished>`) and does the rest.

Where the work runs
-------------------
``n_jobs=1`` (the default)
    In this process, one recording after the other.
``n_jobs=N`` or ``-1`` (all cores)
    In N worker processes on this machine, through :mod:`joblib` (its
    ``loky`` processes, ``return_as='generator_unordered'``: each result is
    handed back as soon as it is ready).
``scheduler='local'``
    On a :class:`distributed.LocalCluster` started for the batch on this
    machine (``n_jobs`` workers, 2 by default, one process and one thread
    each) and closed after it.
``scheduler='tcp://host:8786'`` (or a :class:`distributed.Client`)
    On an existing Dask cluster. Every worker needs this package installed,
    and the recordings and the model file at the same paths as here (a
    shared file system); with the shipped model, each worker reads its own
    copy, and a worker whose copy differs is refused per recording (the
    model's identity is checked on every result).

Why a Dask client, not joblib's Dask backend
--------------------------------------------
On a cluster the batch talks to :class:`distributed.Client` directly: one
:meth:`~distributed.Client.submit` per recording and
:func:`distributed.as_completed` over the futures. joblib's ``dask``
backend would hide the futures behind joblib's batching and its
all-or-nothing error handling; the client gives each recording's result the
moment it is ready, whichever worker ran it, so the single writer here can
store it at once, and when a worker dies the scheduler runs its recordings
again on another worker (up to ``distributed.scheduler.allowed-failures``
times) while the others go on. Since a task writes nothing, running one
twice duplicates nothing: the client sees one result per recording and
stores it once. A task whose every worker died becomes a failed recording
(:class:`distributed.KilledWorker`), not a failed batch.

On this machine joblib is the lighter choice (no scheduler, no ports), with
the same per-recording results; a worker process that dies there ends the
joblib run, and the recordings not finished by then are reported as not run
(run the batch again to do them).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acquisition.recordings import RecordingFile

    from ..alerts import Alert, AlertStore
    from .detector import Detection

#: The recording was run over (and stored, when there is a store).
DONE = "done"
#: It could not be run over (unreadable, too few channels, no usable EEG ...).
FAILED = "failed"
#: It was run over with the same model before (the store says so).
SKIPPED = "skipped"
#: It was run over, but the store refused its alerts.
NOT_STORED = "not stored"
#: The batch stopped (interrupted, or its workers lost) before running it.
NOT_RUN = "not run"
#: What a skipped recording's reason says.
SKIPPED_REASON = "already run with this model"

_LOCK = threading.Lock()  # one recording at a time per process: a cube is not thread-safe
_FOLDER_SUFFIXES = {
    "szcore": "_events.tsv",
    "bids": "_events.tsv",
    "csv": "_events.csv",
    "mne": "_events-annot.fif",
    "edf": "_events.edf",
}


def no_usable_eeg_message(n_windows: int) -> str:
    """Return what is said of a recording whose every channel-window was unusable.

    Parameters
    ----------
    n_windows : int
        Its number of windows.

    Returns
    -------
    message : str
        One line, with what to check.
    """
    return (
        f"No usable EEG: every channel was flat or disconnected in every one of the "
        f"{n_windows} windows, so nothing could be detected. Check the recording "
        "(its units, its channels, the amplifier) before trusting any result."
    )


def usable_share(found: Detection) -> float | None:
    """Return the share of a detection's channel-windows that were usable.

    Missing channels are left flat, so they count as unusable as a flagged
    channel-window.

    Parameters
    ----------
    found : Detection
        What :meth:`SeizureDetector.detect
        <models.seizure.detector.SeizureDetector.detect>` returned.

    Returns
    -------
    usable : float | None
        In [0, 1]; None when nothing was usable (every channel-window flat,
        disconnected or missing).
    """
    n_cells = len(found.times) * len(found.ch_names)
    n_flagged = sum(found.flagged.values()) + len(found.missing) * len(found.times)
    if n_cells and n_flagged >= n_cells:
        return None
    return 1.0 - n_flagged / n_cells if n_cells else 0.0


def error_reason(err: BaseException) -> str:
    """Return an error as the one line that reports a failed recording.

    Parameters
    ----------
    err : Exception
        What went wrong.

    Returns
    -------
    reason : str
        The project's message (it names the file and what to do); an error
        of the system says which path and why; another error says its type.
    """
    text = str(err).strip()
    if isinstance(err, (FileNotFoundError, ValueError, TypeError)):
        pass
    elif isinstance(err, OSError):
        where = f" {err.filename}" if err.filename else ""
        text = f"cannot use{where}: {err.strerror or text or type(err).__name__}"
    else:
        text = f"unexpected error ({type(err).__name__}): {text or 'no message'}"
    return " ".join(text.split("\n")) or type(err).__name__


@dataclass(frozen=True)
class RecordingResult:
    """What a batch did with one recording.

    Attributes
    ----------
    recording : str
        The recording's identifier: its absolute path, as alerts and the
        store's runs name it.
    status : str
        :data:`DONE`, :data:`FAILED`, :data:`SKIPPED`, :data:`NOT_STORED`
        or :data:`NOT_RUN`.
    reason : str
        Why it failed, was skipped, not stored or not run (empty when done).
    duration : float | None
        Seconds of EEG run over.
    usable : float | None
        Share of its channel-windows that were usable, in [0, 1].
    events : tuple of SeizureEvent
        The seizures detected.
    n_windows : int
        Windows the detector scored.
    n_channels : int
        The model's channels.
    flagged : dict of str to int
        Channel → windows in which it was flat or disconnected.
    missing : tuple of str
        Model channels the recording lacked (left flat).
    resampled_from : float | None
        The recording's own sampling rate, when it was resampled.
    meas_date : datetime.datetime | None
        Start of the recording.
    model_id, model_version : str
        The model that ran (empty when it could not be read).
    threshold : float | None
        The decision threshold in force.
    alert_ids : tuple of int
        The ids of its alerts in the store, once stored.
    logs : tuple of (str, int, str)
        What the detector logged about it in a worker process (logger name,
        level, message), said again in the client; empty when it ran in the
        client, where it was said at once.
    worker : str
        Where it ran (``host:pid``).
    seconds : float
        Seconds the worker spent on it.
    """

    recording: str
    status: str
    reason: str = ""
    duration: float | None = None
    usable: float | None = None
    events: tuple = ()
    n_windows: int = 0
    n_channels: int = 0
    flagged: dict = field(default_factory=dict)
    missing: tuple = ()
    resampled_from: float | None = None
    meas_date: _dt.datetime | None = None
    model_id: str = ""
    model_version: str = ""
    threshold: float | None = None
    alert_ids: tuple = ()
    logs: tuple = ()
    worker: str = ""
    seconds: float = 0.0

    @property
    def ran(self) -> bool:
        """bool: Whether the detector ran over it (done, or done but not stored)."""
        return self.status in (DONE, NOT_STORED)

    def alerts(self) -> list[Alert]:
        """Return its events as alerts, as ``neucube detect`` stores them.

        Returns
        -------
        alerts : list of Alert
            One pending alert per event, not yet stored.
        """
        from ..alerts import Alert

        start = self.meas_date.isoformat() if self.meas_date else None
        return [
            Alert.from_event(
                ev,
                recording=self.recording,
                model_id=self.model_id,
                model_version=self.model_version,
                threshold=self.threshold,
                recording_start=start,
                recording_duration=self.duration,
            )
            for ev in self.events
        ]

    def to_dict(self) -> dict:
        """Return its row of a batch's table (what ``neucube detect --json`` writes).

        Returns
        -------
        row : dict
            ``recording``, ``status``, ``reason``, ``duration``, ``n_events``,
            ``usable`` and ``events`` (each with ``onset``, ``duration``,
            ``confidence``, ``channels``, ``label``, ``usable``), then
            ``missing``, ``flagged``, ``alert_ids`` and ``worker``.
        """
        return {
            "recording": self.recording,
            "status": self.status,
            "reason": self.reason,
            "duration": self.duration,
            "n_events": len(self.events) if self.ran else None,
            "usable": self.usable,
            "events": [
                {
                    "onset": ev.onset,
                    "duration": ev.duration,
                    "confidence": ev.confidence,
                    "channels": list(ev.channels),
                    "label": ev.label,
                    "usable": ev.usable,
                }
                for ev in self.events
            ],
            "missing": list(self.missing),
            "flagged": dict(self.flagged),
            "alert_ids": list(self.alert_ids),
            "worker": self.worker,
        }


@dataclass
class BatchPlan:
    """What a batch will do, known before any work (see :func:`plan_batch`).

    Attributes
    ----------
    recordings : list of RecordingFile
        Every recording of the batch, in order.
    pending : list of RecordingFile
        Those to run over.
    skipped : list of RecordingFile
        Those already run with this model (they are not run again).
    model : str | None
        The model file as the workers read it (absolute), or None for the
        shipped model (each worker reads its own copy).
    model_id, model_version : str
        The model's identity, as alerts and runs store it.
    threshold : float
        The decision threshold in force.
    store : AlertStore | None
        Where the results go (None: nowhere).
    """

    recordings: list
    pending: list
    skipped: list
    model: str | None
    model_id: str
    model_version: str
    threshold: float
    store: AlertStore | None = None


@dataclass
class BatchResult:
    """What a batch did (see :func:`run_batch`).

    Attributes
    ----------
    plan : BatchPlan
        What it was to do.
    results : list of RecordingResult
        One per recording, in the order of ``plan.recordings``.
    seconds : float
        Wall time of the work, from the first task to the last result.
    interrupted : bool
        Whether it was stopped (Ctrl-C) before the end: the recordings not
        finished then are :data:`NOT_RUN`, those finished are stored.
    """

    plan: BatchPlan
    results: list
    seconds: float = 0.0
    interrupted: bool = False

    def with_status(self, *statuses: str) -> list[RecordingResult]:
        """Return the results with one of these statuses.

        Parameters
        ----------
        *statuses : str
            :data:`DONE`, :data:`FAILED`, :data:`SKIPPED`, :data:`NOT_STORED`,
            :data:`NOT_RUN`.

        Returns
        -------
        results : list of RecordingResult
            In order.
        """
        return [r for r in self.results if r.status in statuses]

    @property
    def counts(self) -> dict[str, int]:
        """dict of str to int: How many recordings ended in each status (all five)."""
        counts = dict.fromkeys((DONE, FAILED, SKIPPED, NOT_STORED, NOT_RUN), 0)
        for r in self.results:
            counts[r.status] += 1
        return counts

    @property
    def hours(self) -> float:
        """float: Hours of EEG the detector ran over in this batch."""
        return sum(r.duration or 0.0 for r in self.results if r.ran) / 3600.0

    @property
    def n_alerts(self) -> int:
        """int: Alerts stored by this batch (new or found already stored)."""
        return sum(len(r.alert_ids) for r in self.results)


# -- planning ------------------------------------------------------------------------


def check_n_jobs(n_jobs: int | None, name: str = "n_jobs") -> int | None:
    """Check a number of worker processes.

    Parameters
    ----------
    n_jobs : int | None
        ``None`` (the default of each mode), ``-1`` (all cores) or a
        positive number.
    name : str
        How the caller names it, for the message.

    Returns
    -------
    n_jobs : int | None
        As given.

    Raises
    ------
    ValueError
        For 0, a negative number other than -1, or not an integer.
    """
    from .._parallel import check_n_jobs as _check

    if n_jobs is not None:
        _check(n_jobs, name)
    return n_jobs


def _as_recordings(inputs):
    from acquisition.recordings import RecordingFile, find_recordings

    if isinstance(inputs, (str, os.PathLike, RecordingFile)):
        inputs = [inputs]
    out, seen = [], set()
    for item in inputs:
        found = [item] if isinstance(item, RecordingFile) else find_recordings(item)
        for rec in found:
            if rec.path not in seen:
                seen.add(rec.path)
                out.append(rec)
    if not out:
        raise ValueError("No recording given: pass files, folders, glob patterns or a BIDS root.")
    return out


def plan_batch(
    inputs: Iterable[str | os.PathLike | RecordingFile] | str | os.PathLike,
    model: str | os.PathLike | None = None,
    *,
    threshold: float | None = None,
    store: AlertStore | None = None,
    skip_done: bool = True,
) -> BatchPlan:
    """Say what a batch will do, before any work: its recordings, its model, what it skips.

    Parameters
    ----------
    inputs : path-like | RecordingFile | iterable of them
        Recordings (:class:`acquisition.recordings.RecordingFile` from
        :func:`acquisition.recordings.find_recordings`), or files, folders,
        glob patterns and BIDS roots, expanded by it.
    model : path-like | None
        The seizure model file, or None for the shipped one. Only its path
        reaches the workers.
    threshold : float | None
        Decision threshold, in (0, 1]; None keeps the model's.
    store : AlertStore | None
        Where results will be stored; with ``skip_done`` the recordings it
        has recorded as run with this model are skipped.
    skip_done : bool
        Skip what the store has already recorded.

    Returns
    -------
    plan : BatchPlan
        The recordings to run and to skip, and the model's identity.

    Raises
    ------
    ValueError
        If the model file holds no seizure detector (or cannot be read), or
        the threshold is out of range.
    """
    from .._checks import check_number
    from ..io import model_identity, read_model

    recordings = _as_recordings(inputs)
    if model is not None:
        model = str(Path(os.fspath(model)).expanduser().resolve())
    loaded = read_model(model, cache=True)  # here too: errors before any work, and the identity
    if loaded.kind != "seizure":
        raise ValueError(
            f"The model file {loaded.path} holds a {loaded.description} ({loaded.class_name}), "
            "not a seizure detector. Train one with `neucube train --task seizure`, or pass "
            "None for the shipped one."
        )
    model_id, model_version = model_identity(loaded.model, loaded.path)
    if threshold is None:
        threshold = float(loaded.model.threshold)
    threshold = check_number(threshold, "threshold", allow_none=False)
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}.")
    done = store.finished(model_id, model_version) if store is not None and skip_done else set()
    pending = [r for r in recordings if str(r.path) not in done]
    skipped = [r for r in recordings if str(r.path) in done]
    return BatchPlan(
        recordings=recordings,
        pending=pending,
        skipped=skipped,
        model=model,
        model_id=model_id,
        model_version=model_version,
        threshold=threshold,
        store=store,
    )


# -- the work (in a worker) ------------------------------------------------------------


def _here():
    return f"{socket.gethostname()}:{os.getpid()}"


class _Records(logging.Handler):
    def __init__(self, level):
        super().__init__(level)
        self.records = []

    def emit(self, record):
        self.records.append((record.name, record.levelno, record.getMessage()))


@contextlib.contextmanager
def _relayed_logs(level, relay):
    """Collect the package's log records instead of writing them here, when ``relay``."""
    if not relay:
        yield None
        return
    root = logging.getLogger("neucube")
    handler = _Records(level)
    saved = (root.level, root.propagate, list(root.handlers))
    for h in saved[2]:
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for h in saved[2]:
            root.addHandler(h)
        root.setLevel(saved[0])
        root.propagate = saved[1]


def detect_recording(
    recording: str,
    model: str | None,
    threshold: float,
    *,
    allow_truncated: bool = False,
    log_level: int = logging.WARNING,
    client: str = "",
) -> RecordingResult:
    """Run the detector over one recording and return what it found: a batch's task.

    It writes nothing and never raises for a bad recording: any error
    becomes a :data:`FAILED` result with its reason. It runs wherever the
    batch sends it; the model is read from its file once per process.

    Parameters
    ----------
    recording : str
        The recording's file (absolute).
    model : str | None
        The model file, or None for the shipped one.
    threshold : float
        The decision threshold.
    allow_truncated : bool
        Read a truncated recording's complete records.
    log_level : int
        The level of the package logger in the client.
    client : str
        ``host:pid`` of the client: run elsewhere, what is logged is kept in
        the result (``logs``) for the client to say, not written here.

    Returns
    -------
    result : RecordingResult
        :data:`DONE` with the events, or :data:`FAILED` with the reason.
    """
    start = time.perf_counter()
    here = _here()
    with _LOCK, _relayed_logs(log_level, relay=client != here) as logs:
        result = _detect(recording, model, threshold, allow_truncated)
    return replace(
        result,
        logs=tuple(logs.records) if logs is not None else (),
        worker=here,
        seconds=time.perf_counter() - start,
    )


def _detect(recording, model, threshold, allow_truncated):
    from acquisition import read_raw

    from ..io import model_identity, read_model

    try:
        loaded = read_model(model, cache=True)
        det = loaded.model
        if loaded.kind != "seizure":
            raise ValueError(f"The model file {loaded.path} holds no seizure detector.")
        model_id, model_version = model_identity(det, loaded.path)
        raw = read_raw(recording, allow_truncated=allow_truncated)
        kept = det.threshold
        det.threshold = threshold
        try:
            found = det.detect(raw, progress_bar=False)
        finally:
            det.threshold = kept
    except Exception as err:  # a bad recording fails alone; the batch goes on
        return RecordingResult(recording, FAILED, reason=error_reason(err), threshold=threshold)
    usable = usable_share(found)
    common = dict(
        duration=float(found.duration),
        n_windows=len(found.times),
        n_channels=len(found.ch_names),
        flagged=dict(found.flagged),
        missing=tuple(found.missing),
        resampled_from=found.resampled_from,
        meas_date=raw.info.get("meas_date"),
        model_id=model_id,
        model_version=model_version,
        threshold=threshold,
    )
    if usable is None:
        reason = no_usable_eeg_message(len(found.times))
        return RecordingResult(recording, FAILED, reason=reason, usable=0.0, **common)
    return RecordingResult(recording, DONE, usable=usable, events=tuple(found.events), **common)


# -- where the work runs -------------------------------------------------------------


def _sequential(tasks):
    for args, kwargs in tasks:
        yield detect_recording(*args, **kwargs)


def _joblib(tasks, n_jobs):
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)
    seen = set()
    try:
        for result in parallel(delayed(detect_recording)(*a, **k) for a, k in tasks):
            seen.add(result.recording)
            yield result
    except Exception as err:  # a worker process died: joblib stops the whole run
        reason = (
            f"not run: the batch's worker processes stopped ({error_reason(err)}). Run the "
            "batch again to do it."
        )
        for args, _ in tasks:
            if args[0] not in seen:
                yield RecordingResult(args[0], NOT_RUN, reason=reason)


def _local_workers(n_jobs):
    from .._parallel import check_n_jobs as _check

    return 2 if n_jobs is None else _check(n_jobs)


def _dask(client, tasks):
    from distributed import KilledWorker, as_completed

    batch = uuid.uuid4().hex[:8]
    futures = {}
    for i, (args, kwargs) in enumerate(tasks):
        key = f"neucube-detect-{batch}-{i}"
        futures[client.submit(detect_recording, *args, key=key, **kwargs)] = args[0]
    try:
        for future in as_completed(futures):
            recording = futures[future]
            try:
                result = future.result()
            except KilledWorker as err:
                result = RecordingResult(
                    recording,
                    FAILED,
                    reason=(
                        f"every worker that ran it died ({error_reason(err)}); it may need "
                        "more memory than a worker has."
                    ),
                )
            except Exception as err:  # the task never raises: the cluster failed it
                result = RecordingResult(recording, FAILED, reason=error_reason(err))
            future.release()
            yield result
    finally:
        client.cancel([f for f in futures if not f.done()])


@contextlib.contextmanager
def _results(tasks, n_jobs, scheduler):
    """Yield an iterator of the tasks' results as they finish, wherever they run."""
    if scheduler is not None:
        from .._parallel import dask_client

        with dask_client(scheduler, _local_workers(n_jobs)) as client:
            it = _dask(client, tasks)
            try:
                yield it
            finally:
                it.close()
        return
    it = _sequential(tasks) if n_jobs in (None, 1) or len(tasks) < 2 else _joblib(tasks, n_jobs)
    try:
        yield it
    finally:
        it.close()


# -- the client ------------------------------------------------------------------------


def _bar(progress_bar, total):
    from tqdm.auto import tqdm

    if progress_bar is None:
        progress_bar = logging.getLogger("neucube").isEnabledFor(logging.INFO)
    return tqdm(
        total=total,
        desc="recordings",
        unit="rec",
        file=sys.stderr,
        disable=not progress_bar or total == 0,
        dynamic_ncols=True,
    )


def _say_logs(result):
    for name, level, message in result.logs:
        logging.getLogger(name).log(level, "%s", message)


def _finish(plan, result, write):
    """Check, write and store one result in the client; return it as it ended."""
    if result.status != DONE:
        return result
    if (result.model_id, result.model_version) != (plan.model_id, plan.model_version):
        return replace(
            result,
            status=FAILED,
            events=(),
            reason=(
                f"the worker {result.worker} read another model ({result.model_id}, "
                f"{result.model_version}) than this batch's ({plan.model_id}, "
                f"{plan.model_version}); give every worker the same model file."
            ),
        )
    if write is not None:
        try:
            write(result)
        except Exception as err:  # its files could not be written: not recorded, run again
            return replace(result, status=FAILED, reason=f"not written: {error_reason(err)}")
    if plan.store is None:
        return result
    try:  # the alerts and the record of the run, together
        ids = plan.store.record_run(
            result.recording,
            result.alerts(),
            model_id=plan.model_id,
            model_version=plan.model_version,
            duration=result.duration,
            usable=result.usable,
            threshold=result.threshold,
        )
    except Exception as err:  # locked, read-only, disk full: keep what was found
        return replace(result, status=NOT_STORED, reason=error_reason(err))
    return replace(result, alert_ids=tuple(ids))


def run_batch(
    plan: BatchPlan,
    *,
    allow_truncated: bool = False,
    n_jobs: int | None = None,
    scheduler: str | object | None = None,
    write: Callable[[RecordingResult], object] | None = None,
    on_result: Callable[[RecordingResult], object] | None = None,
    progress_bar: bool | None = None,
) -> BatchResult:
    """Run a planned batch and store each recording's result as it finishes.

    Parameters
    ----------
    plan : BatchPlan
        From :func:`plan_batch`.
    allow_truncated : bool
        Read truncated recordings' complete records instead of failing them.
    n_jobs : int | None
        Worker processes: None or 1 runs here, one recording after the other;
        N (or -1, one per core) runs N processes through joblib. With
        ``scheduler='local'``, the number of Dask workers (None: 2).
    scheduler : str | distributed.Client | None
        None: on this machine as ``n_jobs`` says; ``'local'``: on a
        :class:`distributed.LocalCluster` started for the batch; an address
        (``'tcp://host:8786'``) or a :class:`distributed.Client`: on that
        cluster (see the module's notes). A worker plugin
        (``neucube-eeg-brian2``) is registered there, which imports Brian2 in
        each worker's main thread.
    write : callable | None
        Called in this process with each recording the detector ran over,
        before it is stored: the place to write its files. If it raises,
        the recording is :data:`FAILED` (``'not written: ...'``) and not
        recorded, so that the batch run again does it again.
    on_result : callable | None
        Called in this process with each recording's final result, skipped
        ones first, then the others as they finish (after they are stored).
    progress_bar : bool | None
        A bar of recordings done, with the hours of EEG processed; None
        shows it when the package logs at INFO level.

    Returns
    -------
    result : BatchResult
        Every recording's result, in the plan's order.

    Raises
    ------
    ValueError
        If the cluster cannot be reached or has no worker (before any work).

    Notes
    -----
    Ctrl-C stops the batch: the tasks not finished are cancelled, the
    recordings finished (and stored) so far are kept, and the result says
    ``interrupted`` with the rest :data:`NOT_RUN`.
    """
    check_n_jobs(n_jobs)
    by_path = {}
    level = logging.getLogger("neucube").getEffectiveLevel()
    tasks = [
        (
            (str(rec.path), plan.model, plan.threshold),
            dict(allow_truncated=allow_truncated, log_level=level, client=_here()),
        )
        for rec in plan.pending
    ]
    interrupted = False
    start = time.perf_counter()
    bar = None
    hours = 0.0
    try:
        with _results(tasks, n_jobs, scheduler) as results:  # connected: the work can start
            for rec in plan.skipped:
                result = RecordingResult(str(rec.path), SKIPPED, reason=SKIPPED_REASON)
                by_path[result.recording] = result
                if on_result is not None:
                    on_result(result)
            bar = _bar(progress_bar, len(tasks))
            for result in results:
                result = _finish(plan, result, write)
                by_path[result.recording] = result
                if result.ran:
                    hours += (result.duration or 0.0) / 3600.0
                with bar.external_write_mode(file=sys.stderr) if not bar.disable else _nothing():
                    _say_logs(result)
                    if on_result is not None:
                        on_result(result)
                bar.set_postfix_str(f"{hours:.2f} h of EEG", refresh=False)
                bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    for rec in plan.pending:
        by_path.setdefault(
            str(rec.path), RecordingResult(str(rec.path), NOT_RUN, reason="interrupted")
        )
    results = [by_path[str(rec.path)] for rec in plan.recordings]
    return BatchResult(plan=plan, results=results, seconds=seconds, interrupted=interrupted)


@contextlib.contextmanager
def _nothing():
    yield


def detect_many(
    inputs: Iterable[str | os.PathLike | RecordingFile] | str | os.PathLike,
    model: str | os.PathLike | None = None,
    *,
    threshold: float | None = None,
    allow_truncated: bool = False,
    n_jobs: int | None = None,
    scheduler: str | object | None = None,
    store: AlertStore | None = None,
    skip_done: bool = True,
    write: Callable[[RecordingResult], object] | None = None,
    on_result: Callable[[RecordingResult], object] | None = None,
    progress_bar: bool | None = None,
) -> BatchResult:
    """Detect seizures in many recordings, here or on a Dask cluster, storing each as it ends.

    :func:`plan_batch` then :func:`run_batch`: see them for the details.

    Parameters
    ----------
    inputs : path-like | RecordingFile | iterable of them
        Files, folders (searched with their subfolders), glob patterns, BIDS
        dataset roots, or recordings from
        :func:`acquisition.recordings.find_recordings` (for BIDS filters).
    model : path-like | None
        The seizure model file, or None for the shipped one.
    threshold : float | None
        Decision threshold, in (0, 1]; None keeps the model's.
    allow_truncated : bool
        Read truncated recordings' complete records instead of failing them.
    n_jobs : int | None
        Worker processes (joblib), or Dask workers with ``scheduler='local'``.
    scheduler : str | distributed.Client | None
        None, ``'local'``, a scheduler address or a client.
    store : AlertStore | None
        Store each recording's alerts and run there, as it finishes.
    skip_done : bool
        Skip the recordings the store has recorded as run with this model.
    write : callable | None
        Writes a finished recording's files, before it is stored.
    on_result : callable | None
        Called with each recording's result as it ends.
    progress_bar : bool | None
        Show a bar of recordings done.

    Returns
    -------
    result : BatchResult
        Every recording's result, in order.

    Examples
    --------
    >>> from models.alerts import AlertStore
    >>> from models.seizure.batch import detect_many
    >>> with AlertStore("alerts.sqlite") as store:  # doctest: +SKIP
    ...     done = detect_many("archive/", store=store, scheduler="local", n_jobs=4)
    >>> done.counts  # doctest: +SKIP
    {'done': 120, 'failed': 2, 'skipped': 0, 'not stored': 0, 'not run': 0}
    """
    plan = plan_batch(inputs, model, threshold=threshold, store=store, skip_done=skip_done)
    return run_batch(
        plan,
        allow_truncated=allow_truncated,
        n_jobs=n_jobs,
        scheduler=scheduler,
        write=write,
        on_result=on_result,
        progress_bar=progress_bar,
    )


# -- outputs ---------------------------------------------------------------------------


def output_names(recordings: Iterable[RecordingFile]) -> dict[str, str]:
    """Name each recording's output files, uniquely within the batch.

    Parameters
    ----------
    recordings : iterable of RecordingFile
        The batch's recordings.

    Returns
    -------
    names : dict of str to str
        Recording (its absolute path) → a file-name-safe stem: the BIDS
        entities for a BIDS recording (``'sub-01_task-rest_run-1'``), else
        the file name without its EEG extension (``'chb01_03'``). Recordings
        whose stems agree get the folders that tell them apart too
        (``'p1_night'``, ``'p2_night'``).

    Raises
    ------
    ValueError
        If two recordings still get one name (their paths differ only in
        characters a file name cannot hold).
    """
    import re

    def safe(text):
        return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "recording"

    recordings = list(recordings)
    stems = {str(r.path): safe(r.stem) for r in recordings}
    groups: dict[str, list] = {}
    for r in recordings:
        groups.setdefault(stems[str(r.path)].lower(), []).append(r)
    names = dict(stems)
    for group in groups.values():
        if len(group) < 2:
            continue
        common = Path(os.path.commonpath([str(r.path.parent) for r in group]))
        for r in group:
            rel = r.path.parent.relative_to(common).parts
            names[str(r.path)] = safe("_".join([*rel, r.stem]))
    seen: dict[str, str] = {}
    for path, name in names.items():
        other = seen.setdefault(name.lower(), path)
        if other != path:
            raise ValueError(
                f"Recordings {other} and {path} would write files of one name ({name!r}). "
                "Run them in separate batches, or rename one."
            )
    return names


def folder_suffix(fmt: str) -> str:
    """Return what ends the name of a recording's events file written into a folder.

    Parameters
    ----------
    fmt : str
        The format (``'szcore'``, ``'bids'``, ``'csv'``, ``'mne'``, ``'edf'``).

    Returns
    -------
    suffix : str
        ``'_events.tsv'`` (SzCORE and BIDS), ``'_events.csv'``,
        ``'_events-annot.fif'``, ``'_events.edf'``.
    """
    return _FOLDER_SUFFIXES[fmt]


def derivative_paths(
    root: str | os.PathLike, recordings: Iterable[RecordingFile]
) -> dict[str, Path]:
    """Return where each recording's detections go in a BIDS derivatives folder.

    Parameters
    ----------
    root : path-like
        The derivatives folder.
    recordings : iterable of RecordingFile
        The batch's recordings.

    Returns
    -------
    paths : dict of str to pathlib.Path
        Recording → its ``*_events.tsv``: for a BIDS recording the BIDS path
        of its entities (``sub-01/ses-1/eeg/sub-01_ses-1_task-rest_events.tsv``,
        through :class:`mne_bids.BIDSPath`), else ``<name>_events.tsv`` at the
        top, named as :func:`output_names` says.
    """
    root = Path(os.fspath(root)).expanduser()
    recordings = list(recordings)
    names = output_names(recordings)
    paths = {}
    for rec in recordings:
        if rec.is_bids and rec.entities.get("subject"):
            from mne_bids import BIDSPath

            entities = {k: v for k, v in rec.entities.items() if k != "split"}
            bp = BIDSPath(root=root, datatype="eeg", suffix="events", extension=".tsv", **entities)
            paths[str(rec.path)] = Path(bp.fpath)
        else:
            paths[str(rec.path)] = root / f"{names[str(rec.path)]}_events.tsv"
    return paths


def check_derivatives_root(
    root: str | os.PathLike,
    option: str = "bids_derivatives",
    *,
    inputs: Iterable[str | os.PathLike] = (),
) -> Path:
    """Check, before any work, that a folder may take a batch's BIDS derivatives.

    Parameters
    ----------
    root : path-like
        The folder (created, with the folders above it, when the first file
        is written).
    option : str
        How the caller names it, for the messages (``'--bids-derivatives'``).
    inputs : iterable of path-like
        BIDS datasets read by the batch: never written into as if they were
        the derivatives.

    Returns
    -------
    root : pathlib.Path
        The folder, ``~`` expanded.

    Raises
    ------
    ValueError
        If it is a file, one of ``inputs``, a raw BIDS dataset or another
        pipeline's derivatives, or if it (or, when it does not exist, the
        folder above it) cannot be written.
    """
    from .._files import same_file

    given = os.fspath(root)
    path = Path(given).expanduser()
    for other in inputs:
        if same_file(path, other):
            raise ValueError(
                f"{option} {given} is the BIDS dataset being read; write its derivatives in a "
                f"folder of their own, such as {Path(given) / 'derivatives' / 'neucube'}."
            )
    if path.exists() and not path.is_dir():
        raise ValueError(f"{option} {given} is a file; give a folder for the derivatives.")
    if not path.exists():
        above = path.parent
        while not above.exists() and above != above.parent:
            above = above.parent
        if not above.is_dir() or not os.access(above, os.W_OK):
            raise ValueError(
                f"{option} {given}: the folder cannot be created in {above} (not a folder one "
                "may write to). Choose another path."
            )
        return path
    if not os.access(path, os.W_OK):
        raise ValueError(f"{option} {given}: the folder cannot be written to.")
    description = path / "dataset_description.json"
    if description.exists():
        try:
            meta = json.loads(description.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ValueError(
                f"{option} {given}: its dataset_description.json cannot be read ({err}); "
                "choose another folder."
            ) from None
        makers = [g.get("Name") for g in meta.get("GeneratedBy") or [] if isinstance(g, dict)]
        if meta.get("DatasetType") != "derivative":
            raise ValueError(
                f"{option} {given} holds a BIDS dataset of type "
                f"{meta.get('DatasetType', 'raw')!r}, not derivatives; write the derivatives "
                f"in a folder of their own, such as {Path(given) / 'derivatives' / 'neucube'}."
            )
        if "neucube-eeg" not in makers:
            raise ValueError(
                f"{option} {given} holds the derivatives of {', '.join(map(str, makers)) or 'another pipeline'}"
                "; choose a folder of neucube-eeg's own."
            )
    return path


def derivatives_description(plan: BatchPlan, sources: Iterable[str | os.PathLike] = ()) -> str:
    """Return the ``dataset_description.json`` of a batch's BIDS derivatives.

    Made by :func:`mne_bids.make_dataset_description`: ``DatasetType``
    ``'derivative'``, ``GeneratedBy`` neucube-eeg with its version and the
    model, ``SourceDatasets`` the BIDS datasets read.

    Parameters
    ----------
    plan : BatchPlan
        The batch.
    sources : iterable of path-like
        The BIDS datasets it read.

    Returns
    -------
    text : str
        The JSON text.
    """
    import mne_bids

    from neucube import __version__

    generated = [
        {
            "Name": "neucube-eeg",
            "Version": __version__,
            "Description": (
                f"Seizure detection by the model {plan.model_id} ({plan.model_version}), "
                f"threshold {plan.threshold:g}; events in SzCORE's columns."
            ),
        }
    ]
    source = [{"URL": Path(s).resolve().as_uri()} for s in sources] or None
    with tempfile.TemporaryDirectory() as tmp:
        mne_bids.make_dataset_description(
            path=tmp,
            name="neucube-eeg seizure detections",
            dataset_type="derivative",
            generated_by=generated,
            source_datasets=source,
            overwrite=True,
            verbose="error",
        )
        written = Path(tmp) / "dataset_description.json"
        meta = json.loads(written.read_text(encoding="utf-8"))
    # mne_bids fills unknown authors with placeholders; a derivative names its pipeline instead.
    if all(str(a).startswith("[Unspecified") for a in meta.get("Authors", [])):
        meta.pop("Authors", None)
    return json.dumps(meta, indent=4) + "\n"


def write_derivative(path: str | os.PathLike, result: RecordingResult) -> Path:
    """Write one recording's detections as a BIDS derivatives ``*_events.tsv``.

    Parameters
    ----------
    path : path-like
        The file (its folders are created).
    result : RecordingResult
        A recording the detector ran over.

    Returns
    -------
    path : pathlib.Path
        The file, in SzCORE's columns (:func:`models.seizure.formats.szcore_text`):
        one row per seizure, or one ``bckg`` row spanning a recording without.
    """
    from .._files import write_atomic
    from .formats import szcore_text

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = szcore_text(
        result.events, recording_duration=result.duration, meas_date=result.meas_date
    )
    return write_atomic(path, text)


def table(result: BatchResult) -> dict:
    """Return a batch's table, as ``neucube detect --json`` writes it.

    Parameters
    ----------
    result : BatchResult
        The batch.

    Returns
    -------
    table : dict
        ``model`` (id, version, threshold), ``summary`` (the counts per
        status, hours of EEG, seconds, interrupted) and ``recordings`` (one
        row per recording, :meth:`RecordingResult.to_dict`).
    """
    plan = result.plan
    return {
        "model": {
            "model_id": plan.model_id,
            "model_version": plan.model_version,
            "threshold": plan.threshold,
        },
        "summary": {
            **result.counts,
            "hours": result.hours,
            "seconds": result.seconds,
            "interrupted": result.interrupted,
        },
        "recordings": [r.to_dict() for r in result.results],
    }


__all__ = [
    "DONE",
    "FAILED",
    "NOT_RUN",
    "NOT_STORED",
    "SKIPPED",
    "SKIPPED_REASON",
    "BatchPlan",
    "BatchResult",
    "RecordingResult",
    "check_derivatives_root",
    "check_n_jobs",
    "derivative_paths",
    "derivatives_description",
    "detect_many",
    "detect_recording",
    "error_reason",
    "folder_suffix",
    "no_usable_eeg_message",
    "output_names",
    "plan_batch",
    "run_batch",
    "table",
    "usable_share",
    "write_derivative",
]
