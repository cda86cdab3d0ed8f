"""The demo: the live window, the live pipeline headless, or offline spike statistics: ``neucube demo``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def _display_available():
    """Whether a window can open here (checked without importing Qt)."""
    import os

    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and platform not in ("xcb", "wayland", "cocoa", "windows"):
        return False  # offscreen, minimal, ...: no window a person could see
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


#: System libraries Qt's xcb platform plugin loads on Linux, and the Debian/Ubuntu
#: packages that bring them (PySide6's wheel carries the rest of Qt).
QT_XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
}


def missing_qt_libraries(find_library=None) -> list[str]:
    """Return the packages whose libraries Qt would need on this X display and lacks.

    Parameters
    ----------
    find_library : callable | None
        Looks a library up by name (:func:`ctypes.util.find_library`).

    Returns
    -------
    packages : list of str
        Debian/Ubuntu package names to install; empty off Linux, under
        Wayland or another Qt platform, or when every library is there.
    """
    import os

    if not sys.platform.startswith("linux"):
        return []
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform not in ("", "xcb") or (not platform and not os.environ.get("DISPLAY")):
        return []
    if find_library is None:
        from ctypes.util import find_library
    return [pkg for lib, pkg in QT_XCB_LIBRARIES.items() if find_library(lib) is None]


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the main job: the live window, or the same live pipeline headless."""
    publish = getattr(args, "publish", False)
    if args.offline:
        if publish:
            raise ValueError(
                "--publish publishes the live pipeline's predictions; it cannot be combined "
                "with --offline."
            )
        return _demo_offline(args)
    if args.headless:
        return _demo_headless(args)
    if not _display_available():
        print("No display here: running the live pipeline headless (neucube demo --headless).")
        return _demo_headless(args)
    missing = missing_qt_libraries()
    if missing:
        print(
            "The desktop app cannot open a window here: Qt needs the system libraries of "
            f"{', '.join(missing)} (install them with: sudo apt install {' '.join(missing)}). "
            "Running the live pipeline headless meanwhile.",
            file=sys.stderr,
        )
        return _demo_headless(args)
    # The desktop app runs in its own process: nothing imports the gui package.
    import subprocess

    rc = subprocess.call([sys.executable, "-m", "gui", *(["--publish"] if publish else [])])
    if rc == 3:  # the app found no display it could open a window on
        print("The desktop app found no display: running the live pipeline headless.")
        return _demo_headless(args)
    return rc


def _demo_headless(args):
    """Replay the bundled seizure recording through LSL, print alerts as they happen."""
    from ..seizure.headless import run_headless

    print(
        "NeuCube-EEG live demo (headless): replaying the bundled CHB-MIT recording "
        "(chb01_03, seizure from 10 s) as an LSL stream in real time, shipped seizure model.",
        flush=True,
    )
    result = run_headless(
        db=args.db,
        echo=lambda line: print(line, flush=True),
        publish=getattr(args, "publish", False),
        publish_wait=getattr(args, "publish_wait", 0.0) or 0.0,
    )
    return 0 if result is not None else 1


def _demo_offline(args):
    """Run the offline spike pipeline on the bundled seizure recording."""
    from sample_data import SEIZURE_EDF

    from ..spikestats import spike_statistics
    from .spikes import _print_spike_table

    stats = spike_statistics(SEIZURE_EDF, notch=60.0)
    onset = stats.segments["during"][0]
    print("NeuCube-EEG demo: offline pipeline on a bundled CHB-MIT recording")
    print(f"  recording : {SEIZURE_EDF.name} (chb01_03, seizure annotated from {onset:g} s)")
    print(
        f"  pipeline  : read EDF -> standardize {len(stats.ch_names)} channel names -> causal "
        "0.5-40 Hz band-pass + 60 Hz notch -> TBR spikes (alpha 0.5, thresholds fitted "
        "on the 10 s before the seizure, then frozen)\n"
    )
    print("Spikes per channel per second, before and during the seizure:\n")
    _print_spike_table(stats)
    before, during = stats.rates["before"].mean(), stats.rates["during"].mean()
    up = int((stats.rates["during"] > stats.rates["before"]).sum())
    print(
        f"\nDuring the seizure the channels spiked {during / before:.2f}x as often as before it "
        f"({during:.2f} vs {before:.2f} spikes/s per channel); {up} of {len(stats.ch_names)} "
        "channels rose."
    )
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube demo`` to the command line's subparsers."""
    from ._options import NON_NEGATIVE

    p = subparsers.add_parser(
        "demo",
        help="the live window replaying the bundled seizure recording",
        description="Open the desktop app replaying the bundled CHB-MIT recording through LSL "
        "with the shipped seizure model; without a display (or with --headless) run the same "
        "live pipeline in the terminal and print alerts as they happen.",
    )
    p.add_argument("--headless", action="store_true", help="no window: print alerts as they happen")
    p.add_argument(
        "--offline",
        action="store_true",
        help="the offline spike statistics of the recording instead",
    )
    p.add_argument("--db", default=None, help="alert database (default: the user's alert store)")
    p.add_argument(
        "--publish",
        action="store_true",
        help="publish each window's seizure probability and each alert (raised, grown, closed) "
        "as LSL streams "
        "'<stream>-neucube-proba' (type Prediction) and '<stream>-neucube-alerts' (type "
        "Markers), e.g. for LabRecorder",
    )
    p.add_argument(
        "--publish-wait",
        type=NON_NEGATIVE,
        default=0.0,
        metavar="SECONDS",
        help="with --publish: wait up to this long for a consumer (e.g. LabRecorder) on both "
        "streams before the replay starts",
    )
    p.set_defaults(func=cmd_demo)
    return p
