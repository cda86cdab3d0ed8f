"""Versions, the Brian2 code-generation target and the compiler: ``neucube info``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def _versions():
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("neucube-eeg", "mne", "brian2", "numpy", "scipy", "scikit-learn", "mne-lsl"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def cmd_info(args: argparse.Namespace) -> int:
    """Print versions, the Brian2 code-generation target and compiler status."""
    from neucube.cube import target_info

    targets = target_info("auto", check=True)
    info = {"python": sys.version.split()[0], **_versions()}
    info["brian2_target_in_use"] = targets["target"]
    info["brian2_targets_available"] = ", ".join(targets["available"])
    info["cpp_compiler"] = targets.get("cxx_compiler")
    info["cpp_compiler_usable"] = bool(targets.get("cxx_usable"))
    info["cache_dir"] = targets.get("cache_dir")
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    width = max(len(k) for k in info)
    for key, value in info.items():
        print(f"{key:<{width}}  {value}")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube info`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "info", help="versions, Brian2 code-generation target, compiler status"
    )
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_info)
    return p
