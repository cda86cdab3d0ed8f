"""Small real recordings bundled for the demo and the tests (see README.md)."""

from pathlib import Path

#: Folder holding the bundled recordings.
SAMPLE_DIR = Path(__file__).resolve().parent

#: CHB-MIT chb01_03 excerpt: 10 s before a seizure, then the seizure (10-50 s).
SEIZURE_EDF = SAMPLE_DIR / "chb01_03_2986-3036s.edf"
#: CHB-MIT chb01_04 excerpt: seizure from 10 s to 37 s.
SEIZURE_EDF_2 = SAMPLE_DIR / "chb01_04_1457-1494s.edf"
#: EEGMMIDB S001 run 3: executed left/right fist, 64 channels, 160 Hz.
MOTOR_EDF = SAMPLE_DIR / "S001R03.edf"


def data_path(name):
    """Return the path of a bundled recording.

    Parameters
    ----------
    name : str
        File name inside ``sample_data/``.

    Returns
    -------
    path : pathlib.Path
        Absolute path of the file.
    """
    path = SAMPLE_DIR / name
    if not path.is_file():
        available = sorted(
            p.name for p in SAMPLE_DIR.iterdir() if not p.name.startswith(("_", "."))
        )
        raise FileNotFoundError(
            f"No bundled sample named {name!r} in {SAMPLE_DIR}. Available: {available}."
        )
    return path
