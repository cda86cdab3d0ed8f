"""Seizure detection on recorded EEG: windows → spikes → cube → events.

:class:`SeizureDetector` reads a recording the way the live path does: the
model's channels are picked (missing ones handled, see below), the signal is
resampled to the model's rate if needed, filtered causally, and cut into
sliding windows (2 s, hop 1 s by default). Each window gets a seizure
probability, and runs of windows above a threshold become events
(:func:`models.seizure.events.events_from_probabilities`), each with the channels
most involved.

Two classifiers share every other step, so they can be compared fairly:

``'neucube'``
    TBR spikes → the NeuCube cube with STDP → a readout
    (:class:`~models.classifier.NeuCubeClassifier`).
``'features'``
    the classic patient-specific detector's features (line length and log
    band powers per channel) → logistic regression: the non-spiking baseline.

Robustness:

- channels the model needs but the recording lacks are filled with a flat
  line (they send no spikes) when at most ``max_missing`` of them are
  missing, with a warning naming them; more is an error listing them;
- a flat channel (peak-to-peak below ``flat_uv``) or a disconnected or
  saturated one (beyond ``max_abs_uv``) in a window is flagged and set flat in
  that window, so it can never cause an alert;
- another sampling rate is resampled to the model's, and the log says so;
- a monopolar recording is re-referenced into a bipolar model's pairs
  (:func:`acquisition.to_bipolar`), and the log says so.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.signal import welch

from .. import logger
from ..classifier import DEFAULT_BAND

if TYPE_CHECKING:
    from pathlib import Path

    import mne
    import numpy.typing as npt

    from acquisition import BackgroundLevel
    from neucube.cube import CubeActivity

BANDS = ((0.5, 4.0), (4.0, 8.0), (8.0, 13.0), (13.0, 30.0))
#: NeuCube's operating point for the detector's cube: its threshold as is, STDP
#: within +-2, absolute amplitudes (combine with a ``readout``).
NEUCUBE_DETECTOR_PRESET = {"background": None, "band": None, "weight_bound": None}
# A channel whose background line length is below this (µV per sample) is flat.
_FLAT_LEVEL = 1e-3
#: File name of the shipped chb01 seizure model inside ``models/data``.
SHIPPED_MODEL = "chb01_seizure.npz"


def shipped_model_path() -> Path:
    """Return the path of the seizure model shipped with the package.

    Returns
    -------
    path : pathlib.Path
        ``models/data/chb01_seizure.npz``: the cube detector trained on all
        seven chb01 seizures (see ``models/data/README.md``).
    """
    from importlib.resources import files
    from pathlib import Path

    return Path(str(files("models") / "data" / SHIPPED_MODEL))


@dataclass
class WindowScores:
    """What :meth:`SeizureDetector.score_windows` found on a batch of windows.

    Attributes
    ----------
    proba : ndarray, shape (n_windows,)
        Seizure probability of each window.
    channel_scores : ndarray, shape (n_windows, n_channels)
        Rise of each channel's activity over the training background
        (z-score); ``-inf`` for flagged channel-windows.
    activity : neucube.cube.CubeActivity | None
        The cube's spikes (None for ``method='features'``).
    spikes : ndarray of int8 | None
        The encoder's spikes that drove the cube, (n_windows, n_channels,
        n_samples) (None for ``method='features'``).
    """

    proba: np.ndarray
    channel_scores: np.ndarray
    activity: object = None
    spikes: np.ndarray | None = None


@dataclass
class Detection:
    """What the detector found in one recording.

    Attributes
    ----------
    events : list of SeizureEvent
        Detected seizures.
    times : ndarray, shape (n_windows,)
        Onset of each window in seconds from the recording start.
    proba : ndarray, shape (n_windows,)
        Seizure probability of each window.
    channel_scores : ndarray, shape (n_windows, n_channels)
        How much each channel's activity rose over the training background
        (z-score of its spike or line-length rate).
    ch_names : list of str
        The model's channels.
    flagged : dict of str to int
        Channel → number of windows in which it was flat or disconnected.
    missing : list of str
        Model channels the recording lacked (filled flat).
    duration : float
        Length of the recording in seconds.
    sfreq : float
        Sampling rate the model ran at.
    resampled_from : float | None
        The recording's own rate, when it was resampled.
    """

    events: list
    times: np.ndarray
    proba: np.ndarray
    channel_scores: np.ndarray
    ch_names: list
    flagged: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    duration: float = 0.0
    sfreq: float = 0.0
    resampled_from: float | None = None


def window_features(windows: np.ndarray, sfreq: float) -> np.ndarray:
    """Line length and log band powers per channel: the classic features.

    Parameters
    ----------
    windows : ndarray, shape (n_windows, n_channels, n_times)
        EEG windows in µV.
    sfreq : float
        Sampling rate in Hz.

    Returns
    -------
    features : ndarray, shape (n_windows, n_channels * 5)
        Per channel: log line length (mean absolute difference) and the log
        power in the delta, theta, alpha and beta bands.
    """
    windows = np.asarray(windows, dtype=float)
    ll = np.mean(np.abs(np.diff(windows, axis=-1)), axis=-1)
    freqs, psd = welch(windows, fs=sfreq, nperseg=min(windows.shape[-1], int(sfreq)), axis=-1)
    powers = [psd[..., (freqs >= lo) & (freqs < hi)].mean(axis=-1) for lo, hi in BANDS]
    feats = np.stack([ll, *powers], axis=-1)  # (n_windows, n_channels, 5)
    return np.log(feats + 1e-6).reshape(len(windows), -1)


class SeizureDetector:
    """Patient-specific seizure detector on sliding windows.

    Parameters
    ----------
    ch_names : list of str | None
        The model's channels; by default those of the first training
        recording.
    sfreq : float
        Rate the model runs at, Hz (recordings at other rates are resampled).
    window, hop : float
        Window length and hop in seconds.
    l_freq, h_freq : float
        Causal band-pass in Hz.
    notch : float | None
        Power-line frequency in Hz (CHB-MIT: 60).
    method : ``'neucube'`` | ``'features'``
        The cube, or the non-spiking baseline (see the module's notes).
    readout : ``'bins'`` | ``'counts'`` | ``'desnn'``
        The cube's readout (``method='neucube'``, see
        :class:`~models.classifier.NeuCubeClassifier`).
    alpha : float
        TBR threshold factor.
    background : float | None
        Seconds of past EEG whose background level scales the cube's input
        (``method='neucube'``): each window is divided, channel by channel, by
        the ``background_quantile`` of the line lengths of the one-hop blocks
        of the last ``background`` seconds up to the window's end
        (:class:`acquisition.BackgroundLevel`, causal: live and offline
        agree), so the encoder's thresholds follow the recording's own
        background instead of absolute µV. ``None``: absolute amplitudes, as
        NeuCube encodes them.
    background_quantile : float
        The quantile of the blocks' line lengths that is the background: 0.1,
        the quiet tenth, which a seizure moves only once it fills nine tenths
        of the ``background`` seconds. The first windows of a recording are
        scaled by the little EEG before them (at the first window, its own).
    band : tuple of float | None
        Activity band the cube is calibrated into, spikes per neuron per step
        (``None``: NeuCube's threshold), see
        :class:`~models.classifier.NeuCubeClassifier`.
    weight_bound : float | None
        STDP bound relative to the strongest initial weight (``None``:
        NeuCube's +-2).
    n_passes : int
        STDP passes over the training windows.
    threshold : float
        Probability above which a window counts as seizure.
    min_duration : float
        Shortest event kept, seconds.
    merge_gap : float
        Events closer than this are merged, seconds.
    max_missing : float
        Largest share of the model's channels a recording may lack.
    flat_uv, max_abs_uv : float
        A channel whose peak-to-peak in a window is below ``flat_uv`` µV, or
        whose absolute value exceeds ``max_abs_uv`` µV, is flagged there.
    n_top_channels : int
        Channels reported per event.
    target : str
        Brian2 code-generation target.
    random_state : int
        Seed of the cube.
    """

    #: Windows per cube call in :meth:`detect` (10 min at a 1 s hop): the
    #: windows are copied out of the recording one batch at a time.
    _batch_windows = 600

    def __init__(
        self,
        ch_names=None,
        sfreq=256.0,
        *,
        window=2.0,
        hop=1.0,
        l_freq=0.5,
        h_freq=40.0,
        notch=60.0,
        method="neucube",
        readout="bins",
        alpha=0.5,
        background=300.0,
        background_quantile=0.1,
        band=DEFAULT_BAND,
        weight_bound=2.0,
        n_passes=1,
        threshold=0.5,
        min_duration=3.0,
        merge_gap=10.0,
        max_missing=0.2,
        flat_uv=1.0,
        max_abs_uv=2000.0,
        n_top_channels=3,
        target="auto",
        random_state=0,
    ):
        self.ch_names = ch_names
        self.sfreq = sfreq
        self.window = window
        self.hop = hop
        self.l_freq = l_freq
        self.h_freq = h_freq
        self.notch = notch
        self.method = method
        self.readout = readout
        self.alpha = alpha
        self.background = background
        self.background_quantile = background_quantile
        self.band = band
        self.weight_bound = weight_bound
        self.n_passes = n_passes
        self.threshold = threshold
        self.min_duration = min_duration
        self.merge_gap = merge_gap
        self.max_missing = max_missing
        self.flat_uv = flat_uv
        self.max_abs_uv = max_abs_uv
        self.n_top_channels = n_top_channels
        self.target = target
        self.random_state = random_state

    # -- parameters --------------------------------------------------------------

    _PARAMS = (
        "ch_names",
        "sfreq",
        "window",
        "hop",
        "l_freq",
        "h_freq",
        "notch",
        "method",
        "readout",
        "alpha",
        "background",
        "background_quantile",
        "band",
        "weight_bound",
        "n_passes",
        "threshold",
        "min_duration",
        "merge_gap",
        "max_missing",
        "flat_uv",
        "max_abs_uv",
        "n_top_channels",
        "target",
        "random_state",
    )

    def get_params(self) -> dict:
        """Return the constructor parameters as a dict."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def _param_checks(self):
        """Return how each parameter is checked: name -> function of its value (raises).

        In the order of the constructor, so that a check that looks at
        another parameter (``hop`` at ``window``, ``h_freq`` at ``l_freq``
        and ``sfreq``) comes after that one's own.
        """
        from acquisition.filters import _check_band
        from neucube._checks import check_band, check_ch_names, check_int, check_seed
        from neucube.cube import _param_checks as cube_param_checks
        from neucube.encoders import make_encoder

        from .._checks import check_number
        from ..classifier import _check_readout, _check_weight_bound

        def number(name, **bounds):
            return lambda v: check_number(v, name, **bounds)

        def window(value):
            value = check_number(value, "window", minimum=0, strict=True)
            if round(value * self.sfreq) < 2:
                raise ValueError(
                    f"window must hold at least 2 samples at {self.sfreq:g} Hz, got {value:g} s."
                )

        def hop(value):
            value = check_number(value, "hop")
            if not 0 < value <= self.window or round(value * self.sfreq) < 1:
                raise ValueError(
                    f"hop must be in (0, window] seconds and hold a sample, got hop={value!r}, "
                    f"window={self.window!r}."
                )

        def band_edges(l_freq, h_freq, notch):
            # the filter's own checks, without their advice on arguments (a file has none)
            try:
                _check_band(self.sfreq, l_freq, h_freq, notch)
            except ValueError as err:
                raise ValueError(str(err).split(". ")[0].rstrip(".") + ".") from None

        def method(value):
            if value not in ("neucube", "features"):
                raise ValueError(f"method must be 'neucube' or 'features', got {value!r}.")

        def background(value):
            value = check_number(value, "background", allow_none=True)
            if value is not None and not value >= self.hop:
                raise ValueError(
                    f"background must be None or at least one hop ({self.hop} s), got {value!r}."
                )

        def threshold(value):
            if not 0 <= check_number(value, "threshold") <= 1:
                raise ValueError(f"threshold must be a probability in [0, 1], got {value!r}.")

        def max_missing(value):
            if not 0 <= check_number(value, "max_missing") < 1:
                raise ValueError(f"max_missing must be in [0, 1), got {value!r}.")

        return {
            "ch_names": lambda v: v is None or check_ch_names(v, "ch_names"),
            "sfreq": number("sfreq", minimum=0, strict=True),
            "window": window,
            "hop": hop,
            "l_freq": lambda v: band_edges(v, None, None),
            "h_freq": lambda v: band_edges(self.l_freq, v, None),
            "notch": lambda v: band_edges(None, None, v),
            "method": method,
            "readout": _check_readout,
            "alpha": lambda v: make_encoder("tbr", alpha=v)._check_params(),
            "background": background,
            "background_quantile": number("background_quantile", minimum=0, strict=True, maximum=1),
            "band": lambda v: v is None or check_band(v),
            "weight_bound": _check_weight_bound,
            "n_passes": lambda v: check_int(v, "n_passes", min_value=0),
            "threshold": threshold,
            "min_duration": number("min_duration", minimum=0),
            "merge_gap": number("merge_gap", minimum=0),
            "max_missing": max_missing,
            "flat_uv": number("flat_uv", minimum=0),
            "max_abs_uv": number("max_abs_uv", minimum=0, strict=True),
            "n_top_channels": lambda v: check_int(v, "n_top_channels", min_value=0),
            "target": cube_param_checks({})["target"],
            "random_state": check_seed,
        }

    def _check_params(self, fname=None):
        """Check every parameter; fit does, and so does :meth:`load` (naming the file's field)."""
        from neucube.persistence import check_fields

        check_fields(self.get_params(), self._param_checks(), section="detector", fname=fname)

    # -- background level ----------------------------------------------------------

    @property
    def follows_background(self) -> bool:
        """Whether the cube's input is scaled by the recording's background (bool)."""
        return self.method == "neucube" and self.background is not None

    def background_level(self, margin: int | None = None) -> BackgroundLevel:
        """Return a tracker of the background level in the model's blocks (one hop each).

        Parameters
        ----------
        margin : int | None
            Blocks to keep beyond the ``background / hop`` the quantile needs
            (a live stream); ``None`` keeps all, for a whole recording.

        Returns
        -------
        level : acquisition.BackgroundLevel
            Fed with prepared (filtered) EEG by :meth:`detect` and the live
            pipeline alike.
        """
        from acquisition import BackgroundLevel

        n_hop = int(round(self.hop * self.sfreq))
        n_blocks = max(1, int(round(self.background / self.hop)))
        keep = None if margin is None else n_blocks + int(margin)
        return BackgroundLevel(
            len(self.ch_names), n_hop, n_blocks, quantile=self.background_quantile, keep=keep
        )

    def window_scales(self, level: BackgroundLevel, indices: npt.ArrayLike) -> np.ndarray:
        """Background scale of windows, from a tracker fed up to their ends.

        Parameters
        ----------
        level : acquisition.BackgroundLevel
            The recording's tracker (see :meth:`background_level`).
        indices : array-like of int
            Window numbers (window ``k`` starts ``k`` hops into the recording).

        Returns
        -------
        scales : ndarray, shape (n_windows, n_channels)
            The background line length of each channel over the blocks before
            each window's end; 1 where a channel is flat (missing or
            disconnected), whose zeros need no scaling.
        """
        n_hop = int(round(self.hop * self.sfreq))
        n_window = int(round(self.window * self.sfreq))
        ends = (np.asarray(indices, dtype=np.int64) * n_hop + n_window) // n_hop
        if not len(ends):
            return np.ones((0, len(self.ch_names)))
        scales = np.stack([level.level(int(j)) for j in ends])
        return np.where(scales > _FLAT_LEVEL, scales, 1.0)

    def _scales(self, data, n_windows):
        if not self.follows_background:
            return None
        return self.window_scales(self.background_level().update(data), np.arange(n_windows))

    def _scaled(self, X, scale):
        if scale is None or not self.follows_background:
            return X
        return X / np.asarray(scale)[:, :, np.newaxis]

    # -- data preparation --------------------------------------------------------

    def prepare(self, raw: mne.io.BaseRaw) -> tuple[np.ndarray, dict]:
        """Pick, resample and filter a recording the way the model expects.

        Parameters
        ----------
        raw : mne.io.Raw
            The recording (channel names standardized, as
            :func:`acquisition.read_raw` leaves them).

        Returns
        -------
        data : ndarray, shape (n_model_channels, n_times)
            Filtered EEG in µV, in the model's channel order.
        info : dict
            ``missing`` channels, ``resampled_from`` (or None), ``duration``.
        """
        from acquisition import OnlineFilter, resample

        fname = raw.filenames[0] if raw.filenames and raw.filenames[0] else "the recording"
        ch_names = list(self.ch_names)
        raw = self._to_model_montage(raw, fname)
        present, missing = self._match_channels(raw.ch_names, fname)
        resampled_from = None
        sfreq = raw.info["sfreq"]
        picked = raw.copy().pick(present)
        if abs(sfreq - self.sfreq) > 1e-6:
            logger.warning(
                "%s is sampled at %g Hz; resampled to the model's %g Hz.", fname, sfreq, self.sfreq
            )
            picked = resample(picked, new_sfreq=self.sfreq)
            resampled_from = sfreq
        data = np.zeros((len(ch_names), picked.n_times))
        rows = [ch_names.index(c) for c in picked.ch_names]
        data[rows] = picked.get_data(units="uV")
        duration = picked.n_times / self.sfreq
        if duration < self.window:
            raise ValueError(
                f"{fname} is {duration:.1f} s long, shorter than one {self.window:g} s window: "
                "nothing to detect on."
            )
        filt = OnlineFilter(self.sfreq, l_freq=self.l_freq, h_freq=self.h_freq, notch=self.notch)
        data = filt.filter(data)
        data[[ch_names.index(c) for c in missing]] = 0.0
        return data, {"missing": missing, "resampled_from": resampled_from, "duration": duration}

    def _match_channels(self, available, fname):
        """Split the model's channels into present and missing (the degraded-mode rule).

        Shared by :meth:`prepare` and the live pipeline (:mod:`models.seizure.live`).
        """
        ch_names = list(self.ch_names)
        present = [c for c in ch_names if c in available]
        missing = [c for c in ch_names if c not in available]
        if len(missing) > self.max_missing * len(ch_names) or not present:
            raise ValueError(
                f"{fname} lacks {len(missing)} of the model's {len(ch_names)} channels: "
                f"{missing}; at most {int(self.max_missing * len(ch_names))} may be missing "
                f"(max_missing={self.max_missing}). Re-reference the recording into the model's "
                "montage (acquisition.to_bipolar) or train a model on its channels."
            )
        if missing:
            logger.warning(
                "%s lacks %d of the model's channels (%s): they are left flat and send no "
                "spikes (degraded mode).",
                fname,
                len(missing),
                ", ".join(missing),
            )
        return present, missing

    def _to_model_montage(self, raw, fname):
        """Re-reference monopolar EEG into the model's bipolar pairs when needed."""
        from acquisition import parse_channel_name, to_bipolar

        if sum(c in raw.ch_names for c in self.ch_names) >= len(self.ch_names) / 2:
            return raw
        labels = []
        for name in self.ch_names:
            try:
                labels.append(parse_channel_name(name))
            except ValueError:
                return raw
        if any(lab.kind != "bipolar" for lab in labels):
            return raw
        try:
            bipolar = to_bipolar(raw, [lab.electrodes for lab in labels], on_missing="warn")
        except ValueError:
            return raw  # not a monopolar recording of these electrodes
        logger.warning(
            "%s is not in the model's bipolar montage: re-referenced into its pairs.", fname
        )
        return bipolar

    def windows(self, data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cut prepared data into windows, flattening flagged channel-windows.

        Parameters
        ----------
        data : ndarray, shape (n_channels, n_times)
            Output of :meth:`prepare`.

        Returns
        -------
        windows : ndarray, shape (n_windows, n_channels, n_samples)
            A copy, with flat or disconnected channels set to 0 per window.
        times : ndarray, shape (n_windows,)
            Window onsets in seconds.
        bad : ndarray of bool, shape (n_windows, n_channels)
            Which channel-windows were flagged.
        """
        from acquisition import sliding_windows

        win, times = sliding_windows(data, self.sfreq, window=self.window, hop=self.hop)
        win = np.array(win)
        ptp = np.ptp(win, axis=-1)
        bad = (ptp < self.flat_uv) | (np.abs(win).max(axis=-1) > self.max_abs_uv)
        win[bad] = 0.0
        return win, np.asarray(times), bad

    def _labelled_windows(self, raw, description):
        from .events import events_from_annotations

        data, _ = self.prepare(raw)
        win, times, bad = self.windows(data)
        win = self._scaled(win, self._scales(data, len(win)))
        events = events_from_annotations(raw, description=description)
        overlap = np.zeros(len(times))
        for ev in events:
            lo = np.maximum(times, ev.onset)
            hi = np.minimum(times + self.window, ev.onset + ev.duration)
            overlap += np.clip(hi - lo, 0, None)
        return win, (overlap >= self.window / 2).astype(int), bad

    # -- training ----------------------------------------------------------------

    def fit(self, raws: list[mne.io.BaseRaw], description: str = "seizure") -> SeizureDetector:
        """Train on annotated recordings.

        Parameters
        ----------
        raws : list of mne.io.Raw
            Recordings of the patient with their seizures annotated.
        description : str
            Annotation description marking a seizure (case-insensitive
            substring).

        Returns
        -------
        self : SeizureDetector
            The trained detector.
        """
        self._check_params()
        raws = list(raws)
        if not raws:
            raise ValueError("fit needs at least one annotated recording.")
        if self.ch_names is None:
            self.ch_names = list(raws[0].ch_names)
        parts = [self._labelled_windows(raw, description) for raw in raws]
        X = np.concatenate([p[0] for p in parts])
        y = np.concatenate([p[1] for p in parts])
        if len(np.unique(y)) < 2:
            raise ValueError(
                f"The training recordings hold {int(y.sum())} seizure and {int((y == 0).sum())} "
                f"other windows: both are needed. Check the '{description}' annotations."
            )
        self.fit_windows(X, y)
        logger.info(
            "SeizureDetector (%s) trained on %d recordings: %d seizure and %d other windows",
            self.method,
            len(raws),
            int(y.sum()),
            int((y == 0).sum()),
        )
        return self

    def fit_windows(self, X: np.ndarray, y: np.ndarray) -> SeizureDetector:
        """Train on windows already prepared (see :meth:`prepare`, :meth:`windows`).

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples)
            Windows in µV.
        y : ndarray of int, shape (n_windows,)
            1 for seizure windows, 0 otherwise.

        Returns
        -------
        self : SeizureDetector
            The trained detector.
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        from ..classifier import NeuCubeClassifier

        self._check_params()
        y = np.asarray(y).astype(int)
        if self.method == "neucube":
            self.classifier_ = NeuCubeClassifier(
                list(self.ch_names),
                self.sfreq,
                alpha=self.alpha,
                readout=self.readout,
                band=None if self.band is None else tuple(self.band),
                weight_bound=self.weight_bound,
                n_passes=self.n_passes,
                target=self.target,
                random_state=self.random_state,
            ).fit(X, y)
        else:
            self.classifier_ = make_pipeline(
                StandardScaler(), LogisticRegression(C=0.1, max_iter=2000, class_weight="balanced")
            ).fit(window_features(X, self.sfreq), y)
        rates = self._channel_rates(X[y == 0])
        self.background_ = np.stack([rates.mean(axis=0), rates.std(axis=0) + 1e-9])
        return self

    def _channel_rates(self, X, spikes=None):
        """Per-window activity per channel: spike rate (cube) or line length."""
        if self.method == "neucube":
            if spikes is None:
                spikes = self.classifier_.encoder_.transform(X)
            return np.count_nonzero(spikes, axis=-1) / (X.shape[-1] / self.sfreq)
        return np.mean(np.abs(np.diff(X, axis=-1)), axis=-1)

    def score_windows(
        self, X: np.ndarray, bad: np.ndarray | None = None, scale: np.ndarray | None = None
    ) -> WindowScores:
        """Score windows in one pass: probability, channel scores, spikes.

        Each window is encoded once and run through the cube once; the
        offline :meth:`detect` and the live pipeline both score this way.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples)
            Prepared windows in µV (see :meth:`windows`).
        bad : ndarray of bool, shape (n_windows, n_channels) | None
            Flagged channel-windows: their score is ``-inf``, so they are
            never reported as involved.
        scale : ndarray, shape (n_windows, n_channels) | None
            Background scale of each window (:meth:`window_scales`); the
            cube's input is divided by it when the detector follows the
            background. ``None``: unscaled.

        Returns
        -------
        scores : WindowScores
            ``proba`` (n_windows,), ``channel_scores`` (n_windows,
            n_channels), and for the cube its ``activity`` and the input
            ``spikes`` (None for ``method='features'``).
        """
        if not hasattr(self, "classifier_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                "This SeizureDetector is not trained yet: call fit or load a model."
            )
        activity = spikes = None
        if self.method == "neucube":
            X = self._scaled(X, scale)
            activity, spikes = self.classifier_.transform(X, return_spikes=True)
            proba = self.classifier_.readout_.predict_proba(activity)
        else:
            proba = self.classifier_.predict_proba(window_features(X, self.sfreq))
        classes = list(self.classifier_.classes_)
        proba = proba[:, classes.index(1)] if 1 in classes else np.zeros(len(X))
        rates = self._channel_rates(X, spikes)
        channel_scores = (rates - self.background_[0]) / self.background_[1]
        if bad is not None:
            channel_scores[bad] = -np.inf
        return WindowScores(proba, channel_scores, activity, spikes)

    def predict_proba_windows(
        self, X: np.ndarray, *, return_activity: bool = False
    ) -> np.ndarray | tuple[np.ndarray, CubeActivity | None]:
        """Seizure probability of each window.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples)
            Prepared windows in µV.
        return_activity : bool
            Also return what the cube did on the windows (for display), from
            the same single cube run.

        Returns
        -------
        proba : ndarray, shape (n_windows,)
            Probability of the seizure class.
        activity : neucube.cube.CubeActivity | None
            Only with ``return_activity=True``: the cube's spikes on the
            windows (None for ``method='features'``).
        """
        scored = self.score_windows(X)
        return (scored.proba, scored.activity) if return_activity else scored.proba

    def detect(self, raw: mne.io.BaseRaw, *, progress_bar: bool | None = None) -> Detection:
        """Find seizures in a recording.

        Parameters
        ----------
        raw : mne.io.Raw
            The recording.
        progress_bar : bool | None
            Show a progress bar; ``None`` follows the log level.

        Returns
        -------
        detection : Detection
            Events, window probabilities and what was flagged.
        """
        from acquisition import sliding_windows
        from neucube._logging import progress

        from .events import events_from_probabilities

        data, info = self.prepare(raw)
        # a view: the windows themselves are copied batch by batch below, so
        # an hour never holds all its windows at once
        _, times = sliding_windows(data, self.sfreq, window=self.window, hop=self.hop)
        n_windows = len(times)
        n_hop = int(round(self.hop * self.sfreq))
        n_window = int(round(self.window * self.sfreq))
        scale = self._scales(data, n_windows)
        proba = np.empty(n_windows)
        scores = np.empty((n_windows, len(self.ch_names)))
        bad = np.zeros((n_windows, len(self.ch_names)), dtype=bool)
        batch = self._batch_windows
        batches = range(0, n_windows, batch)
        if progress_bar is None:
            batches = progress(batches, desc="windows", unit="batch")
        elif progress_bar and len(batches) > 1:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="detecting", unit="10 min", leave=False)
        for a in batches:
            b = min(n_windows, a + batch)
            win, _, bad[a:b] = self.windows(data[:, a * n_hop : (b - 1) * n_hop + n_window])
            part = None if scale is None else scale[a:b]
            scored = self.score_windows(win, bad[a:b], part)
            proba[a:b] = scored.proba
            scores[a:b] = scored.channel_scores
            del win, scored
        events = events_from_probabilities(
            proba,
            times,
            window=self.window,
            threshold=self.threshold,
            min_duration=self.min_duration,
            merge_gap=self.merge_gap,
            channel_scores=scores,
            ch_names=list(self.ch_names),
            n_channels=self.n_top_channels,
        )
        flagged = {
            self.ch_names[c]: int(n)
            for c, n in enumerate(bad.sum(axis=0))
            if n and self.ch_names[c] not in info["missing"]
        }
        if flagged:
            logger.warning(
                "Flat or disconnected channel-windows set flat (never a cause of alerts): %s",
                ", ".join(f"{k} ({v} windows)" for k, v in flagged.items()),
            )
        return Detection(
            events=events,
            times=times,
            proba=proba,
            channel_scores=scores,
            ch_names=list(self.ch_names),
            flagged=flagged,
            missing=info["missing"],
            duration=info["duration"],
            sfreq=self.sfreq,
            resampled_from=info["resampled_from"],
        )

    # -- persistence -------------------------------------------------------------

    def save(self, fname: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Save a trained cube detector (``method='neucube'``) to one ``.npz`` file.

        Parameters
        ----------
        fname : path-like
            Destination.
        overwrite : bool
            Whether an existing file may be replaced.

        Returns
        -------
        fname : pathlib.Path
            The file written.
        """
        if self.method != "neucube":
            raise ValueError("Only the cube detector (method='neucube') is saved as a model file.")
        detector = {"params": json.dumps(self.get_params()), "background": self.background_}
        return self.classifier_.save(fname, overwrite=overwrite, extra={"detector": detector})

    @classmethod
    def load(cls, fname: str | os.PathLike) -> SeizureDetector:
        """Load a detector saved with :meth:`save`.

        Every field is checked before the detector is built: those of its
        classifier (:meth:`NeuCubeClassifier.load
        <models.classifier.NeuCubeClassifier.load>`), then the parameters in
        the ``detector`` section with the checks ``fit`` runs, their
        agreement with the classifier, and the training background.

        Parameters
        ----------
        fname : path-like
            The model file.

        Returns
        -------
        detector : SeizureDetector
            The trained detector.

        Raises
        ------
        neucube.persistence.CubeFileError
            If the file is not a cube file, or holds no seizure detector.
        models.io.ModelFileError
            If a field is missing, unknown, of the wrong type or out of range
            (the error names the file and the field).
        """
        from neucube.persistence import CubeFileError, check_fields, check_keys

        from .._modelfile import json_field, model_fields
        from ..classifier import NeuCubeClassifier

        with model_fields(fname):
            clf = NeuCubeClassifier.load(fname)
            extra = getattr(clf.cube_, "extra_", {}) or {}
            if "detector" not in extra:
                raise CubeFileError(
                    f"{fname} is a NeuCubeClassifier but not a seizure detector model. Train one "
                    "with `neucube train --task seizure`.",
                    fname=fname,
                )
            section = check_keys(
                extra["detector"], ("params", "background"), section="detector", fname=fname
            )
            params = json_field(section["params"], "detector.params", fname)
            for key, value in _LEGACY_PARAMS.items():
                params.setdefault(key, value)
            check_keys(params, cls._PARAMS, section="detector", fname=fname)
            if isinstance(params["band"], list):
                params["band"] = tuple(params["band"])  # JSON keeps the tuple fit used as a list
            det = cls(**params)
            det._check_params(fname)
            det._check_classifier(clf, fname)
            n_channels = len(det.ch_names)
            check_fields(
                section,
                {"background": lambda v: _check_background(v, n_channels)},
                section="detector",
                fname=fname,
            )
        det.classifier_ = clf
        det.background_ = np.asarray(section["background"], dtype=float)
        return det

    def _check_classifier(self, clf, fname):
        """Check that the parameters read from a file fit the file's classifier."""
        from neucube.persistence import field_error

        steps = int(round(self.window * self.sfreq))
        rules = (
            ("method", self.method == "neucube", "the file holds the cube detector, 'neucube'"),
            ("ch_names", self.ch_names == list(clf.ch_names), "the classifier's channels"),
            ("sfreq", self.sfreq == clf.sfreq, f"the classifier's rate, {clf.sfreq!r} Hz"),
            (
                "window",
                clf.readout != "bins" or steps >= int(clf.n_bins),
                f"at least the readout's {clf.n_bins} time bins long ({steps} samples)",
            ),
        )
        for name, ok, what in rules:
            if not ok:
                raise field_error(
                    fname,
                    f"detector.{name}",
                    f"is out of range: it must be {what}",
                    getattr(self, name),
                )


#: Parameters that models from before background scaling and calibration lack.
_LEGACY_PARAMS = {
    "background": None,
    "background_quantile": 0.1,
    "band": None,
    "weight_bound": None,
}


def _check_background(background, n_channels):
    """Check the training background: mean and spread of each channel's activity."""
    arr = np.asarray(background)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"background must hold real numbers, got dtype {arr.dtype}.")
    if arr.shape != (2, n_channels):
        raise ValueError(
            f"background must be shaped (2, {n_channels}): the mean and spread of each "
            f"channel's activity, got {arr.shape}."
        )
    if not np.all(np.isfinite(arr)) or arr.min() < 0 or arr[1].min() <= 0:
        raise ValueError(
            "background must hold finite means >= 0 and spreads > 0 of each channel's activity."
        )
