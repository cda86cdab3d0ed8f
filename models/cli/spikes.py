"""Spike rates of a recording per segment: ``neucube spikes``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from ._options import NON_NEGATIVE, POSITIVE

if TYPE_CHECKING:
    import argparse


def _print_spike_table(stats, out=None):
    out = sys.stdout if out is None else out
    names = list(stats.rates)
    head = f"{'channel':<12}" + "".join(f"{n + ' /s':>12}" for n in names)
    if {"before", "during"} <= set(names):
        head += f"{'during/before':>15}"
    print(head, file=out)
    ratio = (
        stats.ratio("during", "before")
        if "during" in stats.rates and "before" in stats.rates
        else None
    )
    for k, ch in enumerate(stats.ch_names):
        row = f"{ch:<12}" + "".join(f"{stats.rates[n][k]:>12.2f}" for n in names)
        if ratio is not None:
            row += f"{ratio[k]:>15.2f}"
        print(row, file=out)
    row = f"{'mean':<12}" + "".join(f"{stats.rates[n].mean():>12.2f}" for n in names)
    if ratio is not None:
        row += f"{stats.rates['during'].mean() / stats.rates['before'].mean():>15.2f}"
    print(row, file=out)


def cmd_spikes(args: argparse.Namespace) -> int:
    """Encode a recording into spikes and print spike rates per segment."""
    from ..spikestats import spike_statistics

    segments = None
    if args.segment:
        segments = {name: (float(t0), float(t1)) for name, t0, t1 in args.segment}
    stats = spike_statistics(
        args.recording,
        segments=segments,
        fit_segment=args.fit,
        encoder=args.encoder,
        alpha=args.alpha,
        l_freq=args.l_freq,
        h_freq=args.h_freq,
        notch=args.notch,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "recording": stats.fname,
                    "sfreq": stats.sfreq,
                    "encoder": args.encoder,
                    "alpha": args.alpha,
                    "segments": stats.segments,
                    "channels": stats.ch_names,
                    "thresholds_uV": [float(t) for t in getattr(stats.encoder, "thresholds_", [])],
                    "rates_per_s": {
                        k: [round(float(x), 4) for x in v] for k, v in stats.rates.items()
                    },
                },
                indent=2,
            )
        )
        return 0
    seg = ", ".join(f"{k} {a:g}–{b:g} s" for k, (a, b) in stats.segments.items())
    print(f"{stats.fname}\n{len(stats.ch_names)} channels at {stats.sfreq:g} Hz; segments: {seg}")
    print(
        f"{args.encoder} encoder, alpha={args.alpha}, thresholds fitted on '{args.fit}' and frozen; "
        f"band-pass {args.l_freq}–{args.h_freq} Hz (causal)\n"
    )
    _print_spike_table(stats)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube spikes`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "spikes",
        help="encode a recording into spikes and print spike rates per segment",
        description="Read RECORDING, filter it causally, fit the encoder's thresholds on one "
        "segment, encode the whole recording and print spikes per channel per second in each "
        "segment. Segments default to before/during the first 'seizure' annotation.",
    )
    p.add_argument("recording", help="EDF/BDF/FIF/BrainVision/EEGLAB file")
    p.add_argument(
        "--segment",
        nargs=3,
        action="append",
        metavar=("NAME", "START", "STOP"),
        help="a named segment in seconds (repeatable)",
    )
    p.add_argument("--fit", default="before", help="segment to fit thresholds on (default: before)")
    p.add_argument(
        "--encoder", default="tbr", choices=["tbr", "step_forward", "moving_window", "bsa"]
    )
    p.add_argument("--alpha", type=NON_NEGATIVE, default=0.5, help="threshold factor (default 0.5)")
    p.add_argument("--l-freq", type=POSITIVE, default=0.5, help="high-pass edge in Hz")
    p.add_argument("--h-freq", type=POSITIVE, default=40.0, help="low-pass edge in Hz")
    p.add_argument("--notch", type=POSITIVE, default=None, help="power-line frequency in Hz")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_spikes)
    return p
