"""An in-memory source: :class:`ArraySource`, the offline twin of a stream.

It feeds an array or a Raw in chunks of fixed or random sizes, as fast as it
is pulled, paced at a multiple of real time (``speed``), or in real time on
the LSL clock (``realtime``): for tests, and for running a recording
through the live path without a network.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._checks import _check_int, _check_positive, _check_sfreq, _is_raw
from ._base import _SourceBase
from ._lsl import local_clock

if TYPE_CHECKING:
    import mne
    from numpy.typing import ArrayLike


class ArraySource(_SourceBase):
    """A recording fed in chunks, with the interface of :class:`~acquisition.stream.LSLSource`.

    Parameters
    ----------
    inst : mne.io.Raw | ndarray, shape (n_channels, n_times)
        The data (a Raw's data are read in SI units).
    sfreq : float | None
        Sampling frequency; required for an array.
    ch_names : list of str | None
        Channel names; required for an array.
    ch_types : list of str | None
        Channel types of an array (default all ``'eeg'``).
    chunk_size : int | tuple of int
        Samples per pull: a fixed number, or ``(low, high)`` for random sizes
        drawn uniformly from ``low`` to ``high`` (both included).
    realtime : bool
        Hand out samples no faster than their sampling rate, with timestamps
        on the LSL clock (a pull returns what "arrived" since the last pull,
        at most ``high`` samples); False (default) hands out one chunk per
        pull at once, or paces by ``speed``.
    speed : float | None
        Pace at this multiple of real time (``2.0``: twice as fast as the
        recording was sampled): a pull hands out whole chunks while fewer
        samples than ``speed * sfreq * (seconds since connect)`` have been
        handed out (so it is at most one chunk ahead of that), and nothing
        when none is due. None (default) hands out one chunk per pull, as
        fast as the consumer pulls. Timestamps stay ``index / sfreq`` (not
        the LSL clock) and :attr:`live` is False. Cannot be combined with
        ``realtime=True``.
    random_state : int | numpy.random.Generator | None
        Seed of the random chunk sizes.
    counter : ``'auto'`` | str | None
        Counter channel to check (see :class:`~acquisition.stream.LSLSource`).
    clock : callable | None
        The clock that paces ``realtime`` and ``speed``: called without
        arguments, it returns seconds (any origin, never going back). None
        uses :func:`time.monotonic`; tests pass a clock they advance by hand.

    Attributes
    ----------
    ended : bool
        Whether every sample has been handed out.

    Notes
    -----
    Timestamps are ``t0 + index / sfreq``, with ``t0`` the LSL clock at
    :meth:`connect` when ``realtime`` is True and 0 otherwise.

    Examples
    --------
    >>> src = ArraySource(raw, chunk_size=16, speed=4.0).connect()  # doctest: +SKIP
    >>> data, timestamps = src.pull()  # doctest: +SKIP
    """

    def __init__(
        self,
        inst: mne.io.BaseRaw | ArrayLike,
        sfreq: float | None = None,
        ch_names: Sequence[str] | None = None,
        *,
        ch_types: Sequence[str] | None = None,
        chunk_size: int | tuple[int, int] = 32,
        realtime: bool = False,
        speed: float | None = None,
        random_state: int | np.random.Generator | None = None,
        counter: str | None = "auto",
        clock: Callable[[], float] | None = None,
    ) -> None:
        if _is_raw(inst):
            data = inst.get_data()
            sfreq = inst.info["sfreq"] if sfreq is None else sfreq
            ch_names = list(inst.ch_names) if ch_names is None else list(ch_names)
            ch_types = inst.get_channel_types() if ch_types is None else list(ch_types)
            self.name = (
                Path(inst.filenames[0]).name if inst.filenames and inst.filenames[0] else "array"
            )
        else:
            data = np.asarray(inst, dtype=np.float64)
            self.name = "array"
            if data.ndim != 2:
                raise ValueError(f"inst must be a Raw or a 2-D array, got shape {data.shape}.")
            if sfreq is None or ch_names is None:
                raise ValueError("ArraySource needs sfreq= and ch_names= for an array.")
            ch_names = list(ch_names)
            ch_types = ["eeg"] * len(ch_names) if ch_types is None else list(ch_types)
        if len(ch_names) != data.shape[0]:
            raise ValueError(f"ch_names has {len(ch_names)} names for {data.shape[0]} channels.")
        self._data = data
        self.sfreq = _check_sfreq(sfreq)
        self.ch_names = ch_names
        self.ch_types = ch_types
        if isinstance(chunk_size, (tuple, list)):
            low, high = (_check_int(c, "chunk_size", minimum=1) for c in chunk_size)
            if low > high:
                raise ValueError(f"chunk_size=(low, high) needs low <= high, got {chunk_size}.")
            self._sizes = (low, high)
        else:
            c = _check_int(chunk_size, "chunk_size", minimum=1)
            self._sizes = (c, c)
        self.realtime = bool(realtime)
        self.speed = _check_positive(
            speed,
            "speed",
            allow_none=True,
            hint="It is a multiple of real time (1.0: real time); None hands out one chunk "
            "per pull.",
        )
        if self.realtime and self.speed is not None:
            raise ValueError(
                f"ArraySource got realtime=True and speed={self.speed:g}: pass one of them. "
                "realtime=True paces in real time with timestamps on the LSL clock; speed= "
                "paces at a multiple of real time with timestamps from 0."
            )
        if clock is not None and not callable(clock):
            raise TypeError(
                f"clock must be a function returning seconds (like time.monotonic) or None, "
                f"got {clock!r} of type {type(clock).__name__}."
            )
        self._clock = time.monotonic if clock is None else clock
        self._rng = np.random.default_rng(random_state)
        self._pos = 0
        self._t0 = None
        self._init_counts(counter)
        self._setup_counter()

    def __repr__(self) -> str:
        pace = ""
        if self.speed is not None:
            pace = f", {self.speed:g}x real time"
        elif self.realtime:
            pace = ", real time"
        return (
            f"<ArraySource | {len(self.ch_names)} channels, {self._data.shape[1]} samples at "
            f"{self.sfreq:g} Hz{pace}, {self._pos} handed out, {self._state}>"
        )

    @property
    def n_times(self) -> int:
        """int: Number of samples of the recording."""
        return self._data.shape[1]

    @property
    def live(self) -> bool:
        """bool: Whether samples are handed out in real time (``realtime``)."""
        return self.realtime

    @property
    def ended(self) -> bool:
        """bool: Whether every sample has been handed out."""
        return self._pos >= self._data.shape[1]

    def connect(self) -> ArraySource:
        """Start the clock.

        Returns
        -------
        self : ArraySource
            The source.
        """
        if self._t0 is None:
            self._t0 = local_clock() if self.realtime else 0.0
            self._wall0 = self._clock()
            self._set_state("connected")
        return self

    def close(self) -> None:
        """Stop; further pulls return nothing."""
        self._pos = self._data.shape[1]
        self._set_state("closed")

    def _chunk_stop(self, start):
        """Where the next chunk, drawn from ``chunk_size``, ends."""
        size = int(self._rng.integers(self._sizes[0], self._sizes[1] + 1))
        return min(self._data.shape[1], start + size)

    def pull(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the next chunk (see :meth:`~acquisition.stream.LSLSource.pull`).

        Returns
        -------
        data : ndarray, shape (n_channels, n_new)
            The samples, float64.
        timestamps : ndarray, shape (n_new,)
            ``t0 + index / sfreq``.
        """
        if self._t0 is None:
            self.connect()
        n_total = self._data.shape[1]
        start = self._pos
        if self.realtime:
            due = min(n_total, int((self._clock() - self._wall0) * self.sfreq))
            stop = min(due, start + self._sizes[1]) if due > start else start
        elif self.speed is not None:
            due = int((self._clock() - self._wall0) * self.sfreq * self.speed)
            stop = start
            while stop < due and stop < n_total:
                stop = self._chunk_stop(stop)
        else:
            stop = self._chunk_stop(start)
        data = np.array(self._data[:, start:stop], dtype=np.float64)
        ts = self._t0 + np.arange(start, stop) / self.sfreq
        self._pos = stop
        if stop > start:
            self._account(data, ts)
        return data, ts
