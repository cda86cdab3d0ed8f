"""Latency, load and losses of the live seizure pipeline on a replayed recording.

Replays a recording as a live LSL stream in real time (mne-lsl's PlayerLSL in a
child process, with a counter channel appended), runs the shipped seizure
detector on it through ``models.seizure.live.LivePipeline`` exactly as the headless
demo does (``models.seizure.headless.run_headless``), and prints one JSON object.

What is measured
----------------
latency (seconds, median / 95th percentile / max over windows)
    For each window: the moment its prediction is made (``local_clock()``
    right after the cube and the readout) minus the moment the window's last
    sample was *sent* on the stream. PlayerLSL stamps the last sample of a
    chunk with the time the next chunk is due, i.e. one chunk
    (``chunk_size / sfreq``) after it actually pushes it, so the send time is
    the sample's LSL timestamp minus one chunk (``stamp_lead_s``). Everything
    between is included: LSL transport over loopback, waiting in the inlet for
    the pipeline's next pull (it polls every 5 ms when idle), re-referencing,
    causal filtering, flagging, the cube (Brian2) and the readout. The window
    itself (2 s of EEG) is not: a sample's *own* prediction can only come once
    its window is complete.
pull_latency
    The same, from the moment the pipeline pulled the sample out of the inlet.
window_compute_s
    Seconds of compute for one window (flagging, cube, readout, scores).
chunk_load
    For each pulled chunk: the seconds spent processing it (including any
    window it completed) divided by the chunk's duration (samples / sfreq).
    Most chunks only filter (well under 1 %); the one per hop that completes a
    window carries the cube's cost and may exceed 100 % of its own short
    duration, which the next chunks absorb; ``overall`` is all compute over
    all stream time (must stay well below 1 for real time).
dropped
    From the counter channel: samples sent but never received (gaps plus any
    missing head or tail), and ``repeated`` (samples received twice or out of
    order); both must be 0.

Run (from the repository root):

    .venv/bin/python benchmarks/live_latency.py               # the bundled 50 s CHB-MIT excerpt
    .venv/bin/python benchmarks/live_latency.py --chunk-size 32 --thread
"""

import argparse
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv=None):
    """Run the benchmark and print its JSON report.

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
    parser.add_argument(
        "--file", default=None, help="recording to replay (default: sample_data SEIZURE_EDF)"
    )
    parser.add_argument("--model", default=None, help="detector model (default: shipped)")
    parser.add_argument(
        "--duration", type=float, default=None, help="replay only the first seconds"
    )
    parser.add_argument("--chunk-size", type=int, default=16, help="samples per LSL push")
    parser.add_argument(
        "--thread",
        action="store_true",
        help="play in a thread of this process instead of a child process",
    )
    args = parser.parse_args(argv)

    from acquisition.stream import configure_lsl

    configure_lsl(resolve_scope="machine")  # keep the replay on this machine, liblsl quiet
    import brian2
    import mne
    import mne_lsl
    import numpy as np

    from models.seizure.headless import run_headless
    from neucube.cube import select_target

    result = run_headless(
        args.file,
        model=args.model,
        db=False,
        duration=args.duration,
        chunk_size=args.chunk_size,
        process=not args.thread,
        echo=lambda line: print(line, file=sys.stderr),
    )
    s = result.summary
    report = {
        "benchmark": "live_latency",
        "command": " ".join(
            ["python benchmarks/live_latency.py", *(argv if argv is not None else sys.argv[1:])]
        ),
        "file": s["file"],
        "seconds_streamed": s["seconds"],
        "samples_sent": s["n_times"],
        "samples_received": s["received"],
        "dropped": s["dropped"],
        "repeated": s["repeated"],
        "windows": s["windows"],
        "alerts": s["alerts"],
        "events": [
            {
                "onset": ev.onset,
                "duration": ev.duration,
                "confidence": ev.confidence,
                "channels": list(ev.channels),
            }
            for ev in result.detection.events
        ],
        "latency_s": s["latency"],
        "pull_latency_s": s["pull_latency"],
        "window_compute_s": s["window_compute_s"],
        "chunk_load": s["chunk_load"],
        "chunk_size": s["chunk_size"],
        "chunk_duration_s": s["chunk_size"] / s["sfreq"],
        "stamp_lead_s": s["stamp_lead_s"],
        "player": s["player"],
        "stream_faults": {k: v for k, v in (s["source"] or {}).items() if k.startswith("n_")},
        "latency_definition": (
            "prediction time minus send time of the window's last sample; send time = LSL "
            "timestamp - chunk_size/sfreq (PlayerLSL stamps a chunk's last sample one chunk "
            "ahead); includes LSL transport, waiting for the next pull, filtering, cube, readout"
        ),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "brian2": brian2.__version__,
            "brian2_target": select_target("auto"),
            "numpy": np.__version__,
            "mne": mne.__version__,
            "mne_lsl": mne_lsl.__version__,
        },
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
