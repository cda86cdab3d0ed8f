"""The background level of a stream, followed causally block by block.

EEG amplitude differs between people, amplifiers and montages by factors of
several; a spike encoder with fixed thresholds fires more on any louder
recording. :class:`BackgroundLevel` follows each channel's own level: the
stream is cut into blocks of ``block`` samples from its first sample, each
block's level is the mean absolute sample-to-sample difference in it (the
line length per sample, a standard EEG activity measure), and the background
at block ``j`` is a quantile (the median by default) of the levels of the
``n_blocks`` blocks before ``j`` (fewer at the start). Only samples already received count, so a file
read at once and the same file streamed in chunks of any size give the same
levels: offline and live agree.

A quantile makes the background follow a recording's usual activity and not
its events: with the median, a seizure or an artefact has to last half of the
``n_blocks`` blocks before it moves the background; with the 0.1 quantile,
nine tenths of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["BackgroundLevel"]


class BackgroundLevel:
    """Causal per-channel background level: a quantile of recent block line lengths.

    Parameters
    ----------
    n_channels : int
        Channels of the stream.
    block : int
        Samples per block (for example one hop of the detector's windows).
    n_blocks : int
        Blocks whose quantile makes the background (for example 300
        one-second blocks: the last five minutes).
    quantile : float
        Which quantile of the blocks' levels, in ``(0, 1]``: 0.5 the median;
        0.1 (the quiet tenth) lets events last up to 90 % of the blocks
        without moving the background.
    keep : int | None
        Block levels to keep in memory (a live stream: at least ``n_blocks``
        plus the blocks a window spans); ``None`` keeps all of them.

    Attributes
    ----------
    n_complete : int
        Blocks completed so far.
    """

    def __init__(
        self,
        n_channels: int,
        block: int,
        n_blocks: int,
        *,
        quantile: float = 0.5,
        keep: int | None = None,
    ) -> None:
        for name, value in (("n_channels", n_channels), ("block", block), ("n_blocks", n_blocks)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if not 0 < quantile <= 1:
            raise ValueError(f"quantile must be in (0, 1], got {quantile!r}.")
        if keep is not None and keep < n_blocks:
            raise ValueError(f"keep ({keep}) must be at least n_blocks ({n_blocks}).")
        self.n_channels = int(n_channels)
        self.block = int(block)
        self.n_blocks = int(n_blocks)
        self.quantile = float(quantile)
        self.keep = keep
        self.n_complete = 0
        self._levels = []  # levels of blocks first_kept ... n_complete - 1
        self._first_kept = 0
        self._pending = np.zeros((self.n_channels, 0))
        self._last = None  # the sample before the pending ones

    def __repr__(self) -> str:
        return (
            f"<BackgroundLevel | {self.n_channels} channels, blocks of {self.block} samples, "
            f"quantile {self.quantile:g} of {self.n_blocks}, {self.n_complete} complete>"
        )

    def update(self, chunk: ArrayLike) -> BackgroundLevel:
        """Feed the next samples of the stream.

        Parameters
        ----------
        chunk : array-like, shape (n_channels, n_samples)
            The samples, in order, after any filtering.

        Returns
        -------
        self : BackgroundLevel
            The tracker.
        """
        chunk = np.asarray(chunk, dtype=np.float64)
        if chunk.ndim != 2 or chunk.shape[0] != self.n_channels:
            raise ValueError(
                f"chunk must be shaped ({self.n_channels}, n_samples), got {chunk.shape}."
            )
        data = np.concatenate([self._pending, chunk], axis=1)
        n_full = data.shape[1] // self.block
        for b in range(n_full):
            part = data[:, b * self.block : (b + 1) * self.block]
            if self._last is not None:
                part = np.concatenate([self._last[:, None], part], axis=1)
            diffs = np.abs(np.diff(part, axis=1))
            self._levels.append(diffs.mean(axis=1) if diffs.shape[1] else np.zeros(self.n_channels))
            self._last = data[:, (b + 1) * self.block - 1].copy()
        self.n_complete += n_full
        self._pending = data[:, n_full * self.block :].copy()
        if self.keep is not None and len(self._levels) > self.keep:
            drop = len(self._levels) - self.keep
            del self._levels[:drop]
            self._first_kept += drop
        return self

    def level(self, j: int) -> np.ndarray:
        """Background before block ``j``: the quantile of the ``n_blocks`` levels before it.

        Parameters
        ----------
        j : int
            A block index, ``1 <= j <= n_complete`` (blocks ``j - n_blocks``
            … ``j - 1``, or from 0 at the start, must be complete).

        Returns
        -------
        level : ndarray, shape (n_channels,)
            The quantile of the block line lengths per channel (linear
            interpolation, :func:`numpy.quantile`), in the stream's units per
            sample.
        """
        if not 1 <= j <= self.n_complete:
            raise ValueError(
                f"block {j} has no complete block before it (1 … {self.n_complete} have)."
            )
        lo = max(0, j - self.n_blocks)
        if lo < self._first_kept:
            raise ValueError(
                f"blocks before {self._first_kept} are no longer kept (keep={self.keep})."
            )
        start = lo - self._first_kept
        levels = np.stack(self._levels[start : j - self._first_kept])
        return np.quantile(levels, self.quantile, axis=0)
