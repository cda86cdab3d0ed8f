"""deSNN readout: hand-worked weights and a two-class toy problem."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from models.readouts.desnn import DeSNNClassifier, desnn_weights, first_spike_ranks


def test_ranks_competition_order_and_silence():
    first = np.array([[3, 0, -1, 3, 1]])
    # Neuron 1 fires first (rank 0), neuron 4 next (1), neurons 0 and 3 tie
    # at step 3 (both rank 2: two neurons fired strictly earlier), 2 is silent.
    np.testing.assert_array_equal(first_spike_ranks(first), [[2, 0, -1, 2, 1]])


def test_weights_by_hand_from_a_raster():
    # 3 neurons, 6 steps.
    raster = np.array(
        [
            [
                [0, 1, 0, 1, 1, 0],  # first at 1 (rank 0), 2 later spikes, 2 later silent steps
                [0, 0, 1, 0, 0, 0],  # first at 2 (rank 1), 0 later spikes, 3 later silent steps
                [0, 0, 0, 0, 0, 0],  # silent
            ]
        ],
        dtype=bool,
    )
    mod, drift = 0.8, 0.005
    expected = [
        1.0 + 2 * drift - 2 * drift,  # mod**0 = 1
        0.8 - 3 * drift,  # mod**1
        0.0,
    ]
    w = DeSNNClassifier(mod=mod, drift=drift).transform(raster)
    np.testing.assert_allclose(w, [expected])


def test_weights_closed_form_equals_step_by_step_rule():
    rng = np.random.default_rng(0)
    raster = rng.random((4, 7, 30)) < 0.15
    mod, drift = 0.7, 0.01
    w = DeSNNClassifier(mod=mod, drift=drift).transform(raster)
    for s in range(raster.shape[0]):
        first = [np.flatnonzero(r)[0] if r.any() else None for r in raster[s]]
        fired = sorted(f for f in first if f is not None)
        for n, r in enumerate(raster[s]):
            if first[n] is None:
                assert w[s, n] == 0
                continue
            weight = mod ** fired.index(first[n])  # rank: strictly earlier firers
            for t in range(first[n] + 1, raster.shape[2]):  # the rule, one step at a time
                weight += drift if r[t] else -drift
            assert w[s, n] == pytest.approx(weight)


def test_classifies_two_spike_orders():
    # Class 0: neuron 0 leads, class 1: neuron 2 leads; noise in timing.
    rng = np.random.default_rng(1)
    X, y = [], []
    for label in (0, 1):
        for _ in range(10):
            r = np.zeros((3, 20), bool)
            order = [0, 1, 2] if label == 0 else [2, 1, 0]
            for rank, n in enumerate(order):
                r[n, 2 + 4 * rank + rng.integers(0, 2)] = True
            X.append(r)
            y.append(label)
    X, y = np.array(X), np.array(y)
    clf = DeSNNClassifier().fit(X[::2], y[::2])
    assert clf.score(X[1::2], y[1::2]) == 1.0
    proba = clf.predict_proba(X[1::2])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_bad_input():
    with pytest.raises(NotFittedError):
        DeSNNClassifier().predict(np.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match="spike raster of shape"):
        DeSNNClassifier().fit(np.zeros((2, 3)), [0, 1])
    with pytest.raises(ValueError, match="mod must be in"):
        desnn_weights([[1]], [[0]], 5, mod=1.5)
    with pytest.raises(ValueError, match="2 samples but y has 3"):
        DeSNNClassifier().fit(np.zeros((2, 3, 4)), [0, 1, 1])
    clf = DeSNNClassifier().fit(np.ones((2, 3, 4)), [0, 1])
    with pytest.raises(ValueError, match="fitted on 3"):
        clf.predict(np.ones((1, 5, 4)))
