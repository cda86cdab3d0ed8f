"""RingBuffer: the newest samples of a stream by absolute sample number, worked by hand."""

import doctest
import threading

import numpy as np
import pytest

import acquisition.stream.buffer as buffer_module
from acquisition.stream import RingBuffer


def _rows(start, stop):
    """Two rows whose values are the sample numbers (and their negatives)."""
    idx = np.arange(start, stop, dtype=float)
    return np.vstack([idx, -idx])


def test_wrap_around_keeps_the_newest_by_absolute_number():
    ring = RingBuffer(2, capacity=5)
    assert (ring.total, ring.first, ring.n_kept) == (0, 0, 0)
    ring.append(_rows(0, 3)).append(_rows(3, 7))  # 7 written, 5 kept: samples 2..6
    assert (ring.total, ring.first, ring.n_kept) == (7, 2, 5)
    # sample i sits in column i % 5: 5 and 6 wrapped over 0 and 1
    np.testing.assert_array_equal(ring._data[0], [5, 6, 2, 3, 4])
    np.testing.assert_array_equal(ring.get(2, 7), _rows(2, 7))
    np.testing.assert_array_equal(ring.get(4, 6), _rows(4, 6))  # across the wrap: 4 | 5
    assert ring.get(7, 7).shape == (2, 0)
    assert isinstance(ring.get(3, 4), np.ndarray)  # no extras: the samples alone


def test_get_is_strict_and_segment_clips():
    ring = RingBuffer(2, capacity=5).append(_rows(0, 7))  # keeps 2..6
    with pytest.raises(
        IndexError,
        match=r"samples 1:3 are not in the ring buffer: it keeps "
        r"samples 2:7 \(5 of the 7 written; capacity 5\)",
    ):
        ring.get(1, 3)  # sample 1 is forgotten
    with pytest.raises(IndexError, match="samples 5:8 are not in the ring buffer"):
        ring.get(5, 8)  # sample 7 is not written yet
    with pytest.raises(ValueError, match="stop must not be before start"):
        ring.get(4, 3)
    with pytest.raises(TypeError, match="start must be an integer"):
        ring.get(2.0, 4)
    start, data = ring.segment(0, 4)  # 0 and 1 are forgotten
    assert start == 2
    np.testing.assert_array_equal(data, _rows(2, 4))
    start, data = ring.segment(6, 100)  # only 6 is written
    assert start == 6
    np.testing.assert_array_equal(data, _rows(6, 7))
    start, data = ring.segment(8, 10)  # nothing of it yet
    assert start == 8 and data.shape == (2, 0)
    start, data = ring.tail(3)
    assert start == 4
    np.testing.assert_array_equal(data, _rows(4, 7))
    start, data = ring.tail(100)  # more than kept: all that is kept
    assert start == 2 and data.shape == (2, 5)
    start, data = ring.tail(0)
    assert start == 7 and data.shape == (2, 0)


def test_reads_are_copies():
    ring = RingBuffer(1, capacity=4).append([[1.0, 2.0, 3.0]])
    data = ring.get(0, 3)
    data[:] = 0
    np.testing.assert_array_equal(ring.get(0, 3), [[1.0, 2.0, 3.0]])


def test_room_grows_lazily_up_to_capacity():
    ring = RingBuffer(1, capacity=10, initial_size=2)
    assert ring.allocated == 2
    ring.append(_rows(0, 3)[:1])  # 3 needed: doubled past 2 -> max(3, 4) = 4
    assert ring.allocated == 4
    ring.append(_rows(3, 4)[:1])  # 4 needed: fits
    assert ring.allocated == 4
    ring.append(_rows(4, 5)[:1])  # 5 needed: max(5, 8) = 8
    assert ring.allocated == 8
    ring.append(_rows(5, 9)[:1])  # 9 needed: max(9, 16) capped at 10
    assert ring.allocated == 10
    np.testing.assert_array_equal(ring.get(0, 9), _rows(0, 9)[:1])  # copied over each time
    ring.append(_rows(9, 12)[:1])  # wraps: keeps 2..11
    assert (ring.allocated, ring.first, ring.total) == (10, 2, 12)
    np.testing.assert_array_equal(ring.get(2, 12), _rows(2, 12)[:1])
    assert RingBuffer(3, capacity=100).allocated == 100  # min(capacity, 65536)
    assert RingBuffer(3, capacity=10**6).allocated == 1 << 16


def test_a_write_longer_than_capacity_keeps_its_newest_samples():
    ring = RingBuffer(2, capacity=5, initial_size=2)
    ring.append(_rows(0, 12))  # 12 at once into room for 2
    assert (ring.total, ring.first, ring.allocated) == (12, 7, 5)
    np.testing.assert_array_equal(ring.get(7, 12), _rows(7, 12))
    ring = RingBuffer(2, capacity=5).append(_rows(0, 3))
    ring.append(_rows(3, 11))  # 8 more, after 3: keeps 6..10
    assert (ring.total, ring.first) == (11, 6)
    np.testing.assert_array_equal(ring.get(6, 11), _rows(6, 11))
    start, data = ring.segment(0, 11)
    assert start == 6
    np.testing.assert_array_equal(data, _rows(6, 11))


def test_extra_rows_follow_their_samples():
    ring = RingBuffer(2, capacity=4, extras=("stamps", "pulled"))
    stamps = 100.0 + np.arange(6) / 10.0
    ring.append(_rows(0, 3), stamps=stamps[:3], pulled=7.0)  # one value for the whole write
    ring.append(_rows(3, 6), stamps=stamps[3:], pulled=[8.0, 9.0, 10.0])
    data, st, pulled = ring.get(2, 6)
    np.testing.assert_array_equal(data, _rows(2, 6))
    np.testing.assert_array_equal(st, stamps[2:6])
    np.testing.assert_array_equal(pulled, [7.0, 8.0, 9.0, 10.0])
    start, data, st, pulled = ring.segment(0, 3)
    assert start == 2
    np.testing.assert_array_equal(st, stamps[2:3])
    start, data, st, pulled = ring.tail(1)
    assert start == 5 and pulled.tolist() == [10.0]
    start, st = ring.extra("stamps")  # everything kept
    assert start == 2
    np.testing.assert_array_equal(st, stamps[2:6])
    start, pulled = ring.extra("pulled", 4)
    assert start == 4 and pulled.tolist() == [9.0, 10.0]
    start, pulled = ring.extra("pulled", 0, 3)  # clipped like segment()
    assert start == 2 and pulled.tolist() == [7.0]
    with pytest.raises(TypeError, match=r"missing: \['pulled'\]"):
        ring.append(_rows(6, 7), stamps=[1.0])
    with pytest.raises(TypeError, match=r"unknown: \['when'\]"):
        ring.append(_rows(6, 7), stamps=[1.0], pulled=1.0, when=2.0)
    with pytest.raises(ValueError, match=r"stamps must hold one value per sample \(shape \(1,\)\)"):
        ring.append(_rows(6, 7), stamps=[1.0, 2.0], pulled=1.0)
    with pytest.raises(ValueError, match="name must be one of this RingBuffer's extra rows"):
        ring.extra("stamp")
    assert ring.total == 6  # nothing of the refused writes went in


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="capacity must be an integer >= 1"):
        RingBuffer(2, 0)
    with pytest.raises(TypeError, match="extras must be a sequence of names"):
        RingBuffer(2, 5, extras="stamps")
    with pytest.raises(ValueError, match="extras must not repeat a name"):
        RingBuffer(2, 5, extras=("t", "t"))
    with pytest.raises(ValueError, match="extras must hold names usable as keyword arguments"):
        RingBuffer(2, 5, extras=("time stamp",))
    with pytest.raises(
        ValueError,
        match=r"data must be an array of shape \(n_channels, "
        r"n_times\) = \(2, n\), got shape \(3, 4\)",
    ):
        RingBuffer(2, 5).append(np.zeros((3, 4)))
    ring = RingBuffer(2, 5).append(np.zeros((2, 0)))  # an empty write is fine
    assert ring.total == 0 and "0 to 0 kept of capacity 5" in repr(ring)


def test_one_thread_writes_while_another_copies():
    ring = RingBuffer(1, capacity=64, extras=("stamps",), initial_size=4)
    n_chunks, size = 2000, 7
    done = threading.Event()

    def write():
        for k in range(n_chunks):
            idx = np.arange(k * size, (k + 1) * size, dtype=float)
            ring.append(idx[np.newaxis], stamps=idx / 100.0)
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    n_reads = 0
    while not done.is_set() or n_reads == 0:
        start, data, stamps = ring.tail(50)
        # every copy is one consistent snapshot: consecutive samples, stamps to match
        np.testing.assert_array_equal(data[0], np.arange(start, start + data.shape[1]))
        np.testing.assert_allclose(stamps, data[0] / 100.0)
        n_reads += 1
    writer.join()
    assert ring.total == n_chunks * size
    np.testing.assert_array_equal(ring.tail(64)[1][0], np.arange(ring.total - 64, ring.total))


def test_the_docstring_example_runs():
    result = doctest.testmod(buffer_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
