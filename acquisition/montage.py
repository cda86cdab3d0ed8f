"""Bipolar montages: re-reference monopolar EEG into electrode pairs.

The CHB-MIT recordings use the longitudinal bipolar "double banana" montage.
:func:`to_bipolar` turns a monopolar recording (EEGMMIDB's 64 channels, say)
into the same pairs through :func:`mne.set_bipolar_reference`, so that a
model trained on CHB-MIT can read it.
"""

from __future__ import annotations

from collections.abc import Sequence

import mne

from ._logging import logger
from .channels import parse_channel_name

#: CHB-MIT's 23 bipolar channels, in the order of its EDF files (``T8-P8``
#: occurs twice, as in the database).
CHBMIT_BIPOLAR = (
    ("Fp1", "F7"),
    ("F7", "T7"),
    ("T7", "P7"),
    ("P7", "O1"),
    ("Fp1", "F3"),
    ("F3", "C3"),
    ("C3", "P3"),
    ("P3", "O1"),
    ("Fp2", "F4"),
    ("F4", "C4"),
    ("C4", "P4"),
    ("P4", "O2"),
    ("Fp2", "F8"),
    ("F8", "T8"),
    ("T8", "P8"),
    ("P8", "O2"),
    ("Fz", "Cz"),
    ("Cz", "Pz"),
    ("P7", "T7"),
    ("T7", "FT9"),
    ("FT9", "FT10"),
    ("FT10", "T8"),
    ("T8", "P8"),
)


def bipolar_names(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Return the channel names of bipolar pairs, duplicates numbered.

    Parameters
    ----------
    pairs : sequence of (str, str)
        Anode and cathode electrode names.

    Returns
    -------
    names : list of str
        ``'A-B'``; the k-th repeat of a pair is ``'A-B-k'`` (the naming of
        :func:`acquisition.standardize_channel_names`).
    """
    names, seen = [], {}
    for anode, cathode in pairs:
        base = f"{anode}-{cathode}"
        k = seen.get(base, 0)
        names.append(base if k == 0 else f"{base}-{k}")
        seen[base] = k + 1
    return names


def to_bipolar(
    raw: mne.io.BaseRaw,
    pairs: Sequence[tuple[str, str]] = CHBMIT_BIPOLAR,
    *,
    on_missing: str = "raise",
) -> mne.io.BaseRaw:
    """Re-reference a monopolar recording into bipolar pairs.

    Parameters
    ----------
    raw : mne.io.Raw
        Monopolar EEG with standardized channel names
        (:func:`acquisition.read_raw` standardizes them).
    pairs : sequence of (str, str)
        Anode and cathode of each output channel, in order; CHB-MIT's
        double banana by default.
    on_missing : ``'raise'`` | ``'warn'``
        What to do when a pair needs an electrode the recording lacks:
        raise an error listing them, or leave those pairs out with a warning.

    Returns
    -------
    bipolar : mne.io.Raw
        A new recording holding only the bipolar channels (anode − cathode),
        named as :func:`bipolar_names` says.
    """
    if on_missing not in ("raise", "warn"):
        raise ValueError(f"on_missing must be 'raise' or 'warn', got {on_missing!r}.")
    have = {}
    for name in raw.ch_names:
        try:
            label = parse_channel_name(name)
        except ValueError:
            continue
        if label.kind == "monopolar" and label.duplicate == 0:
            have[label.electrodes[0].lower()] = name
    names = bipolar_names(pairs)
    keep, missing = [], []
    for (anode, cathode), name in zip(pairs, names):
        absent = [e for e in (anode, cathode) if e.lower() not in have]
        if absent:
            missing.append((name, absent))
        else:
            keep.append((have[anode.lower()], have[cathode.lower()], name))
    if missing:
        listing = ", ".join(f"{n} (needs {', '.join(a)})" for n, a in missing)
        fname = raw.filenames[0] if raw.filenames and raw.filenames[0] else "the recording"
        msg = f"{fname} lacks electrodes for {len(missing)} bipolar channel(s): {listing}"
        if not keep:
            raise ValueError(f"{msg}. No pair can be formed at all.")
        if on_missing == "raise":
            raise ValueError(f"{msg}. Pass on_missing='warn' to leave them out.")
        logger.warning("%s; left out.", msg)
    data = raw.copy()
    out = mne.set_bipolar_reference(
        data,
        anode=[a for a, _, _ in keep],
        cathode=[c for _, c, _ in keep],
        ch_name=[n for _, _, n in keep],
        drop_refs=False,
        copy=False,
        verbose="error",
    )
    return out.pick([n for _, _, n in keep])
