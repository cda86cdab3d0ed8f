"""Tests of neucube.analysis on tiny networks whose answers are worked out by hand.

Index space: ``n`` reservoir neurons ``0 … n-1``, then channel ``c``'s
positive input neuron ``n + 2c`` and negative one ``n + 2c + 1``.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neucube.analysis import (
    Clusters,
    cluster_activity,
    compare_conditions,
    feature_interaction_network,
    initial_weights,
    neuron_clusters,
    strongest_connections,
    weight_change,
)
from neucube.cube import Cube, CubeActivity, build_connections

ROOT = Path(__file__).resolve().parents[2]

# The 3-neuron chain: input neuron 3 (channel 0, positive) → 0 → 1 → 2, with
# |weights| 1, 3 and 1 (the middle one inhibitory: clusters use |w|). Input
# neuron 4 (channel 0, negative) has no connections.
CHAIN = (np.array([3, 0, 1]), np.array([0, 1, 2]), np.array([1.0, -3.0, 1.0]))


def chain_F(a):
    """Channel 0's column of F on the chain, solved by hand.

    W (symmetric |w|) is the path 3 -1- 0 -3- 1 -1- 2, so the degrees are
    d3 = 1, d0 = 4, d1 = 4, d2 = 1 and S = D^-1/2 W D^-1/2 has
    S[3,0] = 1/sqrt(1*4) = 1/2, S[0,1] = 3/sqrt(4*4) = 3/4, S[1,2] = 1/sqrt(4*1) = 1/2.
    With u, x, y, z the F values of neurons 3, 0, 1, 2, (I - aS) F = Y reads

        u - a/2 x                = 1
        x - a/2 u - 3a/4 y       = 0
        y - 3a/4 x - a/2 z       = 0
        z - a/2 y                = 0

    Eliminating from the bottom: z = a/2 y; y (1 - a^2/4) = 3a/4 x, so
    y = 3a x / (4 - a^2); x (1 - k) = a/2 u with k = 9a^2 / (4 (4 - a^2));
    u = 1 + a/2 x = 1 + (a^2/4) u / (1 - k), so u = 1 / (1 - a^2 / (4 (1 - k))).
    For a = 1/2: k = 3/20, u = 68/63, x = 20/63, y = 8/63, z = 2/63
    (check: 68/63 - 5/63 = 1; 20/63 - 17/63 - 3/63 = 0; 8/63 - 7.5/63 - 0.5/63 = 0).
    Neuron 4 is isolated: its row of S is 0, so F[4] = Y[4] = 1.
    """
    k = 9 * a**2 / (4 * (4 - a**2))
    u = 1 / (1 - a**2 / (4 * (1 - k)))
    x = a / 2 * u / (1 - k)
    y = 3 * a * x / (4 - a**2)
    z = a / 2 * y
    return np.array([x, y, z, u, 1.0])  # neurons 0, 1, 2, 3, 4


# The two-channel toy: a chain 0 - 1 - 2 - 3 with channel 0's input (5) on
# neuron 0 and channel 1's input (7) on neuron 3, mirror-symmetric in |w|;
# neuron 4 is connected to nothing; input neurons 6 and 8 are silent.
TOY = (
    np.array([5, 7, 0, 1, 3]),
    np.array([0, 3, 1, 2, 2]),
    np.array([0.2, -0.2, 0.1, 0.05, -0.1]),
)


# ---------------------------------------------------------------------------
# Label propagation
# ---------------------------------------------------------------------------


def test_chain_clusters_match_hand_solution():
    cl = neuron_clusters(CHAIN, alpha=0.5, n_neurons=3, n_channels=1)
    assert isinstance(cl, Clusters)
    assert cl.F.shape == (5, 1)
    np.testing.assert_allclose(cl.F[:, 0], np.array([20, 8, 2, 68, 63]) / 63, rtol=1e-12)
    np.testing.assert_array_equal(cl.labels, [0, 0, 0, 0, 0])
    np.testing.assert_array_equal(cl.sizes, [3])
    np.testing.assert_allclose(chain_F(0.5), cl.F[:, 0], rtol=1e-12)  # the closed form too
    # NeuCube's alpha = 0.99, from the same hand elimination
    cl = neuron_clusters(CHAIN, n_neurons=3, n_channels=1)
    np.testing.assert_allclose(cl.F[:, 0], chain_F(0.99), rtol=1e-10)


def test_chain_sparse_solver_agrees():
    dense = neuron_clusters(CHAIN, alpha=0.99, n_neurons=3, n_channels=1)
    sparse = neuron_clusters(CHAIN, alpha=0.99, n_neurons=3, n_channels=1, dense_below=0)
    np.testing.assert_allclose(sparse.F, dense.F, rtol=1e-10)


def test_two_channel_toy_splits_the_chain_in_the_middle():
    cl = neuron_clusters(TOY, n_neurons=5, n_channels=2, ch_names=["A", "B"])
    np.testing.assert_array_equal(cl.labels, [0, 0, 1, 1, -1, 0, 0, 1, 1])
    np.testing.assert_array_equal(cl.reservoir_labels, [0, 0, 1, 1, -1])
    np.testing.assert_array_equal(cl.sizes, [2, 2])
    assert cl.n_unassigned == 1
    assert cl.ch_names == ["A", "B"]
    # mirror symmetry: neuron k's score for A is neuron 3-k's for B
    np.testing.assert_allclose(cl.F[[0, 1, 2, 3], 0], cl.F[[3, 2, 1, 0], 1], rtol=1e-12)
    np.testing.assert_array_equal(cl.F[4], [0, 0])  # unreachable
    np.testing.assert_array_equal(cl.F[[6, 8]], [[1, 0], [0, 1]])  # silent inputs keep Y


def test_toy_F_equals_the_textbook_formula():
    # independent dense construction of F = (I - a D^-1/2 W D^-1/2)^-1 Y
    n_total = 9
    W = np.zeros((n_total, n_total))
    for p, q, w in zip(*TOY):
        W[p, q] += abs(w)
        W[q, p] += abs(w)
    d = W.sum(1)
    dm = np.zeros(n_total)
    dm[d > 0] = d[d > 0] ** -0.5
    S = dm[:, None] * W * dm[None, :]
    Y = np.zeros((n_total, 2))
    Y[[5, 6], 0] = 1
    Y[[7, 8], 1] = 1
    F = np.linalg.inv(np.eye(n_total) - 0.99 * S) @ Y
    cl = neuron_clusters(TOY, n_neurons=5, n_channels=2)
    np.testing.assert_allclose(cl.F, F, atol=1e-12)


def test_clusters_follow_the_weights():
    # a strong 1 - 2 link and a weak 0 - 1 link pull neuron 1 into B's cluster
    pre, post, w = TOY
    w = np.array([0.2, -0.2, 0.01, 0.5, -0.1])
    cl = neuron_clusters((pre, post, w), n_neurons=5, n_channels=2)
    np.testing.assert_array_equal(cl.reservoir_labels, [0, 1, 1, 1, -1])


def test_clusters_of_a_cube_use_its_channels():
    coords = np.c_[np.arange(4) * 10.0, np.zeros(4), np.zeros(4)]
    cube = Cube(coords, [0, 3], target="numpy", random_state=1, ch_names=["Fp1", "O1"])
    cl = neuron_clusters(cube)
    assert cl.ch_names == ["Fp1", "O1"]
    assert cl.labels.shape == (8,)
    assert cl.reservoir_labels[0] == 0 and cl.reservoir_labels[3] == 1


def test_cluster_errors():
    with pytest.raises(ValueError, match="n_neurons="):
        neuron_clusters(CHAIN)
    with pytest.raises(ValueError, match="alpha must be in"):
        neuron_clusters(CHAIN, alpha=1.0, n_neurons=3, n_channels=1)
    with pytest.raises(ValueError, match="0 … 2"):
        neuron_clusters(CHAIN, n_neurons=1, n_channels=1)
    with pytest.raises(TypeError, match="Cube or a tuple"):
        neuron_clusters("cube")


# ---------------------------------------------------------------------------
# Feature interaction network
# ---------------------------------------------------------------------------


def test_feature_interaction_network_by_hand():
    cl = neuron_clusters(TOY, n_neurons=5, n_channels=2)
    M = feature_interaction_network(TOY, cl, n_neurons=5, n_channels=2)
    # A→A: 5→0 (0.2) + 0→1 (0.1); A→B: 1→2 (0.05); B→B: 7→3 (|-0.2|) + 3→2 (|-0.1|)
    np.testing.assert_allclose(M, [[0.3, 0.05], [0.0, 0.3]])
    M = feature_interaction_network(TOY, cl, include_inputs=False, n_neurons=5, n_channels=2)
    np.testing.assert_allclose(M, [[0.1, 0.05], [0.0, 0.1]])
    M = feature_interaction_network(TOY, cl, normalize="row", n_neurons=5, n_channels=2)
    np.testing.assert_allclose(M, [[0.3 / 0.35, 0.05 / 0.35], [0.0, 1.0]])
    M = feature_interaction_network(TOY, cl, normalize="max", n_neurons=5, n_channels=2)
    np.testing.assert_allclose(M, [[6.0, 1.0], [0.0, 6.0]])
    M = feature_interaction_network(TOY, cl, normalize="total", n_neurons=5, n_channels=2)
    np.testing.assert_allclose(M, np.array([[0.3, 0.05], [0.0, 0.3]]) / 0.65)
    # reservoir labels only: inputs belong to their channel
    M = feature_interaction_network(TOY, np.array([0, 0, 1, 1, -1]), n_neurons=5, n_channels=2)
    np.testing.assert_allclose(M, [[0.3, 0.05], [0.0, 0.3]])


def test_chain_interaction_is_its_total_weight():
    cl = neuron_clusters(CHAIN, n_neurons=3, n_channels=1)
    M = feature_interaction_network(CHAIN, cl, n_neurons=3, n_channels=1)
    np.testing.assert_allclose(M, [[5.0]])  # |1| + |-3| + |1|
    M = feature_interaction_network(CHAIN, cl, weights=[0, 1, 0], n_neurons=3, n_channels=1)
    np.testing.assert_allclose(M, [[1.0]])
    with pytest.raises(ValueError, match="normalize"):
        feature_interaction_network(CHAIN, cl, normalize="sum", n_neurons=3, n_channels=1)
    with pytest.raises(ValueError, match="expected 3"):
        feature_interaction_network(CHAIN, np.array([0, 0]), n_neurons=3, n_channels=1)


# ---------------------------------------------------------------------------
# Connections and weight change
# ---------------------------------------------------------------------------


def test_strongest_connections():
    w = np.array([0.1, -0.3, 0.2, -0.05, 0.3, 0.0])
    net = (np.arange(6) + 10, np.arange(6), w)
    top = strongest_connections(net, n=3)
    np.testing.assert_array_equal(top.index, [1, 4, 2])  # |0.3| tie: connection order
    np.testing.assert_array_equal(top.pre, [11, 14, 12])
    np.testing.assert_array_equal(top.post, [1, 4, 2])
    np.testing.assert_allclose(top.weights, [-0.3, 0.3, 0.2])
    np.testing.assert_array_equal(top.positive, [False, True, True])
    positive = strongest_connections(net, n=None, sign="positive")
    np.testing.assert_array_equal(positive.index, [4, 2, 0])
    neg = strongest_connections(net, sign="negative", threshold=0.1)
    np.testing.assert_array_equal(neg.index, [1])
    assert len(strongest_connections(net, n=None)) == 5  # zero weights never
    with pytest.raises(ValueError, match="'sign'"):
        strongest_connections(net, sign="up")


def test_weight_change_by_hand():
    pre, post, before = CHAIN
    after = np.array([1.5, -2.0, 0.5])
    wc = weight_change(before, after, pre, post, n_neurons=3)
    np.testing.assert_allclose(wc.delta, [0.5, 1.0, -0.5])
    np.testing.assert_allclose(wc.incoming, [0.5, 1.0, 0.5])
    np.testing.assert_allclose(wc.outgoing, [1.0, 0.5, 0.0])  # input neuron 3 is not mapped
    np.testing.assert_allclose(wc.per_neuron, [1.5, 1.5, 0.5])
    np.testing.assert_allclose(wc.net_incoming, [0.5, 1.0, -0.5])
    assert wc.n_changed == 3
    with pytest.raises(ValueError, match="same length"):
        weight_change(before, after[:2], pre, post, 3)
    with pytest.raises(ValueError, match="reservoir neurons"):
        weight_change(before, after, pre, post, 2)


def test_initial_weights_rebuilt_from_the_seed():
    coords = np.c_[np.arange(5) * 10.0, np.zeros(5), np.zeros(5)]
    cube = Cube(coords, [0, 4], target="numpy", random_state=3)
    w0 = cube.weights_.copy()
    cube.weights_ = w0 + 0.25  # as if STDP had run
    np.testing.assert_array_equal(initial_weights(cube), w0)
    _, _, expected = build_connections(coords, [0, 4], rng=np.random.default_rng(3))
    np.testing.assert_array_equal(initial_weights(cube), expected)
    cube.set_connections([5], [1], [0.3])  # hand-made: not what the seed gives
    assert initial_weights(cube) is None
    assert (
        initial_weights(Cube(coords, [0], target="numpy", random_state=np.random.default_rng(0)))
        is None
    )


# ---------------------------------------------------------------------------
# Activity
# ---------------------------------------------------------------------------


def _activity(spikes, n_samples, n_neurons=3, n_times=10, sfreq=10.0):
    s, n, t = (np.array(x, dtype=int) for x in zip(*spikes)) if spikes else ([], [], [])
    return CubeActivity(
        sample=s,
        neuron=n,
        step=t,
        n_samples=n_samples,
        n_neurons=n_neurons,
        n_times=n_times,
        sfreq=sfreq,
    )


def test_cluster_activity_by_hand():
    act = _activity([(0, 0, 1), (0, 1, 2), (0, 2, 7), (1, 2, 0), (1, 2, 9)], n_samples=2)
    ca = cluster_activity(act, np.array([0, 0, 1]), bin_steps=5)
    np.testing.assert_array_equal(ca.edges, [0, 5, 10])
    np.testing.assert_array_equal(ca.counts, [[[2, 0], [0, 1]], [[0, 0], [1, 1]]])
    np.testing.assert_array_equal(ca.sizes, [2, 1])
    np.testing.assert_allclose(ca.times, [0.0, 0.5])
    # cluster 0: 2 spikes of 2 neurons in 0.5 s = 2 spikes per neuron per second
    np.testing.assert_allclose(ca.rate[0], [[2.0, 0.0], [0.0, 2.0]])
    # default bins: a tenth of a second = 1 step at 10 Hz; a short last bin
    ca = cluster_activity(act, np.array([0, 0, 1]))
    assert ca.counts.shape == (2, 2, 10)
    ca = cluster_activity(act, np.array([0, -1, 1]), bin_steps=4)
    np.testing.assert_array_equal(ca.edges, [0, 4, 8, 10])
    np.testing.assert_array_equal(ca.counts[0], [[1, 0, 0], [0, 1, 0]])  # neuron 1 unassigned


def test_compare_conditions_by_hand():
    cl = neuron_clusters(CHAIN, n_neurons=3, n_channels=1, ch_names=["Cz"])
    a = _activity([(0, 0, 0), (0, 1, 1), (0, 2, 2)], n_samples=1)  # a wave down the chain
    b = _activity([(0, 0, 0), (0, 1, 5)], n_samples=1)  # 1 fires too late for 0→1
    cmp = compare_conditions(a, b, cl, CHAIN, names=("before", "during"))
    assert cmp.names == ("before", "during")
    # 3 spikes of 3 neurons in 1 s vs 2 spikes
    np.testing.assert_allclose(cmp.neuron_rate, [[1, 1, 1], [1, 1, 0]])
    np.testing.assert_allclose(cmp.cluster_rate, [[1.0], [2 / 3]])
    np.testing.assert_allclose(cmp.cluster_diff, [-1 / 3])
    # 0→1 and 1→2 fired in a one-step pair once in 'before', never in 'during';
    # the input connection 3→0 is not in the activity
    np.testing.assert_allclose(cmp.coactivation, [[np.nan, 1, 1], [np.nan, 0, 0]])
    np.testing.assert_array_equal(cmp.top.index, [1, 2])
    np.testing.assert_allclose(cmp.top.weights, [-3.0, 1.0])
    # flow: 1 pair * |-3| + 1 pair * |1| within Cz's cluster, then nothing
    np.testing.assert_allclose(cmp.flow, [[[4.0]], [[0.0]]])
    text = " ".join(cmp.summary())
    assert "Cz" in text and "decreased in 'during'" in text
    # with a lag of 5 steps, 0 at step 0 → 1 at step 5 counts in 'during' only
    cmp5 = compare_conditions(a, b, cl, CHAIN, lag=5)
    np.testing.assert_allclose(cmp5.coactivation[:, 1], [0, 1])
    # clusters only
    assert compare_conditions(a, b, cl).top is None


def test_compare_conditions_errors():
    cl = neuron_clusters(CHAIN, n_neurons=3, n_channels=1)
    a = _activity([(0, 0, 0)], n_samples=1)
    with pytest.raises(TypeError, match="CubeActivity"):
        compare_conditions(a, np.zeros(3), cl)
    with pytest.raises(ValueError, match="same cube"):
        compare_conditions(a, _activity([], 1, n_neurons=4), cl)


def test_analysis_imports_no_plotting_or_task_code():
    code = (
        "import sys, neucube.analysis; bad = [m for m in ('matplotlib', 'models', "
        "'acquisition', 'gui', 'brian2') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"
