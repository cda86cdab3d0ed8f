"""Filters: causal and stateful for live use, zero-phase for offline use only.

:class:`OnlineFilter` is the one filter of the live path and of any offline
run that must give the same result as the live path: a causal IIR cascade whose
state is kept between chunks, so that filtering a recording chunk by chunk
gives the same samples as filtering it whole.

:func:`filter_offline` and :func:`resample` wrap MNE's zero-phase FIR filters
and resampling. They are non-causal (each output sample depends on later input
samples), so they must never be used on a live stream, and their output
differs from :class:`OnlineFilter`'s.

:class:`OnlineResampler` changes the rate of a stream causally, chunk by
chunk, with its state kept: resampling chunk by chunk gives the same samples
as resampling the whole stream at once.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from scipy import signal

from ._checks import (
    _capture_mne_warnings,
    _check_int,
    _check_option,
    _check_positive,
    _check_sfreq,
    _is_raw,
    _mne_messages,
    _use_log_level,
)
from ._logging import logger

if TYPE_CHECKING:
    import mne
    from numpy.typing import ArrayLike


def _check_band(sfreq, l_freq, h_freq, notch, notch_harmonics=False):
    """Validate band edges and notch frequencies against the Nyquist frequency.

    Returns
    -------
    l_freq, h_freq : float | None
    notch_freqs : tuple of float
        Sorted, without repeats, harmonics added when asked for.
    """
    nyq = sfreq / 2.0
    where = f"the Nyquist frequency {nyq:g} Hz (sfreq={sfreq:g} Hz / 2)"
    l_freq = _check_positive(
        l_freq,
        "l_freq",
        allow_none=True,
        unit=" Hz",
        hint="Use l_freq=None for no high-pass edge (a low-pass filter).",
    )
    h_freq = _check_positive(
        h_freq,
        "h_freq",
        allow_none=True,
        unit=" Hz",
        hint="Use h_freq=None for no low-pass edge (a high-pass filter).",
    )
    if l_freq is not None and l_freq >= nyq:
        raise ValueError(
            f"l_freq={l_freq:g} Hz must be below {where}. Lower l_freq, or use data "
            f"sampled faster than {2 * l_freq:g} Hz."
        )
    if h_freq is not None and h_freq >= nyq:
        raise ValueError(
            f"h_freq={h_freq:g} Hz must be below {where}. Lower h_freq below {nyq:g} Hz "
            f"(e.g. {0.9 * nyq:g} Hz), pass h_freq=None for a high-pass filter only, or use "
            f"data sampled faster than {2 * h_freq:g} Hz."
        )
    if l_freq is not None and h_freq is not None and l_freq >= h_freq:
        raise ValueError(
            f"l_freq={l_freq:g} Hz must be below h_freq={h_freq:g} Hz for a band-pass "
            f"filter. Swap them if they were given the wrong way round; to remove a "
            f"narrow band (e.g. line noise) use notch= instead."
        )
    if notch is None:
        freqs = []
    elif isinstance(notch, numbers.Real) and not isinstance(notch, bool):
        freqs = [notch]
    else:
        try:
            freqs = list(notch)
        except TypeError:
            raise TypeError(
                f"notch must be None, a frequency in Hz or a list of them, got {notch!r}."
            ) from None
    checked = []
    for f in freqs:
        f = _check_positive(f, "notch", unit=" Hz", hint="Use notch=None for no notch.")
        if f >= nyq:
            raise ValueError(
                f"notch={f:g} Hz must be below {where}: frequencies at or above Nyquist "
                f"are not present in the data. Leave it out of notch=."
            )
        checked.append(f)
    if notch_harmonics:
        harmonics = []
        for f in checked:
            k = 2
            while k * f < nyq:
                harmonics.append(k * f)
                k += 1
        checked += harmonics
    return l_freq, h_freq, tuple(sorted(set(checked)))


def _describe(l_freq, h_freq):
    if l_freq is not None and h_freq is not None:
        return f"band-pass {l_freq:g}-{h_freq:g} Hz"
    if l_freq is not None:
        return f"high-pass {l_freq:g} Hz"
    if h_freq is not None:
        return f"low-pass {h_freq:g} Hz"
    return "no band edges"


class OnlineFilter:
    """Causal Butterworth band-pass plus notch, with state kept between chunks.

    The band-pass (or high-pass when ``h_freq`` is None, low-pass when
    ``l_freq`` is None) and the notch filters form one cascade of second-order
    sections, applied with :func:`scipy.signal.sosfilt`. Feeding a recording
    in chunks of any sizes gives the same output as feeding it whole.

    Parameters
    ----------
    sfreq : float
        Sampling frequency of the data in Hz.
    l_freq : float | None
        Lower pass-band edge (the high-pass cut-off, -3 dB) in Hz; ``None`` for
        no high-pass.
    h_freq : float | None
        Upper pass-band edge (the low-pass cut-off, -3 dB) in Hz; ``None`` for
        no low-pass. Must be below the Nyquist frequency ``sfreq / 2``.
    notch : float | list of float | None
        Frequencies to remove with IIR notch filters
        (:func:`scipy.signal.iirnotch`), e.g. 50 or 60 for line noise.
    order : int
        Order of the Butterworth design (:func:`scipy.signal.butter`): a
        band-pass of order ``n`` has ``2 n`` poles, a high- or low-pass ``n``.
    notch_q : float
        Quality factor of each notch: the -3 dB width of the notch is
        ``frequency / notch_q`` (about 2 Hz at 60 Hz for the default 30).
    notch_harmonics : bool
        Also remove the integer multiples of each notch frequency that lie
        below the Nyquist frequency (50 Hz at 256 Hz: 50 and 100 Hz).
    init : ``'steady'`` | ``'zeros'``
        State at the first sample. ``'steady'`` (default) starts each channel
        in the steady state of a constant input equal to its first sample
        (:func:`scipy.signal.sosfilt_zi` scaled by that sample), which avoids
        the large start transient of a DC offset; ``'zeros'`` starts from rest.
        Both depend only on the data, so chunked and whole filtering agree.

    Attributes
    ----------
    sos : ndarray, shape (n_sections, 6)
        The cascade: band-pass sections first, then one section per notch.
    notch_freqs : tuple of float
        The notch frequencies in use (harmonics included).
    n_channels : int | None
        Number of channels, fixed by the first chunk after construction or
        :meth:`reset`.

    Notes
    -----
    The filter is causal, so it delays the signal (the group delay of a
    4th-order Butterworth band-pass 0.5-40 Hz is a few tens of milliseconds in
    the pass band) and its phase response is not linear. Use
    :func:`filter_offline` only where that does not matter and nothing live
    needs to match.

    Examples
    --------
    >>> filt = OnlineFilter(256.0, 0.5, 40.0, notch=60.0)
    >>> for chunk in stream:  # doctest: +SKIP
    ...     out = filt.filter(chunk)
    """

    def __init__(
        self,
        sfreq: float,
        l_freq: float | None = 0.5,
        h_freq: float | None = 40.0,
        notch: float | Sequence[float] | None = None,
        order: int = 4,
        *,
        notch_q: float = 30.0,
        notch_harmonics: bool = False,
        init: str = "steady",
    ) -> None:
        self.sfreq = _check_sfreq(sfreq)
        self.l_freq, self.h_freq, self.notch_freqs = _check_band(
            self.sfreq, l_freq, h_freq, notch, notch_harmonics
        )
        self.order = _check_int(order, "order", minimum=1)
        self.notch_q = _check_positive(notch_q, "notch_q")
        self.notch_harmonics = bool(notch_harmonics)
        self.init = _check_option(init, "init", ("steady", "zeros"))
        self.sos = self._design()
        self._zi_unit = signal.sosfilt_zi(self.sos)  # (n_sections, 2)
        self.reset()
        logger.debug("Designed %r.", self)

    def _design(self):
        sections = []
        if self.l_freq is not None and self.h_freq is not None:
            sections.append(
                signal.butter(
                    self.order,
                    [self.l_freq, self.h_freq],
                    btype="bandpass",
                    output="sos",
                    fs=self.sfreq,
                )
            )
        elif self.l_freq is not None:
            sections.append(
                signal.butter(
                    self.order, self.l_freq, btype="highpass", output="sos", fs=self.sfreq
                )
            )
        elif self.h_freq is not None:
            sections.append(
                signal.butter(self.order, self.h_freq, btype="lowpass", output="sos", fs=self.sfreq)
            )
        for freq in self.notch_freqs:
            b, a = signal.iirnotch(freq, self.notch_q, fs=self.sfreq)
            sections.append(signal.tf2sos(b, a))
        if not sections:  # nothing asked for: one identity section
            sections.append(np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]]))
        return np.vstack(sections)

    def __repr__(self) -> str:
        notch = ""
        if self.notch_freqs:
            notch = f", notch {list(self.notch_freqs)} Hz (Q={self.notch_q:g})"
        return (
            f"<OnlineFilter | {_describe(self.l_freq, self.h_freq)}, Butterworth order "
            f"{self.order}{notch}, {len(self.sos)} sections, sfreq {self.sfreq:g} Hz, "
            f"init={self.init!r}, channels {self.n_channels}>"
        )

    @property
    def initialized(self) -> bool:
        """bool: Whether the state has been set by a first sample."""
        return self._zi is not None

    def reset(self) -> OnlineFilter:
        """Forget the state and the number of channels (start a new stream).

        Returns
        -------
        self : OnlineFilter
            The filter, for chaining.
        """
        self._zi = None
        self.n_channels = None
        return self

    def filter(self, chunk: ArrayLike) -> np.ndarray:
        """Filter the next chunk of a stream and advance the state.

        Parameters
        ----------
        chunk : array-like, shape (n_channels, n_times)
            The next samples, oldest first. ``n_times`` may be 0 or 1.
            ``n_channels`` must stay the same from chunk to chunk.

        Returns
        -------
        filtered : ndarray, shape (n_channels, n_times)
            The filtered samples (float64, a new array).

        Raises
        ------
        ValueError
            If the chunk is not 2-D, has a different number of channels than
            the first one, or holds NaN or infinite values. The state is left
            unchanged, so the stream can go on with the next good chunk.
        """
        x = np.asarray(chunk)
        if x.ndim != 2:
            raise ValueError(
                f"chunk must be a 2-D array of shape (n_channels, n_times), got shape "
                f"{x.shape}. For one channel pass chunk[np.newaxis]."
            )
        x = x.astype(np.float64, copy=False)
        if self.n_channels is None:
            self.n_channels = x.shape[0]
        elif x.shape[0] != self.n_channels:
            raise ValueError(
                f"chunk has {x.shape[0]} channel(s) but this OnlineFilter was started "
                f"with {self.n_channels}. Pass the same channels in every chunk, or call "
                f".reset() (or make a new filter) to start a stream with other channels."
            )
        if x.shape[1] == 0:
            return np.empty(x.shape, dtype=np.float64)
        finite = np.isfinite(x)
        if not finite.all():
            bad = np.flatnonzero(~finite.all(axis=1)).tolist()
            raise ValueError(
                f"chunk holds NaN or infinite samples in channel(s) {bad} (row indices); "
                f"filtering them would spoil the filter state for good, so the chunk was "
                f"rejected and the state left as it was. Replace those samples (e.g. hold "
                f"the last good value) before filtering."
            )
        if self._zi is None:
            if self.init == "steady":
                self._zi = self._zi_unit[:, np.newaxis, :] * x[np.newaxis, :, 0, np.newaxis]
            else:
                self._zi = np.zeros((len(self.sos), self.n_channels, 2))
        out, self._zi = signal.sosfilt(self.sos, x, axis=-1, zi=self._zi)
        return out


def _inst_sfreq(inst, sfreq, func, doing):
    """Return the checked sampling frequency of ``inst`` (a Raw's, or ``sfreq``).

    ``doing`` names what ``func`` does to an array, for the error message
    (``'filtering'``, ``'resampling'``).
    """
    if _is_raw(inst):
        if sfreq is not None and not np.isclose(float(sfreq), inst.info["sfreq"]):
            raise ValueError(
                f"{func}: sfreq={sfreq!r} does not match the Raw's sampling frequency "
                f"{inst.info['sfreq']:g} Hz. Pass sfreq=None with a Raw."
            )
        sfreq = float(inst.info["sfreq"])
    elif sfreq is None:
        raise ValueError(f"{func}: sfreq is required when {doing} an array.")
    return _check_sfreq(sfreq)


def _loaded_copy(raw):
    """Return a copy of ``raw`` with its data loaded."""
    out = raw.copy()
    if not out.preload:
        out.load_data(verbose="warning")
    return out


def _relay(records, what):
    for msg in _mne_messages(records):
        logger.warning("MNE, %s: %s", what, msg)


def filter_offline(
    inst: ArrayLike | mne.io.BaseRaw,
    sfreq: float | None = None,
    l_freq: float | None = 0.5,
    h_freq: float | None = 40.0,
    notch: float | Sequence[float] | None = None,
    *,
    notch_harmonics: bool = False,
    verbose: bool | str | int | None = None,
) -> np.ndarray | mne.io.BaseRaw:
    """Zero-phase FIR filtering of a whole recording. Offline use only.

    The filter is non-causal: each output sample depends on input samples
    that come later, so it cannot run on a live stream, and its output is not
    what :class:`OnlineFilter` gives. Use it for analysis and plots; use
    :class:`OnlineFilter` wherever offline results must match live ones.

    Parameters
    ----------
    inst : ndarray, shape (..., n_times) | mne.io.Raw
        The data (time on the last axis) or a recording.
    sfreq : float | None
        Sampling frequency in Hz; required for an array, ``None`` (or equal to
        ``raw.info['sfreq']``) for a Raw.
    l_freq : float | None
        High-pass edge in Hz (``None``: none).
    h_freq : float | None
        Low-pass edge in Hz (``None``: none); below the Nyquist frequency.
    notch : float | list of float | None
        Line-noise frequencies to remove (:func:`mne.filter.notch_filter`).
    notch_harmonics : bool
        Also remove the multiples of each notch frequency below Nyquist.
    verbose : bool | str | int | None
        Log level of this call (``None``: the package setting).

    Returns
    -------
    filtered : ndarray | mne.io.Raw
        A new array (float64) or a new Raw (loaded); the input is unchanged.

    Notes
    -----
    Uses MNE's defaults: a windowed-sinc FIR (``fir_design='firwin'``) with
    automatic length and transition bands, applied forward with its delay
    compensated (``phase='zero'``) (:func:`mne.filter.filter_data`,
    :meth:`mne.io.Raw.filter`).
    """
    with _use_log_level(verbose):
        sfreq = _inst_sfreq(inst, sfreq, "filter_offline", "filtering")
        l_freq, h_freq, freqs = _check_band(sfreq, l_freq, h_freq, notch, notch_harmonics)
        band = l_freq is not None or h_freq is not None
        with _capture_mne_warnings() as records:
            if _is_raw(inst):
                out = _loaded_copy(inst)
                if band:
                    out.filter(l_freq, h_freq, verbose="warning")
                if freqs:
                    out.notch_filter(list(freqs), verbose="warning")
            else:
                import mne

                out = np.array(inst, dtype=np.float64)  # a copy
                if band:
                    out = mne.filter.filter_data(
                        out, sfreq, l_freq, h_freq, copy=False, verbose="warning"
                    )
                if freqs:
                    out = mne.filter.notch_filter(
                        out, sfreq, list(freqs), copy=False, verbose="warning"
                    )
        _relay(records, "filter_offline")
        logger.info(
            "filter_offline: %s%s (zero-phase FIR, offline only).",
            _describe(l_freq, h_freq),
            f", notch {list(freqs)} Hz" if freqs else "",
        )
    return out


def resample(
    inst: ArrayLike | mne.io.BaseRaw,
    sfreq: float | None = None,
    new_sfreq: float | None = None,
    *,
    method: str = "fft",
    verbose: bool | str | int | None = None,
) -> np.ndarray | mne.io.BaseRaw:
    """Change the sampling frequency of a recording (offline).

    Parameters
    ----------
    inst : ndarray, shape (..., n_times) | mne.io.Raw
        The data (time on the last axis) or a recording.
    sfreq : float | None
        Current sampling frequency in Hz; required for an array, ``None`` (or
        equal to ``raw.info['sfreq']``) for a Raw.
    new_sfreq : float
        The sampling frequency wanted, in Hz.
    method : ``'fft'`` | ``'polyphase'``
        MNE's resampling method (:func:`mne.filter.resample`): ``'fft'``
        (default) anti-aliases in the frequency domain, ``'polyphase'`` with
        a zero-phase FIR (:func:`scipy.signal.resample_poly`).
    verbose : bool | str | int | None
        Log level of this call (``None``: the package setting).

    Returns
    -------
    resampled : ndarray | mne.io.Raw
        A new array with ``round(n_times * new_sfreq / sfreq)`` samples, or a
        new Raw (annotations kept); the input is unchanged.

    Notes
    -----
    Both methods are non-causal (offline only). For a live stream pick the
    rate at the source.
    """
    with _use_log_level(verbose):
        sfreq = _inst_sfreq(inst, sfreq, "resample", "resampling")
        if new_sfreq is None:
            raise ValueError(
                "resample: new_sfreq is required (the sampling frequency wanted, in Hz)."
            )
        new_sfreq = _check_sfreq(new_sfreq, "new_sfreq")
        _check_option(method, "method", ("fft", "polyphase"))
        with _capture_mne_warnings() as records:
            if _is_raw(inst):
                out = _loaded_copy(inst)
                if new_sfreq != sfreq:
                    out.resample(new_sfreq, method=method, verbose="warning")
            else:
                import mne

                out = np.array(inst, dtype=np.float64)
                if new_sfreq != sfreq:
                    out = mne.filter.resample(
                        out, up=new_sfreq, down=sfreq, method=method, verbose="warning"
                    )
        _relay(records, "resample")
        logger.info("resample: %g Hz -> %g Hz (%s).", sfreq, new_sfreq, method)
    return out


class OnlineResampler:
    """Causal polyphase resampling with state kept between chunks.

    A windowed-sinc anti-aliasing FIR (Kaiser window, as
    :func:`scipy.signal.resample_poly` designs it) applied causally at the
    rational rate ``up / down``: resampling a stream chunk by chunk gives the
    same samples as resampling it whole. Unlike the offline
    :func:`acquisition.resample` it delays the signal, by
    :attr:`delay` seconds.

    Parameters
    ----------
    sfreq : float
        Input rate, Hz.
    new_sfreq : float
        Output rate, Hz; ``new_sfreq / sfreq`` must be a ratio of integers up
        to ``max_denominator``.
    max_denominator : int
        Largest ``up`` or ``down`` accepted.

    Attributes
    ----------
    up, down : int
        The rational ratio.
    taps : ndarray
        The FIR filter (at the upsampled rate).
    delay : float
        Group delay in seconds.
    """

    def __init__(self, sfreq: float, new_sfreq: float, *, max_denominator: int = 1000) -> None:
        from scipy import signal

        self.sfreq = _check_sfreq(sfreq)
        self.new_sfreq = _check_sfreq(new_sfreq, "new_sfreq")
        ratio = Fraction(self.new_sfreq / self.sfreq).limit_denominator(max_denominator)
        if not math.isclose(
            self.sfreq * ratio.numerator / ratio.denominator, self.new_sfreq, rel_tol=1e-9
        ):
            raise ValueError(
                f"Cannot resample {self.sfreq:g} Hz to {self.new_sfreq:g} Hz with a ratio of "
                f"integers up to {max_denominator}; pick the rate at the source."
            )
        self.up, self.down = ratio.numerator, ratio.denominator
        max_rate = max(self.up, self.down)
        half = 10 * max_rate
        h = signal.firwin(2 * half + 1, 1.0 / max_rate, window=("kaiser", 5.0)) * self.up
        self.taps = h
        self._k = -(-h.size // self.up)  # taps per phase
        padded = np.zeros(self._k * self.up)
        padded[: h.size] = h
        self._phases = padded.reshape(self._k, self.up).T  # [p, j] = h[p + j * up]
        self.delay = half / (self.up * self.sfreq)
        self.reset()

    def reset(self) -> OnlineResampler:
        """Forget the state (start a new stream).

        Returns
        -------
        self : OnlineResampler
            The resampler.
        """
        self._hist = None
        self._n_in = 0
        self._n_out = 0
        return self

    def process(self, chunk: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Resample the next chunk.

        Parameters
        ----------
        chunk : ndarray, shape (n_channels, n_times)
            The next input samples.

        Returns
        -------
        out : ndarray, shape (n_channels, n_out)
            The output samples now due (float64).
        newest : ndarray of int, shape (n_out,)
            For each output sample, the index in ``chunk`` of the newest
            input sample it depends on.
        """
        x = np.asarray(chunk, dtype=np.float64)
        k = self._k
        if self._hist is None:
            if x.shape[1] == 0:
                return np.empty((x.shape[0], 0)), np.empty(0, dtype=int)
            self._hist = np.repeat(x[:, :1], k - 1, axis=1)  # steady start
        buf = np.concatenate([self._hist, x], axis=1)
        n_in = self._n_in + x.shape[1]
        last = (n_in * self.up - 1) // self.down if n_in else -1
        m = np.arange(self._n_out, last + 1)
        pos = m * self.down
        phase, newest = pos % self.up, pos // self.up  # newest input index (absolute)
        base = self._n_in - (k - 1)  # absolute index of buf[:, 0]
        idx = (newest - base)[:, np.newaxis] - np.arange(k)[np.newaxis, :]
        out = (buf[:, idx] * self._phases[phase][np.newaxis]).sum(axis=-1)
        self._hist = buf[:, buf.shape[1] - (k - 1) :] if k > 1 else buf[:, :0]
        self._n_in = n_in
        self._n_out = last + 1
        return out, newest - (n_in - x.shape[1])
