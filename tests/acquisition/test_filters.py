"""Causal online filter (chunked == whole), offline zero-phase filter, resampling."""

import mne
import numpy as np
import pytest
from scipy import signal

from acquisition import OnlineFilter, filter_offline, resample
from acquisition.filters import OnlineResampler
from sample_data import SEIZURE_EDF

SFREQ = 256.0


def _sines(freqs, sfreq=SFREQ, seconds=4.0, amplitude=1.0):
    t = np.arange(int(seconds * sfreq)) / sfreq
    return np.array([amplitude * np.sin(2 * np.pi * f * t) for f in freqs])


def _rms(x):
    return np.sqrt(np.mean(np.square(x), axis=-1))


def _chunk_sizes(rng, n_times):
    """Random chunk sizes summing to n_times, with 0- and 1-sample chunks."""
    sizes = [0, 1, 0, 1, 1]
    while sum(sizes) < n_times:
        sizes.append(int(rng.choice([0, 1, rng.integers(2, 97)])))
    sizes[-1] -= sum(sizes) - n_times
    return sizes


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(l_freq=0.5, h_freq=40.0, notch=60.0),
        dict(l_freq=0.5, h_freq=40.0, notch=50.0, notch_harmonics=True, init="zeros"),
        dict(l_freq=1.0, h_freq=None, order=2),
        dict(l_freq=None, h_freq=30.0, order=6),
        dict(l_freq=None, h_freq=None, notch=[50.0, 60.0], notch_q=10.0),
    ],
)
def test_chunked_equals_whole(kwargs):
    rng = np.random.default_rng(42)
    n_times = 1500
    # noise + a large DC offset per channel + a line-noise sine
    data = rng.standard_normal((3, n_times)) + np.array([[100.0], [-5.0], [0.0]])
    data += _sines([60.0], seconds=n_times / SFREQ)
    whole = OnlineFilter(SFREQ, **kwargs).filter(data)
    filt = OnlineFilter(SFREQ, **kwargs)
    sizes = _chunk_sizes(rng, n_times)
    assert 0 in sizes and 1 in sizes
    edges = np.cumsum([0] + sizes)
    pieces = [filt.filter(data[:, a:b]) for a, b in zip(edges[:-1], edges[1:])]
    assert all(p.shape == (3, b - a) for p, a, b in zip(pieces, edges[:-1], edges[1:]))
    chunked = np.concatenate(pieces, axis=1)
    np.testing.assert_allclose(chunked, whole, rtol=1e-9, atol=1e-9 * np.abs(whole).max())
    # reset starts over: the same input gives the same output again
    np.testing.assert_allclose(filt.reset().filter(data), whole, rtol=1e-12, atol=0)


def test_steady_state_start_by_hand():
    """A constant input c: a low-pass passes it at once, a high-pass gives 0."""
    const = np.full((2, 50), 5.0)
    const[1] = -2.0
    low = OnlineFilter(100.0, l_freq=None, h_freq=10.0).filter(const)
    np.testing.assert_allclose(low, const, rtol=1e-10)  # DC gain 1, no transient
    high = OnlineFilter(100.0, l_freq=1.0, h_freq=None).filter(const)
    np.testing.assert_allclose(high, 0.0, atol=1e-10)  # DC gain 0, no transient
    # from rest instead: the first output is b0 * c
    zeros = OnlineFilter(100.0, l_freq=None, h_freq=10.0, order=1, init="zeros")
    b, _ = signal.butter(1, 10.0, fs=100.0)
    assert zeros.filter(const)[0, 0] == pytest.approx(b[0] * 5.0)


def test_attenuates_out_of_band_and_passes_in_band():
    filt = OnlineFilter(SFREQ, l_freq=0.5, h_freq=40.0, notch=60.0)
    x = _sines([10.0, 60.0, 100.0, 0.1])
    y = filt.filter(x)[:, -int(SFREQ) :]  # last second, after the start
    gain_db = 20 * np.log10(_rms(y) / _rms(x[:, -int(SFREQ) :]))
    assert abs(gain_db[0]) < 0.5  # 10 Hz passes
    assert gain_db[1] < -40  # 60 Hz: notch and low-pass
    assert gain_db[2] < -40  # 100 Hz: low-pass
    assert gain_db[3] < -20  # 0.1 Hz: high-pass


def test_notch_alone():
    filt = OnlineFilter(SFREQ, l_freq=None, h_freq=None, notch=60.0, notch_q=30.0)
    assert filt.sos.shape == (1, 6)
    y = filt.filter(_sines([60.0, 30.0]))[:, -int(SFREQ) :]
    assert _rms(y)[0] < 0.01 * _rms(_sines([60.0]))[0]
    assert _rms(y)[1] == pytest.approx(np.sqrt(0.5), rel=0.02)


def test_design():
    filt = OnlineFilter(SFREQ, 0.5, 40.0, notch=50.0, notch_harmonics=True)
    assert filt.notch_freqs == (50.0, 100.0)  # 150 Hz is above Nyquist (128 Hz)
    assert filt.sos.shape == (4 + 2, 6)  # order-4 band-pass = 4 sections, 2 notches
    assert "band-pass 0.5-40 Hz" in repr(filt)
    assert OnlineFilter(SFREQ, 1.0, None, order=3).sos.shape == (2, 6)
    identity = OnlineFilter(SFREQ, None, None)
    x = np.random.default_rng(0).standard_normal((2, 20))
    np.testing.assert_array_equal(identity.filter(x), x)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(sfreq=100.0, h_freq=50.0), r"h_freq=50 Hz must be below the Nyquist frequency 50 Hz"),
        (dict(sfreq=100.0, h_freq=80.0), r"h_freq=None"),
        (dict(sfreq=100.0, l_freq=60.0, h_freq=None), r"l_freq=60 Hz .* Nyquist frequency 50 Hz"),
        (dict(sfreq=100.0, h_freq=40.0, notch=60.0), r"notch=60 Hz .* Nyquist frequency 50 Hz"),
        (dict(sfreq=256.0, l_freq=40.0, h_freq=0.5), r"l_freq=40 Hz must be below h_freq=0.5 Hz"),
        (dict(sfreq=256.0, l_freq=-1.0), r"l_freq must be positive.*-1.0.*l_freq=None"),
        (dict(sfreq=256.0, h_freq=0.0), r"h_freq must be positive"),
        (dict(sfreq=256.0, notch=[60.0, -5.0]), r"notch must be positive"),
        (dict(sfreq=0.0), r"sfreq must be a positive"),
        (dict(sfreq=256.0, order=0), r"order must be an integer >= 1, got 0"),
        (dict(sfreq=256.0, notch=60.0, notch_q=0.0), r"notch_q must be positive"),
        (dict(sfreq=256.0, init="ones"), r"init must be one of \['steady', 'zeros'\]"),
    ],
)
def test_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        OnlineFilter(**kwargs)


def test_channel_count_and_shape_checks():
    filt = OnlineFilter(SFREQ)
    filt.filter(np.zeros((3, 10)))
    with pytest.raises(ValueError, match="2 channel.*started with 3.*reset"):
        filt.filter(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="2-D"):
        filt.filter(np.zeros(10))
    assert filt.reset().filter(np.zeros((2, 10))).shape == (2, 10)
    assert filt.n_channels == 2


def test_nonfinite_chunk_rejected_state_kept():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 40)), rng.standard_normal((2, 40))
    expected = OnlineFilter(SFREQ).filter(np.concatenate([a, b], axis=1))
    filt = OnlineFilter(SFREQ)
    out_a = filt.filter(a)
    bad = b.copy()
    bad[1, 5] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite samples in channel\(s\) \[1\]"):
        filt.filter(bad)
    out_b = filt.filter(b)
    np.testing.assert_allclose(np.concatenate([out_a, out_b], axis=1), expected, rtol=1e-12)


def test_filter_offline_array(caplog):
    x = _sines([10.0, 60.0], seconds=12.0).sum(axis=0, keepdims=True)
    y = filter_offline(x, SFREQ, 1.0, 40.0, notch=60.0)
    mid = slice(4 * 256, 8 * 256)  # away from the edges
    ten = _sines([10.0], seconds=12.0)
    # zero phase: the 10 Hz sine comes out in place, not delayed; 60 Hz is gone
    np.testing.assert_allclose(y[:, mid], ten[:, mid], atol=0.01)
    assert not np.shares_memory(x, y)
    # MNE's warning about a too short signal reaches our logger
    with caplog.at_level("WARNING", logger="neucube.acquisition"):
        filter_offline(x[:, :500], SFREQ, 1.0, 40.0)
    assert "longer than the signal" in caplog.text
    with pytest.raises(ValueError, match="sfreq is required"):
        filter_offline(x)
    with pytest.raises(ValueError, match="Nyquist"):
        filter_offline(x, SFREQ, 1.0, 200.0)


def test_filter_offline_and_resample_raw():
    raw = mne.io.read_raw_edf(SEIZURE_EDF, preload=True, verbose="error").crop(0, 8)
    before = raw.get_data()
    out = filter_offline(raw, None, 1.0, 30.0, notch=60.0)
    assert out is not raw and out.info["highpass"] == 1.0 and out.info["lowpass"] == 30.0
    np.testing.assert_array_equal(raw.get_data(), before)  # input unchanged
    with pytest.raises(ValueError, match="does not match"):
        filter_offline(raw, 100.0)
    half = resample(raw, new_sfreq=128.0)
    assert half.info["sfreq"] == 128.0 and half.n_times == raw.n_times // 2
    assert half.annotations.onset.tolist() == raw.annotations.onset.tolist()
    assert raw.info["sfreq"] == 256.0


@pytest.mark.parametrize("method", ["fft", "polyphase"])
def test_resample_array(method):
    x = _sines([5.0], seconds=4.0)
    y = resample(x, SFREQ, 128.0, method=method)
    assert y.shape == (1, 512)
    np.testing.assert_allclose(y[:, 64:-64], _sines([5.0], sfreq=128.0)[:, 64:-64], atol=0.01)
    with pytest.raises(ValueError, match="new_sfreq is required"):
        resample(x, SFREQ)
    with pytest.raises(ValueError, match="method must be one of"):
        resample(x, SFREQ, 128.0, method="linear")


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
        out, newest = res.process(x[:, pos : pos + n])
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


def test_online_resampler_is_one_class_wherever_it_is_imported():
    import acquisition
    import acquisition.stream

    assert acquisition.stream.OnlineResampler is OnlineResampler
    assert acquisition.OnlineResampler is OnlineResampler
