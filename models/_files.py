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
