"""The app's 3D cube view, drawn for real: an Xvfb X server and Mesa's software OpenGL.

The rest of the GUI tests run Qt offscreen in this process, where there is no
OpenGL and the cube view is the 2D fallback. Here an ``Xvfb`` of its own runs
the app in a child process (``tests/gui/_gl_session.py``: Qt's platform cannot
change inside a process) with ``QT_QPA_PLATFORM=xcb`` and
``LIBGL_ALWAYS_SOFTWARE=1``; it replays the bundled seizure recording in the
main window, saves screenshots to ``test-artifacts/`` (``main_window_3d.png``,
``cube_view_3d.png``, ``cube_view_3d_unlit.png``, and ``review_window_xvfb.png`` of
the review window on the alert it stored) and reports what it drew.

Without ``Xvfb`` (Debian package ``xvfb``) or where Qt's X platform or OpenGL
cannot start under it, the tests skip and say why; with
``NEUCUBE_REQUIRE_XVFB=1`` (set by ``.ci/run`` when it has the packages) they
fail instead.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gui.bench_fps import XVFB_PACKAGES, xvfb, xvfb_env

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REQUIRE_ENV = "NEUCUBE_REQUIRE_XVFB"
#: What Xvfb, Qt's X platform and software OpenGL need on Debian (installed by .ci/run).
PACKAGES = " ".join(XVFB_PACKAGES)
#: The 3D view's background (gui.cube_view.CubeView3D).
BACKGROUND = np.array([12, 14, 20])


def _unavailable(reason):
    """Skip, or fail where the 3D view is required (NEUCUBE_REQUIRE_XVFB=1)."""
    if os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0"):
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _child(args, display):
    return subprocess.run(
        [sys.executable, "-m", "tests.gui._gl_session", *args],
        env=xvfb_env(display),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def gl_run(artifacts, tmp_path_factory):
    """What the app drew under Xvfb (the child's result.json), once per module."""
    if shutil.which("Xvfb") is None:
        _unavailable(
            "Xvfb is not installed, so the 3D cube view is not tested: install the Debian "
            f"package xvfb, with software OpenGL and Qt's X libraries (apt-get install {PACKAGES})."
        )
    out = tmp_path_factory.mktemp("gl")
    with xvfb() as display:
        probe = _child(["probe"], display)
        if probe.returncode != 0:
            said = "\n".join(
                line for line in probe.stderr.splitlines() if "qt." in line or "Qt" in line
            )
            _unavailable(
                f"Qt's xcb platform does not start under Xvfb ({said.strip() or probe.stderr[-500:]}); "
                f"install its libraries: apt-get install {PACKAGES}."
            )
        info = json.loads(probe.stdout)
        if not info["opengl_available"]:
            _unavailable(
                f"no OpenGL under Xvfb on the {info['platform']!r} platform; install Mesa's "
                "software OpenGL: apt-get install libgl1-mesa-dri libglx-mesa0."
            )
        run = _child(["run", str(out), str(artifacts)], display)
    assert (out / "result.json").exists(), run.stderr[-5000:]
    result = json.loads((out / "result.json").read_text())
    review = out / "review.json"
    result["review"] = json.loads(review.read_text()) if review.exists() else None
    assert run.returncode == 0, run.stderr[-5000:]
    return result


def _pixels(fname):
    """Return a PNG as an (height, width, 3) array of uint8."""
    from PySide6 import QtGui

    img = QtGui.QImage(str(fname))
    assert not img.isNull(), f"{fname} is not an image"
    img = img.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    w, h, line = img.width(), img.height(), img.bytesPerLine()
    flat = np.frombuffer(img.constBits(), np.uint8, count=line * h)
    return flat.reshape(h, line)[:, : 3 * w].reshape(h, w, 3).copy()


def _off_background(rgb, tol):
    return np.abs(rgb.astype(int) - BACKGROUND).max(axis=2) > tol


def _lit_coloured(rgb):
    """Pixels of a lit neuron's pale yellow (and the inputs' yellow)."""
    r, g, b = (rgb[..., i].astype(int) for i in range(3))
    return (r > 200) & (g > 200) & (b > 80) & (b < 210)


def test_opengl_works_under_xvfb_with_software_rendering(gl_run):
    assert gl_run["platform"] == "xcb"
    assert gl_run["opengl_available"] is True  # opengl_available(force_check=True)
    renderer = gl_run["renderer"] or ""
    assert any(name in renderer for name in ("llvmpipe", "softpipe", "swrast")), renderer


def test_main_window_draws_the_3d_cube_and_the_alert(gl_run, artifacts):
    r = gl_run
    # the real 3D view, not the 2D fallback, and its GL widget initialized
    assert r["cube_view_class"] == "CubeView3D" and r["cube_label"] == "cube: 3D (OpenGL)"
    assert r["gl_widget_valid"]
    # the replay ran to its end and raised the seizure's alert, listed in the window
    assert r["state"] == "finished", r["error"]
    assert r["windows_scored"] == 49 and r["alerts_raised"] == 1 and r["alert_rows"] == 1
    # every neuron (1,658 reservoir, 2 inputs per channel) is a point of the scatter,
    # the 300 strongest connections two vertices each, one label per channel
    g = r["geometry"]
    assert g == {"n_neurons": 1658, "n_total": 1658 + 2 * 23, "n_channels": 23}
    assert r["scatter_points"] == g["n_total"]
    assert r["connections_shown"] == 300 and r["line_vertices"] == 600
    assert r["labels"] == 23

    shot = _pixels(artifacts / "main_window_3d.png")
    assert shot.shape[:2] == (950, 1500) and shot.std() > 20
    x, y, w, h = (int(round(v * r["device_pixel_ratio"])) for v in r["cube_rect_in_window"])
    cube = shot[y : y + h, x : x + w]
    # where the cube is: mostly the 3D view's dark background (so OpenGL drew into the
    # screenshot, not a blank or black widget), with neurons and connections on it
    assert (~_off_background(cube, 3)).mean() > 0.5
    assert _off_background(cube, 20).mean() > 0.03


def test_lit_neurons_follow_the_spikes(gl_run, artifacts):
    light = gl_run["lighting"]
    # while the recording played, the window lit the cube from its frames, and what it
    # lit changed (how often depends on the machine's speed: at least once)
    assert light["lit_calls"] >= 2 and light["distinct_lit_patterns"] >= 2
    assert light["max_lit"] > 10
    # the busiest pattern set by hand: exactly its neurons change colour and grow
    check = gl_run["lit_check"]
    assert check["n_lit"] == check["pattern_lit"] == light["max_lit"]
    assert check["lit_rows_changed"] == check["pattern_lit"] == check["sizes_grown"]
    assert check["unlit_rows_changed"] == 0 and check["lit_rows_as_drawn"]
    # and on screen: more of the lit neurons' pale yellow than with nothing lit
    lit = _pixels(artifacts / "cube_view_3d.png")
    unlit = _pixels(artifacts / "cube_view_3d_unlit.png")
    assert lit.shape == unlit.shape
    assert _lit_coloured(lit).sum() > 1.5 * _lit_coloured(unlit).sum() + 100
    assert (np.abs(lit.astype(int) - unlit).max(axis=2) > 30).sum() > 500


def test_cube_view_screenshot_is_not_blank(gl_run, artifacts):
    for name in ("cube_view_3d.png", "cube_view_3d_unlit.png"):
        img = _pixels(artifacts / name)
        assert img.shape[0] > 200 and img.shape[1] > 200, name
        assert img.std() > 10, name
        assert (~_off_background(img, 3)).mean() > 0.5, name  # the background
        assert _off_background(img, 20).mean() > 0.03, name  # neurons, inputs, connections
        assert _lit_coloured(img).sum() > 100, name  # at least the 46 yellow input neurons


def test_review_window_screenshot(gl_run):
    review = gl_run["review"]
    if review is None:
        pytest.fail("the review window step did not finish (no review.json)", pytrace=False)
    if "skipped" in review:
        pytest.skip(f"No review window screenshot: {review['skipped']}.")
    # the alert the main window stored, the recording's EEG and its trend, on screen
    assert review["rows"] == 1 and review["eeg_read"], review
    assert review["trend_windows"] == 49, review
    img = _pixels(Path(review["png"]))
    assert img.shape[:2] == (950, 1500) and img.std() > 20
