"""The EEG page: the traces, with the controls a reader of clinical EEG expects.

:class:`EEGView` draws the traces (one row per channel, rows one division
apart, a scale bar); :class:`EEGPage` holds one (its ``view``) with the
controls: sensitivity, time base, montage, the filters in effect, paging by
keyboard, hiding channels. Neither reads a file or a stream: the page is
given samples and asks for more when it moves. :mod:`gui.widgets` re-exports
:class:`EEGView` and :func:`peak_decimate`.

The page's API
--------------
``page = EEGPage(parent=None, seconds=10.0, sensitivity=100.0, live=False)``

``page.set_channels(ch_names, sfreq, montages=None)``
    The input channels (the rows of the data to come) and the montages
    offered (a list of :class:`Montage`, e.g. from :func:`build_montages`;
    None: the channels as they are). Clears the data, spans and hidden
    channels.
``page.set_montages(montages, current=None)``, ``page.set_montage(name)``, ``page.montage``
    Change the montages offered, or the one shown. A montage the recording
    does not allow (:attr:`Montage.available` False: the referential view of
    a bipolar recording) is listed disabled, with its reason as tooltip.
``page.set_data(start, data)``
    Samples of the input channels (µV), ``start`` the number of the first
    (from the recording's start).
``page.show_range(t0, t1)``, ``page.shown``
    Show (and read) the seconds on screen.
``page.set_extent(t0, t1)``, ``page.page(n)``, ``page.step(seconds)``, ``page.home()``, ``page.end()``
    What the recording holds, and moving through it. Each move emits
    ``rangeRequested(t0, t1)``: answer it with ``set_data`` for that span.
    With ``live=True`` a move stops following the newest data
    (``followChanged(False)``) and ``end()`` follows it again
    (``followChanged(True)``); ``page.follow`` reads or sets it.
``page.set_sensitivity(uv)``, ``page.step_sensitivity(n)``, ``page.sensitivity``
    µV per division, one of :data:`SENSITIVITIES`.
``page.set_time_base(seconds)``, ``page.seconds``
    Seconds per page, one of :data:`TIME_BASES` (or the one given at
    construction).
``page.set_filters(l_freq, h_freq, notch)``
    The filters shown (:func:`filter_text`), in ``page.filter_label`` and
    the header.
``page.hide_channel(name)``, ``page.show_channel(name)``, ``page.show_all_channels()``, ``page.hidden``
    Hide rows (also from a right click on a channel's name, or the
    Channels menu); the others close up and keep their labels.
``page.handle_key(key)``
    The keys (the page and its view take them when focused): PgUp/PgDn a
    page, Left/Right :data:`STEP_SECONDS` (1 s), Home/End the first/last
    page, Up/Down the next sensitivity step (Up: taller traces).
``page.view``
    The :class:`EEGView`: ``add_region``, ``select_region``,
    ``clear_regions``, ``add_marker``, ``curves``, ``n_points_drawn`` ...

Signals: ``rangeRequested(float, float)``, ``followChanged(bool)``,
``montageChanged(str)``, ``sensitivityChanged(float)``,
``timeBaseChanged(float)``, ``hiddenChanged(object)``.

:class:`Montage`, :func:`build_montages` and :func:`filter_text` are
:mod:`gui.worker`'s (no Qt there: the pipeline's process computes them),
re-exported here.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from PySide6 import QtCore, QtWidgets  # before pyqtgraph, which uses it

# isort: split
import pyqtgraph as pg

from .worker import Montage, build_montages, filter_text, referential_electrodes

__all__ = [
    "EEGPage",
    "EEGView",
    "Montage",
    "SENSITIVITIES",
    "STEP_SECONDS",
    "TIME_BASES",
    "build_montages",
    "filter_text",
    "peak_decimate",
    "referential_electrodes",
]

logger = logging.getLogger("neucube.gui")

#: Sensitivities offered, µV per division (one division: the distance
#: between two rows' baselines).
SENSITIVITIES = (7.0, 10.0, 15.0, 20.0, 30.0, 50.0, 70.0, 100.0, 150.0, 200.0)
#: Time bases offered, seconds per page.
TIME_BASES = (10.0, 15.0, 20.0, 30.0)
#: Seconds the Left and Right arrows move the page.
STEP_SECONDS = 1.0
#: Bottom of the view, in divisions below the last row: room for the scale bar.
_Y_BOTTOM = -2.5


def peak_decimate(x: np.ndarray, data: np.ndarray, width_px: int) -> tuple[np.ndarray, np.ndarray]:
    """Clip-free peak (min/max) decimation to about two points per pixel.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Sample times.
    data : ndarray, shape (n_channels, n)
        Values.
    width_px : int
        Pixels the span is drawn on.

    Returns
    -------
    x : ndarray, shape (m,)
    data : ndarray, shape (n_channels, m)
        Every sample (when there are fewer than two per pixel), else the
        minimum and maximum of each pixel's samples, in that order, so that
        no peak is lost.
    """
    n = data.shape[1]
    ds = n // max(1, int(width_px))
    if ds < 2:
        return x, data
    m = n // ds
    blocks = data[:, : m * ds].reshape(data.shape[0], m, ds)
    out = np.empty((data.shape[0], 2 * m))
    out[:, 0::2] = blocks.min(axis=2)
    out[:, 1::2] = blocks.max(axis=2)
    xb = x[: m * ds : ds]
    step = x[1] - x[0] if n > 1 else 0.0
    xs = np.empty(2 * m)
    xs[0::2] = xb
    xs[1::2] = xb + step * (ds - 1)
    return xs, out


class _ChannelAxis(pg.AxisItem):
    """The row labels' axis: a right click on a label is handed to ``on_right_click``."""

    on_right_click = None

    def mouseClickEvent(self, event):
        """Hand a right click to ``on_right_click(y, screen_pos)``, else as pyqtgraph does."""
        view = self.linkedView()
        if event.button() == QtCore.Qt.RightButton and view is not None and self.on_right_click:
            event.accept()
            y = view.mapSceneToView(event.scenePos()).y()
            self.on_right_click(y, event.screenPos().toPoint())
            return
        super().mouseClickEvent(event)


class EEGView(pg.PlotWidget):
    """Scrolling multichannel EEG: one ``PlotCurveItem`` per channel.

    Each channel's curve is placed at its row with ``setPos``; only the
    samples in view are drawn (clip-to-view), decimated to their minimum and
    maximum per pixel (peak downsampling) when there are more than two per
    pixel. Channel names label the rows. Rows are one division apart (one
    scene unit): a channel is drawn at ``scale_uv`` µV per division, and a
    scale bar in the bottom right corner shows one division (labelled with
    the µV it spans) and one second.

    Parameters
    ----------
    parent : QWidget | None
        Parent widget.
    seconds : float
        Seconds shown (10).
    scale_uv : float
        Microvolts per division (the row spacing): the sensitivity.

    Attributes
    ----------
    follow : bool
        Whether the view follows the newest data (live) or stays where it was
        put (review).
    curves : list of pyqtgraph.PlotCurveItem
        One per channel.
    scale_bar : pyqtgraph.PlotCurveItem
        The scale bar: a vertical segment one division high, then a
        horizontal one of ``scale_seconds``.
    scale_seconds : float
        Seconds the scale bar's time segment spans (1).

    Signals
    -------
    channelMenuRequested(str, QPoint)
        A channel's label was right-clicked (its name, the screen position).
    """

    channelMenuRequested = QtCore.Signal(str, QtCore.QPoint)

    def __init__(self, parent=None, seconds=10.0, scale_uv=150.0):
        super().__init__(parent, axisItems={"left": _ChannelAxis("left")})
        self.seconds = float(seconds)
        self.scale_uv = float(scale_uv)
        self.follow = True
        self.curves = []
        self.ch_names = []
        self.sfreq = 1.0
        self._start = 0
        self._data = np.zeros((0, 0))
        self._regions = []
        self._markers = []
        self._selected = None
        self.n_points_drawn = 0
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setLabel("bottom", "time", units="s")
        plot.setMouseEnabled(x=True, y=False)
        self.setBackground("w")
        self._cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#888", style=QtCore.Qt.DashLine))
        plot.addItem(self._cursor, ignoreBounds=True)
        self.scale_seconds = 1.0
        self.scale_bar = pg.PlotCurveItem(pen=pg.mkPen("#000", width=2), connect="all")
        self.scale_bar.setZValue(20)
        plot.addItem(self.scale_bar, ignoreBounds=True)
        back = pg.mkBrush(255, 255, 255, 210)  # readable over the traces
        self._uv_label = pg.TextItem("", color="#000", anchor=(1.0, 0.5), fill=back)
        self._s_label = pg.TextItem("", color="#000", anchor=(1.0, 0.5), fill=back)
        for label in (self._uv_label, self._s_label):
            label.setZValue(20)
            plot.addItem(label, ignoreBounds=True)
        plot.getAxis("left").on_right_click = self._label_right_clicked
        self.setFocusPolicy(QtCore.Qt.StrongFocus)
        self._place_scale_bar()
        plot.vb.sigXRangeChanged.connect(self._range_changed)

    def set_channels(self, ch_names, sfreq):
        """Set the channels (and clear the data).

        Parameters
        ----------
        ch_names : list of str
            Channel names, drawn top to bottom.
        sfreq : float
            Sampling rate, Hz.
        """
        self.sfreq = float(sfreq)
        self.set_rows(ch_names)
        self._data = np.zeros((len(self.ch_names), 0))
        self._start = 0
        self.clear_regions()
        self.show_range(0.0, self.seconds)

    def set_rows(self, ch_names):
        """Change the rows drawn, keeping the time range, shaded spans and markers.

        The data held are dropped (the next :meth:`set_data` gives the rows'
        samples).

        Parameters
        ----------
        ch_names : list of str
            Row names, drawn top to bottom.
        """
        plot = self.getPlotItem()
        for c in self.curves:
            plot.removeItem(c)
        self.ch_names = list(ch_names)
        n = len(self.ch_names)
        self.curves = []
        pen_colors = ("#1f3b73", "#24562b")
        for i, _ in enumerate(self.ch_names):
            curve = pg.PlotCurveItem(
                pen=pg.mkPen(pen_colors[i % 2], width=1), antialias=False, skipFiniteCheck=True
            )
            curve.setPos(0, n - 1 - i)
            plot.addItem(curve)
            self.curves.append(curve)
        plot.getAxis("left").setTicks([[(n - 1 - i, name) for i, name in enumerate(self.ch_names)]])
        plot.setYRange(_Y_BOTTOM, max(n, 1), padding=0)
        self._data = np.zeros((n, 0))
        self.render()

    def set_scale(self, scale_uv):
        """Set the sensitivity and redraw.

        Parameters
        ----------
        scale_uv : float
            Microvolts per division (the row spacing).
        """
        if not scale_uv > 0:
            raise ValueError(f"scale_uv must be positive (µV per division), got {scale_uv!r}.")
        self.scale_uv = float(scale_uv)
        self.render()

    def channel_at(self, y):
        """Return the name of the row nearest a height (str | None).

        Parameters
        ----------
        y : float
            Height in scene units (row ``i`` from the top sits at
            ``n_rows - 1 - i``).
        """
        n = len(self.ch_names)
        i = n - 1 - int(round(y))
        return self.ch_names[i] if 0 <= i < n else None

    def _label_right_clicked(self, y, screen_pos):
        name = self.channel_at(y)
        if name is not None:
            self.channelMenuRequested.emit(name, screen_pos)

    def _place_scale_bar(self):
        """Put the scale bar in the view's bottom right corner, sized to the sensitivity."""
        (x0, x1), _ = self.getPlotItem().vb.viewRange()
        width = max(x1 - x0, 1e-9)
        xv = x1 - 0.02 * width
        yb = _Y_BOTTOM + 0.5
        # the time segment along the bottom, then the division straight up from its end;
        # each label to the left of its segment's far end
        self.scale_bar.setData([xv - self.scale_seconds, xv, xv], [yb, yb, yb + 1.0])
        self._uv_label.setText(f"{self.scale_uv:g} µV")
        self._uv_label.setPos(xv - 0.004 * width, yb + 1.0)
        self._s_label.setText(f"{self.scale_seconds:g} s")
        self._s_label.setPos(xv - self.scale_seconds - 0.004 * width, yb)

    def set_data(self, start, data):
        """Set the samples drawn (a span of the recording).

        Parameters
        ----------
        start : int
            Sample number of the first column (from the stream's start).
        data : ndarray, shape (n_channels, n)
            EEG in µV.
        """
        self._start = int(start)
        self._data = data
        if self.follow and data.shape[1]:
            end = (self._start + data.shape[1]) / self.sfreq
            self.show_range(max(0.0, end - self.seconds), max(self.seconds, end), render=False)
        self.render()

    @property
    def span(self):
        """tuple of float: Seconds of the first and last sample held."""
        return self._start / self.sfreq, (self._start + self._data.shape[1]) / self.sfreq

    def show_range(self, t0, t1, render=True):
        """Show seconds ``t0`` to ``t1``.

        Parameters
        ----------
        t0, t1 : float
            The span, seconds.
        render : bool
            Redraw now.
        """
        self._setting_range = True
        try:
            self.getPlotItem().setXRange(t0, t1, padding=0)
        finally:
            self._setting_range = False
        if render:
            self.render()

    def _range_changed(self, *args):
        if not getattr(self, "_setting_range", False):
            self.render()

    def render(self):
        """Draw the samples in view (clip-to-view, peak downsampling)."""
        self._place_scale_bar()
        data = self._data
        if not self.curves or data.shape[1] == 0:
            for c in self.curves:
                c.setData([], [])
            self.n_points_drawn = 0
            return
        (x0, x1), _ = self.getPlotItem().vb.viewRange()
        a = max(0, int(math.floor(x0 * self.sfreq)) - self._start - 1)
        b = min(data.shape[1], int(math.ceil(x1 * self.sfreq)) - self._start + 2)
        if b <= a:
            for c in self.curves:
                c.setData([], [])
            self.n_points_drawn = 0
            return
        x = (self._start + np.arange(a, b)) / self.sfreq
        width = max(1, int(self.getPlotItem().vb.width()))
        xs, ys = peak_decimate(x, data[:, a:b], width)
        ys = ys * (1.0 / self.scale_uv)
        for curve, y in zip(self.curves, ys):
            curve.setData(xs, y)
        self.n_points_drawn = int(xs.size)
        self._cursor.setPos((self._start + data.shape[1]) / self.sfreq)

    # -- annotations ---------------------------------------------------------------

    def add_region(self, t0, t1, key=None, color=(220, 40, 40, 50)):
        """Shade a span (an alert).

        Parameters
        ----------
        t0, t1 : float
            The span, seconds.
        key : object
            Identifies it (see :meth:`select_region`).
        color : tuple
            RGBA.
        """
        region = pg.LinearRegionItem(
            values=(t0, t1), movable=False, brush=pg.mkBrush(*color), pen=pg.mkPen(None)
        )
        region.setZValue(-10)
        region._key = key
        self.getPlotItem().addItem(region, ignoreBounds=True)
        self._regions.append(region)
        return region

    def select_region(self, t0, t1):
        """Outline the span under review (one at a time)."""
        plot = self.getPlotItem()
        if self._selected is not None:
            plot.removeItem(self._selected)
        self._selected = pg.LinearRegionItem(
            values=(t0, t1),
            movable=False,
            brush=pg.mkBrush(255, 170, 0, 45),
            pen=pg.mkPen("#e08000", width=2),
        )
        self._selected.setZValue(-5)
        plot.addItem(self._selected, ignoreBounds=True)

    def clear_regions(self):
        """Remove every shaded span and marker."""
        plot = self.getPlotItem()
        for r in self._regions + self._markers:
            plot.removeItem(r)
        if self._selected is not None:
            plot.removeItem(self._selected)
        self._regions, self._markers, self._selected = [], [], None

    def add_marker(self, t, label, keep=200):
        """Draw a labelled vertical line (a trial's marker)."""
        line = pg.InfiniteLine(
            pos=t,
            angle=90,
            pen=pg.mkPen("#8a2be2", width=1),
            label=label,
            labelOpts={"position": 0.97, "color": "#8a2be2"},
        )
        self.getPlotItem().addItem(line, ignoreBounds=True)
        self._markers.append(line)
        while len(self._markers) > keep:
            self.getPlotItem().removeItem(self._markers.pop(0))


class EEGPage(QtWidgets.QWidget):
    """The EEG page: an :class:`EEGView` with sensitivity, time base, montage and paging.

    The page is given input channels (:meth:`set_channels`) and their samples
    (:meth:`set_data`); the montage chosen (one of :meth:`set_montages`)
    turns them into the rows drawn, less the hidden ones. It computes
    nothing else: when it moves (paging, time base, Home, End) it says so
    with :attr:`rangeRequested`, and whoever holds the recording answers
    with :meth:`set_data` for that span.

    Parameters
    ----------
    parent : QWidget | None
        Parent widget.
    seconds : float
        Time base, seconds per page (10; one of :data:`TIME_BASES`, or any
        positive value, then listed too).
    sensitivity : float
        µV per division (100), one of :data:`SENSITIVITIES`.
    live : bool
        Whether the data grow (a stream): then paging back stops following
        the newest data and End follows it again.

    Attributes
    ----------
    view : EEGView
        The traces (and the page's shaded spans, markers, cursor).
    montage_box, sensitivity_box, time_base_box : QComboBox
        The controls.
    channels_button : QToolButton
        Its menu hides and shows channels.
    header : QLabel
        Montage, sensitivity, time base, filters and the span shown.
    filter_label : QLabel
        The filters in effect (see :meth:`set_filters`).
    live : bool
        As the parameter.

    Signals
    -------
    rangeRequested(float, float)
        The page moved to these seconds: give it the samples (:meth:`set_data`).
    followChanged(bool)
        Following the newest data stopped (paging back) or resumed (End).
    montageChanged(str)
        The montage chosen (its name).
    sensitivityChanged(float)
        µV per division.
    timeBaseChanged(float)
        Seconds per page.
    hiddenChanged(object)
        The hidden channels (a tuple of names).
    """

    rangeRequested = QtCore.Signal(float, float)
    followChanged = QtCore.Signal(bool)
    montageChanged = QtCore.Signal(str)
    sensitivityChanged = QtCore.Signal(float)
    timeBaseChanged = QtCore.Signal(float)
    hiddenChanged = QtCore.Signal(object)

    SENSITIVITIES = SENSITIVITIES
    TIME_BASES = TIME_BASES
    STEP_SECONDS = STEP_SECONDS

    def __init__(self, parent=None, seconds=10.0, sensitivity=100.0, live=False):
        super().__init__(parent)
        if not seconds > 0:
            raise ValueError(f"seconds must be positive, got {seconds!r}.")
        self._check_sensitivity(sensitivity)
        self.live = bool(live)
        self.sfreq = 1.0
        self._inputs = []
        self._montages = [Montage.pick([])]
        self._current = 0
        self._hidden = set()
        self._start = 0
        self._data = np.zeros((0, 0))
        self._extent = None
        self._filters = "no filter"
        self._header_text = ""
        self.view = EEGView(self, seconds=seconds, scale_uv=sensitivity)
        self.view.channelMenuRequested.connect(self._show_channel_menu)
        self.view.getPlotItem().vb.sigXRangeChanged.connect(lambda *_: self._update_header())
        self.view.installEventFilter(self)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(QtWidgets.QLabel("Montage"))
        self.montage_box = QtWidgets.QComboBox()
        self.montage_box.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToContents)
        self.montage_box.currentIndexChanged.connect(self._montage_chosen)
        row.addWidget(self.montage_box)
        self.sensitivity_box = QtWidgets.QComboBox()
        for uv in SENSITIVITIES:
            self.sensitivity_box.addItem(f"{uv:g} µV/div", uv)
        self.sensitivity_box.setToolTip(
            "Sensitivity: µV per division (the distance between two channels' baselines). "
            "Up: taller traces (fewer µV/div); Down: smaller."
        )
        self.sensitivity_box.setCurrentIndex(SENSITIVITIES.index(float(sensitivity)))
        self.sensitivity_box.currentIndexChanged.connect(self._sensitivity_chosen)
        row.addWidget(self.sensitivity_box)
        self.time_base_box = QtWidgets.QComboBox()
        bases = sorted(set(TIME_BASES) | {float(seconds)})
        for s in bases:
            self.time_base_box.addItem(f"{s:g} s/page", s)
        self.time_base_box.setToolTip(
            "Time base: seconds per page. PgUp/PgDn: a page; Left/Right: "
            f"{STEP_SECONDS:g} s; Home/End: the start/the end (End follows live data)."
        )
        self.time_base_box.setCurrentIndex(bases.index(float(seconds)))
        self.time_base_box.currentIndexChanged.connect(self._time_base_chosen)
        row.addWidget(self.time_base_box)
        self.channels_button = QtWidgets.QToolButton()
        self.channels_button.setText("Channels")
        self.channels_button.setToolTip("Hide or show channels (or right-click a channel's name)")
        self.channels_button.setPopupMode(QtWidgets.QToolButton.InstantPopup)
        self._channels_menu = QtWidgets.QMenu(self.channels_button)
        self._channels_menu.aboutToShow.connect(self._fill_channels_menu)
        self.channels_button.setMenu(self._channels_menu)
        row.addWidget(self.channels_button)
        row.addStretch(1)
        self.filter_label = QtWidgets.QLabel(self._filters)
        self.filter_label.setToolTip("Filters applied to the EEG shown (and read by the model)")
        row.addWidget(self.filter_label)
        layout.addLayout(row)
        self.header = QtWidgets.QLabel("")
        self.header.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Fixed)
        self.header.setStyleSheet("color: #333; padding-left: 4px;")
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        for w in (self.montage_box, self.sensitivity_box, self.time_base_box):
            w.installEventFilter(self)  # paging keys page even from a control
        self._fill_montage_box()
        self._update_header()

    # -- channels, montages, data ---------------------------------------------------

    def set_channels(self, ch_names, sfreq, montages=None):
        """Set the input channels (and clear the data, spans and hidden channels).

        Parameters
        ----------
        ch_names : list of str
            The channels of the data :meth:`set_data` will be given.
        sfreq : float
            Sampling rate, Hz.
        montages : list of Montage | None
            The montages offered (see :meth:`set_montages`; None: the
            channels as they are).
        """
        self._inputs = list(ch_names)
        self.sfreq = float(sfreq)
        self._hidden = set()
        self._data = np.zeros((len(self._inputs), 0))
        self._start = 0
        self._extent = None
        self._montages = self._checked(montages or [Montage.pick(self._inputs)])
        self._current = self._first_available()
        self.view.set_channels(self._visible_rows(), self.sfreq)
        self._fill_montage_box()
        self._update_header()

    def set_montages(self, montages, current=None):
        """Set the montages offered (the data and view are kept).

        Parameters
        ----------
        montages : list of Montage
            In the order listed; those not :attr:`Montage.available` are
            listed disabled, their reason as tooltip. Each one's inputs must
            be among the channels of :meth:`set_channels`.
        current : str | None
            The one to show (None: the one shown if still offered, else the
            first available).
        """
        montages = self._checked(montages)
        name = current if current is not None else self.montage.name
        self._montages = montages
        names = [m.name for m in montages]
        if name in names and montages[names.index(name)].available:
            self._current = names.index(name)
        elif current is not None:
            raise ValueError(f"No available montage named {current!r}; offered: {names}.")
        else:
            self._current = self._first_available()
        self._fill_montage_box()
        self._apply_rows()

    def _checked(self, montages):
        montages = list(montages)
        if not montages:
            raise ValueError("At least one montage is needed.")
        for m in montages:
            missing = [c for c in m.inputs if c not in self._inputs]
            if m.available and missing:
                raise ValueError(
                    f"The montage {m.name!r} reads channels that are not the page's: {missing}. "
                    f"The page's channels are {self._inputs}."
                )
        return montages

    def _first_available(self):
        return next((i for i, m in enumerate(self._montages) if m.available), 0)

    @property
    def channels(self):
        """list of str: The input channels (see :meth:`set_channels`)."""
        return list(self._inputs)

    @property
    def montages(self):
        """list of Montage: The montages offered."""
        return list(self._montages)

    @property
    def montage(self):
        """Montage: The montage shown."""
        return self._montages[self._current]

    def set_montage(self, name):
        """Show a montage.

        Parameters
        ----------
        name : str
            Its name (one of :attr:`montages`, available).
        """
        names = [m.name for m in self._montages]
        if name not in names:
            raise ValueError(f"No montage named {name!r}; offered: {names}.")
        i = names.index(name)
        if not self._montages[i].available:
            raise ValueError(f"The montage {name!r} is not available: {self._montages[i].reason}")
        self.montage_box.setCurrentIndex(i)  # -> _montage_chosen

    def _fill_montage_box(self):
        box = self.montage_box
        box.blockSignals(True)
        box.clear()
        for i, m in enumerate(self._montages):
            box.addItem(m.name)
            item = box.model().item(i)
            if not m.available:
                item.setEnabled(False)
                box.setItemData(i, m.reason, QtCore.Qt.ToolTipRole)
            else:
                box.setItemData(i, m.description, QtCore.Qt.ToolTipRole)
        box.setCurrentIndex(self._current)
        box.blockSignals(False)
        tips = [f"{m.name}: {m.reason}" for m in self._montages if not m.available]
        box.setToolTip(
            "The montage: how the channels are derived." + ("\n" + "\n".join(tips) if tips else "")
        )

    def _montage_chosen(self, i):
        if i < 0 or i == self._current or not self._montages[i].available:
            self.montage_box.blockSignals(True)
            self.montage_box.setCurrentIndex(self._current)
            self.montage_box.blockSignals(False)
            return
        self._current = i
        self._apply_rows()
        self.montageChanged.emit(self.montage.name)

    def _visible_rows(self):
        return [c for c in self.montage.ch_names if c not in self._hidden]

    def _apply_rows(self):
        self.view.set_rows(self._visible_rows())
        self._redraw()
        self._update_header()

    def set_data(self, start, data):
        """Set the samples of the input channels (a span of the recording).

        Parameters
        ----------
        start : int
            Sample number of the first column (from the recording's start).
        data : ndarray, shape (n_channels, n)
            EEG in µV, the channels of :meth:`set_channels` in order.
        """
        data = np.asarray(data, dtype=float)
        if data.ndim != 2 or data.shape[0] != len(self._inputs):
            raise ValueError(
                f"data must have shape ({len(self._inputs)}, n_times) for the page's "
                f"{len(self._inputs)} channels, got {data.shape}."
            )
        self._start = int(start)
        self._data = data
        self._redraw()

    def _redraw(self):
        m = self.montage
        if not m.available:
            return
        rows = m.apply(self._inputs, self._data) if self._data.shape[1] else None
        if rows is None:
            self.view.set_data(self._start, np.zeros((len(self.view.ch_names), 0)))
            return
        if self._hidden:
            rows = rows[[i for i, c in enumerate(m.ch_names) if c not in self._hidden]]
        self.view.set_data(self._start, rows)

    def rows(self):
        """Return the rows drawn: their names and samples (the montage, less the hidden).

        Returns
        -------
        start : int
            Sample number of the first column.
        names : list of str
        data : ndarray, shape (len(names), n)
            µV.
        """
        return self._start, list(self.view.ch_names), self.view._data

    # -- hiding channels -------------------------------------------------------------

    @property
    def hidden(self):
        """tuple of str: The hidden channels (rows of any montage), sorted."""
        return tuple(sorted(self._hidden))

    def hide_channel(self, name):
        """Hide a row (in every montage that has it).

        Parameters
        ----------
        name : str
            The row's name.
        """
        if name not in self.montage.ch_names:
            raise ValueError(f"No channel {name!r} in the montage {self.montage.name!r}.")
        if len(self._visible_rows()) <= 1 and name not in self._hidden:
            logger.info("The last channel shown stays shown.")
            return
        self._hidden.add(name)
        self._apply_rows()
        self.hiddenChanged.emit(self.hidden)

    def show_channel(self, name):
        """Show a hidden row again (its name)."""
        self._hidden.discard(name)
        self._apply_rows()
        self.hiddenChanged.emit(self.hidden)

    def show_all_channels(self):
        """Show every hidden row again."""
        self._hidden.clear()
        self._apply_rows()
        self.hiddenChanged.emit(self.hidden)

    def channel_menu(self, name):
        """Return the context menu of a channel's label (Hide it, Show all).

        Parameters
        ----------
        name : str
            The channel.

        Returns
        -------
        menu : QMenu
            Its actions: ``Hide <name>``, ``Show all channels``.
        """
        menu = QtWidgets.QMenu(self)
        hide = menu.addAction(f"Hide {name}")
        hide.triggered.connect(lambda *_: self.hide_channel(name))
        hide.setEnabled(len(self._visible_rows()) > 1)
        n = len(self._hidden)
        show = menu.addAction(f"Show all channels ({n} hidden)" if n else "Show all channels")
        show.triggered.connect(lambda *_: self.show_all_channels())
        show.setEnabled(n > 0)
        return menu

    def _show_channel_menu(self, name, pos):
        self.channel_menu(name).popup(pos)

    def _fill_channels_menu(self):
        menu = self._channels_menu
        menu.clear()
        show = menu.addAction("Show all channels")
        show.triggered.connect(lambda *_: self.show_all_channels())
        show.setEnabled(bool(self._hidden))
        menu.addSeparator()
        for name in self.montage.ch_names:
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(name not in self._hidden)
            action.toggled.connect(
                lambda on, n=name: self.show_channel(n) if on else self.hide_channel(n)
            )

    # -- sensitivity, time base, filters -----------------------------------------------

    @staticmethod
    def _check_sensitivity(uv):
        if float(uv) not in SENSITIVITIES:
            raise ValueError(
                f"sensitivity must be one of {', '.join(f'{s:g}' for s in SENSITIVITIES)} "
                f"µV/div, got {uv!r}."
            )

    @property
    def sensitivity(self):
        """float: µV per division."""
        return self.view.scale_uv

    def set_sensitivity(self, uv):
        """Set the sensitivity.

        Parameters
        ----------
        uv : float
            µV per division, one of :data:`SENSITIVITIES`.
        """
        self._check_sensitivity(uv)
        self.sensitivity_box.setCurrentIndex(SENSITIVITIES.index(float(uv)))

    def step_sensitivity(self, steps):
        """Move the sensitivity by whole steps, stopping at the ends.

        Parameters
        ----------
        steps : int
            Positive: more µV per division (smaller traces); negative: fewer
            (taller traces).
        """
        i = SENSITIVITIES.index(self.sensitivity) + int(steps)
        self.set_sensitivity(SENSITIVITIES[min(max(i, 0), len(SENSITIVITIES) - 1)])

    def _sensitivity_chosen(self, i):
        uv = float(self.sensitivity_box.itemData(i))
        if uv != self.view.scale_uv:
            self.view.set_scale(uv)
            self._update_header()
            self.sensitivityChanged.emit(uv)

    @property
    def seconds(self):
        """float: The time base, seconds per page."""
        return self.view.seconds

    def set_time_base(self, seconds):
        """Set the time base (seconds per page, one of the time base box's).

        Parameters
        ----------
        seconds : float
            Seconds per page.
        """
        values = [self.time_base_box.itemData(i) for i in range(self.time_base_box.count())]
        if float(seconds) not in values:
            raise ValueError(
                f"The time base must be one of {', '.join(f'{v:g}' for v in values)} s, "
                f"got {seconds!r}."
            )
        self.time_base_box.setCurrentIndex(values.index(float(seconds)))

    def _time_base_chosen(self, i):
        seconds = float(self.time_base_box.itemData(i))
        if seconds == self.view.seconds:
            return
        self.view.seconds = seconds
        t0, t1 = self.shown
        if self.follow:
            self._go(t1 - seconds, follow=True)
        else:
            self._go(t0)
        self.timeBaseChanged.emit(seconds)

    def set_filters(self, l_freq, h_freq, notch):
        """Show the filters in effect (see :func:`filter_text`).

        Parameters
        ----------
        l_freq, h_freq : float | None
            High-pass and low-pass edges, Hz.
        notch : float | sequence of float | None
            Notch frequencies, Hz.
        """
        self._filters = filter_text(l_freq, h_freq, notch)
        self.filter_label.setText(self._filters)
        self._update_header()

    def _update_header(self):
        t0, t1 = self.shown
        state = ""
        if self.live:
            state = " · following live" if self.follow else " · paused (End: live)"
        text = (
            f"{self.montage.name} · {self.sensitivity:g} µV/div · {self.seconds:g} s/page · "
            f"{self._filters} · {t0:.1f}–{t1:.1f} s{state}"
        )
        if self._hidden:
            text += f" · {len(self._hidden)} hidden"
        if text != self._header_text:
            self._header_text = text
            self.header.setText(text)

    # -- where the page is -----------------------------------------------------------

    @property
    def follow(self):
        """bool: Whether the page follows the newest data (see :attr:`EEGView.follow`)."""
        return self.view.follow

    @follow.setter
    def follow(self, value):
        self.view.follow = bool(value)
        self._update_header()

    @property
    def shown(self):
        """tuple of float: The seconds shown, first and last."""
        (x0, x1), _ = self.view.getPlotItem().vb.viewRange()
        return float(x0), float(x1)

    def show_range(self, t0, t1):
        """Show seconds ``t0`` to ``t1`` (the data held must cover them).

        Parameters
        ----------
        t0, t1 : float
            The span, seconds.
        """
        self.view.show_range(t0, t1)
        self._update_header()

    def set_extent(self, t0, t1):
        """Say which seconds the recording holds (paging stops at them).

        Parameters
        ----------
        t0, t1 : float
            The first and last second that can be shown (None: the data held,
            :attr:`EEGView.span`).
        """
        self._extent = None if t0 is None else (float(t0), float(t1))

    @property
    def extent(self):
        """tuple of float: The seconds paging may reach (see :meth:`set_extent`)."""
        return self._extent if self._extent is not None else self.view.span

    def _go(self, t0, follow=False):
        lo, hi = self.extent
        t0 = max(lo, min(t0, hi - self.seconds))
        t1 = t0 + self.seconds
        was = self.view.follow
        self.view.follow = bool(follow)
        self.view.show_range(t0, t1)
        self._update_header()
        if was != self.view.follow:
            self.followChanged.emit(self.view.follow)
        self.rangeRequested.emit(t0, t1)

    def page(self, n=1):
        """Move by whole pages (stops following live data).

        Parameters
        ----------
        n : int
            Pages: positive forward, negative back.
        """
        self.step(n * self.seconds)

    def step(self, seconds=STEP_SECONDS):
        """Move by some seconds (stops following live data).

        Parameters
        ----------
        seconds : float
            Positive forward, negative back.
        """
        self._go(self.shown[0] + float(seconds))

    def home(self):
        """Show the first page."""
        self._go(self.extent[0])

    def end(self):
        """Show the last page; with live data, follow the newest again."""
        lo, hi = self.extent
        self._go(hi - self.seconds, follow=self.live)

    # -- keys --------------------------------------------------------------------------

    def handle_key(self, key):
        """Do what a key does on the page.

        Parameters
        ----------
        key : QtCore.Qt.Key
            PgUp/PgDn: a page back/forward; Left/Right: :data:`STEP_SECONDS`
            back/forward; Home/End: the first/last page (End follows live
            data); Up/Down: the next sensitivity step with taller/smaller
            traces.

        Returns
        -------
        handled : bool
            Whether the key is one of these.
        """
        Key = QtCore.Qt.Key
        actions = {
            Key.Key_PageUp: lambda: self.page(-1),
            Key.Key_PageDown: lambda: self.page(1),
            Key.Key_Left: lambda: self.step(-STEP_SECONDS),
            Key.Key_Right: lambda: self.step(STEP_SECONDS),
            Key.Key_Home: self.home,
            Key.Key_End: self.end,
            Key.Key_Up: lambda: self.step_sensitivity(-1),
            Key.Key_Down: lambda: self.step_sensitivity(1),
        }
        action = actions.get(QtCore.Qt.Key(key))
        if action is None:
            return False
        action()
        return True

    def keyPressEvent(self, event):
        """Page, step and change sensitivity from the keyboard (see :meth:`handle_key`)."""
        if event.modifiers() & ~QtCore.Qt.KeypadModifier or not self.handle_key(event.key()):
            super().keyPressEvent(event)

    def eventFilter(self, obj, event):
        """Take the page's keys from the view (before it scrolls) and from the controls.

        A focused control keeps Up and Down (they step its own list).
        """
        if event.type() == QtCore.QEvent.KeyPress and not (
            event.modifiers() & ~QtCore.Qt.KeypadModifier
        ):
            key = event.key()
            mine = obj is self.view or (
                obj in (self.montage_box, self.sensitivity_box, self.time_base_box)
                and key not in (QtCore.Qt.Key_Up, QtCore.Qt.Key_Down)
            )
            if mine and self.handle_key(key):
                return True
        return super().eventFilter(obj, event)
