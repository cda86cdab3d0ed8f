"""Files out: every text file the task level writes goes through :func:`write_atomic`."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(fname: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``fname`` through a temporary file and an atomic rename.

    The temporary file sits in the target's folder, is flushed to disk before
    the rename, and is removed if anything fails: the target is either the old
    file or the new one, never half written.

    Parameters
    ----------
    fname : path-like
        The file to write (replaced if it exists).
    text : str
        Its content, written as UTF-8 without newline translation.

    Returns
    -------
    fname : pathlib.Path
        The file written.
    """
    fname = Path(fname)
    fd, tmp = tempfile.mkstemp(dir=fname.parent, prefix=f".{fname.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fid:
            fid.write(text)
            fid.flush()
            os.fsync(fid.fileno())
        os.replace(tmp, fname)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return fname


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Tell whether two paths name one file (through links and ``..`` too).

    Parameters
    ----------
    a, b : path-like
        The paths; either may not exist yet.

    Returns
    -------
    same : bool
        True if they resolve to the same path, or are the same existing file.
    """
    a, b = Path(a).expanduser(), Path(b).expanduser()
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(
    fname: str | os.PathLike,
    option: str,
    *,
    keep: dict | None = None,
    overwrite: bool = False,
) -> Path:
    """Check, before any work, that a command may write ``fname``.

    Parameters
    ----------
    fname : path-like
        The file the command will write.
    option : str
        The option that named it, as the command line spells it (``'--out'``),
        for the messages.
    keep : dict of str to path-like | None
        Files that must never be written over, by what they are (``{'the
        input recording': path, 'the alert store': db}``): refused even with
        ``overwrite``.
    overwrite : bool
        Whether an existing file (not one of ``keep``) may be replaced.

    Returns
    -------
    fname : pathlib.Path
        The path, with ``~`` expanded.

    Raises
    ------
    ValueError
        If ``fname`` is one of ``keep`` (or the same file under another name),
        a folder, in a folder that does not exist or cannot be written, or
        exists without ``overwrite``. The message names ``option`` and the
        path as given.
    """
    given = os.fspath(fname)
    path = Path(given).expanduser()
    for what, other in (keep or {}).items():
        if other is None:
            continue
        if same_file(path, other):
            raise ValueError(
                f"{option} {given} is {what}; it is never written over. Choose another file."
            )
    if path.is_dir():
        raise ValueError(f"{option} {given} is a folder; give the name of a file in it.")
    parent = path.parent
    if not parent.is_dir():
        raise ValueError(
            f"{option} {given}: the folder {parent} does not exist. Create it first or "
            "choose another path."
        )
    if not os.access(parent, os.W_OK):
        raise ValueError(f"{option} {given}: the folder {parent} cannot be written to.")
    if path.exists() and not overwrite:
        raise ValueError(f"{option} {given} exists. Pass --overwrite to replace it.")
    return path
