"""Public EEG datasets by name: downloaded from PhysioNet, verified, read as MNE recordings.

Two PhysioNet databases are known by name:

- ``"chbmit"``: the CHB-MIT Scalp EEG Database 1.0.0
  (https://physionet.org/files/chbmit/1.0.0/), one folder per subject
  (``chb01/chb01_03.edf``, ``chb01/chb01-summary.txt``,
  ``chb01/chb01_03.edf.seizures``). The seizure times of each record come from
  the subject's ``chbNN-summary.txt`` (:func:`parse_chbmit_summary`) and
  become ``'seizure'`` annotations of the recording.
- ``"eegmmidb"``: the EEG Motor Movement/Imagery Database 1.0.0
  (https://physionet.org/files/eegmmidb/1.0.0/), ``S001/S001R03.edf`` ...,
  whose EDF+ files carry their own ``T0``/``T1``/``T2`` annotations.

Files are downloaded through :mod:`pooch` into a cache folder that mirrors
PhysioNet's layout (``<cache>/chbmit/1.0.0/chb01/chb01_03.edf``). The
dataset's ``SHA256SUMS.txt`` is downloaded first, into the cache, and every
other file is verified against the SHA-256 it publishes: a file whose hash
differs is never kept under its name. A download that stops half way keeps
what arrived as ``<name>.part``, and the next call asks the server for the rest
(an HTTP ``Range`` request). A file already in the cache with the published
hash is not downloaded again.

The cache folder is ``$NEUCUBE_DATA_DIR/datasets`` when that variable is set,
else ``datasets`` in the platform's user data folder (see
:func:`default_dataset_dir`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import numbers
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pooch

from ._logging import logger

if TYPE_CHECKING:
    import mne

__all__ = [
    "DATASETS",
    "ChecksumMismatchError",
    "DatasetError",
    "DownloadError",
    "DownloadInterruptedError",
    "FetchedDataset",
    "RemoteFileNotFoundError",
    "chbmit_seizure_excerpts",
    "dataset_base_url",
    "default_dataset_dir",
    "fetch_dataset",
    "load_chbmit",
    "load_eegmmidb",
    "parse_chbmit_summary",
    "read_chbmit_summary",
    "read_sha256sums",
    "subject_name",
]

#: PhysioNet's folder of published files.
PHYSIONET_URL = "https://physionet.org/files"
#: The list of SHA-256 sums at the root of each PhysioNet dataset.
SUMS_NAME = "SHA256SUMS.txt"
#: Suffix of a download that stopped before its end (resumed by the next call).
PARTIAL_SUFFIX = ".part"
# Bytes read from the connection at a time, each chunk flushed to the partial file
# (a connection that breaks loses the chunk under way, no more).
_CHUNK_SIZE = 16 * 1024


# ---------------------------------------------------------------------------
# Errors


class DatasetError(ValueError):
    """A dataset's file could not be downloaded or verified.

    A :class:`ValueError`, as the readers' errors are, so the command line
    shows its message without a traceback.

    Parameters
    ----------
    message : str
        What went wrong, naming the file or URL and what to do.
    url : str | None
        The URL concerned.
    fname : path-like | None
        The file in the cache concerned.

    Attributes
    ----------
    url : str | None
        The URL concerned.
    fname : str | None
        The file in the cache concerned.
    """

    def __init__(
        self, message: str, url: str | None = None, fname: str | os.PathLike | None = None
    ) -> None:
        super().__init__(message)
        self.url = url
        self.fname = None if fname is None else str(fname)


class ChecksumMismatchError(DatasetError):
    """A downloaded file's SHA-256 differs from the published one.

    Parameters
    ----------
    message : str
        What went wrong.
    url : str | None
        Where the file came from.
    fname : path-like | None
        The name the file would have had in the cache (nothing is kept there).
    expected : str
        The published SHA-256.
    got : str
        The SHA-256 of what was downloaded.

    Attributes
    ----------
    expected : str
        The published SHA-256.
    got : str
        The SHA-256 of what was downloaded.
    """

    def __init__(
        self,
        message: str,
        url: str | None = None,
        fname: str | os.PathLike | None = None,
        expected: str = "",
        got: str = "",
    ) -> None:
        super().__init__(message, url, fname)
        self.expected = expected
        self.got = got


class RemoteFileNotFoundError(DatasetError):
    """The server has no file at the URL (HTTP 404)."""


class DownloadError(DatasetError):
    """The server refused the download or could not be reached."""


class DownloadInterruptedError(DownloadError):
    """A download stopped before its end; what arrived is kept to resume from.

    Parameters
    ----------
    message : str
        What went wrong.
    url : str | None
        The URL being downloaded.
    fname : path-like | None
        The partial file kept (``<name>.part``), or None if nothing was kept.
    received : int
        Bytes kept in the partial file.

    Attributes
    ----------
    received : int
        Bytes kept in the partial file.
    """

    def __init__(
        self,
        message: str,
        url: str | None = None,
        fname: str | os.PathLike | None = None,
        received: int = 0,
    ) -> None:
        super().__init__(message, url, fname)
        self.received = received


# ---------------------------------------------------------------------------
# The datasets


@dataclasses.dataclass(frozen=True)
class _Dataset:
    """How one PhysioNet dataset names its subjects and records."""

    name: str
    title: str
    version: str
    subject_pattern: str  # a subject folder, as a regular expression
    record_word: str  # what one recording is called
    record_example: str  # a few of them, as a user gives them
    subject_name: Callable[[str], str]
    record_name: Callable[[str, str], str]
    subject_files: tuple[str, ...] = ()  # the subject's other files ({subject} filled in)


def _chbmit_subject(text):
    m = re.fullmatch(r"(?:chb)?0*(\d{1,3})", text.strip(), flags=re.IGNORECASE)
    if not m or int(m.group(1)) == 0:
        raise ValueError(
            f"chbmit subject {text!r} is not a CHB-MIT case name: pass chb01 ... chb24 (or 1 ... 24)."
        )
    return f"chb{int(m.group(1)):02d}"


def _chbmit_record(subject, token):
    token = token.strip().removesuffix(".edf")
    if token.isdigit():
        return f"{subject}_{int(token):02d}"
    if token.lower().startswith(subject):
        return subject + token[len(subject) :]
    return f"{subject}_{token}"


def _eegmmidb_subject(text):
    m = re.fullmatch(r"(?:S)?0*(\d{1,3})", text.strip(), flags=re.IGNORECASE)
    if not m or int(m.group(1)) == 0:
        raise ValueError(
            f"eegmmidb subject {text!r} is not an EEGMMIDB subject: pass a number (1 ... 109) "
            "or a name such as S001."
        )
    return f"S{int(m.group(1)):03d}"


def _eegmmidb_record(subject, token):
    token = token.strip().removesuffix(".edf")
    m = re.fullmatch(rf"(?:{subject})?R?0*(\d{{1,2}})", token, flags=re.IGNORECASE)
    if not m:
        return token
    return f"{subject}R{int(m.group(1)):02d}"


#: The datasets known by name, with PhysioNet's version of each.
DATASETS = {
    "chbmit": _Dataset(
        name="chbmit",
        title="CHB-MIT Scalp EEG Database",
        version="1.0.0",
        subject_pattern=r"chb\d+",
        record_word="record",
        record_example="03,04",
        subject_name=_chbmit_subject,
        record_name=_chbmit_record,
        subject_files=("{subject}/{subject}-summary.txt",),
    ),
    "eegmmidb": _Dataset(
        name="eegmmidb",
        title="EEG Motor Movement/Imagery Database",
        version="1.0.0",
        subject_pattern=r"S\d{3}",
        record_word="run",
        record_example="3,7,11",
        subject_name=_eegmmidb_subject,
        record_name=_eegmmidb_record,
    ),
}


def _dataset(name):
    spec = DATASETS.get(str(name).lower())
    if spec is None:
        raise ValueError(f"Unknown dataset {name!r}; choose among {sorted(DATASETS)}.")
    return spec


def subject_name(dataset: str, subject: str | int) -> str:
    """Return a subject's folder name in a dataset.

    Parameters
    ----------
    dataset : str
        ``"chbmit"`` or ``"eegmmidb"``.
    subject : str | int
        The subject: for CHB-MIT ``"chb01"``, ``"1"`` or ``1``; for EEGMMIDB
        ``"S001"``, ``"1"`` or ``1``.

    Returns
    -------
    name : str
        The name PhysioNet gives the subject's folder (``"chb01"``, ``"S001"``).
    """
    return _dataset(dataset).subject_name(str(subject))


def default_dataset_dir() -> Path:
    r"""Return the default cache folder of the datasets.

    Returns
    -------
    path : pathlib.Path
        ``$NEUCUBE_DATA_DIR/datasets`` if that variable is set, else
        ``datasets`` in the platform's user data folder:
        ``$XDG_DATA_HOME/neucube-eeg`` or ``~/.local/share/neucube-eeg``
        (Linux and other POSIX systems), ``~/Library/Application
        Support/neucube-eeg`` (macOS), ``%LOCALAPPDATA%\neucube-eeg``
        (Windows); the same data folder as the alert store. The environment is
        read at each call.
    """
    env = os.environ.get("NEUCUBE_DATA_DIR")
    if env:
        return Path(env).expanduser() / "datasets"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "neucube-eeg" / "datasets"


def dataset_base_url(dataset: str, base_url: str | None = None) -> str:
    """Return the URL of a dataset's folder (the one holding ``SHA256SUMS.txt``).

    Parameters
    ----------
    dataset : str
        ``"chbmit"`` or ``"eegmmidb"``.
    base_url : str | None
        A mirror of that folder; None (default) is PhysioNet's
        (``https://physionet.org/files/<dataset>/<version>/``).

    Returns
    -------
    url : str
        The folder's URL, ending with ``/``.
    """
    spec = _dataset(dataset)
    url = base_url or f"{PHYSIONET_URL}/{spec.name}/{spec.version}/"
    if not re.match(r"^https?://", url):
        raise ValueError(
            f"base_url {url!r} is not an http:// or https:// URL of a folder laid out like "
            f"{PHYSIONET_URL}/{spec.name}/{spec.version}/."
        )
    return url if url.endswith("/") else url + "/"


def _dataset_root(spec, path):
    base = default_dataset_dir() if path is None else Path(path).expanduser()
    return base / spec.name / spec.version


# ---------------------------------------------------------------------------
# SHA256SUMS.txt

_SUM_LINE = re.compile(r"^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$")


def read_sha256sums(fname: str | os.PathLike) -> dict[str, str]:
    """Read a ``SHA256SUMS.txt`` file (the output of ``sha256sum``).

    Parameters
    ----------
    fname : path-like
        The file: one ``<sha256>  <relative path>`` per line (``*`` before the
        path, a leading ``./`` and blank lines are allowed).

    Returns
    -------
    sums : dict of str to str
        Relative path (with ``/``) to its SHA-256 in lower case.

    Raises
    ------
    ValueError
        If a line is not a hash and a path, naming the file and the line.
    """
    fname = Path(fname)
    sums = {}
    text = fname.read_text(encoding="utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _SUM_LINE.match(line.strip())
        if not m:
            raise ValueError(
                f"{str(fname)!r} line {number} is not '<sha256>  <path>': {line[:80]!r}. The "
                f"file is not a list of SHA-256 sums; delete it so that the next fetch "
                f"downloads it again."
            )
        sums[m.group(2).removeprefix("./")] = m.group(1).lower()
    if not sums:
        raise ValueError(
            f"{str(fname)!r} lists no SHA-256 sums. Delete it so that the next fetch downloads "
            f"it again."
        )
    return sums


# ---------------------------------------------------------------------------
# Downloads


class _ResumingDownloader(pooch.HTTPDownloader):
    """Download over HTTP into ``<name>.part``, resuming it with a Range request.

    Pooch calls it with a temporary file next to the final name. The bytes go
    to the partial file first, flushed chunk by chunk, so a download that
    stops keeps them and the next call asks the server for the rest. Once
    complete, the partial file is checked against the published SHA-256 and
    moved onto pooch's temporary file, which pooch hashes again and moves into
    place.

    Parameters
    ----------
    partial : pathlib.Path
        The partial file (``<final name>.part``).
    expected : str | None
        The published SHA-256; None checks nothing (``SHA256SUMS.txt`` itself).
    name : str
        The file's path in the dataset, for messages.
    progressbar : bool
        Show a ``tqdm`` progress bar on standard error.
    """

    def __init__(self, partial, expected=None, name="", progressbar=False):
        super().__init__(progressbar=False, chunk_size=_CHUNK_SIZE)
        self.partial = Path(partial)
        self.expected = expected
        self.name = name or self.partial.name.removesuffix(PARTIAL_SUFFIX)
        self.show_progress = bool(progressbar)

    def __call__(self, url, output_file, pooch, check_only=False):
        """Download ``url`` into ``output_file`` (see :class:`pooch.HTTPDownloader`)."""
        if check_only:
            return super().__call__(url, output_file, pooch, check_only=True)
        self._download(url, output_file, pooch, again=True)
        return None

    def _download(self, url, output_file, pup, again):
        import requests

        self.partial.parent.mkdir(parents=True, exist_ok=True)
        start = self.partial.stat().st_size if self.partial.is_file() else 0
        headers = {"Accept-Encoding": "identity"}
        if start:
            headers["Range"] = f"bytes={start}-"
            logger.info("%s: resuming from the %d bytes in %s.", self.name, start, self.partial)
        seen = {}

        def on_response(response, *args, **kwargs):
            # Called once the headers are in, before pooch writes the body.
            seen["status"] = response.status_code
            seen["length"] = response.headers.get("Content-Length")
            if response.status_code == 200 and start:
                logger.info("%s: the server does not resume; starting over.", self.name)
                out.seek(0)
                out.truncate()
            elif response.status_code == 206:
                content_range = response.headers.get("Content-Range") or ""
                m = re.match(r"bytes (\d+)-", content_range)
                if not m or int(m.group(1)) != start:
                    raise DownloadError(
                        f"{url} answered the request for bytes {start}- with the range "
                        f"{content_range!r}. Delete {self.partial} and fetch again.",
                        url,
                        self.partial,
                    )
            if self.show_progress and response.status_code in (200, 206):
                resumed = " (resumed)" if response.status_code == 206 else ""
                length = response.headers.get("Content-Length") or ""
                total = int(length) if length.isdigit() else None
                self.progressbar = _Progress(self.name + resumed, total)
            return response

        self.kwargs = {"headers": headers, "hooks": {"response": on_response}}
        self.progressbar = False
        try:
            with open(self.partial, "ab") as out:
                super().__call__(url, out, pup)
        except requests.HTTPError as exc:
            self._close_progress()
            status = exc.response.status_code if exc.response is not None else None
            if status == 416 and start:
                self._range_refused(url, output_file, pup, again)
                return
            self._drop_if_empty()
            if status == 404:
                raise RemoteFileNotFoundError(
                    f"{url} was not found on the server (HTTP 404). Check the dataset, the "
                    f"subject and the file ({self.name}), or the base URL of the mirror.",
                    url,
                ) from exc
            raise DownloadError(
                f"{url} could not be downloaded: {exc}. Try again later, or from another mirror.",
                url,
            ) from exc
        except requests.RequestException as exc:
            self._close_progress()
            raise self._interrupted(url, start, seen, _reason(exc)) from exc
        except BaseException:
            self._close_progress()
            raise
        self._close_progress()
        total = self._total(start, seen)
        if total is not None and self.partial.stat().st_size < total:
            raise self._interrupted(url, start, seen, "the connection closed early")
        self._finish(url, output_file)

    @staticmethod
    def _total(start, seen):
        length = seen.get("length")
        if length is None or not length.isdigit():
            return None
        return int(length) + (start if seen.get("status") == 206 else 0)

    def _range_refused(self, url, output_file, pup, again):
        # HTTP 416: the kept part is as long as the file (or longer); it may be whole.
        if self.expected and _sha256(self.partial) == self.expected:
            self._finish(url, output_file)
            return
        self.partial.unlink(missing_ok=True)
        if not again:
            raise DownloadError(
                f"{url} refused every byte range. Try again later, or from another mirror.",
                url,
            )
        self._download(url, output_file, pup, again=False)

    def _finish(self, url, output_file):
        if self.expected:
            got = _sha256(self.partial)
            if got != self.expected:
                self.partial.unlink(missing_ok=True)
                final = self.partial.with_name(self.partial.name.removesuffix(PARTIAL_SUFFIX))
                raise ChecksumMismatchError(
                    f"{self.name} downloaded from {url} does not match its published SHA-256 "
                    f"({SUMS_NAME}): expected {self.expected}, got {got}. Nothing was kept "
                    f"under {final}. Fetch it again; if the hash differs again, the server's "
                    f"copy is not the published file: download from PhysioNet itself rather "
                    f"than a mirror.",
                    url,
                    final,
                    expected=self.expected,
                    got=got,
                )
        if hasattr(output_file, "write"):
            with open(self.partial, "rb") as src:
                shutil.copyfileobj(src, output_file)
            self.partial.unlink()
        else:
            os.replace(self.partial, output_file)

    def _interrupted(self, url, start, seen, reason):
        size = self.partial.stat().st_size if self.partial.is_file() else 0
        if "status" not in seen:  # no answer at all
            self._drop_if_empty()
            kept = (
                f" The {size} bytes in {self.partial} are resumed from next time." if size else ""
            )
            return DownloadError(
                f"{url} could not be reached ({reason}). Check the network connection (or the "
                f"mirror's base URL) and fetch again.{kept}",
                url,
            )
        if not size:
            self._drop_if_empty()
            return DownloadError(
                f"The download of {url} stopped before any byte arrived ({reason}). Fetch again.",
                url,
            )
        total = self._total(start, seen)
        of = "" if total is None else f" of {total}"
        return DownloadInterruptedError(
            f"The download of {self.name} from {url} stopped after {size}{of} bytes ({reason}). "
            f"They are kept in {self.partial}: fetch again to resume from there (or delete "
            f"that file to start over).",
            url,
            self.partial,
            received=size,
        )

    def _drop_if_empty(self):
        with contextlib.suppress(OSError):
            if self.partial.stat().st_size == 0:
                self.partial.unlink()

    def _close_progress(self):
        if isinstance(self.progressbar, _Progress):
            self.progressbar.close()
        self.progressbar = False


def _reason(exc):
    """Return the short reason of a requests error ('Connection refused', 'IncompleteRead(...)')."""
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if m:
        return m.group(1).strip()
    m = re.search(r"Connection broken: ([^'\"]+)", text)
    if m:
        return "connection broken: " + m.group(1).strip()
    return text[:200]


class _Progress:
    """A ``tqdm`` bar named after the file, in the shape pooch drives a progress bar."""

    def __init__(self, desc, total=None):
        from tqdm import tqdm

        self.bar = tqdm(
            desc=desc,
            total=total,
            unit="B",
            unit_scale=True,
            ncols=79,
            leave=True,
            ascii=sys.platform == "win32",
        )

    def __bool__(self):
        return True

    @property
    def total(self):
        return self.bar.total

    @total.setter
    def total(self, value):
        self.bar.total = value or None

    def update(self, n):
        self.bar.update(n)

    def reset(self):
        self.bar.reset(total=self.bar.total)

    def close(self):
        if not self.bar.disable:
            self.bar.close()


def _sha256(fname):
    return pooch.file_hash(str(fname), alg="sha256")


@contextlib.contextmanager
def _pooch_quiet():
    """Keep pooch's own messages out (ours go through the package logger)."""
    plog = pooch.get_logger()
    old = plog.level
    plog.setLevel(max(logging.WARNING, old))
    try:
        yield
    finally:
        plog.setLevel(old)


def _fetch_sums(root, base_url, progressbar, download):
    """Return (path of SHA256SUMS.txt in the cache, whether it was downloaded now)."""
    sums = root / SUMS_NAME
    if sums.is_file():
        return sums, False
    if not download:
        raise FileNotFoundError(
            f"{sums} is not in the cache: nothing of this dataset was fetched into "
            f"{root.parent.parent}. Fetch it first (download=True)."
        )
    url = base_url + SUMS_NAME
    downloader = _ResumingDownloader(Path(str(sums) + PARTIAL_SUFFIX), None, SUMS_NAME, progressbar)
    logger.info("Downloading %s into %s.", url, root)
    with _pooch_quiet():
        pooch.retrieve(url, None, fname=SUMS_NAME, path=root, downloader=downloader)
    try:
        read_sha256sums(sums)
    except ValueError as exc:
        sums.unlink(missing_ok=True)
        raise DownloadError(
            f"{url} is not a list of SHA-256 sums ({exc}); it was not kept. Check the base "
            f"URL: it must be the dataset's folder, holding {SUMS_NAME}.",
            url,
        ) from exc
    return sums, True


@dataclasses.dataclass(frozen=True)
class FetchedDataset:
    """The files of one subject of a dataset, in the cache and verified.

    Attributes
    ----------
    dataset : str
        ``"chbmit"`` or ``"eegmmidb"``.
    version : str
        PhysioNet's version of the dataset.
    subject : str
        The subject's folder name (``"chb01"``, ``"S001"``).
    root : pathlib.Path
        The dataset's folder in the cache (``<cache>/chbmit/1.0.0``).
    folder : pathlib.Path
        The subject's folder (``root / subject``).
    records : dict of str to pathlib.Path
        Each record fetched (``"chb01_03"``, ``"S001R03"``) and its EDF file,
        in the order asked for (name order for all of a subject's).
    files : tuple of pathlib.Path
        Every file fetched, ``SHA256SUMS.txt`` first.
    downloaded : tuple of pathlib.Path
        The files this call downloaded (the others were already there, with
        their published SHA-256).
    sums : pathlib.Path
        The dataset's ``SHA256SUMS.txt`` in the cache.
    summary : pathlib.Path | None
        The subject's ``chbNN-summary.txt`` (CHB-MIT), else None.
    """

    dataset: str
    version: str
    subject: str
    root: Path
    folder: Path
    records: dict[str, Path]
    files: tuple[Path, ...]
    downloaded: tuple[Path, ...]
    sums: Path
    summary: Path | None = None

    @property
    def downloaded_bytes(self) -> int:
        """int: Bytes this call downloaded."""
        return sum(p.stat().st_size for p in self.downloaded if p.is_file())


def _subjects(spec, sums):
    return sorted(
        {k.split("/", 1)[0] for k in sums if re.fullmatch(spec.subject_pattern, k.split("/")[0])}
    )


def _subject_records(sums, subject):
    return sorted(
        k.split("/", 1)[1].removesuffix(".edf")
        for k in sums
        if k.startswith(subject + "/") and k.endswith(".edf") and k.count("/") == 1
    )


def _choose_records(spec, subject, available, records, sums_path):
    if records is None:
        return list(available)
    if isinstance(records, str):
        records = records.split(",")
    chosen = []
    for token in records:
        token = str(token)
        if not token.strip():
            continue
        name = spec.record_name(subject, token)
        if name not in available:
            shown = ", ".join(available[:6]) + (" ..." if len(available) > 6 else "")
            raise ValueError(
                f"{spec.name} {spec.version} subject {subject} has no {spec.record_word} "
                f"{token!r} ({name}.edf); {sums_path} lists {len(available)}: {shown}. Pass "
                f"{spec.record_word} numbers such as {spec.record_example}."
            )
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ValueError(f"No {spec.record_word}s given for {spec.name} subject {subject}.")
    return chosen


def _record_files(sums, subject, record):
    """Return the published files of one record: its EDF and companions (``.edf.seizures``)."""
    prefix = f"{subject}/{record}.edf"
    return sorted(k for k in sums if k == prefix or k.startswith(prefix + "."))


def fetch_dataset(
    dataset: str,
    subject: str | int,
    records: Sequence[str | int] | str | None = None,
    *,
    seizures_only: bool = False,
    path: str | os.PathLike | None = None,
    base_url: str | None = None,
    download: bool = True,
    progressbar: bool = False,
) -> FetchedDataset:
    """Download one subject's recordings of a dataset into the cache, verified.

    Parameters
    ----------
    dataset : str
        ``"chbmit"`` or ``"eegmmidb"``.
    subject : str | int
        The subject (see :func:`subject_name`): ``"chb01"`` or ``1``.
    records : sequence of str or int | str | None
        The records (CHB-MIT: ``"03"`` or ``"chb01_03"``) or runs (EEGMMIDB:
        ``3`` or ``"S001R03"``) to fetch, or one comma-separated string.
        None (default): all of the subject's.
    seizures_only : bool
        CHB-MIT: of those, only the records the subject's summary lists a
        seizure in.
    path : path-like | None
        The cache folder; None (default): :func:`default_dataset_dir`. Files
        go to ``<path>/<dataset>/<version>/``, laid out as on PhysioNet.
    base_url : str | None
        A mirror of the dataset's folder (the one holding ``SHA256SUMS.txt``);
        None (default) is PhysioNet's (:func:`dataset_base_url`).
    download : bool
        Whether to download what is missing (default). With False the files
        must already be in the cache.
    progressbar : bool
        Show a progress bar per download on standard error (through ``tqdm``).

    Returns
    -------
    fetched : FetchedDataset
        The files in the cache, and which of them this call downloaded.

    Raises
    ------
    ChecksumMismatchError
        If a downloaded file's SHA-256 differs from the published one (nothing
        is kept under its name).
    DownloadInterruptedError
        If a download stopped before its end (what arrived is kept as
        ``<name>.part`` and the next call resumes from it).
    RemoteFileNotFoundError
        If the server has no file at a URL (HTTP 404).
    DownloadError
        If the server refused a download or could not be reached.
    FileNotFoundError
        If ``download`` is False and a file is not in the cache.
    ValueError
        If the dataset, subject or a record is not one the dataset lists.

    Notes
    -----
    ``SHA256SUMS.txt`` is downloaded once, into the cache, and every file is
    checked against it; a file already in the cache is hashed and kept when
    it matches (downloaded again when it does not). A second call with the
    same arguments downloads nothing.
    """
    spec = _dataset(dataset)
    subject = spec.subject_name(str(subject))
    root = _dataset_root(spec, path)
    url = dataset_base_url(spec.name, base_url)
    sums_path, sums_new = _fetch_sums(root, url, progressbar, download)
    sums = read_sha256sums(sums_path)
    subjects = _subjects(spec, sums)
    if subject not in subjects:
        shown = subjects if len(subjects) <= 5 else [*subjects[:3], "...", subjects[-1]]
        raise ValueError(
            f"{spec.name} {spec.version} has no subject {subject}: {sums_path} lists "
            f"{len(subjects)} ({', '.join(shown)})."
        )
    available = _subject_records(sums, subject)
    chosen = _choose_records(spec, subject, available, records, sums_path)
    extra = [f.format(subject=subject) for f in spec.subject_files]
    extra = [f for f in extra if f in sums]
    pup = pooch.create(
        path=root, base_url=url, registry={k: f"sha256:{v}" for k, v in sums.items()}
    )
    downloaded = [sums_path] if sums_new else []
    fetched = [sums_path]

    def get(fname):
        target = root / fname
        if not download:
            if not target.is_file():
                raise FileNotFoundError(
                    f"{target} is not in the cache. Fetch {spec.name} subject {subject} first "
                    f"(download=True)."
                )
            got = _sha256(target)
            if got != sums[fname]:
                raise ChecksumMismatchError(
                    f"{target} does not match its published SHA-256 ({sums_path}): expected "
                    f"{sums[fname]}, got {got}. Fetch it again (download=True) to replace it.",
                    None,
                    target,
                    expected=sums[fname],
                    got=got,
                )
            fetched.append(target)
            return target
        downloader = _ResumingDownloader(
            Path(str(target) + PARTIAL_SUFFIX), sums[fname], fname, progressbar
        )
        actions = []

        def note(p, action, _pooch):
            actions.append(action)
            return p

        if target.is_file():
            logger.debug("%s is in the cache; checking its SHA-256.", target)
        with _pooch_quiet():
            pup.fetch(fname, processor=note, downloader=downloader)
        if actions and actions[0] == "update":
            logger.warning(
                "%s in the cache did not match its published SHA-256; downloaded it again.",
                target,
            )
        if actions and actions[0] in ("download", "update"):
            logger.info("Downloaded %s (%d bytes).", fname, target.stat().st_size)
            downloaded.append(target)
        fetched.append(target)
        return target

    summary = None
    for fname in extra:
        path_ = get(fname)
        if fname.endswith("-summary.txt"):
            summary = path_
    if seizures_only:
        if summary is None:
            raise ValueError(
                f"seizures_only needs the subject's seizure summary; {spec.name} subject "
                f"{subject} has none in {sums_path}."
            )
        with_seizures = {name for name, ann in read_chbmit_summary(summary).items() if len(ann)}
        chosen = [r for r in chosen if r in with_seizures]
        if not chosen:
            raise ValueError(
                f"{summary} lists no seizure in the {spec.record_word}s asked for; leave out "
                f"seizures_only, or ask for other {spec.record_word}s."
            )
    record_paths = {}
    for record in chosen:
        for fname in _record_files(sums, subject, record):
            target = get(fname)
            if fname.endswith(".edf"):
                record_paths[record] = target
    return FetchedDataset(
        dataset=spec.name,
        version=spec.version,
        subject=subject,
        root=root,
        folder=root / subject,
        records=record_paths,
        files=tuple(fetched),
        downloaded=tuple(downloaded),
        sums=sums_path,
        summary=summary,
    )


# ---------------------------------------------------------------------------
# CHB-MIT seizure summaries

_FILE_NAME = re.compile(r"^File\s+Name\s*:\s*(\S+)\s*$", re.IGNORECASE)
_N_SEIZURES = re.compile(r"^Number\s+of\s+Seizures\s+in\s+File\s*:\s*(\d+)\s*$", re.IGNORECASE)
_SEIZURE_TIME = re.compile(
    r"^Seizure(?:\s*(\d+))?\s+(Start|End)\s+Time\s*:\s*(\d+(?:\.\d*)?)\s*(?:s|secs?|seconds)?\s*$",
    re.IGNORECASE,
)


def parse_chbmit_summary(text: str, source: str = "the summary") -> dict[str, mne.Annotations]:
    """Parse a CHB-MIT ``chbNN-summary.txt`` into seizure annotations per record.

    Parameters
    ----------
    text : str
        The summary's text: per record a ``File Name: chb01_03.edf`` line,
        ``Number of Seizures in File: 1``, then for each seizure ``Seizure
        Start Time: 2996 seconds`` and ``Seizure End Time: 3036 seconds``
        (later cases write ``Seizure 1 Start Time:``).
    source : str
        What the text is (a file name), for the error messages.

    Returns
    -------
    annotations : dict of str to mne.Annotations
        For each record of the summary (``"chb01_03"``, in the summary's
        order) its seizures as annotations described ``'seizure'``, with onset
        and duration in seconds from the record's start; empty for a record
        without seizures.

    Raises
    ------
    ValueError
        If a seizure has a start without an end (or ends before it starts),
        a time comes before any ``File Name:`` line, or the number of
        seizures differs from the ``Number of Seizures in File`` line; naming
        the source, the line and the record.
    """
    import mne

    records: dict[str, list] = {}
    declared: dict[str, tuple[int, int]] = {}
    current = None
    pending = None  # (start, line number)
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if m := _FILE_NAME.match(line):
            _check_record_done(source, current, records, declared, pending)
            current = m.group(1).removesuffix(".edf")
            records[current] = []
            pending = None
            continue
        if m := _N_SEIZURES.match(line):
            if current is None:
                raise ValueError(
                    f"{source} line {number}: a number of seizures before any 'File Name:'."
                )
            declared[current] = (int(m.group(1)), number)
            continue
        if m := _SEIZURE_TIME.match(line):
            if current is None:
                raise ValueError(f"{source} line {number}: a seizure time before any 'File Name:'.")
            kind, value = m.group(2).lower(), float(m.group(3))
            if kind == "start":
                if pending is not None:
                    raise ValueError(
                        f"{source} line {number}: {current} has a seizure start without an "
                        f"end before it (line {pending[1]})."
                    )
                pending = (value, number)
            else:
                if pending is None:
                    raise ValueError(
                        f"{source} line {number}: {current} has a seizure end without a start."
                    )
                if value <= pending[0]:
                    raise ValueError(
                        f"{source} line {number}: {current}'s seizure ends at {value:g} s, not "
                        f"after its start at {pending[0]:g} s (line {pending[1]})."
                    )
                records[current].append((pending[0], value - pending[0]))
                pending = None
    _check_record_done(source, current, records, declared, pending)
    if not records:
        raise ValueError(f"{source} names no record ('File Name: chb01_01.edf' lines).")
    out = {}
    for name, seizures in records.items():
        onsets = [s[0] for s in seizures]
        durations = [s[1] for s in seizures]
        out[name] = mne.Annotations(onsets, durations, ["seizure"] * len(seizures))
    return out


def _check_record_done(source, current, records, declared, pending):
    if current is None:
        return
    if pending is not None:
        raise ValueError(
            f"{source} line {pending[1]}: {current} has a seizure start without an end."
        )
    if current in declared and declared[current][0] != len(records[current]):
        n, line = declared[current]
        raise ValueError(
            f"{source} line {line}: {current} declares {n} seizures but gives the times of "
            f"{len(records[current])}."
        )


def read_chbmit_summary(fname: str | os.PathLike) -> dict[str, mne.Annotations]:
    """Read a CHB-MIT ``chbNN-summary.txt`` file (see :func:`parse_chbmit_summary`).

    Parameters
    ----------
    fname : path-like
        The summary file.

    Returns
    -------
    annotations : dict of str to mne.Annotations
        Each record's seizures, described ``'seizure'``.
    """
    fname = Path(fname)
    return parse_chbmit_summary(fname.read_text(encoding="latin-1"), source=repr(str(fname)))


def _with_seizures(raw, annotations, name):
    """Add a record's seizure annotations to its recording (in place) and return it."""
    import mne

    if not len(annotations):
        return raw
    end = raw.times[-1] + 1.0 / raw.info["sfreq"]
    outside = [
        (o, o + d) for o, d in zip(annotations.onset, annotations.duration) if o + d > end + 1e-6
    ]
    if outside:
        logger.warning(
            "%s: the summary's seizure(s) %s end after the recording (%g s); cut at its end.",
            name,
            ", ".join(f"{a:g}-{b:g} s" for a, b in outside),
            end,
        )
    seizures = mne.Annotations(
        annotations.onset,
        annotations.duration,
        annotations.description,
        orig_time=raw.annotations.orig_time,
    )
    raw.set_annotations(raw.annotations + seizures, emit_warning=False, verbose="error")
    return raw


def load_chbmit(
    subject: str | int,
    records: Sequence[str | int] | str | None = None,
    *,
    seizures_only: bool = False,
    path: str | os.PathLike | None = None,
    base_url: str | None = None,
    download: bool = True,
    progressbar: bool = False,
    preload: bool = True,
) -> list[tuple[str, mne.io.BaseRaw]]:
    """Fetch CHB-MIT records and read them with their seizures annotated.

    Parameters
    ----------
    subject : str | int
        The case: ``"chb01"`` or ``1``.
    records : sequence of str or int | str | None
        Records (``"03"``, ``"chb01_03"``); None (default): all of the case's.
    seizures_only : bool
        Only the records with a seizure in the summary.
    path, base_url, download, progressbar
        As for :func:`fetch_dataset`.
    preload : bool
        Load the data into memory (as :func:`acquisition.read_raw`).

    Returns
    -------
    records : list of (str, mne.io.Raw)
        Each record's name (``"chb01_03"``) and recording, read by
        :func:`acquisition.read_raw`, with the summary's seizures added as
        annotations described ``'seizure'`` (onset and duration in seconds).
    """
    from .io import read_raw

    fetched = fetch_dataset(
        "chbmit",
        subject,
        records,
        seizures_only=seizures_only,
        path=path,
        base_url=base_url,
        download=download,
        progressbar=progressbar,
    )
    if fetched.summary is None:
        logger.warning(
            "%s has no seizure summary in %s: its records are read without seizure annotations.",
            fetched.subject,
            fetched.sums,
        )
    seizures = read_chbmit_summary(fetched.summary) if fetched.summary else {}
    out = []
    for name, fname in fetched.records.items():
        raw = read_raw(fname, preload=preload)
        if fetched.summary is not None and name not in seizures:
            logger.warning(
                "%s is not in %s: read without seizure annotations.", name, fetched.summary
            )
        out.append((name, _with_seizures(raw, seizures.get(name, ()), name)))
    return out


def load_eegmmidb(
    subject: str | int,
    runs: Sequence[str | int] | str | None = None,
    *,
    path: str | os.PathLike | None = None,
    base_url: str | None = None,
    download: bool = True,
    progressbar: bool = False,
    preload: bool = True,
) -> list[tuple[str, mne.io.BaseRaw]]:
    """Fetch EEGMMIDB runs and read them.

    Parameters
    ----------
    subject : str | int
        The subject: ``1`` or ``"S001"``.
    runs : sequence of str or int | str | None
        Runs (``3``, ``"R03"``, ``"S001R03"``); None (default): all 14.
    path, base_url, download, progressbar
        As for :func:`fetch_dataset`.
    preload : bool
        Load the data into memory (as :func:`acquisition.read_raw`).

    Returns
    -------
    records : list of (str, mne.io.Raw)
        Each run's name (``"S001R03"``) and recording with its own EDF+
        annotations (``T0`` rest, ``T1``/``T2`` the cues).
    """
    from .io import read_raw

    fetched = fetch_dataset(
        "eegmmidb",
        subject,
        runs,
        path=path,
        base_url=base_url,
        download=download,
        progressbar=progressbar,
    )
    return [(name, read_raw(fname, preload=preload)) for name, fname in fetched.records.items()]


# ---------------------------------------------------------------------------
# CHB-MIT seizure excerpts, laid out as the seizure evaluation reads them


def _excerpt_windows(seizures, before):
    """(start, stop, onset, offset) of each seizure's excerpt, in record seconds."""
    windows = []
    previous_end = 0.0
    for onset, duration in sorted(zip(seizures.onset, seizures.duration)):
        offset = onset + duration
        # Never reach back into the previous seizure: one seizure per excerpt.
        start = max(0.0, onset - before, previous_end)
        windows.append((start, offset, onset, offset))
        previous_end = offset
    return windows


def _write_edf(raw, fname):
    """Export ``raw`` as EDF+ to ``fname`` through a temporary file and a rename."""
    import mne

    tmp = fname.parent.parent / f".{fname.stem}.writing.edf"
    try:
        mne.export.export_raw(tmp, raw, fmt="edf", overwrite=True, verbose="error")
        os.replace(tmp, fname)
    finally:
        tmp.unlink(missing_ok=True)


def chbmit_seizure_excerpts(
    subject: str | int,
    *,
    before: float = 10.0,
    records: Iterable[str | int] | None = None,
    path: str | os.PathLike | None = None,
    base_url: str | None = None,
    download: bool = True,
    progressbar: bool = False,
) -> Path:
    """Fetch a CHB-MIT case's seizure records and cut one EDF+ excerpt per seizure.

    Each excerpt holds the ``before`` seconds before a seizure (less when the
    record or the previous seizure begins later) and the whole seizure,
    annotated ``'seizure'``, as the bundled excerpts of chb01 do. The folder
    returned is laid out as :func:`models.evaluation.seizure.load_chbmit_seizures`
    reads a CHB-MIT folder (``edf/<record>_<start>-<stop>s.edf``), with a
    ``manifest.json`` giving each excerpt's place in its record.

    Parameters
    ----------
    subject : str | int
        The case: ``"chb01"`` or ``1``.
    before : float
        Seconds of EEG kept before each seizure's onset.
    records : iterable of str or int | None
        Records to take seizures from; None (default): every record with a
        seizure in the case's summary.
    path, base_url, download, progressbar
        As for :func:`fetch_dataset`.

    Returns
    -------
    folder : pathlib.Path
        ``<cache>/chbmit/1.0.0/excerpts/<case>-before<before>s``, holding
        ``edf/`` and ``manifest.json``. Excerpts already there are kept (they
        are written through a temporary file and a rename).
    """
    from .io import read_raw

    if isinstance(before, bool) or not isinstance(before, numbers.Real) or not 0 <= before < 1e9:
        raise ValueError(f"before must be a number of seconds >= 0, got {before!r}.")
    fetched = fetch_dataset(
        "chbmit",
        subject,
        None if records is None else list(records),
        seizures_only=True,
        path=path,
        base_url=base_url,
        download=download,
        progressbar=progressbar,
    )
    seizures = read_chbmit_summary(fetched.summary)
    folder = fetched.root / "excerpts" / f"{fetched.subject}-before{before:g}s"
    edf_dir = folder / "edf"
    edf_dir.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name, source in fetched.records.items():
        raw = None
        for start, stop, onset, offset in _excerpt_windows(seizures[name], before):
            fname = edf_dir / f"{name}_{start:g}-{stop:g}s.edf"
            manifest.append(
                {
                    "file": fname.name,
                    "source_record": source.name,
                    "excerpt_start_s": start,
                    "excerpt_end_s": stop,
                    "seizure_onset_in_file_s": onset - start,
                    "seizure_offset_in_file_s": offset - start,
                    "seizure_in_original_record_s": [onset, offset],
                }
            )
            if fname.is_file():
                logger.debug("%s is already cut.", fname)
                continue
            if raw is None:
                raw = _with_seizures(read_raw(source, preload=False), seizures[name], name)
            end = raw.times[-1] + 1.0 / raw.info["sfreq"]
            excerpt = raw.copy().crop(start, min(stop, end), include_tmax=False)
            excerpt.load_data(verbose="error")
            # A seizure ending where the excerpt starts is kept by crop as a sliver: drop it.
            slivers = [
                i
                for i, (desc, duration) in enumerate(
                    zip(excerpt.annotations.description, excerpt.annotations.duration)
                )
                if desc == "seizure" and duration < 1.0 / raw.info["sfreq"]
            ]
            excerpt.annotations.delete(slivers)
            _write_edf(excerpt, fname)
            logger.info("Cut %s (%g-%g s of %s).", fname, start, stop, source.name)
    tmp = folder / ".manifest.json.writing"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, folder / "manifest.json")
    return folder
