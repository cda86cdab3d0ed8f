"""Entry points of the desktop app: :func:`main`, :func:`run_app`, :func:`display_available`.

Importing this module is cheap: Qt, pyqtgraph and the pipeline are imported
only when the window is opened, so a command line tool can ask
:func:`display_available` before deciding between the window and a headless
run::

    from gui.app import display_available, main
    if display_available():
        raise SystemExit(main())

``python -m gui`` runs :func:`main`.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .worker import SourceSpec

logger = logging.getLogger("neucube.gui")

#: Qt platforms that show nothing on a screen.
HEADLESS_PLATFORMS = ("offscreen", "minimal")
#: Exit code of :func:`main` when there is no display to open the window on.
EXIT_NO_DISPLAY = 3


def display_available(probe: bool = False) -> bool:
    """Whether the app's window can be shown on a screen here.

    Parameters
    ----------
    probe : bool
        Also start Qt in a child process and check that it opens its
        platform (catches a ``DISPLAY`` that points at no X server); costs
        about a second.

    Returns
    -------
    available : bool
        False when PySide6 is missing, when ``QT_QPA_PLATFORM`` is
        ``offscreen`` or ``minimal``, on Linux and other Unix systems
        (but macOS) when neither ``DISPLAY`` nor ``WAYLAND_DISPLAY`` is set
        (unless ``QT_QPA_PLATFORM`` names a platform drawing on the console
        such as ``eglfs`` or ``linuxfb``), and, with ``probe=True``, when Qt
        cannot start.
    """
    import importlib.util

    if importlib.util.find_spec("PySide6") is None:
        return False
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if platform in HEADLESS_PLATFORMS:
        return False
    if sys.platform.startswith("linux") or (os.name == "posix" and sys.platform != "darwin"):
        console = platform in ("eglfs", "linuxfb", "vkkhrdisplay", "vnc")
        if not console and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return False
    if probe:
        code = (
            "import sys; from PySide6.QtGui import QGuiApplication; "
            "app = QGuiApplication(sys.argv[:1]); print(app.platformName())"
        )
        try:
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        name = out.stdout.strip().lower()
        return out.returncode == 0 and name not in HEADLESS_PLATFORMS
    return True


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of :func:`main`."""
    p = argparse.ArgumentParser(
        prog="python -m gui",
        description="NeuCube-EEG desktop app: live EEG, spikes, the cube, seizure alerts and "
        "their review. By default it replays the bundled CHB-MIT seizure recording as a live "
        "LSL stream through the shipped seizure model.",
    )
    p.add_argument(
        "--source",
        choices=["sample", "lsl", "file"],
        default=None,
        help="sample (default), an LSL stream (--stream) or a file (--file)",
    )
    p.add_argument("--stream", default=None, help="LSL stream name (--source lsl)")
    p.add_argument(
        "--source-id",
        default=None,
        help="LSL source id, to choose between streams of the same name (--source lsl)",
    )
    p.add_argument(
        "--markers", default=None, help="LSL marker stream starting the trials of a trial model"
    )
    p.add_argument("--file", default=None, help="recording to play (--source file)")
    p.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="replay speed of a file (0: as fast as the model computes)",
    )
    p.add_argument(
        "--duration", type=float, default=None, help="play only the first seconds of the recording"
    )
    p.add_argument("--model", default=None, help="model file (default: the shipped seizure model)")
    p.add_argument(
        "--db", default=None, help="alert database (default: the user's alert store, as the CLI)"
    )
    p.add_argument("--no-store", action="store_true", help="do not store alerts")
    p.add_argument("--no-start", action="store_true", help="open the window without starting")
    p.add_argument("--no-gl", action="store_true", help="2D cube projections instead of 3D")
    p.add_argument(
        "--publish",
        action="store_true",
        help="publish each prediction and each alert (raised, grown, closed) as LSL streams "
        "on this machine, for LabRecorder and other software",
    )
    p.add_argument(
        "--quit-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="close the window after this many seconds (demos, smoke tests)",
    )
    p.add_argument(
        "--quit-when-done",
        action="store_true",
        help="close the window when the recording has been played",
    )
    p.add_argument(
        "--screenshot",
        default=None,
        help="save a screenshot of the window to this .png when it closes",
    )
    p.add_argument(
        "--allow-offscreen",
        action="store_true",
        help="run even without a display (QT_QPA_PLATFORM=offscreen)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log progress")
    return p


def run_app(
    source: SourceSpec | None = None,
    model: str | os.PathLike | None = None,
    db: str | os.PathLike | Literal[False] | None = None,
    *,
    autostart: bool = True,
    use_gl: bool | None = None,
    quit_after: float | None = None,
    quit_when_done: bool = False,
    screenshot: str | os.PathLike | None = None,
    argv: list[str] | None = None,
    publish: bool = False,
) -> int:
    """Open the main window and run Qt's event loop until it is closed.

    Parameters
    ----------
    source : SourceSpec | None
        Where the EEG comes from (None: the bundled sample replayed through
        LSL).
    model : path-like | None
        Model file (None: the shipped seizure model).
    db : path-like | None | False
        Alert store (None: the user's default store, shared with the CLI;
        False: none).
    autostart : bool
        Start the pipeline as soon as the window shows.
    use_gl : bool | None
        3D cube view (None: when OpenGL is available).
    quit_after : float | None
        Close the window after this many seconds.
    quit_when_done : bool
        Close the window when the pipeline has finished (a recording played
        to its end) or failed.
    screenshot : path-like | None
        Save a screenshot there just before closing (``quit_after`` or
        ``quit_when_done``).
    argv : list of str | None
        Arguments for ``QApplication``.
    publish : bool
        Publish the predictions and alerts as LSL streams (see
        :class:`~gui.worker.PipelineWorker`).

    Returns
    -------
    code : int
        Qt's exit code (0).
    """
    from PySide6 import QtCore, QtWidgets

    from .window import MainWindow

    app = QtWidgets.QApplication.instance()
    if app is None:
        # one GL view after another (Start, Stop, a new window) reuse pyqtgraph's
        # shader programs: their contexts must share resources
        QtCore.QCoreApplication.setAttribute(QtCore.Qt.AA_ShareOpenGLContexts)
        app = QtWidgets.QApplication(argv or sys.argv[:1])
    app.setApplicationName("NeuCube-EEG")
    win = MainWindow(source=source, model=model, db=db, use_gl=use_gl, publish=publish)
    win.show()
    if autostart:
        QtCore.QTimer.singleShot(0, win.start)
    timers = []

    def _quit():
        for t in timers:
            t.stop()
        if screenshot:
            win.save_screenshot(screenshot)
        win.close()
        app.quit()

    if quit_after is not None:
        deadline = QtCore.QTimer(win)
        deadline.setSingleShot(True)
        deadline.timeout.connect(_quit)
        deadline.start(int(quit_after * 1000))
        timers.append(deadline)
    if quit_when_done:
        poll = QtCore.QTimer(win)

        def _check():
            if win.worker is not None and not win.worker.running:
                poll.stop()
                QtCore.QTimer.singleShot(300, _quit)  # let the last frames draw

        poll.timeout.connect(_check)
        poll.start(200)
        timers.append(poll)
    code = app.exec()
    return int(code)


def main(argv: list[str] | None = None) -> int:
    """Open the app (``python -m gui``); the default replays the bundled seizure via LSL.

    Parameters
    ----------
    argv : list of str | None
        Command line arguments (None: ``sys.argv[1:]``); see ``python -m gui
        --help``.

    Returns
    -------
    code : int
        0 when the window was closed normally, 2 for a bad argument,
        :data:`EXIT_NO_DISPLAY` (3) when there is no display (run
        ``neucube demo --headless`` instead).
    """
    from .worker import SourceSpec

    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s: %(message)s",
    )
    if not args.allow_offscreen and not display_available():
        logger.error(
            "No display to open the NeuCube-EEG window on (no DISPLAY or "
            "WAYLAND_DISPLAY, or QT_QPA_PLATFORM=offscreen). Run `neucube demo "
            "--headless` instead, or pass --allow-offscreen."
        )
        return EXIT_NO_DISPLAY
    kind = args.source or ("file" if args.file else "lsl" if args.stream else "sample")
    spec = SourceSpec(
        kind=kind,
        name=args.stream,
        source_id=args.source_id,
        path=args.file,
        speed=None if args.speed == 0 else args.speed,
        markers=args.markers,
        duration=args.duration,
    )
    try:
        spec.check()
    except (ValueError, FileNotFoundError) as err:
        logger.error("%s", err)
        return 2
    db = False if args.no_store else args.db
    return run_app(
        spec,
        model=args.model,
        db=db,
        autostart=not args.no_start,
        use_gl=False if args.no_gl else None,
        quit_after=args.quit_after,
        quit_when_done=args.quit_when_done,
        screenshot=args.screenshot,
        publish=args.publish,
    )
