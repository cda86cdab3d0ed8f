"""Operating points by hand: events here, false alarms per hour on seizure-free EEG."""

import numpy as np
import pytest

from models.io import read_model
from models.seizure.thresholds import (
    NOT_RECORDED,
    BackgroundProbabilities,
    consequences,
    events_at,
    false_alarms_per_hour,
    model_background,
    save_with_background,
)

# Ten 2-s windows every second; positive runs at windows 1-2 (0.9, 0.8), 5 (0.6)
# and 8 (0.95).
TIMES = np.arange(10.0)
PROBA = np.array([0.1, 0.9, 0.8, 0.2, 0.1, 0.6, 0.2, 0.1, 0.95, 0.3])


def test_events_by_hand():
    # threshold 0.5: spans [1, 4], [5, 7], [8, 10] (windows of 2 s): three events
    found = events_at(PROBA, TIMES, window=2.0, threshold=0.5, min_duration=0.0, merge_gap=0.0)
    assert [(e.onset, e.duration) for e in found] == [(1.0, 3.0), (5.0, 2.0), (8.0, 2.0)]
    # a gap of 1 s merges all three (gaps 1 and 1 s < 1.5): one event 1-10 s
    found = events_at(PROBA, TIMES, window=2.0, threshold=0.5, min_duration=0.0, merge_gap=1.5)
    assert [(e.onset, e.duration) for e in found] == [(1.0, 9.0)]
    # at least 3 s: only the first stays
    found = events_at(PROBA, TIMES, window=2.0, threshold=0.5, min_duration=3.0, merge_gap=0.0)
    assert [(e.onset, e.duration) for e in found] == [(1.0, 3.0)]
    # threshold 0.85: windows 1 and 8
    found = events_at(PROBA, TIMES, window=2.0, threshold=0.85, min_duration=0.0, merge_gap=0.0)
    assert [(e.onset, e.duration) for e in found] == [(1.0, 2.0), (8.0, 2.0)]


def _background():
    # two runs: 30 min holding the trend above, and 90 min with one positive window
    quiet = np.full(20, 0.05)
    quiet[10] = 0.7
    return BackgroundProbabilities(
        (("a", TIMES, PROBA, 1800.0), ("b", np.arange(20.0), quiet, 5400.0)), window=2.0
    )


def test_false_alarms_per_hour_by_hand():
    bg = _background()
    assert bg.hours == 2.0
    # 0.5, no merging: 3 events in run a, 1 in run b: 4 in 2 h
    assert false_alarms_per_hour(bg, threshold=0.5, min_duration=0.0, merge_gap=0.0) == (4, 2.0)
    # 0.65: windows 1-2 and 8 in a, window 10 in b
    assert false_alarms_per_hour(bg, threshold=0.65, min_duration=0.0, merge_gap=0.0) == (3, 1.5)
    # min 3 s: the first event of run a only (an event never spans two runs)
    assert false_alarms_per_hour(bg, threshold=0.5, min_duration=3.0, merge_gap=0.0) == (1, 0.5)
    assert false_alarms_per_hour(bg, threshold=0.99, min_duration=0.0, merge_gap=0.0) == (0, 0.0)


def test_consequences_line():
    point = consequences(
        PROBA,
        TIMES,
        window=2.0,
        threshold=0.5,
        min_duration=0.0,
        merge_gap=0.0,
        background=_background(),
    )
    assert len(point.events) == 3 and point.false_alarms == 4 and point.false_alarms_per_hour == 2
    assert point.describe() == (
        "3 events here · 2.00 false alarms/h on seizure-free EEG in evaluation (4 in 2.00 h)"
    )
    unknown = consequences(
        PROBA, TIMES, window=2.0, threshold=0.85, min_duration=2.0, merge_gap=0.0
    )
    assert unknown.false_alarms_per_hour is None
    assert (
        unknown.describe() == f"2 events here · false alarms/h on seizure-free EEG: {NOT_RECORDED}"
    )


def test_section_round_trip_and_bad_sections():
    bg = _background()
    back = BackgroundProbabilities.from_section(bg.to_section(), "m.npz")
    assert [r[0] for r in back.runs] == ["a", "b"] and back.window == 2.0
    np.testing.assert_array_equal(back.runs[1][2], bg.runs[1][2])
    section = bg.to_section()
    section["run_lengths"] = np.array([10, 5])
    with pytest.raises(ValueError, match="m.npz.*inconsistent"):
        BackgroundProbabilities.from_section(section, "m.npz")
    del section["proba"]
    with pytest.raises(ValueError, match="m.npz.*lacks proba"):
        BackgroundProbabilities.from_section(section, "m.npz")


def test_the_shipped_model_records_none_and_a_saved_record_loads(tmp_path):
    """Old model files load as they are; a file with the section gives it back."""
    det = read_model(None).model
    assert model_background(det) is None
    bg = _background()
    path = save_with_background(det, bg, tmp_path / "with_evaluation.npz")
    again = read_model(path).model
    got = model_background(again)
    assert got is not None and got.hours == 2.0
    assert false_alarms_per_hour(got, threshold=0.5, min_duration=0.0, merge_gap=0.0) == (4, 2.0)
    assert again.get_params() == det.get_params()


def test_record_background_on_the_bundled_seizure_free_run(tmp_path):
    """The shipped model over EEGMMIDB S001 R03 (real, seizure-free), kept in a new file."""
    from models.evaluation.seizure import record_background
    from models.seizure.detector import shipped_model_path
    from sample_data import SAMPLE_DIR

    with pytest.raises(ValueError, match="is the model read"):
        record_background(None, SAMPLE_DIR, shipped_model_path())
    out = record_background(None, SAMPLE_DIR, tmp_path / "chb01_with_evaluation.npz")
    bg = model_background(read_model(out).model)
    (name, times, proba, duration) = bg.runs[0]
    assert name == "S001R03" and duration == pytest.approx(125.0)
    assert len(times) == 124 and times[0] == 0.0 and np.all(np.diff(times) == 1.0)
    # at the model's own operating point it raises no alarm on that EEG (as documented)
    assert false_alarms_per_hour(bg, threshold=0.5, min_duration=3.0, merge_gap=10.0)[0] == 0
