"""Seizure events: the type, windows → events, and every file format in and out."""

import dataclasses
import datetime as dt

import mne
import numpy as np
import pytest

from acquisition import read_raw
from models.seizure.events import SeizureEvent, events_from_annotations, events_from_probabilities
from models.seizure.formats import (
    FORMATS,
    SZCORE_COLUMNS,
    events_to_annotations,
    read_events,
    write_events,
)
from sample_data import SEIZURE_EDF, SEIZURE_EDF_2

UTC = dt.UTC


@pytest.fixture(scope="module")
def seizure_raw():
    return read_raw(SEIZURE_EDF)


# -- SeizureEvent ------------------------------------------------------------------


def test_seizure_event_defaults_and_end():
    ev = SeizureEvent(10, 40)
    assert (ev.onset, ev.duration, ev.end) == (10.0, 40.0, 50.0)
    assert ev.confidence == 1.0 and ev.channels == () and ev.label == "sz"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.onset = 3.0


def test_seizure_event_channels_become_a_tuple():
    assert SeizureEvent(0, 1, channels=["Fp1-F7", "F7-T7"]).channels == ("Fp1-F7", "F7-T7")
    assert SeizureEvent(0, 1, channels="Cz-Pz").channels == ("Cz-Pz",)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(onset=1, duration=-2), "duration must be >= 0"),
        (dict(onset=float("nan"), duration=2), "onset must be finite"),
        (dict(onset=1, duration=2, confidence=1.5), r"confidence must be in \[0, 1\]"),
        (dict(onset=1, duration=2, label=""), "label must be a non-empty str"),
    ],
)
def test_seizure_event_rejects_bad_values(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        SeizureEvent(**kwargs)


# -- events_from_probabilities ---------------------------------------------------------

PROBA = [0.1, 0.8, 0.9, 0.2, 0.7, 0.1]
TIMES = [0, 1, 2, 3, 4, 5]


def test_runs_of_positive_windows_become_events():
    # 1-s windows: windows 1-2 and window 4 are positive.
    events = events_from_probabilities(PROBA, TIMES, window=1.0)
    assert events == [SeizureEvent(1.0, 2.0, 0.9), SeizureEvent(4.0, 1.0, 0.7)]


def test_window_length_defaults_to_the_step():
    assert events_from_probabilities(PROBA, np.arange(6) * 2.0) == [
        SeizureEvent(2.0, 4.0, 0.9),
        SeizureEvent(8.0, 2.0, 0.7),
    ]


def test_threshold_is_inclusive():
    events = events_from_probabilities([0.2, 0.5, 0.49], [0, 1, 2], window=1.0, threshold=0.5)
    assert events == [SeizureEvent(1.0, 1.0, 0.5)]


def test_merge_gap_then_min_duration():
    # The events end at 3 s and start at 4 s: a 1 s gap.
    merged = events_from_probabilities(PROBA, TIMES, window=1.0, merge_gap=1.5)
    assert merged == [SeizureEvent(1.0, 4.0, 0.9)]
    assert len(events_from_probabilities(PROBA, TIMES, window=1.0, merge_gap=1.0)) == 2
    # The 1 s event is dropped, the 2 s one kept.
    kept = events_from_probabilities(PROBA, TIMES, window=1.0, min_duration=1.5)
    assert kept == [SeizureEvent(1.0, 2.0, 0.9)]
    # Merging comes first: the merged event is long enough.
    assert (
        events_from_probabilities(PROBA, TIMES, window=1.0, merge_gap=1.5, min_duration=3.5)
        == merged
    )


def test_confidence_mean_covers_the_bridged_windows():
    events = events_from_probabilities(PROBA, TIMES, window=1.0, merge_gap=1.5, confidence="mean")
    assert events[0].confidence == pytest.approx((0.8 + 0.9 + 0.2 + 0.7) / 4)


def test_overlapping_windows_join_when_their_spans_meet():
    # 2-s windows every second. Windows 1 ([1, 3]) and 3 ([3, 5]) touch: one
    # event 1-5 s. Windows 1 and 4 ([4, 6]) leave a 1 s gap: two events.
    times = np.arange(6.0)
    one = events_from_probabilities([0, 0.9, 0, 0.9, 0, 0], times, window=2.0)
    assert [(e.onset, e.duration) for e in one] == [(1.0, 4.0)]
    two = events_from_probabilities([0, 0.9, 0, 0, 0.9, 0], times, window=2.0)
    assert [(e.onset, e.duration) for e in two] == [(1.0, 2.0), (4.0, 2.0)]


def test_top_channels_over_the_event():
    # Event = windows 1-2. Means over finite scores: A 2, B 5 (its -inf window
    # left out), C 2 (ties with A: channel order), D never finite.
    scores = np.array(
        [
            [9.0, 9.0, 9.0, 9.0],
            [1.0, 5.0, 2.0, -np.inf],
            [3.0, -np.inf, 2.0, -np.inf],
            [9.0, 9.0, 9.0, 9.0],
            [0.0, 1.0, 2.0, 3.0],
            [0.0, 0.0, 0.0, 0.0],
        ]
    )
    names = ["A", "B", "C", "D"]
    kwargs = dict(window=1.0, channel_scores=scores, ch_names=names)
    events = events_from_probabilities(PROBA, TIMES, n_channels=2, **kwargs)
    assert events[0].channels == ("B", "A")
    assert events[1].channels == ("D", "C")
    events = events_from_probabilities(PROBA, TIMES, n_channels=4, **kwargs)
    assert events[0].channels == ("B", "A", "C")


def test_no_positive_window_gives_no_event():
    assert events_from_probabilities([0.1, 0.2], [0, 1], window=1.0) == []
    assert events_from_probabilities([], [], window=1.0) == []


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([0.1, 0.2], [0]), {}, "same length"),
        (([0.1, 0.2], [1, 0]), {}, "strictly increasing"),
        (([0.1, 2.0], [0, 1]), {}, r"probabilities in \[0, 1\]"),
        (([0.1, np.nan], [0, 1]), {}, "non-finite"),
        (([0.9], [0]), {}, "pass window="),
        (([0.9], [0]), dict(window=1.0, channel_scores=np.ones((1, 2))), "ch_names"),
        (([0.9], [0]), dict(window=1.0, merge_gap=-1), "merge_gap must be >= 0"),
        (([0.9], [0]), dict(window=1.0, confidence="median"), "'max' or 'mean'"),
    ],
)
def test_events_from_probabilities_rejects_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        events_from_probabilities(*args, **kwargs)


# -- events_from_annotations -----------------------------------------------------------


def test_reference_events_of_the_bundled_recordings(seizure_raw):
    assert events_from_annotations(seizure_raw) == [SeizureEvent(10.0, 40.0)]
    assert events_from_annotations(read_raw(SEIZURE_EDF_2, preload=False)) == [
        SeizureEvent(10.0, 27.0)
    ]
    assert events_from_annotations(seizure_raw, description="artifact") == []


def test_descriptions_match_whole_and_case_insensitively():
    annot = mne.Annotations([1, 5, 9], [2, 2, 2], ["Seizure", "no seizure", "SZ"])
    assert [e.onset for e in events_from_annotations(annot)] == [1.0]
    assert [e.onset for e in events_from_annotations(annot, ["seizure", "sz"])] == [1.0, 9.0]


def test_onsets_are_relative_to_the_first_sample():
    info = mne.create_info(["Cz", "Pz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.zeros((2, 1000)), info, first_samp=300, verbose="error")
    raw.set_annotations(mne.Annotations([1.0], [2.0], ["seizure"]))  # 1 s into the data
    assert raw.annotations.onset[0] == pytest.approx(4.0)  # MNE counts from sample 0
    assert events_from_annotations(raw) == [SeizureEvent(1.0, 2.0)]


def test_events_from_annotations_rejects_other_objects():
    with pytest.raises(TypeError, match="mne.io.Raw or mne.Annotations"):
        events_from_annotations([(1, 2)])


# -- MNE annotations --------------------------------------------------------------------

EVENTS = [
    SeizureEvent(12.5, 20.25, confidence=0.875, channels=("T7-P7", "Fp1-F7"), label="sz"),
    SeizureEvent(30.0, 5.0, confidence=None, channels=(), label="sz-foc"),
]


def test_annotations_round_trip_in_memory():
    annot = events_to_annotations(EVENTS)
    assert list(annot.description) == ["seizure", "seizure"]
    assert annot.ch_names[0] == ("T7-P7", "Fp1-F7")
    assert events_from_annotations(annot) == EVENTS


def test_mne_annotations_file_round_trip(tmp_path):
    start = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    fname = write_events(tmp_path / "det-annot.fif", EVENTS, meas_date=start)
    events, meta = read_events(fname, return_meta=True)
    assert events == EVENTS
    assert meta["fmt"] == "mne" and meta["meas_date"] == start
    with pytest.raises(ValueError, match="-annot.fif"):
        write_events(tmp_path / "det.fif", EVENTS)


# -- EDF+ ------------------------------------------------------------------------------


def test_edf_export_carries_the_events(tmp_path, seizure_raw):
    detected = [
        SeizureEvent(12.3456, 20.0, confidence=0.9, channels=("T7-P7", "Fp1-F7")),
        SeizureEvent(41.0, 3.5),
    ]
    fname = write_events(
        tmp_path / "chb01_03_detected.edf", detected, raw=seizure_raw, description="detection"
    )
    events, meta = read_events(fname, description="detection", return_meta=True)
    one_sample = 1.0 / seizure_raw.info["sfreq"]
    assert len(events) == 2
    for got, want in zip(events, detected):
        assert abs(got.onset - want.onset) <= one_sample
        assert abs(got.duration - want.duration) <= one_sample
    # EDF+ keeps the channels (sorted by MNE's reader), not the confidence.
    assert set(events[0].channels) == {"T7-P7", "Fp1-F7"} and events[1].channels == ()
    # The recording's own annotation is kept.
    assert read_events(fname) == [SeizureEvent(10.0, 40.0)]
    assert meta["recording_duration"] == pytest.approx(50.0)
    assert meta["meas_date"] == seizure_raw.info["meas_date"]
    # And the signals survive.
    back = read_raw(fname)
    assert back.ch_names == seizure_raw.ch_names
    np.testing.assert_allclose(back.get_data(), seizure_raw.get_data(), atol=1e-6)


def test_edf_needs_the_recording(tmp_path):
    with pytest.raises(ValueError, match="pass raw="):
        write_events(tmp_path / "x.edf", EVENTS)


# -- BIDS events.tsv ------------------------------------------------------------------------


def test_bids_events_tsv(tmp_path):
    fname = write_events(tmp_path / "sub-01_task-rest_events.tsv", EVENTS, fmt="bids")
    lines = fname.read_text().splitlines()
    assert lines == [
        "onset\tduration\ttrial_type\tconfidence\tchannels",
        "12.5\t20.25\tseizure\t0.875\tT7-P7,Fp1-F7",
        "30.0\t5.0\tseizure\tn/a\tn/a",
    ]
    events = read_events(fname)  # .tsv without eventType: BIDS
    assert [(e.onset, e.duration, e.confidence, e.channels) for e in events] == [
        (12.5, 20.25, 0.875, ("T7-P7", "Fp1-F7")),
        (30.0, 5.0, None, ()),
    ]


def test_bids_reads_only_seizure_rows(tmp_path):
    fname = tmp_path / "events.tsv"
    fname.write_text(
        "onset\tduration\ttrial_type\tvalue\n"
        "1.0\t2.0\tartifact\t3\n"
        "5.0\t10.0\tSeizure\t1\n"
        "20.0\tn/a\tseizure\t1\n"
    )
    assert read_events(fname) == [SeizureEvent(5.0, 10.0), SeizureEvent(20.0, 0.0)]
    assert read_events(fname, description="artifact") == [SeizureEvent(1.0, 2.0)]


def test_bids_without_onset_or_duration_names_the_column(tmp_path):
    fname = tmp_path / "events.tsv"
    fname.write_text("onset\ttrial_type\n1.0\tseizure\n")
    with pytest.raises(ValueError, match=r"events.tsv.*\['duration'\]"):
        read_events(fname, fmt="bids")


def test_negative_duration_names_file_row_and_column(tmp_path):
    fname = tmp_path / "events.tsv"
    fname.write_text("onset\tduration\n1.0\t2.0\n5.0\t-3.0\n")
    with pytest.raises(ValueError, match=r"events.tsv', row 3: column 'duration' is -3, negative"):
        read_events(fname)


def test_malformed_number_names_file_row_and_column(tmp_path):
    fname = tmp_path / "events.csv"
    fname.write_text("onset,duration\n1.0,two\n")
    with pytest.raises(ValueError, match=r"events.csv', row 2: column 'duration' holds 'two'"):
        read_events(fname)


# -- SzCORE ------------------------------------------------------------------------------------


def test_szcore_tsv_written_exactly(tmp_path):
    start = dt.datetime(2016, 11, 6, 13, 43, 4, tzinfo=UTC)
    fname = write_events(
        tmp_path / "sub-01_run-00_events.tsv",
        EVENTS,
        fmt="szcore",
        recording_duration=3600,
        meas_date=start,
    )
    lines = fname.read_text().splitlines()
    assert lines[0].split("\t") == list(SZCORE_COLUMNS)
    assert lines[1:] == [
        "12.5\t20.25\tsz\t0.875\tT7-P7,Fp1-F7\t2016-11-06 13:43:04\t3600.0",
        "30.0\t5.0\tsz-foc\tn/a\tn/a\t2016-11-06 13:43:04\t3600.0",
    ]
    events, meta = read_events(fname, return_meta=True)  # sniffed from eventType
    assert events == EVENTS
    assert meta == {"fmt": "szcore", "recording_duration": 3600.0, "meas_date": start}


def test_szcore_without_seizures_writes_one_bckg_row(tmp_path):
    fname = write_events(tmp_path / "a.tsv", [], fmt="szcore", recording_duration=1800.5)
    assert fname.read_text().splitlines()[1] == "0.0\t1800.5\tbckg\tn/a\tn/a\tn/a\t1800.5"
    events, meta = read_events(fname, return_meta=True)
    assert events == [] and meta["recording_duration"] == 1800.5 and meta["meas_date"] is None


def test_szcore_reads_a_hand_written_file(tmp_path):
    fname = tmp_path / "ref.tsv"
    fname.write_text(
        " onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n"
        " 296.0\t40.0\tsz\tn/a\tall\t2016-11-06 13:43:04\t3600.00\n"
        " 453.0\t12.0\tsz-gen-m-tonic_clonic\t0.5\tFp1-Avg, F3-Avg\t2016-11-06 13:43:04\t3600.00\n"
    )
    events = read_events(fname)
    assert events == [
        SeizureEvent(296.0, 40.0, None),
        SeizureEvent(453.0, 12.0, 0.5, ("Fp1-Avg", "F3-Avg"), "sz-gen-m-tonic_clonic"),
    ]


def test_szcore_needs_the_recording_duration(tmp_path):
    with pytest.raises(ValueError, match="recording_duration="):
        write_events(tmp_path / "a.tsv", EVENTS, fmt="szcore")


def test_szcore_reference_from_a_real_recording(tmp_path, seizure_raw):
    reference = events_from_annotations(seizure_raw)
    fname = write_events(tmp_path / "chb01_03.tsv", reference, fmt="szcore", raw=seizure_raw)
    row = fname.read_text().splitlines()[1].split("\t")
    assert row == ["10.0", "40.0", "sz", "1.0", "n/a", "2026-11-22 04:31:17", "50.0"]
    events, meta = read_events(fname, return_meta=True)
    assert events == reference == [SeizureEvent(10.0, 40.0)]
    assert meta["recording_duration"] == 50.0 and meta["meas_date"] == seizure_raw.info["meas_date"]


# -- CSV and the generic checks --------------------------------------------------------------------


def test_csv_round_trip(tmp_path):
    fname = write_events(tmp_path / "events.csv", EVENTS)
    assert fname.read_text().splitlines()[:2] == [
        "onset,duration,label,confidence,channels",
        '12.5,20.25,sz,0.875,"T7-P7,Fp1-F7"',
    ]
    assert read_events(fname) == EVENTS


def test_unknown_format_names_the_allowed_ones(tmp_path):
    with pytest.raises(ValueError, match=r"\.txt.*'mne', 'edf', 'bids', 'szcore', 'csv'"):
        write_events(tmp_path / "events.txt", EVENTS)
    allowed = r"fmt must be one of \['mne', 'edf', 'bids', 'szcore', 'csv'\]"
    with pytest.raises(ValueError, match=allowed):
        read_events(tmp_path / "events.csv", fmt="xml")
    assert FORMATS == ("mne", "edf", "bids", "szcore", "csv")


def test_tsv_needs_fmt_to_write(tmp_path):
    with pytest.raises(ValueError, match="fmt='bids' or fmt='szcore'"):
        write_events(tmp_path / "events.tsv", EVENTS)


def test_existing_file_needs_overwrite(tmp_path):
    fname = write_events(tmp_path / "events.csv", EVENTS)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_events(fname, EVENTS[:1])
    write_events(fname, EVENTS[:1], overwrite=True)
    assert read_events(fname) == EVENTS[:1]


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.tsv"):
        read_events(tmp_path / "nothere.tsv")
