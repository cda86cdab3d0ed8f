"""The main window of the NeuCube-EEG desktop app.

It only draws. A :class:`~gui.worker.PipelineWorker` (a Python thread) reads
the stream and runs the model; the alert store is read and written by a
:class:`~gui.worker.BackgroundTasks` thread. A ``QTimer`` in the GUI thread
pulls what they produced (messages, the EEG history, task results) and
redraws; nothing in the GUI thread waits for a stream, a cube or SQLite.
"""

import gc
import logging
import math
import time
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtWidgets  # before pyqtgraph, which uses it

# isort: split
import pyqtgraph as pg

from .cube_view import make_cube_view
from .eeg import EEGPage
from .widgets import AlertPanel, ProbabilityView, RasterView, StatusLine, TrialTable
from .worker import (
    BackgroundTasks,
    PipelineWorker,
    ProcessWorker,
    SourceSpec,
    build_montages,
    drain_results,
    import_in_main_thread,
    referential_electrodes,
)

logger = logging.getLogger("neucube.gui")

pg.setConfigOptions(antialias=False, foreground="k")

_SOURCE_LABELS = {
    "sample": "Bundled sample (replayed via LSL)",
    "lsl": "LSL stream",
    "file": "File",
}
_SPEEDS = {"1x (real time)": 1.0, "2x": 2.0, "5x": 5.0, "10x": 10.0, "as fast as possible": None}


class MainWindow(QtWidgets.QMainWindow):
    """The app: source and model, live EEG, spikes, the cube, predictions, alerts.

    Parameters
    ----------
    source : SourceSpec | None
        The source selected at start (default: the bundled sample replayed
        through LSL).
    model : path-like | None
        Model file (None: the shipped seizure model).
    db : path-like | None | False
        Alert store (None: the user's default store, shared with the
        ``neucube`` CLI; False: none).
    use_gl : bool | None
        3D cube view with OpenGL (None: when available, see
        :func:`gui.cube_view.opengl_available`).
    frame_interval_ms : int
        Period of the GUI timer that pulls data and redraws.
    alert_refresh_s : float
        Seconds between two reloads of the alert list.
    worker : ``'process'`` | ``'thread'``
        Where the pipeline runs: a child process (default:
        :class:`~gui.worker.ProcessWorker`, the window's process then never
        shares Python's GIL with the cube) or a thread of this process
        (:class:`~gui.worker.PipelineWorker`).
    draw_share : float
        Largest share of the GUI thread's time spent drawing the EEG and the
        cube: after each redraw the next waits ``cost / draw_share`` (at
        least one timer period), so that a slow machine (or Python's GIL,
        shared with the pipeline thread) lowers the frame rate instead of
        freezing the window.
    publish : bool
        Publish each run's predictions and alerts as LSL streams on this
        machine (see :class:`~gui.worker.PipelineWorker`).

    Attributes
    ----------
    worker : PipelineWorker | None
        The running (or last) pipeline.
    eeg_page : gui.eeg.EEGPage
        The EEG page: the traces with sensitivity, time base, montage,
        filters and paging (see :mod:`gui.eeg`).
    eeg, prob, raster, cube_view, alert_panel, trial_table, status_line
        The window's parts (see :mod:`gui.widgets`, :mod:`gui.cube_view`);
        ``eeg`` is the EEG page's view.
    alerts_raised : list of models.alerts.Alert
        Alerts raised in this session.
    frames_drawn : int
        Redraws of the EEG so far.
    """

    def __init__(
        self,
        source=None,
        model=None,
        db=None,
        *,
        use_gl=None,
        frame_interval_ms=33,
        alert_refresh_s=2.0,
        worker="process",
        draw_share=0.35,
        publish=False,
    ):
        super().__init__()
        if worker not in ("process", "thread"):
            raise ValueError(f"worker must be 'process' or 'thread', got {worker!r}.")
        self.worker_kind = worker
        self.publish = bool(publish)
        if worker == "thread":
            import_in_main_thread()  # Brian2, before any worker thread (and before showing)
        self.setWindowTitle("NeuCube-EEG")
        self.resize(1500, 950)
        self.db = db
        self.worker = None
        self.history = None
        self.source_history = None
        self._eeg_segment = False  # the EEG page shows a re-read file, not the session
        self.ready = None
        self.recording = None
        self.alerts_raised = []
        self.frames_drawn = 0
        self.alert_refresh_s = float(alert_refresh_s)
        self.draw_share = float(draw_share)
        self.frame_interval = frame_interval_ms / 1e3
        self._next_draw = {"eeg": 0.0, "cube": 0.0}
        self.draw_cost = {"eeg": 0.0, "cube": 0.0}
        self._last_total = -1
        self._frame = None
        self._frame_t = 0.0
        self._prob_dirty = False
        self._list_pending = False
        self._last_list = 0.0
        self._review_token = 0
        self.tasks = BackgroundTasks(db, name="neucube-gui-store")
        self.loader = BackgroundTasks(False, name="neucube-gui-loader")
        self._build(source or SourceSpec(), model, use_gl)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(int(frame_interval_ms))
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self.refresh_alerts()

    # -- layout --------------------------------------------------------------------

    def _build(self, spec, model, use_gl):
        central = QtWidgets.QWidget()
        outer = QtWidgets.QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 6)

        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("Source"))
        self.source_kind = QtWidgets.QComboBox()
        for kind, label in _SOURCE_LABELS.items():
            self.source_kind.addItem(label, kind)
        row.addWidget(self.source_kind)
        self.source_text = QtWidgets.QLineEdit()
        self.source_text.setMinimumWidth(260)
        row.addWidget(self.source_text, 2)
        self.browse_button = QtWidgets.QPushButton("Browse…")
        self.browse_button.clicked.connect(self._browse_file)
        row.addWidget(self.browse_button)
        self.speed = QtWidgets.QComboBox()
        self.speed.addItems(list(_SPEEDS))
        self.speed.setToolTip("Replay speed of a file")
        row.addWidget(self.speed)
        self.markers = QtWidgets.QLineEdit()
        self.markers.setPlaceholderText("LSL marker stream (trial models)")
        self.markers.setMaximumWidth(220)
        row.addWidget(self.markers)
        outer.addLayout(row)

        row2 = QtWidgets.QHBoxLayout()
        row2.addWidget(QtWidgets.QLabel("Model"))
        self.model_path = QtWidgets.QLineEdit("" if model is None else str(model))
        self.model_path.setPlaceholderText("the shipped seizure model (chb01_seizure.npz)")
        row2.addWidget(self.model_path, 2)
        self.model_browse = QtWidgets.QPushButton("Browse…")
        self.model_browse.clicked.connect(self._browse_model)
        row2.addWidget(self.model_browse)
        self.start_button = QtWidgets.QPushButton("Start")
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.live_button = QtWidgets.QPushButton("Follow live")
        self.start_button.clicked.connect(lambda: self.start())
        self.stop_button.clicked.connect(self.stop)
        self.live_button.clicked.connect(self.follow_live)
        for b in (self.start_button, self.stop_button, self.live_button):
            row2.addWidget(b)
        self.review_button = QtWidgets.QPushButton("Open recording for review…")
        self.review_button.setToolTip(
            "Review the stored alerts of recordings over their EEG and probability trend, "
            "without replaying them (keys N, P, C, R)"
        )
        self.review_button.clicked.connect(lambda: self.open_review())
        row2.addWidget(self.review_button)
        outer.addLayout(row2)

        split = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        left = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        self.eeg_page = EEGPage(live=True)
        self.eeg = self.eeg_page.view
        self.eeg_page.rangeRequested.connect(self._eeg_range_requested)
        self.eeg_page.followChanged.connect(self._eeg_follow_changed)
        self.prob = ProbabilityView()
        self.raster = RasterView()
        left.addWidget(self.eeg_page)
        left.addWidget(self.prob)
        left.addWidget(self.raster)
        left.setSizes([520, 150, 230])
        right = QtWidgets.QSplitter(QtCore.Qt.Vertical)
        cube_box = QtWidgets.QWidget()
        cube_layout = QtWidgets.QVBoxLayout(cube_box)
        cube_layout.setContentsMargins(0, 0, 0, 0)
        self.cube_view = make_cube_view(use_gl=use_gl)
        cube_layout.addWidget(self.cube_view, 1)
        crow = QtWidgets.QHBoxLayout()
        self.cube_label = QtWidgets.QLabel(
            "cube: " + ("3D (OpenGL)" if self.cube_view.is_3d else "2D projections (no OpenGL)")
        )
        crow.addWidget(self.cube_label)
        crow.addStretch(1)
        crow.addWidget(QtWidgets.QLabel("strongest connections"))
        self.n_connections = QtWidgets.QSpinBox()
        self.n_connections.setRange(0, 3000)
        self.n_connections.setSingleStep(50)
        self.n_connections.setValue(300)
        self.n_connections.valueChanged.connect(self._connections_changed)
        crow.addWidget(self.n_connections)
        cube_layout.addLayout(crow)
        right.addWidget(cube_box)
        self.tabs = QtWidgets.QTabWidget()
        self.alert_panel = AlertPanel()
        self.trial_table = TrialTable()
        self.tabs.addTab(self.alert_panel, "Alerts")
        self.tabs.addTab(self.trial_table, "Trials")
        right.addWidget(self.tabs)
        right.setSizes([430, 470])
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([950, 550])
        outer.addWidget(split, 1)
        self.setCentralWidget(central)
        self.status_line = StatusLine()
        self.statusBar().addWidget(self.status_line, 1)
        self.status_line.set_text("idle: choose a source and press Start")

        self.source_kind.currentIndexChanged.connect(self._source_kind_changed)
        self.alert_panel.alertSelected.connect(self.review_alert)
        self.alert_panel.reviewRequested.connect(self.review)
        self.alert_panel.exportRequested.connect(self.export)
        self.alert_panel.refreshRequested.connect(lambda: self.refresh_alerts(force=True))
        self.set_source(spec)
        self._update_buttons()

    def set_source(self, spec):
        """Put a :class:`~gui.worker.SourceSpec` in the controls."""
        self._spec_extra = {"duration": spec.duration, "source_id": spec.source_id}
        self.source_kind.setCurrentIndex(list(_SOURCE_LABELS).index(spec.kind))
        self._source_kind_changed()
        if spec.kind == "lsl":
            self.source_text.setText(spec.name or "")
        elif spec.path:
            self.source_text.setText(str(spec.path))
        for label, value in _SPEEDS.items():
            if value == spec.speed:
                self.speed.setCurrentText(label)
        self.markers.setText(spec.markers or "")

    def source_spec(self):
        """Return the :class:`~gui.worker.SourceSpec` the controls describe."""
        kind = self.source_kind.currentData()
        text = self.source_text.text().strip() or None
        extra = getattr(self, "_spec_extra", {})
        return SourceSpec(
            kind=kind,
            name=text if kind == "lsl" else None,
            path=text if kind != "lsl" else None,
            speed=_SPEEDS[self.speed.currentText()],
            markers=self.markers.text().strip() or None,
            duration=extra.get("duration"),
            source_id=extra.get("source_id") if kind == "lsl" else None,
        )

    def _source_kind_changed(self):
        kind = self.source_kind.currentData()
        self.browse_button.setEnabled(kind != "lsl")
        self.speed.setEnabled(kind == "file")
        self.markers.setEnabled(kind == "lsl")
        self.source_text.setPlaceholderText(
            {
                "sample": "bundled CHB-MIT chb01_03 (or another file to replay via LSL)",
                "lsl": "stream name, e.g. EEG",
                "file": "EDF/BDF/FIF/BrainVision/EEGLAB file",
            }[kind]
        )

    def _browse_file(self):
        fname, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open a recording", "", "EEG (*.edf *.bdf *.fif *.vhdr *.set *.gdf);;All (*)"
        )
        if fname:
            self.source_text.setText(fname)

    def _browse_model(self):
        fname, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open a model", "", "NeuCube model (*.npz);;All (*)"
        )
        if fname:
            self.model_path.setText(fname)

    def _update_buttons(self):
        running = self.worker is not None and self.worker.running
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        for w in (
            self.source_kind,
            self.source_text,
            self.browse_button,
            self.model_path,
            self.model_browse,
        ):
            w.setEnabled(not running)
        if not running:
            self._source_kind_changed()
        else:
            self.speed.setEnabled(False)
            self.markers.setEnabled(False)

    def _connections_changed(self, n):
        g = self.cube_view.geometry_
        if g is None:
            return
        if n <= 0:
            self.cube_view.set_threshold(np.inf)
        else:
            self.cube_view.set_threshold(g.default_threshold(n))

    # -- running -------------------------------------------------------------------------

    def start(self, spec=None):
        """Start the pipeline on the selected source (returns at once).

        Parameters
        ----------
        spec : SourceSpec | None
            The source (None: the one the controls describe).

        Returns
        -------
        worker : PipelineWorker | None
            The worker, starting (None if the source is not valid; the status
            line says why).
        """
        if self.worker is not None and self.worker.running:
            return self.worker
        if spec is not None:
            self.set_source(spec)
        try:
            spec = self.source_spec().check()
        except (ValueError, FileNotFoundError) as err:
            self.status_line.set_text(str(err), "disconnected")
            return None
        model = self.model_path.text().strip() or None
        # Python's full garbage collections run in this (the GUI) thread and
        # scan every live object: collect once now, when the user starts (what an
        # earlier run froze included), then keep what exists (Qt wrappers,
        # modules) out of later scans, so that a collection during the run
        # pauses the window for milliseconds.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        cls = ProcessWorker if self.worker_kind == "process" else PipelineWorker
        self.worker = cls(spec, model=model, db=self.db, publish=self.publish)
        self.history = None
        self.source_history = None
        self._eeg_segment = False
        self.ready = None
        self._frame = None
        self._last_total = -1
        self.alerts_raised = []
        self.trial_table.clear_trials()
        self.prob.reset()
        self.eeg.clear_regions()
        self.eeg_page.follow = True
        self.worker.start()
        self.status_line.set_text(
            f"starting {spec.describe()}: loading the model and building the cube…", "idle"
        )
        self._update_buttons()
        logger.info("Started: %s, model %s.", spec.describe(), model or "shipped")
        return self.worker

    def stop(self):
        """Ask the pipeline to stop (returns at once)."""
        if self.worker is not None and self.worker.running:
            self.worker.stop()
            self.status_line.set_text("stopping…", "closed")

    def follow_live(self):
        """Make the EEG view follow the newest data again."""
        self.eeg_page.follow = True
        self._eeg_follow_changed(True)

    def open_review(self, files=None):
        """Open the review window (:class:`gui.review.ReviewWindow`) over recordings.

        Parameters
        ----------
        files : list of str | None
            The recordings (None: chosen in a file dialog).

        Returns
        -------
        window : ReviewWindow | None
            The window opened (None when no file was chosen).
        """
        if files is None:
            files, _ = QtWidgets.QFileDialog.getOpenFileNames(
                self,
                "Open recordings for review",
                "",
                "EEG (*.edf *.bdf *.fif *.vhdr *.set *.gdf);;All (*)",
            )
        if not files:
            return None
        from .review import ReviewWindow

        model = self.model_path.text().strip() or None
        win = ReviewWindow(files, model=model, db=None if self.db is False else self.db)
        self.review_windows = [w for w in getattr(self, "review_windows", []) if w.isVisible()]
        self.review_windows.append(win)
        win.show()
        return win

    # -- the timer ----------------------------------------------------------------------

    def _tick(self):
        worker = self.worker
        if worker is not None:
            frame = None
            for _ in range(500):
                try:
                    msg = worker.messages.get_nowait()
                except Exception:
                    break
                if msg.kind == "frame":
                    frame = msg.payload
                    self._add_frame(frame)
                else:
                    self._handle(msg)
            if frame is not None:
                self.raster.set_frame(frame)
                self._frame, self._frame_t = frame, time.monotonic()
            if not self.start_button.isEnabled() and not worker.running:
                # ended without its 'finished' message (a worker process that died)
                if worker.state == "error":
                    self.status_line.set_text(f"error: {worker.error}", "disconnected")
                self._update_buttons()
        self._drain_tasks()
        self._draw_eeg()
        self._draw_lighting()
        if self._prob_dirty:
            self.prob.render()
            self._prob_dirty = False
        if time.monotonic() - self._last_list > self.alert_refresh_s:
            self.refresh_alerts()

    def _handle(self, msg):
        kind, p = msg.kind, msg.payload
        if kind == "ready":
            self._ready(p)
        elif kind == "alert":
            self.alerts_raised.append(p)
            self.eeg.add_region(p.onset, p.onset + p.duration, key=p.id)
            self.prob.add_alert(p.onset)
            conf = "" if p.confidence is None else f", confidence {p.confidence:.2f}"
            self.alert_panel.show_message(
                f"Seizure alert #{p.id}: from {p.onset:.1f} s{conf}, channels "
                f"{', '.join(p.channels) or '-'}."
            )
            self.refresh_alerts(force=True)
        elif kind == "alert_update":
            self.alerts_raised = [p if a.id == p.id else a for a in self.alerts_raised]
            for region in self.eeg._regions:
                if region._key == p.id:
                    region.setRegion((p.onset, p.end))
            if not p.ongoing:
                self.alert_panel.show_message(
                    f"Seizure alert #{p.id}: the event ended; from {p.onset:.1f} s to "
                    f"{p.end:.1f} s ({p.duration:.1f} s)."
                )
                self.refresh_alerts(force=True)
        elif kind == "trial":
            self.trial_table.add_trial(p)
            self.eeg.add_marker(p.onset, f"{p.marker} → {p.predicted} ({p.confidence:.2f})")
        elif kind == "status":
            self.status_line.set_status(p)
        elif kind == "error":
            self.status_line.set_text(f"error: {p}", "disconnected")
        elif kind == "finished":
            state = p.get("state")
            if state != "error":
                done = {"finished": "finished", "stopped": "stopped"}.get(state, state)
                extra = ""
                if p.get("windows") is not None:
                    extra = f": {p['windows']} windows, {p.get('alerts', 0)} alert(s)"
                elif p.get("trials") is not None:
                    extra = f": {p['trials']} trial(s)"
                self.status_line.set_text(
                    f"{done}{extra} ({self.worker.spec.describe()})", "closed"
                )
            self._update_buttons()
            self.refresh_alerts(force=True)

    def _ready(self, info):
        self.ready = info
        self.history = info["history"]
        self.source_history = info.get("source_history")
        self.recording = info.get("recording")
        self._eeg_segment = False
        self._session_page()
        self.raster.set_channels(info["ch_names"])
        self.prob.reset(info["mode"], info["threshold"])
        g = info.get("geometry")
        n = self.n_connections.value()
        # the cube next tick: two short ticks rather than one long one
        QtCore.QTimer.singleShot(
            0,
            lambda: self.cube_view.set_geometry(
                g, None if g is None or n <= 0 else g.default_threshold(n)
            ),
        )
        self.tabs.setCurrentWidget(
            self.alert_panel if info["mode"] == "seizure" else self.trial_table
        )
        published = info.get("published")
        extra = ""
        if published:
            extra = f"; publishing on LSL as {published['proba']!r} and {published['markers']!r}"
        self.status_line.set_text(
            f"running: {info['source']}, model {info['model']}{extra}", "connected"
        )
        self._update_buttons()

    def _add_frame(self, frame):
        if frame.proba is not None:
            self.prob.add(frame.end, frame.proba, frame.positive)
            self._prob_dirty = True

    def _paced(self, key, draw, widget):
        """Draw now if due; paint synchronously and pace the next by the cost."""
        now = time.perf_counter()
        if now < self._next_draw[key]:
            return False
        if not draw():
            return False
        viewport = getattr(widget, "viewport", None)
        (viewport() if viewport is not None else widget).repaint()
        cost = time.perf_counter() - now
        self.draw_cost[key] = cost
        self._next_draw[key] = now + max(0.8 * self.frame_interval, cost / self.draw_share)
        return True

    def _session_page(self):
        """Give the EEG page this session's channels, montages and filters."""
        info, page = self.ready, self.eeg_page
        shown = page.montage.name
        page.set_channels(
            info.get("eeg_channels", info["ch_names"]), info["sfreq"], info.get("montages")
        )
        if info.get("filters"):
            page.set_filters(*info["filters"])
        if any(m.name == shown and m.available for m in page.montages):
            page.set_montage(shown)  # the reader's choice stays across runs

    def _eeg_samples(self, start, stop):
        """Return the EEG page's input between two samples (model channels, then electrodes)."""
        first, data = self.history.segment(start, stop)
        src = self.source_history
        if src is None:
            return first, data
        s2, extra = src.segment(first, first + data.shape[1])
        out = np.zeros((len(src.ch_names), data.shape[1]))  # not come yet: flat
        a = s2 - first
        k = max(0, min(extra.shape[1], data.shape[1] - a))
        if a >= 0 and k:
            out[:, a : a + k] = extra[:, :k]
        return first, np.vstack([data, out])

    def _eeg_range_requested(self, t0, t1):
        """Hand the EEG page the session's samples around the span it moved to."""
        h = self.history
        if h is None or self._eeg_segment:
            return
        sfreq = h.sfreq
        start, data = self._eeg_samples(
            int(math.floor((t0 - 1.0) * sfreq)), int(math.ceil((t1 + 1.0) * sfreq))
        )
        if data.shape[1]:
            self.eeg_page.set_data(start, data)

    def _eeg_follow_changed(self, follow):
        if follow:
            self._last_total = -1
            if self.ready is not None and (
                self._eeg_segment
                or self.eeg_page.channels != list(self.ready.get("eeg_channels", []))
            ):
                self._eeg_segment = False
                self._session_page()

    def _draw_eeg(self):
        h = self.history
        if h is None:
            return
        if not self._eeg_segment:
            self.eeg_page.set_extent(h.first / h.sfreq, h.total / h.sfreq)
        if not self.eeg.follow or h.total == self._last_total:
            return

        def draw():
            self._last_total = h.total
            n = int(round((self.eeg.seconds + 0.5) * h.sfreq))
            start, data = self._eeg_samples(h.total - n, h.total)
            self.eeg_page.set_data(start, data)
            return True

        if self._paced("eeg", draw, self.eeg):
            self.frames_drawn += 1

    def _draw_lighting(self):
        f = self._frame
        if f is None or f.light is None:
            return

        def draw():
            k = int((time.monotonic() - self._frame_t) / f.light_dt)
            lit = f.light[k] if k < len(f.light) else None
            before = self.cube_view.n_lit
            self.cube_view.set_lit(lit)
            return lit is not None or before > 0

        self._paced("cube", draw, getattr(self.cube_view, "view", self.cube_view))

    # -- alerts and review ------------------------------------------------------------------

    def refresh_alerts(self, force=False):
        """Reload the alert list from the store (in the background)."""
        if self._list_pending and not force:
            return
        self._list_pending = True
        self._last_list = time.monotonic()
        status = self.alert_panel.status
        recording = self.recording if self.alert_panel.session_only.isChecked() else None

        def _list(store, status, recording):
            if store is None:
                return []
            if recording is not None:
                return store.list(status=status, recording=recording)
            return store.list(status=status)

        self.tasks.submit("list", _list, status, recording)

    def _drain_tasks(self):
        drain_results(self._task_done, self.tasks, self.loader)

    def _task_done(self, tag, result, err):
        panel = self.alert_panel
        if tag == "list":
            self._list_pending = False
            if err is None:
                panel.set_alerts(result)
            else:
                panel.show_message(f"The alert store cannot be read: {err}", error=True)
        elif tag == "history":
            if err is None:
                panel.set_history(result)
        elif tag == "review":
            if err is None:
                panel.show_message(f"Alert #{result.id} {result.status} by {result.reviewer}.")
                self.tasks.submit("history", lambda store, i: store.history(i), result.id)
                self.refresh_alerts(force=True)
            else:
                panel.show_message(f"The review was not saved: {err}", error=True)
        elif tag == "export":
            if err is None:
                panel.show_message("Exported to " + ", ".join(str(f) for f in result) + ".")
            else:
                panel.show_message(f"Export failed: {err}", error=True)
        elif tag.startswith("segment:"):
            if int(tag.split(":", 1)[1]) != self._review_token:
                return  # another alert was selected since
            if err is not None:
                panel.show_message(f"The recording cannot be re-read for review: {err}", error=True)
                return
            t0, data, ch_names, sfreq, onset, duration, montages, filters = result
            page = self.eeg_page
            if page.channels != list(ch_names) or (self.history is None and not self.ready):
                page.set_channels(ch_names, sfreq, montages)
                page.set_filters(*filters)
            self._eeg_segment = True
            page.set_extent(t0, t0 + data.shape[1] / sfreq)
            self._show_review(int(round(t0 * sfreq)), data, onset, duration)

    def review_alert(self, alert):
        """Jump the EEG view to an alert (an :class:`~models.alerts.Alert`).

        The EEG page shows one page (its time base) from 2 s before the onset,
        the alert's extent outlined. The session's own alerts are shown from
        the EEG kept in memory; an alert of another recording whose file is
        there is shown by re-reading and filtering that file in the
        background.

        Parameters
        ----------
        alert : Alert
            The alert.
        """
        self._review_token += 1
        self.eeg_page.follow = False
        self.tasks.submit("history", lambda store, i: store.history(i), alert.id)
        h = self.history
        if h is not None and alert.recording == self.recording:
            t0 = max(0.0, alert.onset - 2.0)
            t1 = t0 + max(self.eeg.seconds, alert.duration + 4.0)
            if self._eeg_segment or self.eeg_page.channels != list(
                self.ready.get("eeg_channels", [])
            ):
                self._eeg_segment = False
                self._session_page()
                self.eeg_page.follow = False
            start, data = self._eeg_samples(
                int(math.floor((t0 - 1.0) * h.sfreq)), int(math.ceil((t1 + 1.0) * h.sfreq))
            )
            if data.shape[1]:
                self._show_review(start, data, alert.onset, alert.duration)
                return
        path = Path(alert.recording)
        if path.is_file():
            token = self._review_token
            model = None
            if self.ready is not None and self.ready.get("mode") == "seizure":
                model = self.ready.get("model_path")

            def _segment(_, model, recording, onset, duration):
                from acquisition import read_raw
                from models.alerts.review import review_segment
                from models.io import read_model

                det = read_model(model, cache=True).model
                t0, data = review_segment(det, recording, onset, duration, margin=5.0)
                names = list(det.ch_names)
                recorded = read_raw(recording, preload=False).ch_names
                reason = None
                if referential_electrodes(recorded):
                    reason = (
                        "Only the model's channels are re-read from the recording for the "
                        "review of a stored alert."
                    )
                montages = build_montages(names, recorded=recorded, reason=reason)
                filters = (det.l_freq, det.h_freq, det.notch)
                return t0, data, names, det.sfreq, onset, duration, montages, filters

            self.loader.submit(
                f"segment:{token}", _segment, model, str(path), alert.onset, alert.duration
            )
            self.alert_panel.show_message(f"Reading {path.name} for review…")
            return
        self.alert_panel.show_message(
            f"Alert #{alert.id}: its recording ({alert.recording}) is not in this session's "
            "memory nor a file here; nothing to show.",
            error=True,
        )

    def _show_review(self, start, data, onset, duration):
        # one page at the reader's time base from 2 s before the onset; the whole event
        # is outlined, and paging (PgDn) walks through it
        self.eeg_page.follow = False
        self.eeg_page.set_data(start, data)
        t0 = max(0.0, onset - 2.0)
        self.eeg_page.show_range(t0, t0 + self.eeg.seconds)
        self.eeg.select_region(onset, onset + duration)
        self.reviewing = (onset, duration)

    def review(self, alert_id, status, reviewer, note=""):
        """Confirm or reject an alert (written in the background to the alert store).

        Parameters
        ----------
        alert_id : int
            The alert.
        status : ``'confirmed'`` | ``'rejected'``
            The verdict.
        reviewer : str
            Who reviews.
        note : str
            Free text.
        """
        self.tasks.submit(
            "review", lambda store, *a: store.review(*a), int(alert_id), status, reviewer, note
        )

    def export(self, fname, fmt="csv", status=None):
        """Export alerts from the store (in the background), see ``AlertStore.export``.

        Parameters
        ----------
        fname : str
            Output file (for SzCORE with several recordings, with
            ``{recording}``).
        fmt : ``'csv'`` | ``'szcore'`` | ``'edf'``
            Format (SzCORE and EDF+: one file per recording).
        status : sequence of str | None
            Statuses (None: the store's default for the format).
        """
        recording = self.recording if self.alert_panel.session_only.isChecked() else None
        fname = str(fname)
        if fmt in ("szcore", "edf") and recording is None and "{recording}" not in fname:
            p = Path(fname)
            fname = str(p.with_name("{recording}_" + p.name))
        self.tasks.submit(
            "export",
            lambda store, *a, **k: store.export(*a, **k),
            fname,
            fmt,
            status,
            recording=recording,
        )

    # -- misc -------------------------------------------------------------------------------

    def save_screenshot(self, fname):
        """Save a picture of the window.

        Parameters
        ----------
        fname : path-like
            A ``.png`` file (its folder is created).

        Returns
        -------
        fname : pathlib.Path
            The file.
        """
        fname = Path(fname)
        fname.parent.mkdir(parents=True, exist_ok=True)
        if not self.grab().save(str(fname)):
            raise OSError(f"Could not write the screenshot {fname}.")
        return fname

    def closeEvent(self, event):
        """Stop the pipeline and the background threads."""
        self.timer.stop()
        if self.worker is not None:
            self.worker.stop()
            if not self.worker.join(10.0):
                logger.warning("The pipeline thread did not stop within 10 s.")
        self.tasks.close()
        self.loader.close()
        super().closeEvent(event)
