"""The app with the 3D cube, in a process of its own on an X server with OpenGL.

Run by ``tests/gui/test_xvfb.py`` under Xvfb (Qt's platform is fixed once Qt
starts in a process, and the rest of the GUI tests run offscreen)::

    python -m tests.gui._gl_session probe
    python -m tests.gui._gl_session run OUT_DIR ARTIFACTS_DIR

``probe`` prints JSON: the Qt platform, whether OpenGL works
(``gui.cube_view.opengl_available(force_check=True)``) and the renderer.
``run`` replays the bundled seizure recording in the main window at full
speed, waits for its alert, saves screenshots to ``ARTIFACTS_DIR`` and writes
what it saw to ``OUT_DIR/result.json``; the test asserts on both.
"""

import json
import sys
import time
from pathlib import Path


def _app():
    from PySide6 import QtCore, QtWidgets

    QtCore.QCoreApplication.setAttribute(QtCore.Qt.AA_ShareOpenGLContexts)
    return QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])


def _renderer():
    """Return the renderer and version of a fresh OpenGL context (str | None)."""
    from PySide6 import QtGui

    ctx = QtGui.QOpenGLContext()
    surface = QtGui.QOffscreenSurface()
    if not ctx.create():
        return None
    surface.setFormat(ctx.format())
    surface.create()
    try:
        if not ctx.makeCurrent(surface):
            return None
        from OpenGL import GL

        name, version = GL.glGetString(GL.GL_RENDERER), GL.glGetString(GL.GL_VERSION)
        ctx.doneCurrent()
        return f"{name.decode()} ({version.decode()})"
    finally:
        surface.destroy()


def probe():
    app = _app()
    from gui.cube_view import opengl_available

    ok = opengl_available(force_check=True)
    info = {
        "platform": app.platformName(),
        "opengl_available": ok,
        "renderer": _renderer() if ok else None,
    }
    sys.stdout.write(json.dumps(info) + "\n")


def _wait(app, condition, timeout=120.0):
    """Process Qt events until condition() (False on timeout)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    app.processEvents()
    return condition()


def _draw(app, widget):
    """Paint a widget now and let Qt finish."""
    widget.repaint()
    for _ in range(5):
        app.processEvents()


def run(out, artifacts):
    import numpy as np

    app = _app()
    from gui.cube_view import _lit_colors, opengl_available
    from gui.window import MainWindow
    from gui.worker import SourceSpec
    from sample_data import SEIZURE_EDF

    out, artifacts = Path(out), Path(artifacts)
    artifacts.mkdir(parents=True, exist_ok=True)
    result = {
        "platform": app.platformName(),
        "opengl_available": opengl_available(force_check=True),
        "renderer": _renderer(),
    }
    win = MainWindow(db=out / "alerts.sqlite")
    cube = win.cube_view
    result["cube_view_class"] = type(cube).__name__
    result["cube_label"] = win.cube_label.text()

    # what the window lights up while the recording plays
    drawn = {"calls": 0, "lit_calls": 0, "patterns": {}}
    set_lit = cube.set_lit

    def recording_set_lit(lit):
        set_lit(lit)
        drawn["calls"] += 1
        if lit is not None and np.count_nonzero(lit):
            drawn["lit_calls"] += 1
            arr = np.asarray(lit, dtype=np.uint8)
            drawn["patterns"].setdefault(arr.tobytes(), arr.copy())

    cube.set_lit = recording_set_lit
    win.show()
    result["gl_widget_valid"] = _wait(app, lambda: cube.view.isValid())
    worker = win.start(SourceSpec(kind="file", path=str(SEIZURE_EDF), speed=None))
    # no budget of our own while the run progresses (the first run compiles the
    # cube's code); a run that hangs fails on the suite's per-test timeout
    while worker.running:
        app.processEvents()
        time.sleep(0.01)
    _wait(app, lambda: worker.messages.empty())
    result["state"], result["error"] = worker.state, worker.error
    result["alerts_raised"] = len(win.alerts_raised)
    result["alert_rows"] = (
        win.alert_panel.table.rowCount()
        if _wait(app, lambda: win.alert_panel.table.rowCount() >= 1)
        else 0
    )
    result["windows_scored"] = len(win.prob.proba)
    result["status_line"] = win.status_line.text()

    g = cube.geometry_
    result["geometry"] = (
        None
        if g is None
        else {
            "n_neurons": g.n_neurons,
            "n_total": g.n_total,
            "n_channels": len(g.ch_names),
        }
    )
    result["scatter_points"] = int(len(cube.scatter.pos))
    result["connections_shown"] = cube.n_connections_shown
    result["line_vertices"] = int(len(cube.pos_lines.pos) + len(cube.neg_lines.pos))
    result["labels"] = len(cube.labels)
    result["items_in_view"] = len(cube.view.items)
    patterns = list(drawn["patterns"].values())
    result["lighting"] = {
        "set_lit_calls": drawn["calls"],
        "lit_calls": drawn["lit_calls"],
        "distinct_lit_patterns": len(patterns),
        "max_lit": max((int(np.count_nonzero(p)) for p in patterns), default=0),
    }

    # the main window after the alert, the cube lit by the window's last frame drawn
    _draw(app, win)
    result["main_window_png"] = str(win.save_screenshot(artifacts / "main_window_3d.png"))
    origin = cube.mapTo(win, cube.rect().topLeft())
    result["cube_rect_in_window"] = [origin.x(), origin.y(), cube.width(), cube.height()]
    result["device_pixel_ratio"] = float(win.devicePixelRatioF())

    # the cube alone: nothing lit, then the window's busiest pattern of spikes (the
    # window's timer stopped: its playback of the last frame would light others)
    win.timer.stop()
    cube.set_lit(None)
    _draw(app, cube.view)
    unlit = cube.view.grabFramebuffer()
    result["cube_unlit_png"] = str(artifacts / "cube_view_3d_unlit.png")
    unlit.save(result["cube_unlit_png"])
    colors_unlit = np.array(cube.scatter.color, copy=True)
    if patterns:
        busiest = max(patterns, key=np.count_nonzero)
        cube.set_lit(busiest)
        _draw(app, cube.view)
        colors_lit = np.asarray(cube.scatter.color)
        on = busiest > 0
        result["lit_check"] = {
            "n_lit": cube.n_lit,
            "pattern_lit": int(on.sum()),
            "lit_rows_changed": int(
                (np.abs(colors_lit[on] - colors_unlit[on]).max(axis=1) > 0).sum()
            ),
            "unlit_rows_changed": int(
                (np.abs(colors_lit[~on] - colors_unlit[~on]).max(axis=1) > 0).sum()
            ),
            "lit_rows_as_drawn": bool(np.allclose(colors_lit, _lit_colors(cube._base, busiest))),
            "sizes_grown": int((np.asarray(cube.scatter.size)[on] > cube._sizes[on]).sum()),
        }
    lit_img = cube.view.grabFramebuffer()
    result["cube_png"] = str(artifacts / "cube_view_3d.png")
    lit_img.save(result["cube_png"])
    win.close()
    (out / "result.json").write_text(json.dumps(result, indent=2))
    # last, apart: the review window (its own result, so the main window's stands alone)
    (out / "review.json").write_text(json.dumps(review_window(app, artifacts, out), indent=2))


def review_window(app, artifacts, out):
    """The review window on the alert the main window stored, where ``gui.review`` has it."""
    import importlib.util
    import inspect

    from sample_data import SEIZURE_EDF

    if importlib.util.find_spec("gui.review") is None:
        return {"skipped": "gui/review.py does not exist in this checkout"}
    try:
        from gui.review import ReviewWindow
    except ImportError as err:
        return {"skipped": f"gui.review.ReviewWindow cannot be imported: {err}"}
    params = list(inspect.signature(ReviewWindow).parameters)
    if params[:1] != ["recordings"] or "db" not in params:
        return {
            "skipped": f"ReviewWindow{inspect.signature(ReviewWindow)} takes no (recordings, db=)"
        }
    rw = ReviewWindow([SEIZURE_EDF], db=out / "alerts.sqlite")
    rw.show()
    # each step is observed; one generous deadline only against a hang
    end = time.monotonic() + 300
    listed = _wait(app, lambda: rw.table.rowCount() >= 1, end - time.monotonic())
    read = _wait(app, lambda: rw.eeg_info is not None, end - time.monotonic())
    trend = _wait(app, lambda: rw.trend is not None, end - time.monotonic())
    _draw(app, rw)
    shot = artifacts / "review_window_xvfb.png"
    saved = rw.grab().save(str(shot))
    info = {
        "class": type(rw).__name__,
        "png": str(shot) if saved else None,
        "rows": rw.table.rowCount() if listed else 0,
        "eeg_read": read,
        "trend_windows": len(rw.trend.proba) if trend else None,
        "message": rw.message.text(),
    }
    rw.close()
    return info


if __name__ == "__main__":
    if sys.argv[1:2] == ["probe"]:
        probe()
    elif sys.argv[1:2] == ["run"] and len(sys.argv) == 4:
        run(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
