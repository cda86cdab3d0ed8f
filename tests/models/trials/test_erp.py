"""The ERP baseline: ERPFeatures and make_erp_lda."""

import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

from acquisition import read_uci_epochs
from models.trials.erp import ERPFeatures, make_erp_lda
from sample_data import SAMPLE_DIR

UCI_DIR = SAMPLE_DIR / "uci"


@pytest.fixture(scope="module")
def uci():
    """The bundled excerpt: 2 subjects x 20 S2 trials, 61 channels, 1 s, in µV."""
    X, y, groups, ch_names, sfreq = read_uci_epochs(UCI_DIR)
    return X * 1e6, y, groups, ch_names, sfreq


def test_erp_features_by_hand():
    # One channel, 16 samples at 16 Hz, window 0-0.75 s (12 samples), bins of 4.
    x = np.arange(16, dtype=float)[np.newaxis, np.newaxis]
    feats = ERPFeatures(sfreq=16.0, tmin=0.0, tmax=0.75, decim=4).fit_transform(x)
    # Window 0..11 has mean 5.5; bin means 1.5, 5.5, 9.5 minus 5.5.
    np.testing.assert_allclose(feats, [[-4.0, 0.0, 4.0]])
    # epoch_tmin: the same window of epochs starting 0.25 s before the onset.
    shifted = np.concatenate([np.zeros((1, 1, 4)), x], axis=2)
    erp = ERPFeatures(sfreq=16.0, tmin=0.0, tmax=0.75, epoch_tmin=-0.25, decim=4)
    feats2 = erp.fit_transform(shifted)
    np.testing.assert_allclose(feats2, feats)


def test_erp_lda_baseline(uci):
    X, y, _, _, sfreq = uci
    pipe = make_erp_lda(sfreq).fit(X[::2], y[::2])
    erp, lda = pipe.steps[0][1], pipe.steps[1][1]
    assert erp.decim == 8 and erp.transform(X[:1]).shape == (1, 61 * 19)  # 0-0.6 s at 32 Hz
    assert isinstance(lda, LinearDiscriminantAnalysis)
    assert (lda.solver, lda.shrinkage) == ("lsqr", "auto")
    assert 0.0 <= pipe.score(X[1::2], y[1::2]) <= 1.0


def _halves(y):
    """Split each class in two halves by rank: labels no signal tells apart."""
    out = np.empty(len(y), dtype=object)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        out[idx] = np.where(np.arange(len(idx)) % 2 == 0, "first", "second")
    return out


def test_erp_lda_finds_a_planted_erp_in_held_out_trials(uci):
    # a P300-like wave (20 µV, peak at 300 ms, sd 50 ms) on the parietal channels of the
    # familiar trials; the EEG itself has a standard deviation of about 11 µV
    X, y, _, ch_names, sfreq = uci
    t = np.arange(X.shape[2]) / sfreq
    parietal = [i for i, c in enumerate(ch_names) if c.upper().startswith(("P", "CP", "O"))]
    X = X.copy()
    X[np.ix_(y == "familiar", parietal)] += 20.0 * np.exp(-0.5 * ((t - 0.3) / 0.05) ** 2)
    train, test = slice(0, None, 2), slice(1, None, 2)
    assert make_erp_lda(sfreq).fit(X[train], y[train]).score(X[test], y[test]) >= 0.9
    halves = make_erp_lda(sfreq).fit(X[train], _halves(y[train]))
    assert 0.2 <= halves.score(X[test], _halves(y[test])) <= 0.8  # chance: 0.5, 20 trials
