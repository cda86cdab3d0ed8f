"""Channel names: spellings, canonical names, duplicates, picking."""

import dataclasses
import logging

import mne
import numpy as np
import pytest

from acquisition import (
    ChannelLabel,
    parse_channel_name,
    pick_placeable,
    placeable_picks,
    set_standard_names,
    standard_electrode_names,
    standardize_channel_names,
)

# CHB-MIT chb01 names as MNE returns them (duplicate 'T8-P8' renamed by MNE).
CHB_NAMES = [
    "FP1-F7",
    "F7-T7",
    "T7-P7",
    "P7-O1",
    "FP1-F3",
    "F3-C3",
    "C3-P3",
    "P3-O1",
    "FP2-F4",
    "F4-C4",
    "C4-P4",
    "P4-O2",
    "FP2-F8",
    "F8-T8",
    "T8-P8-0",
    "P8-O2",
    "FZ-CZ",
    "CZ-PZ",
    "P7-T7",
    "T7-FT9",
    "FT9-FT10",
    "FT10-T8",
    "T8-P8-1",
]
CHB_CANONICAL = [
    "Fp1-F7",
    "F7-T7",
    "T7-P7",
    "P7-O1",
    "Fp1-F3",
    "F3-C3",
    "C3-P3",
    "P3-O1",
    "Fp2-F4",
    "F4-C4",
    "C4-P4",
    "P4-O2",
    "Fp2-F8",
    "F8-T8",
    "T8-P8",
    "P8-O2",
    "Fz-Cz",
    "Cz-Pz",
    "P7-T7",
    "T7-FT9",
    "FT9-FT10",
    "FT10-T8",
    "T8-P8-1",
]


@pytest.mark.parametrize(
    "given, name, electrodes, kind, duplicate",
    [
        ("Fp1", "Fp1", ("Fp1",), "monopolar", 0),
        ("FP1", "Fp1", ("Fp1",), "monopolar", 0),
        ("fp1", "Fp1", ("Fp1",), "monopolar", 0),
        ("Fc5.", "FC5", ("FC5",), "monopolar", 0),  # EEGMMIDB
        ("Cz..", "Cz", ("Cz",), "monopolar", 0),
        ("Fcz.", "FCz", ("FCz",), "monopolar", 0),
        ("T10.", "T10", ("T10",), "monopolar", 0),
        ("EEG Fp1-REF", "Fp1", ("Fp1",), "monopolar", 0),  # TUH
        ("EEG FP1-LE", "Fp1", ("Fp1",), "monopolar", 0),
        ("Fp1-AVG", "Fp1", ("Fp1",), "monopolar", 0),
        ("Fp1-AR", "Fp1", ("Fp1",), "monopolar", 0),
        ("Fp1-Ref", "Fp1", ("Fp1",), "monopolar", 0),
        ("Fp1-CAR", "Fp1", ("Fp1",), "monopolar", 0),
        ("Fp1-av", "Fp1", ("Fp1",), "monopolar", 0),
        ("EEG-Fz", "Fz", ("Fz",), "monopolar", 0),  # BCI competition GDF
        ("POL Fp1", "Fp1", ("Fp1",), "monopolar", 0),  # Nihon Kohden
        ("T3", "T7", ("T7",), "monopolar", 0),
        ("T4", "T8", ("T8",), "monopolar", 0),
        ("t5", "P7", ("P7",), "monopolar", 0),
        ("EEG T6-REF", "P8", ("P8",), "monopolar", 0),
        ("FP1-F7", "Fp1-F7", ("Fp1", "F7"), "bipolar", 0),
        ("fz-cz", "Fz-Cz", ("Fz", "Cz"), "bipolar", 0),
        ("T3-T5", "T7-P7", ("T7", "P7"), "bipolar", 0),
        ("P7-T7", "P7-T7", ("P7", "T7"), "bipolar", 0),  # order kept
        ("FP1 - F7", "Fp1-F7", ("Fp1", "F7"), "bipolar", 0),
        ("Fp1-A1", "Fp1-A1", ("Fp1", "A1"), "bipolar", 0),  # A1 is an electrode
        ("T8-P8-0", "T8-P8", ("T8", "P8"), "bipolar", 0),  # MNE's duplicate suffix
        ("T8-P8-1", "T8-P8-1", ("T8", "P8"), "bipolar", 1),
        ("Fp1-REF-2", "Fp1-2", ("Fp1",), "monopolar", 2),
        ("AFF1h", "AFF1h", ("AFF1h",), "monopolar", 0),  # 10-05
        ("M1", "M1", ("M1",), "monopolar", 0),
    ],
)
def test_parse_channel_name(given, name, electrodes, kind, duplicate):
    label = parse_channel_name(given)
    assert label == ChannelLabel(name, electrodes, kind, duplicate)
    assert label.original == given
    assert label.base == "-".join(electrodes)


@pytest.mark.parametrize(
    "given",
    ["ECG", "VNS", "-", "X", "nd", "STI 014", "", "--0", "EEG-0", "Fp1-Fp1", "Fp1-F7-F3", "REF"],
)
def test_parse_channel_name_unplaceable(given):
    with pytest.raises(ValueError, match="Cannot place channel") as err:
        parse_channel_name(given)
    assert repr(given) in str(err.value)
    assert "pick_placeable" in str(err.value)


def test_parse_channel_name_type():
    with pytest.raises(TypeError, match="str"):
        parse_channel_name(3)


def test_channel_label_frozen_and_checked():
    label = parse_channel_name("FP1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        label.name = "Fp2"
    assert label == parse_channel_name("fp1.")  # 'original' is not compared
    with pytest.raises(ValueError, match="2 electrode"):
        ChannelLabel("Fp1", ("Fp1",), "bipolar")
    with pytest.raises(ValueError, match="kind"):
        ChannelLabel("Fp1", ("Fp1",), "tripolar")


def test_standardize_chbmit_names():
    new, unplaced = standardize_channel_names(CHB_NAMES)
    assert new == CHB_CANONICAL
    assert unplaced == []
    assert len(set(new)) == len(new)


def test_standardize_collisions_and_unplaced():
    new, unplaced = standardize_channel_names(["T3", "T7", "ECG", "FP1", "Fp1", "-", "T7-1"])
    # in order: a taken name gets the lowest free duplicate index
    assert new == ["T7", "T7-1", "ECG", "Fp1", "Fp1-1", "-", "T7-2"]
    assert unplaced == ["ECG", "-"]
    with pytest.raises(TypeError, match="single str"):
        standardize_channel_names("Fp1")


def test_canonical_names_follow_the_simple_rule():
    """Canonical names parse back to themselves and by 'split on -' alone."""
    known = {n.lower() for n in standard_electrode_names()}
    new, _ = standardize_channel_names(CHB_NAMES + ["EEG T3-REF", "Fc5.", "Fp1-AVG"])
    for name in new + list(standard_electrode_names()):
        assert parse_channel_name(name).name == name
        parts = name.split("-")
        if len(parts) > 1 and parts[-1].isdigit():
            parts = parts[:-1]
        assert 1 <= len(parts) <= 2 and all(p.lower() in known for p in parts), name


def test_standard_electrode_names():
    names = standard_electrode_names()
    assert len(names) == len(set(names)) == 339  # colin27_1005's 343 less T3-T6
    for old in ("T3", "T4", "T5", "T6"):
        assert old not in names
    for new in ("T7", "T8", "P7", "P8", "Fp1", "FCz", "AFF1h", "M1", "A2", "Iz"):
        assert new in names


def _raw(names, ch_types="eeg"):
    info = mne.create_info(names, 100.0, ch_types)
    data = np.zeros((len(names), 10))
    return mne.io.RawArray(data, info, verbose="error")


def test_set_standard_names_in_place(caplog):
    raw = _raw(["FP1-F7", "T8-P8-0", "T8-P8-1", "ECG", "-"])
    raw.info["bads"] = ["FP1-F7"]
    with caplog.at_level(logging.INFO, logger="neucube.acquisition"):
        out = set_standard_names(raw)
    assert out is raw
    assert raw.ch_names == ["Fp1-F7", "T8-P8", "T8-P8-1", "ECG", "-"]
    assert raw.info["bads"] == ["Fp1-F7"]
    assert "ECG" in caplog.text and "pick_placeable" in caplog.text
    with pytest.raises(TypeError, match="standardize_channel_names"):
        set_standard_names(["Fp1"])


def test_placeable_picks_and_pick_placeable(caplog):
    raw = _raw(["Fp1", "ECG", "FP1-F7", "Cz", "Pz"], ["eeg", "ecg", "eeg", "eeg", "misc"])
    raw.info["bads"] = ["Cz"]
    assert placeable_picks(raw).tolist() == [0, 2]  # ECG unplaceable, Cz bad, Pz not EEG
    assert placeable_picks(raw, exclude=[]).tolist() == [0, 2, 3]
    assert placeable_picks(raw, kind="bipolar").tolist() == [2]
    assert placeable_picks(["ECG", "T3", "x", "F3-C3"], kind="monopolar").tolist() == [1]
    with caplog.at_level(logging.INFO, logger="neucube.acquisition"):
        picked = pick_placeable(raw)
    assert picked.ch_names == ["Fp1", "FP1-F7"]
    assert raw.ch_names == ["Fp1", "ECG", "FP1-F7", "Cz", "Pz"]  # a new object
    assert "ECG" in caplog.text
    with pytest.raises(ValueError, match="kind"):
        placeable_picks(raw, kind="both")


def test_pick_placeable_none_left():
    raw = _raw(["ECG", "VNS"])
    with pytest.raises(ValueError, match=r"No EEG channel.*\['ECG', 'VNS'\]"):
        pick_placeable(raw)
