"""The cube, drawn: neurons at their brain coordinates, inputs, connections, spikes.

:class:`CubeView3D` uses ``pyqtgraph.opengl`` (a ``GLViewWidget``); where
OpenGL is not available (:func:`opengl_available`: the offscreen or minimal
Qt platform, PyOpenGL missing, or an OpenGL context that cannot be created
and made current) :func:`make_cube_view` gives :class:`CubeView2D`, two
projections (top and side) with the same content and the same lighting up.

Both take a :class:`~gui.worker.CubeGeometry` (:meth:`set_geometry`), a
connection threshold (:meth:`set_threshold`) and, each frame, the spike
counts of every neuron in the current playback frame (:meth:`set_lit`).
"""

from __future__ import annotations

import logging
import os

import numpy as np
from PySide6 import QtGui, QtWidgets  # before pyqtgraph, which uses it

# isort: split
import pyqtgraph as pg

logger = logging.getLogger("neucube.gui")

#: Qt platforms without a usable OpenGL context for a GLViewWidget.
NO_GL_PLATFORMS = ("offscreen", "minimal", "vnc")

_GL_CHECK = {}

# colours, RGBA 0-1
_NEURON = (0.55, 0.6, 0.7, 0.18)
_INPUT = (1.0, 0.85, 0.2, 0.95)
_LIT = np.array([1.0, 1.0, 0.55, 1.0])
_POS = (0.9, 0.25, 0.2, 0.55)
_NEG = (0.2, 0.45, 0.95, 0.55)


def opengl_available(force_check: bool = False) -> bool:
    """Whether a 3D ``GLViewWidget`` can render here.

    Needs a ``QGuiApplication``. False when the Qt platform is one without
    OpenGL (``QGuiApplication.platformName()`` in :data:`NO_GL_PLATFORMS`,
    e.g. ``QT_QPA_PLATFORM=offscreen``), when ``NEUCUBE_GUI_GL=0`` is set,
    when PyOpenGL or ``pyqtgraph.opengl`` cannot be imported, or when a
    ``QOpenGLContext`` cannot be created or made current on an offscreen
    surface. The answer is cached per platform.

    Parameters
    ----------
    force_check : bool
        Check again instead of using the cached answer.

    Returns
    -------
    available : bool
        Whether to use :class:`CubeView3D`.
    """
    app = QtGui.QGuiApplication.instance()
    if app is None:
        return False
    if os.environ.get("NEUCUBE_GUI_GL", "").strip() == "0":
        return False
    platform = QtGui.QGuiApplication.platformName()
    if platform in NO_GL_PLATFORMS:
        return False
    if platform in _GL_CHECK and not force_check:
        return _GL_CHECK[platform]
    ok = _check_context()
    _GL_CHECK[platform] = ok
    logger.info("OpenGL on the %r platform: %s.", platform, "available" if ok else "not available")
    return ok


def _check_context():
    try:
        import OpenGL.GL  # noqa: F401
        import pyqtgraph.opengl  # noqa: F401
    except Exception as err:
        logger.info("No 3D cube view: PyOpenGL/pyqtgraph.opengl cannot be imported (%s).", err)
        return False
    ctx = QtGui.QOpenGLContext()
    if not ctx.create():
        logger.info("No 3D cube view: an OpenGL context cannot be created.")
        return False
    surface = QtGui.QOffscreenSurface()
    surface.setFormat(ctx.format())
    surface.create()
    try:
        if not surface.isValid() or not ctx.makeCurrent(surface):
            logger.info("No 3D cube view: the OpenGL context cannot be made current.")
            return False
        version = ctx.format().majorVersion()
        ctx.doneCurrent()
        return version >= 2
    finally:
        surface.destroy()


def make_cube_view(
    parent: QtWidgets.QWidget | None = None, use_gl: bool | None = None
) -> CubeView3D | CubeView2D:
    """Make the cube view that works here: 3D with OpenGL, else the 2D projections.

    Parameters
    ----------
    parent : QWidget | None
        Parent widget.
    use_gl : bool | None
        Force one (None: :func:`opengl_available`).

    Returns
    -------
    view : CubeView3D | CubeView2D
        The view (``view.is_3d`` tells which).
    """
    if use_gl is None:
        use_gl = opengl_available()
    if use_gl:
        try:
            return CubeView3D(parent)
        except Exception as err:  # pragma: no cover - depends on the driver
            logger.warning("The 3D cube view failed (%s); using the 2D projections.", err)
    return CubeView2D(parent)


def _lit_colors(base, lit):
    """Return the base RGBA colours with spiking neurons brightened."""
    colors = base.copy()
    on = lit > 0
    if on.any():
        k = np.minimum(1.0, 0.6 + 0.2 * lit[on])[:, np.newaxis]
        colors[on] = (1 - k) * colors[on] + k * _LIT
    return colors


class _CubeViewBase:
    """What both cube views share."""

    is_3d = False

    def _init_state(self):
        self.geometry_ = None
        self.threshold = None
        self._base = None
        self._sizes = None
        self._lit = None

    def set_geometry(self, geometry, threshold=None):
        """Draw a cube.

        Parameters
        ----------
        geometry : CubeGeometry | None
            The cube (None clears the view).
        threshold : float | None
            Connections with ``|weight| >= threshold`` are drawn (None: the
            strongest 300).
        """
        self.geometry_ = geometry
        if geometry is None:
            self._clear()
            return
        n, n_total = geometry.n_neurons, geometry.n_total
        base = np.tile(np.array(_NEURON, dtype=float), (n_total, 1))
        base[n:] = _INPUT
        self._base = base
        sizes = np.full(n_total, 4.0)
        sizes[n:] = 9.0
        self._sizes = sizes
        self._lit = np.zeros(n_total, dtype=np.uint8)
        self._draw_geometry()
        self.set_threshold(geometry.default_threshold() if threshold is None else threshold)

    def set_threshold(self, threshold):
        """Draw the connections with ``|weight| >= threshold``.

        Parameters
        ----------
        threshold : float
            Weight magnitude.
        """
        self.threshold = float(threshold)
        if self.geometry_ is None:
            return
        pre, post, w = self.geometry_.connections(self.threshold)
        pos = self.geometry_.positions
        segs = np.empty((2 * len(pre), 3))
        segs[0::2], segs[1::2] = pos[pre], pos[post]
        sign = np.repeat(w > 0, 2)
        self._draw_connections(segs[sign], segs[~sign])

    @property
    def n_connections_shown(self):
        """int: Connections drawn now."""
        if self.geometry_ is None:
            return 0
        return int(len(self.geometry_.connections(self.threshold)[0]))

    def set_lit(self, lit):
        """Light up the neurons that spike now.

        Parameters
        ----------
        lit : ndarray of int, shape (n_total,) | None
            Spikes of each neuron (reservoir, then inputs) in the current
            playback frame; None or zeros: nothing lit.
        """
        if self.geometry_ is None:
            return
        if lit is None:
            lit = np.zeros(self.geometry_.n_total, dtype=np.uint8)
        if self._lit is not None and np.array_equal(lit, self._lit):
            return
        self._lit = np.array(lit, copy=True)
        self._draw_lit(self._lit)

    @property
    def n_lit(self):
        """int: Neurons lit now."""
        return 0 if self._lit is None else int(np.count_nonzero(self._lit))


class CubeView3D(QtWidgets.QWidget, _CubeViewBase):
    """The cube in 3D (``pyqtgraph.opengl``): neurons, input labels, connections, spikes.

    Parameters
    ----------
    parent : QWidget | None
        Parent widget.

    Notes
    -----
    Neurons are one ``GLScatterPlotItem`` (colours updated as they spike),
    each input channel a ``GLTextItem`` at its electrode, connections two
    ``GLLinePlotItem`` (excitatory red, inhibitory blue).
    """

    is_3d = True

    def __init__(self, parent=None):
        import pyqtgraph.opengl as gl

        super().__init__(parent)
        self._gl = gl
        self._init_state()
        self.view = gl.GLViewWidget()
        self.view.setBackgroundColor(pg.mkColor(12, 14, 20))
        self.view.setCameraPosition(distance=260, elevation=25, azimuth=-60)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.scatter = gl.GLScatterPlotItem(pxMode=True)
        self.scatter.setGLOptions("translucent")
        self.pos_lines = gl.GLLinePlotItem(mode="lines", color=_POS, width=1.0, antialias=False)
        self.neg_lines = gl.GLLinePlotItem(mode="lines", color=_NEG, width=1.0, antialias=False)
        for item in (self.pos_lines, self.neg_lines):
            item.setGLOptions("translucent")
            self.view.addItem(item)
        self.view.addItem(self.scatter)
        self.labels = []

    def _clear(self):
        for item in self.labels:
            self.view.removeItem(item)
        self.labels = []
        self.scatter.setData(pos=np.zeros((0, 3)))
        self.pos_lines.setData(pos=np.zeros((0, 3)))
        self.neg_lines.setData(pos=np.zeros((0, 3)))

    def _draw_geometry(self):
        g = self.geometry_
        centre = g.positions[: g.n_neurons].mean(axis=0)
        self._centre = centre
        pos = g.positions - centre
        self.scatter.setData(pos=pos, color=self._base, size=self._sizes)
        for item in self.labels:
            self.view.removeItem(item)
        self.labels = []
        font = QtGui.QFont("Sans", 8)
        for name, p in zip(g.ch_names, g.label_positions - centre):
            item = self._gl.GLTextItem(
                pos=p + np.array([0.0, 0.0, 4.0]), text=name, color=(255, 230, 120, 255), font=font
            )
            self.view.addItem(item)
            self.labels.append(item)

    def _draw_connections(self, pos_segs, neg_segs):
        c = self._centre
        self.pos_lines.setData(pos=pos_segs - c if len(pos_segs) else np.zeros((0, 3)))
        self.neg_lines.setData(pos=neg_segs - c if len(neg_segs) else np.zeros((0, 3)))

    def _draw_lit(self, lit):
        sizes = self._sizes + 3.0 * (lit > 0)
        self.scatter.setData(color=_lit_colors(self._base, lit), size=sizes)


class CubeView2D(pg.GraphicsLayoutWidget, _CubeViewBase):
    """The cube as two projections (top: x-y, side: y-z) where OpenGL is missing.

    Parameters
    ----------
    parent : QWidget | None
        Parent widget.

    Notes
    -----
    Per projection: all neurons as one static scatter, the lit neurons as a
    second scatter redrawn each frame (a few points), connections as two
    ``PlotCurveItem`` of segments (``connect='pairs'``, red and blue), and
    the input channels' names as text at their electrodes (top view).
    """

    is_3d = False

    def __init__(self, parent=None):
        super().__init__(parent)
        self._init_state()
        self.setBackground(pg.mkColor(12, 14, 20))
        self.views = []
        for title, axes in (
            ("top (x: left-right, y: back-front)", (0, 1)),
            ("side (y: back-front, z: down-up)", (1, 2)),
        ):
            plot = self.addPlot()
            plot.setTitle(title, color="#bbbbbb", size="9pt")
            plot.setAspectLocked(True)
            plot.hideButtons()
            plot.showGrid(False, False)
            plot.hideAxis("left")
            plot.hideAxis("bottom")
            pos_c = pg.PlotCurveItem(
                connect="pairs", pen=pg.mkPen(QtGui.QColor.fromRgbF(*_POS), width=1)
            )
            neg_c = pg.PlotCurveItem(
                connect="pairs", pen=pg.mkPen(QtGui.QColor.fromRgbF(*_NEG), width=1)
            )
            base = pg.ScatterPlotItem(pxMode=True, pen=None)
            inputs = pg.ScatterPlotItem(
                pxMode=True, pen=None, size=8, brush=pg.mkBrush(QtGui.QColor.fromRgbF(*_INPUT))
            )
            lit = pg.ScatterPlotItem(
                pxMode=True, pen=None, size=7, brush=pg.mkBrush(255, 255, 140, 255)
            )
            for item in (pos_c, neg_c, base, inputs, lit):
                plot.addItem(item)
            self.views.append(
                {
                    "plot": plot,
                    "axes": axes,
                    "pos": pos_c,
                    "neg": neg_c,
                    "base": base,
                    "inputs": inputs,
                    "lit": lit,
                    "labels": [],
                }
            )

    def _clear(self):
        for v in self.views:
            for key in ("pos", "neg"):
                v[key].setData([], [])
            for key in ("base", "inputs", "lit"):
                v[key].setData([], [])
            for t in v["labels"]:
                v["plot"].removeItem(t)
            v["labels"] = []

    def _draw_geometry(self):
        g = self.geometry_
        n = g.n_neurons
        brush = pg.mkBrush(QtGui.QColor.fromRgbF(*_NEURON[:3], 0.35))
        for v in self.views:
            a, b = v["axes"]
            v["base"].setData(g.positions[:n, a], g.positions[:n, b], size=3, brush=brush)
            v["inputs"].setData(g.positions[n:, a], g.positions[n:, b])
            v["lit"].setData([], [])
            for t in v["labels"]:
                v["plot"].removeItem(t)
            v["labels"] = []
        top = self.views[0]
        for name, p in zip(g.ch_names, g.label_positions):
            t = pg.TextItem(name, color=(255, 230, 120), anchor=(0.5, 1.2))
            t.setFont(QtGui.QFont("Sans", 7))
            t.setPos(p[0], p[1])
            top["plot"].addItem(t)
            top["labels"].append(t)

    def _draw_connections(self, pos_segs, neg_segs):
        for v in self.views:
            a, b = v["axes"]
            for key, segs in (("pos", pos_segs), ("neg", neg_segs)):
                if len(segs):
                    v[key].setData(segs[:, a], segs[:, b])
                else:
                    v[key].setData([], [])

    def _draw_lit(self, lit):
        on = np.flatnonzero(lit)
        pos = self.geometry_.positions[on]
        for v in self.views:
            a, b = v["axes"]
            v["lit"].setData(pos[:, a], pos[:, b])


__all__ = ["CubeView2D", "CubeView3D", "make_cube_view", "opengl_available"]
