"""Throughput of batch seizure detection: one process, joblib, and a local Dask cluster.

Builds about two hours of EEG from the bundled CHB-MIT excerpts (each one
looped into recordings of ``--file-minutes``, alternating between them, written
as FIF files in a temporary folder), then runs the same batch three times
through :func:`models.seizure.batch.run_batch`, each time into a fresh alert
store:

``sequential``
    ``n_jobs=1``: in this process, one recording after the other;
``joblib``
    ``n_jobs=--workers``: joblib's worker processes on this machine;
``dask``
    ``scheduler='local'``: a :class:`distributed.LocalCluster` of
    ``--workers`` worker processes (one thread each), started and closed
    inside the measured time.

What is measured
----------------
wall_s
    Seconds from the start of the batch to its last stored result: starting
    the workers (joblib's, or the cluster), each worker reading the model,
    reading and detecting every recording, and storing each result. The
    model read once in this process beforehand (for the plan) is not
    included; the sequential run uses that copy, the workers read their own.
eeg_hours_per_hour
    Hours of EEG processed per hour of wall time.
speedup
    ``wall_s`` of the sequential run over this run's.
same_events
    Whether every recording's events (onset, duration, confidence, channels)
    are those of the sequential run.

Prints one JSON line (``--out FILE`` writes it to a file too), then a table.

Run (from the repository root):

    .venv/bin/python benchmarks/batch.py                  # ~2 h of EEG, 2 workers
    .venv/bin/python benchmarks/batch.py --hours 0.5 --workers 4
"""

import argparse
import datetime as _dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def build_recordings(folder, hours, file_minutes):
    """Loop the bundled chb01 excerpts into FIF recordings totalling about ``hours``."""
    import mne

    from acquisition import read_raw
    from sample_data import SEIZURE_EDF, SEIZURE_EDF_2

    sources = [read_raw(p) for p in (SEIZURE_EDF, SEIZURE_EDF_2)]
    paths, total, k = [], 0.0, 0
    while total < hours * 3600 - 60:
        raw = sources[k % len(sources)]
        length = raw.n_times / raw.info["sfreq"]
        loops = max(1, round(file_minutes * 60 / length))
        looped = mne.concatenate_raws([raw.copy() for _ in range(loops)], verbose="error")
        path = Path(folder) / f"loop{k:03d}_{Path(raw.filenames[0]).stem}_raw.fif"
        looped.save(path, verbose="error")
        paths.append(path)
        total += looped.n_times / looped.info["sfreq"]
        k += 1
    return paths, total


def _events(result):
    return {
        r.recording: [(e.onset, e.duration, e.confidence, tuple(e.channels)) for e in r.events]
        for r in result.results
    }


def main(argv=None):
    """Run the benchmark; print its JSON line and its table.

    Parameters
    ----------
    argv : list of str | None
        Command-line arguments (``sys.argv[1:]`` by default).

    Returns
    -------
    report : dict
        What was printed.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=2.0, help="hours of EEG (default 2)")
    parser.add_argument(
        "--file-minutes", type=float, default=10.0, help="length of each recording (default 10)"
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", default=None, help="also write the JSON line to this file")
    args = parser.parse_args(argv)

    import brian2
    import dask
    import joblib
    import mne
    import numpy as np

    from models.alerts import AlertStore
    from models.seizure.batch import plan_batch, run_batch
    from neucube import set_log_level
    from neucube.cube import select_target

    set_log_level("error")  # the looped recordings carry no surprise worth a warning
    runs = {}
    with tempfile.TemporaryDirectory(prefix="neucube-batch-bench-") as tmp:
        paths, seconds = build_recordings(tmp, args.hours, args.file_minutes)
        modes = (
            ("sequential", dict(n_jobs=1)),
            ("joblib", dict(n_jobs=args.workers)),
            ("dask", dict(n_jobs=args.workers, scheduler="local")),
        )
        for name, how in modes:
            with AlertStore(Path(tmp) / f"{name}.sqlite") as store:
                plan = plan_batch(paths, store=store)
                start = time.perf_counter()
                result = run_batch(plan, progress_bar=False, **how)
                wall = time.perf_counter() - start
            if name == "joblib":  # let joblib's idle workers go before the cluster starts
                from joblib.externals.loky import get_reusable_executor

                get_reusable_executor().shutdown(wait=True)
            runs[name] = (result, wall)
    reference = _events(runs["sequential"][0])
    base = runs["sequential"][1]
    rows = []
    for name, (result, wall) in runs.items():
        rows.append(
            {
                "mode": name,
                "workers": 1 if name == "sequential" else args.workers,
                "wall_s": round(wall, 2),
                "eeg_hours": round(result.hours, 4),
                "eeg_hours_per_hour": round(result.hours / (wall / 3600), 1),
                "speedup": round(base / wall, 2),
                "done": result.counts["done"],
                "failed": result.counts["failed"] + result.counts["not run"],
                "events": sum(len(r.events) for r in result.results),
                "same_events": _events(result) == reference,
            }
        )
    report = {
        "benchmark": "batch",
        "command": " ".join(
            ["python benchmarks/batch.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "date": _dt.date.today().isoformat(),
        "recordings": len(paths),
        "eeg_hours": round(seconds / 3600, 4),
        "file_minutes": args.file_minutes,
        "runs": rows,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "brian2": brian2.__version__,
            "brian2_target": select_target("auto"),
            "numpy": np.__version__,
            "mne": mne.__version__,
            "joblib": joblib.__version__,
            "dask": dask.__version__,
        },
    }
    line = json.dumps(report)
    print(line)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(
        f"{len(paths)} recordings, {seconds / 3600:.2f} h of EEG, {os.cpu_count()} CPU(s), "
        f"Brian2 target {report['machine']['brian2_target']}"
    )
    head = f"{'mode':<12}{'workers':>8}{'wall s':>10}{'h EEG / h':>12}{'speed-up':>10}"
    print(head + f"{'done':>6}{'failed':>8}{'events':>8}  same events")
    for r in rows:
        print(
            f"{r['mode']:<12}{r['workers']:>8}{r['wall_s']:>10.1f}{r['eeg_hours_per_hour']:>12.1f}"
            f"{r['speedup']:>10.2f}{r['done']:>6}{r['failed']:>8}{r['events']:>8}  "
            f"{'yes' if r['same_events'] else 'NO'}"
        )
    return report


if __name__ == "__main__":
    main()
