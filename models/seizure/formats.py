"""Seizure events in and out: MNE annotations, EDF+, BIDS, SzCORE and CSV files.

One pair of entry points, :func:`write_events` and :func:`read_events`,
handles every format; :func:`write_edf_annotations` writes annotations alone
as an EDF+ file (no signals), to import next to a recording;
:func:`events_to_annotations` (and
:func:`models.seizure.events.events_from_annotations` back) converts to and from
:class:`mne.Annotations` in memory.

Formats (``fmt``):

``'mne'``
    MNE's annotations file (``*-annot.fif`` / ``*_annot.fif``). Keeps
    everything: onset, duration, description, the channels (in order) in the
    annotations' ``ch_names``, the confidence and label in their ``extras``.
``'edf'``
    The recording itself, exported as EDF+ by :func:`mne.export.export_raw`
    (through ``edfio``) with the events added to its annotations. EDF+ keeps
    onset, duration, description and channels (MNE writes a channel-specific
    annotation once per channel, ``'seizure@@Fp1-F7'``, and reads them back
    as one with the channels sorted); the confidence and label are lost.
``'bids'``
    A BIDS ``events.tsv``: columns ``onset``, ``duration``, ``trial_type``
    (the description, ``'seizure'``), ``confidence`` and ``channels``
    (comma-separated), tab-separated, ``n/a`` for a missing value.
    ``confidence`` and ``channels`` are additional columns in BIDS terms;
    describe them in the ``events.json`` sidecar when you publish a dataset.
``'szcore'``
    SzCORE's (HED-SCORE) annotation TSV, columns exactly ``onset, duration,
    eventType, confidence, channels, dateTime, recordingDuration``. The
    event type is the event's label (``'sz'``); a recording without seizures
    gets one ``bckg`` row spanning it. ``dateTime`` is the recording start
    (``'YYYY-MM-DD HH:MM:SS'``, ``n/a`` when unknown).
``'csv'``
    Plain comma-separated values, one row per event: ``onset, duration,
    label, confidence, channels`` (channels comma-separated, quoted).

The format follows from the file name when it is unambiguous (``.edf``,
``.csv``, ``.fif``); ``.tsv`` needs ``fmt='bids'`` or ``fmt='szcore'`` to
write, and is recognized from its header when read.

Times are seconds from the first sample of the recording throughout.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import io
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import logger
from .._checks import check_number as _check_number
from .._files import write_atomic
from .events import SEIZURE_LABEL, SeizureEvent, _as_events, events_from_annotations

if TYPE_CHECKING:
    import mne

#: The formats :func:`write_events` and :func:`read_events` know.
FORMATS = ("mne", "edf", "bids", "szcore", "csv")

#: Columns of SzCORE's annotation TSV, in order.
SZCORE_COLUMNS = (
    "onset",
    "duration",
    "eventType",
    "confidence",
    "channels",
    "dateTime",
    "recordingDuration",
)
#: Columns written to a BIDS events.tsv, in order.
BIDS_COLUMNS = ("onset", "duration", "trial_type", "confidence", "channels")
#: Columns of the plain CSV, in order.
CSV_COLUMNS = ("onset", "duration", "label", "confidence", "channels")

_NA = "n/a"
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_MNE_SUFFIXES = ("-annot.fif", "_annot.fif", "-annot.fif.gz", "_annot.fif.gz")


# -- helpers -------------------------------------------------------------------


def _num(value):
    """Write a float as short text that reads back exactly to the microsecond."""
    return np.format_float_positional(round(float(value), 6), trim="0")


def _na(text):
    return text is None or text.strip().lower() in ("n/a", "", "nan")


def _check_fmt(fmt, fname, *, writing):
    """Return the format to use for ``fname`` (None: from its name) or raise."""
    if fmt is not None:
        if not isinstance(fmt, str) or fmt.lower() not in FORMATS:
            raise ValueError(
                f"fmt must be one of {list(FORMATS)} or None (from the file name), got {fmt!r}."
            )
        return fmt.lower()
    name = Path(fname).name.lower()
    if name.endswith(".edf"):
        return "edf"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".fif", ".fif.gz")):
        return "mne"
    if name.endswith(".tsv"):
        if writing:
            raise ValueError(
                f"Cannot tell the format of {str(fname)!r} from its name: a .tsv file can be "
                f"a BIDS events.tsv or an SzCORE annotation file. Pass fmt='bids' or "
                f"fmt='szcore'."
            )
        return None  # sniffed from the header
    raise ValueError(
        f"Cannot tell the format of {str(fname)!r} from its extension. Pass fmt= one of "
        f"{list(FORMATS)} (extensions: .edf, .csv, -annot.fif, .tsv)."
    )


def _check_raw(raw):
    import mne

    if not isinstance(raw, mne.io.BaseRaw):
        raise TypeError(
            f"raw must be an mne.io.Raw (read one with acquisition.read_raw), got "
            f"{type(raw).__name__}."
        )
    return raw


def _check_meas_date(meas_date):
    """``meas_date`` as a datetime (or None) or raise."""
    if meas_date is None or isinstance(meas_date, _dt.datetime):
        return meas_date
    if isinstance(meas_date, str):
        try:
            return _dt.datetime.fromisoformat(meas_date.strip())
        except ValueError:
            pass
    raise ValueError(
        f"meas_date must be a datetime.datetime (the recording start, e.g. "
        f"raw.info['meas_date']), a '{_DATE_FORMAT}' string or None, got {meas_date!r}."
    )


def _format_date(meas_date):
    if meas_date is None:
        return _NA
    if meas_date.tzinfo is not None:
        meas_date = meas_date.astimezone(_dt.UTC)
    return meas_date.strftime(_DATE_FORMAT)


def _parse_date(text, fname, row):
    if _na(text):
        return None
    try:
        date = _dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{str(fname)!r}, row {row}: dateTime {text!r} is not a date in the format "
            f"'{_DATE_FORMAT}' (or 'n/a')."
        ) from None
    # MNE's convention: the recording start in UTC.
    return date.replace(tzinfo=_dt.UTC) if date.tzinfo is None else date


def _channels_text(channels):
    for ch in channels:
        if "," in ch or "\t" in ch:
            raise ValueError(
                f"Channel name {ch!r} holds a comma or a tab, which the channels column "
                f"uses as separator; rename the channel."
            )
    return ",".join(channels) if channels else _NA


def _parse_channels(text):
    if _na(text) or text.strip().lower() == "all":
        return ()
    return tuple(ch.strip() for ch in text.split(",") if ch.strip())


def _parse_float(text, fname, row, column, *, allow_na=False):
    if _na(text):
        if allow_na:
            return None
        raise ValueError(
            f"{str(fname)!r}, row {row}: column {column!r} is {text!r}; it must be a number "
            f"of seconds."
        )
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{str(fname)!r}, row {row}: column {column!r} holds {text!r}, not a number."
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{str(fname)!r}, row {row}: column {column!r} is {text!r}, not finite.")
    return value


def _confidence_cell(row, fname, i):
    """Return the row's confidence: None for n/a, 1.0 when the file has no such column."""
    if "confidence" not in row:
        return 1.0
    return _parse_float(row["confidence"], fname, i, "confidence", allow_na=True)


def _event(fname, row, onset, duration, **kwargs):
    """Make a SeizureEvent from a file row; errors name the file and the row."""
    if duration is not None and duration < 0:
        raise ValueError(
            f"{str(fname)!r}, row {row}: column 'duration' is {duration:g}, negative. A "
            f"duration is the event's length in seconds (>= 0); fix the file."
        )
    try:
        return SeizureEvent(onset, duration, **kwargs)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{str(fname)!r}, row {row}: {exc}") from None


def _read_table(fname, delimiter):
    """Header (stripped) and rows (lists of stripped cells) of a text table."""
    with open(fname, newline="", encoding="utf-8") as fid:
        text = fid.read()
    # TSV cells are literal (BIDS and SzCORE do not quote); CSV follows RFC 4180.
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=quoting)
    lines = [row for row in reader if any(cell.strip() for cell in row)]
    if not lines:
        raise ValueError(f"{str(fname)!r} is empty: expected a header row naming the columns.")
    header = [cell.strip() for cell in lines[0]]
    rows = []
    for i, row in enumerate(lines[1:], start=2):
        cells = [cell.strip() for cell in row]
        if len(cells) != len(header):
            raise ValueError(
                f"{str(fname)!r}, row {i}: {len(cells)} values for {len(header)} columns "
                f"({', '.join(header)}). Is it {'tab' if delimiter == chr(9) else 'comma'}-separated?"
            )
        rows.append((i, dict(zip(header, cells))))
    return header, rows


def _require_columns(fname, header, required, fmt_name):
    missing = [c for c in required if c not in header]
    if missing:
        raise ValueError(
            f"{str(fname)!r} lacks the column(s) {missing} required in {fmt_name}; its "
            f"columns are {header}. The header row must name at least {list(required)}."
        )


# -- MNE annotations -------------------------------------------------------------


def events_to_annotations(
    events: Iterable[SeizureEvent | tuple[float, float]],
    *,
    description: str = "seizure",
    orig_time: _dt.datetime | None = None,
) -> mne.Annotations:
    """Turn events into MNE annotations.

    Parameters
    ----------
    events : list of SeizureEvent
        The events; (onset, duration) pairs are accepted too.
    description : str
        Description of every annotation.
    orig_time : datetime.datetime | None
        ``orig_time`` of the annotations. With None (default) MNE aligns the
        onsets to the first sample of the recording they are set on, which
        is the convention of the events.

    Returns
    -------
    annotations : mne.Annotations
        One annotation per event, channels in ``ch_names``; ``extras`` hold
        ``'confidence'`` (None when unknown) and ``'label'``.
    """
    import mne

    events = _as_events(events)
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"description must be a non-empty str, got {description!r}.")
    extras = [{"confidence": ev.confidence, "label": ev.label} for ev in events]
    return mne.Annotations(
        onset=[ev.onset for ev in events],
        duration=[ev.duration for ev in events],
        description=[description] * len(events),
        orig_time=orig_time,
        ch_names=[ev.channels for ev in events],
        extras=extras,
    )


# -- writers ------------------------------------------------------------------------


def _write_mne(fname, events, description, meas_date, overwrite):
    if not Path(fname).name.lower().endswith(_MNE_SUFFIXES):
        raise ValueError(
            f"An MNE annotations file must be named *-annot.fif or *_annot.fif, got "
            f"{str(fname)!r}. Rename it, or pass another fmt."
        )
    annotations = events_to_annotations(events, description=description, orig_time=meas_date)
    annotations.save(fname, overwrite=overwrite, verbose="error")


def _write_edf(fname, events, raw, description, overwrite):
    import mne

    if raw is None:
        raise ValueError(
            f"Writing {str(fname)!r} as EDF+ needs the recording: pass raw= the mne.io.Raw "
            f"the events belong to (EDF+ stores the signals with the annotations)."
        )
    _check_raw(raw)
    duration = raw.n_times / raw.info["sfreq"]
    late = [ev for ev in events if ev.end > duration + 1.0 / raw.info["sfreq"]]
    if late:
        logger.warning(
            "%d event(s) end after the recording (%.3f s), first %.3f-%.3f s; written as they are.",
            len(late),
            duration,
            late[0].onset,
            late[0].end,
        )
    raw = raw.copy()
    raw.annotations.append(
        [ev.onset + raw.first_time for ev in events],
        [ev.duration for ev in events],
        [description] * len(events),
        ch_names=[ev.channels for ev in events],
    )
    mne.export.export_raw(fname, raw, fmt="edf", overwrite=overwrite, verbose="error")


def _edf_text(text, k):
    """Return an annotation's text as EDF+ holds it: without control characters.

    The bytes that separate an EDF+ annotation's fields (0x00, 0x14, 0x15)
    are control characters, and so is a newline in a note, which EDF viewers
    would show as a box: each becomes a space.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"annotations[{k}]: the text must be a non-empty str, got {text!r}.")
    return "".join(c if c.isprintable() else " " for c in text).strip()


def write_edf_annotations(
    fname: str | os.PathLike,
    annotations: Iterable[tuple[float, float, str]],
    *,
    meas_date: _dt.datetime | str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write annotations alone as an EDF+ file (one "EDF Annotations" signal).

    EDFbrowser and other EDF+ readers import such a file next to the
    recording (in EDFbrowser: *Tools > Import annotations/events*, EDF+).
    Written with ``edfio``: an EDF+C file without signals, one data record
    of duration 0, whose start date and time are the recording's, so that an
    annotation's onset is seconds from the recording's first sample there
    too. :func:`mne.read_annotations` and :func:`edfio.read_edf` read it.

    Parameters
    ----------
    fname : path-like
        The ``.edf`` file to write (through a temporary file in its folder
        and an atomic rename).
    annotations : iterable of (float, float, str)
        ``(onset, duration, text)``: seconds from the recording's first
        sample (>= 0), seconds (>= 0) and the annotation's text (UTF-8; the
        characters that separate EDF+ fields and other control characters
        become spaces). Times are written to the microsecond.
    meas_date : datetime.datetime | str | None
        Start of the recording (``raw.info['meas_date']`` or an ISO 8601
        string). An aware datetime is written in UTC, MNE's reading of an EDF
        header; a naive one as it is; fractions of a second are kept (EDF+'s
        sub-second start). None writes the anonymous date ``X`` and 00:00:00,
        with a warning: the file then lines up with the recording only by its
        first sample.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    fname : pathlib.Path
        The file written.

    Raises
    ------
    FileExistsError
        If ``fname`` exists and ``overwrite`` is False.
    ValueError
        If there is no annotation (EDF+ holds no empty annotation file), or an
        onset, duration or text is invalid (naming the annotation).
    """
    import tempfile

    import edfio

    path = Path(os.fspath(fname)).expanduser()
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} exists. Pass overwrite=True to replace it.")
    rows = []
    for k, item in enumerate(annotations):
        try:
            onset, duration, text = item
        except (TypeError, ValueError):
            raise TypeError(
                f"annotations[{k}] must be an (onset, duration, text) triple, got {item!r}."
            ) from None
        onset = _check_number(onset, f"onset of annotations[{k}]", minimum=0.0)
        duration = _check_number(duration, f"duration of annotations[{k}]", minimum=0.0)
        rows.append(edfio.EdfAnnotation(round(onset, 6), round(duration, 6), _edf_text(text, k)))
    if not rows:
        raise ValueError(
            f"No annotation to write to {str(path)!r}: an EDF+ annotation file holds at least "
            "one. Choose alerts of other statuses, or review some first."
        )
    start = _check_meas_date(meas_date)
    if start is not None and start.tzinfo is not None:
        start = start.astimezone(_dt.UTC).replace(tzinfo=None)
    if start is None:
        logger.warning(
            "%s: the recording's start is unknown; written with the anonymous date X and 00:00:00.",
            path,
        )
    edf = edfio.Edf(
        [],
        annotations=sorted(rows, key=lambda a: (a.onset, a.duration)),
        recording=edfio.Recording(startdate=None if start is None else start.date()),
        starttime=None if start is None else start.time(),
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fid:
            edf.write(fid)
            fid.flush()
            os.fsync(fid.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    logger.info("Wrote %d EDF+ annotation(s) to %s.", len(rows), path)
    return path


def _table_text(header, rows, delimiter):
    if delimiter == ",":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()
    return "".join("\t".join(row) + "\n" for row in [header, *rows])


def szcore_text(
    events: Iterable[SeizureEvent],
    *,
    recording_duration: float | None,
    meas_date: _dt.datetime | str | None = None,
) -> str:
    """Return events as the text of an SzCORE annotation file.

    Parameters
    ----------
    events : list of SeizureEvent
        One recording's events, sorted by onset.
    recording_duration : float | None
        Length of the recording in seconds; None writes ``n/a`` (and no
        ``bckg`` row when there is no event).
    meas_date : datetime.datetime | str | None
        Start of the recording (the ``dateTime`` column).

    Returns
    -------
    text : str
        Header and one row per event; one ``bckg`` row spanning the recording
        when there is none.
    """
    events = _as_events(events)
    recording_duration = _check_number(
        recording_duration, "recording_duration", minimum=0.0, allow_none=True
    )
    date = _format_date(_check_meas_date(meas_date))
    total = _NA if recording_duration is None else _num(recording_duration)
    rows = [
        [
            _num(ev.onset),
            _num(ev.duration),
            ev.label,
            _confidence_text(ev),
            _channels_text(ev.channels),
            date,
            total,
        ]
        for ev in events
    ]
    if not rows and recording_duration is not None:
        rows = [["0.0", total, "bckg", _NA, _NA, date, total]]
    return _table_text(SZCORE_COLUMNS, rows, "\t")


def _confidence_text(ev):
    return _NA if ev.confidence is None else _num(ev.confidence)


def write_events(
    fname: str | os.PathLike,
    events: Iterable[SeizureEvent | tuple[float, float]],
    *,
    fmt: str | None = None,
    recording_duration: float | None = None,
    meas_date: _dt.datetime | None = None,
    raw: mne.io.BaseRaw | None = None,
    description: str = "seizure",
    overwrite: bool = False,
) -> Path:
    """Write seizure events to a file.

    Parameters
    ----------
    fname : str | pathlib.Path
        The file to write.
    events : list of SeizureEvent
        The events; (onset, duration) pairs are accepted too.
    fmt : str | None
        One of ``'mne'``, ``'edf'``, ``'bids'``, ``'szcore'``, ``'csv'``
        (see :mod:`models.seizure.formats`); None takes it from the extension
        (``.edf``, ``.csv``, ``-annot.fif``); a ``.tsv`` needs ``fmt``.
    recording_duration : float | None
        Length of the recording in seconds; required for ``'szcore'`` (its
        ``recordingDuration`` column and the ``bckg`` row) unless ``raw`` is
        given.
    meas_date : datetime.datetime | None
        Start of the recording (``'szcore'``'s ``dateTime``, ``'mne'``'s
        ``orig_time``); taken from ``raw`` when None and ``raw`` is given.
        An aware datetime is written in UTC, MNE's convention (an EDF
        header's clock time).
    raw : mne.io.Raw | None
        The recording the events belong to; required for ``'edf'``. Its
        annotations are kept and the events added under ``description``.
    description : str
        Annotation description (``'mne'``, ``'edf'``) or ``trial_type``
        (``'bids'``) of the events.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    fname : pathlib.Path
        The file written.
    """
    path = Path(fname)
    fmt = _check_fmt(fmt, path, writing=True)
    events = _as_events(events)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} exists. Pass overwrite=True to replace it.")
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"description must be a non-empty str, got {description!r}.")
    if raw is not None:
        _check_raw(raw)
        if recording_duration is None:
            recording_duration = raw.n_times / raw.info["sfreq"]
        if meas_date is None:
            meas_date = raw.info["meas_date"]
    recording_duration = _check_number(
        recording_duration, "recording_duration", minimum=0.0, allow_none=True
    )
    meas_date = _check_meas_date(meas_date)

    if fmt == "mne":
        _write_mne(path, events, description, meas_date, overwrite)
    elif fmt == "edf":
        _write_edf(path, events, raw, description, overwrite)
    elif fmt == "bids":
        rows = [
            [
                _num(ev.onset),
                _num(ev.duration),
                description,
                _confidence_text(ev),
                _channels_text(ev.channels),
            ]
            for ev in events
        ]
        write_atomic(path, _table_text(BIDS_COLUMNS, rows, "\t"))
    elif fmt == "szcore":
        if recording_duration is None:
            raise ValueError(
                f"Writing {str(path)!r} in SzCORE's format needs recording_duration= the "
                f"length of the recording in seconds (its recordingDuration column), or raw=."
            )
        write_atomic(
            path, szcore_text(events, recording_duration=recording_duration, meas_date=meas_date)
        )
    else:  # csv
        rows = [
            [
                _num(ev.onset),
                _num(ev.duration),
                ev.label,
                _confidence_text(ev),
                ",".join(ev.channels),
            ]
            for ev in events
        ]
        write_atomic(path, _table_text(CSV_COLUMNS, rows, ","))
    logger.info("Wrote %d event(s) to %s (%s).", len(events), path, fmt)
    return path


# -- readers --------------------------------------------------------------------------


def _read_szcore(fname):
    header, rows = _read_table(fname, "\t")
    _require_columns(fname, header, ("onset", "duration", "eventType"), "an SzCORE annotation file")
    events, meta = [], {"recording_duration": None, "meas_date": None}
    for i, row in rows:
        if "recordingDuration" in row and meta["recording_duration"] is None:
            meta["recording_duration"] = _parse_float(
                row["recordingDuration"], fname, i, "recordingDuration", allow_na=True
            )
        if "dateTime" in row and meta["meas_date"] is None:
            meta["meas_date"] = _parse_date(row["dateTime"], fname, i)
        kind = row["eventType"]
        if not kind.lower().startswith("sz"):
            if kind.lower() != "bckg":
                logger.debug("%s, row %d: event type %r is not a seizure; skipped.", fname, i, kind)
            continue
        conf = _confidence_cell(row, fname, i)
        events.append(
            _event(
                fname,
                i,
                _parse_float(row["onset"], fname, i, "onset"),
                _parse_float(row["duration"], fname, i, "duration"),
                confidence=conf,
                channels=_parse_channels(row.get("channels", _NA)),
                label=kind,
            )
        )
    return events, meta


def _read_bids(fname, description):
    header, rows = _read_table(fname, "\t")
    _require_columns(fname, header, ("onset", "duration"), "a BIDS events.tsv")
    wanted = description.strip().lower()
    ch_col = "channels" if "channels" in header else ("channel" if "channel" in header else None)
    events = []
    for i, row in rows:
        if "trial_type" in row and row["trial_type"].strip().lower() != wanted:
            continue
        duration = _parse_float(row["duration"], fname, i, "duration", allow_na=True)
        if duration is None:
            logger.warning("%s, row %d: duration is n/a; read as 0 s.", fname, i)
            duration = 0.0
        conf = _confidence_cell(row, fname, i)
        events.append(
            _event(
                fname,
                i,
                _parse_float(row["onset"], fname, i, "onset"),
                duration,
                confidence=conf,
                channels=_parse_channels(row[ch_col]) if ch_col else (),
            )
        )
    if "trial_type" in header and not events and rows:
        logger.info(
            "%s: no row with trial_type %r (trial types: %s).",
            fname,
            description,
            sorted({r["trial_type"] for _, r in rows}),
        )
    return events


def _read_csv(fname):
    header, rows = _read_table(fname, ",")
    _require_columns(fname, header, ("onset", "duration"), "an events CSV")
    events = []
    for i, row in rows:
        conf = _confidence_cell(row, fname, i)
        label = row.get("label") or SEIZURE_LABEL
        events.append(
            _event(
                fname,
                i,
                _parse_float(row["onset"], fname, i, "onset"),
                _parse_float(row["duration"], fname, i, "duration"),
                confidence=conf,
                channels=_parse_channels(row.get("channels", "")),
                label=label,
            )
        )
    return events


def _sniff_tsv(fname):
    with open(fname, encoding="utf-8") as fid:
        first = fid.readline()
    columns = [c.strip() for c in first.split("\t")]
    return "szcore" if "eventType" in columns else "bids"


def read_events(
    fname: str | os.PathLike,
    fmt: str | None = None,
    *,
    description: str = "seizure",
    return_meta: bool = False,
) -> list[SeizureEvent] | tuple[list[SeizureEvent], dict]:
    """Read seizure events from a file.

    Parameters
    ----------
    fname : str | pathlib.Path
        The file: an MNE annotations file (``-annot.fif``), an EDF/EDF+
        recording, a BIDS ``events.tsv``, an SzCORE annotation TSV or a CSV
        written by :func:`write_events`.
    fmt : str | None
        One of ``'mne'``, ``'edf'``, ``'bids'``, ``'szcore'``, ``'csv'``;
        None takes it from the extension, and tells a ``.tsv`` apart by its
        header (an ``eventType`` column means SzCORE).
    description : str
        The annotation description (``'mne'``, ``'edf'``) or ``trial_type``
        (``'bids'``) that marks a seizure, compared whole and
        case-insensitively. A BIDS file without ``trial_type`` has all its
        rows read. SzCORE rows are seizures when their ``eventType`` starts
        with ``sz``; ``bckg`` rows are not events.
    return_meta : bool
        Also return what the file says about the recording.

    Returns
    -------
    events : list of SeizureEvent
        Sorted by onset.
    meta : dict
        Only if ``return_meta``: ``'fmt'``, ``'recording_duration'`` (seconds
        or None) and ``'meas_date'`` (datetime in UTC, or None).

    Raises
    ------
    FileNotFoundError
        If ``fname`` does not exist.
    ValueError
        If the format is unknown, a required column is missing or a value is
        malformed (naming the file, row and column), or a duration is
        negative.
    """
    path = Path(fname)
    fmt = _check_fmt(fmt, path, writing=False)
    if not path.is_file():
        raise FileNotFoundError(f"No events file {str(path)!r}: check the path.")
    if fmt is None:
        fmt = _sniff_tsv(path)
    meta = {"fmt": fmt, "recording_duration": None, "meas_date": None}
    if fmt == "mne":
        import mne

        annotations = mne.read_annotations(path)
        events = events_from_annotations(annotations, description)
        meta["meas_date"] = annotations.orig_time
    elif fmt == "edf":
        from acquisition import read_raw

        raw = read_raw(path, preload=False, verbose="warning")
        events = events_from_annotations(raw, description)
        meta["recording_duration"] = raw.n_times / raw.info["sfreq"]
        meta["meas_date"] = raw.info["meas_date"]
    elif fmt == "bids":
        events = _read_bids(path, description)
    elif fmt == "szcore":
        events, file_meta = _read_szcore(path)
        meta.update(file_meta)
    else:
        events = _read_csv(path)
    events = sorted(events, key=lambda ev: (ev.onset, ev.end))
    logger.info("Read %d event(s) from %s (%s).", len(events), path, fmt)
    return (events, meta) if return_meta else events
