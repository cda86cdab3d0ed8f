"""Find seizures in a recording, write and store them: ``neucube detect``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def cmd_detect(args: argparse.Namespace) -> int:
    """Detect seizures in a recording, write them, store the alerts."""
    from acquisition import read_raw

    from ..io import model_identity, read_model
    from ..seizure.formats import write_events

    loaded = read_model(args.model)
    if loaded.kind != "seizure":
        raise ValueError(
            f"--model {args.model}: the file holds a {loaded.description} "
            f"({loaded.class_name}), not a seizure detector. Train one with "
            "`neucube train --task seizure`, or leave --model out for the shipped one."
        )
    det, model_path = loaded.model, loaded.path
    if args.threshold is not None:
        det.threshold = args.threshold
    raw = read_raw(args.recording)
    found = det.detect(raw, progress_bar=not args.quiet)
    model_id, model_version = model_identity(det, model_path)
    print(
        f"{args.recording}: {found.duration:.1f} s, {len(det.ch_names)} model channels"
        + (f", resampled from {found.resampled_from:g} Hz" if found.resampled_from else "")
        + (f", missing {', '.join(found.missing)} (left flat)" if found.missing else "")
    )
    if found.flagged:
        print(
            "flagged (flat or disconnected, never a cause of alerts): "
            + ", ".join(f"{c} in {n} windows" for c, n in found.flagged.items())
        )
    if not found.events:
        print(f"No seizure detected (threshold {det.threshold}).")
    else:
        print(
            f"{len(found.events)} seizure(s) detected (model {model_id}, threshold {det.threshold}):"
        )
        print(f"  {'onset s':>9}{'duration s':>12}{'confidence':>12}  channels")
        for ev in found.events:
            print(
                f"  {ev.onset:>9.1f}{ev.duration:>12.1f}{ev.confidence:>12.3f}  {', '.join(ev.channels)}"
            )
    if args.out:
        path = write_events(
            args.out,
            found.events,
            fmt=args.format,
            recording_duration=found.duration,
            meas_date=raw.info.get("meas_date"),
            raw=raw,
            overwrite=True,
        )
        print(f"wrote {path}")
    if not args.no_store and found.events:
        from ..alerts import Alert, AlertStore

        start = raw.info["meas_date"].isoformat() if raw.info.get("meas_date") else None
        alerts = [
            Alert.from_event(
                ev,
                recording=str(Path(args.recording).resolve()),
                model_id=model_id,
                model_version=model_version,
                threshold=det.threshold,
                recording_start=start,
                recording_duration=found.duration,
            )
            for ev in found.events
        ]
        with AlertStore(args.db) as store:
            ids = store.add_alerts(alerts)
            print(f"stored {len(ids)} alert(s) in {store.path} for review (neucube alerts list)")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube detect`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "detect",
        help="detect seizures in a recording, write them and store the alerts",
        description="Run a seizure model over RECORDING (EDF/BDF/FIF/BrainVision/EEGLAB), print "
        "the seizures found, write them to --out, and store them as alerts for review.",
    )
    p.add_argument("recording")
    p.add_argument("--model", default=None, help="model file (default: the shipped chb01 model)")
    p.add_argument("--out", default=None, help="file to write the detected seizures to")
    p.add_argument(
        "--format",
        default=None,
        choices=["szcore", "bids", "edf", "csv", "mne"],
        help="format of --out (default: from its extension)",
    )
    p.add_argument("--threshold", type=float, default=None, help="seizure probability threshold")
    p.add_argument("--db", default=None, help="alert database (default: the user's alert store)")
    p.add_argument("--no-store", action="store_true", help="do not store alerts")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_detect)
    return p
