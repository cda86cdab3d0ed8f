"""The GUI's parts without the pipeline: history, decimation, ticks, frames, sources, detection."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gui.worker import (
    CubeGeometry,
    History,
    SourceSpec,
    make_frame,
    spike_ticks,
)

ROOT = Path(__file__).resolve().parents[2]


def test_history_keeps_the_newest_samples_by_absolute_index():
    h = History(["a", "b"], sfreq=10.0, seconds=3.0)  # 30 samples kept
    x = np.vstack([np.arange(100.0), -np.arange(100.0)])
    for a in range(0, 100, 7):  # chunks of 7, crossing the ring's end
        h.append(x[:, a : a + 7])
    assert h.total == 100 and h.first == 70 and h.seconds == 10.0
    start, data = h.segment(60, 100)  # clipped to what is kept
    assert start == 70
    np.testing.assert_array_equal(data, x[:, 70:100])
    start, data = h.tail(1.0)
    assert start == 90
    np.testing.assert_array_equal(data, x[:, 90:100])
    start, data = h.times(8.0, 8.5)
    assert start == 80 and data.shape == (2, 5)
    np.testing.assert_array_equal(data[0], np.arange(80.0, 85.0))


def test_history_append_larger_than_capacity():
    h = History(["a"], sfreq=1.0, seconds=5.0)
    h.append(np.arange(12.0)[np.newaxis])
    assert h.total == 12
    np.testing.assert_array_equal(h.segment(0, 12)[1], [np.arange(7.0, 12.0)])


def test_peak_decimation_keeps_every_peak():
    pytest.importorskip("PySide6")
    from gui.widgets import peak_decimate

    x = np.arange(1000) / 100.0
    data = np.zeros((2, 1000))
    data[0, 333] = 50.0  # a one-sample spike
    data[1, 777] = -40.0
    xs, ys = peak_decimate(x, data, width_px=100)  # 10 samples per pixel
    assert ys.shape == (2, 200) and xs.shape == (200,)
    assert ys[0].max() == 50.0 and ys[1].min() == -40.0
    assert xs[0] == 0.0 and np.all(np.diff(xs) >= 0)
    # fewer than two samples per pixel: nothing is dropped
    xs2, ys2 = peak_decimate(x[:150], data[:, :150], width_px=100)
    assert ys2.shape == (2, 150)


def test_spike_ticks_by_hand():
    spikes = np.array([[1, 0, -1, 0], [0, 1, 0, 0]], dtype=np.int8)
    px, py, nx, ny = spike_ticks(spikes, onset=10.0, sfreq=2.0, height=0.2)
    # channel 0 is the top row (row 1), channel 1 row 0; + ticks centred 0.2 above
    np.testing.assert_allclose(px, [10.0, 10.0, 10.5, 10.5])
    np.testing.assert_allclose(py, [1.1, 1.3, 0.1, 0.3])
    np.testing.assert_allclose(nx, [11.0, 11.0])
    np.testing.assert_allclose(ny, [0.7, 0.9])


class _Activity:
    """The part of CubeActivity that make_frame reads."""

    def __init__(self, neuron, step, n_neurons):
        self._n, self._s, self.n_neurons = np.asarray(neuron), np.asarray(step), n_neurons

    def spikes(self, sample=0):
        return self._n, self._s


def test_make_frame_bins_spikes_and_lights_the_new_part():
    geo = CubeGeometry(
        positions=np.zeros((4 + 2, 3)),
        n_neurons=4,
        ch_names=["c"],
        input_index=np.array([0]),
        pre=np.array([0]),
        post=np.array([1]),
        weights=np.array([0.1]),
    )
    # 8 steps at 4 Hz = 2 s window; playback of the last second (steps 4-7), 0.5 s frames
    act = _Activity(neuron=[0, 1, 1, 3], step=[0, 4, 5, 7], n_neurons=4)
    spikes = np.array([[0, 0, 0, 0, 1, 0, -1, 0]], dtype=np.int8)
    f = make_frame(
        3,
        5.0,
        2.0,
        4.0,
        spikes,
        act,
        geo,
        play_from=1.0,
        proba=0.7,
        positive=True,
        bin_s=0.5,
        light_dt=0.5,
    )
    assert (f.index, f.onset, f.end, f.proba, f.positive, f.n_spikes) == (3, 5.0, 7.0, 0.7, True, 4)
    # raster: 4 bins of 2 steps x 4 neurons
    np.testing.assert_array_equal(
        f.cube_image, [[1, 0, 0, 0], [0, 0, 0, 0], [0, 2, 0, 0], [0, 0, 0, 1]]
    )
    assert f.bin_s == 0.5
    # lighting: frames (steps 4-5) and (6-7); inputs: + of channel 0 is index 4, - is 5
    np.testing.assert_array_equal(f.light, [[0, 2, 0, 0, 1, 0], [0, 0, 0, 1, 0, 1]])
    assert f.light_dt == 0.5


def test_geometry_threshold_keeps_the_strongest():
    geo = CubeGeometry(
        positions=np.zeros((5, 3)),
        n_neurons=3,
        ch_names=["c"],
        input_index=np.array([1]),
        pre=np.array([0, 1, 2, 3]),
        post=np.array([1, 2, 0, 0]),
        weights=np.array([0.5, -0.3, 0.2, -0.1]),
    )
    assert geo.default_threshold(2) == 0.3
    pre, post, w = geo.connections(0.3)
    np.testing.assert_array_equal(w, [0.5, -0.3])
    np.testing.assert_array_equal(geo.label_positions, np.zeros((1, 3)))


def test_source_spec_is_checked():
    with pytest.raises(ValueError, match="Invalid source kind 'udp'"):
        SourceSpec(kind="udp").check()
    with pytest.raises(ValueError, match="needs the stream's name"):
        SourceSpec(kind="lsl").check()
    with pytest.raises(FileNotFoundError, match="No recording at"):
        SourceSpec(kind="file", path="/nonexistent.edf").check()
    with pytest.raises(ValueError, match="speed must be positive"):
        SourceSpec(kind="sample", speed=0).check()
    assert "LSL stream 'EEG'" in SourceSpec(kind="lsl", name="EEG").check().describe()


def test_gl_is_not_used_offscreen_and_2d_fallback_is(qapp):
    from PySide6.QtGui import QGuiApplication

    from gui.cube_view import CubeView2D, make_cube_view, opengl_available

    if QGuiApplication.platformName() != "offscreen":
        pytest.skip("runs on the offscreen platform")
    assert opengl_available() is False
    view = make_cube_view()
    assert isinstance(view, CubeView2D) and not view.is_3d


def test_display_available_follows_the_environment(monkeypatch):
    from gui import app

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert app.display_available() is False
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":99")
    assert app.display_available() is True
    if sys.platform.startswith("linux"):
        monkeypatch.delenv("DISPLAY")
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        assert app.display_available() is False
        monkeypatch.setenv("QT_QPA_PLATFORM", "eglfs")
        assert app.display_available() is True


def test_main_refuses_without_a_display(monkeypatch):
    from gui import app

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert app.main([]) == app.EXIT_NO_DISPLAY
    assert app.main(["--allow-offscreen", "--source", "file"]) == 2  # no --file given


def test_import_gui_app_pulls_no_qt_or_brian2():
    code = "import sys, gui.app; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    heavy = sorted(
        m
        for m in out.stdout.split()
        if m.split(".")[0] in ("PySide6", "pyqtgraph", "brian2", "mne_lsl")
    )
    assert not heavy, heavy
