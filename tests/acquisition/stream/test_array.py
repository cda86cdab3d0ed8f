"""ArraySource: a recording fed in chunks, as fast as pulled, paced, or in real time."""

import time

import numpy as np
import pytest

from acquisition.stream.array import ArraySource


class _Clock:
    """A clock that moves only when the test says so (seconds)."""

    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


def test_array_source_hands_out_every_sample_once_in_random_chunks():
    data = np.arange(3 * 1000, dtype=float).reshape(3, 1000)
    src = ArraySource(data, 250.0, ["Cz", "Pz", "Oz"], chunk_size=(1, 97), random_state=0)
    chunks, sizes = [], []
    while not src.ended:
        d, ts = src.pull()
        chunks.append(d)
        sizes.append(d.shape[1])
    np.testing.assert_array_equal(np.concatenate(chunks, axis=1), data)
    assert len(set(sizes)) > 5 and min(sizes) >= 1 and max(sizes) <= 97
    assert src.status().n_samples == 1000 and src.status().n_out_of_order == 0
    assert src.pull()[0].shape == (3, 0)
    with pytest.raises(ValueError, match="sfreq"):
        ArraySource(data)


def test_array_source_in_real_time_is_paced_by_the_sampling_rate():
    data = np.arange(2 * 40, dtype=float).reshape(2, 40)
    src = ArraySource(data, 100.0, ["Cz", "Pz"], chunk_size=8, realtime=True).connect()
    assert src.live
    t0 = time.monotonic()
    chunks, stamps = [], []
    while not src.ended and time.monotonic() - t0 < 5:
        d, ts = src.pull()
        chunks.append(d)
        stamps.append(ts)
        time.sleep(0.01)
    assert time.monotonic() - t0 >= 0.35  # 40 samples at 100 Hz
    np.testing.assert_array_equal(np.concatenate(chunks, axis=1), data)
    np.testing.assert_allclose(np.diff(np.concatenate(stamps)), 0.01)
    assert max(c.shape[1] for c in chunks) <= 8


def test_real_time_on_a_clock_moved_by_hand():
    data = np.arange(2 * 40, dtype=float).reshape(2, 40)
    clock = _Clock(4.0)
    src = ArraySource(data, 100.0, ["Cz", "Pz"], chunk_size=8, realtime=True, clock=clock).connect()
    assert src.pull()[0].shape == (2, 0)  # nothing is due at connect
    clock.now = 4.0625  # 6.25 -> 6 samples due
    d, ts = src.pull()
    np.testing.assert_array_equal(d, data[:, :6])
    clock.now = 4.5  # 50 due, but at most one chunk (8) per pull
    d, ts2 = src.pull()
    np.testing.assert_array_equal(d, data[:, 6:14])
    np.testing.assert_allclose(ts2 - ts[0], np.arange(6, 14) / 100.0)


def test_speed_hands_out_no_more_than_speed_times_real_time_allows():
    # 100 Hz at twice real time: 200 samples are due per second since connect;
    # whole chunks of 10 go out while fewer than that were handed out
    data = np.arange(2 * 100, dtype=float).reshape(2, 100)
    clock = _Clock(100.0)
    src = ArraySource(data, 100.0, ["a", "b"], chunk_size=10, speed=2.0, clock=clock)
    assert src.speed == 2.0 and src.live is False
    src.connect()
    assert src.pull()[0].shape == (2, 0)  # 0 due
    clock.now = 100.0625  # 12.5 -> 12 due: chunks 0-9 and 10-19 (one chunk ahead at most)
    d, ts = src.pull()
    np.testing.assert_array_equal(d, data[:, :20])
    np.testing.assert_array_equal(ts, np.arange(20) / 100.0)  # index / sfreq, not LSL time
    assert src.pull()[0].shape == (2, 0)  # still 12 due, 20 out
    clock.now = 100.125  # 25 due
    d, _ = src.pull()
    np.testing.assert_array_equal(d, data[:, 20:30])
    clock.now = 110.0  # far more due than there is
    d, _ = src.pull()
    np.testing.assert_array_equal(d, data[:, 30:])
    assert src.ended and src.pull()[0].shape == (2, 0)
    assert src.status().n_samples == 100


def test_speed_keeps_the_chunks_of_the_unpaced_source():
    data = np.arange(3 * 1000, dtype=float).reshape(3, 1000)
    fast = ArraySource(data, 250.0, ["a", "b", "c"], chunk_size=(1, 97), random_state=7)
    edges = [0]
    while not fast.ended:
        edges.append(edges[-1] + fast.pull()[1].size)
    clock = _Clock()
    paced = ArraySource(
        data, 250.0, ["a", "b", "c"], chunk_size=(1, 97), random_state=7, speed=4.0, clock=clock
    ).connect()
    got, handed, pulls = [], 0, 0
    while not paced.ended:
        clock.now += 0.01  # 10 due per step
        d, ts = paced.pull()
        pulls += 1
        handed += ts.size
        due = int(round(clock.now * 250.0 * 4.0))
        assert handed <= max(due, 0) + 96  # at most one chunk ahead of what is due
        if ts.size:
            assert handed in edges  # a pull ends where a chunk of the unpaced source ends
        got.append(d)
    np.testing.assert_array_equal(np.concatenate(got, axis=1), data)
    assert pulls >= (1000 - 96) // 10  # 10 due per step; the last chunk may run ahead


def test_none_speed_is_one_chunk_per_pull_and_bad_pacing_is_refused():
    data = np.zeros((2, 1000))
    fast = ArraySource(data, 100.0, ["a", "b"], chunk_size=10, speed=None)
    assert fast.pull()[0].shape == (2, 10)
    with pytest.raises(ValueError, match="speed must be positive"):
        ArraySource(data, 100.0, ["a", "b"], speed=0)
    with pytest.raises(TypeError, match="speed must be a positive number or None"):
        ArraySource(data, 100.0, ["a", "b"], speed="fast")
    with pytest.raises(ValueError, match="realtime=True and speed=2: pass one of them"):
        ArraySource(data, 100.0, ["a", "b"], realtime=True, speed=2.0)
    with pytest.raises(TypeError, match="clock must be a function"):
        ArraySource(data, 100.0, ["a", "b"], speed=1.0, clock=3.0)
