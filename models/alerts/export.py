"""Alerts out of the store: CSV tables and SzCORE annotation files."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import PurePath

from ..seizure.formats import szcore_text
from .records import COLUMNS as _COLUMNS
from .records import Alert

EXPORT_FORMATS = ("csv", "szcore", "edf")
_EEG_SUFFIXES = (".edf", ".bdf", ".fif", ".vhdr", ".set", ".gdf", ".cnt", ".mff")


#: First characters that make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Return text that a spreadsheet shows as text, never runs as a formula.

    A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading ``'``, which spreadsheets show as text (the usual
    defence against CSV formula injection); other text is returned unchanged.

    Parameters
    ----------
    text : str
        A cell's text (a reviewer's name or note, a recording's name).

    Returns
    -------
    text : str
        The cell as written to the CSV file.
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def terminal_safe(text: str) -> str:
    r"""Return text with its control characters shown as escapes (``\x1b``), for a terminal.

    Stored text is kept as it was typed; only its display is escaped, so that a
    note cannot move the cursor, clear the screen or fake other lines.

    Parameters
    ----------
    text : str
        What to print.

    Returns
    -------
    text : str
        Printable text: control characters (but none of the printable ones)
        replaced by their ``\xNN`` / ``\uNNNN`` escape.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _cell(value):
    """Return a CSV cell: empty for None, text made spreadsheet-safe, numbers as they are."""
    if value is None:
        return ""
    return spreadsheet_safe(value) if isinstance(value, str) else value


def format_csv(alerts: Iterable[Alert]) -> str:
    """Return alerts as CSV text: one row per alert, every column of the ``alerts`` table.

    Text cells are made spreadsheet-safe (:func:`spreadsheet_safe`); numbers
    are written as they are.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for alert in alerts:
        row = alert.to_dict()
        row["channels"] = ",".join(alert.channels)
        writer.writerow([_cell(row[c]) for c in _COLUMNS])
    return out.getvalue()


def format_szcore(alerts: list[Alert], start: str | None, recording_duration: float | None) -> str:
    """Return one recording's alerts as SzCORE annotation text.

    Parameters
    ----------
    alerts : list of Alert
        The recording's alerts, each an ``sz`` event.
    start : str | None
        Start of the recording, ISO 8601 (``dateTime``; ``n/a`` when None).
    recording_duration : float | None
        Its length in seconds (``recordingDuration``; ``n/a`` when None, and
        then no ``bckg`` row for a recording without alerts).

    Returns
    -------
    text : str
        The file's content, written by the same code as
        :func:`models.seizure.formats.write_events`.
    """
    return szcore_text(
        [a.event for a in alerts], recording_duration=recording_duration, meas_date=start
    )


def file_stem(recording: str) -> str:
    """Return a file-name-safe stem of a recording identifier (no folder, no EEG extension)."""
    name = PurePath(recording.replace("\\", "/")).name or recording
    for suffix in _EEG_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "recording"
