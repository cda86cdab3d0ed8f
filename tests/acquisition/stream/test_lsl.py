"""LSLSource: a live LSL stream and its faults (stalls, disconnections, time going back).

LSL traffic stays on this machine (liblsl's ResolveScope=machine, see
``conftest.py``), and every stream gets a unique name and source id, so tests
running side by side never see each other's streams.
"""

import logging
import time

import numpy as np
import pytest

from acquisition.stream.lsl import LSLSource

from ._helpers import SFREQ, T0, _cat, _Outlet, _pump, _unique


def test_lsl_source_needs_a_name_and_reports_a_missing_stream():
    with pytest.raises(ValueError, match="name="):
        LSLSource()
    src = LSLSource(_unique("absent"), connect_timeout=0.3)
    with pytest.raises(RuntimeError, match="No single LSL stream"):
        src.connect()
    with pytest.raises(RuntimeError, match="not connected"):
        src.pull()


@pytest.mark.parametrize("opened", [True, False], ids=["one-opened", "open-refused"])
def test_two_streams_of_one_name_are_refused_whichever_is_seen_first(monkeypatch, opened):
    # liblsl may hand over one of the two (the probe then finds the other), or
    # mne-lsl may see both and refuse to open either: one message either way.
    name = _unique("twins")
    outlets = [_Outlet(name, f"{name}-a"), _Outlet(name, f"{name}-b")]
    if not opened:

        def refuse(self, timeout):
            raise RuntimeError("2 were found")

        monkeypatch.setattr(LSLSource, "_open", refuse)
    try:
        with pytest.raises(RuntimeError, match="2 LSL streams match") as err:
            LSLSource(name, connect_timeout=10.0, probe_timeout=2.0).connect()
    finally:
        for out in outlets:
            out.close()
    assert f"'{name}-a'" in str(err.value) and f"'{name}-b'" in str(err.value)
    assert "--source-id" in str(err.value)


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
            out.push(start, stamps=stamps[start : start + 10])
        got, ts, _ = _pump(src, 5, until=lambda: src.status().n_samples >= 40)
    st = src.status()
    out.close()
    src.close()
    counter = _cat(got)[2]
    np.testing.assert_array_equal(counter, np.arange(40))  # all kept, in arrival order
    np.testing.assert_allclose(
        np.concatenate(ts) - np.concatenate(ts)[0], stamps - stamps[0], atol=1e-6
    )
    assert st.n_out_of_order == 1  # one step backwards (sample 20 after sample 19)
    assert st.state == "connected" and st.n_dropped == 0
    assert any("earlier than the sample before" in r.getMessage() for r in caplog.records)
