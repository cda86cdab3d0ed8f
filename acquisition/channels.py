"""EEG channel names: recognise the common spellings, standardize, pick.

Recordings name the same electrode in many ways: ``'Fp1'``, ``'FP1'``,
``'fp1'``, ``'Fp1.'`` (EEGMMIDB pads names with dots), ``'EEG Fp1-REF'``,
``'EEG FP1-LE'``, ``'Fp1-AVG'``, ``'EEG-Fp1'`` (BCI competition GDF files),
and the old 10-20 names ``T3``/``T4``/``T5``/``T6`` for today's
``T7``/``T8``/``P7``/``P8``. Bipolar derivations are written ``'FP1-F7'``.
This module maps all of them onto one canonical spelling.

Canonical names
---------------
The canonical electrode names are those of MNE's ``colin27_1005`` montage
(``mne.channels.make_standard_montage('colin27_1005').ch_names``: ``Fp1``,
``FCz``, ``AFF1h``, ``TP9``, ``M1``, ``A1`` ...), except that the montage's old
aliases ``T3``, ``T4``, ``T5``, ``T6`` (which sit at the same positions) are
written with their 10-10 names ``T7``, ``T8``, ``P7``, ``P8``. A canonical
channel name is built from them by this rule:

- monopolar channel: the electrode, ``'Fp1'`` (a reference suffix such as
  ``-REF``, ``-LE``, ``-AVG`` is dropped);
- bipolar channel: the two electrodes joined by ``'-'``, in the recorded
  order, ``'Fp1-F7'`` (``'P7-T7'`` and ``'T7-P7'`` are different channels);
- duplicated channel: the first occurrence keeps the plain name, the k-th
  further one gets ``'-k'`` appended, ``'T8-P8'``, ``'T8-P8-1'``. MNE renames
  duplicated names in a file to ``'T8-P8-0'``, ``'T8-P8-1'``: the numeric
  suffix is read as the duplicate index, and index 0 is written without it.

So any canonical name is parsed by splitting on ``'-'``: a last part made of
digits only is the duplicate index, the one or two other parts are electrode
names, to be looked up case-insensitively (no electrode name is all digits).
The :mod:`neucube` package relies on this rule to place channels.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ._checks import _check_option, _is_raw, _raw_label, _use_log_level
from ._logging import logger

if TYPE_CHECKING:
    import mne

#: Old 10-20 names and their 10-10 replacements (same scalp position).
OLD_TO_NEW = {"T3": "T7", "T4": "T8", "T5": "P7", "T6": "P8"}

#: Suffixes that name a reference, not a second electrode (case-insensitive):
#: ``'EEG Fp1-REF'``, ``'Fp1-LE'`` (linked ears), ``'Fp1-AVG'`` ... are monopolar.
REFERENCE_SUFFIXES = (
    "REF",
    "LE",
    "AR",
    "AVG",
    "AV",
    "CAR",
    "AVERAGE",
    "LM",
    "A1A2",
    "A1+A2",
    "M1M2",
    "M1+M2",
)

# Prefixes that say "this is EEG" (EDF from TUH / Nihon Kohden, GDF from BCI
# competitions): 'EEG Fp1-REF', 'EEG:Fp1', 'EEG-Fz', 'POL Fp1'.
_PREFIX = re.compile(r"^\s*(?:EEG|POL)(?:\s+|\s*[:_-]\s*)", re.IGNORECASE)
_REFS = frozenset(s.lower() for s in REFERENCE_SUFFIXES)

_KINDS = ("monopolar", "bipolar")


@functools.lru_cache(maxsize=1)
def _electrode_lookup():
    """Map lower-case spellings to canonical electrode names (cached)."""
    import mne

    names = mne.channels.make_standard_montage("colin27_1005").ch_names
    lookup = {name.lower(): OLD_TO_NEW.get(name, name) for name in names}
    for old, new in OLD_TO_NEW.items():  # also without the montage's help
        lookup[old.lower()] = new
    return lookup


def standard_electrode_names() -> tuple[str, ...]:
    """Return the canonical names of all known electrode positions.

    Returns
    -------
    names : tuple of str
        The names of MNE's ``colin27_1005`` montage (10-20, 10-10 and 10-05
        positions plus ``M1``, ``M2``, ``A1``, ``A2``) in montage order, with
        the old aliases ``T3``/``T4``/``T5``/``T6`` left out (their canonical
        names are ``T7``/``T8``/``P7``/``P8``).
    """
    seen = []
    for canonical in _electrode_lookup().values():
        if canonical not in seen:
            seen.append(canonical)
    return tuple(seen)


@dataclass(frozen=True)
class ChannelLabel:
    """What a channel name says about where the channel sits on the scalp.

    Parameters
    ----------
    name : str
        The canonical channel name (see the module documentation), including
        ``'-k'`` for a duplicate index ``k >= 1``: ``'Fp1'``, ``'Fp1-F7'``,
        ``'T8-P8-1'``.
    electrodes : tuple of str
        The canonical electrode names: one for a monopolar channel, two (in
        recorded order) for a bipolar one.
    kind : ``'monopolar'`` | ``'bipolar'``
        Whether the channel is one electrode against a reference or the
        difference of two electrodes.
    duplicate : int
        Duplicate index: 0 for the first channel with these electrodes, ``k``
        for the k-th further one.
    original : str
        The name as it was given (not used in comparisons).
    """

    name: str
    electrodes: tuple
    kind: str
    duplicate: int = 0
    original: str = field(default="", compare=False)

    def __post_init__(self):
        """Check that the fields agree with each other."""
        _check_option(self.kind, "kind", _KINDS)
        expected = 1 if self.kind == "monopolar" else 2
        if len(self.electrodes) != expected:
            raise ValueError(
                f"A {self.kind} ChannelLabel needs {expected} electrode(s), got "
                f"{self.electrodes!r}."
            )
        if self.duplicate < 0:
            raise ValueError(f"duplicate must be >= 0, got {self.duplicate}.")

    @property
    def base(self) -> str:
        """str: The canonical name without the duplicate suffix (``'T8-P8'``)."""
        return "-".join(self.electrodes)


def _unplaceable(name, why):
    return ValueError(
        f"Cannot place channel {name!r} on the scalp: {why}. Expected a 10-05 "
        f"electrode name such as 'Fp1', 'FC5', 'EEG Fp1-REF', or a bipolar pair such "
        f"as 'FP1-F7'. If it is not an EEG channel (ECG, stimulus, empty) leave it "
        f"out with acquisition.pick_placeable(raw)."
    )


def parse_channel_name(name: str) -> ChannelLabel:
    """Read the electrode(s) a channel name refers to.

    Parameters
    ----------
    name : str
        A channel name in any of the common spellings: ``'Fp1'``, ``'FP1'``,
        ``'fp1'``, ``'Fc5.'``, ``'EEG Fp1-REF'``, ``'EEG FP1-LE'``,
        ``'Fp1-AVG'``, ``'EEG-Fz'``, ``'T3'`` (read as ``T7``), ``'FP1-F7'``,
        ``'T8-P8-1'`` (MNE's name for a duplicated ``'T8-P8'``). Matching is
        case-insensitive; spaces around the parts and trailing dots are ignored.

    Returns
    -------
    label : ChannelLabel
        The canonical name, electrodes, kind and duplicate index.

    Raises
    ------
    ValueError
        If the name does not name a known electrode or a pair of them
        (``'ECG'``, ``'VNS'``, ``'-'``, ``'X'``, ``'STI 014'``).

    Notes
    -----
    A second part that is a reference word (:data:`REFERENCE_SUFFIXES`, e.g.
    ``REF``, ``LE``, ``AVG``, ``CAR``) makes the channel monopolar; a second
    part that is an electrode makes it bipolar, even when that electrode is a
    usual reference site (``'Fp1-A1'`` is the bipolar pair Fp1, A1).

    Examples
    --------
    >>> label = parse_channel_name("EEG FP1-REF")
    >>> label.name, label.electrodes, label.kind
    ('Fp1', ('Fp1',), 'monopolar')
    >>> parse_channel_name("T8-P8-1").name
    'T8-P8-1'
    """
    if not isinstance(name, str):
        raise TypeError(
            f"A channel name must be a str, got {name!r} of type {type(name).__name__}."
        )
    lookup = _electrode_lookup()
    text = _PREFIX.sub("", name.strip(), count=1).strip().rstrip(".").strip()
    if not text:
        raise _unplaceable(name, "the name is empty")
    parts = [p.strip().rstrip(".").strip() for p in text.split("-")]
    duplicate = 0
    if len(parts) >= 2 and parts[-1].isdigit():
        duplicate = int(parts[-1])
        parts = parts[:-1]
    if not all(parts):
        raise _unplaceable(name, "it has an empty part between '-' signs")
    if len(parts) == 2 and parts[1].lower() in _REFS:
        parts = parts[:1]
    if len(parts) > 2:
        raise _unplaceable(name, f"it has {len(parts)} parts {parts}, at most 2 make sense")
    unknown = [p for p in parts if p.lower() not in lookup]
    if unknown:
        raise _unplaceable(name, f"{', '.join(repr(u) for u in unknown)} is not a known electrode")
    electrodes = tuple(lookup[p.lower()] for p in parts)
    if len(electrodes) == 2 and electrodes[0] == electrodes[1]:
        raise _unplaceable(name, f"both parts are the same electrode {electrodes[0]!r}")
    kind = "monopolar" if len(electrodes) == 1 else "bipolar"
    canonical = "-".join(electrodes) + (f"-{duplicate}" if duplicate else "")
    return ChannelLabel(canonical, electrodes, kind, duplicate, original=name)


def _parse_or_none(name):
    try:
        return parse_channel_name(name)
    except ValueError:
        return None


def standardize_channel_names(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """Give each channel its canonical name, keeping duplicates distinct.

    Parameters
    ----------
    names : list of str
        Channel names as recorded (e.g. ``raw.ch_names``).

    Returns
    -------
    new_names : list of str
        The canonical name of each channel (same order and length). Names that
        cannot be placed are returned unchanged. Names are unique: in channel
        order, a channel keeps its canonical name (with the duplicate index it
        was given, ``'T8-P8-1'``), and when that name is already taken it gets
        the lowest free index ``k >= 1``: ``['T3', 'T7']`` gives
        ``['T7', 'T7-1']``.
    unplaced : list of str
        The names that name no electrode (``'ECG'``, ``'-'``), as given.

    See Also
    --------
    parse_channel_name : The rules for one name.
    set_standard_names : Rename the channels of a Raw.

    Examples
    --------
    >>> standardize_channel_names(["FP1-F7", "T8-P8-0", "T8-P8-1", "ECG"])
    (['Fp1-F7', 'T8-P8', 'T8-P8-1', 'ECG'], ['ECG'])
    """
    if isinstance(names, str):
        raise TypeError(
            f"names must be a list of channel names, got the single str {names!r}; "
            f"use parse_channel_name for one name."
        )
    names = list(names)
    labels = [_parse_or_none(n) for n in names]
    taken = {n for n, lab in zip(names, labels) if lab is None}
    new_names, unplaced = [], []
    for name, label in zip(names, labels):
        if label is None:
            new_names.append(name)
            unplaced.append(name)
            continue
        candidate = label.name
        k = 1
        while candidate in taken:
            candidate = f"{label.base}-{k}"
            k += 1
        taken.add(candidate)
        new_names.append(candidate)
    return new_names, unplaced


def set_standard_names(
    raw: mne.io.BaseRaw, *, verbose: bool | str | int | None = None
) -> mne.io.BaseRaw:
    """Rename the channels of a Raw to their canonical names, in place.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording; its ``info`` (and its ``bads``) is changed in place.
    verbose : bool | str | int | None
        Log level of this call (``None``: the package setting).

    Returns
    -------
    raw : mne.io.Raw
        The same object, for chaining.

    Notes
    -----
    Channels whose names cannot be placed (``'ECG'``, ``'-'``) keep their
    names and are reported through the ``neucube.acquisition`` logger at INFO
    level; :func:`pick_placeable` leaves them out.
    """
    if not _is_raw(raw):
        raise TypeError(
            f"raw must be an mne.io.Raw, got {type(raw).__name__}; for a list of "
            f"names use standardize_channel_names."
        )
    with _use_log_level(verbose):
        new_names, unplaced = standardize_channel_names(raw.ch_names)
        mapping = {old: new for old, new in zip(raw.ch_names, new_names) if old != new}
        if mapping:
            raw.rename_channels(mapping, verbose="error")
            logger.debug("Renamed %d channel(s): %s", len(mapping), mapping)
        if unplaced:
            logger.info(
                "%d channel(s) of %s name no scalp electrode and keep their names: %s. "
                "Use acquisition.pick_placeable(raw) to keep only placeable EEG channels.",
                len(unplaced),
                _raw_label(raw),
                unplaced,
            )
    return raw


def placeable_picks(
    inst: mne.io.BaseRaw | Sequence[str],
    *,
    kind: str | None = None,
    exclude: str | Sequence[str] = "bads",
) -> np.ndarray:
    """Return the indices of the channels that can be placed on the scalp.

    Parameters
    ----------
    inst : mne.io.Raw | list of str
        A recording, or a list of channel names.
    kind : None | ``'monopolar'`` | ``'bipolar'``
        Keep only channels of this kind (``None``: both).
    exclude : ``'bads'`` | list of str
        Channels to leave out (by name). ``'bads'`` (default) leaves out
        ``raw.info['bads']`` (nothing for a list of names).

    Returns
    -------
    picks : ndarray of int
        Indices, in channel order. For a Raw only channels of type EEG count.
    """
    if kind is not None:
        _check_option(kind, "kind", _KINDS)
    if _is_raw(inst):
        names = inst.ch_names
        types = inst.get_channel_types()
        bads = set(inst.info["bads"]) if exclude == "bads" else set()
    else:
        if isinstance(inst, str):
            raise TypeError(f"inst must be a Raw or a list of channel names, got the str {inst!r}.")
        names = list(inst)
        types = ["eeg"] * len(names)
        bads = set()
    if exclude != "bads":
        if isinstance(exclude, str):
            raise ValueError(f"exclude must be 'bads' or a list of channel names, got {exclude!r}.")
        bads = set(exclude)
    picks = []
    for idx, (name, ch_type) in enumerate(zip(names, types)):
        if ch_type != "eeg" or name in bads:
            continue
        label = _parse_or_none(name)
        if label is not None and (kind is None or label.kind == kind):
            picks.append(idx)
    return np.array(picks, dtype=int)


def pick_placeable(
    raw: mne.io.BaseRaw,
    *,
    kind: str | None = None,
    exclude: str | Sequence[str] = "bads",
    verbose: bool | str | int | None = None,
) -> mne.io.BaseRaw:
    """Return a copy of a Raw with only the EEG channels that can be placed.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording (left unchanged).
    kind : None | ``'monopolar'`` | ``'bipolar'``
        Keep only channels of this kind (``None``: both).
    exclude : ``'bads'`` | list of str
        Channels to leave out: ``'bads'`` (default) leaves out
        ``raw.info['bads']``.
    verbose : bool | str | int | None
        Log level of this call (``None``: the package setting).

    Returns
    -------
    picked : mne.io.Raw
        A new Raw holding the placeable channels of type EEG, in their order.
        The names are not changed: call :func:`set_standard_names` (or read
        with ``read_raw(..., standardize_names=True)``) for canonical names.

    Raises
    ------
    ValueError
        If no channel can be placed.
    """
    if not _is_raw(raw):
        raise TypeError(f"raw must be an mne.io.Raw, got {type(raw).__name__}.")
    with _use_log_level(verbose):
        picks = placeable_picks(raw, kind=kind, exclude=exclude)
        if picks.size == 0:
            which = f"{kind} " if kind else ""
            raise ValueError(
                f"No {which}EEG channel of {_raw_label(raw)} can be placed on the scalp "
                f"(channels: {raw.ch_names}). Check the channel names and types "
                f"(raw.get_channel_types()), or rename them with raw.rename_channels."
            )
        dropped = [raw.ch_names[i] for i in sorted(set(range(len(raw.ch_names))) - set(picks))]
        if dropped:
            logger.info("pick_placeable left out %d channel(s): %s", len(dropped), dropped)
        return raw.copy().pick(picks)
