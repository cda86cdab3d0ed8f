"""The review window, offscreen: stored alerts at once, the trend behind them, review by key."""

import threading
import time

import numpy as np
import pytest
from PySide6 import QtCore

from gui import review as review_module
from gui.review import ReviewWindow, recording_identifier
from models.alerts import AlertStore
from models.cli import main
from models.io import read_model
from models.seizure.thresholds import NOT_RECORDED, BackgroundProbabilities, save_with_background
from sample_data import SEIZURE_EDF, SEIZURE_EDF_2


def _wait(app, condition, timeout=300, step=0.01):
    """Process Qt events until condition() (False on timeout: the run's own limit)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if condition():
            return True
        time.sleep(step)
    app.processEvents()
    return condition()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A store holding what ``neucube detect`` stored for the bundled seizure recording."""
    path = tmp_path_factory.mktemp("review") / "alerts.sqlite"
    assert main(["detect", str(SEIZURE_EDF), "--db", str(path), "--quiet"]) == 0
    return path


@pytest.fixture
def gated(monkeypatch):
    """Hold the trend back until the test lets it go (so 'before' is no race)."""
    gate = threading.Event()
    trend = review_module._Loader.trend

    def held(self, *args):
        gate.wait(300)
        return trend(self, *args)

    monkeypatch.setattr(review_module._Loader, "trend", held)
    yield gate
    gate.set()


def _view_range(win):
    (x0, x1), _ = win.eeg.getPlotItem().vb.viewRange()
    return x0, x1


def test_alerts_first_then_trend_jump_and_confirm_by_key(qapp, qtbot, db, gated, artifacts):
    with AlertStore(db) as store:
        (alert,) = store.list(recording=recording_identifier(SEIZURE_EDF))
    assert alert.status == "pending" and (alert.onset, alert.end) == (9.0, 50.0)
    win = ReviewWindow([SEIZURE_EDF], db=db)
    qtbot.addWidget(win)
    win.show()
    # the pending alert is listed while the trend is still held back
    assert _wait(qapp, lambda: win.table.rowCount() == 1)
    assert win.trend is None and win.progress.value() < 100
    assert win.table.item(0, 0).text() == str(alert.id)
    assert win.table.item(0, 4).text() == "pending"
    assert win.first_alert_shown_at is not None
    # opened with 30 s of context, clipped to the recording (0-50 s): 0-50 s
    assert _wait(qapp, lambda: win.eeg_info is not None)
    assert _view_range(win) == pytest.approx((0.0, 50.0), abs=1e-6)
    win.context = 5.0  # by hand: 9 - 5 = 4 s to min(50 + 5, 50) = 50 s
    win.open_alert(alert)
    assert _view_range(win) == pytest.approx((4.0, 50.0), abs=1e-6)
    # the trend: 49 windows, the progress bar full, the line for the settings
    gated.set()
    assert _wait(qapp, lambda: win.trend is not None and win.point is not None)
    assert len(win.trend.proba) == 49 and win.progress.value() == 100
    assert [(e.onset, e.end) for e in win.point.events] == [(9.0, 50.0)]
    assert win.point_label.text() == (
        f"1 event here · false alarms/h on seizure-free EEG: {NOT_RECORDED}"
    )
    win.min_duration.setValue(60.0)  # longer than the recording: nothing here
    assert win.point_label.text().startswith("0 events here")
    win.min_duration.setValue(3.0)
    # a click on the trend at 20 s shows 10 s around it
    win.jump_to(20.0)
    assert _view_range(win) == pytest.approx((15.0, 25.0), abs=1e-6)
    # confirm by key with the reviewer's name
    win.reviewer.setText("Dr. Rivera")
    win.note.setText("typical onset")
    win.activateWindow()
    win.table.setFocus()
    assert win.selected_alert().id == alert.id
    qtbot.keyClick(win.table, QtCore.Qt.Key_C)
    assert _wait(qapp, lambda: win.table.rowCount() == 0)  # pending filter: none left
    with AlertStore(db) as store:
        (row,) = store.history(alert.id)
        assert (row.action, row.status_before, row.status_after) == (
            "review",
            "pending",
            "confirmed",
        )
        assert (row.reviewer, row.note) == ("Dr. Rivera", "typical onset")
        assert store.get(alert.id).status == "confirmed"
    win.filter_box.setCurrentText("all (pending first)")
    assert win.table.rowCount() == 1 and win.table.item(0, 4).text() == "confirmed"
    assert _wait(qapp, lambda: win.recording_box.itemText(0).endswith("— 0 pending"))
    win.grab().save(str(artifacts / "review_window.png"))
    # a second verdict revises it (R rejects); the audit trail keeps both
    qtbot.keyClick(win.table, QtCore.Qt.Key_R)
    with AlertStore(db) as store:
        assert _wait(qapp, lambda: len(store.history(alert.id)) == 2)
        assert [r.action for r in store.history(alert.id)] == ["review", "revise"]
    win.close()


def test_several_recordings_and_a_recorded_evaluation(qapp, qtbot, tmp_path):
    """A list of recordings with their pending counts; the false alarm rate from the model."""
    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as store:
        for path, onsets in ((SEIZURE_EDF, (9.0, 30.0)), (SEIZURE_EDF_2, (10.0,))):
            for onset in onsets:
                store.add_alert(recording_identifier(path), onset, 3.0, 0.9, model_id="m")
    # a model whose evaluation kept its window probabilities on seizure-free EEG:
    # 1 h with two positive 2-s windows in a row, 100-103 s: one 3-s event, long enough
    # for the model's 3 s minimum (1 false alarm per hour at 0.5, none at 0.95)
    quiet = np.full(3599, 0.05)
    quiet[100:102] = 0.9
    background = BackgroundProbabilities(
        (("seizure-free", np.arange(3599.0), quiet, 3600.0),), window=2.0
    )
    model = save_with_background(read_model(None).model, background, tmp_path / "m.npz")
    win = ReviewWindow([SEIZURE_EDF, SEIZURE_EDF_2], model=model, db=db)
    qtbot.addWidget(win)
    win.show()
    assert _wait(qapp, lambda: win.recording_box.itemText(1).endswith("— 1 pending"))
    assert win.recording_box.itemText(0).endswith("— 2 pending")
    assert _wait(qapp, lambda: win.table.rowCount() == 2)
    win.next_alert()
    assert win.selected_alert().onset == 30.0
    win.previous_alert()
    assert win.selected_alert().onset == 9.0
    assert _wait(qapp, lambda: win.point is not None)
    assert win.point_label.text().endswith(
        "1.00 false alarms/h on seizure-free EEG in evaluation (1 in 1.00 h)"
    )
    win.threshold.setValue(0.95)
    assert "0.00 false alarms/h" in win.point_label.text()
    win.show_recording(1)
    assert _wait(qapp, lambda: win.table.rowCount() == 1 and win.alerts[0].onset == 10.0)
    win.close()


def test_the_main_window_opens_the_same_review(qapp, qtbot, db):
    from gui.window import MainWindow

    main_win = MainWindow(db=db, use_gl=False)
    qtbot.addWidget(main_win)
    assert main_win.review_button.text() == "Open recording for review…"
    win = main_win.open_review([str(SEIZURE_EDF)])
    qtbot.addWidget(win)
    assert isinstance(win, ReviewWindow) and win.db == db
    # the store's alerts of the recording (the module's one, reviewed above or pending)
    assert _wait(qapp, lambda: bool(win._all_alerts))
    assert [a.recording for a in win._all_alerts] == [recording_identifier(SEIZURE_EDF)]
    win.close()
    main_win.close()


def test_python_m_gui_review_without_a_display_says_so(qapp, db, caplog):
    assert review_module.main([str(SEIZURE_EDF), "--db", str(db)]) == review_module.EXIT_NO_DISPLAY
    assert "No display to open the review window on" in caplog.text
