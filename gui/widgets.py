"""The window's parts: EEG, rasters, probability, alerts and review, trials, status.

Every widget here only draws what it is given; none reads a file, a stream
or the alert store (the window hands them data pulled from
:mod:`gui.worker`).
"""

from __future__ import annotations

import logging
import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets  # before pyqtgraph, which uses it

# isort: split
import pyqtgraph as pg

from .eeg import EEGView, peak_decimate  # noqa: F401

logger = logging.getLogger("neucube.gui")

_STATE_COLORS = {
    "connected": "#1a8f3a",
    "stalled": "#c77800",
    "disconnected": "#c0281e",
    "closed": "#666666",
    "idle": "#666666",
}


class RasterView(pg.GraphicsLayoutWidget):
    """Spike rasters of the latest window: the input neurons and the cube's neurons.

    Left: the encoder's spikes per channel (positive red, above the row's
    centre; negative blue, below). Right: the reservoir's spikes per neuron
    and time bin (an image, brighter = more spikes).
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.inputs = self.addPlot(title="input neurons (encoder spikes: + red, - blue)")
        self.inputs.setMenuEnabled(False)
        self.inputs.hideButtons()
        self.inputs.setMouseEnabled(x=False, y=False)
        self.pos = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen("#d62728", width=1))
        self.neg = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen("#1f57c8", width=1))
        self.inputs.addItem(self.pos)
        self.inputs.addItem(self.neg)
        self.inputs.setLabel("bottom", "time", units="s")
        self.cube = self.addPlot(title="cube neurons (latest window)")
        self.cube.setMenuEnabled(False)
        self.cube.hideButtons()
        self.cube.setMouseEnabled(x=False, y=False)
        self.cube.setLabel("left", "neuron")
        self.cube.setLabel("bottom", "time", units="s")
        self.image = pg.ImageItem(axisOrder="col-major")
        self.image.setColorMap(pg.colormap.get("inferno"))
        self.cube.addItem(self.image)
        self.ch_names = []
        self.n_ticks = 0

    def set_channels(self, ch_names):
        """Set the input channels (row labels)."""
        self.ch_names = list(ch_names)
        n = len(self.ch_names)
        step = max(1, math.ceil(n / 12))
        ticks = [(n - 1 - i, name) for i, name in enumerate(self.ch_names) if i % step == 0]
        self.inputs.getAxis("left").setTicks([ticks])
        self.inputs.setYRange(-0.6, n - 0.4, padding=0)
        self.pos.setData([], [])
        self.neg.setData([], [])
        self.image.clear()

    def set_frame(self, frame):
        """Draw one window's spikes (a :class:`~gui.worker.Frame`)."""
        px, py, nx, ny = frame.ticks
        self.pos.setData(px, py)
        self.neg.setData(nx, ny)
        self.n_ticks = len(px) // 2 + len(nx) // 2
        self.inputs.setXRange(frame.onset, frame.end, padding=0)
        if frame.cube_image is not None:
            img = frame.cube_image
            self.image.setImage(img, levels=(0, max(1, int(img.max()))), autoLevels=False)
            self.image.setRect(
                QtCore.QRectF(frame.onset, 0, img.shape[0] * frame.bin_s, img.shape[1])
            )
            self.cube.setXRange(frame.onset, frame.end, padding=0)
            self.cube.setYRange(0, img.shape[1], padding=0)


class ProbabilityView(pg.PlotWidget):
    """Seizure probability of each window over time, with the threshold.

    In trial mode the points are the trials' confidences.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setLabel("left", "p(seizure)")
        plot.setLabel("bottom", "time", units="s")
        plot.setYRange(0, 1.02, padding=0)
        plot.setMouseEnabled(x=True, y=False)
        self.curve = pg.PlotCurveItem(pen=pg.mkPen("#333", width=2))
        self.points = pg.ScatterPlotItem(size=6, pen=None)
        plot.addItem(self.curve)
        plot.addItem(self.points)
        self.threshold_line = pg.InfiniteLine(
            angle=0,
            pos=0.5,
            pen=pg.mkPen("#d62728", width=1.5, style=QtCore.Qt.DashLine),
            label="threshold {value:.2f}",
            labelOpts={"position": 0.05, "color": "#d62728"},
        )
        plot.addItem(self.threshold_line)
        self.times, self.proba, self.positive = [], [], []
        self._alert_lines = []
        self.mode = "seizure"
        self.threshold = 0.5

    def reset(self, mode="seizure", threshold=None):
        """Forget every point.

        Parameters
        ----------
        mode : ``'seizure'`` | ``'trials'``
            What the points are.
        threshold : float | None
            The detector's threshold (hidden when None).
        """
        self.mode = mode
        self.times, self.proba, self.positive = [], [], []
        self.curve.setData([], [])
        self.points.setData([], [])
        for line in self._alert_lines:
            self.getPlotItem().removeItem(line)
        self._alert_lines = []
        self.getPlotItem().setLabel("left", "p(seizure)" if mode == "seizure" else "confidence")
        if threshold is None:
            self.threshold_line.hide()
        else:
            self.threshold = float(threshold)
            self.threshold_line.setPos(self.threshold)
            self.threshold_line.show()

    def add(self, t, p, positive=False):
        """Add one window's probability (at its end time, ``t``)."""
        self.times.append(float(t))
        self.proba.append(float(p))
        self.positive.append(bool(positive))

    def render(self):
        """Redraw the points added since the last call."""
        if not self.times:
            return
        t = np.asarray(self.times)
        p = np.asarray(self.proba)
        if self.mode == "seizure":
            self.curve.setData(t, p)
        pos = np.asarray(self.positive)
        brushes = np.where(pos, "#d62728", "#555555")
        self.points.setData(t, p, brush=[pg.mkBrush(b) for b in brushes])
        self.getPlotItem().setXRange(max(0.0, t[-1] - 120.0), max(10.0, t[-1] + 1.0), padding=0)

    def add_alert(self, t):
        """Mark an alert's onset."""
        line = pg.InfiniteLine(pos=t, angle=90, pen=pg.mkPen("#d62728", width=2))
        self.getPlotItem().addItem(line)
        self._alert_lines.append(line)

    @property
    def crossed(self):
        """bool: Whether some window reached the threshold."""
        return any(p >= self.threshold for p in self.proba) if self.mode == "seizure" else False


class AlertPanel(QtWidgets.QWidget):
    """The alert list, the review form and export.

    Signals
    -------
    alertSelected(object)
        An :class:`~models.alerts.Alert` was selected.
    reviewRequested(int, str, str, str)
        Alert id, ``'confirmed'``/``'rejected'``, reviewer, note.
    exportRequested(str, str, object)
        File name, format (``'csv'``/``'szcore'``/``'edf'``), statuses (None: the
        store's default for the format).
    refreshRequested()
        The filter changed.
    """

    alertSelected = QtCore.Signal(object)
    reviewRequested = QtCore.Signal(int, str, str, str)
    exportRequested = QtCore.Signal(str, str, object)
    refreshRequested = QtCore.Signal()

    COLUMNS = (
        "id",
        "recording",
        "onset (s)",
        "duration (s)",
        "confidence",
        "channels",
        "status",
        "reviewer",
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.alerts = []
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel("Show"))
        self.status_filter = QtWidgets.QComboBox()
        self.status_filter.addItems(["all", "pending", "confirmed", "rejected"])
        self.status_filter.currentIndexChanged.connect(lambda *_: self.refreshRequested.emit())
        top.addWidget(self.status_filter)
        self.session_only = QtWidgets.QCheckBox("this recording only")
        self.session_only.toggled.connect(lambda *_: self.refreshRequested.emit())
        top.addWidget(self.session_only)
        top.addStretch(1)
        layout.addLayout(top)

        self.table = QtWidgets.QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)

        box = QtWidgets.QGroupBox("Review the selected alert")
        form = QtWidgets.QFormLayout(box)
        self.selected_label = QtWidgets.QLabel("no alert selected")
        form.addRow(self.selected_label)
        self.reviewer = QtWidgets.QLineEdit()
        self.reviewer.setPlaceholderText("your name (required)")
        form.addRow("Reviewer", self.reviewer)
        self.note = QtWidgets.QLineEdit()
        self.note.setPlaceholderText("note (optional)")
        form.addRow("Note", self.note)
        buttons = QtWidgets.QHBoxLayout()
        self.confirm_button = QtWidgets.QPushButton("Confirm seizure")
        self.reject_button = QtWidgets.QPushButton("Reject (false alarm)")
        self.confirm_button.clicked.connect(lambda: self._review("confirmed"))
        self.reject_button.clicked.connect(lambda: self._review("rejected"))
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.reject_button)
        form.addRow(buttons)
        self.history_label = QtWidgets.QLabel("")
        self.history_label.setWordWrap(True)
        form.addRow(self.history_label)
        layout.addWidget(box)

        exp = QtWidgets.QHBoxLayout()
        exp.addWidget(QtWidgets.QLabel("Export"))
        self.export_format = QtWidgets.QComboBox()
        self.export_format.addItems(["csv", "szcore", "edf"])
        self.export_format.setToolTip(
            "csv: one table; szcore: SzCORE annotations per recording; edf: EDF+ annotations "
            "per recording, for EDFbrowser to import next to the recording"
        )
        exp.addWidget(self.export_format)
        self.export_status = QtWidgets.QComboBox()
        self.export_status.addItems(
            ["reviewed (default)", "all", "confirmed", "rejected", "pending"]
        )
        exp.addWidget(self.export_status)
        self.export_button = QtWidgets.QPushButton("Export…")
        self.export_button.clicked.connect(self._export_clicked)
        exp.addWidget(self.export_button)
        layout.addLayout(exp)
        self.message = QtWidgets.QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self._update_buttons()

    # -- data ----------------------------------------------------------------------

    @property
    def status(self):
        """str | None: The status filter (None: all)."""
        s = self.status_filter.currentText()
        return None if s == "all" else s

    def set_alerts(self, alerts):
        """Show these alerts (keeping the selection).

        Parameters
        ----------
        alerts : list of Alert
            From :meth:`models.alerts.AlertStore.list`.
        """
        selected = self.selected_id()
        self.alerts = list(alerts)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.alerts))
        row_sel = None
        for r, a in enumerate(self.alerts):
            rec = a.recording.replace("\\", "/").rsplit("/", 1)[-1]
            values = (
                str(a.id),
                rec,
                f"{a.onset:.1f}",
                "ongoing" if a.ongoing else f"{a.duration:.1f}",
                "" if a.confidence is None else f"{a.confidence:.2f}",
                ", ".join(a.channels),
                a.status,
                a.reviewer or "",
            )
            for c, v in enumerate(values):
                item = QtWidgets.QTableWidgetItem(v)
                if c == 6:
                    item.setForeground(
                        QtGui.QColor(
                            {
                                "pending": "#c77800",
                                "confirmed": "#1a8f3a",
                                "rejected": "#777777",
                            }.get(a.status, "#000")
                        )
                    )
                if c == 1:
                    item.setToolTip(a.recording)
                if c == 3 and a.raised_time is not None:
                    item.setToolTip(
                        f"Raised at {a.raised_time:.1f} s of the recording"
                        + ("; the event is still growing" if a.ongoing else "; final extent")
                    )
                self.table.setItem(r, c, item)
            if a.id == selected:
                row_sel = r
        if row_sel is not None:
            self.table.selectRow(row_sel)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        if row_sel is None and selected is not None:
            self._selection_changed()
        else:
            self._update_selected_label()
        self._update_buttons()

    def selected_alert(self):
        """Alert | None: The alert selected."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        r = rows[0].row()
        return self.alerts[r] if r < len(self.alerts) else None

    def selected_id(self):
        """int | None: Its id."""
        a = self.selected_alert()
        return None if a is None else a.id

    def select_alert(self, alert_id):
        """Select the alert with this id (if listed); returns whether it was."""
        for r, a in enumerate(self.alerts):
            if a.id == alert_id:
                self.table.selectRow(r)
                return True
        return False

    def set_history(self, reviews):
        """Show an alert's audit trail (list of Review)."""
        if not reviews:
            self.history_label.setText("Not reviewed yet.")
            return
        lines = [
            f"{r.at[:19].replace('T', ' ')}: {r.reviewer} {r.action} "
            f"{r.status_before} → {r.status_after}" + (f" ({r.note})" if r.note else "")
            for r in reviews
        ]
        self.history_label.setText("\n".join(lines))

    def show_message(self, text, error=False):
        """Show a line under the panel."""
        self.message.setStyleSheet("color: #c0281e;" if error else "color: #1a5f2a;")
        self.message.setText(text)

    # -- actions ---------------------------------------------------------------------

    def _update_selected_label(self):
        a = self.selected_alert()
        if a is None:
            self.selected_label.setText("no alert selected")
        else:
            conf = "" if a.confidence is None else f", confidence {a.confidence:.2f}"
            self.selected_label.setText(f"#{a.id}: {a.onset:.1f}–{a.end:.1f} s{conf}, {a.status}")

    def _selection_changed(self):
        self._update_selected_label()
        self._update_buttons()
        a = self.selected_alert()
        self.history_label.setText("")
        if a is not None:
            self.alertSelected.emit(a)

    def _update_buttons(self):
        ok = self.selected_alert() is not None
        self.confirm_button.setEnabled(ok)
        self.reject_button.setEnabled(ok)

    def _review(self, status):
        a = self.selected_alert()
        if a is None:
            return
        reviewer = self.reviewer.text().strip()
        if not reviewer:
            self.show_message("Enter the reviewer's name first.", error=True)
            self.reviewer.setFocus()
            return
        self.reviewRequested.emit(int(a.id), status, reviewer, self.note.text())

    def export_statuses(self):
        """Return the statuses to export (None: the store's default for the format)."""
        s = self.export_status.currentText()
        if s.startswith("reviewed"):
            return None
        if s == "all":
            return ("pending", "confirmed", "rejected")
        return (s,)

    def _export_clicked(self):
        fmt = self.export_format.currentText()
        suffix = {"csv": "alerts.csv", "szcore": "{recording}_events.tsv"}.get(
            fmt, "{recording}_alerts.edf"
        )
        fname, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export alerts", suffix)
        if fname:
            self.exportRequested.emit(fname, fmt, self.export_statuses())


class TrialTable(QtWidgets.QTableWidget):
    """Each classified trial: time, marker, predicted class, confidence."""

    COLUMNS = ("#", "time (s)", "marker", "predicted", "confidence", "match")

    def __init__(self, parent=None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.setEditTriggers(QtWidgets.QAbstractItemView.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.trials = []

    def clear_trials(self):
        """Remove every row."""
        self.trials = []
        self.setRowCount(0)

    def add_trial(self, trial):
        """Add a row for a :class:`~gui.worker.TrialResult` (newest at the bottom)."""
        self.trials.append(trial)
        r = self.rowCount()
        self.insertRow(r)
        match = {True: "✓", False: "✗", None: ""}[trial.correct]
        values = (
            str(trial.index + 1),
            f"{trial.onset:.2f}",
            trial.marker,
            str(trial.predicted),
            f"{trial.confidence:.2f}",
            match,
        )
        for c, v in enumerate(values):
            self.setItem(r, c, QtWidgets.QTableWidgetItem(v))
        self.scrollToBottom()


class StatusLine(QtWidgets.QLabel):
    """One line: the stream's state and fault counters, what was processed."""

    def __init__(self, parent=None):
        super().__init__("idle", parent)
        self.setTextFormat(QtCore.Qt.RichText)
        self.state = "idle"

    def set_text(self, text, state="idle"):
        """Show a plain message with a state colour."""
        self.state = state
        color = _STATE_COLORS.get(state, "#333")
        self.setText(f"<span style='color:{color}'>{text}</span>")

    def set_status(self, st):
        """Show a status dict from the worker (see :class:`~gui.worker.PipelineWorker`)."""
        state = st.get("state", "?")
        self.state = state
        color = _STATE_COLORS.get(state, "#333")
        parts = [f"<b style='color:{color}'>{state}</b>", st.get("source", "")]
        if st.get("seconds") is not None:
            parts.append(f"{st['seconds']:.1f} s")
        if "windows" in st:
            parts.append(f"{st['windows']} windows, {st.get('alerts', 0)} alert(s)")
        if "trials" in st:
            parts.append(f"{st['trials']} trial(s)")
        faults = []
        for key, label in (
            ("n_stalls", "stalls"),
            ("n_disconnects", "disconnects"),
            ("n_reconnects", "reconnects"),
            ("n_overflow", "overflow"),
            ("n_dropped", "dropped"),
            ("n_out_of_order", "out of order"),
        ):
            if st.get(key) is not None:
                faults.append(f"{label} {st[key]}")
        if faults:
            parts.append(", ".join(faults))
        if st.get("latency") is not None:
            parts.append(f"latency {1e3 * st['latency']:.0f} ms")
        self.setText(" | ".join(p for p in parts if p))
