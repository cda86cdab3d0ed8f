"""Regenerate the brain mask and electrode table shipped in ``neucube/data``.

The cube's neurons sit on a regular grid inside a brain mask. The mask is the
ICBM152 2009a symmetric template (grey + white matter probability ≥ 0.5 at
1 mm), taken from the copy that ships inside the nilearn wheel; the electrode
positions are MNE's ``colin27_1005`` montage (10-05 system on the Colin27
MNI head, millimetres). Neither nilearn nor nibabel is a runtime dependency:
this script is run once by a developer and its outputs are committed.

Usage::

    pip install nilearn nibabel
    python scripts/make_brain_template.py            # writes neucube/data/*

The template at any grid resolution is then derived at run time by
``neucube.template.load_brain_template(resolution)``.
"""

import argparse
import csv
from importlib.resources import files
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "neucube" / "data"
GM = "mni_icbm152_gm_tal_nlin_sym_09a_converted.nii.gz"
WM = "mni_icbm152_wm_tal_nlin_sym_09a_converted.nii.gz"


def make_mask(threshold=0.5):
    """Return the boolean brain mask at 1 mm and its voxel-to-MNI affine."""
    import nibabel as nib

    data = files("nilearn") / "datasets" / "data"
    gm = nib.load(str(data / GM))
    wm = nib.load(str(data / WM))
    assert np.allclose(gm.affine, wm.affine)
    prob = (np.asarray(gm.dataobj, float) + np.asarray(wm.dataobj, float)) / 255.0
    return prob >= threshold, gm.affine


def make_electrodes():
    """Return {name: (x, y, z) in MNI mm} for MNE's colin27_1005 montage."""
    import mne

    montage = mne.channels.make_standard_montage("colin27_1005")
    pos = montage.get_positions()
    assert pos["coord_frame"] == "mri", pos["coord_frame"]
    return {name: np.asarray(xyz) * 1000.0 for name, xyz in pos["ch_pos"].items()}


def main(argv=None):
    """Write the mask (.npz) and the electrode table (.csv)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    mask, affine = make_mask(args.threshold)
    np.savez_compressed(
        args.out / "brain_mask_icbm152_2009a.npz",
        mask_bits=np.packbits(mask.ravel()),
        shape=np.array(mask.shape),
        affine=affine,
        threshold=np.array(args.threshold),
    )
    with open(args.out / "electrodes_colin27_1005.csv", "w", newline="") as fid:
        writer = csv.writer(fid)
        writer.writerow(["name", "x_mm", "y_mm", "z_mm"])
        for name, xyz in make_electrodes().items():
            writer.writerow([name, *(f"{v:.2f}" for v in xyz)])


if __name__ == "__main__":
    main()
