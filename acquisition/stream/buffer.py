"""One ring buffer for every stage that keeps the newest samples of a stream.

:class:`RingBuffer` keeps rows of samples (channels) indexed by absolute
sample number, counted from the first sample ever written, and forgets the
oldest once more than ``capacity`` were written. Optional extra rows hold
one value per sample beside them (timestamps, the time each sample was
pulled). One thread may write while others copy: every method holds the
buffer's lock for the copy only.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._checks import _check_int

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

#: Columns allocated at first when ``initial_size`` is None (or the capacity
#: when it is smaller).
_INITIAL_SIZE = 1 << 16


class RingBuffer:
    """The newest ``capacity`` samples of a stream, by absolute sample number.

    Sample ``i`` is the ``i``-th sample ever written (the first is 0). The
    buffer keeps samples :attr:`first` to :attr:`total` (``total``
    excluded); :meth:`get` returns a range of them and raises when part of
    it is not kept, :meth:`segment` clips the range to what is kept.

    Parameters
    ----------
    n_channels : int
        Rows of samples (channels).
    capacity : int
        Samples kept at most; older ones are forgotten.
    extras : sequence of str
        Names of extra rows kept beside the samples, one float64 value per
        sample (e.g. ``('stamps', 'pulled')``). :meth:`append` takes them
        as keyword arguments, and every read returns them after the samples,
        in this order.
    dtype : numpy dtype
        Type of the samples (float64 by default).
    initial_size : int | None
        Samples of room allocated at first; the room doubles as needed, up
        to ``capacity``, so a long capacity costs memory only once it fills.
        None allocates ``min(capacity, 65536)``.

    Attributes
    ----------
    n_channels : int
        Rows of samples.
    capacity : int
        Samples kept at most.
    extras : tuple of str
        Names of the extra rows.
    dtype : numpy.dtype
        Type of the samples.

    Notes
    -----
    Reads return copies. A read that asks for nothing (an empty range)
    returns arrays with 0 columns.

    Examples
    --------
    >>> ring = RingBuffer(2, capacity=4, extras=("stamps",))
    >>> ring = ring.append(np.arange(12.0).reshape(2, 6), stamps=np.arange(6) / 10)
    >>> ring.first, ring.total
    (2, 6)
    >>> data, stamps = ring.get(3, 5)
    >>> data.tolist(), stamps.tolist()
    ([[3.0, 4.0], [9.0, 10.0]], [0.3, 0.4])
    >>> start, data, stamps = ring.segment(0, 3)  # clipped to what is kept
    >>> start, data.tolist()
    (2, [[2.0], [8.0]])
    """

    def __init__(
        self,
        n_channels: int,
        capacity: int,
        *,
        extras: Sequence[str] = (),
        dtype: DTypeLike = np.float64,
        initial_size: int | None = None,
    ) -> None:
        self.n_channels = _check_int(n_channels, "n_channels", minimum=0)
        self.capacity = _check_int(capacity, "capacity", minimum=1)
        if isinstance(extras, str):
            raise TypeError(
                f"extras must be a sequence of names (e.g. ('stamps',)), got the str "
                f"{extras!r}; write extras=({extras!r},) for one extra row."
            )
        extras = tuple(extras)
        for name in extras:
            if not isinstance(name, str) or not name.isidentifier():
                raise ValueError(
                    f"extras must hold names usable as keyword arguments (e.g. 'stamps'), "
                    f"got {name!r} in {extras!r}."
                )
        if len(set(extras)) != len(extras):
            raise ValueError(f"extras must not repeat a name, got {extras!r}.")
        self.extras = extras
        self.dtype = np.dtype(dtype)
        if initial_size is None:
            size = min(self.capacity, _INITIAL_SIZE)
        else:
            size = min(self.capacity, _check_int(initial_size, "initial_size", minimum=1))
        self._data = np.zeros((self.n_channels, size), dtype=self.dtype)
        self._extra = {name: np.zeros(size) for name in extras}
        self._total = 0
        self._lock = threading.RLock()  # tail() holds it around segment()

    def __repr__(self) -> str:
        extras = f", extras {list(self.extras)}" if self.extras else ""
        return (
            f"<RingBuffer | {self.n_channels} channels, samples {self.first} to "
            f"{self.total} kept of capacity {self.capacity}{extras}>"
        )

    # -- sizes -------------------------------------------------------------------

    @property
    def total(self) -> int:
        """int: Samples written so far (the number of the next sample)."""
        return self._total

    @property
    def first(self) -> int:
        """int: Number of the oldest sample kept (0 until the buffer is full)."""
        return max(0, self._total - self.capacity)

    @property
    def n_kept(self) -> int:
        """int: Samples kept now: ``total - first``, at most ``capacity``."""
        return min(self._total, self.capacity)

    @property
    def allocated(self) -> int:
        """int: Samples of room allocated now (it grows up to ``capacity``)."""
        return self._data.shape[1]

    # -- writing -----------------------------------------------------------------

    def append(self, data: ArrayLike, **extras: ArrayLike) -> RingBuffer:
        """Add the next samples.

        Parameters
        ----------
        data : array-like, shape (n_channels, n_times)
            The samples, oldest first. More than ``capacity`` at once is
            fine: the newest ``capacity`` are kept and :attr:`total` still
            counts them all.
        **extras : array-like, shape (n_times,) | float
            One value per sample for each extra row named in ``extras`` (all
            of them), or one value for all the samples of this call.

        Returns
        -------
        self : RingBuffer
            The buffer.
        """
        x = np.asarray(data)
        if x.ndim != 2 or x.shape[0] != self.n_channels:
            raise ValueError(
                f"data must be an array of shape (n_channels, n_times) = ({self.n_channels}, "
                f"n), got shape {x.shape}."
            )
        values = self._check_extras(extras, x.shape[1])
        n = x.shape[1]
        if n == 0:
            return self
        skipped = max(0, n - self.capacity)
        if skipped:
            x = x[:, skipped:]
            values = {name: v[skipped:] for name, v in values.items()}
        with self._lock:
            self._grow(min(self.capacity, self._total + n))
            self._total += skipped
            cols = (self._total + np.arange(x.shape[1])) % self.capacity
            self._data[:, cols] = x
            for name, v in values.items():
                self._extra[name][cols] = v
            self._total += x.shape[1]
        return self

    def _check_extras(self, extras, n):
        unknown = sorted(set(extras) - set(self.extras))
        missing = [name for name in self.extras if name not in extras]
        if unknown or missing:
            raise TypeError(
                f"append() takes the extra rows {list(self.extras)} of this RingBuffer, "
                f"every one of them; got {sorted(extras)} (unknown: {unknown}, missing: "
                f"{missing})."
            )
        values = {}
        for name in self.extras:
            v = np.asarray(extras[name], dtype=np.float64)
            if v.ndim == 0:
                v = np.broadcast_to(v, (n,))
            elif v.shape != (n,):
                raise ValueError(
                    f"{name} must hold one value per sample (shape ({n},)) or one value for "
                    f"all of them, got shape {v.shape}."
                )
            values[name] = v
        return values

    def _grow(self, need):
        """Make room for ``need`` samples (at most ``capacity``); the lock is held."""
        size = self._data.shape[1]
        if need <= size:
            return
        size = min(self.capacity, max(need, 2 * size))
        # not full yet, so sample i is still in column i: copy them over
        kept = self._total
        data = np.zeros((self.n_channels, size), dtype=self.dtype)
        data[:, :kept] = self._data[:, :kept]
        self._data = data
        for name, old in self._extra.items():
            new = np.zeros(size)
            new[:kept] = old[:kept]
            self._extra[name] = new

    # -- reading -----------------------------------------------------------------

    def _read(self, start, stop):
        """Copy samples start to stop (all kept); the lock is held."""
        cols = np.arange(start, stop) % self.capacity
        data = self._data[:, cols]
        if not self.extras:
            return data
        return (data, *(self._extra[name][cols] for name in self.extras))

    def _clip(self, start, stop):
        start = max(_check_int(start, "start"), self.first)
        stop = max(start, min(_check_int(stop, "stop"), self._total))
        return start, stop

    def get(self, start: int, stop: int) -> np.ndarray | tuple[np.ndarray, ...]:
        """Return samples ``start`` to ``stop`` (excluded), all of which must be kept.

        Parameters
        ----------
        start, stop : int
            The range, in sample numbers from the first sample written; every
            sample of it must still be kept.

        Returns
        -------
        data : ndarray, shape (n_channels, stop - start)
            A copy of the samples.
        *extras : ndarray, shape (stop - start,)
            Only when the buffer has extra rows: a copy of each, in the order
            of ``extras``.

        Raises
        ------
        IndexError
            If part of the range is not kept (forgotten already, or not
            written yet).
        """
        start = _check_int(start, "start")
        stop = _check_int(stop, "stop")
        if stop < start:
            raise ValueError(f"stop must not be before start, got start={start}, stop={stop}.")
        with self._lock:
            first, total = self.first, self._total
            if start < first or stop > total:
                raise IndexError(
                    f"samples {start}:{stop} are not in the ring buffer: it keeps samples "
                    f"{first}:{total} ({total - first} of the {total} written; capacity "
                    f"{self.capacity}). Ask for kept samples only, use segment() for the part "
                    "of a range that is kept, or give the buffer a larger capacity."
                )
            return self._read(start, stop)

    def segment(self, start: int, stop: int) -> tuple[int | np.ndarray, ...]:
        """Return samples ``start`` to ``stop`` (excluded), clipped to what is kept.

        Parameters
        ----------
        start, stop : int
            Sample numbers from the first sample written.

        Returns
        -------
        start : int
            Number of the first sample returned (``start`` raised to
            :attr:`first` if it was forgotten).
        data : ndarray, shape (n_channels, n)
            A copy of the samples kept in the range (``n`` may be 0).
        *extras : ndarray, shape (n,)
            Only when the buffer has extra rows: a copy of each, in the order
            of ``extras``.
        """
        with self._lock:
            start, stop = self._clip(start, stop)
            got = self._read(start, stop)
        return (start, got) if not self.extras else (start, *got)

    def tail(self, n: int) -> tuple[int | np.ndarray, ...]:
        """Return the newest ``n`` samples (fewer if fewer are kept).

        Parameters
        ----------
        n : int
            Samples wanted.

        Returns
        -------
        start : int
            Number of the first sample returned.
        data : ndarray, shape (n_channels, n_returned)
            A copy of the samples.
        *extras : ndarray, shape (n_returned,)
            Only when the buffer has extra rows (see :meth:`segment`).
        """
        n = _check_int(n, "n", minimum=0)
        with self._lock:
            return self.segment(self._total - n, self._total)

    def extra(
        self, name: str, start: int | None = None, stop: int | None = None
    ) -> tuple[int, np.ndarray]:
        """Return one extra row over samples ``start`` to ``stop``, clipped to what is kept.

        Parameters
        ----------
        name : str
            One of ``extras``.
        start, stop : int | None
            Sample numbers (``stop`` excluded); None means from the oldest
            sample kept, and to the newest.

        Returns
        -------
        start : int
            Number of the first sample returned.
        values : ndarray, shape (n,)
            A copy of that row's values.
        """
        if name not in self._extra:
            raise ValueError(
                f"name must be one of this RingBuffer's extra rows {list(self.extras)}, got "
                f"{name!r}."
            )
        with self._lock:
            start, stop = self._clip(
                self.first if start is None else start, self._total if stop is None else stop
            )
            return start, self._extra[name][np.arange(start, stop) % self.capacity]
