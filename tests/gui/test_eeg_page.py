"""The EEG page (gui/eeg.py): sensitivity, scale bar, time base, paging, montages, filters, hiding.

Hand-worked numbers on small inputs, the bundled recordings for what a
recording allows, and the main window on a monopolar recording end to end.
"""

import time

import numpy as np
import pytest
from PySide6 import QtCore

from gui.eeg import SENSITIVITIES, EEGPage, Montage, build_montages, filter_text
from sample_data import MOTOR_EDF, SEIZURE_EDF

Key = QtCore.Qt.Key
BIPOLAR = ["Fp1-F7", "F7-T7", "T7-P7", "P7-O1"]


def _page(qtbot, **kwargs):
    page = EEGPage(**kwargs)
    qtbot.addWidget(page)
    page.resize(900, 600)
    page.show()
    return page


def _shown(page):
    t0, t1 = page.shown
    return round(t0, 6), round(t1, 6)


def test_sensitivity_sets_divisions_and_the_scale_bar_follows(qtbot, artifacts):
    page = _page(qtbot, sensitivity=50.0)
    page.set_channels(BIPOLAR[:2], 256.0)
    t = np.arange(10 * 256) / 256.0
    # 100 µV peak to peak (amplitude 50 µV, 1 Hz: samples 64 and 192 are the peaks)
    data = np.vstack([50.0 * np.sin(2 * np.pi * t), np.zeros_like(t)])
    page.set_data(0, data)
    view = page.view
    top, bottom = view.curves
    y = top.getData()[1]
    # rows one division apart, the first on top; 100 µV at 50 µV/div: 2 divisions
    assert top.pos().y() == 1.0 and bottom.pos().y() == 0.0
    assert y.max() - y.min() == pytest.approx(2.0, abs=1e-12)
    # the scale bar: a time segment of 1 s, then a vertical one of one division, "50 µV"
    bx, by = view.scale_bar.getData()
    assert bx[1] - bx[0] == pytest.approx(1.0) and by[2] - by[1] == pytest.approx(1.0)
    assert view._uv_label.textItem.toPlainText() == "50 µV"
    assert view._s_label.textItem.toPlainText() == "1 s"
    # on screen: the sine spans exactly twice the scale bar's height
    vb = view.getPlotItem().vb
    sine_px = (
        vb.mapViewToScene(QtCore.QPointF(0, 1 + y.max())).y()
        - vb.mapViewToScene(QtCore.QPointF(0, 1 + y.min())).y()
    )
    bar_px = (
        vb.mapViewToScene(QtCore.QPointF(bx[1], by[2])).y()
        - vb.mapViewToScene(QtCore.QPointF(bx[1], by[1])).y()
    )
    assert sine_px == pytest.approx(2 * bar_px, rel=1e-9)
    # 100 µV/div: the same sine spans one division, and the bar says 100 µV
    page.set_sensitivity(100.0)
    y = view.curves[0].getData()[1]
    assert y.max() - y.min() == pytest.approx(1.0, abs=1e-12)
    assert view._uv_label.textItem.toPlainText() == "100 µV"
    assert page.sensitivity_box.currentText() == "100 µV/div"
    assert "100 µV/div" in page.header.text()
    with pytest.raises(ValueError, match="one of 7, 10, 15"):
        page.set_sensitivity(25.0)
    page.grab().save(str(artifacts / "eeg_page.png"))


def test_up_and_down_step_through_the_sensitivities_and_stop_at_the_ends(qtbot):
    page = _page(qtbot, sensitivity=7.0)
    page.set_channels(BIPOLAR, 256.0)
    changed = []
    page.sensitivityChanged.connect(changed.append)
    seen = []
    for _ in range(len(SENSITIVITIES)):  # nine steps, then the end
        qtbot.keyClick(page.view, Key.Key_Down)
        seen.append(page.sensitivity)
    assert seen == [10, 15, 20, 30, 50, 70, 100, 150, 200, 200]
    assert page.view.scale_uv == 200.0 and page.sensitivity_box.currentText() == "200 µV/div"
    seen = []
    for _ in range(len(SENSITIVITIES)):
        qtbot.keyClick(page.view, Key.Key_Up)
        seen.append(page.sensitivity)
    assert seen == [150, 100, 70, 50, 30, 20, 15, 10, 7, 7]
    # one signal per change, none at the ends
    assert changed == [10, 15, 20, 30, 50, 70, 100, 150, 200, 150, 100, 70, 50, 30, 20, 15, 10, 7]
    # from a control too: PgDn pages (not the box's list), Up steps the box's own list
    page.set_extent(0.0, 60.0)
    page.follow = False
    page.show_range(0.0, 10.0)
    qtbot.keyClick(page.time_base_box, Key.Key_PageDown)
    assert _shown(page) == (10.0, 20.0) and page.seconds == 10.0


def test_paging_by_keyboard_and_following_live_data(qtbot):
    page = _page(qtbot, seconds=10.0, live=True)
    page.set_channels(BIPOLAR, 100.0)
    page.set_extent(0.0, 60.0)
    moves, follows = [], []
    page.rangeRequested.connect(lambda a, b: moves.append((round(a, 6), round(b, 6))))
    page.followChanged.connect(follows.append)
    page.set_data(0, np.zeros((4, 6000)))  # 60 s, followed: the last page
    assert _shown(page) == (50.0, 60.0) and page.follow
    qtbot.keyClick(page.view, Key.Key_PageUp)  # a page back stops following
    assert _shown(page) == (40.0, 50.0) and not page.follow and follows == [False]
    qtbot.keyClick(page.view, Key.Key_PageUp)
    assert _shown(page) == (30.0, 40.0)
    qtbot.keyClick(page.view, Key.Key_PageDown)  # exactly one time base
    assert _shown(page) == (40.0, 50.0)
    qtbot.keyClick(page.view, Key.Key_Left)  # 1 s
    assert _shown(page) == (39.0, 49.0)
    qtbot.keyClick(page.view, Key.Key_Right)
    assert _shown(page) == (40.0, 50.0)
    # new data while paused: the page stays where the reader put it
    page.set_extent(0.0, 70.0)
    page.set_data(0, np.zeros((4, 7000)))
    assert _shown(page) == (40.0, 50.0)
    qtbot.keyClick(page.view, Key.Key_Home)
    assert _shown(page) == (0.0, 10.0)
    qtbot.keyClick(page.view, Key.Key_PageUp)  # stops at the start
    assert _shown(page) == (0.0, 10.0)
    qtbot.keyClick(page.view, Key.Key_End)  # the last page, following again
    assert _shown(page) == (60.0, 70.0) and page.follow and follows == [False, True]
    page.set_extent(0.0, 80.0)
    page.set_data(0, np.zeros((4, 8000)))
    assert _shown(page) == (70.0, 80.0)
    assert moves == [
        (40.0, 50.0),
        (30.0, 40.0),
        (40.0, 50.0),
        (39.0, 49.0),
        (40.0, 50.0),
        (0.0, 10.0),
        (0.0, 10.0),
        (60.0, 70.0),
    ]
    assert "following live" in page.header.text()


def test_the_time_base_box_changes_the_span_and_the_page(qtbot):
    page = _page(qtbot, seconds=10.0)
    page.set_channels(BIPOLAR, 100.0)
    page.set_extent(0.0, 120.0)
    page.follow = False
    page.set_data(0, np.zeros((4, 12000)))
    page.show_range(30.0, 40.0)
    assert [page.time_base_box.itemText(i) for i in range(page.time_base_box.count())] == [
        "10 s/page",
        "15 s/page",
        "20 s/page",
        "30 s/page",
    ]
    page.time_base_box.setCurrentIndex(2)  # 20 s/page, from where the page starts
    assert _shown(page) == (30.0, 50.0) and page.seconds == 20.0 and page.view.seconds == 20.0
    page.page(1)  # a page is now 20 s
    assert _shown(page) == (50.0, 70.0)
    page.set_time_base(30.0)
    assert _shown(page) == (50.0, 80.0)
    assert "30 s/page" in page.header.text()
    # not live: End shows the last page, a shorter time base keeps its start
    page.end()
    assert _shown(page) == (90.0, 120.0) and not page.follow
    page.set_time_base(15.0)
    assert _shown(page) == (90.0, 105.0)
    # live and following: the page ends at the newest sample
    page.live = True
    page.end()
    page.set_time_base(20.0)
    assert _shown(page) == (100.0, 120.0) and page.follow


def test_hiding_a_channel_removes_its_row_and_relabels_the_rest(qtbot):
    page = _page(qtbot)
    page.set_channels(BIPOLAR, 100.0)
    data = np.vstack([np.full(500, 10.0 * (k + 1)) for k in range(4)])  # 10, 20, 30, 40 µV
    page.set_data(0, data)
    menu = page.channel_menu("F7-T7")
    hide, show_all = menu.actions()
    assert hide.text() == "Hide F7-T7" and not show_all.isEnabled()
    hide.trigger()
    view = page.view
    assert view.ch_names == ["Fp1-F7", "T7-P7", "P7-O1"] and len(view.curves) == 3
    assert page.hidden == ("F7-T7",)
    ticks = view.getPlotItem().getAxis("left")._tickLevels
    assert ticks == [[(2, "Fp1-F7"), (1, "T7-P7"), (0, "P7-O1")]]
    assert [c.pos().y() for c in view.curves] == [2.0, 1.0, 0.0]
    # each row still draws its own channel: 30 µV at 100 µV/div is 0.3 division
    assert view.curves[1].getData()[1][0] == pytest.approx(0.3)
    assert view.channel_at(1.2) == "T7-P7" and view.channel_at(5.0) is None
    # a right click on a label names its channel (and opens that menu)
    asked = []
    view.channelMenuRequested.connect(lambda name, pos: asked.append(name))
    vb, axis = view.getPlotItem().vb, view.getPlotItem().getAxis("left")
    at = QtCore.QPointF(
        axis.sceneBoundingRect().center().x(), vb.mapViewToScene(QtCore.QPointF(0, 1.0)).y()
    )
    qtbot.mouseClick(view.viewport(), QtCore.Qt.RightButton, pos=view.mapFromScene(at))
    assert asked == ["T7-P7"]
    menu = page.channel_menu("T7-P7")
    assert menu.actions()[1].text() == "Show all channels (1 hidden)"
    menu.actions()[1].trigger()
    assert view.ch_names == BIPOLAR and page.hidden == ()
    assert view.curves[1].getData()[1][0] == pytest.approx(0.2)


def test_bipolar_and_average_derivations_of_monopolar_input_by_hand(qtbot):
    names = ["Fp1", "F7", "T7", "P7", "O1", "Fp2", "F8"]
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 30.0, (len(names), 400))
    page = _page(qtbot)
    page.set_channels(names, 100.0, build_montages(names))
    assert [m.name for m in page.montages] == [
        "Referential (model)",
        "Common average",
        "Bipolar (double banana)",
    ]
    page.set_data(0, x)
    _, rows, shown = page.rows()
    assert rows == names
    np.testing.assert_allclose(shown, x, atol=1e-12)
    page.set_montage("Bipolar (double banana)")
    e = {n: x[i] for i, n in enumerate(names)}
    _, rows, shown = page.rows()
    # CHB-MIT's pairs these electrodes allow, in its order
    assert rows == ["Fp1-F7", "F7-T7", "T7-P7", "P7-O1", "Fp2-F8", "P7-T7"]
    expected = [
        e["Fp1"] - e["F7"],
        e["F7"] - e["T7"],
        e["T7"] - e["P7"],
        e["P7"] - e["O1"],
        e["Fp2"] - e["F8"],
        e["P7"] - e["T7"],
    ]
    np.testing.assert_allclose(shown, expected, atol=1e-9)
    assert "Bipolar (double banana)" in page.header.text()
    page.set_montage("Common average")
    _, rows, shown = page.rows()
    np.testing.assert_allclose(shown, x - x.mean(axis=0), atol=1e-9)


def test_referential_is_disabled_for_a_bipolar_recording(qtbot):
    from acquisition import read_raw
    from models.io import read_model

    raw = read_raw(SEIZURE_EDF)  # CHB-MIT: Fp1-F7, F7-T7, ...
    det = read_model(None).model
    montages = build_montages(raw.ch_names, det.ch_names)
    page = _page(qtbot)
    page.set_channels(raw.ch_names, raw.info["sfreq"], montages)
    box = page.montage_box
    items = [box.itemText(i) for i in range(box.count())]
    assert items == ["Bipolar (model)", "Referential", "Common average"]
    ref = items.index("Referential")
    assert box.model().item(0).isEnabled()
    assert not box.model().item(ref).isEnabled()
    assert not box.model().item(items.index("Common average")).isEnabled()
    why = box.itemData(ref, QtCore.Qt.ToolTipRole)
    assert "bipolar (e.g. Fp1-F7)" in why and "no referential view" in why
    assert why in box.toolTip()
    with pytest.raises(ValueError, match="not available: The recording is bipolar"):
        page.set_montage("Referential")
    box.setCurrentIndex(ref)  # refused: the model's montage stays
    assert page.montage.name == "Bipolar (model)" and page.view.ch_names[0] == "Fp1-F7"
    assert len(page.view.ch_names) == 23


def test_filter_label_for_the_shipped_detector(qtbot):
    from models.io import read_model

    det = read_model(None).model
    page = _page(qtbot)
    page.set_channels(det.ch_names, det.sfreq, [Montage.pick(det.ch_names, "Bipolar (model)")])
    page.set_filters(det.l_freq, det.h_freq, det.notch)
    assert page.filter_label.text() == "HP 0.5 Hz · LP 40 Hz · notch 60 Hz"
    header = page.header.text()
    assert header.startswith("Bipolar (model) · 100 µV/div · 10 s/page · HP 0.5 Hz")
    assert filter_text(1.0, None, [50.0, 100.0]) == "HP 1 Hz · notch 50, 100 Hz"
    assert filter_text(None, None, None) == "no filter"


def test_data_of_the_wrong_shape_is_refused(qtbot):
    page = _page(qtbot)
    page.set_channels(BIPOLAR, 100.0)
    with pytest.raises(ValueError, match=r"shape \(4, n_times\) for the page's 4 channels"):
        page.set_data(0, np.zeros((3, 10)))
    with pytest.raises(ValueError, match="reads channels that are not the page's: \\['Cz'\\]"):
        page.set_montages([Montage.pick(["Cz"], "Cz only")])


def _wait(app, condition, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    app.processEvents()
    return condition()


def test_window_shows_a_monopolar_recording_referentially(qapp, tmp_path):
    # EEGMMIDB S001 (64 electrodes against a common reference): the model reads its
    # electrodes re-referenced into CHB-MIT's pairs; the page can also show them
    # referentially, from the recording's own electrodes filtered the same way (sent
    # from the worker's process beside the model's channels)
    from gui.window import MainWindow
    from gui.worker import SourceSpec

    win = MainWindow(db=tmp_path / "a.sqlite", worker="process")
    win.show()
    try:
        win.start(SourceSpec(kind="file", path=str(MOTOR_EDF), speed=None, duration=12.0))
        while win.worker.running:  # however long the cube takes to build
            qapp.processEvents()
            time.sleep(0.01)
        assert _wait(qapp, lambda: win.worker.messages.empty() and win.ready is not None, 60)
        assert win.worker.state == "finished", win.worker.error
        page = win.eeg_page
        assert _wait(qapp, lambda: page.view.span[1] >= 11.9, 60)
        assert page.filter_label.text() == "HP 0.5 Hz · LP 40 Hz · notch 60 Hz"
        names = [m.name for m in page.montages]
        assert names == ["Bipolar (model)", "Referential", "Common average"]
        assert all(m.available for m in page.montages)
        h, src = win.history, win.source_history
        n = min(h.total, src.total)
        _, model = h.segment(0, n)
        _, ref = src.segment(0, n)
        # the model's Fp1-F7 is the recorded Fp1 minus F7, both filtered the model's way
        fp1, f7 = src.ch_names.index("Fp1"), src.ch_names.index("F7")
        np.testing.assert_allclose(model[0], ref[fp1] - ref[f7], atol=1e-6)
        page.set_montage("Referential")
        assert page.view.ch_names == list(src.ch_names) and len(src.ch_names) == 19
        assert page.view.ch_names[:3] == ["Fp1", "F3", "C3"]
        # paging back from the live end, then End
        end = page.shown[1]
        page.handle_key(Key.Key_PageUp)
        assert not page.follow and page.shown[1] == pytest.approx(max(10.0, end - 10.0))
        start, rows, data = page.rows()
        np.testing.assert_allclose(data[0], ref[fp1, start : start + data.shape[1]], atol=1e-9)
        page.handle_key(Key.Key_End)
        assert page.follow and page.shown[1] == pytest.approx(h.total / h.sfreq)
    finally:
        win.close()
