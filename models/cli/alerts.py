"""``neucube alerts``: list, show, review and export seizure alerts.

:func:`add_parser` registers the command on the ``neucube`` parser's
subparsers. Every action opens the alert store (``--db PATH``, or the default
of :func:`models.alerts.default_db_path`), never creates one, and returns an
exit code: 0 on success, 2 on an error (unknown alert, missing or foreign
database file, locked store, a store altered outside NeuCube-EEG), which is
printed as one line on stderr. ``neucube alerts verify`` exits with
:data:`EXIT_NOT_INTACT` when the store is not intact.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..alerts import (
    EXPORT_FORMATS,
    REVIEW_STATUSES,
    STATUSES,
    AlertStore,
    AlertStoreError,
    default_db_path,
)
from ..alerts.export import terminal_safe
from ._options import POSITIVE_INT

__all__ = ["EXIT_NOT_INTACT", "add_parser"]

#: Exit code of ``neucube alerts verify`` when the store is not intact.
EXIT_NOT_INTACT = 5


def _fail(args, err):
    message = " ".join(str(err).split())  # one line, whatever the message holds
    print(f"neucube alerts {args.alerts_command}: error: {message}", file=sys.stderr)
    return 2


def _open(args):
    return AlertStore(args.db, create=False)


def _fmt(value, spec=".3f", none="-"):
    return none if value is None else format(value, spec)


def cmd_list(args: argparse.Namespace) -> int:
    """List alerts, pending ones by default."""
    try:
        with _open(args) as store:
            alerts = store.list(status=args.status, recording=args.recording, limit=args.limit)
            path = store.path
    except (AlertStoreError, ValueError, TypeError) as err:
        return _fail(args, err)
    if args.json:
        print(json.dumps([a.to_dict() for a in alerts], indent=2))
        return 0
    which = "/".join(args.status)
    if not alerts:
        print(f"No {which} alerts in {path}.")
        return 0
    print(
        f"{'id':>6}  {'recording':<20} {'onset s':>10} {'dur s':>8} {'conf':>5}  "
        f"{'status':<9} {'model':<20} channels"
    )
    for a in alerts:
        model = f"{a.model_id} {a.model_version}".strip()
        duration = "ongoing" if a.ongoing else f"{a.duration:.3f}"
        print(
            f"{a.id:>6}  {terminal_safe(a.recording):<20} {a.onset:>10.3f} {duration:>8} "
            f"{_fmt(a.confidence, '.2f'):>5}  {a.status:<9} {model:<20} "
            f"{','.join(a.channels) or '-'}"
        )
    print(f"{len(alerts)} {which} alert(s) in {path}.")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """Show one alert and its review history."""
    try:
        with _open(args) as store:
            alert = store.get(args.id)
            history = store.history(args.id)
            extents = store.extents(args.id)
    except (AlertStoreError, ValueError, TypeError) as err:
        return _fail(args, err)
    if args.json:
        print(
            json.dumps(
                {
                    "alert": alert.to_dict(),
                    "history": [r.to_dict() for r in history],
                    "extents": [e.to_dict() for e in extents],
                },
                indent=2,
            )
        )
        return 0
    t = terminal_safe
    rows = [
        ("recording", t(alert.recording)),
        (
            "onset",
            f"{alert.onset:.3f} s (to {alert.end:.3f} s, duration {alert.duration:.3f} s"
            + (
                ", ongoing: the event was still growing when last recorded)"
                if alert.ongoing
                else ")"
            ),
        ),
        ("raised", _raised(alert)),
        ("confidence", _fmt(alert.confidence, ".3f")),
        ("channels", ", ".join(alert.channels) or "-"),
        ("model", f"{alert.model_id} {alert.model_version or '(version unknown)'}"),
        ("threshold", _fmt(alert.threshold, "g")),
        ("stored", alert.created_at),
        ("recording start", alert.recording_start or "-"),
        (
            "recording length",
            "-" if alert.recording_duration is None else f"{alert.recording_duration:.3f} s",
        ),
        ("usable EEG", "-" if alert.usable is None else f"{100 * alert.usable:.1f} %"),
        ("status", alert.status),
    ]
    if alert.status != "pending":
        rows.append(("reviewed", f"by {t(alert.reviewer)} at {alert.reviewed_at}"))
    if alert.note:
        rows.append(("note", t(alert.note)))
    print(f"Alert {alert.id}")
    for key, value in rows:
        print(f"  {key:<17} {value}")
    if extents:
        print("Extent:")
        for e in extents:
            print(
                f"  {e.at}  {e.state:<7}  {e.duration:.3f} s, confidence "
                f"{_fmt(e.confidence, '.3f')}, channels {', '.join(e.channels) or '-'}"
            )
    print("History:")
    if not history:
        print("  (not reviewed yet)")
    for r in history:
        line = f"  {r.at}  {r.action:<6}  {r.status_before} -> {r.status_after}  by {t(r.reviewer)}"
        print(line + (f": {t(r.note)}" if r.note else ""))
    return 0


def _raised(alert):
    """When the alert was raised, in the recording's time (it never changes)."""
    if alert.raised_time is None:
        return "-"
    return f"at {alert.raised_time:.3f} s of the recording (event {alert.raised_duration:.3f} s long then)"


def cmd_review(args: argparse.Namespace) -> int:
    """Confirm or reject one alert."""
    try:
        with _open(args) as store:
            alert = store.review(args.id, args.status, args.reviewer, args.note)
            audit = [
                r
                for r in store.history(args.id)
                if r.at == alert.reviewed_at and r.reviewer == alert.reviewer
            ][-1]
    except (AlertStoreError, ValueError, TypeError) as err:
        return _fail(args, err)
    print(
        f"Alert {alert.id}: {audit.status_before} -> {alert.status} by "
        f"{terminal_safe(alert.reviewer)} "
        f"at {alert.reviewed_at} (audit row {audit.id})."
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write alerts as CSV, SzCORE TSV or EDF+ annotations."""
    try:
        with _open(args) as store:
            written = store.export(
                args.out,
                args.format,
                status=args.status,
                recording=args.recording,
                overwrite=args.overwrite,
            )
    except (AlertStoreError, ValueError, TypeError, OSError) as err:
        return _fail(args, err)
    if not written:
        print("No alerts to export with the statuses asked for; nothing written.")
    for fname in written:
        print(f"Wrote {fname}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Prove the store intact (schema, SQLite integrity, hash chains, statuses), or say where not."""
    try:
        with AlertStore(args.db, create=False, strict=False) as store:
            report = store.verify()
    except AlertStoreError as err:
        return _fail(args, err)
    if args.json:
        out = {
            "path": str(report.path),
            "intact": report.intact,
            **{
                k: getattr(report, k)
                for k in ("schema_version", "n_alerts", "n_reviews", "n_extents")
            },
            "alerts_head": report.alerts_head,
            "reviews_head": report.reviews_head,
            "extents_head": report.extents_head,
            "problems": report.problems,
        }
        print(json.dumps(out, indent=2))
    elif report.intact:
        print(
            f"{report.path}: intact. Schema version {report.schema_version}, "
            f"{report.n_alerts} alert(s), {report.n_reviews} review(s), {report.n_extents} "
            "recorded extent(s); every row follows from the one before it."
        )
        print(f"  newest alert hash   {report.alerts_head or '-'}")
        print(f"  newest review hash  {report.reviews_head or '-'}")
        print(f"  newest extent hash  {report.extents_head or '-'}")
        print("Keep these hashes apart from the store: a later verify that still passes")
        print("through them proves nothing stored until now was changed or removed.")
    else:
        print(
            f"{report.path}: NOT intact: {len(report.problems)} problem(s), first row that "
            "is not intact first:",
            file=sys.stderr,
        )
        for problem in report.problems:
            print(f"  {terminal_safe(problem)}", file=sys.stderr)
        print(
            "Do not trust its alerts or reviews; restore the store from a backup copy.",
            file=sys.stderr,
        )
    return 0 if report.intact else EXIT_NOT_INTACT


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``neucube alerts`` and its actions.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers()`` returned for the ``neucube`` parser.

    Returns
    -------
    parser : argparse.ArgumentParser
        The ``alerts`` parser. Each action sets ``func`` (a handler taking the
        parsed arguments and returning an exit code) and ``alerts_command``.
    """
    db_help = (
        f"the alert store (default: {default_db_path()}; "
        "set NEUCUBE_DATA_DIR to use NEUCUBE_DATA_DIR/alerts.sqlite)"
    )
    parser = subparsers.add_parser(
        "alerts",
        help="list, show, review and export seizure alerts",
        description="Seizure alerts raised by the detector and their reviews, kept in an "
        "SQLite alert store. Every review is recorded in an append-only audit trail.",
    )
    parser.add_argument("--db", metavar="PATH", default=None, help=db_help)
    parser.set_defaults(func=lambda args: (parser.print_help(), 0)[1], alerts_command=None)
    actions = parser.add_subparsers(dest="alerts_command", metavar="ACTION")

    # --db is accepted after the action too; SUPPRESS keeps a global --db.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=db_help)

    p = actions.add_parser("list", parents=[common], help="list alerts (pending by default)")
    p.add_argument(
        "--status",
        nargs="+",
        choices=STATUSES,
        default=["pending"],
        help="statuses to list (default: pending)",
    )
    p.add_argument("--recording", help="only alerts of this recording")
    p.add_argument("--limit", type=POSITIVE_INT, help="at most this many")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_list)

    p = actions.add_parser("show", parents=[common], help="one alert and its review history")
    p.add_argument("id", type=POSITIVE_INT, help="the alert's id")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_show)

    p = actions.add_parser("review", parents=[common], help="confirm or reject an alert")
    p.add_argument("id", type=POSITIVE_INT, help="the alert's id")
    p.add_argument("--status", required=True, choices=REVIEW_STATUSES, help="the verdict")
    p.add_argument("--reviewer", required=True, help="your name, kept in the audit trail")
    p.add_argument("--note", default="", help="free text kept with the review")
    p.set_defaults(func=cmd_review)

    p = actions.add_parser(
        "export",
        parents=[common],
        help="write alerts as CSV, SzCORE or EDF+ annotations",
        description="CSV: one file, every alert column, reviewed alerts by default. SzCORE: "
        "tab-separated annotations, one file per recording (put {recording} in --out when "
        "alerts come from several), confirmed alerts by default, each an 'sz' event. EDF+: "
        "an annotation file per recording (no signals; the recording's start date and time) "
        "for EDFbrowser to import next to the recording, reviewed alerts by default, each "
        "annotation naming its status, reviewer and note.",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    p.add_argument(
        "--overwrite", action="store_true", help="replace --out if it exists (never the store)"
    )
    p.add_argument("--format", default="csv", choices=EXPORT_FORMATS, help="default: csv")
    p.add_argument(
        "--status",
        nargs="+",
        choices=STATUSES,
        default=None,
        help="statuses to write (default: confirmed rejected for csv and edf, confirmed for "
        "szcore)",
    )
    p.add_argument("--recording", help="only alerts of this recording")
    p.set_defaults(func=cmd_export)

    p = actions.add_parser(
        "verify",
        parents=[common],
        help="prove the store and its audit trail intact, or show where they are not",
        description="Check the store's schema (tables, triggers), SQLite's integrity, the "
        "hash chains over alerts and reviews (each row hashes the one before it) and that "
        "every alert's status follows from its reviews. Prints the newest hashes to keep. "
        f"Exit codes: 0 intact, {EXIT_NOT_INTACT} not intact (every problem on stderr), "
        "2 no store there.",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_verify)
    return parser
