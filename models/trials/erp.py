"""The non-spiking baseline for trials: down-sampled ERP amplitudes -> shrinkage LDA."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ._window import window_slice as _window_slice

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

__all__ = ["ERPFeatures", "make_erp_lda"]


class ERPFeatures(TransformerMixin, BaseEstimator):
    """Down-sampled ERP amplitudes of a window, as one feature vector per epoch.

    Each epoch is cropped to ``[tmin, tmax)``, each channel's mean over the
    window is removed (the files hold no pre-stimulus baseline), and the
    window is cut into bins of ``decim`` samples whose means are the features
    (bin averaging is the anti-alias filter of the down-sampling).

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz.
    tmin, tmax : float
        Window in seconds after the stimulus onset.
    epoch_tmin : float
        Time of the epochs' first sample relative to the onset in seconds.
    decim : int
        Samples per bin (8 at 256 Hz: 32 Hz, 19 bins in 0-0.6 s).
    """

    def __init__(self, sfreq=256.0, tmin=0.0, tmax=0.6, epoch_tmin=0.0, decim=8):
        self.sfreq = sfreq
        self.tmin = tmin
        self.tmax = tmax
        self.epoch_tmin = epoch_tmin
        self.decim = decim

    def fit(self, X: np.ndarray, y: None = None) -> ERPFeatures:
        """Check the window against the epochs (nothing is learned).

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Epochs.
        y : None
            Ignored.

        Returns
        -------
        self : ERPFeatures
            The transformer.
        """
        X = self._check(X)
        self.n_channels_ = X.shape[1]
        return self

    def _check(self, X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 3:
            raise ValueError(
                f"X must be epochs (n_epochs, n_channels, n_times), got shape {X.shape}."
            )
        if int(self.decim) < 1:
            raise ValueError(f"decim must be a positive integer, got {self.decim!r}.")
        return X

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Return the binned, mean-removed window of each epoch.

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Epochs.

        Returns
        -------
        features : ndarray, shape (n_epochs, n_channels * n_bins)
            Bin means, channel after channel.
        """
        X = self._check(X)
        window = _window_slice(
            X.shape[2], float(self.sfreq), self.tmin, self.tmax, self.epoch_tmin, "ERPFeatures"
        )
        Xw = X[:, :, window]
        Xw = Xw - Xw.mean(axis=2, keepdims=True)
        decim = int(self.decim)
        n_bins = Xw.shape[2] // decim
        if n_bins < 1:
            raise ValueError(
                f"ERPFeatures: the window holds {Xw.shape[2]} samples, fewer than decim={decim}."
            )
        Xb = Xw[:, :, : n_bins * decim].reshape(len(X), X.shape[1], n_bins, decim).mean(axis=3)
        return Xb.reshape(len(X), -1)


def make_erp_lda(
    sfreq: float = 256.0,
    tmin: float = 0.0,
    tmax: float = 0.6,
    epoch_tmin: float = 0.0,
    decim_hz: float = 32.0,
) -> Pipeline:
    """Make the non-spiking baseline: down-sampled ERPs → shrinkage LDA.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the epochs in Hz.
    tmin, tmax, epoch_tmin : float
        Window and epoch start, as in :class:`ERPFeatures`.
    decim_hz : float
        Rate of the down-sampled ERP in Hz (bins of ``round(sfreq / decim_hz)``
        samples: 8 at 256 Hz).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        :class:`ERPFeatures` then
        ``LinearDiscriminantAnalysis(solver='lsqr', shrinkage='auto')``
        (Ledoit-Wolf shrinkage of the covariance, the usual ERP classifier).
    """
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import make_pipeline

    decim = max(1, int(round(float(sfreq) / float(decim_hz))))
    return make_pipeline(
        ERPFeatures(sfreq=sfreq, tmin=tmin, tmax=tmax, epoch_tmin=epoch_tmin, decim=decim),
        LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"),
    )
