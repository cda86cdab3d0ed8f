"""Find seizures in a recording, write and store them: ``neucube detect``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


#: Exit code when the recording held no usable EEG (every channel-window flagged).
EXIT_NO_USABLE_EEG = 3
#: Exit code when the detection ran but its alerts could not be stored.
EXIT_NOT_STORED = 4


def _check_threshold(value):
    if value is None:
        return None
    if not 0.0 < value <= 1.0:
        raise ValueError(
            f"--threshold {value:g}: a seizure probability threshold must be in (0, 1]; "
            "0 or less would call every window a seizure, more than 1 none."
        )
    return value


def _out_format(args, out):
    from ..seizure.formats import FORMATS, _check_fmt

    if args.format is not None:
        return args.format
    try:
        return _check_fmt(None, out, writing=True)
    except ValueError:
        raise ValueError(
            f"--out {args.out}: cannot tell the format from the file name. Pass --format "
            f"{'|'.join(FORMATS)} (a .tsv is bids or szcore)."
        ) from None


def _keep_unstored(alerts, db, err):
    """Write alerts that could not be stored to a JSON file beside the store."""
    import datetime as _dt
    import json

    from .._files import write_atomic

    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(db).parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        folder = Path.cwd()
    path = folder / f"alerts-not-stored-{stamp}.json"
    text = json.dumps({"error": str(err), "alerts": [a.to_dict() for a in alerts]}, indent=2)
    return write_atomic(path, text + "\n")


def cmd_detect(args: argparse.Namespace) -> int:
    """Detect seizures in a recording, write them, store the alerts."""
    from acquisition import read_raw

    from .._files import check_output, same_file
    from ..io import read_model

    # Everything the command will write is checked before the work starts.
    threshold = _check_threshold(args.threshold)
    loaded = read_model(args.model)
    if loaded.kind != "seizure":
        raise ValueError(
            f"--model {args.model}: the file holds a {loaded.description} "
            f"({loaded.class_name}), not a seizure detector. Train one with "
            "`neucube train --task seizure`, or leave --model out for the shipped one."
        )
    det, model_path = loaded.model, loaded.path
    store = None
    if not args.no_store:
        from ..alerts import AlertStore, default_db_path

        db = args.db or default_db_path()
        for what, path in (("input recording", args.recording), ("model file", model_path)):
            if path is not None and same_file(db, path):
                raise ValueError(f"--db {args.db} is the {what}; give the alert store's file.")
        store = AlertStore(args.db).check_writable()  # now, not after the work
    fmt = None
    if args.out:
        keep = {
            "the input recording": args.recording,
            "the model file": model_path,
            "the alert store": None if store is None else store.path,
        }
        out = check_output(args.out, "--out", keep=keep, overwrite=args.overwrite)
        fmt = _out_format(args, out)
    try:
        if threshold is not None:
            det.threshold = threshold
        raw = read_raw(args.recording, allow_truncated=args.allow_truncated)
        found = det.detect(raw, progress_bar=not args.quiet)
        return _report(args, det, model_path, raw, found, store, fmt)
    finally:
        if store is not None:
            store.close()


def _report(args, det, model_path, raw, found, store, fmt):
    """Print, write and store what the detector found; return the exit code."""
    from ..io import model_identity
    from ..seizure.formats import write_events

    model_id, model_version = model_identity(det, model_path)
    print(
        f"{args.recording}: {found.duration:.1f} s, {len(det.ch_names)} model channels"
        + (f", resampled from {found.resampled_from:g} Hz" if found.resampled_from else "")
        + (f", missing {', '.join(found.missing)} (left flat)" if found.missing else "")
    )
    n_cells = len(found.times) * len(found.ch_names)
    # Missing channels are left flat: as unusable as a flagged channel-window.
    n_flagged = sum(found.flagged.values()) + len(found.missing) * len(found.times)
    if found.flagged:
        print(
            "flagged (flat or disconnected, never a cause of alerts): "
            + ", ".join(f"{c} in {n} windows" for c, n in found.flagged.items())
        )
    if n_cells and n_flagged >= n_cells:
        print(
            f"No usable EEG: every channel was flat or disconnected in every one of the "
            f"{len(found.times)} windows, so nothing could be detected. Check the recording "
            "(its units, its channels, the amplifier) before trusting any result.",
            file=sys.stderr,
        )
        return EXIT_NO_USABLE_EEG
    usable = 1.0 - n_flagged / n_cells if n_cells else 0.0
    if n_flagged:
        print(f"usable: {100 * usable:.1f} % of channel-windows")
    if not found.events:
        print(f"No seizure detected (threshold {det.threshold}).")
    else:
        print(
            f"{len(found.events)} seizure(s) detected (model {model_id}, threshold {det.threshold}):"
        )
        # An event computed on partly unusable EEG says how much of it was usable.
        partial = any(ev.usable is not None and ev.usable < 1 for ev in found.events)
        usable_head = f"{'usable %':>10}" if partial else ""
        print(f"  {'onset s':>9}{'duration s':>12}{'confidence':>12}{usable_head}  channels")
        for ev in found.events:
            shown = ""
            if partial:
                shown = f"{'-':>10}" if ev.usable is None else f"{100 * ev.usable:>10.1f}"
            print(
                f"  {ev.onset:>9.1f}{ev.duration:>12.1f}{ev.confidence:>12.3f}{shown}"
                f"  {', '.join(ev.channels)}"
            )
    if args.out:
        path = write_events(
            args.out,
            found.events,
            fmt=fmt,
            recording_duration=found.duration,
            meas_date=raw.info.get("meas_date"),
            raw=raw,
            overwrite=args.overwrite,
        )
        print(f"wrote {path}")
    if store is None:
        return 0
    from ..alerts import Alert

    recording = str(Path(args.recording).resolve())
    start = raw.info["meas_date"].isoformat() if raw.info.get("meas_date") else None
    alerts = [
        Alert.from_event(
            ev,
            recording=recording,
            model_id=model_id,
            model_version=model_version,
            threshold=det.threshold,
            recording_start=start,
            recording_duration=found.duration,
        )
        for ev in found.events
    ]
    try:  # the alerts and the record that this model ran over the recording, together
        ids = store.record_run(
            recording,
            alerts,
            model_id=model_id,
            model_version=model_version,
            duration=found.duration,
            usable=usable,
            threshold=det.threshold,
        )
    except Exception as err:  # locked, read-only, disk full: keep what was found
        kept = _keep_unstored(alerts, store.path, err)
        print(
            f"The {len(alerts)} alert(s) could not be stored in {store.path} ({err}). They are "
            f"kept in {kept}; run the detection again once the store can be written.",
            file=sys.stderr,
        )
        return EXIT_NOT_STORED
    if ids:
        print(f"stored {len(ids)} alert(s) in {store.path} for review (neucube alerts list)")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube detect`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "detect",
        help="detect seizures in a recording, write them and store the alerts",
        description="Run a seizure model over RECORDING (EDF/BDF/FIF/BrainVision/EEGLAB), print "
        "the seizures found, write them to --out, and store them as alerts for review. Exit "
        "codes: 0 done, 2 bad input (nothing written), 3 no usable EEG in the recording, 4 "
        "found but not stored (the alerts are kept in a file named on stderr).",
    )
    p.add_argument("recording")
    p.add_argument("--model", default=None, help="model file (default: the shipped chb01 model)")
    p.add_argument("--out", default=None, help="file to write the detected seizures to")
    p.add_argument(
        "--overwrite", action="store_true", help="replace --out if it exists (never an input)"
    )
    p.add_argument(
        "--format",
        default=None,
        choices=["szcore", "bids", "edf", "csv", "mne"],
        help="format of --out (default: from its extension)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="seizure probability threshold, in (0, 1]",
    )
    p.add_argument("--db", default=None, help="alert database (default: the user's alert store)")
    p.add_argument("--no-store", action="store_true", help="do not store alerts")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--allow-truncated",
        action="store_true",
        help="read a truncated recording's complete records (a warning says how much)",
    )
    p.set_defaults(func=cmd_detect)
    return p
