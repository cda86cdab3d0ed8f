"""The counter channel: each sample's index, to prove none was dropped or doubled.

:class:`~acquisition.stream.FileReplay` appends it (:func:`add_counter_channel`)
and the sources check it as samples arrive (:class:`SampleCounter`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._checks import _is_raw

if TYPE_CHECKING:
    import mne
    from numpy.typing import ArrayLike

#: Name of the counter channel that :class:`~acquisition.stream.FileReplay`
#: appends (type ``'misc'``).
COUNTER_CH = "COUNTER"


def add_counter_channel(raw: mne.io.BaseRaw, name: str = COUNTER_CH) -> mne.io.BaseRaw:
    """Return a copy of a recording with a counter channel appended.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording.
    name : str
        Name of the new channel (type ``'misc'``).

    Returns
    -------
    raw : mne.io.Raw
        A new, loaded Raw whose last channel holds each sample's index
        (0, 1, 2, ... as float64, exact up to 2**53).
    """
    import mne

    if not _is_raw(raw):
        raise TypeError(
            f"raw must be an mne.io.Raw, got {type(raw).__name__}. Read one with "
            "acquisition.read_raw."
        )
    if name in raw.ch_names:
        raise ValueError(
            f"raw already has a channel named {name!r}; pass another name= for the counter."
        )
    out = raw.copy().load_data(verbose="error")
    info = mne.create_info([name], out.info["sfreq"], ["misc"])
    counter = mne.io.RawArray(
        np.arange(out.n_times, dtype=np.float64)[np.newaxis],
        info,
        first_samp=out.first_samp,
        verbose="error",
    )
    counter.set_meas_date(out.info["meas_date"])
    out.add_channels([counter], force_update_info=True)
    return out


class SampleCounter:
    """Check that a counter channel goes up by one from sample to sample.

    Feed it the counter values of each chunk in arrival order; it counts the
    samples that never arrived (gaps) and those that arrived twice or after
    later ones (repeats, rewinds).

    Attributes
    ----------
    n_received : int
        Counter values seen.
    n_dropped : int
        Indices skipped: the sum of ``step - 1`` over steps greater than one.
    n_repeated : int
        Values not greater than the one before (a duplicate sample, or the
        counter starting again, e.g. a replay restarted from its start).
    first, last : int | None
        First and last counter value seen.
    """

    def __init__(self) -> None:
        self.n_received = 0
        self.n_dropped = 0
        self.n_repeated = 0
        self.first: int | None = None
        self.last: int | None = None

    def update(self, values: ArrayLike) -> tuple[int, int]:
        """Take the counter values of the next chunk.

        Parameters
        ----------
        values : array-like, shape (n_samples,)
            Counter values in arrival order.

        Returns
        -------
        n_dropped, n_repeated : int
            What this chunk added to the counts.
        """
        values = np.rint(np.asarray(values, dtype=np.float64)).astype(np.int64)
        if values.size == 0:
            return 0, 0
        if self.last is None:
            self.first = int(values[0])
            steps = np.diff(values)
        else:
            steps = np.diff(np.concatenate([[self.last], values]))
        dropped = int((steps[steps > 1] - 1).sum())
        repeated = int(np.count_nonzero(steps < 1))
        self.n_received += int(values.size)
        self.n_dropped += dropped
        self.n_repeated += repeated
        self.last = int(values[-1])
        return dropped, repeated

    def missing_after(self, n_total: int) -> int:
        """Count the samples not received of a recording of ``n_total`` samples (gaps and tail).

        Parameters
        ----------
        n_total : int
            Number of samples the sender sent (counter values 0 … n_total - 1).

        Returns
        -------
        n_missing : int
            Gaps inside plus samples never received at the start or the end.
        """
        if self.last is None:
            return int(n_total)
        return int(self.n_dropped + self.first + max(0, n_total - 1 - self.last))

    def __repr__(self) -> str:
        return (
            f"<SampleCounter | {self.n_received} received, {self.n_dropped} dropped, "
            f"{self.n_repeated} repeated, last {self.last}>"
        )
