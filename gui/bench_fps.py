"""Frame rate of the app's live views: ``python -m gui.bench_fps``.

Draws the scrolling EEG view (23 channels x 10 s at 256 Hz, one
``PlotCurveItem`` per channel, clip-to-view and peak downsampling) as fast as
it can, advancing the data by one frame's worth of samples each time
(``set_data`` then a synchronous repaint), first alone, then with the cube
view (the shipped model's 1,658 neurons, 300 connections) lighting up other
neurons every frame. Prints JSON: frames per second of each, the Qt platform
and whether the cube view was 3D (OpenGL) or the 2D projections.

Run it on a display (or under Xvfb for the 3D view); with
``QT_QPA_PLATFORM=offscreen`` the cube view is 2D.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
import time

import numpy as np

logger = logging.getLogger("neucube.gui")


def _measure(app, step, seconds):
    """Frames per second of ``step()`` (one frame) over ``seconds``."""
    for _ in range(5):  # warm up
        step()
        app.processEvents()
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        step()
        app.processEvents()
        n += 1
    return n / (time.perf_counter() - t0), n


def run(
    seconds: float = 5.0,
    n_channels: int = 23,
    sfreq: float = 256.0,
    window: float = 10.0,
    use_gl: bool | None = None,
    seed: int = 0,
) -> dict:
    """Measure the frame rates.

    Parameters
    ----------
    seconds : float
        Seconds per measurement.
    n_channels, sfreq, window : int, float, float
        The EEG drawn (23 channels, 256 Hz, 10 s shown).
    use_gl : bool | None
        3D cube view (None: when OpenGL is available).
    seed : int
        Seed of the synthetic EEG and of the lit neurons.

    Returns
    -------
    result : dict
        ``fps_eeg``, ``fps_eeg_and_cube``, frame counts, ``cube_view``
        (``'3d'``/``'2d'``), ``platform`` and versions.
    """
    import pyqtgraph as pg
    from PySide6 import QtWidgets
    from PySide6 import __version__ as pyside_version

    from models.io import read_model

    from .cube_view import make_cube_view
    from .widgets import EEGView
    from .worker import CubeGeometry, History

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    rng = np.random.default_rng(seed)
    ch_names = [f"ch{i}" for i in range(n_channels)]
    hist = History(ch_names, sfreq, seconds=60.0)
    n_sec = int(60 * sfreq)
    base = np.cumsum(rng.normal(0, 8, (n_channels, n_sec)), axis=1)
    base -= base.mean(axis=1, keepdims=True)
    hist.append(base[:, : int(window * sfreq)])
    pos = [int(window * sfreq)]
    per_frame = max(1, int(sfreq / 60))  # samples added per frame (60 fps of data)

    win = QtWidgets.QWidget()
    layout = QtWidgets.QHBoxLayout(win)
    eeg = EEGView(seconds=window)
    eeg.set_channels(ch_names, sfreq)
    cube = make_cube_view(use_gl=use_gl)
    layout.addWidget(eeg, 3)
    layout.addWidget(cube, 2)
    win.resize(1500, 700)
    win.show()
    geometry = CubeGeometry.from_cube(read_model(None).cube)
    cube.set_geometry(geometry, geometry.default_threshold(300))
    for _ in range(10):
        app.processEvents()

    def eeg_frame():
        a = pos[0] % (n_sec - per_frame)
        hist.append(base[:, a : a + per_frame])
        pos[0] += per_frame
        eeg.set_data(*hist.tail(window))
        eeg.viewport().repaint()

    lit = [(rng.random((50, geometry.n_total)) < 0.05).astype(np.uint8)]
    k = [0]
    target = getattr(cube, "view", cube)

    def both_frame():
        eeg_frame()
        k[0] += 1
        cube.set_lit(lit[0][k[0] % 50])
        (target.viewport() if hasattr(target, "viewport") else target).repaint()

    fps_eeg, n_eeg = _measure(app, eeg_frame, seconds)
    fps_both, n_both = _measure(app, both_frame, seconds)
    win.close()
    return {
        "fps_eeg": round(fps_eeg, 1),
        "fps_eeg_and_cube": round(fps_both, 1),
        "frames": {"eeg": n_eeg, "eeg_and_cube": n_both},
        "seconds_each": seconds,
        "eeg": {
            "channels": n_channels,
            "sfreq": sfreq,
            "seconds_shown": window,
            "points_drawn_per_channel": eeg.n_points_drawn,
        },
        "cube_view": "3d" if cube.is_3d else "2d",
        "cube": {
            "neurons": geometry.n_neurons,
            "inputs": geometry.n_total - geometry.n_neurons,
            "connections_drawn": cube.n_connections_shown,
        },
        "qt_platform": app.platformName(),
        "versions": {
            "python": platform.python_version(),
            "PySide6": pyside_version,
            "pyqtgraph": pg.__version__,
        },
        "machine": platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure and print the JSON (see :func:`run`).

    Parameters
    ----------
    argv : list of str | None
        ``--seconds``, ``--no-gl``.

    Returns
    -------
    code : int
        0.
    """
    p = argparse.ArgumentParser(prog="python -m gui.bench_fps", description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=5.0, help="seconds per measurement")
    p.add_argument("--no-gl", action="store_true", help="2D cube projections even with OpenGL")
    args = p.parse_args(argv)
    result = run(seconds=args.seconds, use_gl=False if args.no_gl else None)
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
