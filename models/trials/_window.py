"""The analysis window inside stimulus-locked epochs."""

from __future__ import annotations


def window_slice(
    n_times: int, sfreq: float, tmin: float, tmax: float | None, epoch_tmin: float, who: str
) -> slice:
    """Return the samples of [tmin, tmax) in epochs whose first sample is at ``epoch_tmin``."""
    if tmax is not None and tmin >= tmax:
        raise ValueError(f"{who}: tmin ({tmin} s) must be below tmax ({tmax} s).")
    start = int(round((tmin - epoch_tmin) * sfreq))
    stop = n_times if tmax is None else int(round((tmax - epoch_tmin) * sfreq))
    if start < 0 or stop > n_times:
        end = epoch_tmin + n_times / sfreq
        raise ValueError(
            f"{who}: the window tmin={tmin} s, tmax={tmax} s does not fit in epochs of "
            f"{n_times} samples at {sfreq:g} Hz starting at epoch_tmin={epoch_tmin} s (they "
            f"span {epoch_tmin:g} to {end:g} s). Choose a window inside the epochs."
        )
    if stop - start < 2:
        raise ValueError(
            f"{who}: the window tmin={tmin} s, tmax={tmax} s holds fewer than 2 samples."
        )
    return slice(start, stop)
