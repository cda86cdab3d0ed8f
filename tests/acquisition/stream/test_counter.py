"""The counter channel: appended to a recording, checked as samples arrive."""

import mne
import numpy as np
import pytest

from acquisition import read_raw
from acquisition.stream.counter import COUNTER_CH, SampleCounter, add_counter_channel
from acquisition.stream.player import write_replay_file
from sample_data import SEIZURE_EDF


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


def test_add_counter_channel_wants_a_raw():
    with pytest.raises(TypeError, match="raw must be an mne.io.Raw"):
        add_counter_channel(np.zeros((2, 10)))
