"""The ``neucube`` command line: one module per command, each adding its own parser.

Heavy imports (MNE, Brian2) happen inside the commands, so ``neucube --help``
answers at once.
"""

from __future__ import annotations

import argparse
import sys

from . import (
    alerts,
    bench,
    demo,
    detect,
    evaluate,
    fetch,
    info,
    report,
    review,
    spikes,
    train,
    tune,
)
from ._messages import cli_message

EPILOG = "Run 'neucube COMMAND --help' for the options of one command."

# The commands, in the order of ``neucube --help``.
COMMANDS = (info, demo, fetch, spikes, evaluate, tune, train, detect, alerts, review, report, bench)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``neucube`` command."""
    parser = argparse.ArgumentParser(
        prog="neucube",
        description="NeuCube-EEG: EEG to spikes to a brain-shaped spiking reservoir.",
        epilog=EPILOG,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and decisions")
    parser.add_argument("--debug", action="store_true", help="log everything")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``neucube`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from neucube import set_log_level

    set_log_level("debug" if args.debug else ("info" if args.verbose else "warning"))
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError, TypeError) as err:
        # Errors of ours carry the file/channel/parameter and the fix; show them
        # without a traceback (use --debug for one).
        if args.debug:
            raise
        print(f"neucube {args.command}: error: {cli_message(err)}", file=sys.stderr)
        return 2
    except OSError as err:
        # The system refused a path the user gave (too long, a link loop, no
        # permission, disk full): name it and the reason, without a traceback.
        if args.debug:
            raise
        where = f" {err.filename}" if err.filename else ""
        print(
            f"neucube {args.command}: error: cannot use{where}: {err.strerror or err}. "
            "Check the path and its permissions; no input was written over.",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(f"neucube {args.command}: interrupted.", file=sys.stderr)
        return 130
    except Exception as err:
        if args.debug:
            raise
        print(
            f"neucube {args.command}: unexpected error ({type(err).__name__}): "
            f"{cli_message(err)}. Run it again with --debug to see where it happened; "
            "no input was written over.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
