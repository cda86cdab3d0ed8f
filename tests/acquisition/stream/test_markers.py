"""MarkerInlet: the markers of an LSL marker stream, string or numeric.

Each test sends markers through a real LSL outlet on this machine (see
``conftest.py``) under a unique name, and polls with a generous deadline.
"""

import time

import numpy as np
import pytest

from acquisition.stream.markers import MarkerInlet

from ._helpers import _unique


def _marker_outlet(name, fmt="string"):
    from mne_lsl.lsl import StreamInfo, StreamOutlet

    info = StreamInfo(name, "Markers", 1, 0.0, fmt, name)  # irregular rate
    return StreamOutlet(info)


def _pull_until(inlet, n, seconds=30.0):
    """Pull until ``n`` markers came (or the deadline passed); return them."""
    got = []
    deadline = time.monotonic() + seconds
    while len(got) < n and time.monotonic() < deadline:
        got += inlet.pull()
        time.sleep(0.01)
    return got


def _wait_for_consumer(outlet, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not outlet.has_consumers and time.monotonic() < deadline:
        time.sleep(0.01)
    assert outlet.has_consumers


def test_string_markers_arrive_in_order_with_their_timestamps():
    from mne_lsl.lsl import local_clock

    name = _unique("markers")
    outlet = _marker_outlet(name)
    try:
        with MarkerInlet(name, timeout=10.0) as inlet:
            assert inlet.name == name and "open" in repr(inlet)
            _wait_for_consumer(outlet)
            assert inlet.pull() == []  # nothing sent yet
            now = local_clock()
            for k, label in enumerate(["stim/familiar", "stim/unfamiliar", "button"]):
                outlet.push_sample([label], timestamp=now + k)
            got = _pull_until(inlet, 3)
        assert "closed" in repr(inlet)
    finally:
        outlet._del()
    assert [label for _, label in got] == ["stim/familiar", "stim/unfamiliar", "button"]
    stamps = [t for t, _ in got]
    # on this machine's clock (clocksync), one second apart as sent
    assert stamps == pytest.approx([now, now + 1, now + 2], abs=0.01)
    assert all(isinstance(t, float) for t in stamps)


def test_numeric_markers_become_labels_without_a_decimal_part():
    name = _unique("markers")
    outlet = _marker_outlet(name, fmt="float32")
    try:
        with MarkerInlet(name, timeout=10.0) as inlet:
            _wait_for_consumer(outlet)
            for value in (3.0, 12.0, 2.5):
                outlet.push_sample(np.array([value], dtype=np.float32))
            got = _pull_until(inlet, 3)
    finally:
        outlet._del()
    assert [label for _, label in got] == ["3", "12", "2.5"]


def test_a_missing_marker_stream_or_a_bad_name_is_reported():
    with pytest.raises(RuntimeError, match="No LSL marker stream named 'neucube-absent-"):
        MarkerInlet(_unique("neucube-absent"), timeout=0.3)
    with pytest.raises(TypeError, match="name must be the name of the LSL marker stream"):
        MarkerInlet(None)
    with pytest.raises(ValueError, match="timeout must be positive"):
        MarkerInlet("Markers", timeout=0)
