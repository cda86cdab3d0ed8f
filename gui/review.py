"""The review window: recorded EEG and its stored alerts, without replaying it.

A night's recordings were run through ``neucube detect`` into an alert store;
:class:`ReviewWindow` opens them for the morning's review. It only draws, as
the main window does (:mod:`gui.window`): the alert store is read and written
by one :class:`~gui.worker.BackgroundTasks` thread, the recording is read and
the cube run by another, and a ``QTimer`` in the GUI thread pulls what they
produced. Nothing in the GUI thread waits on SQLite, a file or the cube
(Brian2 is imported there once, after the first alerts are drawn: it must be):

1. the stored alerts of the recording come first (a query), and are listed at
   once, pending ones first;
2. the recording is read (:func:`acquisition.read_raw`) and filtered the
   model's way (:meth:`SeizureDetector.prepare
   <models.seizure.detector.SeizureDetector.prepare>`), and drawn on the EEG
   page (:class:`gui.eeg.EEGPage`: sensitivity, time base, paging, montage);
3. the probability trend over the whole recording is computed
   (:meth:`SeizureDetector.detect
   <models.seizure.detector.SeizureDetector.detect>`), with a progress bar; an
   hour takes about 20 s on two cores. A click on the trend shows the EEG
   there.

The threshold, minimum duration and merge gap controls say what those
settings do on the trend at hand and on the seizure-free EEG of the model's
evaluation (:mod:`models.seizure.thresholds`, when the model file recorded
it). Reviews go through :meth:`AlertStore.review
<models.alerts.store.AlertStore.review>`, which keeps every step in the
audit trail.

Keys (not while typing in the reviewer or note field): N next alert, P
previous alert, C confirm, R reject.

``python -m gui.review FILE ...`` runs :func:`main` (``neucube review`` starts
it as its own process).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets  # before pyqtgraph, which uses it

# isort: split
import pyqtgraph as pg

from .eeg import EEGPage
from .worker import BackgroundTasks, drain_results, import_in_main_thread

logger = logging.getLogger("neucube.gui")

#: Exit code of :func:`main` without a display (as :data:`gui.app.EXIT_NO_DISPLAY`).
EXIT_NO_DISPLAY = 3
#: Seconds of EEG shown before and after an alert.
CONTEXT_S = 30.0
#: Windows the cube scores per step of the trend's progress bar (5 min at a 1 s hop).
_TREND_BATCH = 300
#: The keys of the review, and what they do.
KEYS = {
    "N": "next alert",
    "P": "previous alert",
    "C": "confirm the selected alert as a seizure",
    "R": "reject the selected alert (false alarm)",
}
_FILTERS = {
    "pending": ("pending",),
    "all (pending first)": ("pending", "confirmed", "rejected"),
    "confirmed": ("confirmed",),
    "rejected": ("rejected",),
}
_STATUS_COLORS = {"pending": "#c77800", "confirmed": "#1a8f3a", "rejected": "#777777"}


def recording_identifier(path: str | os.PathLike) -> str:
    """Return the name under which ``neucube detect`` stores a recording's alerts.

    Parameters
    ----------
    path : path-like
        The recording file.

    Returns
    -------
    recording : str
        Its absolute path with links resolved (what ``neucube detect FILE``
        and its batches store as ``recording``).
    """
    try:
        return str(Path(os.fspath(path)).expanduser().resolve())
    except (OSError, RuntimeError):  # a link loop: the path as given
        return os.path.abspath(os.fspath(path))


class _Cancelled(Exception):
    """The trend of a recording nobody looks at any more."""

    def __str__(self):
        return "stopped: another recording was chosen, or the window closed"


def _sort_alerts(alerts):
    """Return alerts pending first, then by onset."""
    return sorted(alerts, key=lambda a: (a.status != "pending", a.onset, a.id))


# -- work done in the background threads (no Qt) ---------------------------------------


def _list_alerts(store, recording):
    return store.list(recording=recording)


def _pending_counts(store, recordings):
    return {rec: len(store.list(status="pending", recording=rec)) for rec in recordings}


def _review(store, alert_id, status, reviewer, note):
    alert = store.review(alert_id, status, reviewer, note)
    return alert, store.history(alert_id)


def _export_edf(store, fname, recording, statuses, overwrite):
    return store.export(fname, "edf", statuses, recording=recording, overwrite=overwrite)


class _Loader:
    """Reads a recording and computes its trend in the loader thread (no Qt).

    Parameters
    ----------
    model : path-like | None
        The model file (None: the shipped one).
    """

    def __init__(self, model):
        self.model = model
        self.wanted = None  # the token whose trend is wanted (set by the GUI thread)
        self.progress = {}  # token -> (windows scored, windows in all), written here
        self.brian_imported = threading.Event()  # set by the GUI thread (see import_brian)
        self._raw = {}

    def detector(self):
        from models.io import read_model

        self.brian_imported.wait()
        loaded = read_model(self.model, cache=True)
        if loaded.kind != "seizure":
            raise ValueError(
                f"{loaded.path}: the file holds a {loaded.description}, not a seizure detector."
            )
        return loaded.model

    def eeg(self, _, token, path):
        """Read and filter the recording; return what the window draws."""
        from acquisition import read_raw
        from models.seizure.thresholds import model_background

        raw = read_raw(path)
        det = self.detector()
        data, info = det.prepare(raw)
        self._raw = {token: raw}  # for its trend, next in this thread
        return {
            "path": path,
            "ch_names": list(det.ch_names),
            "sfreq": float(det.sfreq),
            "data": data,
            "duration": float(info["duration"]),
            "missing": list(info["missing"]),
            "meas_date": raw.info.get("meas_date"),
            "window": float(det.window),
            "threshold": float(det.threshold),
            "min_duration": float(det.min_duration),
            "merge_gap": float(det.merge_gap),
            "filters": (det.l_freq, det.h_freq, det.notch),
            "background": model_background(det),
        }

    def trend(self, _, token):
        """Run the detector over the whole recording, counting the windows scored."""
        raw = self._raw.pop(token, None)
        if raw is None:
            raise _Cancelled()
        det = self.detector()
        duration = raw.n_times / raw.info["sfreq"]
        total = max(1, int(math.floor((duration - det.window) / det.hop + 1e-9)) + 1)
        self.progress[token] = (0, total)
        score = det.score_windows

        def counted(win, *args, **kwargs):
            if self.wanted != token:
                raise _Cancelled()
            out = score(win, *args, **kwargs)
            done = self.progress[token][0] + len(win)
            self.progress[token] = (done, max(total, done))
            return out

        det.score_windows = counted  # this instance only; put back below
        det._batch_windows = _TREND_BATCH
        try:
            found = det.detect(raw, progress_bar=False)
        finally:
            del det.score_windows, det._batch_windows
        return found


# -- the window -------------------------------------------------------------------------


class TrendView(pg.PlotWidget):
    """The seizure probability over the whole recording; a click jumps there."""

    clicked = QtCore.Signal(float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setLabel("left", "p(seizure)")
        plot.setLabel("bottom", "time", units="s")
        plot.setYRange(0, 1.05, padding=0)
        plot.setMouseEnabled(x=True, y=False)
        self.curve = pg.PlotCurveItem(pen=pg.mkPen("#1f3b73", width=1))
        plot.addItem(self.curve)
        self.threshold_line = pg.InfiniteLine(
            pos=0.5, angle=0, pen=pg.mkPen("#c0281e", style=QtCore.Qt.DashLine)
        )
        plot.addItem(self.threshold_line, ignoreBounds=True)
        self.cursor = pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#e08000", width=1))
        plot.addItem(self.cursor, ignoreBounds=True)
        self._alerts, self._events = [], []
        self.setToolTip("Click to show the EEG at that time.")
        self.scene().sigMouseClicked.connect(self._clicked)

    def set_range(self, duration):
        """Show the whole recording, ``duration`` seconds."""
        self.getPlotItem().setXRange(0, max(duration, 1.0), padding=0.01)

    def set_trend(self, times, proba, window):
        """Draw each window's probability at its middle."""
        x = np.asarray(times) + window / 2
        self.curve.setData(x, np.asarray(proba))

    def _spans(self, items, spans, brush):
        plot = self.getPlotItem()
        for item in items:
            plot.removeItem(item)
        items.clear()
        for t0, t1 in spans:
            region = pg.LinearRegionItem(
                values=(t0, t1), movable=False, brush=brush, pen=pg.mkPen(None)
            )
            region.setZValue(-10)
            plot.addItem(region, ignoreBounds=True)
            items.append(region)

    def set_alerts(self, spans):
        """Shade the stored alerts, ``(t0, t1)`` spans."""
        self._spans(self._alerts, spans, pg.mkBrush(220, 40, 40, 60))

    def set_events(self, spans):
        """Shade the events the operating point finds, ``(t0, t1)`` spans."""
        self._spans(self._events, spans, pg.mkBrush(40, 90, 220, 45))

    def _clicked(self, event):
        vb = self.getPlotItem().vb
        pos = event.scenePos()
        if vb.sceneBoundingRect().contains(pos):
            self.clicked.emit(float(vb.mapSceneToView(pos).x()))


class ReviewWindow(QtWidgets.QMainWindow):
    """Review stored alerts over recorded EEG, one recording at a time.

    Parameters
    ----------
    recordings : list of path-like
        The recording files (their alerts are stored under their
        absolute paths, as ``neucube detect`` stores them).
    model : path-like | None
        The model file for the EEG's channels and filter and the trend
        (None: the shipped seizure model).
    db : path-like | None
        The alert store (None: the user's default store).
    reviewer : str
        The reviewer's name, filled in.
    context : float
        Seconds of EEG shown before and after an alert.
    frame_interval_ms : int
        Period of the timer that pulls results from the threads.

    Attributes
    ----------
    recordings : list of str
        The files, as given.
    alerts : list of models.alerts.Alert
        The alerts of the recording shown, as listed (filtered, pending
        first).
    trend : models.seizure.detector.Detection | None
        The trend of the recording shown, once computed.
    point : models.seizure.thresholds.OperatingPoint | None
        What the threshold controls' settings do (once the trend is there).
    first_alert_shown_at : float | None
        ``time.perf_counter()`` when an alert was first on screen.

    Signals
    -------
    firstAlertShown(float)
        An alert is on screen for the first time (listed and painted), at
        this ``time.perf_counter()``.
    """

    firstAlertShown = QtCore.Signal(float)

    def __init__(
        self,
        recordings,
        model=None,
        db=None,
        *,
        reviewer="",
        context=CONTEXT_S,
        frame_interval_ms=30,
    ):
        super().__init__()
        if not recordings:
            raise ValueError("ReviewWindow needs at least one recording file.")
        self.recordings = [str(r) for r in recordings]
        self._ids = [recording_identifier(r) for r in self.recordings]
        self.context = float(context)
        self.db = db
        self.model = model
        self.alerts = []
        self._all_alerts = []
        self.trend = None
        self.point = None
        self.eeg_info = None
        self.counts = {}
        self.first_alert_shown_at = None
        self._token = 0
        self._trends = {}  # recording -> Detection, computed once
        self._opened = None  # the alert whose span is shown
        self._shown_range = None
        self._loader = _Loader(model)
        self.tasks = BackgroundTasks(db, name="neucube-review-store")
        self.loader = BackgroundTasks(False, name="neucube-review-loader")
        self.setWindowTitle("NeuCube-EEG review")
        self.resize(1500, 950)
        self._build(reviewer)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(int(frame_interval_ms))
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.refresh_counts()
        self.show_recording(0)
        # Brian2 must be imported in this thread before the loader builds the
        # cube: after the first alerts are drawn (or 2 s, if the store is slow)
        QtCore.QTimer.singleShot(2000, self.import_brian)

    # -- layout ------------------------------------------------------------------

    def _build(self, reviewer):
        central = QtWidgets.QWidget()
        outer = QtWidgets.QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 6)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("Recording"))
        self.recording_box = QtWidgets.QComboBox()
        self.recording_box.setToolTip("The recordings to review, with their pending alerts")
        for path in self.recordings:
            self.recording_box.addItem(Path(path).name)
        self.recording_box.currentIndexChanged.connect(self.show_recording)
        row.addWidget(self.recording_box, 2)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFormat("trend: %p %")
        self.progress.setToolTip(
            "The seizure probability over the whole recording, computed in the background"
        )
        row.addWidget(self.progress, 1)
        outer.addLayout(row)

        split = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        left = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        self.eeg_page = EEGPage(seconds=10.0)
        self.eeg = self.eeg_page.view
        self.eeg.follow = False
        self.trend_view = TrendView()
        self.trend_view.clicked.connect(self.jump_to)
        left.addWidget(self.eeg_page)
        left.addWidget(self.trend_view)
        left.setSizes([650, 220])
        split.addWidget(left)

        right = QtWidgets.QWidget()
        side = QtWidgets.QVBoxLayout(right)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel("Show"))
        self.filter_box = QtWidgets.QComboBox()
        self.filter_box.addItems(list(_FILTERS))
        self.filter_box.setToolTip("Pending alerts, or every alert of the recording")
        self.filter_box.currentIndexChanged.connect(lambda *_: self._show_alerts())
        top.addWidget(self.filter_box)
        top.addStretch(1)
        side.addLayout(top)
        self.table = QtWidgets.QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            ["id", "onset (s)", "duration (s)", "confidence", "status", "reviewer"]
        )
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        side.addWidget(self.table, 1)

        nav = QtWidgets.QHBoxLayout()
        self.prev_button = QtWidgets.QPushButton("◀ Previous")
        self.prev_button.setToolTip("Previous alert (key P)")
        self.prev_button.clicked.connect(self.previous_alert)
        self.next_button = QtWidgets.QPushButton("Next ▶")
        self.next_button.setToolTip("Next alert (key N)")
        self.next_button.clicked.connect(self.next_alert)
        nav.addWidget(self.prev_button)
        nav.addWidget(self.next_button)
        side.addLayout(nav)

        box = QtWidgets.QGroupBox("Review the selected alert")
        form = QtWidgets.QFormLayout(box)
        self.selected_label = QtWidgets.QLabel("no alert selected")
        self.selected_label.setWordWrap(True)
        form.addRow(self.selected_label)
        self.reviewer = QtWidgets.QLineEdit(reviewer)
        self.reviewer.setPlaceholderText("your name (required)")
        form.addRow("Reviewer", self.reviewer)
        self.note = QtWidgets.QLineEdit()
        self.note.setPlaceholderText("note (optional)")
        form.addRow("Note", self.note)
        buttons = QtWidgets.QHBoxLayout()
        self.confirm_button = QtWidgets.QPushButton("Confirm seizure (C)")
        self.confirm_button.setToolTip(
            "Confirm the selected alert as a seizure (key C; a reviewed alert is revised)"
        )
        self.reject_button = QtWidgets.QPushButton("Reject, false alarm (R)")
        self.reject_button.setToolTip(
            "Reject the selected alert as a false alarm (key R; a reviewed alert is revised)"
        )
        self.confirm_button.clicked.connect(lambda: self.review_selected("confirmed"))
        self.reject_button.clicked.connect(lambda: self.review_selected("rejected"))
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.reject_button)
        form.addRow(buttons)
        self.history_label = QtWidgets.QLabel("")
        self.history_label.setWordWrap(True)
        form.addRow(self.history_label)
        side.addWidget(box)

        ops = QtWidgets.QGroupBox("Operating point: what these settings do")
        grid = QtWidgets.QFormLayout(ops)
        self.threshold = QtWidgets.QDoubleSpinBox()
        self.threshold.setRange(0.01, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setToolTip("A window whose seizure probability is at least this counts")
        self.min_duration = QtWidgets.QDoubleSpinBox()
        self.min_duration.setRange(0.0, 600.0)
        self.min_duration.setSuffix(" s")
        self.min_duration.setToolTip("Shorter events are dropped")
        self.merge_gap = QtWidgets.QDoubleSpinBox()
        self.merge_gap.setRange(0.0, 600.0)
        self.merge_gap.setSuffix(" s")
        self.merge_gap.setToolTip("Events closer than this are merged")
        grid.addRow("Threshold", self.threshold)
        grid.addRow("Minimum duration", self.min_duration)
        grid.addRow("Merge gap", self.merge_gap)
        self.point_label = QtWidgets.QLabel("computing the trend…")
        self.point_label.setWordWrap(True)
        grid.addRow(self.point_label)
        for spin in (self.threshold, self.min_duration, self.merge_gap):
            spin.setEnabled(False)
            spin.valueChanged.connect(lambda *_: self.update_point())
        side.addWidget(ops)

        exp = QtWidgets.QHBoxLayout()
        self.export_button = QtWidgets.QPushButton("Export reviewed as EDF+…")
        self.export_button.setToolTip(
            "Write this recording's reviewed alerts to an EDF+ annotation file, for "
            "EDFbrowser to import next to the recording"
        )
        self.export_button.clicked.connect(self._export_clicked)
        exp.addWidget(self.export_button)
        side.addLayout(exp)
        self.message = QtWidgets.QLabel("")
        self.message.setWordWrap(True)
        side.addWidget(self.message)
        split.addWidget(right)
        split.setSizes([1000, 500])
        outer.addWidget(split, 1)
        self.setCentralWidget(central)

        self.shortcuts = {}
        for key, slot in (
            ("N", self.next_alert),
            ("P", self.previous_alert),
            ("C", lambda: self.review_selected("confirmed")),
            ("R", lambda: self.review_selected("rejected")),
        ):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            shortcut.activated.connect(slot)
            self.shortcuts[key] = shortcut
        self.table.setToolTip(
            "Keys: N next alert, P previous, C confirm, R reject (not while typing in a field)"
        )
        self._update_buttons()

    # -- recordings --------------------------------------------------------------

    @property
    def recording(self):
        """str: The identifier of the recording shown (as stored)."""
        return self._ids[self.recording_box.currentIndex()]

    def show_recording(self, index):
        """Show the recording at ``index`` of :attr:`recordings` (returns at once).

        Parameters
        ----------
        index : int
            Its position in the list.
        """
        if self.recording_box.currentIndex() != index:
            self.recording_box.setCurrentIndex(index)  # comes back here
            return
        self._token += 1
        token = self._token
        self._loader.wanted = token
        rec, path = self._ids[index], self.recordings[index]
        self.alerts, self._all_alerts, self._opened = [], [], None
        self.table.setRowCount(0)
        self.eeg_info = None
        self.trend = self._trends.get(rec)
        self.point = None
        self.tasks.submit(f"alerts:{token}", _list_alerts, rec)
        self.loader.submit(f"eeg:{token}", self._loader.eeg, token, path)
        if self.trend is None:
            self.loader.submit(f"trend:{token}", self._loader.trend, token)
            self.progress.setValue(0)
        self.trend_view.curve.setData([], [])
        self.trend_view.set_events([])
        self.point_label.setText("computing the trend…")
        self.message.setText(f"Reading {Path(path).name}…")

    def import_brian(self):
        """Import Brian2 in this (the main) thread, then let the loader build the cube.

        Brian2 installs a signal handler when imported, which only the main
        thread may do (:func:`gui.worker.import_in_main_thread`); this pauses
        the window once, about 1.5 s, after the first alerts are on screen.
        """
        if not self._loader.brian_imported.is_set():
            import_in_main_thread()
            self._loader.brian_imported.set()

    def refresh_counts(self):
        """Reload the pending count of every recording (in the background)."""
        self.tasks.submit("counts", _pending_counts, list(self._ids))

    # -- the timer ---------------------------------------------------------------

    def _tick(self):
        drain_results(self._task_done, self.tasks, self.loader)
        done = self._loader.progress.get(self._token)
        if done is not None and self.trend is None:
            self.progress.setValue(int(100 * done[0] / max(1, done[1])))

    def _task_done(self, tag, result, err):
        kind, _, token = tag.partition(":")
        if token and int(token) != self._token:
            return  # another recording was chosen since
        if isinstance(err, _Cancelled):
            return
        if kind == "alerts":
            if err is not None:
                self._error(f"The alert store cannot be read: {err}")
                return
            self._all_alerts = list(result)
            self._show_alerts()
            QtCore.QTimer.singleShot(0, self.import_brian)  # once the list is painted
        elif kind == "counts":
            if err is None:
                self.counts = dict(result)
                for i, rec in enumerate(self._ids):
                    name = Path(self.recordings[i]).name
                    self.recording_box.setItemText(i, f"{name} — {self.counts.get(rec, 0)} pending")
        elif kind == "eeg":
            if err is not None:
                self._error(f"{self.recordings[self.recording_box.currentIndex()]}: {err}")
                return
            self._eeg_ready(result)
        elif kind == "trend":
            if err is not None:
                self._error(f"The probability trend could not be computed: {err}")
                self.progress.setFormat("trend: failed")
                return
            self._trends[self.recording] = result
            self.trend = result
            self._trend_ready()
        elif kind == "review":
            if err is not None:
                self._error(f"The review was not saved: {err}")
                return
            alert, history = result
            self._say(f"Alert #{alert.id} {alert.status} by {alert.reviewer}.")
            self._all_alerts = [alert if a.id == alert.id else a for a in self._all_alerts]
            self._show_alerts(after=alert.id)
            self._show_history(history)
            self.refresh_counts()
        elif kind == "history":
            if err is None:
                self._show_history(result)
        elif kind == "export":
            if err is not None:
                self._error(f"Export failed: {err}")
            elif not result:
                self._error("No reviewed alert of this recording to export; nothing written.")
            else:
                self._say("Exported to " + ", ".join(str(f) for f in result) + ".")

    def _say(self, text):
        self.message.setStyleSheet("color: #1a5f2a;")
        self.message.setText(text)

    def _error(self, text):
        logger.warning("%s", text)
        self.message.setStyleSheet("color: #c0281e;")
        self.message.setText(text)

    # -- alerts ------------------------------------------------------------------

    def _show_alerts(self, after=None):
        """List the alerts the filter keeps; select ``after``'s successor, or the first."""
        keep = _FILTERS[self.filter_box.currentText()]
        self.alerts = _sort_alerts([a for a in self._all_alerts if a.status in keep])
        selected = None
        if after is not None:  # the next alert after the one just reviewed
            ids = [a.id for a in self.alerts]
            if after in ids:
                selected = ids.index(after)
                if self.alerts[selected].status != "pending":
                    selected = self._next_pending(after) or selected
            else:
                selected = self._next_pending(after)
        elif self._opened is not None:
            ids = [a.id for a in self.alerts]
            selected = ids.index(self._opened.id) if self._opened.id in ids else None
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.alerts))
        for r, a in enumerate(self.alerts):
            values = (
                str(a.id),
                f"{a.onset:.1f}",
                f"{a.duration:.1f}",
                "" if a.confidence is None else f"{a.confidence:.2f}",
                a.status,
                a.reviewer or "",
            )
            for c, v in enumerate(values):
                item = QtWidgets.QTableWidgetItem(v)
                if c == 4:
                    item.setForeground(QtGui.QColor(_STATUS_COLORS.get(a.status, "#000")))
                self.table.setItem(r, c, item)
        self.table.clearSelection()
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        self._draw_alert_spans()
        if self.alerts and self.first_alert_shown_at is None:
            self.table.viewport().repaint()
            self.first_alert_shown_at = time.perf_counter()
            logger.info("First alert on screen.")
            self.firstAlertShown.emit(self.first_alert_shown_at)
        if not self._all_alerts:
            self._say("No alert of this recording in the store.")
        elif not self.alerts:
            self._say("No alert of this recording with that status.")
        elif self.message.text().startswith("No alert of this recording"):
            self.message.setText("")
        if self.alerts:
            self.select_row(0 if selected is None else selected)
        else:
            self._update_buttons()

    def _next_pending(self, after):
        """Row of the first pending alert from ``after``'s onset on (wrapping), or None."""
        pending = [i for i, a in enumerate(self.alerts) if a.status == "pending"]
        if not pending:
            return None
        onset = {a.id: a.onset for a in self._all_alerts}.get(after, 0.0)
        later = [i for i in pending if self.alerts[i].onset >= onset]
        return (later or pending)[0]

    def _draw_alert_spans(self):
        spans = [(a.onset, a.end) for a in self._all_alerts]
        self.trend_view.set_alerts(spans)
        if self.eeg_info is not None:
            self.eeg.clear_regions()
            for a in self._all_alerts:
                self.eeg.add_region(a.onset, a.end, key=a.id)
            if self._opened is not None:
                self.eeg.select_region(self._opened.onset, self._opened.end)

    def select_row(self, row):
        """Select (and open) the alert listed at ``row``."""
        if 0 <= row < len(self.alerts):
            self.table.selectRow(row)
            if self.selected_alert() is not None and self._opened != self.selected_alert():
                self._selection_changed()

    def selected_alert(self):
        """Alert | None: The alert selected in the list."""
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.alerts):
            return None
        return self.alerts[rows[0].row()]

    def _selection_changed(self):
        alert = self.selected_alert()
        self._update_buttons()
        if alert is None:
            self.selected_label.setText("no alert selected")
            return
        conf = "" if alert.confidence is None else f", confidence {alert.confidence:.2f}"
        text = f"#{alert.id}: {alert.onset:.1f}–{alert.end:.1f} s{conf}, {alert.status}"
        if alert.status != "pending":
            text += f" by {alert.reviewer} (a verdict now revises it)"
        self.selected_label.setText(text)
        self.history_label.setText("")
        self.tasks.submit("history", lambda store, i: store.history(i), alert.id)
        self.open_alert(alert)

    def _show_history(self, reviews):
        if not reviews:
            self.history_label.setText("Not reviewed yet.")
            return
        self.history_label.setText(
            "\n".join(
                f"{r.at[:19].replace('T', ' ')}: {r.reviewer} {r.action} "
                f"{r.status_before} → {r.status_after}" + (f" ({r.note})" if r.note else "")
                for r in reviews
            )
        )

    def _update_buttons(self):
        ok = self.selected_alert() is not None
        self.confirm_button.setEnabled(ok)
        self.reject_button.setEnabled(ok)
        self.next_button.setEnabled(bool(self.alerts))
        self.prev_button.setEnabled(bool(self.alerts))

    def next_alert(self):
        """Select the next alert in the list (key N)."""
        self._step(+1)

    def previous_alert(self):
        """Select the previous alert in the list (key P)."""
        self._step(-1)

    def _step(self, step):
        if not self.alerts:
            return
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() + step if rows else (0 if step > 0 else len(self.alerts) - 1)
        self.select_row(min(max(row, 0), len(self.alerts) - 1))

    def review_selected(self, status):
        """Confirm or reject the selected alert with the reviewer's name (keys C and R).

        Parameters
        ----------
        status : ``'confirmed'`` | ``'rejected'``
            The verdict; an alert reviewed before is revised (the audit
            trail keeps both).
        """
        alert = self.selected_alert()
        if alert is None:
            self._error("Select an alert first.")
            return
        reviewer = self.reviewer.text().strip()
        if not reviewer:
            self._error("Enter the reviewer's name first.")
            self.reviewer.setFocus()
            return
        note = self.note.text()
        self.tasks.submit("review", _review, int(alert.id), status, reviewer, note)
        self.note.clear()
        self._say(f"Saving: alert #{alert.id} {status}…")

    # -- the EEG -----------------------------------------------------------------

    def _eeg_ready(self, info):
        self.eeg_info = info
        self.eeg_page.set_channels(info["ch_names"], info["sfreq"])
        self.eeg_page.set_data(0, info["data"])
        self.eeg_page.set_filters(*info["filters"])  # the model's, applied by prepare
        self.trend_view.set_range(info["duration"])
        self._draw_alert_spans()
        missing = f" (missing, left flat: {', '.join(info['missing'])})" if info["missing"] else ""
        self._say(f"{Path(info['path']).name}: {info['duration']:.0f} s read{missing}.")
        for spin, key in (
            (self.threshold, "threshold"),
            (self.min_duration, "min_duration"),
            (self.merge_gap, "merge_gap"),
        ):
            spin.blockSignals(True)
            spin.setValue(info[key])
            spin.blockSignals(False)
        if self._opened is not None:
            self.open_alert(self._opened)
        elif self._shown_range is not None:
            self.show_range(*self._shown_range)
        if self.trend is not None:
            self._trend_ready()

    def _trend_ready(self):
        if self.eeg_info is None:
            return  # drawn once the EEG is there
        found, info = self.trend, self.eeg_info
        self.progress.setValue(100)
        self.trend_view.set_trend(found.times, found.proba, info["window"])
        for spin in (self.threshold, self.min_duration, self.merge_gap):
            spin.setEnabled(True)
        self.update_point()

    def update_point(self):
        """Recompute what the threshold controls' settings do (events, false alarms)."""
        from models.seizure.thresholds import consequences

        if self.trend is None or self.eeg_info is None:
            return None
        found, info = self.trend, self.eeg_info
        self.point = consequences(
            found.proba,
            found.times,
            window=info["window"],
            threshold=self.threshold.value(),
            min_duration=self.min_duration.value(),
            merge_gap=self.merge_gap.value(),
            background=info["background"],
        )
        self.trend_view.threshold_line.setPos(self.threshold.value())
        self.trend_view.set_events([(e.onset, e.end) for e in self.point.events])
        self.point_label.setText(self.point.describe())
        return self.point

    def open_alert(self, alert):
        """Show an alert with :attr:`context` seconds before and after it.

        Parameters
        ----------
        alert : models.alerts.Alert
            The alert.
        """
        self._opened = alert
        duration = alert.recording_duration
        if self.eeg_info is not None:
            duration = self.eeg_info["duration"]
        t0 = max(0.0, alert.onset - self.context)
        t1 = alert.end + self.context
        if duration is not None:
            t1 = min(t1, duration)
        self.show_range(t0, t1)
        if self.eeg_info is not None:
            self.eeg.select_region(alert.onset, alert.end)

    def show_range(self, t0, t1):
        """Show seconds ``t0`` to ``t1`` of the recording."""
        self._shown_range = (t0, t1)
        self.trend_view.cursor.setPos(t0)
        if self.eeg_info is not None:
            self.eeg_page.show_range(t0, t1)

    def jump_to(self, t):
        """Show the EEG around second ``t`` (a click on the trend)."""
        half = self.eeg_page.seconds / 2
        end = self.eeg_info["duration"] if self.eeg_info is not None else t + half
        t0 = min(max(0.0, t - half), max(0.0, end - 2 * half))
        self.show_range(t0, min(end, t0 + 2 * half))

    # -- export ------------------------------------------------------------------

    def export_edf(self, fname, statuses=None, overwrite=False):
        """Export this recording's alerts as EDF+ annotations (in the background).

        Parameters
        ----------
        fname : path-like
            The ``.edf`` file.
        statuses : sequence of str | None
            Statuses to write (None: the reviewed ones).
        overwrite : bool
            Whether an existing file may be replaced.
        """
        self.tasks.submit("export", _export_edf, str(fname), self.recording, statuses, overwrite)

    def _export_clicked(self):
        path = Path(self.recordings[self.recording_box.currentIndex()])
        suggested = str(path.with_name(path.stem + "_alerts.edf"))
        fname, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export reviewed alerts as EDF+", suggested, "EDF+ (*.edf)"
        )
        if fname:  # the dialog asked before replacing a file
            self.export_edf(fname, overwrite=True)

    def closeEvent(self, event):
        """Stop the timer and the background threads."""
        self.timer.stop()
        self._loader.wanted = None  # a trend being computed stops at its next batch
        self.tasks.close()  # the store's queued reviews are written first
        self.loader.close(timeout=0.5)  # a daemon: a cube run in C is not waited for
        super().closeEvent(event)


# -- python -m gui.review -----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of :func:`main`."""
    p = argparse.ArgumentParser(
        prog="python -m gui.review",
        description="Review the stored alerts of recordings over their EEG and probability trend.",
    )
    p.add_argument("recordings", nargs="+", metavar="FILE", help="recordings to review")
    p.add_argument("--db", default=None, help="the alert store (default: the user's)")
    p.add_argument("--model", default=None, help="model file (default: the shipped one)")
    p.add_argument("--reviewer", default="", help="the reviewer's name, filled in")
    p.add_argument("--context", type=float, default=CONTEXT_S, help="seconds around an alert")
    p.add_argument(
        "--allow-offscreen", action="store_true", help="run even without a display (tests)"
    )
    p.add_argument(
        "--quit-when-shown",
        action="store_true",
        help="print when the first alert is on screen, then close (benchmarks)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log progress")
    return p


def main(argv: list[str] | None = None) -> int:
    """Open the review window (``python -m gui.review FILE ...``).

    Parameters
    ----------
    argv : list of str | None
        Command line arguments (None: ``sys.argv[1:]``).

    Returns
    -------
    code : int
        0 when the window was closed, :data:`EXIT_NO_DISPLAY` (3, as
        ``python -m gui``) without a display.
    """
    started = time.perf_counter()
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s: %(message)s",
    )
    message = (
        "No display to open the review window on (no DISPLAY or WAYLAND_DISPLAY, or "
        "QT_QPA_PLATFORM=offscreen). Review from the terminal with `neucube alerts list` "
        "and `neucube alerts review`, or run it on a desktop."
    )
    unix = os.name == "posix" and sys.platform != "darwin"
    if (
        not args.allow_offscreen
        and unix
        and not os.environ.get("QT_QPA_PLATFORM")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        logger.error("%s", message)  # before Qt, which would abort without a display
        return EXIT_NO_DISPLAY
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    if not args.allow_offscreen and app.platformName() in ("offscreen", "minimal"):
        logger.error("%s", message)
        return EXIT_NO_DISPLAY
    app.setApplicationName("NeuCube-EEG review")
    win = ReviewWindow(
        args.recordings, model=args.model, db=args.db, reviewer=args.reviewer, context=args.context
    )
    win.show()
    if args.quit_when_shown:

        def _shown(at):
            print(f"first alert on screen {at - started:.3f} s after start", flush=True)
            QtCore.QTimer.singleShot(0, win.close)
            QtCore.QTimer.singleShot(0, app.quit)

        win.firstAlertShown.connect(_shown)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
