"""Public EEG datasets by name, downloaded from PhysioNet and verified: ``neucube fetch``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

#: The datasets ``neucube fetch`` knows, with what a subject and a record are called.
DATASET_HELP = {
    "chbmit": "CHB-MIT Scalp EEG Database 1.0.0 (seizures): --subject chb01, --records 03,04",
    "eegmmidb": "EEG Motor Movement/Imagery Database 1.0.0: --subject 1, --runs 3,7,11",
}


def _size(n):
    if n < 1000:
        return f"{n} B"
    for unit in ("kB", "MB", "GB"):
        n /= 1000
        if n < 1000 or unit == "GB":
            return f"{n:.1f} {unit}"


def _record_notes(fetched):
    """Each record's name, with its number of seizures for CHB-MIT."""
    if fetched.summary is None:
        return list(fetched.records)
    from acquisition.datasets import read_chbmit_summary

    seizures = read_chbmit_summary(fetched.summary)
    notes = []
    for name in fetched.records:
        n = len(seizures.get(name, ()))
        notes.append(f"{name} ({n} seizure{'' if n == 1 else 's'})")
    return notes


def _print_fetched(fetched, url, out=None):
    out = sys.stdout if out is None else out
    new = set(fetched.downloaded)
    print(f"{fetched.dataset} {fetched.version}, subject {fetched.subject}, from {url}", file=out)
    width = max(len(str(p.relative_to(fetched.root))) for p in fetched.files)
    for path in fetched.files:
        what = "downloaded" if path in new else "in cache  "
        rel = str(path.relative_to(fetched.root))
        print(f"  {what}  {rel:<{width}}  {_size(path.stat().st_size):>9}", file=out)
    word = "Records" if fetched.dataset == "chbmit" else "Runs"
    print(f"{word}: {', '.join(_record_notes(fetched))}", file=out)
    n, k = len(fetched.files), len(fetched.downloaded)
    if k == 0:
        print(
            f"All {n} files were already in {fetched.root}, each with its published SHA-256; "
            "nothing downloaded.",
            file=out,
        )
    else:
        there = f"; {n - k} already there" if n > k else ""
        print(
            f"Downloaded {k} of {n} files ({_size(fetched.downloaded_bytes)}), each matching "
            f"its SHA-256 in {fetched.sums}{there}.",
            file=out,
        )
    print(f"Folder: {fetched.folder}", file=out)


def cmd_fetch(args: argparse.Namespace) -> int:
    """Download one subject's recordings of a dataset into the cache, verified."""
    from acquisition.datasets import dataset_base_url, fetch_dataset

    if args.seizures_only and args.dataset != "chbmit":
        raise ValueError(
            f"--seizures-only picks CHB-MIT records by their seizures; {args.dataset} has none."
        )
    url = dataset_base_url(args.dataset, args.base_url)
    fetched = fetch_dataset(
        args.dataset,
        args.subject,
        args.records,
        seizures_only=args.seizures_only,
        path=args.path,
        base_url=url,
        progressbar=not args.no_progress,
    )
    if args.json:
        new = set(fetched.downloaded)
        result = {
            "dataset": fetched.dataset,
            "version": fetched.version,
            "subject": fetched.subject,
            "url": url,
            "folder": str(fetched.folder),
            "records": {name: str(path) for name, path in fetched.records.items()},
            "files": [
                {"path": str(p), "downloaded": p in new, "bytes": p.stat().st_size}
                for p in fetched.files
            ],
            "downloaded": len(fetched.downloaded),
        }
        print(json.dumps(result, indent=2))
        return 0
    _print_fetched(fetched, url)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube fetch`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "fetch",
        help="download a public EEG dataset by name from PhysioNet, verified",
        description="Download one subject's recordings of a PhysioNet dataset into the cache "
        "(--path, else $NEUCUBE_DATA_DIR/datasets, else the user data folder), laid out as on "
        "PhysioNet. The dataset's SHA256SUMS.txt is downloaded first and every file is checked "
        "against it; files already there are not downloaded again, and a download that stopped "
        "is resumed from its .part file. Datasets: "
        + "; ".join(f"{k}: {v}" for k, v in DATASET_HELP.items())
        + ".",
    )
    p.add_argument("dataset", choices=sorted(DATASET_HELP), help="the dataset's name")
    p.add_argument(
        "--subject",
        required=True,
        help="chbmit: the case (chb01, or 1); eegmmidb: the subject (1, or S001)",
    )
    p.add_argument(
        "--records",
        "--runs",
        dest="records",
        default=None,
        metavar="LIST",
        help="comma-separated records (chbmit: 03,04 or chb01_03) or runs (eegmmidb: 3,7,11); "
        "default: all of the subject's",
    )
    p.add_argument(
        "--seizures-only",
        action="store_true",
        help="chbmit: only the records whose summary lists a seizure",
    )
    p.add_argument(
        "--path",
        default=None,
        metavar="DIR",
        help="cache folder (default: $NEUCUBE_DATA_DIR/datasets, else datasets/ in the user "
        "data folder, e.g. ~/.local/share/neucube-eeg/datasets)",
    )
    p.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="a mirror of the dataset's PhysioNet folder, holding SHA256SUMS.txt (default: "
        "https://physionet.org/files/DATASET/1.0.0/)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--json", action="store_true", help="print what was fetched as JSON")
    p.set_defaults(func=cmd_fetch)
    return p
