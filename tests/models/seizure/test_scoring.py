"""SzCORE scoring through timescoring, latency, pooling: answers worked by hand."""

import logging
import math

import numpy as np
import pytest

from acquisition import read_raw
from models.seizure.events import SeizureEvent, events_from_annotations
from models.seizure.formats import read_events, write_events
from models.seizure.scoring import (
    EventScore,
    ReferenceOutcome,
    score_events,
    score_samples,
    summarize_scores,
)
from sample_data import SEIZURE_EDF

# A seizure at 100-160 s in a 600 s recording. SzCORE's tolerance window
# around it: 100 - 30 = 70 s to 160 + 60 = 220 s.
REF = [SeizureEvent(100.0, 60.0)]
DURATION = 600.0


def test_detection_overlapping_the_seizure():
    s = score_events(REF, [SeizureEvent(95.0, 55.0)], DURATION)
    assert (s.true_positives, s.false_positives, s.n_reference, s.false_negatives) == (1, 0, 1, 0)
    assert (s.sensitivity, s.precision, s.f1, s.fp_rate) == (1.0, 1.0, 1.0, 0.0)
    # The alert came 5 s before the annotated onset: latency -5 s.
    assert s.per_event == [ReferenceOutcome(100.0, 60.0, True, -5.0)]


def test_detection_outside_the_tolerance_is_a_false_positive_and_a_miss():
    s = score_events(REF, [SeizureEvent(230.0, 20.0)], DURATION)
    assert (s.true_positives, s.false_positives, s.false_negatives) == (0, 1, 1)
    assert s.sensitivity == 0.0 and s.precision == 0.0 and s.f1 == 0.0
    assert s.per_event == [ReferenceOutcome(100.0, 60.0, False, None)]
    # 1 false alarm in 600 s = 1 / (600 / 86400) = 144 per 24 h.
    assert s.fp_rate == pytest.approx(144.0)
    assert s.fp_per_hour == pytest.approx(6.0)


def test_a_detection_starting_at_200_s_is_inside_the_post_ictal_tolerance():
    # 200 s < 160 + 60 s: SzCORE counts it, 100 s after the onset.
    s = score_events(REF, [SeizureEvent(200.0, 10.0)], DURATION)
    assert (s.true_positives, s.false_positives) == (1, 0)
    assert s.per_event[0].latency == pytest.approx(100.0)


def test_detections_10_s_apart_are_merged():
    # Far from the seizure: two alerts 10 s apart are one false alarm.
    s = score_events(REF, [SeizureEvent(300.0, 20.0), SeizureEvent(330.0, 20.0)], DURATION)
    assert (s.true_positives, s.false_positives) == (0, 1)
    # On the seizure: one detection, no false alarm, latency from the first.
    s = score_events(REF, [SeizureEvent(95.0, 10.0), SeizureEvent(115.0, 10.0)], DURATION)
    assert (s.true_positives, s.false_positives) == (1, 0)
    assert s.per_event[0].latency == pytest.approx(-5.0)
    # 100 s apart (more than SzCORE's 90 s): two false alarms.
    s = score_events([], [SeizureEvent(300.0, 10.0), SeizureEvent(410.0, 10.0)], DURATION)
    assert s.false_positives == 2


def test_seizure_free_recording_without_alerts():
    s = score_events([], [], DURATION)
    assert (s.true_positives, s.false_positives, s.n_reference, s.fp_rate) == (0, 0, 0, 0.0)
    # Nothing to find: sensitivity is undefined (NaN), not 0 or 1.
    assert math.isnan(s.sensitivity) and math.isnan(s.precision) and math.isnan(s.f1)
    assert s.to_dict()["sensitivity"] is None and s.per_event == []


def test_false_alarms_per_24_h_by_hand():
    # One hour, three alerts more than 90 s apart: 3 per hour, 72 per 24 h.
    alerts = [SeizureEvent(t, 10.0) for t in (100.0, 1000.0, 2000.0)]
    s = score_events([], alerts, 3600.0)
    assert s.false_positives == 3
    assert s.fp_rate == pytest.approx(3 / (3600 / 86400)) == pytest.approx(72.0)
    assert s.fp_per_hour == pytest.approx(3.0)


def test_latency_never_earlier_than_the_tolerance_window():
    # An alert running since 0 s: counted as raised when the window opens (70 s).
    s = score_events(REF, [SeizureEvent(0.0, 200.0)], DURATION)
    assert s.per_event[0].latency == pytest.approx(-30.0)


def test_alert_delay_measures_the_alarm():
    # Event from its first 2-s window at 104 s: the alarm sounds at 106 s.
    s = score_events(REF, [SeizureEvent(104.0, 20.0)], DURATION, alert_delay=2.0)
    assert s.per_event[0].latency == pytest.approx(6.0)


def test_reference_seizures_are_merged_and_split_as_szcore_does():
    # Seizures 30 s apart are one; one of 700 s is three pieces (300, 300, 100 s).
    s = score_events([SeizureEvent(100.0, 20.0), SeizureEvent(150.0, 20.0)], [], DURATION)
    assert s.n_reference == 1 and (s.per_event[0].onset, s.per_event[0].duration) == (100.0, 70.0)
    s = score_events([SeizureEvent(0.0, 700.0)], [SeizureEvent(10.0, 5.0)], 1000.0)
    assert [(o.onset, o.duration) for o in s.per_event] == [
        (0.0, 300.0),
        (300.0, 300.0),
        (600.0, 100.0),
    ]
    # The alert at 10 s lies in the first piece's window only.
    assert [o.detected for o in s.per_event] == [True, False, False]
    assert s.true_positives == 1 and s.sensitivity == pytest.approx(1 / 3)


def test_a_point_alert_counts():
    s = score_events(REF, [SeizureEvent(120.0, 0.0)], DURATION)
    assert s.true_positives == 1 and s.per_event[0].latency == pytest.approx(20.0)


def test_events_outside_the_recording_are_ignored_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="neucube.models"):
        s = score_events(REF, [SeizureEvent(700.0, 10.0)], DURATION)
    assert s.false_positives == 0 and "outside the recording" in caplog.text


def test_per_event_detection_agrees_with_timescoring():
    rng = np.random.default_rng(0)
    for _ in range(20):
        ref = [SeizureEvent(t, d) for t, d in zip(rng.uniform(0, 3000, 3), rng.uniform(5, 400, 3))]
        hyp = [SeizureEvent(t, d) for t, d in zip(rng.uniform(0, 3000, 5), rng.uniform(1, 60, 5))]
        s = score_events(ref, hyp, 3600.0)
        assert sum(o.detected for o in s.per_event) == s.true_positives
        assert all((o.latency is not None) == o.detected for o in s.per_event)


def test_score_events_rejects_bad_input():
    with pytest.raises(ValueError, match="recording_duration must be the positive length"):
        score_events(REF, [], 0)
    with pytest.raises(TypeError, match=r"hypothesis\[0\] must be a SeizureEvent"):
        score_events(REF, ["x"], DURATION)
    with pytest.raises(ValueError, match="tolerance_start must be >= 0"):
        score_events(REF, [], DURATION, tolerance_start=-1)


def test_sample_scoring_by_hand():
    # 1-s labels: seizure 100-160 (60), alert 95-150 (55): 50 true, 5 false.
    s = score_samples(REF, [SeizureEvent(95.0, 55.0)], DURATION)
    assert (s.true_positives, s.false_positives, s.n_reference) == (50, 5, 60)
    assert s.sensitivity == pytest.approx(50 / 60) and s.precision == pytest.approx(50 / 55)
    assert s.f1 == pytest.approx(2 * 50 / (2 * 50 + 5 + 10))
    assert math.isnan(score_samples([], [], DURATION).sensitivity)


def test_summarize_scores_pools_counts_and_time():
    detected = score_events(REF, [SeizureEvent(95.0, 55.0)], DURATION)  # 600 s
    alarms = score_events([], [SeizureEvent(t, 10.0) for t in (100.0, 1000.0, 2000.0)], 3600.0)
    missed = score_events(REF, [], DURATION)  # 600 s
    out = summarize_scores([detected, alarms, missed])
    assert out["n_recordings"] == 3 and out["hours"] == pytest.approx(4800 / 3600)
    counts = [
        out[k] for k in ("n_reference", "true_positives", "false_positives", "false_negatives")
    ]
    assert counts == [2, 1, 3, 1]
    assert out["sensitivity"] == 0.5 and out["precision"] == 0.25
    assert out["f1"] == pytest.approx(2 / (2 + 3 + 1))
    assert out["false_alarms_per_hour"] == pytest.approx(3 / (4800 / 3600))
    assert out["false_alarms_per_24h"] == pytest.approx(3 / (4800 / 86400)) == pytest.approx(54.0)
    assert out["latencies"] == [-5.0] and out["median_latency"] == -5.0
    empty = summarize_scores([])
    assert empty["n_recordings"] == 0
    assert empty["sensitivity"] is None and empty["false_alarms_per_24h"] is None
    with pytest.raises(TypeError, match="EventScore"):
        summarize_scores([{"tp": 1}])


def test_real_reference_from_the_bundled_seizure(tmp_path):
    raw = read_raw(SEIZURE_EDF, preload=False)
    duration = raw.n_times / raw.info["sfreq"]
    reference = events_from_annotations(raw)
    assert reference == [SeizureEvent(10.0, 40.0)] and duration == 50.0
    s = score_events(reference, [SeizureEvent(12.0, 20.0, confidence=0.8)], duration)
    assert isinstance(s, EventScore)
    assert (s.true_positives, s.false_positives, s.sensitivity) == (1, 0, 1.0)
    assert s.per_event == [ReferenceOutcome(10.0, 40.0, True, 2.0)]
    # 0 false alarms in 50 s; nothing detected: the seizure is missed.
    missed = score_events(reference, [], duration)
    assert missed.sensitivity == 0.0 and missed.false_negatives == 1 and missed.fp_rate == 0.0
    # The same reference read back from an SzCORE file scores the same.
    fname = write_events(tmp_path / "ref.tsv", reference, fmt="szcore", raw=raw)
    events, meta = read_events(fname, return_meta=True)
    again = score_events(events, [SeizureEvent(12.0, 20.0)], meta["recording_duration"])
    assert again.to_dict() == s.to_dict()
