"""The alert store's schema and its forward migrations.

``MIGRATIONS[k](conn)`` takes a file from schema version ``k`` to ``k + 1``;
:class:`~models.alerts.store.AlertStore` runs the ones a file needs, in one
transaction, after a backup (see :mod:`models.alerts`).
"""

from __future__ import annotations

import datetime as _dt

APPLICATION_ID = 0x4E435541  # "NCUA": NeuCube alerts, in the SQLite header
"""The ``PRAGMA application_id`` that marks an SQLite file as an alert store."""


def utcnow() -> str:
    """Return the current UTC time as ISO 8601 text, to the millisecond."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")


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
        """CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
        BEGIN
            SELECT RAISE(ABORT,
                'audit rows in reviews are never updated: record a new review instead');
        END""",
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


MIGRATIONS = (_migrate_0_to_1, _migrate_1_to_2)
"""Schema migrations: ``MIGRATIONS[k](conn)`` takes version ``k`` to ``k + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes (``PRAGMA user_version``)."""


# --------------------------------------------------------------------------
# Small helpers
