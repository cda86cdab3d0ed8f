"""Read the UCI "EEG Database" (SUNY Brooklyn, alcoholism study) trial files.

The database (Begleiter; donated by Ingber to the UCI Machine Learning
Repository, id 121, CC BY 4.0) holds one gzipped text file per trial, one
folder per subject: ``co2a0000364/co2a0000364.rd.000.gz``. A subject's name
carries the group: ``co2a…`` alcoholic, ``co2c…`` control. Each trial is 1 s
of 64 channels sampled at 256 Hz (3.906 ms), in µV, starting at the onset of
the stimulus (a picture from the Snodgrass and Vanderwart set). A trial file
reads::

    # co2a0000364.rd
    # 120 trials, 64 chans, 416 samples 368 post_stim samples
    # 3.906000 msecs uV
    # S1 obj , trial 0
    # FP1 chan 0
    0 FP1 0 -8.921
    0 FP1 1 -8.433
    ...
    # FP2 chan 1
    0 FP2 0 ...

The fourth line gives the condition: ``S1 obj`` (a first picture), ``S2
match`` (a second picture, the same as the first: a familiar stimulus) or
``S2 nomatch`` (a different one: unfamiliar). The full database (122
subjects) also has error trials, whose condition ends in ``err``
(``S2 nomatch err``): they are flagged, and left out of epochs by default.
Rows are ``trial channel sample value``, one channel after the other, 256 rows
each.

Quirks of the files (checked on the 14 subjects × 30 trials of the training
excerpt; the readers handle them):

- the second header line describes the original recording (416 samples of
  which 368 after the stimulus), not the file: every file holds 256 samples
  per channel, the first 256 after the stimulus. That line is not used;
- three of the 64 channels are not EEG: ``X``, ``Y`` and ``nd``; they are
  dropped, leaving 61 EEG channels. Names are upper case (``FP1``, ``CPZ``)
  and are standardized to their 10-10 spelling (``Fp1``, ``CPz``);
- the trial number in the file name is not always the one in the file
  (``co2c0000340.rd.042.gz`` holds trial 41): the file's own header and rows
  are believed, the name is not;
- some trials hold a channel that is exactly zero throughout
  (``co2a0000368``, trials 0-5: ``CZ``; ``co2c0000341`` trial 27: ``O2``):
  they are kept, and reported at INFO level by the folder readers;
- amplitudes reach about ±240 µV in some trials (eye movements): kept.

:func:`read_uci_trial` reads one file; :func:`read_uci_subject` and
:func:`read_uci_epochs` read folders into epochs arrays for classification;
:func:`find_uci_subjects` finds subject folders in a parent folder.
Data leave this module in volts, as everywhere in :mod:`acquisition`.
"""

from __future__ import annotations

import gzip
import numbers
import os
import re
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._checks import _check_option, _use_log_level
from ._logging import logger
from .channels import standardize_channel_names
from .io import CorruptFileError, EEGFileError, NonFiniteDataError, TruncatedFileError

if TYPE_CHECKING:
    import mne

__all__ = [
    "FAMILIARITY_LABELS",
    "UCI_CONDITIONS",
    "UCI_NON_EEG",
    "UCI_SFREQ",
    "UCIEpochs",
    "UCITrial",
    "find_uci_subjects",
    "read_uci_epochs",
    "read_uci_subject",
    "read_uci_trial",
]

#: Sampling rate of the database in Hz (3.906 ms per sample).
UCI_SFREQ = 256.0
#: Samples per channel in every trial file (1 s after the stimulus).
UCI_N_TIMES = 256
#: The recorded channels that are not EEG; the readers drop them.
UCI_NON_EEG = ("X", "Y", "nd")
#: The three conditions of the paradigm, as written in the files.
UCI_CONDITIONS = ("S1 obj", "S2 match", "S2 nomatch")
#: Class labels of the familiarity task: second picture same (familiar) or new.
FAMILIARITY_LABELS = {"S2 match": "familiar", "S2 nomatch": "unfamiliar"}
#: The conditions of the familiarity task.
FAMILIARITY_CONDITIONS = ("S2 match", "S2 nomatch")

_GROUPS = {"a": "alcoholic", "c": "control"}
_ON_BAD = ("raise", "warn")

# '# co2a0000364.rd': a subject name whose 4th character is a (alcoholic) or c.
_SUBJECT_RE = re.compile(r"^#\s*(?P<subject>[A-Za-z]{2}\d(?P<group>[ac])\d+)\.rd\s*$")
# '# 120 trials, 64 chans, 416 samples 368 post_stim samples'
_COUNTS_RE = re.compile(r"^#\s*\d+\s+trials\s*,\s*(?P<n_chans>\d+)\s+chans\b", re.IGNORECASE)
# '# 3.906000 msecs uV'
_PERIOD_RE = re.compile(r"^#\s*(?P<ms>\d+(?:\.\d*)?)\s+msecs\s+(?P<unit>\S+)\s*$")
# '# S1 obj , trial 0' | '# S2 nomatch, trial 5' | '# S2 nomatch err, trial 17'
_COND_RE = re.compile(r"^#\s*(?P<cond>[^,]*?)\s*,\s*trial\s+(?P<trial>\d+)\s*$")


class UCITrial(NamedTuple):
    """One trial of the UCI EEG Database, as read by :func:`read_uci_trial`.

    Attributes
    ----------
    data : ndarray of float64, shape (n_channels, n_times)
        The EEG in **volts** (the file's µV × 1e-6): 61 channels (``X``,
        ``Y`` and ``nd`` dropped) × 256 samples starting at the stimulus onset.
    ch_names : list of str
        Standardized 10-10 channel names (``'Fp1'``, ``'CPz'``), in file order.
    sfreq : float
        Sampling rate in Hz (256), from the file's sampling period.
    condition : str
        ``'S1 obj'``, ``'S2 match'`` or ``'S2 nomatch'``.
    trial : int
        Trial number, from inside the file (not from the file name).
    subject : str
        Subject name from the header, e.g. ``'co2a0000364'``.
    group : str
        ``'alcoholic'`` (``co2a…``) or ``'control'`` (``co2c…``).
    err : bool
        Whether the condition line marks the trial ``err`` (``S2 nomatch err``: an
        error trial of the full database; none among the 14 subjects checked).
    fname : str
        The file read.
    """

    data: np.ndarray
    ch_names: list
    sfreq: float
    condition: str
    trial: int
    subject: str
    group: str
    err: bool
    fname: str


class UCIEpochs(NamedTuple):
    """Epochs of several UCI trials, as returned by :func:`read_uci_epochs`.

    Attributes
    ----------
    X : ndarray of float64, shape (n_epochs, n_channels, n_times)
        The trials in volts, subject after subject, each subject's trials in
        the order of their trial numbers.
    y : ndarray of str, shape (n_epochs,)
        Class labels: ``'familiar'`` (S2 match), ``'unfamiliar'`` (S2 nomatch);
        other conditions keep their names (``'S1 obj'``).
    groups : ndarray of str, shape (n_epochs,)
        The subject of each epoch (for leave-subjects-out cross-validation).
    ch_names : list of str
        Standardized channel names.
    sfreq : float
        Sampling rate in Hz.
    """

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    ch_names: list
    sfreq: float


# ---------------------------------------------------------------------------
# One file
# ---------------------------------------------------------------------------


def _read_text(fname):
    """Return the file's text, decompressing gzip, with readable errors."""
    with open(fname, "rb") as fid:
        raw = fid.read()
    if not raw:
        raise CorruptFileError(f"{fname} is empty: not a UCI EEG trial file.", fname)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except EOFError as err:
            raise TruncatedFileError(
                f"{fname} is a truncated gzip file ({err}): the download or copy was cut "
                "short. Fetch the file again.",
                fname,
            ) from err
        except (OSError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
            raise CorruptFileError(
                f"{fname} is a damaged gzip file ({err}). Fetch the file again.", fname
            ) from err
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as err:
        raise CorruptFileError(
            f"{fname} is not a text file of the UCI EEG Database (byte {err.start} is not "
            "ASCII). Expected gzipped text lines 'trial channel sample value'.",
            fname,
        ) from err


def _header_error(fname, lineno, what, got):
    return CorruptFileError(
        f"{fname}: wrong header, line {lineno} should read {what}, got {got!r}. "
        "Is this a trial file of the UCI EEG Database (e.g. co2a0000364.rd.000.gz)?",
        fname,
    )


def _parse_header(fname, lines):
    """Parse the first four lines; return a dict of what they say."""
    expected = (
        "'# <subject>.rd' (e.g. '# co2a0000364.rd')",
        "'# <n> trials, <n> chans, ...'",
        "'# <period> msecs uV'",
        "'# <condition>, trial <n>' (e.g. '# S2 match , trial 3')",
    )
    if len(lines) < 4:
        raise CorruptFileError(
            f"{fname}: wrong header, the file has {len(lines)} line(s); a UCI EEG trial file "
            f"starts with 4 header lines ({', '.join(expected)}).",
            fname,
        )
    head = [lines[i].rstrip("\r") for i in range(4)]
    m_subj = _SUBJECT_RE.match(head[0])
    if m_subj is None:
        raise _header_error(fname, 1, expected[0], head[0])
    m_counts = _COUNTS_RE.match(head[1])
    if m_counts is None:
        raise _header_error(fname, 2, expected[1], head[1])
    m_period = _PERIOD_RE.match(head[2])
    if m_period is None:
        raise _header_error(fname, 3, expected[2], head[2])
    if m_period["unit"] != "uV":
        raise CorruptFileError(
            f"{fname}: wrong header, line 3 gives the unit {m_period['unit']!r}; the UCI EEG "
            "Database stores µV ('uV').",
            fname,
        )
    period_ms = float(m_period["ms"])
    if period_ms <= 0:
        raise _header_error(fname, 3, expected[2] + " with a positive period", head[2])
    m_cond = _COND_RE.match(head[3])
    if m_cond is None:
        raise _header_error(fname, 4, expected[3], head[3])
    words = m_cond["cond"].split()
    err = bool(words) and words[-1].lower() == "err"
    condition = " ".join(words[:-1] if err else words)
    if condition not in UCI_CONDITIONS:
        raise CorruptFileError(
            f"{fname}: wrong header, line 4 names the condition {m_cond['cond']!r}; expected "
            f"one of {list(UCI_CONDITIONS)} (optionally followed by 'err').",
            fname,
        )
    # 3.906 ms is 1/256 s rounded in the header: round the rate to whole Hz.
    sfreq = float(round(1000.0 / period_ms))
    return {
        "subject": m_subj["subject"],
        "group": _GROUPS[m_subj["group"]],
        "n_chans": int(m_counts["n_chans"]),
        "sfreq": sfreq,
        "condition": condition,
        "err": err,
        "trial": int(m_cond["trial"]),
    }


def _first_bad(values, convert):
    """Index of the first entry of ``values`` that ``convert`` rejects."""
    for idx, value in enumerate(values):
        try:
            convert(value)
        except ValueError:
            return idx
    return None


_COMMENT_RE = re.compile(r"(?m)^[ \t]*#.*$")


def _data_linenos(lines):
    """1-based line numbers of the data rows (not comments, not blank)."""
    return [
        i for i, line in enumerate(lines[4:], start=5) if line.strip() and line.lstrip()[0] != "#"
    ]


def _raise_bad_row(fname, lines, linenos):
    """Raise for the first data row that does not have four fields (if any)."""
    for idx in linenos:
        text = lines[idx - 1].strip()
        fields = text.split()
        if len(fields) != 4:
            raise CorruptFileError(
                f"{fname}, line {idx}: expected 4 fields 'trial channel sample value', got "
                f"{len(fields)} in {text!r}. The file is damaged (a row cut short or joined).",
                fname,
            )


def _parse_rows(fname, lines, header):
    """Parse the data rows; return (values (n_channels, n_times), names)."""
    # Comment lines ('# FP1 chan 0') name the channels; the rows say it too.
    tokens = _COMMENT_RE.sub("", "\n".join(lines[4:])).split()
    if not tokens:
        raise TruncatedFileError(
            f"{fname} holds a header but no data rows: the file was cut short. Fetch it again.",
            fname,
        )
    n_rows = len(tokens) // 4
    if len(tokens) % 4:
        linenos = _data_linenos(lines)
        _raise_bad_row(fname, lines, linenos)
    trials, names, samples, values = tokens[0::4], tokens[1::4], tokens[2::4], tokens[3::4]
    columns = {}
    for col, name, convert, dtype in (
        (trials, "trial number", int, np.int64),
        (samples, "sample number", int, np.int64),
        (values, "value", float, np.float64),
    ):
        try:
            columns[name] = np.fromiter(map(convert, col), dtype=dtype, count=n_rows)
        except ValueError:
            # A row with too few fields and one with too many can leave the
            # count right but shift the columns: look at every row first.
            linenos = _data_linenos(lines)
            _raise_bad_row(fname, lines, linenos)
            bad = _first_bad(col, convert)
            raise CorruptFileError(
                f"{fname}, line {linenos[bad]}: the {name} {col[bad]!r} is not a number "
                f"(row {lines[linenos[bad] - 1].strip()!r}). The file is damaged.",
                fname,
            ) from None
    try:
        return _check_blocks(fname, header, lambda: _data_linenos(lines), columns, names)
    except EEGFileError:
        _raise_bad_row(fname, lines, _data_linenos(lines))  # a shifted row explains it better
        raise


def _check_blocks(fname, header, linenos, columns, names):
    """Check trial numbers, channel blocks and sample numbers; shape the values.

    ``linenos()`` gives the line numbers of the rows (computed only for errors).
    """
    trial_col, sample_col, value_col = (
        columns["trial number"],
        columns["sample number"],
        columns["value"],
    )
    wrong = np.flatnonzero(trial_col != header["trial"])
    if wrong.size:
        i = wrong[0]
        raise CorruptFileError(
            f"{fname}, line {linenos()[i]}: the row belongs to trial {trial_col[i]} but the header "
            f"says trial {header['trial']}. The file mixes trials: it is damaged.",
            fname,
        )
    # Channels come in contiguous blocks of rows.
    names = np.asarray(names)
    starts = np.flatnonzero(np.r_[True, names[1:] != names[:-1]])
    order = [str(n) for n in names[starts]]
    seen = set()
    for block, name in enumerate(order):
        if name not in seen:
            seen.add(name)
            continue
        repeated, again = name, starts[block]
        raise CorruptFileError(
            f"{fname}, line {linenos()[again]}: channel {repeated!r} appears again after other "
            "channels; each channel must be one block of rows. The file is damaged.",
            fname,
        )
    if len(order) != header["n_chans"]:
        raise CorruptFileError(
            f"{fname}: inconsistent channel count: the header says {header['n_chans']} "
            f"channels, the rows hold {len(order)} ({', '.join(order)}). The file is "
            "damaged or incomplete.",
            fname,
        )
    lengths = np.diff(np.r_[starts, len(names)])
    n_times = int(np.bincount(lengths).argmax())  # the usual length
    for ch, start, length in zip(order, starts, lengths):
        got = sample_col[start : start + length]
        if length != n_times:
            missing = sorted(set(range(n_times)) - set(got.tolist()))
            shown = ", ".join(str(m) for m in missing[:5]) + (", ..." if len(missing) > 5 else "")
            raise TruncatedFileError(
                f"{fname}: missing rows: channel {ch!r} has {length} rows where the other "
                f"channels have {n_times}"
                + (f" (samples {shown} are missing)" if missing else "")
                + ". The file is damaged or incomplete.",
                fname,
            )
        if not np.array_equal(got, np.arange(length)):
            first = start + int(np.flatnonzero(got != np.arange(length))[0])
            raise CorruptFileError(
                f"{fname}, line {linenos()[first]}: channel {ch!r}: expected sample "
                f"{first - start}, got {sample_col[first]}; the sample numbers of a channel must "
                "run 0, 1, 2, ... without gaps or repeats. The file is damaged.",
                fname,
            )
    data = value_col.reshape(len(order), n_times)
    return data, [str(n) for n in order]


def read_uci_trial(
    fname: str | os.PathLike,
    *,
    n_times: int | None = UCI_N_TIMES,
    verbose: bool | str | int | None = None,
) -> UCITrial:
    """Read one trial file of the UCI EEG Database.

    Parameters
    ----------
    fname : path-like
        A trial file, gzipped (``co2a0000364.rd.000.gz``) or not.
    n_times : int | None
        The number of samples per channel the trial must hold (256: 1 s at
        256 Hz, as in every file of the database); ``None`` accepts any number
        as long as every channel has the same.
    verbose : bool | str | int | None
        Log level of this call (``None``: the package setting).

    Returns
    -------
    trial : UCITrial
        ``data`` (n_channels, n_times) in **volts** (the file stores µV),
        ``ch_names`` standardized to 10-10 names (``'FP1'`` → ``'Fp1'``,
        ``'CPZ'`` → ``'CPz'``) without the non-EEG channels ``X``, ``Y`` and
        ``nd`` (61 channels remain), ``sfreq`` (256.0), ``condition``
        (``'S1 obj'``, ``'S2 match'`` or ``'S2 nomatch'``), ``trial``,
        ``subject`` (``'co2a0000364'``), ``group`` (``'alcoholic'`` or
        ``'control'``, from the subject's name), ``err`` (the trial is marked
        ``err``) and ``fname``. A named tuple: unpack it or use the names.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    acquisition.TruncatedFileError
        If the gzip stream or the rows end early (missing rows, fewer samples
        than ``n_times``).
    acquisition.CorruptFileError
        If the file is not gzip or text, its four header lines are not those
        of the database, a row does not have four fields, a trial number,
        sample number or value is not a number, or the channels are
        inconsistent (a channel split in two blocks, a channel count other
        than the header's).
    acquisition.NonFiniteDataError
        If a value is NaN or infinite.

    Notes
    -----
    Every error names the file (and the line, where there is one) and what
    is wrong with it. The trial number comes from the file's content: the
    name can disagree (``co2c0000340.rd.042.gz`` holds trial 41).

    Examples
    --------
    >>> trial = read_uci_trial("co2a0000364/co2a0000364.rd.000.gz")  # doctest: +SKIP
    >>> trial.data.shape, trial.condition, trial.group  # doctest: +SKIP
    ((61, 256), 'S1 obj', 'alcoholic')
    """
    fname = Path(fname)
    if not fname.is_file():
        raise FileNotFoundError(
            f"UCI EEG trial file not found: {fname}. Expected a file such as "
            "co2a0000364/co2a0000364.rd.000.gz."
        )
    n_times = _check_n_times(n_times)
    with _use_log_level(verbose):
        return _read_trial(fname, n_times)


def _read_trial(fname, n_times, conditions=None):
    """Read a trial file; ``None`` when its condition is not in ``conditions``.

    Only the header of a trial of another condition is parsed.
    """
    lines = _read_text(fname).split("\n")
    header = _parse_header(fname, lines)
    if conditions is not None and header["condition"] not in conditions:
        return None
    values, names = _parse_rows(fname, lines, header)
    if n_times is not None and values.shape[1] != n_times:
        raise TruncatedFileError(
            f"{fname} holds {values.shape[1]} samples per channel, expected {n_times} "
            f"({n_times / header['sfreq']:g} s at {header['sfreq']:g} Hz). Pass "
            "n_times=None to accept trials of another length.",
            fname,
        )
    if not np.isfinite(values).all():
        bad_ch, bad_t = np.nonzero(~np.isfinite(values))
        channels = sorted({names[i] for i in bad_ch})
        raise NonFiniteDataError(
            f"{fname} holds non-finite values (NaN or infinite) in channel(s) {channels}, "
            f"first at sample {int(bad_t.min())}.",
            fname,
            channels=channels,
            first_time=float(bad_t.min() / header["sfreq"]),
        )
    keep = [i for i, n in enumerate(names) if n not in UCI_NON_EEG]
    std_names, unplaced = standardize_channel_names([names[i] for i in keep])
    if unplaced:
        logger.warning(
            "%s: channel(s) %s are not known electrodes; kept with their names.",
            fname,
            unplaced,
        )
    if not fname.name.startswith(header["subject"]):
        logger.debug("%s: the header names subject %s", fname, header["subject"])
    number = re.search(r"\.(\d+)(?:\.gz)?$", fname.name)
    if number is not None and int(number.group(1)) != header["trial"]:
        logger.debug(
            "%s holds trial %d (the name says %s); using the file's trial number.",
            fname,
            header["trial"],
            number.group(1),
        )
    return UCITrial(
        data=values[keep] * 1e-6,
        ch_names=std_names,
        sfreq=header["sfreq"],
        condition=header["condition"],
        trial=header["trial"],
        subject=header["subject"],
        group=header["group"],
        err=header["err"],
        fname=str(fname),
    )


# ---------------------------------------------------------------------------
# Folders
# ---------------------------------------------------------------------------


def _trial_files(folder):
    """Return the trial files of a subject folder, in name order."""
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and re.search(r"\.rd\.\d+(?:\.gz)?$", p.name)
    )
    return files


def find_uci_subjects(paths: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    """Find the subject folders of the UCI EEG Database.

    Parameters
    ----------
    paths : path-like | list of path-like
        Subject folders (``.../co2a0000364``), or one parent folder holding
        subject folders (``.../uci_smni``), or a list mixing both.

    Returns
    -------
    folders : list of pathlib.Path
        The subject folders (each holding ``*.rd.*`` trial files), sorted by
        name, without duplicates.

    Raises
    ------
    FileNotFoundError
        If a path does not exist, or holds neither trial files nor subject
        folders.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = list(paths)
    if not paths:
        raise ValueError("paths is empty: give subject folders or a folder holding them.")
    found = []
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            raise FileNotFoundError(
                f"{path} is not a folder. Give UCI subject folders (co2a0000364, ...) or the "
                "folder holding them."
            )
        if _trial_files(path):
            found.append(path)
            continue
        subs = sorted(p for p in path.iterdir() if p.is_dir() and _trial_files(p))
        if not subs:
            raise FileNotFoundError(
                f"{path} holds no UCI trial files (*.rd.NNN.gz) and no subject folders with "
                "them. Give UCI subject folders (co2a0000364, ...) or the folder holding them."
            )
        found.extend(subs)
    unique = {p.resolve(): p for p in found}
    return sorted(unique.values(), key=lambda p: p.name)


def _check_n_times(n_times):
    if n_times is None:
        return None
    if isinstance(n_times, bool) or not isinstance(n_times, numbers.Integral) or n_times < 2:
        raise ValueError(
            f"n_times must be None or an integer >= 2 (samples per channel; the database's "
            f"trials hold {UCI_N_TIMES}), got {n_times!r}."
        )
    return int(n_times)


def _check_conditions(conditions):
    if isinstance(conditions, str):
        conditions = (conditions,)
    conditions = tuple(conditions)
    if not conditions:
        raise ValueError(f"conditions is empty; choose from {list(UCI_CONDITIONS)}.")
    for cond in conditions:
        _check_option(cond, "conditions", UCI_CONDITIONS)
    return conditions


def _read_subject_trials(folder, conditions, include_err, on_bad, n_times):
    """Read a subject folder's trials of the given conditions; log quirks."""
    folder = Path(folder)
    files = _trial_files(folder) if folder.is_dir() else []
    if not files:
        raise FileNotFoundError(
            f"{folder} holds no UCI trial files (*.rd.NNN.gz). Give a subject folder such as "
            "co2a0000364 (or use find_uci_subjects on the folder holding them)."
        )
    trials, skipped, err_trials, flat = [], [], 0, []
    for fname in files:
        try:
            trial = _read_trial(fname, n_times, conditions)
        except EEGFileError as exc:
            if on_bad == "raise":
                raise
            logger.warning("Skipped a damaged trial file: %s", exc)
            skipped.append(fname.name)
            continue
        if trial is None:  # another condition
            continue
        if trial.err and not include_err:
            err_trials += 1
            continue
        dead = [n for n, row in zip(trial.ch_names, trial.data) if np.ptp(row) == 0]
        if dead:
            flat.append(f"trial {trial.trial}: {', '.join(dead)}")
        trials.append(trial)
    trials.sort(key=lambda t: t.trial)
    numbers = [t.trial for t in trials]
    if len(set(numbers)) != len(numbers):
        dup = sorted({n for n in numbers if numbers.count(n) > 1})
        raise ValueError(
            f"{folder} holds trial number(s) {dup} more than once (files "
            f"{[t.fname for t in trials if t.trial in dup]}). Remove the copies."
        )
    subjects = sorted({t.subject for t in trials})
    if len(subjects) > 1:
        raise ValueError(
            f"{folder} mixes trials of several subjects {subjects}; keep one subject per folder."
        )
    if err_trials:
        logger.info("%s: left out %d trial(s) marked 'err'.", folder.name, err_trials)
    if flat:
        logger.info(
            "%s: %d trial(s) hold a channel that is constant (dead) throughout, kept: %s",
            folder.name,
            len(flat),
            "; ".join(flat),
        )
    if skipped:
        logger.warning("%s: %d damaged file(s) skipped: %s", folder.name, len(skipped), skipped)
    return trials


def read_uci_epochs(
    folders: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    conditions: Sequence[str] = FAMILIARITY_CONDITIONS,
    include_err: bool = False,
    on_bad: str = "raise",
    n_times: int | None = UCI_N_TIMES,
    return_mne: bool = False,
    verbose: bool | str | int | None = None,
) -> UCIEpochs | mne.EpochsArray:
    """Read the trials of several subjects into an epochs array.

    Parameters
    ----------
    folders : path-like | list of path-like
        Subject folders, or a folder holding subject folders (see
        :func:`find_uci_subjects`).
    conditions : tuple of str
        Conditions to keep, from ``'S1 obj'``, ``'S2 match'``, ``'S2 nomatch'``.
        Default: the two second-stimulus conditions of the familiarity task.
    include_err : bool
        Whether to keep trials marked ``err`` (error trials); left out (and
        counted at INFO level) by default.
    on_bad : ``'raise'`` | ``'warn'``
        What a damaged file does: raise its error (default), or be skipped
        with a warning.
    n_times : int | None
        Samples per trial (256); ``None`` accepts another length, which then
        must be the same in every trial.
    return_mne : bool
        Return an :class:`mne.EpochsArray` instead of arrays.
    verbose : bool | str | int | None
        Log level of this call (``None``: the package setting).

    Returns
    -------
    epochs : UCIEpochs | mne.EpochsArray
        ``(X, y, groups, ch_names, sfreq)``: ``X`` (n_epochs, n_channels,
        n_times) in volts, ``y`` the labels (``'familiar'`` for S2 match,
        ``'unfamiliar'`` for S2 nomatch, the condition's name otherwise),
        ``groups`` the subject of each epoch, the standardized channel names
        and the sampling rate. With ``return_mne=True``, an EpochsArray
        (``tmin`` 0: the stimulus onset) with one event id per label and
        ``metadata`` holding subject, group, condition, trial, err and file.

    Raises
    ------
    FileNotFoundError
        If a folder holds no trial files.
    ValueError
        If no trial of the conditions is found, or the subjects' channels,
        sampling rates or lengths differ.
    acquisition.EEGFileError
        If a file is damaged and ``on_bad='raise'`` (see
        :func:`read_uci_trial`).
    """
    conditions = _check_conditions(conditions)
    _check_option(on_bad, "on_bad", _ON_BAD)
    n_times = _check_n_times(n_times)
    with _use_log_level(verbose):
        subject_folders = find_uci_subjects(folders)
        trials = []
        for folder in subject_folders:
            trials.extend(_read_subject_trials(folder, conditions, include_err, on_bad, n_times))
        if not trials:
            raise ValueError(
                f"No trial of the condition(s) {list(conditions)} in "
                f"{[str(f) for f in subject_folders]}."
            )
        ref = trials[0]
        data = []
        for trial in trials:
            if trial.sfreq != ref.sfreq or trial.data.shape[1] != ref.data.shape[1]:
                raise ValueError(
                    f"{trial.fname} has {trial.data.shape[1]} samples at {trial.sfreq:g} Hz but "
                    f"{ref.fname} has {ref.data.shape[1]} at {ref.sfreq:g} Hz; epochs must "
                    "share both."
                )
            if trial.ch_names == ref.ch_names:
                data.append(trial.data)
                continue
            if sorted(trial.ch_names) != sorted(ref.ch_names):
                missing = sorted(set(ref.ch_names) - set(trial.ch_names))
                extra = sorted(set(trial.ch_names) - set(ref.ch_names))
                raise ValueError(
                    f"{trial.fname} has other channels than {ref.fname} (missing {missing}, "
                    f"extra {extra}); epochs must share their channels."
                )
            index = {n: i for i, n in enumerate(trial.ch_names)}
            data.append(trial.data[[index[n] for n in ref.ch_names]])
        X = np.stack(data)
        y = np.array([FAMILIARITY_LABELS.get(t.condition, t.condition) for t in trials])
        groups = np.array([t.subject for t in trials])
        labels, counts = np.unique(y, return_counts=True)
        logger.info(
            "UCI epochs: %d from %d subject(s), %s, %d channels, %d samples at %g Hz",
            len(X),
            len(subject_folders),
            ", ".join(f"{n} {lab}" for lab, n in zip(labels, counts)),
            X.shape[1],
            X.shape[2],
            ref.sfreq,
        )
        if not return_mne:
            return UCIEpochs(X, y, groups, list(ref.ch_names), float(ref.sfreq))
        return _to_mne(X, y, trials, ref)


def _to_mne(X, y, trials, ref):
    import mne

    event_id = {lab: i + 1 for i, lab in enumerate(dict.fromkeys(y))}
    events = np.column_stack(
        [np.arange(len(X)) * X.shape[2], np.zeros(len(X), int), [event_id[lab] for lab in y]]
    ).astype(int)
    info = mne.create_info(list(ref.ch_names), ref.sfreq, ch_types="eeg")
    columns = {
        "subject": [t.subject for t in trials],
        "group": [t.group for t in trials],
        "condition": [t.condition for t in trials],
        "trial": [t.trial for t in trials],
        "err": [t.err for t in trials],
        "fname": [t.fname for t in trials],
    }
    import pandas as pd  # MNE keeps epoch metadata in a pandas DataFrame

    metadata = pd.DataFrame(columns)
    epochs = mne.EpochsArray(
        X, info, events=events, tmin=0.0, event_id=event_id, metadata=metadata, verbose="error"
    )
    epochs.set_montage("standard_1005", on_missing="ignore", verbose="error")
    return epochs


def read_uci_subject(folder: str | os.PathLike, **kwargs) -> UCIEpochs | mne.EpochsArray:
    """Read one subject's trials into an epochs array.

    Parameters
    ----------
    folder : path-like
        A subject folder (``.../co2a0000364``) holding its trial files.
    **kwargs
        ``conditions``, ``include_err``, ``on_bad``, ``n_times``,
        ``return_mne`` and ``verbose``, as in :func:`read_uci_epochs`.

    Returns
    -------
    epochs : UCIEpochs | mne.EpochsArray
        As :func:`read_uci_epochs` returns for this one subject (``groups``
        holds the subject's name throughout).
    """
    folder = Path(folder)
    if not folder.is_dir() or not _trial_files(folder):
        raise FileNotFoundError(
            f"{folder} is not a UCI subject folder: it holds no trial files (*.rd.NNN.gz). "
            "For a folder holding subject folders use read_uci_epochs."
        )
    return read_uci_epochs([folder], **kwargs)
