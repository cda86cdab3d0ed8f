"""The package logger, its level, and progress bars that follow it.

Every package of the distribution logs through one hierarchy rooted at the
``"neucube"`` logger (``neucube.acquisition``, ``neucube.models``, ...), so
one call to :func:`set_log_level` governs all of them.
"""

import logging

logger = logging.getLogger("neucube")

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}


def _resolve_level(verbose):
    if verbose is None:
        return logging.WARNING
    if isinstance(verbose, bool):
        return logging.INFO if verbose else logging.WARNING
    if isinstance(verbose, int):
        return verbose
    if isinstance(verbose, str) and verbose.lower() in _LEVELS:
        return _LEVELS[verbose.lower()]
    raise ValueError(
        f"verbose must be a bool, an int logging level or one of "
        f"{sorted(_LEVELS)}, got {verbose!r}."
    )


def set_log_level(verbose=None):
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
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler._neucube = True
        logger.addHandler(handler)
    return level


def progress(iterable=None, *, desc=None, total=None, unit="it", log=None):
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
