"""Brain template and electrode mapping."""

import numpy as np
import pytest

from neucube.template import (
    channel_position,
    electrode_positions,
    load_brain_template,
    map_channels,
)

CHBMIT = [
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


def test_default_template_is_10mm_grid_inside_mni_brain():
    template = load_brain_template()
    coords = template.coords
    assert template.resolution == 10.0
    assert template.n_neurons == 1658  # ICBM152 2009a, gm+wm >= 0.5 at grid points
    assert np.all(np.mod(coords, 10.0) == 0)  # anchored at the origin
    # MNI brain extents (mm): well inside the head, not a box.
    assert coords[:, 0].min() >= -75 and coords[:, 0].max() <= 75
    assert coords[:, 1].min() >= -110 and coords[:, 1].max() <= 75
    assert coords[:, 2].min() >= -75 and coords[:, 2].max() <= 85
    box = np.prod(np.ptp(coords, axis=0) / 10 + 1)
    assert coords.shape[0] < 0.7 * box
    # The template is symmetric: as many neurons left as right.
    assert np.sum(coords[:, 0] < 0) == np.sum(coords[:, 0] > 0)
    assert len(np.unique(coords, axis=0)) == len(coords)
    assert not coords.flags.writeable


def test_finer_resolution_has_more_neurons_scaling_with_volume():
    n10 = load_brain_template(10).n_neurons
    n5 = load_brain_template(5).n_neurons
    assert 7 < n5 / n10 < 9  # 2^3 = 8 times as many cells of half the size


@pytest.mark.parametrize("bad", [0, 1, 50, -10])
def test_resolution_out_of_range_is_an_error(bad):
    with pytest.raises(ValueError, match="resolution must be between 2 and 40 mm"):
        load_brain_template(bad)


def test_resolution_not_a_number():
    with pytest.raises(TypeError, match="resolution must be a number"):
        load_brain_template("fine")


def test_electrode_positions_are_mni_millimetres():
    pos = electrode_positions()
    assert len(pos) >= 340
    # Fp1 is frontal-left, O2 occipital-right, Cz on top (Colin27 head).
    assert pos["Fp1"][0] < -20 and pos["Fp1"][1] > 70
    assert pos["O2"][0] > 20 and pos["O2"][1] < -90
    assert pos["Cz"][2] > 90 and abs(pos["Cz"][0]) < 2
    np.testing.assert_array_equal(pos["T3"], pos["T7"])  # old 10-20 alias


def test_channel_position_monopolar_bipolar_and_duplicates():
    pos = electrode_positions()
    np.testing.assert_allclose(channel_position("Fp1"), pos["Fp1"])
    np.testing.assert_allclose(channel_position("FP1"), pos["Fp1"])  # case-insensitive
    np.testing.assert_allclose(channel_position("Fc5."), pos["FC5"])  # EEGMMIDB spelling
    mid = (pos["Fp1"] + pos["F7"]) / 2
    np.testing.assert_allclose(channel_position("FP1-F7"), mid)
    np.testing.assert_allclose(channel_position("T8-P8-1"), channel_position("T8-P8"))
    np.testing.assert_allclose(channel_position("Fp1-0"), pos["Fp1"])


def test_channel_position_custom_montage():
    custom = {"A": [1.0, 2.0, 3.0], "B": [3.0, 2.0, 1.0]}
    np.testing.assert_allclose(channel_position("a-b", positions=custom), [2, 2, 2])


@pytest.mark.parametrize("name", ["ECG", "VNS", "-", "X", "Fp1-F7-Cz", "STI 014"])
def test_unplaceable_channel_names_itself(name):
    with pytest.raises(ValueError, match="Cannot place channel"):
        channel_position(name)


def test_map_channels_nearest_free_by_hand():
    coords = np.array([[0.0, 0, 0], [10, 0, 0], [20, 0, 0]])
    positions = {"A": [1, 0, 0], "B": [2, 0, 0], "C": [19, 0, 0]}
    # A takes neuron 0 (1 mm). B's nearest (0, 2 mm) is taken; next is 1 (8 mm).
    # C takes 2 (1 mm).
    np.testing.assert_array_equal(map_channels(["A", "B", "C"], coords, positions), [0, 1, 2])
    # Order matters: B first takes 0, then A's nearest free is 1.
    np.testing.assert_array_equal(map_channels(["B", "A"], coords, positions), [0, 1])


def test_map_chbmit_bipolar_montage_distinct_neurons():
    template = load_brain_template()
    index = map_channels(CHBMIT, template.coords)
    assert len(set(index.tolist())) == len(CHBMIT)
    for name, neuron in zip(CHBMIT, index):
        # Each channel lands within 3 grid cells of its (scalp) position.
        assert np.linalg.norm(template.coords[neuron] - channel_position(name)) < 30
    # The duplicated T8-P8 and the reversed pair P7-T7 (= T7-P7) get distinct neurons.
    assert index[14] != index[22] and index[2] != index[18]


def test_map_channels_reports_every_unplaced_channel():
    template = load_brain_template()
    with pytest.raises(ValueError, match=r"2 channel\(s\).*'ECG'.*'VNS'"):
        map_channels(["Fp1", "ECG", "Cz", "VNS"], template.coords)


def test_map_channels_bad_arguments():
    coords = np.zeros((2, 3))
    with pytest.raises(ValueError, match="ch_names is empty"):
        map_channels([], coords)
    with pytest.raises(ValueError, match="cannot be mapped to distinct neurons"):
        map_channels(["Fp1", "Fp2", "Cz"], np.array([[0.0, 0, 0], [1, 0, 0]]))
    with pytest.raises(ValueError, match=r"shape \(n_neurons, 3\)"):
        map_channels(["Fp1"], np.zeros((3, 2)))
