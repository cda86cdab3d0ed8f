"""Markers from an LSL marker stream: :class:`MarkerInlet`.

A marker stream is an irregular LSL stream (nominal rate 0) of one channel,
string or numeric, whose samples label moments of an EEG stream (a stimulus
shown, a button pressed). Its timestamps are put on this machine's clock
(``clocksync``), so they can be matched with the EEG's.
"""

from __future__ import annotations

import numpy as np

from .._checks import _check_positive
from .._logging import logger
from ._lsl import _lsl


class MarkerInlet:
    """Markers from an LSL marker stream (string or numeric, one channel).

    The stream is found and its inlet opened when the object is made.

    Parameters
    ----------
    name : str
        Name of the marker stream.
    timeout : float
        Seconds to wait for it.

    Attributes
    ----------
    name : str
        Name of the marker stream.

    Raises
    ------
    RuntimeError
        If no LSL stream of that name is found within ``timeout``.

    Notes
    -----
    Numeric markers with an integer value are returned without a decimal
    part (``3.0`` becomes ``'3'``), so a numeric and a string stream of the
    same codes give the same labels.

    Examples
    --------
    >>> with MarkerInlet("Markers") as inlet:  # doctest: +SKIP
    ...     for timestamp, label in inlet.pull():
    ...         print(timestamp, label)
    """

    def __init__(self, name: str, timeout: float = 5.0) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(
                f"name must be the name of the LSL marker stream (a non-empty str), got {name!r}."
            )
        timeout = _check_positive(timeout, "timeout", unit=" s")
        lsl = _lsl()
        found = lsl.resolve_streams(timeout, name=name)
        if not found:
            raise RuntimeError(
                f"No LSL marker stream named {name!r} within {timeout:g} s. Check that the "
                "sender runs and the name is right."
            )
        self.name = name
        self._inlet = lsl.StreamInlet(found[0], processing_flags=("clocksync",))
        self._inlet.open_stream(timeout=timeout)
        self._closed = False
        logger.info("Connected to LSL marker stream %r.", name)

    def __repr__(self) -> str:
        return f"<MarkerInlet | {self.name!r}, {'closed' if self._closed else 'open'}>"

    def pull(self) -> list[tuple[float, str]]:
        """Return the markers that arrived since the last pull, without waiting.

        Returns
        -------
        markers : list of (float, str)
            ``(timestamp, label)`` pairs, oldest first: the LSL timestamp on
            this machine's clock, and the marker's value as a string.
        """
        data, ts = self._inlet.pull_chunk(timeout=0.0)
        if len(ts) == 0:
            return []
        out = []
        for sample, t in zip(data, ts):
            value = sample[0] if len(sample) else ""
            if isinstance(value, (float, np.floating)) and float(value).is_integer():
                value = int(value)
            out.append((float(t), str(value)))
        return out

    def close(self) -> None:
        """Close the inlet."""
        self._closed = True
        try:
            self._inlet.close_stream()
        except Exception:  # pragma: no cover - teardown
            pass

    def __enter__(self) -> MarkerInlet:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
