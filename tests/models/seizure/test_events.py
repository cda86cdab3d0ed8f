"""The events rule fed window by window: raised, grown and closed, as offline."""

import numpy as np
import pytest

from models.seizure.events import EventChange, EventTracker, events_from_probabilities


def _feed_all(tracker, times, proba):
    changes = []
    for t, p in zip(times, proba):
        changes += tracker.feed(t, p)
    return changes


def test_an_event_is_raised_grown_and_closed_by_the_first_window_past_it():
    # 2-s windows every second; positive at 3, 4, 5, 6 s; min_duration 3 s
    proba = [0, 0, 0, 0.9, 0.8, 0.7, 0.6, 0.1, 0.1, 0.1]
    tracker = EventTracker(window=2.0, threshold=0.5, min_duration=3.0)
    seen = [tracker.feed(float(t), p) for t, p in enumerate(proba)]
    # window 4 (4-6 s) makes 3-6 s: 3 s long, raised; 5 and 6 grow it to 3-8 s
    assert [[c.kind for c in s] for s in seen] == [
        [],
        [],
        [],
        [],
        ["raised"],
        ["updated"],
        ["updated"],
        [],  # 7 s: inside the last window (6-8 s), a later positive window would join
        [],  # 8 s: touches its end, would still join
        ["closed"],  # 9 s: past its end: nothing later can join it
    ]
    raised, grown, closed = seen[4][0], seen[6][0], seen[9][0]
    assert (raised.event.onset, raised.event.duration, raised.event.confidence) == (3.0, 3.0, 0.9)
    assert (grown.event.onset, grown.event.duration) == (3.0, 5.0)
    assert (
        closed.event == events_from_probabilities(proba, range(10), window=2.0, min_duration=3.0)[0]
    )
    assert {raised.number, grown.number, closed.number} == {0}
    assert tracker.finish() == []  # closed already


def test_merge_gap_keeps_an_event_open_and_a_short_one_is_never_reported():
    # 1-s windows; positive at 2 s, then at 5 s (gap 2 s after 2-3 s); merge_gap 2.5 s
    proba = [0, 0, 0.9, 0, 0, 0.9, 0, 0, 0, 0]
    tracker = EventTracker(window=1.0, threshold=0.5, merge_gap=2.5, min_duration=2.0)
    changes = _feed_all(tracker, range(10), proba)
    # 2-3 s alone is 1 s: not reported; 5 s joins it (gap 2 < 2.5): 2-6 s raised then;
    # closed at 9 s, the first window more than 2.5 s past 6 s
    assert [(c.kind, c.event.onset, c.event.duration) for c in changes] == [
        ("raised", 2.0, 4.0),
        ("closed", 2.0, 4.0),
    ]
    short = EventTracker(window=1.0, threshold=0.5, min_duration=2.0)
    assert _feed_all(short, range(5), [0, 0.9, 0, 0, 0]) == [] and short.finish() == []


def test_finish_closes_an_event_the_stream_ended_in():
    tracker = EventTracker(window=2.0, threshold=0.5)
    changes = _feed_all(tracker, range(4), [0, 0, 0.9, 0.9])
    assert [c.kind for c in changes] == ["raised", "updated"]
    (end,) = tracker.finish()
    assert end == EventChange("closed", 0, changes[-1].event)
    assert (end.event.onset, end.event.end) == (2.0, 5.0)
    assert tracker.finish() == []


@pytest.mark.parametrize("seed", range(5))
def test_window_by_window_equals_offline_on_random_windows(seed):
    rng = np.random.default_rng(seed)
    for _ in range(60):
        n = int(rng.integers(1, 50))
        proba = np.where(rng.random(n) < rng.random(), rng.random(n), 0.0)
        kw = dict(
            window=float(rng.choice([1.0, 2.0, 3.0])),
            threshold=0.5,
            min_duration=float(rng.choice([0, 2, 4])),
            merge_gap=float(rng.choice([0, 0.5, 1, 3])),
        )
        times = np.arange(n, dtype=float)
        tracker = EventTracker(**kw)
        changes = _feed_all(tracker, times, proba) + tracker.finish()
        offline = events_from_probabilities(proba, times, **kw)
        assert [c.event for c in changes if c.kind == "closed"] == offline
        for number in {c.number for c in changes}:
            kinds = [c.kind for c in changes if c.number == number]
            assert kinds[0] == "raised" and kinds[-1] == "closed"
            assert set(kinds[1:-1]) <= {"updated"}
        # extend() still reports the raised events only, and events all of them
        again = EventTracker(**kw)
        assert [e.onset for e in again.extend(times, proba)] == [e.onset for e in offline]
        assert again.events == offline
