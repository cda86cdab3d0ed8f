"""Small validators shared by the modules of :mod:`neucube`.

Each validator checks one thing, returns the value in the form the caller
works with, and otherwise raises an error that names the parameter, what is
allowed, what was given and, where there is one, the fix (after
``mne.utils._check_*``).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from ._docs import fill_doc

if TYPE_CHECKING:
    import numpy.typing as npt


def _describe(value: object) -> str:
    """Return a short description of a value for error messages."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


@fill_doc
def check_option(value: object, name: str, allowed: Iterable) -> object:
    """Check that a value is one of a fixed set of options.

    Parameters
    ----------
    value : object
        The value given.
    %(check_name)s
    allowed : sequence
        The allowed values.

    Returns
    -------
    value : object
        ``value``, unchanged.

    Raises
    ------
    ValueError
        If ``value`` is not in ``allowed``.
    """
    allowed = tuple(allowed)
    for option in allowed:
        try:
            equal = value == option
        except Exception:  # e.g. objects whose == raises
            continue
        # An array compared with an option gives an array: not a match.
        if isinstance(equal, (bool, np.bool_)) and equal:
            return value
    options = ", ".join(repr(option) for option in allowed)
    raise ValueError(
        f"Invalid value for the '{name}' parameter. Allowed values are {options}, "
        f"but got {value!r} instead."
    )


@fill_doc
def check_positive(
    value: float, name: str, *, strict: bool = True, allow_inf: bool = False
) -> float:
    """Check that a value is a real number above (or at least) zero.

    Parameters
    ----------
    value : float | int
        The value given.
    %(check_name)s
    strict : bool
        If True, zero is rejected (``value > 0``); if False, zero is allowed
        (``value >= 0``).
    allow_inf : bool
        Whether ``+inf`` is allowed.

    Returns
    -------
    value : float
        ``value`` as a Python float.

    Raises
    ------
    TypeError
        If ``value`` is not a real number (booleans are rejected).
    ValueError
        If ``value`` is NaN, infinite (unless allowed) or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}.")
    value = float(value)
    bound = "> 0" if strict else ">= 0"
    if np.isnan(value) or (np.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be a finite number {bound}, got {value}.")
    if value < 0 or (strict and value == 0):
        raise ValueError(f"{name} must be {bound}, got {value}.")
    return value


@fill_doc
def check_int(value: int, name: str, *, min_value: int | None = None) -> int:
    """Check that a value is an integer, optionally with a lower bound.

    Parameters
    ----------
    value : int
        The value given (Python or numpy integer; booleans are rejected).
    %(check_name)s
    min_value : int | None
        Smallest allowed value, or None for no bound.

    Returns
    -------
    value : int
        ``value`` as a Python int.

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If ``value`` is below ``min_value``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {_describe(value)}.")
    value = int(value)
    if min_value is not None and value < min_value:
        raise ValueError(f"{name} must be an int >= {min_value}, got {value}.")
    return value


@fill_doc
def check_number(
    value: float, name: str, *, low: float | None = None, high: float | None = None
) -> float:
    """Check that a value is a finite real number, optionally within bounds.

    Parameters
    ----------
    value : float | int
        The value given (Python or numpy number; booleans are rejected).
    %(check_name)s
    low, high : float | None
        Smallest and largest allowed values (inclusive), or None for no bound.

    Returns
    -------
    value : float
        ``value`` as a Python float.

    Raises
    ------
    TypeError
        If ``value`` is not a number.
    ValueError
        If ``value`` is NaN, infinite or out of bounds.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")
    return float(value)


def check_random_state(
    seed: int | np.random.SeedSequence | np.random.Generator | None,
) -> np.random.Generator:
    """Turn a seed into a :class:`numpy.random.Generator`.

    Parameters
    ----------
    seed : None | int | numpy.random.SeedSequence | numpy.random.Generator
        None for fresh entropy, an int or a seed sequence for reproducible
        draws, or a generator, which is returned as is (and so shared).

    Returns
    -------
    rng : numpy.random.Generator
        The generator.

    Raises
    ------
    TypeError
        If ``seed`` is of another type (the legacy
        :class:`numpy.random.RandomState` included).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"random_state must be a non-negative int, got {seed}.")
        return np.random.default_rng(int(seed))
    raise TypeError(
        f"random_state must be None, an int, a numpy.random.SeedSequence or a "
        f"numpy.random.Generator, got {_describe(seed)}. For a legacy RandomState "
        f"use np.random.default_rng(seed) instead."
    )


def check_seed(
    random_state: int | np.random.Generator | None,
) -> tuple[np.random.Generator, int | None]:
    """Turn a seed into a generator and the seed to record with results.

    Unlike :func:`check_random_state`, ``None`` draws a fresh int seed and
    returns it, so that a run can be repeated.

    Parameters
    ----------
    random_state : None | int | numpy.random.Generator
        None for a fresh seed, a non-negative int for reproducible draws, or
        a generator, which is returned as is (and so shared).

    Returns
    -------
    rng : numpy.random.Generator
        The generator.
    seed : int | None
        The int it was seeded with (``None`` when a generator was given).

    Raises
    ------
    TypeError
        If ``random_state`` is of another type.
    ValueError
        If ``random_state`` is a negative int.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state, None
    if random_state is None:
        seed = int(np.random.SeedSequence().entropy)
        return np.random.default_rng(seed), seed
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be >= 0, got {random_state}.")
        return np.random.default_rng(int(random_state)), int(random_state)
    raise TypeError(
        "random_state must be None, an int seed or a numpy.random.Generator, got "
        f"{type(random_state).__name__}."
    )


@fill_doc
def check_array_finite(X: npt.ArrayLike, name: str) -> np.ndarray:
    """Check that an array holds no NaN or infinite value.

    For arrays of two or more dimensions, the last axis is taken as time
    (samples) and the one before as channels, as in
    ``(n_channels, n_times)`` and ``(n_epochs, n_channels, n_times)``; the
    error then names the bad channels and the first bad sample.

    Parameters
    ----------
    X : ndarray
        A numeric array.
    %(check_name)s

    Returns
    -------
    X : ndarray
        ``X``, unchanged.

    Raises
    ------
    ValueError
        If ``X`` holds NaN or +/-inf.
    """
    X = np.asarray(X)
    bad = ~np.isfinite(X)
    if not bad.any():
        return X
    n_bad = int(bad.sum())
    where = np.argwhere(bad)
    if X.ndim == 0:
        raise ValueError(f"{name} must be finite, got {X.item()!r}.")
    if X.ndim == 1:
        first = int(where[0, 0])
        raise ValueError(
            f"{name} contains {n_bad} non-finite value(s) (NaN or inf); "
            f"the first is {X[first].item()!r} at index {first}."
        )
    channels = np.unique(where[:, -2]).tolist()
    # First bad sample: leading axes (epochs) first, then time, then channel.
    keys = (where[:, -2], where[:, -1]) + tuple(where[:, k] for k in range(X.ndim - 3, -1, -1))
    order = np.lexsort(keys)  # the last key sorts first
    first = tuple(int(i) for i in where[order[0]])
    label = "epoch" if X.ndim == 3 else "index"
    lead = "".join(f"{label} {i}, " for i in first[:-2])
    shown = channels if len(channels) <= 20 else channels[:20] + ["..."]
    raise ValueError(
        f"{name} contains {n_bad} non-finite value(s) (NaN or inf) in channel(s) {shown}; "
        f"the first bad sample is {X[first].item()!r} at {lead}channel {first[-2]}, "
        f"sample {first[-1]}. "
        f"Interpolate or drop the bad channels or samples (e.g. with "
        f"raw.interpolate_bads() or by cropping) before passing {name}."
    )


def check_ch_names(
    ch_names: object, name: str = "ch_names", *, n_channels: int | None = None
) -> list[str]:
    """Check channel names: unique, non-empty strings, one per channel.

    Parameters
    ----------
    ch_names : list of str
        The names (a list, a tuple or an array of str).
    name : str
        Name of the parameter, for the error message.
    n_channels : int | None
        How many names there must be (None: any number).

    Returns
    -------
    ch_names : list of str
        The names as a list.

    Raises
    ------
    TypeError
        If ``ch_names`` is not a sequence of str.
    ValueError
        If a name is empty or repeated, or there are not ``n_channels``.
    """
    if isinstance(ch_names, np.ndarray) and ch_names.ndim == 1:
        ch_names = ch_names.tolist()
    if not isinstance(ch_names, (list, tuple)):
        raise TypeError(f"{name} must be a list of channel names (str), got {_describe(ch_names)}.")
    wrong = [c for c in ch_names if not isinstance(c, str)]
    if wrong:
        raise TypeError(f"{name} must hold str only, got {_describe(wrong[0])}.")
    if not all(c.strip() for c in ch_names):
        raise ValueError(f"{name} must hold non-empty names, got {list(ch_names)!r}.")
    seen, repeated = set(), []
    for c in ch_names:
        if c in seen and c not in repeated:
            repeated.append(c)
        seen.add(c)
    if repeated:
        raise ValueError(f"{name} must be unique, but {repeated} appear more than once.")
    if n_channels is not None and len(ch_names) != n_channels:
        raise ValueError(
            f"{name} must name the {n_channels} channel(s), got {len(ch_names)} name(s)."
        )
    return list(ch_names)


def check_band(band: npt.ArrayLike, refractory: int = 6) -> tuple[float, float]:
    """Check an activity band: (low, high) spikes per neuron per step.

    Parameters
    ----------
    band : array-like of float, shape (2,)
        The band.
    refractory : int
        The neurons' refractory period in steps: no neuron can fire more
        than once in ``refractory + 1`` steps, the band's ceiling.

    Returns
    -------
    band : tuple of float
        ``(low, high)``.

    Raises
    ------
    ValueError
        Unless ``0 < low < high < 1 / (refractory + 1)``.
    """
    try:
        values = tuple(float(b) for b in np.asarray(band, dtype=float).ravel())
    except (TypeError, ValueError):
        values = ()
    ceiling = 1.0 / (refractory + 1)
    if len(values) != 2 or not 0 < values[0] < values[1] < ceiling:
        raise ValueError(
            f"band must be (low, high) spikes per neuron per step with 0 < low < high < "
            f"{ceiling:.4g} (1 / (refractory + 1)), got {values or band!r}."
        )
    return values
