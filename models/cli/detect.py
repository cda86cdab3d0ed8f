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
#: Exit code of a batch in which a recording failed (its reason is printed).
EXIT_FAILED = 2
#: Exit code of a batch stopped by Ctrl-C (what was finished is stored).
EXIT_INTERRUPTED = 130


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


def _keep_unstored(alerts, db, err, path=None):
    """Write alerts that could not be stored to a JSON file beside the store (or to ``path``)."""
    import datetime as _dt
    import json

    from .._files import write_atomic

    if path is None:
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = Path(db).parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            folder = Path.cwd()
        path = folder / f"alerts-not-stored-{stamp}.json"
    text = json.dumps({"error": str(err), "alerts": [a.to_dict() for a in alerts]}, indent=2)
    return write_atomic(path, text + "\n")


def _is_batch(args):
    """Tell whether the command runs a batch, or one recording as it always has."""
    from acquisition.recordings import is_glob

    if len(args.recording) != 1 or args.scheduler or args.json or args.bids_derivatives:
        return True
    if args.subject or args.session or args.task:
        return True
    given = os.path.expanduser(args.recording[0])
    return os.path.isdir(given) or (is_glob(given) and not os.path.lexists(given))


def cmd_detect(args: argparse.Namespace) -> int:
    """Detect seizures in recordings, write them, store the alerts."""
    if _is_batch(args):
        return _detect_batch(args)
    args.recording = args.recording[0]
    return _detect_one(args)


def _read_detector(args, *, cache=False):
    """Read --model (or the shipped model); refuse one that is no seizure detector."""
    from ..io import read_model

    loaded = read_model(args.model, cache=cache)
    if loaded.kind != "seizure":
        raise ValueError(
            f"--model {args.model}: the file holds a {loaded.description} "
            f"({loaded.class_name}), not a seizure detector. Train one with "
            "`neucube train --task seizure`, or leave --model out for the shipped one."
        )
    return loaded


def _detect_one(args):
    """Detect seizures in one recording, write them, store the alerts."""
    from acquisition import read_raw

    from .._files import check_output, same_file

    # Everything the command will write is checked before the work starts.
    threshold = _check_threshold(args.threshold)
    loaded = _read_detector(args)
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
        from ..seizure.batch import no_usable_eeg_message

        print(no_usable_eeg_message(len(found.times)), file=sys.stderr)
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


# -- many recordings -----------------------------------------------------------------


def _inputs_of(recordings):
    """Return the batch's recordings as paths and as (device, inode), to tell outputs apart."""
    paths, inodes = set(), set()
    for rec in recordings:
        paths.add(rec.path)
        try:
            st = rec.path.stat()
        except OSError:
            continue
        inodes.add((st.st_dev, st.st_ino))
    return paths, inodes


def _is_input(path, inputs):
    paths, inodes = inputs
    path = Path(path).expanduser()
    try:
        if path.resolve() in paths:
            return True
        st = path.stat()
    except (OSError, RuntimeError):
        return False
    return (st.st_dev, st.st_ino) in inodes


def _batch_store(args, model_path, inputs):
    """Open the alert store for a batch (checked writable now), or None with --no-store."""
    from .._files import same_file
    from ..alerts import AlertStore, default_db_path

    if args.no_store:
        return None
    db = args.db or default_db_path()
    if same_file(db, model_path):
        raise ValueError(f"--db {args.db} is the model file; give the alert store's file.")
    if _is_input(db, inputs):
        raise ValueError(f"--db {args.db} is an input recording; give the alert store's file.")
    return AlertStore(args.db).check_writable()  # now, not after the work


def _out_targets(args, plan, keep, inputs):
    """Map each recording to its --out file and format; check those to write, before the work."""
    from .._files import check_output
    from ..seizure.batch import folder_suffix, output_names

    given = args.out
    path = Path(given).expanduser()
    names = output_names(plan.recordings)
    recordings = [str(r.path) for r in plan.recordings]
    if "{recording}" in given:
        targets = {r: Path(given.replace("{recording}", names[r])).expanduser() for r in recordings}
        fmt = _out_format(args, given.replace("{recording}", "recording"))
    elif path.is_dir():
        fmt = args.format or "szcore"
        targets = {r: path / f"{names[r]}{folder_suffix(fmt)}" for r in recordings}
    elif len(recordings) == 1:
        targets = {recordings[0]: path}
        fmt = _out_format(args, path)
    else:
        raise ValueError(
            f"--out {given}: the batch has {len(recordings)} recordings, and each is written "
            "to a file of its own. Give a folder (the files are named after the recordings) "
            "or put {recording} in the name (e.g. out/{recording}_events.tsv)."
        )
    if fmt == "mne" and not any(
        str(t).lower().endswith(("-annot.fif", "_annot.fif", "-annot.fif.gz", "_annot.fif.gz"))
        for t in targets.values()
    ):
        raise ValueError(
            f"--out {given}: an MNE annotations file is named *-annot.fif; end --out with "
            "-annot.fif, or give a folder."
        )
    by_target = {}
    for rec, target in targets.items():
        other = by_target.setdefault(target, rec)
        if other != rec:
            raise ValueError(
                f"--out {given}: recordings {other} and {rec} would both be written to {target}."
            )
    for rec in plan.pending:
        target = targets[str(rec.path)]
        if _is_input(target, inputs):
            raise ValueError(
                f"--out {given}: {target} is an input recording; it is never written over. "
                "Choose another folder or name."
            )
        check_output(target, "--out", keep=keep, overwrite=args.overwrite)
    return targets, fmt


def _derivative_targets(args, plan, bids_roots):
    """Map each recording to its BIDS derivatives file; check those to write, before the work."""
    from ..seizure.batch import check_derivatives_root, derivative_paths

    root = check_derivatives_root(args.bids_derivatives, "--bids-derivatives", inputs=bids_roots)
    targets = derivative_paths(root, plan.recordings)
    if not args.overwrite:
        there = [targets[str(r.path)] for r in plan.pending if targets[str(r.path)].exists()]
        if there:
            raise ValueError(
                f"--bids-derivatives {args.bids_derivatives}: {len(there)} of the files to "
                f"write exist already (first: {there[0]}). Pass --overwrite to replace them."
            )
    return root, targets


def _describe(result):
    """One line of what the detector found in a recording of a batch."""
    parts = [f"{result.duration:.1f} s"]
    if result.resampled_from:
        parts.append(f"resampled from {result.resampled_from:g} Hz")
    if result.missing:
        parts.append(f"missing {', '.join(result.missing)} (left flat)")
    if result.usable is not None and result.usable < 1:
        parts.append(f"usable {100 * result.usable:.1f} %")
    events = result.events
    if not events:
        parts.append("no seizure")
    else:
        shown = ", ".join(f"{ev.onset:.1f} s for {ev.duration:.1f} s" for ev in events[:5])
        parts.append(f"{len(events)} seizure(s) at {shown}" + (", ..." if len(events) > 5 else ""))
    if result.alert_ids:
        parts.append(f"stored {len(result.alert_ids)} alert(s)")
    return ", ".join(parts)


def _elapsed(seconds):
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {sec} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _detect_batch(args):
    """Detect seizures in many recordings (``neucube detect`` with a batch); return the exit code."""
    from acquisition.recordings import find_recordings, is_bids_root

    from .._files import check_output
    from ..seizure import batch

    # Everything the command will write is checked before the work starts.
    threshold = _check_threshold(args.threshold)
    batch.check_n_jobs(args.n_jobs, "--n-jobs")
    bids_roots = [Path(r).expanduser() for r in args.recording if is_bids_root(r)]
    if (args.subject or args.session or args.task) and not bids_roots:
        raise ValueError(
            "--subject, --session and --task select recordings of a BIDS dataset, and none of "
            "the inputs is a BIDS dataset root (a folder holding dataset_description.json). "
            "Give the dataset's root folder."
        )
    loaded = _read_detector(args, cache=True)  # read once here; the batch finds it cached
    exclude = [args.bids_derivatives] if args.bids_derivatives else []
    if args.out and os.path.isdir(os.path.expanduser(args.out)):
        exclude.append(args.out)
    recordings = find_recordings(
        args.recording,
        subjects=args.subject,
        sessions=args.session,
        tasks=args.task,
        exclude=exclude,
    )
    inputs = _inputs_of(recordings)
    store = _batch_store(args, loaded.path, inputs)
    try:
        plan = batch.plan_batch(
            recordings, args.model, threshold=threshold, store=store, skip_done=not args.rerun
        )
        keep = {
            "the model file": loaded.path,
            "the alert store": None if store is None else store.path,
        }
        outs = fmt = derivatives = None
        if args.out:
            outs, fmt = _out_targets(args, plan, keep, inputs)
        if args.bids_derivatives:
            derivatives = _derivative_targets(args, plan, bids_roots)
        if args.json:
            json_path = check_output(args.json, "--json", keep=keep, overwrite=args.overwrite)
            if _is_input(json_path, inputs):
                raise ValueError(f"--json {args.json} is an input recording; choose another file.")
        return _run_batch(args, plan, outs, fmt, derivatives, bids_roots)
    finally:
        if store is not None:
            store.close()


def _run_batch(args, plan, outs, fmt, derivatives, bids_roots):
    """Run a checked batch: print each recording as it ends, write, store, summarize."""
    import json

    from .._files import write_atomic
    from ..seizure import batch
    from ..seizure.formats import write_events
    from ._messages import cli_message

    given = {str(r.path): r.given for r in plan.recordings}
    n_pending = len(plan.pending)
    state = {"k": 0, "described": False, "kept": None, "unstored": [], "out": 0, "der": 0}

    def write(result):
        if outs is not None:
            raw = None
            if fmt == "edf":  # EDF+ holds the signals with the events: read them here
                from acquisition import read_raw

                raw = read_raw(result.recording, allow_truncated=args.allow_truncated)
            write_events(
                outs[result.recording],
                result.events,
                fmt=fmt,
                recording_duration=result.duration,
                meas_date=result.meas_date,
                raw=raw,
                overwrite=args.overwrite,
            )
            state["out"] += 1
        if derivatives is not None:
            root, targets = derivatives
            if not state["described"]:
                root.mkdir(parents=True, exist_ok=True)
                text = batch.derivatives_description(plan, bids_roots)
                write_atomic(root / "dataset_description.json", text)
                state["described"] = True
            batch.write_derivative(targets[result.recording], result)
            state["der"] += 1

    def report(result):
        name = given[result.recording]
        if result.status == batch.SKIPPED:
            print(f"{name}: skipped, {batch.SKIPPED_REASON}")
            return
        state["k"] += 1
        head = f"[{state['k']}/{n_pending}] {name}"
        if result.status == batch.DONE:
            print(f"{head}: {_describe(result)}")
        elif result.status == batch.NOT_STORED:
            kept = ""
            if result.events:
                state["unstored"].extend(result.alerts())
                state["kept"] = _keep_unstored(
                    state["unstored"], plan.store.path, result.reason, path=state["kept"]
                )
                kept = f", kept in {state['kept']}"
            print(
                f"{head}: {_describe(result)}; not stored in {plan.store.path} "
                f"({result.reason}){kept}",
                file=sys.stderr,
            )
        else:
            print(f"{head}: {result.status}: {cli_message(result.reason)}", file=sys.stderr)

    done = batch.run_batch(
        plan,
        allow_truncated=args.allow_truncated,
        n_jobs=args.n_jobs,
        scheduler=args.scheduler,
        write=write,
        on_result=report,
        progress_bar=not args.quiet,
    )
    counts = done.counts
    failed = counts[batch.FAILED] + counts[batch.NOT_RUN]
    hours = done.hours
    rate = (
        f" ({hours / (done.seconds / 3600):.1f} h of EEG per hour)"
        if hours and done.seconds
        else ""
    )
    print(
        f"{len(plan.recordings)} recording(s): {counts[batch.DONE]} done, {failed} failed, "
        f"{counts[batch.SKIPPED]} skipped ({batch.SKIPPED_REASON})"
        + (f", {counts[batch.NOT_STORED]} not stored" if counts[batch.NOT_STORED] else "")
        + f"; {hours:.2f} h of EEG processed in {_elapsed(done.seconds)}{rate}."
    )
    if outs is not None and state["out"]:
        print(f"wrote {state['out']} events file(s) (--out {args.out})")
    if derivatives is not None and state["der"]:
        print(f"wrote {state['der']} BIDS derivatives file(s) in {derivatives[0]}")
    if plan.store is not None and done.n_alerts:
        print(
            f"stored {done.n_alerts} alert(s) in {plan.store.path} for review (neucube alerts list)"
        )
    if plan.skipped and (outs is not None or derivatives is not None):
        print(
            f"The {len(plan.skipped)} skipped recording(s) were not written again: their "
            "alerts are in the store (neucube alerts export); pass --rerun to write them too."
        )
    if args.json:
        write_atomic(Path(args.json).expanduser(), json.dumps(batch.table(done), indent=2) + "\n")
        print(f"wrote {args.json}")
    if done.interrupted:
        print(
            f"Interrupted: {counts[batch.NOT_RUN]} recording(s) not run. Run the same command "
            "again to do them" + ("; what is done is skipped." if plan.store is not None else "."),
            file=sys.stderr,
        )
    elif failed:
        print(
            f"{failed} recording(s) failed, each with its reason above. Fix them and run the "
            "same command again"
            + ("; what is done is skipped." if plan.store is not None else "."),
            file=sys.stderr,
        )
    if counts[batch.NOT_STORED]:
        kept = f" They are kept in {state['kept']};" if state["kept"] else ""
        print(
            f"The {len(state['unstored'])} alert(s) of {counts[batch.NOT_STORED]} recording(s) "
            f"could not be stored in {plan.store.path}.{kept} run the detection again once the "
            "store can be written.",
            file=sys.stderr,
        )
        return EXIT_NOT_STORED
    if done.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if failed else 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube detect`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "detect",
        help="detect seizures in recordings, write them and store the alerts",
        description="Run a seizure model over RECORDING (EDF/BDF/FIF/BrainVision/EEGLAB), print "
        "the seizures found, write them to --out, and store them as alerts for review. Exit "
        "codes: 0 done, 2 bad input (nothing written), 3 no usable EEG in the recording, 4 "
        "found but not stored (the alerts are kept in a file named on stderr). "
        "Batches: several files, a folder (searched with its subfolders), a quoted glob "
        "pattern or a BIDS dataset root (with --subject/--session/--task) run as a batch, as "
        "does one file with --scheduler, --json or --bids-derivatives: one line per "
        "recording as it finishes, each stored at once, so that the same command run again "
        "skips what was run with this model and does the rest; a recording that fails "
        "(unreadable, too few channels, no usable EEG) is reported with its reason and the "
        "batch goes on. A batch's exit codes: 0 every "
        "recording done or skipped, 2 bad input (before any work) or a recording failed, 4 "
        "a recording's alerts not stored (kept in a file named on stderr), 130 interrupted.",
    )
    p.add_argument(
        "recording",
        nargs="+",
        help="recording file(s), folder(s), quoted glob pattern(s) such as 'data/**/*.edf', "
        "or a BIDS dataset root",
    )
    p.add_argument("--model", default=None, help="model file (default: the shipped chb01 model)")
    p.add_argument(
        "--out",
        default=None,
        help="file to write the detected seizures to; for a batch, a folder (one file per "
        "recording, named after it) or a name holding {recording}",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --out (and --json, --bids-derivatives files) if they exist (never an input)",
    )
    p.add_argument(
        "--format",
        default=None,
        choices=["szcore", "bids", "edf", "csv", "mne"],
        help="format of --out (default: from its extension; szcore into a folder)",
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
    batch = p.add_argument_group("batches")
    batch.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes on this machine (default 1; -1: one per core); with "
        "--scheduler local, the number of Dask workers (default 2)",
    )
    batch.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster: 'local' starts one on this machine for the batch; "
        "tcp://host:8786 uses a running one (its workers see the recordings and the model "
        "at the same paths)",
    )
    batch.add_argument(
        "--rerun",
        action="store_true",
        help="run again over recordings already run with this model (after a new --threshold)",
    )
    batch.add_argument(
        "--json",
        default=None,
        metavar="FILE",
        help="write the per-recording table (status, reason, duration, events) to FILE",
    )
    batch.add_argument(
        "--bids-derivatives",
        default=None,
        metavar="DIR",
        help="write each recording's detections as BIDS derivatives (*_events.tsv in SzCORE's "
        "columns, with dataset_description.json) in DIR",
    )
    for name, what in (("subject", "subject"), ("session", "session"), ("task", "task")):
        batch.add_argument(
            f"--{name}",
            action="append",
            default=None,
            metavar=name.upper(),
            help=f"BIDS {what} to run over (repeatable; default: all)",
        )
    p.set_defaults(func=cmd_detect)
    return p
