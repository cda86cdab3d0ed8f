"""Tests of the Brian2 cube: hand-checked steps, a NumPy oracle, targets, files.

Index space of a cube with ``n`` reservoir neurons: reservoir ``0 … n-1``, then
channel ``c``'s positive input neuron ``n + 2c`` and negative one
``n + 2c + 1``. Default tests use Brian2's 'numpy' target; compiled targets are
marked slow.
"""

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from neucube.cube import (
    Cube,
    CubeActivity,
    available_targets,
    build_connections,
    select_target,
    target_info,
)
from neucube.persistence import CubeFileError

ETA = 0.001


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path_factory, monkeypatch):
    # standalone projects go to a temporary directory, never the repository
    monkeypatch.setenv("NEUCUBE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def line_cube(n=3, n_channels=1, **kwargs):
    """``n`` reservoir neurons on a line 10 mm apart, channels on the first ones."""
    coords = np.c_[np.arange(n) * 10.0, np.zeros(n), np.zeros(n)]
    kwargs.setdefault("target", "numpy")
    kwargs.setdefault("random_state", 0)
    return Cube(coords, np.arange(n_channels), **kwargs)


def train(n_times, steps, value=1, n_channels=1, channel=0):
    """Spikes (n_channels, n_times) with ``value`` at ``steps`` of ``channel``."""
    x = np.zeros((n_channels, n_times), np.int8)
    x[channel, list(steps)] = value
    return x


def spikes_of(act, sample=0, neuron=None):
    n, s = act.spikes(sample)
    return s.tolist() if neuron is None else s[n == neuron].tolist()


# ---------------------------------------------------------------------------
# A pure-NumPy oracle of NeuCube's discrete-time neuron and STDP rules, written
# straight from the definitions (not from the Brian2 schedule).
# ---------------------------------------------------------------------------


def reference(cube, spikes, learn=False):
    """Return (list of (sample, step, neuron) spikes, final weights)."""
    x = np.asarray(spikes, np.int8)
    x = x[None] if x.ndim == 2 else x
    n, n_in = cube.n_neurons, cube.n_inputs
    n_tot = n + n_in
    pre, post = cube.pre_, cube.post_
    w = cube.weights_.copy()
    thr, leak, refr = cube.threshold, cube.leak, cube.refractory
    out = []
    for s, sample in enumerate(x):
        V = np.zeros(n)
        ref = np.zeros(n, int)
        history = [[] for _ in range(n_tot)]  # spike steps in this sample
        prev = np.zeros(n_tot, bool)
        for t in range(sample.shape[1]):
            # spikes of t-1 reach targets that are not refractory
            current = np.zeros(n)
            k = prev[pre]
            np.add.at(current, post[k], w[k])
            refractory = ref > 0
            V[~refractory] += current[~refractory]
            ref[refractory] -= 1
            fired = np.zeros(n_tot, bool)
            fired[:n] = V >= thr
            fired[n::2] = sample[:, t] == 1
            fired[n + 1 :: 2] = sample[:, t] == -1
            V[fired[:n]] = 0.0
            ref[fired[:n]] = refr
            quiet = ~fired[:n]
            V[quiet] = np.maximum(0.0, V[quiet] - leak)
            if learn:

                def amount(j, t=t, history=history):  # from partner j's spikes at earlier steps
                    if not history[j]:
                        return 0.0
                    if cube.stdp == "neucube":
                        return cube.stdp_rate / (t - history[j][-1] + 1)
                    return cube.stdp_rate * sum(
                        np.exp(-(t - tj) / cube.stdp_tau) for tj in history[j]
                    )

                ratio = 1.0 if cube.stdp == "neucube" else cube.stdp_ltd_ratio
                for kk in np.flatnonzero(fired[post]):  # potentiation first
                    w[kk] = np.clip(w[kk] + amount(pre[kk]), cube.w_min, cube.w_max)
                for kk in np.flatnonzero(fired[pre]):  # then depression
                    w[kk] = np.clip(w[kk] - ratio * amount(post[kk]), cube.w_min, cube.w_max)
            for j in np.flatnonzero(fired):
                history[j].append(t)
                if j < n:
                    out.append((s, t, j))
            prev = fired
    return sorted(out), w


def as_triples(act):
    return sorted(zip(act.sample.tolist(), act.step.tolist(), act.neuron.tolist()))


def small_random_cube(seed=0, **kwargs):
    g = np.mgrid[0:40:10, 0:30:10, 0:30:10].reshape(3, -1).T.astype(float)  # 36 neurons
    kwargs.setdefault("target", "numpy")
    cube = Cube(g, [0, 17, 35], random_state=seed, **kwargs)
    # stronger weights than NeuCube's so that a short run has rich activity
    rng = np.random.default_rng(seed)
    cube.set_connections(
        cube.pre_, cube.post_, cube.weights_ * rng.uniform(2, 5, cube.n_connections)
    )
    return cube


def random_spikes(shape, p=0.15, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.random(shape) < p).astype(np.int8) * rng.choice([-1, 1], shape).astype(np.int8)


# ---------------------------------------------------------------------------
# Hand-checked neuron steps
# ---------------------------------------------------------------------------


def test_first_spike_step_and_six_step_refractory():
    # Positive input of channel 0 (neuron 3) -> reservoir neuron 0, w = 0.6.
    # The input fires at every step. Spike at step t-1 adds w at step t:
    #   t=0: input fires; neuron 0 has nothing yet.
    #   t=1: V = 0.6 >= 0.5 -> spike, V = 0, refractory for steps 2..7
    #        (the input's spikes of steps 1..6 arrive while refractory).
    #   t=8: the input of step 7 arrives: V = 0.6 -> spike. ISI = 6 + 1.
    cube = line_cube()
    cube.set_connections([3], [0], [0.6])
    act = cube.transform(train(20, range(20)))
    assert spikes_of(act, neuron=0) == [1, 8, 15]
    assert act.counts.tolist() == [[3, 0, 0]]
    # refractory is a parameter: 0 -> it fires at every step after the first
    cube0 = line_cube(refractory=0)
    cube0.set_connections([3], [0], [0.6])
    assert spikes_of(cube0.transform(train(6, range(6))), neuron=0) == [1, 2, 3, 4, 5]


def test_subthreshold_inputs_add_up_with_leak():
    # w = 0.3 at every step: t=1: V = 0.3, no spike, leak -> 0.298;
    # t=2: 0.298 + 0.3 = 0.598 -> spike; refractory 3..8 (inputs of 2..7
    # ignored); t=9: 0.3 -> 0.298; t=10: spike. Spikes 2, 10, 18.
    cube = line_cube()
    cube.set_connections([3], [0], [0.3])
    assert spikes_of(cube.transform(train(20, range(20))), neuron=0) == [2, 10, 18]


def test_leak_amount():
    # w = 0.252, two input spikes k steps apart (first at step 0): at step k+1
    # V = 0.252 - 0.002*k + 0.252 = 0.504 - 0.002k: spike for k = 1 (0.502),
    # none for k = 3 (0.498). Without leak, k = 10 still spikes.
    cube = line_cube()
    cube.set_connections([3], [0], [0.252])
    assert spikes_of(cube.transform(train(8, [0, 1])), neuron=0) == [2]
    assert spikes_of(cube.transform(train(8, [0, 3])), neuron=0) == []
    noleak = line_cube(leak=0.0)
    noleak.set_connections([3], [0], [0.252])
    assert spikes_of(noleak.transform(train(14, [0, 10])), neuron=0) == [11]


def test_leak_floors_at_zero():
    # positive input (3) inhibits neuron 0 (w = -0.4), negative input (4)
    # excites it (w = +0.3). Channel: +1 at step 0, -1 at steps 1 and 2.
    #   t=1: V = -0.4, no spike -> max(0, -0.402) = 0
    #   t=2: V = 0.3 -> 0.298;  t=3: V = 0.598 -> spike at 3.
    # Without the floor V would be -0.402, -0.104, 0.196: no spike.
    cube = line_cube()
    cube.set_connections([3, 4], [0, 0], [-0.4, 0.3])
    x = train(6, [0]) - train(6, [1, 2])
    assert spikes_of(cube.transform(x), neuron=0) == [3]


def test_reservoir_chain_delay_and_threshold():
    # input -> 0 (0.6), 0 -> 1 (0.6), 1 -> 2 (0.4): one step per hop, and a
    # sub-threshold hop stops the wave. Input at step 0: 0 fires at 1, 1 at 2,
    # neuron 2 gets 0.4 at step 3 and stays silent.
    cube = line_cube()
    cube.set_connections([3, 0, 1], [0, 1, 2], [0.6, 0.6, 0.4])
    act = cube.transform(train(6, [0]))
    assert list(zip(*act.spikes())) == [(0, 1), (1, 2)]
    assert act.first_spike.tolist() == [[1, 2, -1]]
    assert act.order.tolist() == [[0, 1, -1]]


def test_activity_structure():
    sample = np.array([1, 0, 0, 1, 0])
    neuron = np.array([2, 1, 0, 2, 1])
    step = np.array([3, 5, 5, 1, 2])
    act = CubeActivity(sample, neuron, step, n_samples=3, n_neurons=3, n_times=6, sfreq=100.0)
    # sorted by (sample, step, neuron)
    assert act.sample.tolist() == [0, 0, 0, 1, 1]
    assert act.step.tolist() == [2, 5, 5, 1, 3]
    assert act.neuron.tolist() == [1, 0, 1, 2, 2]
    assert act.counts.tolist() == [[1, 2, 0], [0, 0, 2], [0, 0, 0]]
    assert act.first_spike.tolist() == [[5, 2, -1], [-1, -1, 1], [-1, -1, -1]]
    assert act.order.tolist() == [[1, 0, -1], [-1, -1, 0], [-1, -1, -1]]
    assert [t.tolist() for t in act.spike_times(0)] == [[5], [2, 5], []]
    assert act.raster(1)[2].tolist() == [False, True, False, True, False, False]
    assert len(act) == 3 and act.n_spikes == 5


# ---------------------------------------------------------------------------
# Hand-checked STDP
# ---------------------------------------------------------------------------


def stdp_cube(w01=0.1, **kwargs):
    """Neurons 0 and 1; channel 0 (+: neuron 2) drives 0, channel 1 (+: 4) drives 1.

    Connections: 0 = (2 -> 0, 0.6), 1 = (4 -> 1, 0.6), 2 = (0 -> 1, w01).
    """
    cube = line_cube(n=2, n_channels=2, **kwargs)
    cube.set_connections([2, 4, 0], [0, 1, 1], [0.6, 0.6, w01])
    return cube


def test_stdp_potentiation_pre_before_post():
    # Channel 0 at step 0 -> neuron 0 fires at 1. Channel 1 at step 3 ->
    # neuron 1 fires at 4 (0 -> 1 only gave it 0.1 at step 2).
    # When 1 fires at t=4, 0 -> 1 (source last fired at 1) gains
    # eta / (4 - 1 + 1) = eta/4. The input synapses gain eta / (1 - 0 + 1)
    # and eta / (4 - 3 + 1): eta/2 each. Nobody fired before a source fired:
    # no depression.
    cube = stdp_cube()
    x = train(8, [0], n_channels=2) + train(8, [3], n_channels=2, channel=1)
    assert as_triples(cube.transform(x)) == [(0, 1, 0), (0, 4, 1)]
    assert np.array_equal(cube.weights_, [0.6, 0.6, 0.1])  # transform: no learning
    cube.fit(x)
    np.testing.assert_allclose(
        cube.weights_, [0.6 + ETA / 2, 0.6 + ETA / 2, 0.1 + ETA / 4], rtol=0, atol=1e-15
    )
    assert cube.n_passes_ == 1


def test_stdp_depression_post_before_pre():
    # Channel 1 at step 0 -> neuron 1 fires at 1; channel 0 at step 3 ->
    # neuron 0 fires at 4. When 0 fires, its outgoing 0 -> 1 has a target
    # that fired earlier (at 1): it loses eta / (4 - 1 + 1) = eta/4.
    cube = stdp_cube()
    x = train(8, [3], n_channels=2) + train(8, [0], n_channels=2, channel=1)
    cube.fit(x)
    np.testing.assert_allclose(
        cube.weights_, [0.6 + ETA / 2, 0.6 + ETA / 2, 0.1 - ETA / 4], rtol=0, atol=1e-15
    )


def test_stdp_last_spike_only_and_same_step():
    # Neuron 0 fires at 1 and 3 (channel 0 at 0 and 2), neuron 1 at 6
    # (channel 1 at 5): only the latest pre spike counts: 0 -> 1 gains
    # eta / (6 - 3 + 1). Neuron 1 never fired before 0, no depression.
    cube = stdp_cube(refractory=1)
    x = train(9, [0, 2], n_channels=2) + train(9, [5], n_channels=2, channel=1)
    cube.fit(x)
    assert cube.weights_[2] == pytest.approx(0.1 + ETA / 4, abs=1e-15)
    # both fire at step 2: same-step spikes are neither cause nor effect
    cube = stdp_cube()
    x = train(5, [1], n_channels=2) + train(5, [1], n_channels=2, channel=1)
    cube.fit(x)
    assert cube.weights_[2] == 0.1


def test_stdp_weights_clip():
    # rate 1: 2 -> 0 (w 1.8) gains 1/2 when 0 fires at 2 (input at 1): 2.3 ->
    # clipped to 2. 0 -> 1 (w -1.8): 1 fires at 1 (channel 1 at 0), 0 fires at
    # 2: depression 1/(2 - 1 + 1) = 0.5: -2.3 -> clipped to -2.
    cube = line_cube(n=2, n_channels=2, stdp_rate=1.0)
    cube.set_connections([2, 4, 0], [0, 1, 1], [1.8, 0.6, -1.8])
    x = train(6, [1], n_channels=2) + train(6, [0], n_channels=2, channel=1)
    cube.fit(x)
    assert cube.weights_[0] == 2.0
    assert cube.weights_[2] == -2.0
    assert cube.weights_[1] == pytest.approx(0.6 + 0.5)
    # the bounds are parameters
    cube = line_cube(n=2, n_channels=2, stdp_rate=1.0, w_min=-1.0, w_max=1.0)
    cube.set_connections([2, 4, 0], [0, 1, 1], [0.9, 0.6, -0.9])
    cube.fit(x)
    assert cube.weights_[[0, 2]].tolist() == [1.0, -1.0]


def test_trace_rule_pair():
    # Trace rule, tau = 5 steps: same spikes as the potentiation test. At
    # t=4, 0 -> 1 gains eta * exp(-(4 - 1)/5); inputs gain eta * exp(-1/5).
    cube = stdp_cube(stdp="trace", stdp_tau=5.0)
    x = train(8, [0], n_channels=2) + train(8, [3], n_channels=2, channel=1)
    cube.fit(x)
    np.testing.assert_allclose(
        cube.weights_,
        [0.6 + ETA * np.exp(-0.2), 0.6 + ETA * np.exp(-0.2), 0.1 + ETA * np.exp(-0.6)],
        rtol=1e-12,
    )
    # depression is stdp_ltd_ratio * eta * exp(-(4 - 1)/5)
    cube = stdp_cube(stdp="trace", stdp_tau=5.0)
    x = train(8, [3], n_channels=2) + train(8, [0], n_channels=2, channel=1)
    cube.fit(x)
    assert cube.weights_[2] == pytest.approx(0.1 - 1.05 * ETA * np.exp(-0.6), rel=1e-12)


# ---------------------------------------------------------------------------
# The oracle on random networks; resets between samples; live chunks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule", ["neucube", "trace"])
def test_matches_numpy_reference(rule):
    cube = small_random_cube(stdp=rule, stdp_rate=0.02)
    x = random_spikes((3, 3, 60))
    ref_spikes, _ = reference(cube, x)
    act = cube.transform(x)
    assert act.n_spikes > 50  # a test with rich activity
    assert as_triples(act) == ref_spikes
    ref_spikes, ref_w = reference(cube, x, learn=True)
    learned = cube.run(x, learn=True)
    assert as_triples(learned) == ref_spikes
    assert not np.array_equal(ref_w, small_random_cube().weights_)
    np.testing.assert_allclose(cube.weights_, ref_w, rtol=0, atol=1e-12)


def test_samples_in_one_run_equal_samples_alone():
    cube = small_random_cube()
    x = random_spikes((4, 3, 50), seed=3)
    together = cube.transform(x)
    for s in range(4):
        alone = cube.transform(x[s])
        assert as_triples(alone) == [(0, t, n) for (k, t, n) in as_triples(together) if k == s]
    # learning: two samples in one pass = one pass over each in turn (the
    # last-spike times are forgotten at each sample's start)
    a, b = small_random_cube(), small_random_cube()
    a.fit(x[:2])
    b.fit(x[0]).fit(x[1])
    np.testing.assert_allclose(a.weights_, b.weights_, rtol=0, atol=1e-15)
    assert a.n_passes_ == 1 and b.n_passes_ == 2


def test_side_by_side_layout_by_hand():
    from neucube._brian import from_side_by_side, lanes, side_by_side

    # 3 samples of 2 channels x 2 steps, 2 copies: round 0 holds samples 0, 1;
    # round 1 holds sample 2 and a silent one
    x = np.arange(1, 13, dtype=np.int8).reshape(3, 2, 2)
    drive = side_by_side(x, 2)
    np.testing.assert_array_equal(
        drive,
        [
            [1, 3, 5, 7],  # round 0, step 0: sample 0 (ch 0, 1), sample 1 (ch 0, 1)
            [2, 4, 6, 8],
            [9, 11, 0, 0],  # round 1, step 0: sample 2, then padding
            [10, 12, 0, 0],
        ],
    )
    # cubes of 3 neurons and 1 channel (2 input neurons, 3 and 4), 2 copies:
    # reservoirs 0-2 and 3-5, then inputs 6-7 (copy 0) and 8-9 (copy 1)
    np.testing.assert_array_equal(lanes([0, 2, 3, 4], 3, 1, 2), [[0, 2, 6, 7], [3, 5, 8, 9]])
    np.testing.assert_array_equal(lanes([0, 2, 3, 4], 3, 1, 1), [[0, 2, 3, 4]])
    # recorded by step then index: neuron 2 of copy 1 at step 0, neuron 0 of
    # copy 0 at steps 1 and round 1, step 1, and one of the padding copy
    sample, step, neuron = from_side_by_side(
        np.array([5, 0, 0, 5, 2, 4]),
        np.array([0, 1, 1, 2, 3, 3]),
        n_neurons=3,
        n_times=2,
        copies=2,
        n_samples=3,
    )
    assert list(zip(sample, step, neuron)) == [(0, 1, 0), (0, 1, 0), (1, 0, 2), (2, 1, 2)]


@pytest.mark.parametrize("n_samples", [4, 8, 11])
def test_cubes_side_by_side_equal_the_oracle(n_samples, monkeypatch):
    # inference batches run several cubes side by side in one network; every
    # sample's spikes are the oracle's, a last round not filled included
    from neucube import _brian

    monkeypatch.setattr(_brian, "COPIES", 4)
    assert _brian.copies_for(n_samples, learn=False, reset=True) == 4
    assert _brian.copies_for(n_samples, learn=True, reset=True) == 1
    assert _brian.copies_for(n_samples, learn=False, reset=False) == 1
    assert _brian.copies_for(n_samples, False, True, "cpp_standalone") == 1
    assert _brian.copies_for(3, learn=False, reset=True) == 1
    cube = small_random_cube()
    x = random_spikes((n_samples, 3, 50), seed=20 + n_samples)
    act = cube.transform(x)
    ref_spikes, _ = reference(cube, x)
    assert act.n_spikes > 20 * n_samples
    assert as_triples(act) == ref_spikes
    # in the order of a one-cube run: by sample, step, neuron
    assert list(zip(act.sample, act.step, act.neuron)) == ref_spikes
    assert act.info["target"] == "numpy"


def test_live_chunks_equal_one_run():
    cube = small_random_cube()
    x = random_spikes((3, 90), seed=4)
    whole = as_triples(cube.transform(x))
    got = []
    start = 0
    for stop in (25, 26, 90):
        act = cube.run(x[:, start:stop], reset=False)
        got += [(0, t + start, n) for (_, t, n) in as_triples(act)]
        start = stop
    assert got == whole
    # a new stream starts from rest
    cube.reset_state()
    assert as_triples(cube.run(x, reset=False)) == whole


@pytest.mark.parametrize("n_samples", [3, 12])  # one cube; cubes side by side
def test_many_windows(monkeypatch, n_samples):
    # runs longer than one Brian2 run window give the same spikes
    from neucube import _brian

    cube = small_random_cube()
    x = random_spikes((n_samples, 3, 40), seed=5)
    ref = as_triples(cube.transform(x))
    assert ref == reference(cube, x)[0]
    monkeypatch.setattr(_brian, "WINDOW", 7)
    cube2 = small_random_cube()
    assert as_triples(cube2.transform(x)) == ref


# ---------------------------------------------------------------------------
# Connections
# ---------------------------------------------------------------------------


def test_connections_on_brain_template():
    from scipy.spatial import cKDTree

    from neucube.template import load_brain_template, map_channels

    tmpl = load_brain_template(10.0)
    names = [
        "Fp1",
        "Fp2",
        "F7",
        "F3",
        "Fz",
        "F4",
        "F8",
        "T7",
        "C3",
        "Cz",
        "C4",
        "T8",
        "P7",
        "P3",
        "Pz",
        "P4",
        "P8",
        "O1",
        "O2",
    ]
    idx = map_channels(names, tmpl.coords)
    cube = Cube(tmpl.coords, idx, random_state=42, target="numpy", ch_names=names)
    n = cube.n_neurons
    pre, post, w = cube.pre_, cube.post_, cube.weights_
    pos = cube.positions
    assert np.all(pre != post)
    assert np.all(post < n)  # nothing connects into input neurons
    d = np.linalg.norm(pos[pre] - pos[post], axis=1)
    assert d.max() <= 25.0
    res = pre < n
    # every reservoir pair within the radius, once, in one direction
    pairs = cKDTree(tmpl.coords).query_pairs(25.0, output_type="ndarray")
    assert res.sum() == len(pairs)
    undirected = np.sort(np.c_[pre[res], post[res]], axis=1)
    assert len(np.unique(undirected, axis=0)) == len(pairs)
    assert 0.45 < np.mean(pre[res] < post[res]) < 0.55
    assert res.sum() / n * 2 == pytest.approx(60, abs=15)  # ~60 neighbours
    assert 0.78 < np.mean(w > 0) < 0.82
    assert np.abs(w[res]).max() == pytest.approx(0.1)
    np.testing.assert_allclose(np.abs(w[res]), 0.1 * 10.0 / d[res])  # 1/distance
    assert np.abs(w[~res]).max() == pytest.approx(0.2)
    # the same cube, built from the channel names
    same = Cube.from_template(names, random_state=42, target="numpy")
    assert np.array_equal(same.weights_, w) and same.ch_names == names
    # each input neuron reaches every reservoir neuron within the radius
    for c in range(len(names)):
        for k in (0, 1):
            targets = np.sort(post[pre == n + 2 * c + k])
            expected = cKDTree(tmpl.coords).query_ball_point(tmpl.coords[idx[c]], 25.0)
            assert targets.tolist() == sorted(expected)


def test_same_seed_same_cube_and_spikes():
    a, b, c = small_random_cube(seed=7), small_random_cube(seed=7), small_random_cube(seed=8)
    assert np.array_equal(a.pre_, b.pre_) and np.array_equal(a.weights_, b.weights_)
    assert not np.array_equal(a.weights_, c.weights_)
    x = random_spikes((2, 3, 40))
    assert as_triples(a.transform(x)) == as_triples(b.transform(x))
    # the seed drawn for random_state=None is recorded and reproduces the cube
    g = np.mgrid[0:30:10, 0:30:10, 0:20:10].reshape(3, -1).T.astype(float)
    d = Cube(g, [0], target="numpy")
    e = Cube(g, [0], target="numpy", random_state=d.seed_)
    assert np.array_equal(d.weights_, e.weights_)
    # a Generator is accepted and global state is never touched
    state = np.random.get_state()[1].copy()  # noqa: NPY002 checks the legacy global state
    Cube(g, [0], random_state=np.random.default_rng(3))
    assert np.array_equal(state, np.random.get_state()[1])  # noqa: NPY002 as above


def test_build_connections_parameters():
    g = np.mgrid[0:50:10, 0:50:10, 0:20:10].reshape(3, -1).T.astype(float)
    rng = np.random.default_rng(0)
    pre, post, w = build_connections(
        g, [0], radius=15.0, max_weight=0.3, p_excitatory=1.0, input_gain=3.0, rng=rng
    )
    d = np.linalg.norm(g[pre[pre < len(g)]] - g[post[pre < len(g)]], axis=1)
    assert d.max() <= 15.0 and np.all(w > 0)
    assert w[pre < len(g)].max() == pytest.approx(0.3)
    assert w[pre >= len(g)].max() == pytest.approx(0.9)


# ---------------------------------------------------------------------------
# Targets, validation, imports
# ---------------------------------------------------------------------------


def test_targets():
    avail = available_targets()
    assert "numpy" in avail and set(avail) <= {"numpy", "cython", "cpp_standalone"}
    assert select_target("numpy") == "numpy"
    assert select_target("auto") in avail
    assert select_target("auto", n_steps=10**9, reset=False) != "cpp_standalone"
    with pytest.raises(ValueError, match="target must be one of"):
        select_target("cuda")
    info = target_info(check=False)
    assert info["target"] in avail and "cxx_compiler" in info and info["brian2"]


def test_auto_without_compilers(monkeypatch, caplog):
    import neucube._logging as logging_mod
    import neucube._targets as targets_mod

    bare = {"c_compiler": None, "cxx_compiler": None, "cython": None, "python_headers": True}
    monkeypatch.setattr(targets_mod, "_probe_toolchain", lambda: bare)
    monkeypatch.setattr(logging_mod, "_LOGGED_ONCE", set())
    assert available_targets() == ("numpy",)
    with caplog.at_level("INFO", logger="neucube"):
        assert select_target("auto") == "numpy"
        assert select_target("auto", n_steps=10**9) == "numpy"
    assert sum("'numpy' target" in r.getMessage() for r in caplog.records) == 1  # once
    with pytest.raises(RuntimeError, match="'cython' is not available.*C compiler.*target='auto'"):
        select_target("cython")
    with pytest.raises(RuntimeError, match="C\\+\\+ compiler"):
        select_target("cpp_standalone")


def test_input_validation():
    cube = line_cube(n_channels=2)
    with pytest.raises(ValueError, match="2 input channels"):
        cube.transform(np.zeros((3, 10), np.int8))
    with pytest.raises(ValueError, match="-1, 0 and \\+1"):
        cube.transform(np.full((2, 10), 2))
    with pytest.raises(ValueError, match="shaped"):
        cube.transform(np.zeros(10))
    with pytest.raises(ValueError, match="radius"):
        line_cube(radius=-1)
    with pytest.raises(ValueError, match="'stdp' parameter"):
        line_cube(stdp="hebb")
    with pytest.raises(ValueError, match="input_index"):
        Cube(np.zeros((2, 3)) + [[0, 0, 0], [1, 0, 0]], [5])
    with pytest.raises(ValueError, match="nothing connects into input"):
        cube.set_connections([0], [3], [0.1])
    with pytest.raises(ValueError, match="Self-connections"):
        cube.set_connections([1], [1], [0.1])
    # boolean / float spikes in {-1, 0, 1} are accepted
    act = cube.transform(np.zeros((2, 5), bool))
    assert act.n_spikes == 0 and act.info["target"] == "numpy"


def test_import_does_not_load_brian2():
    code = (
        "import sys, neucube, neucube.cube, neucube.persistence;"
        "neucube.cube.available_targets(); neucube.cube.target_info(check=False);"
        "assert 'brian2' not in sys.modules, 'brian2 imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_activity_metadata():
    cube = line_cube(sfreq=256.0, random_state=5)
    act = cube.transform(train(10, [0]))
    info = act.info
    assert info["brian2"] and info["numpy"] == np.__version__
    assert info["target"] == "numpy" and info["seed"] == 5 and info["learn"] is False
    assert act.sfreq == 256.0 and act.n_times == 10


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def test_save_load_round_trip(tmp_path):
    cube = small_random_cube(seed=3, sfreq=128.0)
    x = random_spikes((2, 3, 40), seed=9)
    cube.fit(x)
    thresholds = np.array([0.1, 0.2, 0.3])
    fname = cube.save(
        tmp_path / "cube.npz", encoder={"thresholds": thresholds, "alpha": 0.5, "kind": "tbr"}
    )
    loaded = Cube.load(fname)
    assert np.array_equal(loaded.weights_, cube.weights_)
    assert np.array_equal(loaded.pre_, cube.pre_) and np.array_equal(loaded.coords, cube.coords)
    assert loaded.get_params() == cube.get_params()
    assert loaded.seed_ == cube.seed_ and loaded.n_passes_ == 1
    assert loaded.encoder_["alpha"] == 0.5 and loaded.encoder_["kind"] == "tbr"
    assert np.array_equal(loaded.encoder_["thresholds"], thresholds)
    assert loaded.file_info_["versions"]["brian2"]
    assert as_triples(loaded.transform(x)) == as_triples(cube.transform(x))
    # array encoder; no overwrite by default
    with pytest.raises(FileExistsError, match="overwrite=True"):
        cube.save(fname)
    cube.save(fname, encoder=thresholds, overwrite=True)
    assert np.array_equal(Cube.load(fname).encoder_, thresholds)
    # nothing in it needs pickle
    with np.load(fname, allow_pickle=False) as npz:
        meta = json.loads(str(npz["metadata"]))
    assert meta["format_version"] == 1 and meta["params"]["stdp"] == "neucube"


def _rewrite(src, dst, edit):
    with np.load(src, allow_pickle=False) as npz:
        data = {k: npz[k] for k in npz.files}
    edit(data)
    np.savez(dst, **data)


def test_bad_files(tmp_path):
    cube = line_cube(n=4, n_channels=2)
    good = cube.save(tmp_path / "good.npz")
    # truncated / corrupted
    raw = good.read_bytes()
    bad = tmp_path / "truncated.npz"
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CubeFileError, match="truncated.npz could not be read.*Save the cube again"):
        Cube.load(bad)
    flipped = bytearray(raw)
    flipped[len(raw) // 3] ^= 0xFF
    (tmp_path / "flipped.npz").write_bytes(bytes(flipped))
    with pytest.raises(CubeFileError, match="flipped.npz"):
        Cube.load(tmp_path / "flipped.npz")
    # not ours
    (tmp_path / "notes.npz").write_text("hello")
    with pytest.raises(CubeFileError, match="notes.npz could not be read"):
        Cube.load(tmp_path / "notes.npz")
    np.savez(tmp_path / "other.npz", x=np.arange(3))
    with pytest.raises(CubeFileError, match="other.npz is not a NeuCube-EEG cube file"):
        Cube.load(tmp_path / "other.npz")

    def set_meta(**changes):
        def edit(data):
            meta = json.loads(str(data["metadata"]))
            meta.update(changes)
            data["metadata"] = np.array(json.dumps(meta))

        return edit

    _rewrite(good, tmp_path / "newer.npz", set_meta(format_version=99))
    with pytest.raises(CubeFileError, match="newer.npz has cube format version 99.*Upgrade"):
        Cube.load(tmp_path / "newer.npz")
    _rewrite(good, tmp_path / "older.npz", set_meta(format_version=0))
    with pytest.raises(
        CubeFileError, match="older.npz has cube format version 0.*Fit the cube again"
    ):
        Cube.load(tmp_path / "older.npz")
    _rewrite(good, tmp_path / "foreign.npz", set_meta(format="something else"))
    with pytest.raises(CubeFileError, match="not a NeuCube-EEG cube file"):
        Cube.load(tmp_path / "foreign.npz")
    _rewrite(good, tmp_path / "short.npz", lambda d: d.update(weights=d["weights"][:-1]))
    with pytest.raises(CubeFileError, match="short.npz is inconsistent or damaged"):
        Cube.load(tmp_path / "short.npz")
    _rewrite(good, tmp_path / "pickled.npz", lambda d: d.update(weights=np.array([object()] * 3)))
    with pytest.raises(CubeFileError, match="pickled.npz"):
        Cube.load(tmp_path / "pickled.npz")
    with pytest.raises(FileNotFoundError):
        Cube.load(tmp_path / "missing.npz")
    assert zipfile.is_zipfile(good)


# ---------------------------------------------------------------------------
# Compiled targets (slow: compilation)
# ---------------------------------------------------------------------------


def _needs(target):
    if target not in available_targets():
        pytest.skip(f"{target} not available here")


def _compare_targets(target, monkeypatch=None):
    x = random_spikes((3, 3, 60), seed=11)
    # a batch large enough for cubes side by side, the last round not filled
    many = random_spikes((11, 3, 60), seed=13)
    results = {}
    for t in ("numpy", target):
        cube = small_random_cube(seed=2, target=t)
        act = cube.transform(x)
        cube.fit(x, n_passes=2)
        results[t] = (
            as_triples(act),
            as_triples(cube.transform(x)),
            cube.weights_,
            as_triples(cube.transform(many)),
        )
    a, b = results["numpy"], results[target]
    assert a[0] == b[0] and a[1] == b[1] and a[3] == b[3]
    assert b[2].tolist() == a[2].tolist()
    # ... and both are the oracle's
    fitted = small_random_cube(seed=2)
    fitted.set_connections(fitted.pre_, fitted.post_, b[2])
    assert reference(fitted, many)[0] == b[3]
    return b


@pytest.mark.slow
@pytest.mark.brian2_target("cython")
def test_cython_same_as_numpy():
    _needs("cython")
    _compare_targets("cython")


@pytest.mark.slow
@pytest.mark.brian2_target("cpp_standalone")
def test_cpp_standalone_same_as_numpy(monkeypatch):
    _needs("cpp_standalone")
    from neucube import _brian

    # several binary runs per batch, the last one padded with silent samples
    monkeypatch.setattr(_brian, "STANDALONE_MAX_STEPS", 120)
    _compare_targets("cpp_standalone")
    # cubes side by side, which standalone does not choose by itself, give
    # the oracle's spikes there too
    copies_for = _brian.copies_for
    monkeypatch.setattr(
        _brian, "copies_for", lambda n, learn, reset, target: copies_for(n, learn, reset)
    )
    _compare_targets("cpp_standalone")
    # a cube saved and loaded gives the same spikes there too
    cube = small_random_cube(seed=2, target="cpp_standalone")
    x = random_spikes((3, 3, 60), seed=12)
    assert as_triples(cube.transform(x)) == as_triples(
        small_random_cube(seed=2, target="numpy").transform(x)
    )
    # the standalone project lives in the cache dir, not the repository
    root = os.environ["NEUCUBE_CACHE_DIR"]
    assert os.path.isdir(os.path.join(root, "standalone"))


# ---------------------------------------------------------------------------
# Operating point: activity measures and calibration
# ---------------------------------------------------------------------------


def test_rate_and_active_share_by_hand():
    # 2 samples of 5 steps, 4 neurons: 3 spikes in sample 0 (neurons 0, 0, 2), 1 in sample 1.
    act = CubeActivity(
        sample=[0, 0, 0, 1],
        neuron=[0, 2, 0, 3],
        step=[0, 1, 4, 2],
        n_samples=2,
        n_neurons=4,
        n_times=5,
    )
    assert act.rate == pytest.approx(4 / (2 * 4 * 5))
    # sample 0: 2 of 4 neurons fired, sample 1: 1 of 4
    assert act.active_share == pytest.approx((2 + 1) / 8)
    empty = CubeActivity(sample=[], neuron=[], step=[], n_samples=1, n_neurons=3, n_times=4)
    assert empty.rate == 0.0 and empty.active_share == 0.0


def test_activity_from_spikes_numbers_input_neurons_as_the_cube():
    spikes = np.zeros((2, 2, 4), np.int8)
    spikes[0, 0, 1] = 1  # channel 0 up: neuron 0
    spikes[0, 1, 1] = -1  # channel 1 down: neuron 3
    spikes[0, 1, 0] = 1  # channel 1 up: neuron 2
    spikes[1, 0, 3] = -1  # channel 0 down: neuron 1
    act = CubeActivity.from_spikes(spikes, sfreq=100.0)
    assert (act.n_samples, act.n_neurons, act.n_times, act.sfreq) == (2, 4, 4, 100.0)
    assert as_triples(act) == [(0, 0, 2), (0, 1, 0), (0, 1, 3), (1, 3, 1)]
    np.testing.assert_array_equal(act.counts, [[1, 0, 1, 1], [0, 1, 0, 0]])
    assert act.info["reservoir"] is False
    # one 2D sample
    assert CubeActivity.from_spikes(spikes[0]).n_samples == 1
    with pytest.raises(ValueError, match="shaped"):
        CubeActivity.from_spikes(np.zeros(3))


def test_calibrate_finds_a_threshold_inside_the_band():
    cube = small_random_cube(seed=2)
    x = random_spikes((4, 3, 60), p=0.3, seed=4)
    start = cube.transform(x).rate
    band = (start / 8, start / 4)  # a quieter reservoir than the initial one
    cube.calibrate(x, band)
    rate = cube.transform(x).rate
    assert band[0] <= rate <= band[1]
    cal = cube.calibration_
    assert cal["threshold"] == cube.threshold > 0.5  # quieter: a higher threshold
    assert cal["rate"] == pytest.approx(rate) and cal["initial_rate"] == pytest.approx(start)
    assert cal["initial_threshold"] == 0.5 and cal["n_probes"] >= 2
    np.testing.assert_array_equal(cal["band"], band)
    # a band above the initial activity: a lower threshold
    louder = small_random_cube(seed=2)
    start = louder.transform(x).rate  # about 0.119, 0.134 at threshold 0.1
    louder.calibrate(x, (0.125, 0.13))
    assert louder.threshold < 0.5
    assert 0.125 <= louder.transform(x).rate <= 0.13


def test_calibrate_subsamples_and_keeps_the_closest_when_out_of_reach(caplog):
    cube = small_random_cube(seed=2)
    x = random_spikes((6, 3, 40), p=0.3, seed=4)
    cube.calibrate(x, (0.01, 0.05), max_samples=2, max_probes=3)
    assert cube.calibration_["n_samples"] == 2 and cube.calibration_["n_probes"] <= 3
    # silence in, silence out: no threshold reaches the band, a warning says so
    quiet = small_random_cube(seed=2)
    with caplog.at_level("WARNING", logger="neucube"):
        quiet.calibrate(np.zeros((2, 3, 20), np.int8), (0.01, 0.05), max_probes=4)
    assert "no threshold" in caplog.text and quiet.calibration_["rate"] == 0.0


def test_calibrate_refuses_bad_bands():
    cube = small_random_cube()
    x = random_spikes((1, 3, 20))
    for band in [(0.02, 0.01), (0.0, 0.01), (0.01, 0.5), (0.01,)]:
        with pytest.raises(ValueError, match="band"):
            cube.calibrate(x, band)


def test_calibration_is_saved_with_the_cube(tmp_path):
    cube = small_random_cube(seed=3)
    x = random_spikes((2, 3, 40), p=0.3, seed=9)
    cube.calibrate(x, (0.01, 0.05))
    loaded = Cube.load(cube.save(tmp_path / "cube.npz"))
    assert loaded.threshold == cube.threshold
    assert loaded.calibration_["rate"] == cube.calibration_["rate"]
    np.testing.assert_array_equal(loaded.calibration_["band"], [0.01, 0.05])
    assert "calibration" not in loaded.extra_
    assert Cube.load(small_random_cube().save(tmp_path / "plain.npz")).calibration_ is None
