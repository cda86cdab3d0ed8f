"""Frame rate of the app's live views: ``python -m gui.bench_fps``.

Draws the scrolling EEG view (23 channels x 10 s at 256 Hz by default, one
``PlotCurveItem`` per channel, clip-to-view and peak downsampling) as fast as
it can, advancing the data by one frame's worth of samples each time
(``set_data`` then a synchronous repaint), first alone, then with the cube
view (the shipped model's 1,658 neurons, 300 connections) lighting up other
neurons every frame. Prints JSON: frames per second of each (the mean, and
the median from the median frame time), the Qt platform and whether the cube
view was 3D (OpenGL) or the 2D projections.

Run it on a display (or under Xvfb for the 3D view); with
``QT_QPA_PLATFORM=offscreen`` the cube view is 2D. ``--both`` measures the
two in child processes, one after the other: offscreen (2D cube) and under
an Xvfb X server of its own with Mesa's software OpenGL (3D cube), and
writes them to one JSON file (``--out``)::

    python -m gui.bench_fps --both --window 20 --out benchmarks/results/fps.json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import logging
import os
import platform
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

logger = logging.getLogger("neucube.gui")

#: Debian packages of an X server without a screen, Mesa's software OpenGL and the X
#: libraries Qt's xcb platform loads beyond what offscreen Qt needs (as in .ci/run).
XVFB_PACKAGES = (
    "xvfb",
    "libgl1-mesa-dri",
    "libglx-mesa0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-shape0",
    "libxkbcommon-x11-0",
)


def _measure(app, step, seconds):
    """Return the frame times (s) of ``step()`` (one frame) over ``seconds``."""
    for _ in range(5):  # warm up
        step()
        app.processEvents()
    times = []
    t0 = last = time.perf_counter()
    while last - t0 < seconds:
        step()
        app.processEvents()
        now = time.perf_counter()
        times.append(now - last)
        last = now
    return np.asarray(times)


def _rates(times):
    """Return mean fps, median fps (from the median frame time) and the 90th percentile frame time."""
    return {
        "fps_mean": round(len(times) / float(times.sum()), 1),
        "fps_median": round(1.0 / float(np.median(times)), 1),
        "frame_ms_p90": round(1e3 * float(np.percentile(times, 90)), 2),
        "frames": len(times),
    }


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
        ``fps_eeg``, ``fps_eeg_and_cube`` (mean frames per second),
        ``fps_eeg_median``, ``fps_eeg_and_cube_median`` (from the median
        frame time), frame counts, ``cube_view`` (``'3d'``/``'2d'``),
        ``gl_renderer`` (3D), ``platform`` and versions.
    """
    import pyqtgraph as pg
    from PySide6 import QtCore, QtWidgets
    from PySide6 import __version__ as pyside_version

    from models.io import read_model

    from .cube_view import make_cube_view
    from .widgets import EEGView
    from .worker import CubeGeometry, History

    app = QtWidgets.QApplication.instance()
    if app is None:
        QtCore.QCoreApplication.setAttribute(QtCore.Qt.AA_ShareOpenGLContexts)
        app = QtWidgets.QApplication(sys.argv[:1])
    rng = np.random.default_rng(seed)
    ch_names = [f"ch{i}" for i in range(n_channels)]
    hist = History(ch_names, sfreq, seconds=max(60.0, 2 * window))
    n_sec = int(max(60.0, 3 * window) * sfreq)
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

    t_eeg = _measure(app, eeg_frame, seconds)
    t_both = _measure(app, both_frame, seconds)
    renderer = _gl_renderer(target) if cube.is_3d else None
    win.close()
    eeg_rates, both_rates = _rates(t_eeg), _rates(t_both)
    return {
        "fps_eeg": eeg_rates["fps_mean"],
        "fps_eeg_and_cube": both_rates["fps_mean"],
        "fps_eeg_median": eeg_rates["fps_median"],
        "fps_eeg_and_cube_median": both_rates["fps_median"],
        "frame_ms_p90": {
            "eeg": eeg_rates["frame_ms_p90"],
            "eeg_and_cube": both_rates["frame_ms_p90"],
        },
        "frames": {"eeg": eeg_rates["frames"], "eeg_and_cube": both_rates["frames"]},
        "seconds_each": seconds,
        "eeg": {
            "channels": n_channels,
            "sfreq": sfreq,
            "seconds_shown": window,
            "points_drawn_per_channel": eeg.n_points_drawn,
        },
        "cube_view": "3d" if cube.is_3d else "2d",
        "gl_renderer": renderer,
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


def _gl_renderer(gl_widget):
    """Return the OpenGL renderer and version of a ``QOpenGLWidget`` (str | None)."""
    try:
        from OpenGL import GL

        gl_widget.makeCurrent()
        try:
            name = GL.glGetString(GL.GL_RENDERER)
            version = GL.glGetString(GL.GL_VERSION)
        finally:
            gl_widget.doneCurrent()
        return f"{name.decode()} ({version.decode()})"
    except Exception as err:  # pragma: no cover - depends on the driver
        logger.info("The OpenGL renderer cannot be read: %s", err)
        return None


# ---------------------------------------------------------------------------
# An X server without a screen
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def xvfb(
    width: int = 1600, height: int = 1000, depth: int = 24, timeout: float = 60.0
) -> Iterator[str]:
    """Run an Xvfb X server on a free display while the block runs.

    Xvfb picks the display number itself (``-displayfd``) and says it once
    it accepts connections, so two of them never race for one number.

    Parameters
    ----------
    width, height, depth : int
        The screen.
    timeout : float
        Seconds to wait for the server to say it is ready before giving up
        (a server that fails to start says so at once).

    Yields
    ------
    display : str
        The ``DISPLAY`` of the server (e.g. ``':1'``), for child processes
        (see :func:`xvfb_env`).

    Raises
    ------
    FileNotFoundError
        If ``Xvfb`` is not installed (Debian: the package ``xvfb``).
    RuntimeError
        If it does not start, with what it wrote.
    """
    exe = shutil.which("Xvfb")
    if exe is None:
        raise FileNotFoundError(
            "No Xvfb on the PATH: install it (Debian/Ubuntu: apt-get install "
            f"{' '.join(XVFB_PACKAGES)}) to draw the 3D cube without a screen."
        )
    read_fd, write_fd = os.pipe()
    log = tempfile.TemporaryFile()
    cmd = [exe, "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x{depth}"]
    cmd += ["-nolisten", "tcp"]
    proc = subprocess.Popen(cmd, pass_fds=(write_fd,), stdout=log, stderr=log)
    os.close(write_fd)
    try:
        text = b""
        end = time.monotonic() + timeout
        while not text.endswith(b"\n"):
            left = end - time.monotonic()
            ready, _, _ = select.select([read_fd], [], [], max(0.0, min(left, 0.5)))
            chunk = os.read(read_fd, 64) if ready else b""
            text += chunk
            if (ready and not chunk) or proc.poll() is not None or left <= 0:
                log.seek(0)
                said = log.read().decode(errors="replace").strip()[-2000:]
                raise RuntimeError(f"Xvfb did not start ({' '.join(cmd)}): {said or 'no output'}")
        display = f":{int(text.strip())}"
        logger.info("Xvfb runs on display %s.", display)
        yield display
    finally:
        os.close(read_fd)
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            proc.kill()
            proc.wait()
        log.close()


def xvfb_env(display: str, base: dict | None = None) -> dict:
    """Return an environment for a Qt child process drawing on an X server with software OpenGL.

    Parameters
    ----------
    display : str
        The X display (from :func:`xvfb`).
    base : dict | None
        The environment to start from (None: this process's).

    Returns
    -------
    env : dict
        ``base`` with ``DISPLAY``, ``QT_QPA_PLATFORM=xcb`` and
        ``LIBGL_ALWAYS_SOFTWARE=1`` (Mesa's llvmpipe), without
        ``WAYLAND_DISPLAY`` and ``NEUCUBE_GUI_GL``.
    """
    env = dict(os.environ if base is None else base)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("NEUCUBE_GUI_GL", None)
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", LIBGL_ALWAYS_SOFTWARE="1")
    env.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    return env


def _child(args, env):
    """Run one measurement in a child process; return its JSON."""
    cmd = [sys.executable, "-m", "gui.bench_fps", *args]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} failed (exit code {out.returncode}): {out.stderr.strip()[-2000:]}"
        )
    return json.loads(out.stdout)


def run_both(seconds: float = 5.0, window: float = 20.0, command: str | None = None) -> dict:
    """Measure offscreen (2D cube) and under Xvfb with software OpenGL (3D cube).

    Each runs in a child process of its own (a process's Qt platform is fixed
    once Qt starts), one after the other.

    Parameters
    ----------
    seconds : float
        Seconds per measurement.
    window : float
        Seconds of EEG shown.
    command : str | None
        The command line to record (None: this process's arguments).

    Returns
    -------
    result : dict
        ``offscreen_2d`` and ``xvfb_3d`` (each as :func:`run`; ``xvfb_3d``
        holds ``skipped`` with the reason when Xvfb is missing), and the
        date, machine and command.

    Raises
    ------
    RuntimeError
        If a measurement fails, or the Xvfb one did not get the 3D view.
    """
    args = ["--seconds", str(seconds), "--window", str(window)]
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", PYQTGRAPH_QT_LIB="PySide6")
    result = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": command or " ".join(["python -m gui.bench_fps", *sys.argv[1:]]),
        "machine": _machine(),
    }
    result["offscreen_2d"] = _child([*args, "--no-gl"], env)
    try:
        with xvfb() as display:
            gl = _child([*args, "--gl"], xvfb_env(display))
    except FileNotFoundError as err:
        gl = {"skipped": str(err)}
    if "skipped" not in gl and gl["cube_view"] != "3d":
        raise RuntimeError(f"Under Xvfb the cube view was {gl['cube_view']!r}, not 3D.")
    result["xvfb_3d"] = gl
    if hasattr(os, "getloadavg"):
        result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return result


def _machine():
    """Return what the numbers depend on: CPU, cores, load, system."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average_at_start": None if load is None else [round(x, 2) for x in load],
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure and print the JSON (see :func:`run` and :func:`run_both`).

    Parameters
    ----------
    argv : list of str | None
        ``--seconds``, ``--window``, ``--no-gl`` / ``--gl``, ``--both``,
        ``--out``.

    Returns
    -------
    code : int
        0.
    """
    p = argparse.ArgumentParser(prog="python -m gui.bench_fps", description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=5.0, help="seconds per measurement")
    p.add_argument("--window", type=float, default=10.0, help="seconds of EEG shown")
    gl = p.add_mutually_exclusive_group()
    gl.add_argument("--no-gl", action="store_true", help="2D cube projections even with OpenGL")
    gl.add_argument("--gl", action="store_true", help="the 3D cube view (fails without OpenGL)")
    p.add_argument(
        "--both",
        action="store_true",
        help="offscreen (2D cube) and under Xvfb with software OpenGL (3D cube), in child processes",
    )
    p.add_argument("--out", default=None, help="also write the JSON to this file")
    args = p.parse_args(argv)
    if args.both:
        given = sys.argv[1:] if argv is None else list(argv)
        command = " ".join(["python -m gui.bench_fps", *given])
        result = run_both(seconds=args.seconds, window=args.window, command=command)
    else:
        use_gl = False if args.no_gl else True if args.gl else None
        result = run(seconds=args.seconds, window=args.window, use_gl=use_gl)
        if args.gl and result["cube_view"] != "3d":
            raise SystemExit("--gl: OpenGL is not available here; the cube view would be 2D.")
    text = json.dumps(result, indent=2) + "\n"
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
