"""Bipolar re-referencing into CHB-MIT's double banana."""

import numpy as np
import pytest

from acquisition import CHBMIT_BIPOLAR, bipolar_names, read_raw, to_bipolar
from sample_data import MOTOR_EDF, SEIZURE_EDF


def test_bipolar_names_number_repeats():
    assert bipolar_names([("A", "B"), ("C", "D"), ("A", "B"), ("A", "B")]) == [
        "A-B",
        "C-D",
        "A-B-1",
        "A-B-2",
    ]


def test_chbmit_names_match_the_standardized_edf():
    raw = read_raw(SEIZURE_EDF)
    assert bipolar_names(CHBMIT_BIPOLAR) == raw.ch_names


def test_eegmmidb_into_double_banana():
    raw = read_raw(MOTOR_EDF)
    with pytest.raises(ValueError, match=r"3 bipolar channel\(s\).*FT9.*on_missing='warn'"):
        to_bipolar(raw)
    bip = to_bipolar(raw, on_missing="warn")
    expected = [n for n in bipolar_names(CHBMIT_BIPOLAR) if "FT9" not in n and "FT10" not in n]
    assert bip.ch_names == expected and len(expected) == 20
    mono = raw.get_data(picks=["Fp1", "F7", "P7", "T7"])
    np.testing.assert_allclose(bip.get_data(picks="Fp1-F7")[0], mono[0] - mono[1])
    # P7-T7 is T7-P7 reversed; the repeated T8-P8 is a copy.
    np.testing.assert_allclose(bip.get_data(picks="P7-T7")[0], mono[2] - mono[3])
    np.testing.assert_allclose(bip.get_data(picks="T7-P7")[0], mono[3] - mono[2])
    np.testing.assert_array_equal(bip.get_data(picks="T8-P8")[0], bip.get_data(picks="T8-P8-1")[0])
    assert bip.info["sfreq"] == raw.info["sfreq"] and len(bip.annotations) == len(raw.annotations)


def test_no_pair_possible_is_an_error():
    raw = read_raw(MOTOR_EDF)
    with pytest.raises(ValueError, match="No pair can be formed"):
        to_bipolar(raw, pairs=[("FT9", "FT10")], on_missing="warn")
    with pytest.raises(ValueError, match="on_missing must be"):
        to_bipolar(raw, on_missing="ignore")
