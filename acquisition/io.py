"""Read EEG recordings from files through MNE's readers.

Supported formats: EDF and EDF+ (``.edf``), BDF (``.bdf``), GDF (``.gdf``),
FIF (``.fif``, ``.fif.gz``), BrainVision (``.vhdr``) and EEGLAB (``.set``).
The parsing is MNE's; this module picks the reader, checks the result and turns
MNE's warnings about damaged files into errors that name the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import mne
import numpy as np

from ._checks import _capture_mne_warnings, _mne_messages, _use_log_level
from ._logging import logger
from .channels import set_standard_names


class EEGFileError(ValueError):
    """A file could not be read as an EEG recording.

    Parameters
    ----------
    message : str
        What went wrong, naming the file and the fix.
    fname : str | None
        The file concerned.

    Attributes
    ----------
    fname : str | None
        The file concerned.
    """

    def __init__(self, message: str, fname: str | os.PathLike | None = None) -> None:
        super().__init__(message)
        self.fname = None if fname is None else str(fname)


class UnsupportedFormatError(EEGFileError):
    """The file's extension is not one of the supported EEG formats."""


class CorruptFileError(EEGFileError):
    """The file has an EEG extension but its content cannot be read as such."""


class TruncatedFileError(CorruptFileError):
    """The file is shorter (or longer) than its header says."""


class NonFiniteDataError(EEGFileError):
    """The recording holds NaN or infinite samples.

    Parameters
    ----------
    message : str
        What went wrong.
    fname : str | None
        The file concerned.
    channels : list of str
        The channels holding non-finite samples.
    first_time : float
        Time in seconds (from the first sample) of the first non-finite sample.

    Attributes
    ----------
    channels : list of str
        The channels holding non-finite samples.
    first_time : float
        Time in seconds of the first non-finite sample.
    """

    def __init__(
        self,
        message: str,
        fname: str | os.PathLike | None = None,
        channels: Sequence[str] = (),
        first_time: float | None = None,
    ) -> None:
        super().__init__(message, fname)
        self.channels = list(channels)
        self.first_time = first_time


def _read_with_mne(ext, fname, preload):
    """Read ``fname`` with the MNE reader of its extension ``ext``."""
    reader = getattr(mne.io, _READERS[ext])
    return reader(fname, preload=preload, verbose="warning")


#: Supported file extensions (lower case) and the formats they stand for.
SUPPORTED_EXTENSIONS = {
    ".edf": "EDF/EDF+",
    ".bdf": "BDF, BioSemi",
    ".gdf": "GDF",
    ".fif": "FIF, MNE/Neuromag",
    ".fif.gz": "FIF, gzip-compressed",
    ".vhdr": "BrainVision header",
    ".set": "EEGLAB",
}

#: The MNE reader (a function of :mod:`mne.io`) of each supported extension.
_READERS = {
    ".edf": "read_raw_edf",
    ".bdf": "read_raw_bdf",
    ".gdf": "read_raw_gdf",
    ".fif": "read_raw_fif",
    ".fif.gz": "read_raw_fif",
    ".vhdr": "read_raw_brainvision",
    ".set": "read_raw_eeglab",
}

# Companion files that people pass instead of the one MNE needs.
_COMPANION_HINTS = {
    ".eeg": "it looks like BrainVision data: pass the matching .vhdr header file",
    ".vmrk": "it looks like BrainVision markers: pass the matching .vhdr header file",
    ".fdt": "it looks like EEGLAB data: pass the matching .set file",
}

# MNE warnings that mean the file holds fewer (or more) samples than its header.
_TRUNCATION = re.compile(
    r"does not match the file size|Invalid tag with only|truncat", re.IGNORECASE
)
# MNE warnings that only describe what MNE did about something we handle.
_BENIGN = (
    (re.compile(r"Channel names are not unique"), "debug"),
    (re.compile(r"does not conform to MNE naming conventions"), "debug"),
)


def _extension(path):
    """Return the supported extension of ``path`` (lower case), or its last suffix."""
    name = path.name.lower()
    for ext in sorted(_READERS, key=len, reverse=True):
        if name.endswith(ext) and len(name) > len(ext):
            return ext
    return path.suffix.lower()


def _check_fname(fname):
    if not isinstance(fname, (str, os.PathLike)):
        raise TypeError(
            f"fname must be a path (str or pathlib.Path), got {fname!r} of type "
            f"{type(fname).__name__}."
        )
    path = Path(fname).expanduser()
    if not path.exists():
        where = ""
        if not path.is_absolute():
            where = f" (relative to the working directory {os.getcwd()!r})"
        raise FileNotFoundError(
            f"EEG file {str(path)!r} does not exist{where}. Check the path and its spelling."
        )
    if path.is_dir():
        raise EEGFileError(
            f"{str(path)!r} is a folder, not an EEG file. Pass one of the recordings in it "
            f"(supported extensions: {', '.join(SUPPORTED_EXTENSIONS)}).",
            path,
        )
    ext = _extension(path)
    if ext not in _READERS:
        hint = _COMPANION_HINTS.get(ext)
        hint = f" ({hint})" if hint else ""
        supported = ", ".join(f"{e} ({what})" for e, what in SUPPORTED_EXTENSIONS.items())
        raise UnsupportedFormatError(
            f"Cannot read {str(path)!r}: extension {ext or '(none)'!r} is not a supported "
            f"EEG format{hint}. Supported: {supported}. Convert the file to one of "
            f"them (e.g. EDF), or rename it if the extension is wrong.",
            path,
        )
    return path, ext


def _check_finite(raw, fname):
    """Raise NonFiniteDataError if the (loaded) data hold NaN or inf."""
    data = raw._data if raw.preload else raw.get_data()
    finite = np.isfinite(data)
    if finite.all():
        return
    bad = ~finite
    bad_ch = np.flatnonzero(bad.any(axis=1))
    first = int(np.argmax(bad.any(axis=0)))
    names = [raw.ch_names[i] for i in bad_ch]
    n_bad = int(bad.sum())
    t_first = float(raw.times[first])
    raise NonFiniteDataError(
        f"{str(fname)!r} holds {n_bad} non-finite sample(s) (NaN or infinite) in "
        f"{len(names)} channel(s) {names}; the first at {t_first:.3f} s (sample {first}). "
        f"Filters and encoders cannot use them. Repair the file: load it with "
        f"mne.io.read_raw(fname, preload=True), interpolate or crop out the gap or drop "
        f"those channels, and save the result (raw.save).",
        fname,
        channels=names,
        first_time=t_first,
    )


#: The lowest sampling rate read as EEG, Hz: a header that gives less (a record
#: duration of hours, a negative one) is a damaged header, not a recording.
MIN_SFREQ = 1.0

# Where the formats with data records keep what the sampling rate comes from.
_RATE_FIELDS = {
    ".edf": "the header's samples per data record over its record duration",
    ".bdf": "the header's samples per data record over its record duration",
    ".gdf": "the header's samples per data record over its record duration",
}


def _check_rate(raw, path, ext):
    """Raise CorruptFileError unless the sampling rate read is a finite one of EEG."""
    sfreq = float(raw.info["sfreq"])
    if np.isfinite(sfreq) and sfreq >= MIN_SFREQ:
        return
    source = _RATE_FIELDS.get(ext, "the header's sampling rate")
    record = ""
    extras = getattr(raw, "_raw_extras", None) or [{}]
    length = np.ravel(extras[0].get("record_length", []))
    if ext in _RATE_FIELDS and length.size:
        record = f"; the record duration field reads {length[0]:g} s"
    raise CorruptFileError(
        f"{str(path)!r} has a damaged header: its sampling rate, {source}, is {sfreq:g} Hz"
        f"{record}, and EEG is sampled at {MIN_SFREQ:g} Hz or more. Use an intact copy of "
        f"the recording, or repair the header (record duration, samples per record) in an "
        f"EDF editor.",
        path,
    )


def _read_error(exc, messages, path, ext):
    """Turn an exception of an MNE reader into ours, naming the file."""
    text = str(exc).strip().rstrip(".")
    why = (
        f"{type(exc).__name__}: {text}"
        if text
        else (
            f"{type(exc).__name__} in MNE's reader: a header field disagrees with another or "
            "with the file's size"
        )
    )
    truncated = [m for m in messages if _TRUNCATION.search(m)]
    if truncated:
        return TruncatedFileError(
            f"{str(path)!r} appears truncated and cannot be read, even with "
            f"allow_truncated=True: {truncated[0]} ({why}). Use a complete copy of the "
            f"recording.",
            path,
        )
    what = SUPPORTED_EXTENSIONS[ext]
    return CorruptFileError(
        f"{str(path)!r} cannot be read as {what} ({why}). Check that it is a complete "
        f"{what} recording with the right extension (try opening it in another EEG "
        f"viewer).",
        path,
    )


def read_raw(
    fname: str | os.PathLike,
    *,
    preload: bool | str = True,
    standardize_names: bool = True,
    allow_truncated: bool = False,
    verbose: bool | str | int | None = None,
) -> mne.io.BaseRaw:
    """Read an EEG recording from a file.

    Parameters
    ----------
    fname : str | pathlib.Path
        The file: EDF/EDF+ (``.edf``), BDF (``.bdf``), GDF (``.gdf``), FIF
        (``.fif``, ``.fif.gz``), BrainVision (the ``.vhdr`` header) or EEGLAB
        (``.set``). The extension decides the reader (case-insensitive).
    preload : bool | str
        Load the data into memory (``True``, default), or read it on demand
        (``False``). A str is a file to memory-map the data into (see
        :func:`mne.io.read_raw_fif`). Non-finite samples are only checked for
        when the data are loaded.
    standardize_names : bool
        Rename the channels to their canonical names (``'FP1-F7'`` to
        ``'Fp1-F7'``, ``'Fc5.'`` to ``'FC5'``; see
        :func:`acquisition.standardize_channel_names`). Channels that name no
        electrode keep their names and are logged.
    allow_truncated : bool
        If the file holds fewer data records than its header declares (a
        recording that was not stopped properly, an interrupted copy), read the
        complete records and log a warning instead of raising
        :class:`TruncatedFileError`.
    verbose : bool | str | int | None
        Log level of this call (``None``: the package setting). MNE's own
        messages are silenced; its warnings come through our logger.

    Returns
    -------
    raw : mne.io.Raw
        The recording, with channel names, ``raw.info['sfreq']`` and the
        file's annotations (``raw.annotations``). Data are in SI units (volts).

    Raises
    ------
    FileNotFoundError
        If ``fname`` does not exist (or a companion file it needs is missing).
    UnsupportedFormatError
        If the extension is not a supported one.
    TruncatedFileError
        If the file holds a different amount of data than its header says and
        ``allow_truncated`` is False, or if it cannot be read at all because it
        was cut short.
    CorruptFileError
        If the content cannot be read in the format of its extension, or its
        header gives a sampling rate that is not one of EEG (not finite, or
        below :data:`MIN_SFREQ`: a negative or hours-long record duration).
    NonFiniteDataError
        If the loaded data hold NaN or infinite samples.

    Notes
    -----
    All exceptions about the file's content derive from :class:`EEGFileError`
    (a :class:`ValueError`) and carry the file name in ``.fname``.
    """
    with _use_log_level(verbose):
        path, ext = _check_fname(fname)
        label = str(path)
        with _capture_mne_warnings() as records:
            try:
                raw = _read_with_mne(ext, path, preload)
            except FileNotFoundError as exc:
                raise FileNotFoundError(
                    f"{label!r} refers to a file that is missing: {exc}. A BrainVision "
                    f"recording needs its .vhdr, .vmrk and .eeg side by side, an EEGLAB "
                    f"one its .set and (if any) .fdt; copy the missing file next to it."
                ) from exc
            except (ImportError, MemoryError):
                raise
            except Exception as exc:
                raise _read_error(exc, _mne_messages(records), path, ext) from exc
        _check_rate(raw, path, ext)
        for msg in _mne_messages(records):
            if _TRUNCATION.search(msg):
                if not allow_truncated:
                    raise TruncatedFileError(
                        f"{label!r} is truncated or damaged: {msg} Its header declares "
                        f"a different amount of data than the file holds (a recording "
                        f"not stopped properly, or a copy cut short). Use a complete "
                        f"copy, or pass allow_truncated=True to read the complete "
                        f"records only.",
                        path,
                    )
                logger.warning(
                    "%s is truncated (allow_truncated=True): %s Only the complete records "
                    "were read (%.3f s).",
                    label,
                    msg,
                    raw.n_times / raw.info["sfreq"],
                )
                continue
            level = next((lvl for rx, lvl in _BENIGN if rx.search(msg)), "warning")
            getattr(logger, level)("MNE, reading %s: %s", label, msg)
        if raw.preload:
            _check_finite(raw, path)
        else:
            logger.debug("%s not loaded (preload=False): non-finite samples not checked.", label)
        if standardize_names:
            set_standard_names(raw)
        logger.info(
            "Read %s: %d channels, %g Hz, %.3f s, %d annotation(s).",
            label,
            len(raw.ch_names),
            raw.info["sfreq"],
            raw.n_times / raw.info["sfreq"],
            len(raw.annotations),
        )
    return raw
