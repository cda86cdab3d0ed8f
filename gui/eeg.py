"""The EEG page: the traces, and the controls a reader of EEG expects.

(The page is built up below; this module holds :class:`EEGView` and
:func:`peak_decimate`, which :mod:`gui.widgets` re-exports.)
"""

from __future__ import annotations

import logging
import math

import numpy as np
from PySide6 import QtCore  # before pyqtgraph, which uses it

# isort: split
import pyqtgraph as pg

logger = logging.getLogger("neucube.gui")


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


class EEGView(pg.PlotWidget):
    """Scrolling multichannel EEG: one ``PlotCurveItem`` per channel.

    Each channel's curve is placed at its row with ``setPos``; only the
    samples in view are drawn (clip-to-view), decimated to their minimum and
    maximum per pixel (peak downsampling) when there are more than two per
    pixel. Channel names label the rows.

    Parameters
    ----------
    parent : QWidget | None
        Parent widget.
    seconds : float
        Seconds shown (10).
    scale_uv : float
        Microvolts per row spacing.

    Attributes
    ----------
    follow : bool
        Whether the view follows the newest data (live) or stays where it was
        put (review).
    curves : list of pyqtgraph.PlotCurveItem
        One per channel.
    """

    def __init__(self, parent=None, seconds=10.0, scale_uv=150.0):
        super().__init__(parent)
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
        plot.vb.sigXRangeChanged.connect(self._range_changed)
        self._cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#888", style=QtCore.Qt.DashLine))
        plot.addItem(self._cursor, ignoreBounds=True)

    def set_channels(self, ch_names, sfreq):
        """Set the channels (and clear the data).

        Parameters
        ----------
        ch_names : list of str
            Channel names, drawn top to bottom.
        sfreq : float
            Sampling rate, Hz.
        """
        plot = self.getPlotItem()
        for c in self.curves:
            plot.removeItem(c)
        self.ch_names = list(ch_names)
        self.sfreq = float(sfreq)
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
        plot.setYRange(-1, n, padding=0)
        self._data = np.zeros((n, 0))
        self._start = 0
        self.clear_regions()
        self.show_range(0.0, self.seconds)

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
