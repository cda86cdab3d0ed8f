"""Familiarity of stimuli: whether the second picture was the same as the first.

The task, on the UCI EEG Database (see :mod:`acquisition.uci`): a subject sees
a picture (S1), then a second one (S2) that is either the same picture
(``'S2 match'``, a **familiar** stimulus) or a new one (``'S2 nomatch'``,
**unfamiliar**). Each trial holds the 1 s of 61-channel EEG after S2's onset,
at 256 Hz. Classify each S2 trial as familiar or unfamiliar.

:class:`FamiliarityClassifier` is the NeuCube pipeline for it: the
stimulus-locked epoch is cropped to a window, encoded into spikes by TBR, fed
through the calibrated cube (with unsupervised STDP at fitting) and read out
by spike counts in time bins, the defaults of
:class:`~models.classifier.NeuCubeClassifier` (NeuCube's own operating point
and deSNN readout: :data:`~models.classifier.NEUCUBE_PRESET`).
Its non-spiking baseline is :func:`models.trials.erp.make_erp_lda`;
:func:`models.evaluation.familiarity.evaluate_familiarity` measures the two
on the same folds.

Window
------
Matched and unmatched second pictures differ in the event-related potential
from about 200 ms after the stimulus on (N2, P3 and later components). The
files start at the stimulus onset and hold no pre-stimulus samples, so the
window is 0-600 ms after the onset by default (``tmin=0.0``, ``tmax=0.6``:
154 samples, 154 cube steps), for the cube and for the baseline alike. It
keeps the visual response's onset (0-200 ms), which gives deSNN's
first-spike ranks a common start, and the components where the conditions
differ; the last 400 ms of the trial (slow waves, eye movements) are left out,
which also makes the cube 40 % cheaper to run.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import numpy as np

from .._checks import check_number
from .._docs import fill_doc
from ..classifier import DEFAULT_BAND, NeuCubeClassifier
from ._window import window_slice as _window_slice

if TYPE_CHECKING:
    import numpy.typing as npt

    from neucube.cube import CubeActivity

__all__ = ["FamiliarityClassifier"]


@fill_doc
class FamiliarityClassifier(NeuCubeClassifier):
    """NeuCube classifier of stimulus-locked epochs: familiar vs unfamiliar.

    A :class:`~models.classifier.NeuCubeClassifier` (TBR → calibrated cube
    with STDP → readout) that first crops each epoch to the window
    ``[tmin, tmax)`` after the stimulus. Epochs go in whole, as read
    (``acquisition.read_uci_epochs``, µV or V: TBR's thresholds follow the
    data's scale).

    Parameters
    ----------
    ch_names : list of str
        Channel names of the epochs, in order (10-10 names).
    sfreq : float
        Sampling rate in Hz (256 for the UCI database).
    tmin, tmax : float
        The window in seconds after the stimulus onset (default 0-0.6 s; see
        the module notes). ``tmax=None`` keeps everything after ``tmin``.
    epoch_tmin : float
        Time of the epochs' first sample relative to the stimulus onset in
        seconds (0 for the UCI trials, which start at the onset; -0.2 for
        epochs cut from 200 ms before it).
    %(cube_classifier_params)s

    Attributes
    ----------
    %(cube_classifier_attributes)s

    Notes
    -----
    A trial becomes ``round((tmax - tmin) * sfreq)`` cube steps (154 for
    0-0.6 s at 256 Hz), each sample from rest. The classifier is saved and
    loaded like its parent (:meth:`save`, :meth:`load`), window included.

    Examples
    --------
    >>> from acquisition import read_uci_epochs  # doctest: +SKIP
    >>> X, y, groups, ch_names, sfreq = read_uci_epochs("uci_smni")  # doctest: +SKIP
    >>> clf = FamiliarityClassifier(ch_names, sfreq, random_state=0).fit(X, y)  # doctest: +SKIP
    """

    def __init__(
        self,
        ch_names=None,
        sfreq=None,
        *,
        tmin=0.0,
        tmax=0.6,
        epoch_tmin=0.0,
        encoder="tbr",
        alpha=0.5,
        resolution=10.0,
        radius=25.0,
        stdp="neucube",
        stdp_rate=0.001,
        n_passes=1,
        band=DEFAULT_BAND,
        weight_bound=2.0,
        readout="bins",
        mod=0.8,
        drift=0.005,
        n_neighbors=3,
        C=1.0,
        n_bins=4,
        group_by="electrode",
        target="auto",
        random_state=None,
    ):
        super().__init__(
            ch_names,
            sfreq,
            encoder=encoder,
            alpha=alpha,
            resolution=resolution,
            radius=radius,
            stdp=stdp,
            stdp_rate=stdp_rate,
            n_passes=n_passes,
            band=band,
            weight_bound=weight_bound,
            readout=readout,
            mod=mod,
            drift=drift,
            n_neighbors=n_neighbors,
            C=C,
            n_bins=n_bins,
            group_by=group_by,
            target=target,
            random_state=random_state,
        )
        self.tmin = tmin
        self.tmax = tmax
        self.epoch_tmin = epoch_tmin

    def _param_checks(self):
        """Return how each parameter is checked, the window's with the classifier's."""

        def tmax(value):
            value = check_number(value, "tmax", allow_none=True)
            if self.sfreq is not None:
                # epochs of any length: the window must start inside and hold 2 samples
                _window_slice(
                    sys.maxsize,
                    float(self.sfreq),
                    self.tmin,
                    value,
                    self.epoch_tmin,
                    "FamiliarityClassifier",
                )

        return {
            **super()._param_checks(),
            "tmin": lambda v: check_number(v, "tmin"),
            "epoch_tmin": lambda v: check_number(v, "epoch_tmin"),
            "tmax": tmax,
        }

    def _crop(self, X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 3:
            raise ValueError(
                f"X must be epochs shaped (n_epochs, n_channels, n_times), got an array with "
                f"{X.ndim} dimension(s) of shape {X.shape}."
            )
        if self.sfreq is None:
            raise ValueError(
                "FamiliarityClassifier needs sfreq to find the window: "
                "FamiliarityClassifier(ch_names, sfreq=256.0)."
            )
        window = _window_slice(
            X.shape[2],
            float(self.sfreq),
            self.tmin,
            self.tmax,
            self.epoch_tmin,
            "FamiliarityClassifier",
        )
        return X[:, :, window], window

    def fit(self, X: np.ndarray, y: npt.ArrayLike) -> FamiliarityClassifier:
        """Crop to the window, then fit TBR thresholds, STDP weights and the readout.

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Stimulus-locked epochs (the whole trials).
        y : array-like, shape (n_epochs,)
            Labels (``'familiar'``, ``'unfamiliar'``).

        Returns
        -------
        self : FamiliarityClassifier
            The fitted classifier.
        """
        Xw, _ = self._crop(X)
        return super().fit(Xw, y)

    def fit_transform(
        self, X: np.ndarray, y: npt.ArrayLike, *, return_spikes: bool = False
    ) -> CubeActivity | tuple[CubeActivity, np.ndarray]:
        """Crop to the window, fit, and return the training trials' activity.

        The same as ``fit(X, y).transform(X)`` without simulating the training
        trials a second time (see :meth:`NeuCubeClassifier.fit_transform`).

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Stimulus-locked epochs (the whole trials).
        y : array-like, shape (n_epochs,)
            Labels.
        return_spikes : bool
            Also return the encoder's spikes of the window.

        Returns
        -------
        activity : neucube.cube.CubeActivity
            The cube's activity on the window of each trial.
        spikes : ndarray of int8
            Only with ``return_spikes=True``: the input spikes.
        """
        Xw, _ = self._crop(X)
        return super().fit_transform(Xw, y, return_spikes=return_spikes)

    def transform(
        self, X: np.ndarray, *, return_spikes: bool = False
    ) -> CubeActivity | tuple[CubeActivity, np.ndarray]:
        """Return the cube's activity on the window of each epoch (no learning).

        Parameters
        ----------
        X : ndarray, shape (n_epochs, n_channels, n_times)
            Stimulus-locked epochs, as long as the training ones.
        return_spikes : bool
            Also return the encoder's spikes of the window.

        Returns
        -------
        activity : neucube.cube.CubeActivity
            Spikes, counts and first-spike order per epoch.
        spikes : ndarray of int8
            Only with ``return_spikes=True``: the input spikes.
        """
        Xw, _ = self._crop(X)
        return super().transform(Xw, return_spikes=return_spikes)
