"""``neucube report``: an HTML report of what a model's cube learned.

:func:`add_parser` registers the command on the ``neucube`` parser's
subparsers; ``python -m models.cli.report`` runs it on its own. Errors
(missing or foreign model file, unreadable recording or metrics) are printed
as one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import sys

from ._options import POSITIVE, POSITIVE_INT

__all__ = ["add_parser", "cmd_report", "main"]


def cmd_report(args: argparse.Namespace) -> int:
    """Write the report; return the exit code."""
    from acquisition import EEGFileError

    from .._files import check_output
    from ..report import write_report

    try:
        keep = {
            "the model file": args.model,
            "the recording": args.data,
            "the metrics file": args.metrics,
        }
        check_output(args.out, "--out", keep=keep, overwrite=True)
        path = write_report(
            args.model,
            args.data,
            args.out,
            metrics=args.metrics,
            threshold=args.threshold,
            n_connections=args.n_connections,
            n_samples=args.samples,
            conditions=args.conditions,
            epoch=args.epoch,
            l_freq=args.l_freq,
            h_freq=args.h_freq,
            notch=args.notch,
        )
    except (FileNotFoundError, ValueError, TypeError, EEGFileError, OSError) as err:
        if getattr(args, "debug", False):
            raise
        message = " ".join(str(err).split())
        print(f"neucube report: error: {message}", file=sys.stderr)
        return 2
    size = path.stat().st_size / 1e6
    print(f"wrote {path} ({size:.1f} MB, self-contained: open it in a browser)")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``neucube report`` on an argparse subparsers object.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    parser : argparse.ArgumentParser
        The ``report`` subcommand's parser (its ``func`` default is
        :func:`cmd_report`).
    """
    p = subparsers.add_parser(
        "report",
        help="an HTML report of what a model's cube learned",
        description="Write one self-contained HTML file (figures inline) about a trained model: "
        "its strongest connections in 3D, the neuron clusters around each input, the feature "
        "interaction network, a spike raster and the activity per cluster on samples of DATA "
        "(for a seizure model, windows before and during the annotated seizure side by side), "
        "what STDP changed, and the accuracy from --metrics.",
    )
    p.add_argument(
        "model", help="model file: a seizure detector (neucube train) or a NeuCubeClassifier file"
    )
    p.add_argument(
        "--data", required=True, help="EEG recording, or a folder of them, to run the cube on"
    )
    p.add_argument("--out", required=True, help="HTML file to write (replaced if it exists)")
    p.add_argument(
        "--metrics",
        default=None,
        help="JSON written by `neucube evaluate ... --json`, shown as a table",
    )
    p.add_argument(
        "--threshold",
        type=POSITIVE,
        default=None,
        help="draw connections with |w| >= THRESHOLD (default: the N strongest)",
    )
    p.add_argument(
        "--n-connections",
        type=POSITIVE_INT,
        default=200,
        help="connections of each sign drawn without --threshold (default 200)",
    )
    p.add_argument(
        "--samples",
        type=POSITIVE_INT,
        default=3,
        help="windows or epochs per condition run through the cube (default 3)",
    )
    p.add_argument(
        "--conditions",
        nargs=2,
        default=None,
        metavar=("A", "B"),
        help="classifier: the two annotation descriptions to compare "
        "(default: the two most frequent)",
    )
    p.add_argument(
        "--epoch",
        type=POSITIVE,
        default=None,
        help="classifier: epoch length in seconds after each annotation (default 2)",
    )
    p.add_argument(
        "--l-freq",
        type=POSITIVE,
        default=0.5,
        help="classifier: high-pass edge in Hz (use the training band; default 0.5)",
    )
    p.add_argument(
        "--h-freq", type=POSITIVE, default=40.0, help="classifier: low-pass edge in Hz (default 40)"
    )
    p.add_argument(
        "--notch", type=POSITIVE, default=None, help="classifier: power-line frequency in Hz"
    )
    p.set_defaults(func=cmd_report)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``neucube report`` on its own (``python -m models.cli.report``)."""
    parser = argparse.ArgumentParser(prog="neucube")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
