"""One hour of EEG through ``neucube detect``, stage by stage.

Loops the bundled CHB-MIT excerpt (chb01_03, 23 channels, 256 Hz, with a
seizure) into a one-hour EDF in a temporary folder, then:

``cli``
    runs ``neucube detect HOUR.edf --no-store`` as a user does, in a fresh
    process, twice (the first run may build the cube's compiled code; the
    second is the steady state), and reports each wall time, interpreter
    start and imports included;
``stages``
    runs the shipped detector's ``detect`` on that recording in a fresh
    process per (target, code path), with each stage timed: reading the EDF,
    filtering (``prepare``: montage, resampling, causal filters), cutting
    windows (with the flat-channel check and the background level), encoding
    (TBR), the cube, the readout, and events. Code paths: ``side_by_side``
    (what ``detect`` runs: inference batches as several cubes side by side)
    and ``one_cube`` (one window after another, the code path before).

A 2 s window with a 1 s hop feeds every second of EEG to the cube twice, each
time from rest, so the cube simulates 7,198 s of windows for the hour.

Prints one JSON line (``--out FILE`` writes it to a file too), then a table.

Run (from the repository root):

    .venv/bin/python benchmarks/detect_hour.py
    .venv/bin/python benchmarks/detect_hour.py --target cython --minutes 10
"""

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STAGES = ("read", "filter", "windows", "encode", "cube", "readout", "events")


def build_recording(path, minutes):
    """Loop the bundled seizure excerpt into one EDF of ``minutes``."""
    import mne

    from acquisition import read_raw
    from sample_data import SEIZURE_EDF

    raw = read_raw(SEIZURE_EDF)
    reps = int(-(-minutes * 60 // raw.times[-1]))
    long = mne.concatenate_raws([raw.copy() for _ in range(reps)])
    long.crop(0, minutes * 60 - 1 / long.info["sfreq"])
    long.set_annotations(None)
    mne.export.export_raw(path, long, fmt="edf", overwrite=True, verbose="error")
    return long.times[-1] + 1 / long.info["sfreq"]


def _timer(totals, name, func):
    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.perf_counter() - t0

    return timed


def run_stages(path, target, path_kind):
    """Detect on ``path`` in this process with every stage timed (one JSON-able dict)."""
    from acquisition import read_raw
    from models.io import read_model
    from models.seizure import events as events_mod
    from neucube import _brian

    if path_kind == "one_cube":
        _brian.COPIES = 1
    t0 = time.perf_counter()
    det = read_model().model
    det.classifier_.cube_.target = target
    load = time.perf_counter() - t0
    # build (and compile, when not cached) outside the stage times
    t0 = time.perf_counter()
    warm = read_raw(path)
    warm.crop(0, min(600.0, warm.times[-1]))
    det.detect(warm, progress_bar=False)
    warm_s = time.perf_counter() - t0

    totals = {}
    cls = det.classifier_
    enc, cube, readout = cls.encoder_, cls.cube_, cls.readout_
    enc.transform = _timer(totals, "encode", enc.transform)
    cube.transform = _timer(totals, "cube", cube.transform)
    readout.predict_proba = _timer(totals, "readout", readout.predict_proba)
    det.prepare = _timer(totals, "filter", det.prepare)
    det.windows = _timer(totals, "windows", det.windows)
    det._scales = _timer(totals, "windows", det._scales)
    events_mod.events_from_probabilities = _timer(
        totals, "events", events_mod.events_from_probabilities
    )
    t0 = time.perf_counter()
    raw = _timer(totals, "read", read_raw)(path)
    found = det.detect(raw, progress_bar=False)
    wall = time.perf_counter() - t0
    seconds = raw.times[-1] + 1 / raw.info["sfreq"]
    stages = {k: round(totals.get(k, 0.0), 3) for k in STAGES}
    return {
        "target": target,
        "path": path_kind,
        "copies": _brian.copies_for(600, False, True, target),
        "eeg_s": round(seconds, 1),
        "wall_s": round(wall, 3),
        "realtime_factor": round(seconds / wall, 1),
        "stages_s": stages,
        "other_s": round(wall - sum(stages.values()), 3),
        "model_load_s": round(load, 3),
        "warm_up_s": round(warm_s, 3),
        "events": [[round(e.onset, 3), round(e.duration, 3)] for e in found.events],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_cli(path):
    """Wall time of ``neucube detect PATH --no-store`` in a fresh process."""
    exe = Path(sys.executable).with_name("neucube")
    cmd = [str(exe), "detect", str(path), "--no-store", "--quiet"]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return {"wall_s": round(wall, 3), "peak_rss_mb_max_so_far": round(peak, 1)}


def main(argv=None):
    """Build the recording, run every configuration in its own process, report."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the recording")
    ap.add_argument(
        "--target", action="append", choices=["numpy", "cython", "cpp_standalone"], default=None
    )
    ap.add_argument("--out", help="also write the JSON line to this file")
    ap.add_argument(
        "--one", nargs=3, metavar=("PATH", "TARGET", "CODE_PATH"), help=argparse.SUPPRESS
    )
    args = ap.parse_args(argv)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if args.one:
        sys.stdout.write(json.dumps(run_stages(*args.one)) + "\n")
        return 0
    from neucube.cube import available_targets

    targets = args.target or [t for t in ("cython", "cpp_standalone") if t in available_targets()]
    with tempfile.TemporaryDirectory(prefix="neucube-hour-") as tmp:
        path = Path(tmp) / "hour.edf"
        seconds = build_recording(path, args.minutes)
        cli = [run_cli(path) for _ in range(2)]
        stages = []
        for target in targets:
            for kind in ("side_by_side", "one_cube"):
                cmd = [sys.executable, __file__, "--one", str(path), target, kind]
                out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
                if out.returncode != 0:
                    raise RuntimeError(f"{target}/{kind} failed: {out.stderr[-2000:]}")
                stages.append(json.loads(out.stdout.strip().splitlines()[-1]))
    report = {
        "date": _dt.date.today().isoformat(),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg()[0],
        },
        "eeg_s": seconds,
        "cli": cli,
        "stages": stages,
    }
    line = json.dumps(report)
    print(line)
    if args.out:
        Path(args.out).write_text(line + "\n")
    print(
        f"\nneucube detect on {seconds / 60:.0f} min: "
        + ", ".join(f"run {k + 1} {c['wall_s']:.1f} s" for k, c in enumerate(cli))
    )
    print(
        f"{'target':<16}{'path':<14}{'wall s':>8}{'x rt':>8}" + "".join(f"{s:>9}" for s in STAGES)
    )
    for r in stages:
        print(
            f"{r['target']:<16}{r['path']:<14}{r['wall_s']:>8.1f}{r['realtime_factor']:>8.1f}"
            + "".join(f"{r['stages_s'][s]:>9.2f}" for s in STAGES)
        )
    same = len({json.dumps(r["events"]) for r in stages}) == 1
    print(f"same events in every configuration: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
