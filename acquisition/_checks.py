"""Validators and small helpers shared by the acquisition modules.

Every validator raises an error that names the parameter, says what was
expected, shows the value given and, where one exists, the fix.
"""

from __future__ import annotations

import contextlib
import logging
import numbers
import warnings

import numpy as np

from ._logging import logger

#: The level names ``verbose=`` accepts (any case); their numbers are the
#: standard library's (:func:`logging.getLevelNamesMapping`).
_LEVEL_NAMES = ("critical", "debug", "error", "info", "warning")


def _level_from_verbose(verbose):
    """Translate a ``verbose`` argument into a :mod:`logging` level (or None)."""
    if verbose is None:
        return None
    if isinstance(verbose, bool):
        return logging.INFO if verbose else logging.WARNING
    if isinstance(verbose, numbers.Integral):
        return int(verbose)
    if isinstance(verbose, str) and verbose.lower() in _LEVEL_NAMES:
        return logging.getLevelNamesMapping()[verbose.upper()]
    raise ValueError(
        f"verbose must be None, a bool, an int logging level or one of "
        f"{list(_LEVEL_NAMES)}, got {verbose!r}."
    )


@contextlib.contextmanager
def _use_log_level(verbose):
    """Set the acquisition logger's level for the duration of a call.

    ``None`` leaves the level as it is (the package-wide setting applies).
    """
    level = _level_from_verbose(verbose)
    if level is None:
        yield
        return
    old = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(old)


def _drop_mne_warnings(record):
    """Drop MNE's own echo of a warning we capture and relay (a logging filter)."""
    return record.levelno > logging.WARNING


@contextlib.contextmanager
def _capture_mne_warnings():
    """Record the warnings MNE raises inside the block.

    MNE's informational chatter is silenced by calling its functions with
    ``verbose="warning"``; its warnings (:class:`RuntimeWarning`) are recorded
    here so that the caller can turn them into errors or pass them on through
    our logger, and MNE's logger does not echo them meanwhile. Warnings of
    other categories (deprecations and the like) are re-issued unchanged when
    the block ends, even when it ends in an error.

    Yields
    ------
    records : list of warnings.WarningMessage
        Filled while the block runs; read it with :func:`_mne_messages`.
    """
    others = []
    mne_logger = logging.getLogger("mne")
    mne_logger.addFilter(_drop_mne_warnings)
    try:
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            try:
                yield records
            finally:
                others[:] = [r for r in records if not issubclass(r.category, RuntimeWarning)]
    finally:
        mne_logger.removeFilter(_drop_mne_warnings)
        for rec in others:
            warnings.warn_explicit(rec.message, rec.category, rec.filename, rec.lineno)


def _mne_messages(records):
    """Return the texts of the RuntimeWarnings among ``records``."""
    return [str(r.message) for r in records if issubclass(r.category, RuntimeWarning)]


def _positive_float(value, wrong_type, wrong_value):
    """Return ``value`` as a positive finite float or raise.

    ``wrong_type(value)`` and ``wrong_value(as_float)`` build the messages
    of the :class:`TypeError` (not a real number; bools are not) and of the
    :class:`ValueError` (zero, negative, NaN or infinite).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(wrong_type(value))
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(wrong_value(value))
    return value


def _check_sfreq(sfreq, name="sfreq"):
    """Return ``sfreq`` as a positive finite float or raise."""
    return _positive_float(
        sfreq,
        lambda v: (
            f"{name} must be a positive number of samples per second (Hz), "
            f"got {v!r} of type {type(v).__name__}."
        ),
        lambda v: f"{name} must be a positive, finite sampling frequency in Hz, got {v!r}.",
    )


def _check_positive(value, name, *, allow_none=False, unit="", hint=""):
    """Return ``value`` as a positive finite float (or None) or raise."""
    if value is None and allow_none:
        return None
    none = " or None" if allow_none else ""
    hint = f" {hint}" if hint else ""
    return _positive_float(
        value,
        lambda v: (
            f"{name} must be a positive number{none}, got {v!r} of type {type(v).__name__}.{hint}"
        ),
        lambda v: f"{name} must be positive and finite, got {v!r}{unit}.{hint}",
    )


def _check_int(value, name, *, minimum=None):
    """Return ``value`` as an int (at least ``minimum``) or raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    return value


def _check_option(value, name, allowed):
    """Return ``value`` if it is one of ``allowed`` or raise."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}.")
    return value


def _check_data_2d(data, name="data"):
    """Return ``data`` as an array of shape (n_channels, n_times) or raise."""
    arr = np.asarray(data)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_channels, n_times), got an "
            f"array with shape {arr.shape}. For one channel pass data[np.newaxis]; "
            f"for a Raw pass raw.get_data()."
        )
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"{name} must hold real numbers (float or int), got dtype {arr.dtype}.")
    return arr


def _is_raw(inst):
    """Whether ``inst`` is an MNE Raw object."""
    from mne.io import BaseRaw

    return isinstance(inst, BaseRaw)


def _check_raw(inst, name="raw"):
    """Raise unless ``inst`` is an MNE Raw object."""
    if not _is_raw(inst):
        raise TypeError(
            f"{name} must be an mne.io.Raw (read one with acquisition.read_raw, or "
            f"wrap an array with mne.io.RawArray), got {type(inst).__name__}."
        )
    return inst


def _raw_label(raw):
    """Return a short description of where a Raw came from, for messages."""
    fnames = [str(f) for f in getattr(raw, "filenames", ()) if f is not None]
    return f"{fnames[0]!r}" if fnames else "the Raw (no file)"
