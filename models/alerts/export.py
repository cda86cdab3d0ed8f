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

EXPORT_FORMATS = ("csv", "szcore")
_EEG_SUFFIXES = (".edf", ".bdf", ".fif", ".vhdr", ".set", ".gdf", ".cnt", ".mff")


def format_csv(alerts: Iterable[Alert]) -> str:
    """Return alerts as CSV text: one row per alert, every column of the ``alerts`` table."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for alert in alerts:
        row = alert.to_dict()
        row["channels"] = ",".join(alert.channels)
        writer.writerow(["" if row[c] is None else row[c] for c in _COLUMNS])
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
