"""FileReplay: a recording replayed as a live LSL stream, in a thread or a child process."""

import numpy as np
import pytest

from acquisition import read_raw
from acquisition.stream.counter import COUNTER_CH
from acquisition.stream.lsl import LSLSource
from acquisition.stream.player import FileReplay
from sample_data import SEIZURE_EDF

from ._helpers import _cat, _pump, _unique


def test_replayed_file_arrives_whole_and_exact():
    raw = read_raw(SEIZURE_EDF).crop(0, 2, include_tmax=False)
    with FileReplay(raw, chunk_size=16, settle=0.2) as replay:
        src = LSLSource(
            replay.name, source_id=replay.source_id, stamp_lead=replay.stamp_lead
        ).connect()
        assert src.ch_names == raw.ch_names + [COUNTER_CH] and src.sfreq == 256.0
        assert src.counter_channel == COUNTER_CH
        assert not replay.delivered(src)
        got, stamps, _ = _pump(src, 10, until=lambda: replay.delivered(src))
        assert src.status().n_samples == raw.n_times  # the counter's last sample came
        src.close()
    data = _cat(got, len(src.ch_names))
    np.testing.assert_array_equal(data[:-1], raw.get_data())  # volts, bit for bit
    np.testing.assert_array_equal(data[-1], np.arange(raw.n_times))
    ts = np.concatenate(stamps)
    np.testing.assert_allclose(np.diff(ts), 1 / 256.0, atol=1e-6)
    st = src.status()
    assert (st.n_dropped, st.n_repeated, st.n_out_of_order) == (0, 0, 0)
    assert src.counter.missing_after(raw.n_times) == 0
    assert src.state == "closed" and replay.stamp_lead == 16 / 256.0


@pytest.mark.slow
def test_player_stopped_and_restarted_is_picked_up_again():
    raw = read_raw(SEIZURE_EDF).crop(0, 3, include_tmax=False)
    name = _unique("replay")
    first = FileReplay(raw, name=name, settle=0.2).start()
    src = LSLSource(name, source_id=name, stall_timeout=0.3, backoff=(0.1, 0.5)).connect()
    a, _, _ = _pump(src, 1.0)
    first.stop()
    b, _, states = _pump(src, 5, until=lambda: src.state == "disconnected")
    assert src.state == "disconnected", states
    with FileReplay(raw, name=name, settle=0.2):
        c, _, _ = _pump(src, 15, until=lambda: src.counter.last == raw.n_times - 1)
    st = src.status()
    src.close()
    counter = _cat(a + b + c, 24)[-1]
    n_first = int(np.argmax(np.diff(counter) < 0)) + 1
    np.testing.assert_array_equal(counter[:n_first], np.arange(n_first))  # first run, kept
    # the second run: from wherever the inlet caught it up to its end, no gap, no copy
    second = counter[n_first:]
    np.testing.assert_array_equal(second, np.arange(second[0], raw.n_times))
    assert st.n_disconnects == 1 and st.n_reconnects == 1
    assert st.n_dropped == 0 and st.n_repeated == 1  # the counter started again, once


def test_replay_in_a_child_process_arrives_whole():
    # the child runs player._CHILD: python -c "from acquisition.stream.player import ..."
    from acquisition.stream.player import _CHILD

    assert "from acquisition.stream.player import _child_main" in _CHILD
    raw = read_raw(SEIZURE_EDF).crop(0, 1, include_tmax=False)
    with FileReplay(raw, name=_unique("child"), process=True, settle=0.2) as replay:
        assert replay.running and replay._proc is not None
        src = LSLSource(
            replay.name, source_id=replay.source_id, stamp_lead=replay.stamp_lead
        ).connect()
        got, _, _ = _pump(src, 60, until=lambda: src.status().n_samples >= raw.n_times)
        src.close()
    assert not replay.running and replay.fname is None  # stopped, temporary file gone
    data = _cat(got, len(src.ch_names))
    np.testing.assert_array_equal(data[:-1], raw.get_data())
    np.testing.assert_array_equal(data[-1], np.arange(raw.n_times))
    assert src.counter.missing_after(raw.n_times) == 0


class _Quiet:
    """A source without a counter channel that last saw data ``since`` seconds ago."""

    counter = None

    def __init__(self, since):
        self.since = since

    def status(self):
        from types import SimpleNamespace

        return SimpleNamespace(seconds_since_data=self.since)


def test_delivered_without_a_counter_waits_for_the_player_to_stop_and_the_stream_to_go_quiet():
    raw = read_raw(SEIZURE_EDF).crop(0, 1, include_tmax=False)
    replay = FileReplay(raw, chunk_size=16)  # not started: not running
    assert replay.delivered(_Quiet(1.5)) and replay.delivered(_Quiet(0.5), idle=0.2)
    assert not replay.delivered(_Quiet(0.5)) and not replay.delivered(_Quiet(None))
