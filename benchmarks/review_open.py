"""Time from ``neucube review FILE`` to the first alert on screen, for one hour of EEG.

Loops the bundled CHB-MIT excerpt into a one-hour EDF in a temporary folder
(as ``benchmarks/detect_hour.py`` does), stores its alerts with ``neucube
detect HOUR.edf --db DB`` as a night's batch would, then runs

    neucube review HOUR.edf --db DB --allow-offscreen --quit-when-shown

in a fresh process, several times, with Qt's offscreen platform
(``QT_QPA_PLATFORM=offscreen``: the window is built and painted, but not on a
screen). Each run's time is from starting the command to reading the line
the window prints once the first alert is listed and painted; interpreter
start, imports, the command's checks (store, file header, model header) and
the window's own process are included. The probability trend over the hour
(about 20 s of cube) is still being computed then; the ``neucube detect``
time is reported beside it as its cost.

Prints one JSON line (``--out FILE`` writes it to a file too).

Run (from the repository root):

    .venv/bin/python benchmarks/review_open.py --out benchmarks/results/review_open_2026-12-02.json
"""

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.detect_hour import build_recording  # noqa: E402

MARK = "first alert on screen"


def open_once(exe, path, db, env):
    """Run ``neucube review`` until its first alert is on screen; return the seconds."""
    cmd = [str(exe), "review", str(path), "--db", str(db), "--allow-offscreen", "--quit-when-shown"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    shown, inside = None, None
    for line in proc.stdout:
        if line.startswith(MARK):
            shown = time.perf_counter() - t0
            inside = float(line.split()[4])
            break
    rest, err = proc.communicate(timeout=120)
    if shown is None or proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    return {"command_s": round(shown, 3), "window_process_s": round(inside, 3)}


def main(argv=None):
    """Build the hour, store its alerts, open the review window a few times, report."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the recording")
    ap.add_argument("--runs", type=int, default=5, help="times the window is opened")
    ap.add_argument("--out", help="also write the JSON line to this file")
    args = ap.parse_args(argv)
    exe = Path(sys.executable).with_name("neucube")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OMP_NUM_THREADS="1")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="neucube-review-") as tmp:
        path, db = Path(tmp) / "hour.edf", Path(tmp) / "alerts.sqlite"
        seconds = build_recording(path, args.minutes)
        t0 = time.perf_counter()
        subprocess.run(
            [str(exe), "detect", str(path), "--db", str(db), "--quiet"],
            check=True,
            capture_output=True,
            env=env,
            cwd=ROOT,
        )
        detect_s = time.perf_counter() - t0
        from models.alerts import AlertStore

        with AlertStore(db) as store:
            n_alerts = len(store.list(status="pending"))
        runs = [open_once(exe, path, db, env) for _ in range(args.runs)]
    command = "neucube review HOUR.edf --db DB --allow-offscreen --quit-when-shown"
    report = {
        "date": _dt.date.today().isoformat(),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": load,
        },
        "command": f"QT_QPA_PLATFORM=offscreen {command}",
        "qt_platform": "offscreen",
        "eeg_s": seconds,
        "pending_alerts": n_alerts,
        "runs": runs,
        "median_first_alert_s": statistics.median(r["command_s"] for r in runs),
        "median_window_process_s": statistics.median(r["window_process_s"] for r in runs),
        "detect_s_for_reference": round(detect_s, 1),
    }
    line = json.dumps(report)
    print(line)
    if args.out:
        Path(args.out).write_text(line + "\n")
    print(
        f"\nneucube review on {seconds / 60:.0f} min ({n_alerts} pending alerts): first alert on "
        f"screen after {report['median_first_alert_s']:.2f} s (median of {len(runs)}); "
        f"neucube detect over the same hour: {detect_s:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
