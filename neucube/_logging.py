"""The package logger, its level, and progress bars that follow it.

Every package of the distribution logs through one hierarchy rooted at the
``"neucube"`` logger (``neucube.acquisition``, ``neucube.models``, ...), so
one call to :func:`set_log_level` governs all of them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # tqdm is imported when a bar is made
    from tqdm import tqdm

logger = logging.getLogger("neucube")

#: Level names :func:`set_log_level` accepts (any case); the standard
#: library's aliases (``'warn'``, ``'fatal'``, ``'notset'``) are not.
_LEVEL_NAMES = ("critical", "debug", "error", "info", "warning")

_LOGGED_ONCE: set = set()


def _resolve_level(verbose: bool | int | str | None) -> int:
    if verbose is None:
        return logging.WARNING
    if isinstance(verbose, bool):
        return logging.INFO if verbose else logging.WARNING
    if isinstance(verbose, int):
        return verbose
    if isinstance(verbose, str) and verbose.lower() in _LEVEL_NAMES:
        return logging.getLevelNamesMapping()[verbose.upper()]
    raise ValueError(
        f"verbose must be a bool, an int logging level or one of "
        f"{list(_LEVEL_NAMES)}, got {verbose!r}."
    )


def log_once(level: int, key: str, msg: str, *args: object) -> None:
    """Log a message the first time ``key`` is seen in this process.

    Parameters
    ----------
    level : int
        The :mod:`logging` level.
    key : str
        What makes the message a repeat: a later call with the same key
        logs nothing.
    msg : str
        The message, with ``%`` placeholders.
    *args
        Values for the placeholders.
    """
    if key in _LOGGED_ONCE:
        return
    _LOGGED_ONCE.add(key)
    logger.log(level, msg, *args)


class _StderrHandler(logging.StreamHandler):
    """A handler writing to ``sys.stderr`` as it is when a record is emitted.

    A handler bound to the stream of the moment would keep writing to a
    stream that was replaced (and perhaps closed) since: a redirection, a
    test's captured output.
    """

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def set_log_level(verbose: bool | int | str | None = None) -> int:
    """Set the level of the package logger.

    Parameters
    ----------
    verbose : bool | int | str | None
        ``True`` or ``"info"`` shows progress and what the pipeline decided,
        ``False``/``None`` or ``"warning"`` shows warnings only, ``"debug"``
        shows everything. An ``int`` is used as a :mod:`logging` level.

    Returns
    -------
    level : int
        The level now in force.
    """
    level = _resolve_level(verbose)
    logger.setLevel(level)
    if not any(getattr(h, "_neucube", False) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._neucube = True
        logger.addHandler(handler)
    return level


def progress(
    iterable: Iterable | None = None,
    *,
    desc: str | None = None,
    total: int | None = None,
    unit: str = "it",
    log: logging.Logger | None = None,
) -> tqdm:
    """Wrap an iterable in a progress bar shown only at INFO level or lower.

    Parameters
    ----------
    iterable : iterable | None
        What to iterate over; ``None`` for a manually updated bar.
    desc : str | None
        Label of the bar.
    total : int | None
        Number of items, when ``len(iterable)`` is not defined.
    unit : str
        Name of one item.
    log : logging.Logger | None
        The logger whose level decides; the package logger by default.

    Returns
    -------
    bar : tqdm.tqdm
        The bar (disabled, and silent, above INFO).
    """
    from tqdm.auto import tqdm

    log = logger if log is None else log
    return tqdm(
        iterable,
        desc=desc,
        total=total,
        unit=unit,
        disable=not log.isEnabledFor(logging.INFO),
        leave=False,
    )
