"""Validators of the task level: one place, one argument order ``(value, name)``.

The spiking core's validators (:mod:`neucube._checks`) serve arrays, options
and seeds; these serve what the task level reads from files, the command line
and the alert store: numbers with a range, and plain text.
"""

from __future__ import annotations

import math

__all__ = ["check_number", "check_text"]


def check_number(
    value: object,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    allow_none: bool = False,
    where: str = "",
) -> float | None:
    """Return ``value`` as a finite float in range, or raise.

    Parameters
    ----------
    value : object
        What was given.
    name : str
        Name of the parameter, for the error message.
    minimum, maximum : float | None
        The allowed range (inclusive; ``minimum`` exclusive with ``strict``).
    strict : bool
        Whether ``value`` must be above ``minimum``, not equal to it.
    allow_none : bool
        Whether None is allowed (and returned).
    where : str
        Prefix of the message, e.g. ``"row 3: "``.

    Returns
    -------
    value : float | None
        The number.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (a bool is not one).
    ValueError
        If it is not finite or out of range.
    """
    if value is None and allow_none:
        return None
    try:  # a bool or a str is not a number, even if float() takes it
        if isinstance(value, (bool, str)) or value is None:
            raise TypeError
        value = float(value)  # numbers.Real, NumPy scalars, Decimal ...
    except (TypeError, ValueError):
        none = " or None" if allow_none else ""
        raise TypeError(
            f"{where}{name} must be a finite number{none}, got {value!r} of type "
            f"{type(value).__name__}."
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{where}{name} must be finite, got {value!r}.")
    if minimum is not None and (value < minimum or (strict and value == minimum)):
        rel = ">" if strict else ">="
        raise ValueError(f"{where}{name} must be {rel} {minimum:g}, got {value!r}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{where}{name} must be <= {maximum:g}, got {value!r}.")
    return value


def check_text(value: object, name: str, *, allow_empty: bool = False) -> str:
    """Return ``value`` stripped, or raise if it is not a (non-empty) str.

    Parameters
    ----------
    value : object
        What was given.
    name : str
        Name of the parameter, for the error message.
    allow_empty : bool
        Whether an empty (or blank) string is allowed.

    Returns
    -------
    value : str
        The text without leading and trailing white space.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {value!r} ({type(value).__name__}).")
    value = value.strip()
    if not value and not allow_empty:
        raise ValueError(f"{name} must not be empty, got {value!r}.")
    return value
