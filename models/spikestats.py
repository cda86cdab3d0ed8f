"""Spike statistics of a recording: how often each channel spikes, and when.

This is the first end-to-end path of the application: a recording is read
and its channel names standardized, filtered causally, encoded into spikes
with thresholds fitted on a baseline segment and then frozen, and the spike
rates are compared between segments (for example before and during a
seizure).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from acquisition import OnlineFilter, pick_placeable, read_raw
from neucube.encoders import make_encoder

from . import logger

if TYPE_CHECKING:
    import mne


@dataclass
class SpikeStatistics:
    """Spike rates of each channel in named segments of a recording.

    Attributes
    ----------
    fname : str
        The recording.
    ch_names : list of str
        Channels, standardized.
    sfreq : float
        Sampling rate in Hz.
    encoder : object
        The fitted encoder.
    segments : dict of str to (float, float)
        Segment name to (start, stop) in seconds.
    rates : dict of str to ndarray, shape (n_channels,)
        Spikes per channel per second (both polarities) in each segment.
    """

    fname: str
    ch_names: list
    sfreq: float
    encoder: object
    segments: dict = field(default_factory=dict)
    rates: dict = field(default_factory=dict)

    def ratio(self, num: str, den: str) -> np.ndarray:
        """Rate ratio between two segments, per channel (inf where den is 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.rates[num] / self.rates[den]


def segments_from_annotations(
    raw: mne.io.BaseRaw, description: str = "seizure"
) -> dict[str, tuple[float, float]]:
    """Split a recording into the time before, during and after an event.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording.
    description : str
        Annotation description of the event (case-insensitive substring).

    Returns
    -------
    segments : dict of str to (float, float)
        ``'before'``, ``'during'`` and, when there is time left,
        ``'after'``, each as (start, stop) seconds, from the first matching
        annotation.
    """
    duration = raw.n_times / raw.info["sfreq"]
    for annot in raw.annotations:
        if description.lower() in annot["description"].lower():
            onset = float(annot["onset"]) - raw.first_time
            stop = min(onset + float(annot["duration"]), duration)
            segments = {"before": (0.0, onset), "during": (onset, stop)}
            if stop < duration - 1.0 / raw.info["sfreq"]:
                segments["after"] = (stop, duration)
            return segments
    found = sorted({a["description"] for a in raw.annotations})
    raise ValueError(
        f"No annotation matching {description!r} in {raw.filenames[0] if raw.filenames else 'the recording'}; "
        f"its annotations are {found}. Pass segments explicitly."
    )


def spike_statistics(
    fname: str | os.PathLike,
    *,
    segments: dict[str, tuple[float, float]] | None = None,
    fit_segment: str = "before",
    encoder: str = "tbr",
    alpha: float = 0.5,
    l_freq: float | None = 0.5,
    h_freq: float | None = 40.0,
    notch: float | None = None,
) -> SpikeStatistics:
    """Encode a recording into spikes and report spike rates per segment.

    Parameters
    ----------
    fname : str | path-like
        An EEG recording (EDF, BDF, FIF, BrainVision, EEGLAB).
    segments : dict of str to (float, float) | None
        Named (start, stop) segments in seconds; by default the time before
        and during the first ``seizure`` annotation.
    fit_segment : str
        The segment on which the encoder's thresholds are fitted (then frozen
        for the whole recording).
    encoder : str
        ``'tbr'``, ``'step_forward'``, ``'moving_window'`` or ``'bsa'``.
    alpha : float
        Threshold factor of the delta encoders (``'bsa'`` has its own threshold).
    l_freq, h_freq : float | None
        Causal band-pass edges in Hz.
    notch : float | None
        Power-line frequency to notch out, in Hz.

    Returns
    -------
    stats : SpikeStatistics
        Rates per channel and segment.
    """
    raw = read_raw(fname)
    raw = pick_placeable(raw)
    sfreq = raw.info["sfreq"]
    if segments is None:
        segments = segments_from_annotations(raw)
    if fit_segment not in segments:
        raise ValueError(
            f"fit_segment must be one of the segments {sorted(segments)}, got {fit_segment!r}."
        )
    data = raw.get_data(units="uV")
    filt = OnlineFilter(sfreq, l_freq=l_freq, h_freq=h_freq, notch=notch)
    data = filt.filter(data)
    enc = make_encoder(encoder) if encoder == "bsa" else make_encoder(encoder, alpha=alpha)
    start, stop = (int(round(t * sfreq)) for t in segments[fit_segment])
    enc.fit(data[:, start:stop])
    spikes = enc.transform(data)
    stats = SpikeStatistics(str(fname), list(raw.ch_names), sfreq, enc, dict(segments))
    for name, (t0, t1) in segments.items():
        a, b = int(round(t0 * sfreq)), int(round(t1 * sfreq))
        seconds = (b - a) / sfreq
        if seconds <= 0:
            raise ValueError(f"Segment {name!r} ({t0}–{t1} s) is empty.")
        stats.rates[name] = np.count_nonzero(spikes[:, a:b], axis=1) / seconds
    logger.info(
        "%s: %d channels, %s encoder fitted on %r, mean rate %s",
        fname,
        len(raw.ch_names),
        encoder,
        fit_segment,
        ", ".join(f"{k} {v.mean():.2f}/s" for k, v in stats.rates.items()),
    )
    return stats
