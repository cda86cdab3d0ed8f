"""Spike encoders: continuous EEG in, signed spike trains out.

NeuCube feeds its reservoir with spike trains made from the raw signals by a
temporal encoder (Kasabov 2014). This module offers the four encoders of the
reference system, as scikit-learn transformers whose ``fit`` learns
per-channel values on training data and whose ``transform`` applies them,
frozen, to any new data:

:class:`TBREncoder`
    Threshold-based representation (address-event, Delbruck & Lichtsteiner
    2007; NeuCube's default). A spike marks a change between two consecutive
    samples larger than a per-channel threshold.
:class:`StepForwardEncoder`
    Step-forward (as described by Petro et al. 2019). A baseline follows
    the signal in steps of the threshold; each step is a spike.
:class:`MovingWindowEncoder`
    Moving window (Petro et al. 2019). A spike marks a sample further than the
    threshold from the mean of the preceding samples.
:class:`BSAEncoder`
    Ben's Spiker Algorithm (Schrauwen & Van Campenhout 2003). Spikes are
    placed so that their sum filtered by a low-pass FIR kernel follows the
    signal.

Data
    ``X`` is ``(n_channels, n_times)`` or ``(n_epochs, n_channels, n_times)``
    of floats. Every encoder works along the last axis, one channel and one
    epoch at a time: nothing crosses an epoch boundary, so encoding an array
    of epochs gives the same spikes as encoding each epoch alone. Each call
    to ``transform`` starts afresh and keeps no state: consecutive chunks of
    a stream are encoded like separate epochs (sample 0 of each chunk never
    spikes for the difference encoders).

Spikes
    An ``int8`` array of the shape of ``X`` with values in ``{-1, 0, +1}``:
    ``+1`` is a positive (up) spike, ``-1`` a negative (down) spike, ``0`` no
    spike. BSA gives positive spikes only. :func:`split_polarity` turns
    spikes into the two input neurons per channel that the cube drives, in the
    interleaved order ``[ch0+, ch0-, ch1+, ch1-, ...]``.

Thresholds
    TBR, step-forward and moving-window share one threshold rule, so ``fit``
    means the same for the three: per channel ``c``, with
    ``d = |x(t) - x(t-1)|`` taken over all training samples and epochs
    (differences within an epoch only),
    ``thr_c = mean(d) + alpha * std(d)``, where ``std`` is the population
    standard deviation (``ddof=0``) and ``alpha = 0.5`` as in NeuCube.
    ``alpha='auto'`` tries every value of the ``alphas`` grid and keeps the
    one with the lowest mean normalised reconstruction error on the training
    data (Petro et al. 2019 pick encoder parameters the same way).

Reconstruction
    Each encoder rebuilds a signal from its spikes
    (:meth:`~TBREncoder.inverse_transform`) and scores itself with
    :meth:`~TBREncoder.reconstruction_error` (per-channel RMSE in signal
    units or RMSE normalised by the signal's standard deviation) and
    :meth:`~TBREncoder.score` (minus the mean normalised error, so that larger
    is better, as scikit-learn's model selection expects).

References
----------
.. [1] Kasabov, N. K. (2014). NeuCube: A spiking neural network architecture
   for mapping, learning and understanding of spatio-temporal brain data.
   Neural Networks, 52, 62-76. https://doi.org/10.1016/j.neunet.2014.01.006
.. [2] Petro, B., Kasabov, N., & Kiss, R. M. (2019). Selection and
   optimization of temporal spike encoding methods for spiking neural
   networks. IEEE Transactions on Neural Networks and Learning Systems,
   31(2), 358-370. https://doi.org/10.1109/TNNLS.2019.2906158
.. [3] Schrauwen, B., & Van Campenhout, J. (2003). BSA, a fast and accurate
   spike train encoding scheme. Proceedings of the International Joint
   Conference on Neural Networks (IJCNN), 2825-2830.
.. [4] Delbruck, T., & Lichtsteiner, P. (2007). Fast sensory motor control
   based on event-based hybrid neuromorphic-procedural system. IEEE
   International Symposium on Circuits and Systems, 845-848.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.signal import firwin
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from ._checks import check_array_finite, check_int, check_option, check_positive
from ._docs import fill_doc
from ._logging import logger

if TYPE_CHECKING:
    import numpy.typing as npt

__all__ = [
    "BSAEncoder",
    "MovingWindowEncoder",
    "StepForwardEncoder",
    "TBREncoder",
    "make_encoder",
    "merge_polarity",
    "polarity_names",
    "split_polarity",
]

#: Grid of ``alpha`` values tried by ``alpha='auto'`` when ``alphas`` is None.
DEFAULT_ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
#: Grid of BSA thresholds tried by ``threshold='auto'`` when ``thresholds`` is None.
DEFAULT_BSA_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)
#: Threshold given to a channel that is constant in the training data, relative
#: to ``max(1, max|x|)`` of that channel (see ``fit``).
FLAT_EPS = 1e-12

_METRICS = ("rmse", "nrmse")


# --------------------------------------------------------------------------
# Polarity helpers
# --------------------------------------------------------------------------
def split_polarity(spikes: npt.ArrayLike) -> np.ndarray:
    """Split signed spikes into one boolean train per polarity and channel.

    The cube drives two input neurons per channel, one from the positive and
    one from the negative spikes; this gives their trains in the interleaved
    order ``[ch0+, ch0-, ch1+, ch1-, ...]``: row ``2 * c`` holds channel
    ``c``'s positive spikes and row ``2 * c + 1`` its negative spikes.

    Parameters
    ----------
    spikes : array-like, shape (..., n_channels, n_times)
        Signed spikes with values in ``{-1, 0, +1}``, as returned by the
        encoders' ``transform``.

    Returns
    -------
    trains : ndarray of bool, shape (..., 2 * n_channels, n_times)
        ``trains[..., 2 * c, t]`` is ``spikes[..., c, t] == 1`` and
        ``trains[..., 2 * c + 1, t]`` is ``spikes[..., c, t] == -1``.

    See Also
    --------
    merge_polarity : The inverse.
    polarity_names : Names of the rows, from channel names.
    """
    spikes = _check_spikes(spikes, "spikes", allowed=(-1, 0, 1))
    trains = np.empty(spikes.shape[:-2] + (2 * spikes.shape[-2], spikes.shape[-1]), dtype=bool)
    trains[..., 0::2, :] = spikes == 1
    trains[..., 1::2, :] = spikes == -1
    return trains


def merge_polarity(trains: npt.ArrayLike) -> np.ndarray:
    """Merge interleaved positive/negative trains back into signed spikes.

    Parameters
    ----------
    trains : array-like of bool, shape (..., 2 * n_channels, n_times)
        Trains in the order of :func:`split_polarity`,
        ``[ch0+, ch0-, ch1+, ch1-, ...]``.

    Returns
    -------
    spikes : ndarray of int8, shape (..., n_channels, n_times)
        ``+1`` where the positive train fires, ``-1`` where the negative one
        does, ``0`` where neither or both do.
    """
    trains = np.asarray(trains)
    if trains.ndim < 2 or trains.shape[-2] % 2:
        raise ValueError(
            f"trains must have an even number of rows on axis -2 (two per channel: "
            f"[ch0+, ch0-, ch1+, ...]), got shape {trains.shape}."
        )
    trains = trains.astype(bool)
    return trains[..., 0::2, :].astype(np.int8) - trains[..., 1::2, :].astype(np.int8)


def polarity_names(ch_names: list[str]) -> list[str]:
    """Name the rows of :func:`split_polarity` after the channels.

    Parameters
    ----------
    ch_names : list of str
        The channel names, in the order of the rows of ``X``.

    Returns
    -------
    names : list of str
        ``[ch0 + '+', ch0 + '-', ch1 + '+', ...]``.
    """
    if isinstance(ch_names, str):
        raise TypeError(f"ch_names must be a list of str, got the str {ch_names!r}.")
    return [f"{name}{sign}" for name in ch_names for sign in "+-"]


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------
def _as_float_array(X, name):
    """Convert to a float64 array with 2 or 3 dimensions, or raise."""
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to an array: {exc}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if arr.ndim not in (2, 3):
        hint = " For one channel use X[np.newaxis]." if arr.ndim == 1 else ""
        raise ValueError(
            f"{name} must be 2D (n_channels, n_times) or 3D (n_epochs, n_channels, n_times), "
            f"got {arr.ndim}D with shape {arr.shape}.{hint}"
        )
    if arr.size == 0:
        raise ValueError(
            f"{name} is empty (shape {arr.shape}): it needs at least one channel and one sample."
        )
    return arr.astype(np.float64, copy=False)


def _check_spikes(spikes, name, allowed):
    """Check a spike array: 2D/3D, values in ``allowed``; return it as int8."""
    arr = np.asarray(spikes)
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"{name} must be 2D (n_channels, n_times) or 3D (n_epochs, n_channels, n_times), "
            f"got {arr.ndim}D with shape {arr.shape}."
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers in {set(allowed)}, got dtype {arr.dtype}.")
    bad = ~np.isin(arr, allowed)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold only values in {sorted(allowed)}, "
            f"got {arr[where].item()!r} at index {where}."
        )
    return arr.astype(np.int8, copy=False)


def _pool(X):
    """Return X as (n_channels, n_samples), epochs concatenated per channel."""
    if X.ndim == 2:
        return X
    return np.moveaxis(X, -2, 0).reshape(X.shape[-2], -1)


def _abs_diff_stats(X):
    """Mean and population std (ddof=0) of |x(t) - x(t-1)| per channel.

    Differences are taken within each epoch, never across epochs.
    """
    d = np.abs(np.diff(X, axis=-1))
    d = _pool(d)
    return d.mean(axis=-1), d.std(axis=-1)


def _channel_error(X, X_hat, metric):
    """Per-channel RMSE (or NRMSE) over all epochs and samples."""
    rmse = np.sqrt(np.mean(_pool((X - X_hat) ** 2), axis=-1))
    if metric == "rmse":
        return rmse
    std = _pool(X).std(axis=-1)
    # A constant channel has std 0: its error is 0 when it is rebuilt exactly,
    # inf otherwise (never a division by zero).
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = rmse / np.where(std > 0, std, 1.0)
        nrmse = np.where(std > 0, ratio, np.where(rmse > 0, np.inf, 0.0))
    return nrmse


def _fmt(values):
    """Short text for a per-channel array in log messages."""
    values = np.asarray(values, dtype=float)
    return f"median {np.median(values):.4g}, range [{values.min():.4g}, {values.max():.4g}]"


def _check_grid(setting, grid, default, name, grid_name):
    """Return the values a fit tries for ``setting``: its grid when ``'auto'``.

    ``setting`` is the parameter (``alpha`` or BSA's ``threshold``): a number
    >= 0, or ``'auto'`` to try each value of ``grid`` (``default`` when None).
    """
    if not isinstance(setting, str):
        return np.array([check_positive(setting, name, strict=False)])
    check_option(setting, name, ("auto",))
    grid = np.asarray(default if grid is None else grid, dtype=float).ravel()
    if grid.size == 0:
        raise ValueError(
            f"{grid_name} must hold at least one value when {name}='auto', got an empty grid."
        )
    for value in grid:
        check_positive(value, f"each value of {grid_name}", strict=False)
    return grid


def _check_fitted_array(value, name, shape, *, minimum=None, strict=False, finite=True):
    """Check a fitted array as read back from a file: its shape, finite values, range."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be converted to an array: {exc}") from exc
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if arr.ndim != len(shape) or any(n not in (None, m) for n, m in zip(shape, arr.shape)):
        want = tuple("n" if n is None else n for n in shape)
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}.".replace("'", ""))
    if not arr.size:
        raise ValueError(f"{name} must not be empty.")
    if finite:
        check_array_finite(arr, name)
    elif np.isnan(arr).any():
        raise ValueError(f"{name} must not hold NaN.")
    low = arr.min() if arr.size else None
    if minimum is not None and low is not None and (low < minimum or (strict and low == minimum)):
        rel = ">" if strict else ">="
        raise ValueError(f"{name} must be {rel} {minimum:g} everywhere, got {low:g}.")
    return arr.astype(np.float64)


def _check_cutoff(cutoff):
    cutoff = check_positive(cutoff, "cutoff")
    if cutoff >= 1:
        raise ValueError(
            f"cutoff must be in (0, 1) (a fraction of the Nyquist frequency), got {cutoff}."
        )
    return cutoff


def _search_grid(X, grid, rebuild, encoder, name):
    """Pick the value of ``grid`` whose rebuilt ``X`` has the lowest mean NRMSE.

    ``rebuild(value)`` encodes and decodes ``X`` with that value of the
    parameter ``name``; the first value wins a tie. Returns the value (float)
    and the error of each value (ndarray).
    """
    errors = np.empty(grid.size)
    for k, value in enumerate(grid):
        errors[k] = _channel_error(X, rebuild(value), "nrmse").mean()
        logger.debug(
            "%s: %s=%g gives mean NRMSE %.4g on the training data.", encoder, name, value, errors[k]
        )
    best = int(np.argmin(errors))
    chosen = float(grid[best])
    logger.info(
        "%s: %s='auto' chose %s=%g (mean NRMSE %.4g on the training data; grid %s).",
        encoder,
        name,
        name,
        chosen,
        errors[best],
        np.array2string(grid, separator=", "),
    )
    return chosen, errors


# --------------------------------------------------------------------------
# Base class
# --------------------------------------------------------------------------
class _BaseEncoder(TransformerMixin, BaseEstimator):
    """Fit/transform/reconstruct plumbing shared by the encoders."""

    #: Fitted attribute whose presence means "fitted".
    _fitted_attr = "n_channels_"
    #: Spike values the encoder emits.
    _spike_values = (-1, 0, 1)

    # ---- hooks ---------------------------------------------------------
    def _fit(self, X):  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode(self, X):  # pragma: no cover - abstract
        raise NotImplementedError

    def _decode(self, spikes, x0):  # pragma: no cover - abstract
        raise NotImplementedError

    # ---- checks --------------------------------------------------------
    def _param_checks(self):  # pragma: no cover - abstract
        """Return how each parameter is checked: name -> function of its value (raises)."""
        raise NotImplementedError

    def _fitted_checks(self, n_channels):  # pragma: no cover - abstract
        """Return how each fitted attribute is checked, for ``n_channels`` channels."""
        raise NotImplementedError

    #: Fitted attributes that transform needs (the others are a record of the fit).
    _required_fitted = ("n_channels_",)

    def _check_params(self, fname=None):
        """Check the parameters, in the order of :meth:`_param_checks`.

        ``fit`` calls it; so does loading a saved encoder, with the file
        (``fname``): its errors then name the file and the field.
        """
        from .persistence import check_fields

        check_fields(self.get_params(), self._param_checks(), section="encoder", fname=fname)

    def _check_fitted(self, method):
        if not hasattr(self, self._fitted_attr):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet: call "
                f"{type(self).__name__}.fit(X_train) with training data first, then {method}()."
            )

    def _check_X(self, X, name="X", *, fitting):
        X = _as_float_array(X, name)
        check_array_finite(X, name)
        if fitting:
            if X.shape[-1] < 2:
                raise ValueError(
                    f"{name} has {X.shape[-1]} sample per channel; fit needs at least 2 "
                    f"(thresholds come from differences between consecutive samples)."
                )
        else:
            self._check_n_channels(X.shape[-2], name)
        return X

    def _check_inverse_input(self, spikes):
        """Check ``inverse_transform``'s spikes against the fitted encoder."""
        self._check_fitted("inverse_transform")
        spikes = _check_spikes(spikes, "spikes", self._spike_values)
        self._check_n_channels(spikes.shape[-2], "spikes")
        return spikes

    def _check_n_channels(self, n_channels, name):
        if n_channels != self.n_channels_:
            raise ValueError(
                f"{name} has {n_channels} channel(s) (axis -2) but this {type(self).__name__} "
                f"was fitted on {self.n_channels_}. Pass the same channels, in the same order, "
                f"as at fit, or fit again."
            )

    # ---- public API ----------------------------------------------------
    @fill_doc
    def fit(self, X: npt.ArrayLike, y: None = None) -> _BaseEncoder:
        """Learn the per-channel encoding values from training data.

        Parameters
        ----------
        X : array-like, shape (n_channels, n_times) | (n_epochs, n_channels, n_times)
            Training signals: finite floats, at least 2 samples per channel.
            All epochs are pooled per channel.
        %(y_ignored)s

        Returns
        -------
        self : instance of the encoder
            The fitted encoder.
        """
        X = self._check_X(X, fitting=True)
        self._fit(X)
        return self

    def transform(self, X: npt.ArrayLike) -> np.ndarray:
        """Encode signals into spikes with the fitted, frozen values.

        Parameters
        ----------
        X : array-like, shape (n_channels, n_times) | (n_epochs, n_channels, n_times)
            Signals with the channels seen at fit.

        Returns
        -------
        spikes : ndarray of int8, shape of X
            ``+1`` positive spike, ``-1`` negative spike, ``0`` none.
        """
        self._check_fitted("transform")
        X = self._check_X(X, fitting=False)
        return self._encode(X)

    @fill_doc
    def fit_transform(self, X: npt.ArrayLike, y: None = None) -> np.ndarray:
        """Fit on ``X``, then encode ``X``.

        Parameters
        ----------
        %(X_train)s
        %(y_ignored)s

        Returns
        -------
        spikes : ndarray of int8, shape of X
            The spikes of ``X``.
        """
        return self.fit(X).transform(X)

    @fill_doc
    def reconstruction_error(
        self, X: npt.ArrayLike, metric: str = "rmse", average: bool = False
    ) -> np.ndarray | float:
        """Encode ``X``, rebuild it from the spikes and measure the error.

        Parameters
        ----------
        %(X_signals)s
        metric : ``'rmse'`` | ``'nrmse'``
            ``'rmse'``: root mean squared error in the units of ``X``.
            ``'nrmse'``: the RMSE divided by the standard deviation
            (``ddof=0``) of the channel's signal; a constant channel scores 0
            when rebuilt exactly and ``inf`` otherwise.
        average : bool
            If True, return the mean over channels (a scalar summary).

        Returns
        -------
        error : ndarray, shape (n_channels,) | float
            Per channel, over all epochs and samples pooled; or its mean.

        Notes
        -----
        The difference encoders rebuild each epoch from its true first
        sample, ``x0 = X[..., 0]``; BSA needs no initial value. With epochs,
        the standard deviation of ``'nrmse'`` is taken over all epochs
        pooled.
        """
        check_option(metric, "metric", _METRICS)
        self._check_fitted("reconstruction_error")
        X = self._check_X(X, fitting=False)
        error = _channel_error(X, self._reconstruct_like(X), metric)
        return float(error.mean()) if average else error

    @fill_doc
    def score(self, X: npt.ArrayLike, y: None = None) -> float:
        """Minus the mean normalised reconstruction error (larger is better).

        Parameters
        ----------
        %(X_signals)s
        %(y_ignored)s

        Returns
        -------
        score : float
            ``-reconstruction_error(X, metric='nrmse', average=True)``.
        """
        return -self.reconstruction_error(X, metric="nrmse", average=True)

    def _reconstruct_like(self, X):
        """Encode then rebuild X (already validated)."""
        return self._decode(self._encode(X), X[..., 0])


class _DeltaEncoder(_BaseEncoder):
    """Encoders with one fitted threshold per channel (TBR, SF, MW).

    Their reconstruction is ``x(0) + cumsum(spikes * thr)``.
    """

    _fitted_attr = "thresholds_"

    def _encode_thr(self, X, thr):  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode(self, X):
        return self._encode_thr(X, self.thresholds_)

    def _decode(self, spikes, x0):
        return _cumsum_decode(spikes, x0, self.thresholds_)

    _required_fitted = ("thresholds_", "n_channels_")

    def _param_checks(self):
        return {
            "alpha": lambda v: _check_grid(v, None, DEFAULT_ALPHAS, "alpha", "alphas"),
            "alphas": lambda v: _check_grid(self.alpha, v, DEFAULT_ALPHAS, "alpha", "alphas"),
        }

    def _fitted_checks(self, n_channels):
        per_channel = (n_channels,)
        grid = (None,)
        return {
            "n_channels_": lambda v: _check_n_channels_fitted(v, n_channels),
            "thresholds_": lambda v: _check_fitted_array(v, "thresholds_", per_channel, minimum=0),
            "diff_mean_": lambda v: _check_fitted_array(v, "diff_mean_", per_channel, minimum=0),
            "diff_std_": lambda v: _check_fitted_array(v, "diff_std_", per_channel, minimum=0),
            "alpha_": lambda v: check_positive(v, "alpha_", strict=False),
            "alpha_grid_": lambda v: _check_fitted_array(v, "alpha_grid_", grid, minimum=0),
            "alpha_errors_": lambda v: _check_fitted_array(v, "alpha_errors_", grid, finite=False),
        }

    def _fit(self, X):
        name = type(self).__name__
        self._check_params()
        alphas = _check_grid(self.alpha, self.alphas, DEFAULT_ALPHAS, "alpha", "alphas")

        mean, std = _abs_diff_stats(X)
        flat = (mean == 0) & (std == 0)
        eps = FLAT_EPS * np.maximum(1.0, np.abs(_pool(X)).max(axis=-1))
        if flat.any():
            logger.warning(
                "%s: channel(s) %s are constant in the training data; their threshold is set to "
                "a tiny epsilon (%g x max(1, max|x|)), so any later change of these channels "
                "spikes.",
                name,
                np.flatnonzero(flat).tolist(),
                FLAT_EPS,
            )

        def thresholds_for(alpha):
            thr = mean + alpha * std
            return np.where(flat, eps, thr)

        def rebuild(alpha):
            thr = thresholds_for(alpha)
            return _cumsum_decode(self._encode_thr(X, thr), X[..., 0], thr)

        if isinstance(self.alpha, str):
            alpha, self.alpha_errors_ = _search_grid(X, alphas, rebuild, name, "alpha")
        else:
            alpha = float(alphas[0])
            self.alpha_errors_ = None
        self.alpha_grid_ = alphas
        self.alpha_ = alpha
        self.diff_mean_ = mean
        self.diff_std_ = std
        self.thresholds_ = thresholds_for(alpha)
        self.n_channels_ = X.shape[-2]
        logger.info(
            "%s: thresholds fitted on %d channel(s) x %d sample(s) with alpha=%g: %s.",
            name,
            X.shape[-2],
            _pool(X).shape[-1],
            alpha,
            _fmt(self.thresholds_),
        )

    def inverse_transform(self, spikes: npt.ArrayLike, x0: npt.ArrayLike = 0.0) -> np.ndarray:
        """Rebuild signals from spikes: ``x0 + cumsum(spikes * thresholds_)``.

        Parameters
        ----------
        spikes : array-like, shape (n_channels, n_times) | (n_epochs, n_channels, n_times)
            Signed spikes from :meth:`transform`.
        x0 : float | array-like, shape (n_channels,) | (n_epochs, n_channels)
            The first sample of each channel (and epoch) of the encoded
            signal, which spikes do not carry. With the default 0 the result
            is the signal relative to its first sample.

        Returns
        -------
        X_hat : ndarray of float, shape of spikes
            The rebuilt signals.
        """
        spikes = self._check_inverse_input(spikes)
        return self._decode(spikes, _check_x0(x0, spikes.shape))


def _check_x0(x0, shape):
    x0 = np.asarray(x0, dtype=float)
    try:
        full = np.broadcast_shapes(x0.shape, shape[:-1])
    except ValueError:
        full = None
    if full != tuple(shape[:-1]):
        raise ValueError(
            f"x0 must be a scalar or broadcast to the spikes' leading shape {tuple(shape[:-1])} "
            f"(one value per channel, or per epoch and channel), got shape {x0.shape}."
        )
    check_array_finite(x0, "x0")
    return x0


def _cumsum_decode(spikes, x0, thr):
    """``x0 + cumsum(spikes * thr)`` along time, thr per channel."""
    thr = np.asarray(thr, dtype=float)[..., np.newaxis]
    return np.asarray(x0, dtype=float)[..., np.newaxis] + np.cumsum(spikes * thr, axis=-1)


@fill_doc
class TBREncoder(_DeltaEncoder):
    """Threshold-based representation (TBR) encoder, NeuCube's default.

    Per channel ``c`` and sample ``t >= 1`` of each epoch::

        s(t) = +1  if x(t) - x(t-1) >  thr_c
        s(t) = -1  if x(t) - x(t-1) < -thr_c
        s(t) =  0  otherwise

    with strict inequalities. Sample 0 of each epoch has no predecessor and
    never spikes: differences never cross epoch boundaries.

    Parameters
    ----------
    %(encoder_alpha)s

    Attributes
    ----------
    %(encoder_delta_attrs)s

    Notes
    -----
    The rebuilt signal is ``x(0) + sum_(u <= t) s(u) * thr_c``: every change
    smaller than the threshold is lost, and every spike stands for a change
    of exactly ``thr_c``, so the reconstruction drifts; its error is how
    ``alpha`` is chosen ([1]_, [2]_).

    %(encoder_flat)s

    References
    ----------
    .. [1] Kasabov, N. K. (2014). NeuCube. Neural Networks, 52, 62-76.
    .. [2] Petro, B., Kasabov, N., & Kiss, R. M. (2019). IEEE TNNLS 31(2),
       358-370.
    """

    def __init__(self, alpha: float | str = 0.5, *, alphas: npt.ArrayLike | None = None) -> None:
        self.alpha = alpha
        self.alphas = alphas

    def _encode_thr(self, X, thr):
        thr = np.asarray(thr, dtype=float)[..., np.newaxis]
        spikes = np.zeros(X.shape, dtype=np.int8)
        d = np.diff(X, axis=-1)
        spikes[..., 1:] = (d > thr).astype(np.int8) - (d < -thr).astype(np.int8)
        return spikes


@fill_doc
class StepForwardEncoder(_DeltaEncoder):
    """Step-forward (SF) encoder: a baseline follows the signal in steps.

    Per channel ``c`` and epoch, the baseline starts at ``B = x(0)``; then for
    each ``t >= 1``::

        if   x(t) > B + thr_c:  s(t) = +1 and B += thr_c
        elif x(t) < B - thr_c:  s(t) = -1 and B -= thr_c
        else:                   s(t) =  0

    Sample 0 never spikes. The loop runs over time, vectorised over channels
    and epochs.

    Parameters
    ----------
    %(encoder_alpha)s

    Attributes
    ----------
    %(encoder_delta_attrs)s

    Notes
    -----
    ``thr_c`` is fitted as for :class:`TBREncoder` (mean + alpha * std of the
    absolute first differences), so ``fit`` means the same for every
    encoder; Petro et al. [1]_ tune it as a free parameter instead. The
    reconstruction is the baseline trajectory,
    ``B(t) = x(0) + cumsum(s * thr_c)``; unlike TBR it cannot drift further
    than ``thr_c`` from the signal while the signal moves by at most one
    threshold per sample.

    %(encoder_flat)s

    References
    ----------
    .. [1] Petro, B., Kasabov, N., & Kiss, R. M. (2019). IEEE TNNLS 31(2),
       358-370.
    """

    def __init__(self, alpha: float | str = 0.5, *, alphas: npt.ArrayLike | None = None) -> None:
        self.alpha = alpha
        self.alphas = alphas

    def _encode_thr(self, X, thr):
        thr = np.broadcast_to(np.asarray(thr, dtype=float), X.shape[:-1])
        spikes = np.zeros(X.shape, dtype=np.int8)
        base = X[..., 0].copy()
        for t in range(1, X.shape[-1]):
            x = X[..., t]
            up = x > base + thr
            down = ~up & (x < base - thr)
            step = up.astype(np.int8) - down.astype(np.int8)
            spikes[..., t] = step
            base += step * thr
        return spikes


@fill_doc
class MovingWindowEncoder(_DeltaEncoder):
    """Moving-window (MW) encoder: spikes mark departures from a local mean.

    Per channel and epoch, the baseline ``B(t)`` is the mean of the
    ``window`` samples before ``t`` (fewer near the start:
    ``B(t) = mean(x[max(0, t - window):t])``, ``B(0) = x(0)``), and::

        s(t) = +1  if x(t) > B(t) + thr_c
        s(t) = -1  if x(t) < B(t) - thr_c
        s(t) =  0  otherwise

    Sample 0 never spikes (``x(0) = B(0)``). Computed with cumulative sums,
    without a loop.

    Parameters
    ----------
    %(encoder_alpha)s
    window : int
        Number of past samples averaged into the baseline (>= 1). With
        ``window=1`` the encoder is :class:`TBREncoder`. Default 3 (the
        lowest NRMSE for 1 s epochs of the bundled CHB-MIT excerpt among 1-20).

    Attributes
    ----------
    %(encoder_delta_attrs)s

    Notes
    -----
    ``thr_c`` is fitted as for :class:`TBREncoder`, so ``fit`` means the same
    for every encoder. The reconstruction follows Petro et al. [1]_:
    ``x(0) + cumsum(s * thr_c)``. The baseline is the mean of the ``window``
    samples *before* ``t``, as specified here; Petro et al.'s reference code
    starts with the mean of the first ``window + 1`` samples for all of them.

    %(encoder_flat)s

    References
    ----------
    .. [1] Petro, B., Kasabov, N., & Kiss, R. M. (2019). IEEE TNNLS 31(2),
       358-370.
    """

    def __init__(
        self, alpha: float | str = 0.5, *, window: int = 3, alphas: npt.ArrayLike | None = None
    ) -> None:
        self.window = window
        self.alpha = alpha
        self.alphas = alphas

    def _param_checks(self):
        return {
            **super()._param_checks(),
            "window": lambda v: check_int(v, "window", min_value=1),
        }

    def _encode_thr(self, X, thr):
        window = int(self.window)
        thr = np.asarray(thr, dtype=float)[..., np.newaxis]
        n_times = X.shape[-1]
        # Relative to x(0): exact zeros for a flat channel, and cumulative
        # sums that stay small.
        x = X - X[..., :1]
        csum = np.zeros(x.shape[:-1] + (n_times + 1,))
        np.cumsum(x, axis=-1, out=csum[..., 1:])
        t = np.arange(n_times)
        lo = np.maximum(0, t - window)
        count = np.maximum(t - lo, 1)
        base = (csum[..., t] - csum[..., lo]) / count
        base[..., 0] = 0.0
        return (x > base + thr).astype(np.int8) - (x < base - thr).astype(np.int8)


class BSAEncoder(_BaseEncoder):
    """Ben's Spiker Algorithm (BSA) encoder: FIR-filter deconvolution.

    Fit learns, per channel, ``offset_ = min(x)`` and ``scale_ = max(x) -
    min(x)`` over the training data; encoding works on ``u = (x - offset_) /
    scale_``, which is in ``[0, 1]`` on the training data. With the kernel
    ``h = scipy.signal.firwin(filter_length, cutoff)`` (``F`` taps), at each
    ``t`` (a loop over time, vectorised over channels and epochs)::

        err1 = sum_j |u(t + j) - h(j)|
        err2 = sum_j |u(t + j)|
        if err1 <= err2 - threshold:  s(t) = 1 and u(t:t+F) -= h

    where ``j`` runs over ``0 .. F - 1`` while ``t + j`` stays inside the
    epoch (the window shortens at the end of each epoch). The rebuilt signal
    is ``convolve(s, h)[:n_times] * scale_ + offset_``.

    Parameters
    ----------
    threshold : float | 'auto'
        Additive threshold on the error decrease, in units of the scaled
        signal summed over the window (>= 0). As the kernel sums to 1, one
        spike can lower the error by at most 1: values near 1 make up for
        the greedy look-ahead, which otherwise fires too often (Schrauwen &
        Van Campenhout's multiplicative threshold is 0.955 for the same
        reason). Default 0.85. ``'auto'`` tries each value of ``thresholds``
        and keeps the one with the lowest mean NRMSE of the reconstruction
        of the training data (the first one on a tie); the choice is logged
        at INFO level.
    filter_length : int
        Number of taps ``F`` of the FIR kernel (>= 1). Default 20.
    cutoff : float
        Cut-off of the low-pass kernel as a fraction of the Nyquist
        frequency, in (0, 1) (scipy's ``firwin`` convention): 0.2 is
        25.6 Hz at 256 Hz. The defaults (20 taps, 0.2, 0.85) gave the lowest
        NRMSE on the bundled CHB-MIT excerpt among the values tried.
    thresholds : array-like of float | None
        The grid searched when ``threshold='auto'``; None means
        ``DEFAULT_BSA_THRESHOLDS`` (0.5 to 0.95). Ignored otherwise.

    Attributes
    ----------
    filter_ : ndarray, shape (filter_length,)
        The kernel ``h``.
    offset_ : ndarray, shape (n_channels,)
        Per-channel minimum of the training data.
    scale_ : ndarray, shape (n_channels,)
        Per-channel range of the training data (1 for a constant channel).
    threshold_ : float
        The threshold used (``threshold``, or the one chosen by ``'auto'``).
    threshold_grid_ : ndarray
        The thresholds tried (one value unless ``threshold='auto'``).
    threshold_errors_ : ndarray | None
        Mean training NRMSE for each of ``threshold_grid_`` with
        ``threshold='auto'``; None otherwise.
    n_channels_ : int
        Number of channels seen at fit.

    Notes
    -----
    The kernel is firwin's, normalised to unit sum (unity gain at DC): a
    scaled level ``u`` in ``[0, 1]`` is represented by about ``u`` spikes
    per sample. Petro et al.'s reference code scales the kernel by twice the
    signal's range instead and tunes the threshold to match.

    BSA emits positive spikes only (values in ``{0, 1}``); the negative
    trains of :func:`split_polarity` stay empty. Parts of new data below the
    training minimum cannot be represented and rebuild as ``offset_``.

    Unlike the three difference encoders, BSA may spike at sample 0 of an
    epoch: a spike at ``t`` places the kernel on ``t .. t + F - 1``. The
    kernel looks up to ``F - 1`` samples ahead, so BSA is not causal.

    A constant training channel gets ``scale_ = 1`` (no division by zero)
    and a warning naming it.

    References
    ----------
    .. [1] Schrauwen, B., & Van Campenhout, J. (2003). BSA, a fast and
       accurate spike train encoding scheme. IJCNN 2003, 2825-2830.
    .. [2] Petro, B., Kasabov, N., & Kiss, R. M. (2019). IEEE TNNLS 31(2),
       358-370.
    """

    _fitted_attr = "offset_"
    _spike_values = (0, 1)

    def __init__(
        self,
        threshold: float | str = 0.85,
        *,
        filter_length: int = 20,
        cutoff: float = 0.2,
        thresholds: npt.ArrayLike | None = None,
    ) -> None:
        self.filter_length = filter_length
        self.cutoff = cutoff
        self.threshold = threshold
        self.thresholds = thresholds

    _required_fitted = ("filter_", "offset_", "scale_", "threshold_", "n_channels_")

    def _param_checks(self):
        grid = DEFAULT_BSA_THRESHOLDS
        return {
            "threshold": lambda v: _check_grid(v, None, grid, "threshold", "thresholds"),
            "thresholds": lambda v: _check_grid(self.threshold, v, grid, "threshold", "thresholds"),
            "filter_length": lambda v: check_int(v, "filter_length", min_value=1),
            "cutoff": _check_cutoff,
        }

    def _fitted_checks(self, n_channels):
        per_channel = (n_channels,)
        taps = (self.filter_length,)
        grid = (None,)
        return {
            "n_channels_": lambda v: _check_n_channels_fitted(v, n_channels),
            "filter_": lambda v: _check_fitted_array(v, "filter_", taps),
            "offset_": lambda v: _check_fitted_array(v, "offset_", per_channel),
            "scale_": lambda v: _check_fitted_array(
                v, "scale_", per_channel, minimum=0, strict=True
            ),
            "threshold_": lambda v: check_positive(v, "threshold_", strict=False),
            "threshold_grid_": lambda v: _check_fitted_array(v, "threshold_grid_", grid, minimum=0),
            "threshold_errors_": lambda v: _check_fitted_array(
                v, "threshold_errors_", grid, finite=False
            ),
        }

    def _make_filter(self):
        self._check_params()
        h = firwin(int(self.filter_length), float(self.cutoff))
        return h / h.sum()

    def _fit(self, X):
        name = type(self).__name__
        h = self._make_filter()
        grid = _check_grid(
            self.threshold, self.thresholds, DEFAULT_BSA_THRESHOLDS, "threshold", "thresholds"
        )

        pooled = _pool(X)
        offset = pooled.min(axis=-1)
        scale = pooled.max(axis=-1) - offset
        flat = scale == 0
        if flat.any():
            logger.warning(
                "%s: channel(s) %s are constant in the training data; their scale is set to 1.",
                name,
                np.flatnonzero(flat).tolist(),
            )
        scale = np.where(flat, 1.0, scale)

        if isinstance(self.threshold, str):
            threshold, self.threshold_errors_ = _search_grid(
                X,
                grid,
                lambda thr: _bsa_decode(_bsa_encode(X, h, offset, scale, thr), h, offset, scale),
                name,
                "threshold",
            )
        else:
            threshold = float(grid[0])
            self.threshold_errors_ = None
        self.filter_ = h
        self.threshold_grid_ = grid
        self.threshold_ = threshold
        self.scale_ = scale
        self.offset_ = offset
        self.n_channels_ = X.shape[-2]
        logger.info(
            "%s: offset and scale fitted on %d channel(s) x %d sample(s); %d-tap kernel, "
            "cutoff %g, threshold %g.",
            name,
            X.shape[-2],
            pooled.shape[-1],
            h.size,
            self.cutoff,
            threshold,
        )

    def _encode(self, X):
        return _bsa_encode(X, self.filter_, self.offset_, self.scale_, self.threshold_)

    def _decode(self, spikes, x0=None):
        return _bsa_decode(spikes, self.filter_, self.offset_, self.scale_)

    def inverse_transform(self, spikes: npt.ArrayLike) -> np.ndarray:
        """Rebuild signals from spikes: ``convolve(s, h)[:n_times] * scale_ + offset_``.

        Parameters
        ----------
        spikes : array-like, shape (n_channels, n_times) | (n_epochs, n_channels, n_times)
            Spikes (values in ``{0, 1}``) from :meth:`transform`.

        Returns
        -------
        X_hat : ndarray of float, shape of spikes
            The rebuilt signals, in the units of the training data.
        """
        spikes = self._check_inverse_input(spikes)
        return self._decode(spikes)


def _bsa_encode(X, h, offset, scale, threshold):
    """BSA over the last axis; loop over time, vectorised over the rest."""
    u = (X - offset[:, np.newaxis]) / scale[:, np.newaxis]
    n_times = u.shape[-1]
    n_taps = h.size
    spikes = np.zeros(u.shape, dtype=np.int8)
    for t in range(n_times):
        stop = min(t + n_taps, n_times)
        hh = h[: stop - t]
        w = u[..., t:stop]
        err1 = np.abs(w - hh).sum(axis=-1)
        err2 = np.abs(w).sum(axis=-1)
        fire = err1 <= err2 - threshold
        if fire.any():
            spikes[..., t] = fire
            w -= fire[..., np.newaxis] * hh
    return spikes


def _bsa_decode(spikes, h, offset, scale):
    """``convolve(s, h)[:n_times] * scale + offset`` along the last axis."""
    n_times = spikes.shape[-1]
    s = spikes.astype(float)
    out = np.zeros(s.shape)
    # Sum of shifted kernels: F vectorised adds instead of one convolve per row.
    for j, hj in enumerate(h[:n_times]):
        out[..., j:] += hj * s[..., : n_times - j]
    return out * scale[:, np.newaxis] + offset[:, np.newaxis]


def _check_n_channels_fitted(value, n_channels):
    value = check_int(value, "n_channels_", min_value=0)
    if value != n_channels:
        raise ValueError(
            f"n_channels_ must be the {n_channels} channel(s) of the cube, got {value}."
        )
    return value


#: Encoder names accepted by :func:`make_encoder`.
ENCODERS = {
    "tbr": TBREncoder,
    "step_forward": StepForwardEncoder,
    "moving_window": MovingWindowEncoder,
    "bsa": BSAEncoder,
}


def make_encoder(kind: str = "tbr", **params: object) -> _BaseEncoder:
    """Make an (unfitted) encoder from its name.

    Parameters
    ----------
    kind : ``'tbr'`` | ``'step_forward'`` | ``'moving_window'`` | ``'bsa'``
        Which encoder: :class:`TBREncoder`, :class:`StepForwardEncoder`,
        :class:`MovingWindowEncoder` or :class:`BSAEncoder`.
    **params
        Parameters of that encoder's constructor, e.g. ``alpha=0.5`` for the
        first three or ``threshold=0.85`` for BSA (which has no ``alpha``).

    Returns
    -------
    encoder : TBREncoder | StepForwardEncoder | MovingWindowEncoder | BSAEncoder
        The encoder, to be fitted.
    """
    check_option(kind, "kind", tuple(ENCODERS))
    cls = ENCODERS[kind]
    valid = cls._get_param_names()
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise TypeError(
            f"{cls.__name__} (kind={kind!r}) has no parameter(s) {unknown}; its parameters "
            f"are {valid}."
        )
    return cls(**params)
