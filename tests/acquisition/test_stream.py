"""Live sources: LSL streams and their faults, file replay, in-memory chunks.

LSL traffic stays on this machine (liblsl's ResolveScope=machine), and every
stream gets a unique name and source id, so tests running side by side never
see each other's streams.
"""

import logging
import time
import uuid

import mne
import numpy as np
import pytest

from acquisition import read_raw
from acquisition.stream import (
    COUNTER_CH,
    ArraySource,
    FileReplay,
    LSLSource,
    OnlineResampler,
    SampleCounter,
    add_counter_channel,
    configure_lsl,
    write_replay_file,
)
from sample_data import SEIZURE_EDF

configure_lsl(resolve_scope="machine")  # before liblsl loads: local only, quiet

SFREQ = 100.0


def _unique(prefix="neucube-test"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class _Outlet:
    """An LSL outlet we drive by hand: 2 EEG channels and a counter."""

    def __init__(self, name):
        from mne_lsl.lsl import StreamInfo, StreamOutlet

        info = StreamInfo(name, "eeg", 3, SFREQ, "float64", name)
        info.set_channel_names(["Cz", "Pz", COUNTER_CH])
        info.set_channel_types(["eeg", "eeg", "misc"])
        info.set_channel_units(["volts", "volts", "none"])
        self.outlet = StreamOutlet(info, chunk_size=10)

    def push(self, start, n=10, stamps=None):
        """Push samples start..start+n-1 (value = index), stamped index / SFREQ."""
        idx = np.arange(start, start + n, dtype=float)
        data = np.stack([idx * 1e-6, -idx * 1e-6, idx], axis=1)
        if stamps is None:
            stamps = T0 + idx / SFREQ
        self.outlet.push_chunk(data, timestamp=np.asarray(stamps, dtype=float))
        return start + n

    def close(self):
        self.outlet._del()


T0 = 1000.0


def _pump(src, seconds, *, until=None, push=None):
    """Pull for a while (pushing with push() every 0.1 s); return pulled chunks."""
    got, stamps, states = [], [], []
    t_end = time.monotonic() + seconds
    next_push = time.monotonic()
    while time.monotonic() < t_end:
        if push is not None and time.monotonic() >= next_push:
            push()
            next_push += 0.1
        data, ts = src.pull()
        if data.shape[1]:
            got.append(data)
            stamps.append(ts)
        if not states or states[-1] != src.state:
            states.append(src.state)
        if until is not None and until():
            break
        time.sleep(0.01)
    return got, stamps, states


def _cat(chunks, n_channels=3):
    return np.concatenate(chunks, axis=1) if chunks else np.empty((n_channels, 0))


# -- helpers -------------------------------------------------------------------------


def test_sample_counter_by_hand():
    c = SampleCounter()
    assert c.update([0, 1, 2]) == (0, 0)
    assert c.update([5, 6]) == (2, 0)  # 3 and 4 never came
    assert c.update([6, 7]) == (0, 1)  # 6 twice
    assert c.update([0, 1]) == (0, 1)  # restarted from the start
    assert (c.n_received, c.n_dropped, c.n_repeated, c.first, c.last) == (9, 2, 2, 0, 1)
    fresh = SampleCounter()
    fresh.update(np.arange(3, 8))
    assert fresh.missing_after(10) == 3 + 2  # head 0-2 and tail 8-9
    assert SampleCounter().missing_after(4) == 4


def test_counter_channel_and_replay_file_keep_every_value(tmp_path):
    raw = read_raw(SEIZURE_EDF).crop(0, 2, include_tmax=False)
    with_counter = add_counter_channel(raw)
    assert with_counter.ch_names == raw.ch_names + [COUNTER_CH]
    assert with_counter.get_channel_types()[-1] == "misc"
    np.testing.assert_array_equal(with_counter.get_data(COUNTER_CH)[0], np.arange(raw.n_times))
    with pytest.raises(ValueError, match="already has a channel"):
        add_counter_channel(with_counter)
    fname = write_replay_file(raw, tmp_path / "x_raw.fif")
    back = mne.io.read_raw_fif(fname, preload=True, verbose="error")
    # double precision: the replayed values are the recording's values, bit for bit
    np.testing.assert_array_equal(back.get_data()[:-1], raw.get_data())
    np.testing.assert_array_equal(back.get_data()[-1], np.arange(raw.n_times))


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


def test_online_resampler_chunked_equals_whole_and_keeps_a_sine():
    rng = np.random.default_rng(0)
    sfreq, new = 512.0, 256.0
    t = np.arange(int(4 * sfreq)) / sfreq
    x = np.stack([np.sin(2 * np.pi * 10 * t), rng.standard_normal(t.size)])
    whole, _ = OnlineResampler(sfreq, new).process(x)
    res = OnlineResampler(sfreq, new)
    parts, pos = [], 0
    while pos < x.shape[1]:
        n = int(rng.integers(1, 50))
        out, newest = res.process(x[:, pos:pos + n])
        assert out.shape[1] == newest.size and (newest < n).all()
        parts.append(out)
        pos += n
    np.testing.assert_allclose(np.concatenate(parts, axis=1), whole, rtol=0, atol=1e-12)
    assert whole.shape[1] == t.size // 2
    # a 10 Hz sine keeps its amplitude, delayed by res.delay
    n_delay = int(round(res.delay * new))
    ref = np.sin(2 * np.pi * 10 * (np.arange(whole.shape[1]) / new - n_delay / new))
    np.testing.assert_allclose(whole[0, 100:], ref[100:], atol=0.01)
    up, _ = OnlineResampler(160.0, 256.0).process(np.ones((1, 160)))
    assert (res.up, res.down) == (1, 2) and up.shape == (1, 256)
    np.testing.assert_allclose(up, 1.0, atol=1e-3)  # steady start: no transient
    with pytest.raises(ValueError, match="ratio of integers"):
        OnlineResampler(256.0, 256.0 * np.pi)


# -- LSL -----------------------------------------------------------------------------


def test_lsl_source_needs_a_name_and_reports_a_missing_stream():
    with pytest.raises(ValueError, match="name="):
        LSLSource()
    src = LSLSource(_unique("absent"), connect_timeout=0.3)
    with pytest.raises(RuntimeError, match="No single LSL stream"):
        src.connect()
    with pytest.raises(RuntimeError, match="not connected"):
        src.pull()


def test_replayed_file_arrives_whole_and_exact():
    raw = read_raw(SEIZURE_EDF).crop(0, 2, include_tmax=False)
    with FileReplay(raw, chunk_size=16, settle=0.2) as replay:
        src = LSLSource(replay.name, source_id=replay.source_id,
                        stamp_lead=replay.stamp_lead).connect()
        assert src.ch_names == raw.ch_names + [COUNTER_CH] and src.sfreq == 256.0
        assert src.counter_channel == COUNTER_CH
        got, stamps, _ = _pump(src, 10, until=lambda: src.status().n_samples >= raw.n_times)
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


def test_stall_is_reported_once_then_resumes_without_loss(caplog):
    name = _unique()
    out = _Outlet(name)
    src = LSLSource(name, source_id=name, stall_timeout=0.3, backoff=(0.1, 0.4)).connect()
    pos = [0]

    def push():
        pos[0] = out.push(pos[0])

    with caplog.at_level(logging.INFO, logger="neucube.acquisition"):
        a, _, states_a = _pump(src, 0.6, push=push)
        b, _, states_b = _pump(src, 1.2)  # the outlet is there but silent
        status_stalled = src.status()
        c, _, states_c = _pump(src, 0.6, push=push)
    out.close()
    src.close()
    assert states_a == ["connected"]
    assert states_b[-1] == "stalled" and status_stalled.state == "stalled"
    assert status_stalled.n_stalls == 1 and status_stalled.n_disconnects == 0
    assert states_c[-1] == "connected"
    stalled_logs = [r for r in caplog.records if "stalled" in r.getMessage()]
    assert len(stalled_logs) == 1 and stalled_logs[0].levelno == logging.WARNING
    assert any("resumed after a stall" in r.getMessage() for r in caplog.records)
    counter = _cat(a + b + c)[2]
    np.testing.assert_array_equal(counter, np.arange(pos[0]))  # every sample, once, in order
    assert src.status().n_dropped == 0 and src.status().n_stalls == 1


def test_disconnect_and_return_reconnects_and_keeps_everything(caplog):
    name = _unique()
    out = _Outlet(name)
    src = LSLSource(name, source_id=name, stall_timeout=0.3, backoff=(0.1, 0.4)).connect()
    pos = [0]

    def push():
        pos[0] = out.push(pos[0])

    with caplog.at_level(logging.INFO, logger="neucube.acquisition"):
        before, _, _ = _pump(src, 0.6, push=push)
        n_before = pos[0]
        out.close()  # the sender goes away
        gone, _, states = _pump(src, 5, until=lambda: src.state == "disconnected")
        assert src.state == "disconnected", states
        assert src.status().n_disconnects == 1
        out = _Outlet(name)  # same name and source id: the sender is back
        back, _, states = _pump(src, 10, until=lambda: out.outlet.has_consumers)
        assert out.outlet.has_consumers, states
        after, _, _ = _pump(src, 0.6, push=push)
        after += _pump(src, 0.3)[0]
    out.close()
    src.close()
    counter = _cat(before + gone + back + after)[2]
    # nothing received before the disconnection is lost, nothing after is missing
    np.testing.assert_array_equal(counter[:n_before], np.arange(n_before))
    np.testing.assert_array_equal(counter, np.arange(pos[0]))
    st = src.status()
    assert (st.n_disconnects, st.n_reconnects, st.n_dropped, st.n_repeated) == (1, 1, 0, 0)
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "is gone" in messages and "is back after a disconnection" in messages


def test_out_of_order_timestamps_are_counted_logged_and_kept(caplog):
    name = _unique()
    out = _Outlet(name)
    src = LSLSource(name, source_id=name, stall_timeout=5.0).connect()
    time.sleep(0.1)
    stamps = T0 + np.arange(40) / SFREQ
    stamps[20:30] -= 1.0  # the third chunk goes back in time by a second
    with caplog.at_level(logging.WARNING, logger="neucube.acquisition"):
        for start in range(0, 40, 10):
            out.push(start, stamps=stamps[start:start + 10])
        got, ts, _ = _pump(src, 5, until=lambda: src.status().n_samples >= 40)
    st = src.status()
    out.close()
    src.close()
    counter = _cat(got)[2]
    np.testing.assert_array_equal(counter, np.arange(40))  # all kept, in arrival order
    np.testing.assert_allclose(np.concatenate(ts) - np.concatenate(ts)[0],
                               stamps - stamps[0], atol=1e-6)
    assert st.n_out_of_order == 1  # one step backwards (sample 20 after sample 19)
    assert st.state == "connected" and st.n_dropped == 0
    assert any("earlier than the sample before" in r.getMessage() for r in caplog.records)


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
