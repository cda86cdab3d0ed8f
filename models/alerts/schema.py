"""The alert store's schema and its forward migrations.

``MIGRATIONS[k](conn)`` takes a file from schema version ``k`` to ``k + 1``;
:class:`~models.alerts.store.AlertStore` runs the ones a file needs, in one
transaction, after a backup (see :mod:`models.alerts`).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import sqlite3
from collections.abc import Sequence

from .records import INPUT_FIELDS

APPLICATION_ID = 0x4E435541  # "NCUA": NeuCube alerts, in the SQLite header
"""The ``PRAGMA application_id`` that marks an SQLite file as an alert store."""


def utcnow() -> str:
    """Return the current UTC time as ISO 8601 text, to the millisecond."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")


_REVIEWS_NO_UPDATE = """CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
        BEGIN
            SELECT RAISE(ABORT,
                'audit rows in reviews are never updated: record a new review instead');
        END"""


def _migrate_0_to_1(conn):
    """Version 1: the ``meta``, ``alerts`` and ``reviews`` tables and their rules."""
    statements = [
        """CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
        """CREATE TABLE alerts (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            recording     TEXT NOT NULL CHECK (length(recording) > 0),
            onset         REAL NOT NULL CHECK (onset >= 0),
            duration      REAL NOT NULL CHECK (duration >= 0),
            confidence    REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
            channels      TEXT NOT NULL DEFAULT '[]',
            model_id      TEXT NOT NULL CHECK (length(model_id) > 0),
            model_version TEXT NOT NULL DEFAULT '',
            threshold     REAL,
            created_at    TEXT NOT NULL,
            status        TEXT NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'confirmed', 'rejected')),
            reviewer      TEXT,
            reviewed_at   TEXT,
            note          TEXT NOT NULL DEFAULT '',
            CHECK ((status = 'pending' AND reviewer IS NULL AND reviewed_at IS NULL)
                   OR (status <> 'pending' AND length(trim(reviewer)) > 0
                       AND reviewed_at IS NOT NULL)),
            UNIQUE (recording, model_id, model_version, onset)
        )""",
        "CREATE INDEX alerts_status ON alerts (status)",
        """CREATE TABLE reviews (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id      INTEGER NOT NULL REFERENCES alerts (id) ON DELETE RESTRICT,
            action        TEXT NOT NULL CHECK (action IN ('review', 'revise')),
            status_before TEXT NOT NULL
                          CHECK (status_before IN ('pending', 'confirmed', 'rejected')),
            status_after  TEXT NOT NULL CHECK (status_after IN ('confirmed', 'rejected')),
            reviewer      TEXT NOT NULL CHECK (length(trim(reviewer)) > 0),
            note          TEXT NOT NULL DEFAULT '',
            at            TEXT NOT NULL
        )""",
        "CREATE INDEX reviews_alert ON reviews (alert_id)",
        _REVIEWS_NO_UPDATE,
        """CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
        BEGIN
            SELECT RAISE(ABORT, 'audit rows in reviews are never deleted');
        END""",
        """CREATE TRIGGER alerts_no_delete BEFORE DELETE ON alerts
        BEGIN
            SELECT RAISE(ABORT, 'alerts are never deleted: reject a false alarm instead');
        END""",
        """CREATE TRIGGER alerts_detection_fixed
        BEFORE UPDATE OF id, recording, onset, duration, confidence, channels, model_id,
                         model_version, threshold, created_at ON alerts
        BEGIN
            SELECT RAISE(ABORT, 'what the detector reported is never changed');
        END""",
        """CREATE TRIGGER alerts_review_audited
        BEFORE UPDATE OF status, reviewer, reviewed_at, note ON alerts
        WHEN NOT EXISTS (
            SELECT 1 FROM reviews AS r
            WHERE r.id = (SELECT max(id) FROM reviews WHERE alert_id = NEW.id)
              AND r.status_before = OLD.status AND r.status_after = NEW.status
              AND r.reviewer = NEW.reviewer AND r.at = NEW.reviewed_at AND r.note = NEW.note
        )
        BEGIN
            SELECT RAISE(ABORT, 'a review must be recorded in reviews before the alert changes');
        END""",
    ]
    for sql in statements:
        conn.execute(sql)
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("application", "neucube-eeg alert store"), ("created_at", utcnow())],
    )


def _migrate_1_to_2(conn):
    """Version 2: the recording's start and duration (for SzCORE export)."""
    conn.execute("ALTER TABLE alerts ADD COLUMN recording_start TEXT")
    conn.execute(
        "ALTER TABLE alerts ADD COLUMN recording_duration REAL "
        "CHECK (recording_duration IS NULL OR recording_duration > 0)"
    )
    conn.execute("CREATE INDEX alerts_recording ON alerts (recording, onset)")
    conn.execute(
        """CREATE TRIGGER alerts_recording_fixed
        BEFORE UPDATE OF recording_start, recording_duration ON alerts
        BEGIN
            SELECT RAISE(ABORT, 'what the detector reported is never changed');
        END"""
    )


#: The columns of what the detector reported, in the order an alert's hash reads them.
ALERT_HASHED = (*INPUT_FIELDS[:8], "created_at", *INPUT_FIELDS[8:])
#: The columns of an audit row, in the order its hash reads them.
REVIEW_HASHED = ("alert_id", "action", "status_before", "status_after", "reviewer", "note", "at")


def chain_hash(previous: str, values: Sequence, *extra: str) -> str:
    """Return a row's link in a hash chain: SHA-256 of the previous link and the row.

    Parameters
    ----------
    previous : str
        The previous row's hash (hex), ``''`` for the first row.
    values : sequence
        The row's values (text, numbers or None), in a fixed column order.
    *extra : str
        More text bound to the row (an audit row binds the hash of its alert).

    Returns
    -------
    digest : str
        64 hex digits.
    """
    text = json.dumps([previous, *values, *extra], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _relink(conn, table, columns, bind=None):
    """Write the hash chain of every row of ``table``, in id order."""
    previous, hashes = "", {}
    for row in conn.execute(f"SELECT id, {', '.join(columns)} FROM {table} ORDER BY id"):
        extra = () if bind is None else (bind[row[1]],)
        previous = hashes[row[0]] = chain_hash(previous, row[1:], *extra)
        conn.execute(f"UPDATE {table} SET hash = ? WHERE id = ?", (previous, row[0]))
    return hashes


def _migrate_2_to_3(conn):
    """Version 3: usable share, hash chains over alerts and reviews, and the runs of a model."""
    conn.execute(
        "ALTER TABLE alerts ADD COLUMN usable REAL "
        "CHECK (usable IS NULL OR (usable >= 0 AND usable <= 1))"
    )
    conn.execute("ALTER TABLE alerts ADD COLUMN hash TEXT")
    conn.execute("ALTER TABLE reviews ADD COLUMN hash TEXT")
    alert_hashes = _relink(conn, "alerts", ALERT_HASHED)
    conn.execute("DROP TRIGGER reviews_no_update")  # audit rows get their hash once, here
    _relink(conn, "reviews", REVIEW_HASHED, bind=alert_hashes)
    conn.execute(_REVIEWS_NO_UPDATE)
    for sql in (
        """CREATE TRIGGER alerts_usable_fixed BEFORE UPDATE OF usable, hash ON alerts
        BEGIN
            SELECT RAISE(ABORT, 'what the detector reported is never changed');
        END""",
        """CREATE TRIGGER alerts_hashed BEFORE INSERT ON alerts
        WHEN NEW.hash IS NULL OR length(NEW.hash) <> 64
        BEGIN
            SELECT RAISE(ABORT, 'an alert is stored with its hash (AlertStore.add_alerts)');
        END""",
        """CREATE TRIGGER reviews_hashed BEFORE INSERT ON reviews
        WHEN NEW.hash IS NULL OR length(NEW.hash) <> 64
        BEGIN
            SELECT RAISE(ABORT, 'an audit row is stored with its hash (AlertStore.review)');
        END""",
        """CREATE TABLE runs (
            id            INTEGER PRIMARY KEY AUTOINCREMENT,
            recording     TEXT NOT NULL CHECK (length(recording) > 0),
            model_id      TEXT NOT NULL CHECK (length(model_id) > 0),
            model_version TEXT NOT NULL DEFAULT '',
            duration      REAL CHECK (duration IS NULL OR duration >= 0),
            usable        REAL CHECK (usable IS NULL OR (usable >= 0 AND usable <= 1)),
            threshold     REAL,
            n_alerts      INTEGER NOT NULL CHECK (n_alerts >= 0),
            finished_at   TEXT NOT NULL,
            UNIQUE (recording, model_id, model_version)
        )""",
        """CREATE TRIGGER runs_fixed BEFORE UPDATE ON runs
        BEGIN
            SELECT RAISE(ABORT, 'the record of a run is never changed');
        END""",
        """CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs
        BEGIN
            SELECT RAISE(ABORT, 'the record of a run is never deleted');
        END""",
    ):
        conn.execute(sql)


#: The columns of an extent row, in the order its hash reads them.
EXTENT_HASHED = ("alert_id", "state", "duration", "confidence", "channels", "usable", "at")


def _migrate_3_to_4(conn):
    """Version 4: the extent of an alert's event, recorded as it grows and when it closes.

    An alert row keeps what was known when it was raised; an ``extents`` row
    records the event's extent later (``'ongoing'`` while it grows,
    ``'closed'`` once final). The ``alerts_now`` view gives each alert at
    its newest extent.
    """
    for sql in (
        """CREATE TABLE extents (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id   INTEGER NOT NULL REFERENCES alerts (id) ON DELETE RESTRICT,
            state      TEXT NOT NULL CHECK (state IN ('ongoing', 'closed')),
            duration   REAL NOT NULL CHECK (duration >= 0),
            confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
            channels   TEXT NOT NULL DEFAULT '[]',
            usable     REAL CHECK (usable IS NULL OR (usable >= 0 AND usable <= 1)),
            at         TEXT NOT NULL,
            hash       TEXT
        )""",
        "CREATE INDEX extents_alert ON extents (alert_id, id)",
        """CREATE TRIGGER extents_no_update BEFORE UPDATE ON extents
        BEGIN
            SELECT RAISE(ABORT,
                'recorded extents are never updated: record the new extent instead');
        END""",
        """CREATE TRIGGER extents_no_delete BEFORE DELETE ON extents
        BEGIN
            SELECT RAISE(ABORT, 'recorded extents are never deleted');
        END""",
        """CREATE TRIGGER extents_hashed BEFORE INSERT ON extents
        WHEN NEW.hash IS NULL OR length(NEW.hash) <> 64
        BEGIN
            SELECT RAISE(ABORT, 'an extent is stored with its hash (AlertStore.record_extent)');
        END""",
        """CREATE TRIGGER extents_final BEFORE INSERT ON extents
        WHEN EXISTS (SELECT 1 FROM extents WHERE alert_id = NEW.alert_id AND state = 'closed')
        BEGIN
            SELECT RAISE(ABORT, 'the alert is closed: its extent is final');
        END""",
        """CREATE TRIGGER extents_grow BEFORE INSERT ON extents
        WHEN NEW.duration < (SELECT duration FROM alerts WHERE id = NEW.alert_id)
            OR NEW.duration < (SELECT max(duration) FROM extents WHERE alert_id = NEW.alert_id)
        BEGIN
            SELECT RAISE(ABORT, 'an event only grows: its extent is never shorter than before');
        END""",
        """CREATE VIEW alerts_now AS
        SELECT a.id, a.recording, a.onset,
               coalesce(e.duration, a.duration) AS duration,
               CASE WHEN e.id IS NULL THEN a.confidence ELSE e.confidence END AS confidence,
               coalesce(e.channels, a.channels) AS channels,
               a.model_id, a.model_version, a.threshold, a.created_at, a.status,
               a.reviewer, a.reviewed_at, a.note, a.recording_start, a.recording_duration,
               CASE WHEN e.id IS NULL THEN a.usable ELSE e.usable END AS usable,
               coalesce(e.state = 'ongoing', 0) AS ongoing,
               a.duration AS raised_duration,
               e.at AS extent_at
        FROM alerts AS a
        LEFT JOIN extents AS e
               ON e.id = (SELECT max(id) FROM extents WHERE alert_id = a.id)""",
    ):
        conn.execute(sql)


MIGRATIONS = (_migrate_0_to_1, _migrate_1_to_2, _migrate_2_to_3, _migrate_3_to_4)
"""Schema migrations: ``MIGRATIONS[k](conn)`` takes version ``k`` to ``k + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes (``PRAGMA user_version``)."""


@functools.cache
def expected_schema(version: int = SCHEMA_VERSION) -> dict:
    """Return what ``sqlite_master`` holds in an intact store of a schema version.

    Parameters
    ----------
    version : int
        The schema version, 1 to :data:`SCHEMA_VERSION`.

    Returns
    -------
    schema : dict
        ``(type, name) -> SQL`` (whitespace collapsed) of every table, index
        and trigger, as the migrations make them on an empty database.
    """
    conn = sqlite3.connect(":memory:")
    try:
        for step in MIGRATIONS[:version]:
            step(conn)
        return read_schema(conn)
    finally:
        conn.close()


def read_schema(conn: sqlite3.Connection) -> dict:
    """Return the tables, indexes and triggers of a database (see :func:`expected_schema`)."""
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index', 'trigger', "
        "'view')"
    )
    return {(kind, name): " ".join((sql or "").split()) for kind, name, sql in rows}


def schema_differences(found: dict, version: int) -> list[str]:
    """Say how a database's schema differs from an intact store's.

    Parameters
    ----------
    found : dict
        :func:`read_schema` of the file.
    version : int
        Its schema version.

    Returns
    -------
    problems : list of str
        One line per missing, changed or unexpected table, index or trigger;
        empty for an intact schema.
    """
    expected = expected_schema(version)
    problems = []
    for key in sorted(set(expected) | set(found)):
        kind, name = key
        if key not in found:
            problems.append(f"{kind} {name} is missing")
        elif key not in expected:
            problems.append(f"{kind} {name} is not part of an alert store")
        elif found[key] != expected[key]:
            problems.append(f"{kind} {name} was changed")
    return problems
