"""liblsl's configuration and the lazy import of :mod:`mne_lsl.lsl`.

Nothing here loads liblsl at import time: :func:`_lsl` imports it on first
use, after quieting liblsl's own logging (:func:`configure_lsl`) unless
``LSLAPICFG`` is set already.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from .._checks import _check_int
from .._logging import logger

_LSL_CONFIG = {"path": None}

#: Discovery addresses of the ``'machine'`` scope: liblsl's IPv4 multicast group
#: and its interface-local IPv6 group (sent with TTL 0: never off this computer).
_MACHINE_ADDRESSES = ("239.255.172.215", "FF31:113D:6FDD:2C17:A643:FFE2:1BD1:3CD2")

_RESOLVE_SCOPES = (None, "machine", "link", "site", "organization", "global")


def configure_lsl(
    *,
    log_level: int = -3,
    resolve_scope: str | None = None,
    fname: str | os.PathLike | None = None,
    force: bool = False,
) -> Path | None:
    """Write a liblsl configuration file and point ``LSLAPICFG`` at it.

    liblsl reads its configuration once, when it is loaded, so call this
    before the first LSL object is made (the first
    :class:`~acquisition.stream.LSLSource` or
    :class:`~acquisition.stream.FileReplay` calls it with the defaults when
    ``LSLAPICFG`` is not set). Child processes (a
    :class:`~acquisition.stream.FileReplay` with ``process=True``) inherit
    it.

    Parameters
    ----------
    log_level : int
        liblsl's ``[log] level``: ``-3`` (default) logs only fatal errors,
        ``-2`` errors, ``-1`` warnings, ``0`` information (liblsl's default,
        which writes a few lines to stderr on every connection).
    resolve_scope : str | None
        liblsl's ``[multicast] ResolveScope``: ``'machine'``, ``'link'``,
        ``'site'``, ``'organization'`` or ``'global'``. ``'machine'`` keeps stream
        discovery on this computer (tests); None keeps liblsl's default
        (``'site'``), needed for devices on other machines. With
        ``'machine'`` the discovery addresses are two multicast groups that
        liblsl sends to with a TTL of 0 (they never leave the computer),
        without liblsl's default unicast ``127.0.0.1``: a unicast query
        reaches only one of the processes listening on the port, so with
        several processes using LSL at once some streams would not be
        found.
    fname : path-like | None
        Where to write the file; by default a file in the temporary folder.
    force : bool
        Replace an ``LSLAPICFG`` that is already set.

    Returns
    -------
    fname : pathlib.Path | None
        The file in force, or None when ``LSLAPICFG`` was set already and
        ``force`` is False (the existing setting is kept).
    """
    if os.environ.get("LSLAPICFG") and not force:
        return None
    log_level = _check_int(log_level, "log_level", minimum=-9)
    if resolve_scope not in _RESOLVE_SCOPES:
        raise ValueError(
            f"resolve_scope must be None, 'machine', 'link', 'site', 'organization' or "
            f"'global', got {resolve_scope!r}."
        )
    lines = ["[log]", f"level = {log_level}"]
    if resolve_scope is not None:
        lines += ["[multicast]", f"ResolveScope = {resolve_scope}"]
        if resolve_scope == "machine":
            lines.append(f"MachineAddresses = {{{', '.join(_MACHINE_ADDRESSES)}}}")
    if fname is None:
        tag = f"{log_level}-{resolve_scope or 'default'}"
        user = getattr(os, "getuid", lambda: "user")()
        fname = Path(tempfile.gettempdir()) / f"neucube-lsl-{user}-{tag}.cfg"
    fname = Path(fname)
    text = "\n".join(lines) + "\n"
    if not fname.is_file() or fname.read_text() != text:
        tmp = fname.with_name(f"{fname.name}.{os.getpid()}.part")
        tmp.write_text(text)
        os.replace(tmp, fname)
    if "mne_lsl.lsl" in sys.modules:
        logger.warning(
            "configure_lsl: liblsl is loaded already; the new configuration %s applies "
            "to new processes only.",
            fname,
        )
    os.environ["LSLAPICFG"] = str(fname)
    _LSL_CONFIG["path"] = fname
    return fname


def _lsl() -> ModuleType:
    """Import :mod:`mne_lsl.lsl` (quieting liblsl first if nobody configured it)."""
    if "mne_lsl.lsl" not in sys.modules and not os.environ.get("LSLAPICFG"):
        configure_lsl()
    import mne_lsl.lsl

    return mne_lsl.lsl


def local_clock() -> float:
    """Return LSL's clock (seconds): the clock of LSL timestamps on this machine.

    Returns
    -------
    now : float
        :func:`mne_lsl.lsl.local_clock`.
    """
    return _lsl().local_clock()
