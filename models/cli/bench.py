"""The cube's speed per Brian2 target: ``neucube bench``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ._options import POSITIVE, POSITIVE_INT

if TYPE_CHECKING:
    import argparse


def cmd_bench(args: argparse.Namespace) -> int:
    """Measure the cube's real-time factor per target, against plain Brian2."""
    from ..evaluation.bench import bench

    report = bench(
        duration=args.duration,
        targets=args.target or None,
        repeat=args.repeat,
        cubes=tuple(args.cube or ("shipped", "neucube")),
    )
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{report['workload']}\n{report['machine']['cpu']}, {report['machine']['cores']} cores, "
        f"Python {report['machine']['python']}; "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items())
        + "\n"
    )
    print(
        f"{'cube':<9}{'target':<16}{'mode':<20}{'x real time':>12}{'vs plain':>10}"
        f"{'vs one':>8}{'spikes/step':>13}{'peak MB':>9}{'setup s':>9}"
    )
    for r in report["results"]:
        head = f"{r['cube']:<9}{r['target']:<16}{r['mode']:<20}"
        if "error" in r:
            print(f"{head}  failed: {r['error'].splitlines()[-1]}")
            continue
        print(
            f"{head}{r['realtime_factor']:>12.1f}{r.get('vs_plain_brian2', ''):>10}"
            f"{r.get('vs_one_cube', ''):>8}{r['reservoir_spikes_per_step'] or '':>13}"
            f"{r['peak_rss_mb']:>9.0f}{r['setup_s']:>9.1f}"
        )
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube bench`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "bench",
        help="the cube's speed per Brian2 target, STDP on and off, against plain Brian2",
        description="Real-time factor (seconds of EEG per wall-clock second) and peak memory "
        "of the cube on the bundled CHB-MIT recording looped to DURATION seconds, per "
        "code-generation target, for inference (cubes side by side, and one window after "
        "another), STDP training and the same network written as plain Brian2. Each "
        "measurement runs in its own process.",
    )
    p.add_argument(
        "--duration", type=POSITIVE, default=3600.0, help="seconds of EEG (default 3600)"
    )
    p.add_argument(
        "--target",
        action="append",
        choices=["numpy", "cython", "cpp_standalone"],
        help="target to measure (repeatable; default: all available)",
    )
    p.add_argument(
        "--repeat", type=POSITIVE_INT, default=1, help="repetitions; the median is reported"
    )
    p.add_argument(
        "--cube",
        action="append",
        choices=["shipped", "neucube"],
        help="cube to measure (repeatable; default both): the shipped detector's calibrated "
        "cube, or NeuCube's preset",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_bench)
    return p
