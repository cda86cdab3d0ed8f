"""Many recordings at once: files, folders, glob patterns and BIDS datasets.

:func:`find_recordings` turns what a user names (``rec.edf``, ``archive/``,
``'archive/chb*/*.edf'``, a BIDS dataset root) into the list of EEG files to
run over, each once, in a stable order. A folder is searched with its
subfolders for the extensions :func:`acquisition.read_raw` reads
(:data:`acquisition.io.SUPPORTED_EXTENSIONS`); a folder holding a
``dataset_description.json`` is a BIDS dataset, searched through
:func:`mne_bids.find_matching_paths` (its ``eeg`` recordings, filtered by
subject, session and task), and each recording keeps its BIDS entities so
that what is written about it can be named after them.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ._logging import logger
from .io import SUPPORTED_EXTENSIONS

#: The file that makes a folder a BIDS dataset root.
BIDS_DESCRIPTION = "dataset_description.json"

#: The BIDS entities kept with a recording found in a dataset, in filename order.
BIDS_ENTITIES = (
    "subject",
    "session",
    "task",
    "acquisition",
    "run",
    "processing",
    "recording",
    "split",
    "description",
)

# Extensions a BIDS EEG recording may have that read_raw reads (channels.tsv,
# the BrainVision .eeg and .vmrk, EEGLAB's .fdt are companions, not recordings).
_BIDS_EXTENSIONS = (".edf", ".bdf", ".vhdr", ".set", ".fif")
# The second and later parts of a split FIF file: MNE reads them with the first.
_FIF_PART = re.compile(r"^(?P<base>.+)-(?P<part>[1-9]\d*)\.fif(\.gz)?$", re.IGNORECASE)
_GLOB_MAGIC = re.compile(r"[*?[]")


@dataclass(frozen=True)
class RecordingFile:
    """One recording found by :func:`find_recordings`.

    Parameters
    ----------
    path : pathlib.Path
        The file, absolute with links resolved: the recording's identity.
    given : str
        The file as the user would name it (the folder or pattern they gave,
        joined with the file's path inside it), for messages.
    entities : dict of str to str
        Its BIDS entities (``{'subject': '01', 'task': 'rest'}``) when it was
        found in a BIDS dataset, else empty.
    bids_root : pathlib.Path | None
        The BIDS dataset it belongs to, or None.
    """

    path: Path
    given: str
    entities: dict = field(default_factory=dict, compare=False)
    bids_root: Path | None = field(default=None, compare=False)

    @property
    def is_bids(self) -> bool:
        """bool: Whether it was found in a BIDS dataset."""
        return self.bids_root is not None

    @property
    def stem(self) -> str:
        """str: The file name without its EEG extension (``'chb01_03'``).

        For a BIDS recording, the name its derivatives carry: its entities
        without the ``_eeg`` suffix (``'sub-01_ses-1_task-rest_run-1'``).
        """
        if self.is_bids and self.entities:
            return bids_basename(self.entities)
        return eeg_stem(self.path.name)


def eeg_stem(name: str) -> str:
    """Return a file name without its EEG extension (any case), or without its last suffix.

    Parameters
    ----------
    name : str
        A file name (``'chb01_03.edf'``, ``'run.fif.gz'``).

    Returns
    -------
    stem : str
        ``'chb01_03'``, ``'run'``.
    """
    lower = name.lower()
    for ext in sorted(SUPPORTED_EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ext) and len(name) > len(ext):
            return name[: -len(ext)]
    return Path(name).stem


def bids_basename(entities: dict) -> str:
    """Return the BIDS file name stem of a recording's entities, without suffix.

    Parameters
    ----------
    entities : dict of str to str
        BIDS entities by their long names (``subject``, ``session``, ...).

    Returns
    -------
    basename : str
        ``'sub-01_ses-1_task-rest_run-1'``.
    """
    short = {
        "subject": "sub",
        "session": "ses",
        "task": "task",
        "acquisition": "acq",
        "run": "run",
        "processing": "proc",
        "recording": "rec",
        "split": "split",
        "description": "desc",
    }
    return "_".join(
        f"{short[key]}-{entities[key]}"
        for key in BIDS_ENTITIES
        if entities.get(key) not in (None, "")
    )


def is_eeg_file(name: str | os.PathLike) -> bool:
    """Tell whether a file name has one of the extensions :func:`acquisition.read_raw` reads.

    Parameters
    ----------
    name : path-like
        A file name or path.

    Returns
    -------
    eeg : bool
        True for ``.edf``, ``.bdf``, ``.gdf``, ``.fif``, ``.fif.gz``, ``.vhdr``
        and ``.set`` (any case).
    """
    base = os.path.basename(os.fspath(name)).lower()
    return any(base.endswith(ext) and len(base) > len(ext) for ext in SUPPORTED_EXTENSIONS)


def is_bids_root(path: str | os.PathLike) -> bool:
    """Tell whether a folder is a BIDS dataset root (it holds ``dataset_description.json``).

    Parameters
    ----------
    path : path-like
        A folder.

    Returns
    -------
    bids : bool
        True if ``path`` is a folder holding a ``dataset_description.json``.
    """
    path = Path(os.fspath(path)).expanduser()
    return os.path.isdir(path) and os.path.isfile(path / BIDS_DESCRIPTION)


def is_glob(text: str) -> bool:
    """Tell whether ``text`` is a glob pattern (holds ``*``, ``?`` or ``[``).

    Parameters
    ----------
    text : str
        A path or a pattern.

    Returns
    -------
    pattern : bool
        True if it holds a glob character.
    """
    return bool(_GLOB_MAGIC.search(text))


def _resolve(path):
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # a link loop: keep the path as given
        return Path(os.path.abspath(path))


def _walk(folder, given, exclude):
    """Yield (path, given) of every EEG file under ``folder``, sorted, skipping hidden entries."""
    for top, dirs, files in os.walk(folder):
        here = Path(top)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and _resolve(here / d) not in exclude
        )
        names = {f.lower() for f in files}
        for name in sorted(files):
            if name.startswith(".") or not is_eeg_file(name):
                continue
            part = _FIF_PART.match(name)
            if part and any(f"{part['base'].lower()}{ext}" in names for ext in (".fif", ".fif.gz")):
                continue  # a later part of a split FIF file, read with its first part
            rel = os.path.relpath(here / name, folder)
            yield here / name, os.path.join(given, rel)


def _bids_filter(values, prefix):
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    out = []
    for v in values:
        text = str(v)
        if text.startswith(f"{prefix}-"):
            text = text[len(prefix) + 1 :]
        out.append(text)
    return out or None


def _find_bids(root, given, subjects, sessions, tasks):
    """Yield (path, given, entities) of the EEG recordings of a BIDS dataset, filtered."""
    import mne_bids

    found = mne_bids.find_matching_paths(
        root,
        subjects=subjects,
        sessions=sessions,
        tasks=tasks,
        datatypes="eeg",
        suffixes="eeg",
        extensions=list(_BIDS_EXTENSIONS),
        ignore_json=True,
        ignore_nosub=True,
    )
    rows = []
    for bp in found:
        fpath = Path(bp.fpath)
        if not fpath.is_file():
            continue
        entities = {k: str(bp.entities[k]) for k in BIDS_ENTITIES if bp.entities.get(k)}
        if entities.get("split") not in (None, "01", "1"):
            continue  # a later part of a split recording
        rows.append((fpath, os.path.join(given, os.path.relpath(fpath, root)), entities))
    rows.sort(key=lambda r: str(r[0]))
    if not rows:
        raise ValueError(_no_bids_match(root, given, subjects, sessions, tasks))
    return rows


def _no_bids_match(root, given, subjects, sessions, tasks):
    import mne_bids

    asked = [
        f"{name} {', '.join(values)}"
        for name, values in (("subject", subjects), ("session", sessions), ("task", tasks))
        if values
    ]
    if not asked:
        return (
            f"The BIDS dataset {given} holds no EEG recording (no sub-*/[ses-*/]eeg/*_eeg "
            f"file with extension {', '.join(_BIDS_EXTENSIONS)}). Check that it is the "
            "dataset's root folder."
        )
    there = []
    for key, values in (("subject", subjects), ("session", sessions), ("task", tasks)):
        if values:
            vals = mne_bids.get_entity_vals(root, key)
            there.append(f"{key}s {', '.join(vals) if vals else '(none)'}")
    return (
        f"No EEG recording in the BIDS dataset {given} matches {'; '.join(asked)}. It holds "
        f"{'; '.join(there)}. Choose among those."
    )


def find_recordings(
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    subjects: str | Sequence[str] | None = None,
    sessions: str | Sequence[str] | None = None,
    tasks: str | Sequence[str] | None = None,
    exclude: Iterable[str | os.PathLike] = (),
) -> list[RecordingFile]:
    """Expand files, folders, glob patterns and BIDS datasets into EEG recordings.

    Parameters
    ----------
    inputs : path-like | iterable of path-like
        What to run over, each one of:

        - a file: kept as it is, whatever its extension (reading it says
          whether it is a recording);
        - a folder: every file under it (subfolders too, hidden ones left
          out) whose extension is one :func:`acquisition.read_raw` reads;
        - a BIDS dataset root (a folder holding ``dataset_description.json``):
          its EEG recordings (``sub-*/[ses-*/]eeg/*_eeg.*``), filtered by
          ``subjects``, ``sessions`` and ``tasks``;
        - a glob pattern (``'archive/**/*.edf'``; ``**`` matches any number of
          folders): the EEG files it matches, and the recordings in the
          folders it matches.
    subjects, sessions, tasks : str | sequence of str | None
        Keep only the BIDS recordings of these subjects, sessions, tasks
        (``'01'`` or ``'sub-01'``); None keeps all. They apply to BIDS
        datasets only.
    exclude : iterable of path-like
        Folders not to search (where outputs are written, so that a second
        run does not take them for recordings).

    Returns
    -------
    recordings : list of RecordingFile
        Each file once (the first time it is found), in the order of
        ``inputs``, each folder's files sorted by path.

    Raises
    ------
    FileNotFoundError
        If an input is neither an existing file or folder nor a glob pattern.
    ValueError
        If a folder, pattern or BIDS dataset yields no recording (the message
        says what was searched, and for a BIDS filter which subjects,
        sessions or tasks the dataset holds), or if a BIDS filter is given
        and no input is a BIDS dataset.

    Notes
    -----
    A BIDS recording is found through :mod:`mne_bids` (its entities, its
    filters, what is a recording and what a sidecar) and then read like any
    other file, with :func:`acquisition.read_raw`, rather than with
    :func:`mne_bids.read_raw_bids`: the detector uses the signals alone, so
    the sidecars' channel types, bad channels and events would change
    nothing it finds, while a sidecar at odds with its recording would fail
    a recording whose EEG is sound. Read this way, a recording gives the
    same result in a BIDS dataset as on its own, with the same errors
    naming the file (truncated, damaged, non-finite) and the same channel
    names, and it is stored under the same identity, its path.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    inputs = [os.fspath(i) for i in inputs]
    if not inputs:
        raise ValueError("No recording given: pass files, folders, glob patterns or a BIDS root.")
    subjects = _bids_filter(subjects, "sub")
    sessions = _bids_filter(sessions, "ses")
    tasks = _bids_filter(tasks, "task")
    filtered = subjects or sessions or tasks
    if filtered and not any(os.path.isdir(i) and is_bids_root(i) for i in inputs):
        raise ValueError(
            "subjects, sessions and tasks select recordings of a BIDS dataset, and none of "
            f"the inputs ({', '.join(inputs[:3])}{', ...' if len(inputs) > 3 else ''}) is a "
            f"BIDS dataset root (a folder holding {BIDS_DESCRIPTION}). Give the dataset's "
            "root folder."
        )
    exclude = {_resolve(Path(e).expanduser()) for e in exclude}
    found: dict[Path, RecordingFile] = {}

    def add(path, given, entities=None, root=None):
        key = _resolve(path)
        if key not in found:
            found[key] = RecordingFile(key, given, dict(entities or {}), root)

    def add_folder(folder, given, strict=True):
        folder = Path(folder).expanduser()
        if is_bids_root(folder):
            root = _resolve(folder)
            for path, name, entities in _find_bids(root, given, subjects, sessions, tasks):
                add(path, name, entities, root)
            return
        n = len(found)
        seen = 0
        for path, name in _walk(folder, given, exclude):
            seen += 1
            add(path, name)
        if not seen and strict:
            raise ValueError(
                f"{given} is a folder holding no EEG recording (searched it and its "
                f"subfolders for {', '.join(SUPPORTED_EXTENSIONS)}). Check the folder, or "
                "name the recordings."
            )
        logger.info("Found %d recording(s) in %s.", len(found) - n, given)

    for given in inputs:
        path = Path(given).expanduser()
        if os.path.isdir(path):
            add_folder(path, given)
        elif os.path.isfile(path):
            add(path, given)
        elif is_glob(given):
            matches = sorted(glob.glob(os.path.expanduser(given), recursive=True))
            n = len(found)
            for match in matches:
                if os.path.isdir(match):
                    add_folder(match, match, strict=False)
                elif os.path.isfile(match) and is_eeg_file(match):
                    add(Path(match), match)
            if len(found) == n and not any(_resolve(m) in found for m in matches):
                raise ValueError(
                    f"The pattern {given!r} matches no EEG recording"
                    + (f" ({len(matches)} other file(s))" if matches else "")
                    + f" (extensions {', '.join(SUPPORTED_EXTENSIONS)}). Check the pattern, "
                    "and quote it so that the shell does not expand it first."
                )
        else:
            where = ""
            if not path.is_absolute():
                where = f" (relative to the working directory {os.getcwd()!r})"
            raise FileNotFoundError(
                f"{given!r} does not exist{where}, and it is no glob pattern. Check the path "
                "and its spelling."
            )
    return list(found.values())
