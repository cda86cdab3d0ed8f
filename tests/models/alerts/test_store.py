"""The alert store: schema rules, reviews and their audit trail, migrations,
export, the ``neucube alerts`` command, and two writers and a crash with real
processes on real SQLite files."""

import argparse
import csv
import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from models.alerts import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    AlertStore,
    AlertStoreError,
    UnknownAlertError,
    default_db_path,
)
from models.alerts import records as records_mod
from models.alerts import store as alerts_mod
from models.cli.alerts import add_parser
from models.seizure.formats import szcore_text

ROOT = Path(__file__).resolve().parents[3]
CHILD = Path(__file__).with_name("_alerts_child.py")


def _alert(**kw):
    values = dict(
        recording="chb01_03.edf",
        onset=2996.0,
        duration=40.0,
        confidence=0.93,
        channels=["FP1-F7", "F7-T7"],
        model_id="cube-szr",
        model_version="1.0",
        threshold=0.8,
        recording_start="2001-01-01T11:42:54",
        recording_duration=3600.0,
    )
    values.update(kw)
    return values


@pytest.fixture
def db(tmp_path):
    return tmp_path / "alerts.sqlite"


@pytest.fixture
def store(db):
    with AlertStore(db) as store:
        yield store


def _raw(path):
    return sqlite3.connect(path, isolation_level=None, timeout=10)


def _child(*args, **kw):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), *map(str, args)],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kw,
    )


# ---------------------------------------------------------------------------
# Opening: pragmas, identity, versions


def test_new_store_uses_wal_full_sync_foreign_keys_and_busy_timeout(store, db):
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert store.schema_version == SCHEMA_VERSION == 4
    other = _raw(db)  # the mode is in the file, for every connection
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert other.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert dict(other.execute("SELECT key, value FROM meta"))["application"] == (
        "neucube-eeg alert store"
    )
    other.close()


def test_default_path_follows_neucube_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUCUBE_DATA_DIR", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "alerts.sqlite"
    with AlertStore() as store:  # creates the folder
        assert store.path == tmp_path / "data" / "alerts.sqlite"
        store.add_alert(**_alert())
    assert (tmp_path / "data" / "alerts.sqlite").is_file()
    monkeypatch.delenv("NEUCUBE_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_db_path() == tmp_path / "xdg" / "neucube-eeg" / "alerts.sqlite"


def test_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path):
    fname = tmp_path / "notes.sqlite"
    fname.write_text("onset,duration\n1,2\n" * 100)
    before = fname.read_bytes()
    with pytest.raises(AlertStoreError, match="notes.sqlite is not an SQLite database"):
        AlertStore(fname)
    assert fname.read_bytes() == before


def test_sqlite_file_of_another_program_is_refused_and_left_alone(tmp_path):
    fname = tmp_path / "other.db"
    conn = _raw(fname)
    conn.execute("CREATE TABLE patients (name TEXT)")
    conn.close()
    before = fname.read_bytes()
    with pytest.raises(
        AlertStoreError,
        match=r"other\.db is an SQLite database but not a "
        r"NeuCube-EEG alert store .*patients",
    ):
        AlertStore(fname)
    assert fname.read_bytes() == before  # not even switched to WAL


def test_store_from_a_newer_version_asks_to_upgrade_and_is_left_alone(db):
    AlertStore(db).close()
    conn = _raw(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(
        AlertStoreError,
        match=rf"schema version {SCHEMA_VERSION + 1}.*newer"
        rf".*up to schema version {SCHEMA_VERSION}.*Upgrade neucube-eeg",
    ):
        AlertStore(db)
    assert db.read_bytes() == before


def test_missing_file_folder_and_closed_store_are_clear_errors(tmp_path, db):
    with pytest.raises(AlertStoreError, match="no alert store at .*nope.sqlite"):
        AlertStore(tmp_path / "nope.sqlite", create=False)
    assert not (tmp_path / "nope.sqlite").exists()
    with pytest.raises(AlertStoreError, match="folder .*missing does not exist"):
        AlertStore(tmp_path / "missing" / "alerts.sqlite")
    with pytest.raises(AlertStoreError, match="is a folder"):
        AlertStore(tmp_path)
    store = AlertStore(db)
    store.close()
    store.close()  # twice is fine
    with pytest.raises(AlertStoreError, match="is closed"):
        store.list()


# ---------------------------------------------------------------------------
# Adding, duplicates, reading


def test_add_get_list_round_trip(store):
    aid = store.add_alert(**_alert())
    other = store.add_alert(
        **_alert(
            recording="chb01_04.edf",
            onset=10.0,
            confidence=None,
            channels=[],
            threshold=None,
            recording_start=None,
            recording_duration=None,
        )
    )
    alert = store.get(aid)
    assert (alert.id, alert.recording, alert.onset, alert.duration, alert.end) == (
        aid,
        "chb01_03.edf",
        2996.0,
        40.0,
        3036.0,
    )
    assert alert.channels == ("FP1-F7", "F7-T7") and alert.confidence == 0.93
    assert (alert.model_id, alert.model_version, alert.threshold) == ("cube-szr", "1.0", 0.8)
    assert (alert.status, alert.reviewer, alert.reviewed_at, alert.note) == (
        "pending",
        None,
        None,
        "",
    )
    assert alert.created_at.endswith("+00:00")  # UTC ISO 8601
    assert (alert.recording_start, alert.recording_duration) == ("2001-01-01T11:42:54", 3600.0)
    stored = json.loads(
        store._conn.execute("SELECT channels FROM alerts WHERE id = ?", (aid,)).fetchone()[0]
    )
    assert stored == ["FP1-F7", "F7-T7"]  # a JSON list in the file
    assert store.get(other).confidence is None and store.get(other).channels == ()
    assert [a.id for a in store.list()] == [aid, other]
    assert [a.id for a in store.list(recording="chb01_04.edf")] == [other]
    assert [a.id for a in store.list(status="pending", limit=1)] == [aid]
    assert store.list(status=["confirmed", "rejected"]) == []
    assert store.counts() == {"pending": 2, "confirmed": 0, "rejected": 0}
    assert store.get(aid).to_dict()["channels"] == ["FP1-F7", "F7-T7"]


def test_same_alert_twice_is_stored_once_and_keeps_its_review(store):
    aid = store.add_alert(**_alert())
    store.review(aid, "confirmed", "Dr. Rivera")
    # Re-running detection: same recording, model and version, onset equal to
    # the millisecond; other values (threshold, confidence) do not matter.
    again = store.add_alerts(
        [_alert(onset=2996.0000004, confidence=0.5, threshold=0.6), _alert(onset=3100.0)]
    )
    assert again[0] == aid and again[1] != aid
    assert len(store.list()) == 2
    kept = store.get(aid)
    assert (kept.status, kept.reviewer, kept.confidence, kept.threshold) == (
        "confirmed",
        "Dr. Rivera",
        0.93,
        0.8,
    )
    # A new model version is a new source of alerts.
    assert store.add_alert(**_alert(model_version="1.1")) not in (aid, again[1])
    assert len(store.list()) == 3


def test_add_alerts_takes_objects_mappings_and_common_fields(store):
    @dataclasses.dataclass
    class Event:  # what a detector might hand over; extra attributes are ignored
        onset: float
        duration: float
        confidence: float
        peak: float = 0.0

    ids = store.add_alerts(
        [Event(10.0, 5.0, 0.9), {"onset": 30.0, "duration": 4.0}],
        recording="r1",
        model_id="cube-szr",
        model_version="2",
        threshold=0.7,
    )
    assert [(a.id, a.onset, a.model_version, a.threshold) for a in store.list()] == [
        (ids[0], 10.0, "2", 0.7),
        (ids[1], 30.0, "2", 0.7),
    ]
    with pytest.raises(TypeError, match=r"unknown fields \['onset_s'\]"):
        store.add_alerts([{"onset_s": 1.0}], recording="r1", model_id="m")
    with pytest.raises(TypeError, match="lacks model_id"):
        store.add_alerts([{"onset": 1.0, "duration": 1.0, "recording": "r"}])


def test_a_batch_with_one_bad_alert_stores_nothing(store):
    batch = [_alert(onset=1.0), _alert(onset=2.0), _alert(onset=3.0, confidence=1.5)]
    with pytest.raises(ValueError, match="confidence must be <= 1, got 1.5"):
        store.add_alerts(batch)
    assert store.list() == []
    store.add_alerts(batch[:2])
    # A failure inside the database (injected) rolls the whole batch back too.
    store._conn.execute(
        "CREATE TEMP TRIGGER fail_third BEFORE INSERT ON alerts "
        "WHEN NEW.onset = 5.0 BEGIN SELECT RAISE(ABORT, 'injected'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="injected"):
        store.add_alerts([_alert(onset=4.0), _alert(onset=5.0)])
    assert [a.onset for a in store.list()] == [1.0, 2.0]


@pytest.mark.parametrize(
    "bad, match",
    [
        (dict(recording=" "), "recording must not be empty"),
        (dict(onset=-1.0), "onset must be >= 0"),
        (dict(duration=float("nan")), "duration must be finite"),
        (dict(channels="FP1-F7"), r"write \['FP1-F7'\] for one channel"),
        (dict(model_id=""), "model_id must not be empty"),
        (dict(recording_duration=0), "recording_duration must be > 0"),
        (dict(recording_start="yesterday"), "recording_start must be a datetime or an ISO 8601"),
    ],
)
def test_invalid_alert_fields_name_the_parameter(store, bad, match):
    with pytest.raises((TypeError, ValueError), match=match):
        store.add_alert(**_alert(**bad))


# ---------------------------------------------------------------------------
# Reviews and the audit trail


def test_review_and_re_review_are_audited_in_order(store):
    aid = store.add_alert(**_alert())
    alert = store.review(aid, "confirmed", "  Dr. Rivera ", note="clear ictal pattern")
    assert (alert.status, alert.reviewer, alert.note) == (
        "confirmed",
        "Dr. Rivera",
        "clear ictal pattern",
    )
    alert = store.review(aid, "rejected", "Dr. Okafor", note="artefact: chewing")
    assert (alert.status, alert.reviewer) == ("rejected", "Dr. Okafor")
    history = store.history(aid)
    assert [(r.action, r.status_before, r.status_after, r.reviewer, r.note) for r in history] == [
        ("review", "pending", "confirmed", "Dr. Rivera", "clear ictal pattern"),
        ("revise", "confirmed", "rejected", "Dr. Okafor", "artefact: chewing"),
    ]
    assert history[-1].at == alert.reviewed_at and history[0].at <= history[1].at
    assert all(r.alert_id == aid for r in history)
    assert store.history(store.add_alert(**_alert(onset=1.0))) == []


def test_review_needs_a_reviewer_a_verdict_and_a_known_alert(store):
    aid = store.add_alert(**_alert())
    for reviewer in ("", "   "):
        with pytest.raises(ValueError, match="reviewer must not be empty"):
            store.review(aid, "confirmed", reviewer)
    with pytest.raises(TypeError, match="reviewer must be a str"):
        store.review(aid, "confirmed", None)
    with pytest.raises(
        ValueError, match="Allowed values are 'confirmed', 'rejected', but got 'pending'"
    ):
        store.review(aid, "pending", "Dr. Rivera")
    with pytest.raises(
        UnknownAlertError,
        match=rf"no alert 999 in .*alerts.sqlite .*ids "
        rf"{aid} to {aid}",
    ) as exc:
        store.review(999, "confirmed", "Dr. Rivera")
    assert isinstance(exc.value, KeyError) and isinstance(exc.value, AlertStoreError)
    for call in (store.get, store.history):
        with pytest.raises(UnknownAlertError, match="no alert 999"):
            call(999)
    assert store.history(aid) == [] and store.get(aid).status == "pending"
    assert store._conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


@pytest.mark.parametrize("first", [None, "confirmed"])
def test_a_review_is_atomic_when_its_second_write_fails(store, first):
    aid = store.add_alert(**_alert())
    if first:
        store.review(aid, first, "Dr. Rivera")
    before, history = store.get(aid), store.history(aid)
    # The audit row goes in first; make the alert's update fail after it.
    store._conn.execute(
        "CREATE TEMP TRIGGER fail_update BEFORE UPDATE ON alerts "
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="injected failure"):
        store.review(aid, "rejected", "Dr. Okafor", note="lost")
    assert store.get(aid) == before and store.history(aid) == history
    assert not store._conn.in_transaction
    store._conn.execute("DROP TRIGGER temp.fail_update")
    assert store.review(aid, "rejected", "Dr. Okafor").status == "rejected"
    assert len(store.history(aid)) == len(history) + 1


def test_the_database_itself_protects_audit_rows_and_alerts(store, db):
    aid = store.add_alert(**_alert())
    store.review(aid, "confirmed", "Dr. Rivera")
    conn = _raw(db)  # any other program writing to the file
    refused = {
        "UPDATE reviews SET note = 'edited'": "never updated",
        "UPDATE reviews SET status_after = 'rejected'": "never updated",
        "DELETE FROM reviews": "never deleted",
        "DELETE FROM alerts": "never deleted",
        "UPDATE alerts SET onset = 1.0": "never changed",
        "UPDATE alerts SET confidence = 0.1": "never changed",
        "UPDATE alerts SET recording_duration = 10": "never changed",
        "UPDATE alerts SET status = 'rejected', reviewer = 'x'": "must be recorded in reviews",
        "UPDATE alerts SET note = 'quietly'": "must be recorded in reviews",
        "INSERT INTO reviews (alert_id, action, status_before, status_after, reviewer, at, "
        f"hash) VALUES (12345, 'review', 'pending', 'confirmed', 'x', 'now', '{'0' * 64}')": (
            "FOREIGN KEY"
        ),
        "INSERT INTO alerts (recording, onset, duration, model_id, created_at, status, hash) "
        f"VALUES ('r', 1, 1, 'm', 'now', 'maybe', '{'0' * 64}')": "CHECK",
        "INSERT INTO alerts (recording, onset, duration, model_id, created_at) "
        "VALUES ('r', 1, 1, 'm', 'now')": "stored with its hash",
        "INSERT INTO reviews (alert_id, action, status_before, status_after, reviewer, at) "
        "VALUES (1, 'revise', 'confirmed', 'rejected', 'x', 'now')": "stored with its hash",
        f"UPDATE alerts SET hash = '{'1' * 64}'": "never changed",
        "UPDATE alerts SET usable = 0.5": "never changed",
    }
    conn.execute("PRAGMA foreign_keys = ON")
    for sql, match in refused.items():
        with pytest.raises(sqlite3.IntegrityError, match=match):
            conn.execute(sql)
    conn.close()
    assert [r.note for r in store.history(aid)] == [""]
    assert store.get(aid).status == "confirmed" and store.check() == []


# ---------------------------------------------------------------------------
# Migrations

V1_SCHEMA = [  # schema version 1 as released; frozen here on purpose
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
    """CREATE INDEX alerts_status ON alerts (status)""",
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
    """CREATE INDEX reviews_alert ON reviews (alert_id)""",
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


def _make_v1(path):
    """A version-1 store, built by hand, with one reviewed and one pending alert."""
    conn = _raw(path)
    conn.execute("BEGIN")
    for sql in V1_SCHEMA:
        conn.execute(sql)
    conn.execute("INSERT INTO meta VALUES ('application', 'neucube-eeg alert store')")
    conn.execute(
        "INSERT INTO alerts (recording, onset, duration, confidence, channels, model_id, "
        "model_version, threshold, created_at) VALUES ('chb01_03.edf', 2996.0, 40.0, "
        "0.9, '[\"FP1-F7\"]', 'cube-szr', '0.9', 0.8, '2024-01-01T00:00:00+00:00')"
    )
    conn.execute(
        "INSERT INTO alerts (recording, onset, duration, model_id, created_at) "
        "VALUES ('chb01_04.edf', 12.5, 3.0, 'cube-szr', '2024-01-01T00:00:01+00:00')"
    )
    at = "2024-01-02T09:00:00+00:00"
    conn.execute(
        "INSERT INTO reviews (alert_id, action, status_before, status_after, reviewer, "
        "note, at) VALUES (1, 'review', 'pending', 'confirmed', 'Dr. Rivera', 'ok', ?)",
        (at,),
    )
    conn.execute(
        "UPDATE alerts SET status = 'confirmed', reviewer = 'Dr. Rivera', "
        f"reviewed_at = '{at}', note = 'ok' WHERE id = 1"
    )
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.close()


def _columns(conn, table):
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def test_version_1_store_is_migrated_keeping_every_alert_and_review(tmp_path):
    old = tmp_path / "old.sqlite"
    _make_v1(old)
    with AlertStore(old) as store:
        assert store.schema_version == SCHEMA_VERSION
        first, second = store.list()
        assert (first.status, first.reviewer, first.note, first.channels) == (
            "confirmed",
            "Dr. Rivera",
            "ok",
            ("FP1-F7",),
        )
        assert (first.recording_start, first.recording_duration) == (None, None)
        assert second.status == "pending"
        assert [(r.action, r.reviewer) for r in store.history(1)] == [("review", "Dr. Rivera")]
        # The new columns work, and the old rules still hold.
        aid = store.add_alert(**_alert(onset=5.0))
        assert store.get(aid).recording_duration == 3600.0
        store.review(2, "rejected", "Dr. Okafor")
        with pytest.raises(sqlite3.IntegrityError):
            store._conn.execute("DELETE FROM reviews")
        assert store.check() == []
    conn = _raw(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert "migrated_to_v2" in meta and "migrated_to_v3" in meta
    # The migrated file has the same tables, columns, indexes and triggers as a new one.
    fresh = tmp_path / "fresh.sqlite"
    AlertStore(fresh).close()
    conn_new = _raw(fresh)
    names = "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
    assert conn.execute(names).fetchall() == conn_new.execute(names).fetchall()
    for table in ("alerts", "reviews", "meta"):
        assert _columns(conn, table) == _columns(conn_new, table)
    conn.close()
    conn_new.close()
    # The file as it was before the migration is kept next to it.
    (backup,) = tmp_path.glob("old.sqlite.v1-*.bak")
    conn = _raw(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*), max(status) FROM alerts").fetchone() == (2, "pending")
    assert "recording_start" not in _columns(conn, "alerts")
    conn.close()


def test_a_failed_migration_leaves_the_file_as_it_was(db, monkeypatch):
    with AlertStore(db) as store:
        store.add_alert(**_alert())

    def broken_step(conn):
        conn.execute("ALTER TABLE alerts ADD COLUMN half_done TEXT")
        raise RuntimeError("migration step failed")

    monkeypatch.setattr(alerts_mod, "MIGRATIONS", alerts_mod.MIGRATIONS + (broken_step,))
    monkeypatch.setattr(alerts_mod, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(RuntimeError, match="migration step failed"):
        AlertStore(db)
    conn = _raw(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "half_done" not in _columns(conn, "alerts")
    assert conn.execute("SELECT count(*) FROM alerts").fetchone()[0] == 1
    conn.close()
    monkeypatch.undo()
    with AlertStore(db) as store:
        assert len(store.list()) == 1 and store.check() == []


# ---------------------------------------------------------------------------
# Export


def _fill(store):
    a = store.add_alert(**_alert())
    b = store.add_alert(**_alert(onset=3100.25, confidence=None, channels=[]))
    c = store.add_alert(
        **_alert(
            recording="chb01_04.edf", onset=10.0, recording_start=None, recording_duration=None
        )
    )
    d = store.add_alert(**_alert(recording="chb01_04.edf", onset=50.0))
    store.review(a, "confirmed", "Dr. Rivera", note='sharp waves, "evolving"')
    store.review(b, "rejected", "Dr. Rivera", note="artefact")
    store.review(c, "confirmed", "Dr. Okafor")
    return a, b, c, d


def test_export_csv_writes_reviewed_alerts_with_every_column(store, tmp_path):
    a, b, c, d = _fill(store)
    (fname,) = store.export(tmp_path / "reviewed.csv")
    with open(fname, newline="") as fid:
        rows = list(csv.DictReader(fid))
    assert [int(r["id"]) for r in rows] == [a, b, c]  # the pending one is left out
    assert rows[0]["status"] == "confirmed" and rows[0]["note"] == 'sharp waves, "evolving"'
    assert rows[0]["channels"] == "FP1-F7,F7-T7" and rows[0]["reviewer"] == "Dr. Rivera"
    assert rows[1]["confidence"] == "" and rows[1]["status"] == "rejected"
    assert list(rows[0]) == list(records_mod.COLUMNS)
    store.export(fname, "csv", status="pending")
    assert [r["id"] for r in csv.DictReader(open(fname, newline=""))] == [str(d)]
    assert list(tmp_path.glob(".*.tmp")) == []


def test_export_szcore_one_file_per_recording_confirmed_only(store, tmp_path):
    _fill(store)
    with pytest.raises(ValueError, match=r"2 recordings .*Put '\{recording\}' in fname"):
        store.export(tmp_path / "events.tsv", "szcore")
    written = store.export(tmp_path / "{recording}_events.tsv", "szcore")
    assert written == [tmp_path / "chb01_03_events.tsv", tmp_path / "chb01_04_events.tsv"]
    head = "onset\tduration\teventType\tconfidence\tchannels\tdateTime\trecordingDuration\n"
    assert written[0].read_text() == head + (
        "2996.0\t40.0\tsz\t0.93\tFP1-F7,F7-T7\t2001-01-01 11:42:54\t3600.0\n"
    )
    # chb01_04: start and length come from its other alert.
    assert written[1].read_text() == head + (
        "10.0\t40.0\tsz\t0.93\tFP1-F7,F7-T7\t2001-01-01 11:42:54\t3600.0\n"
    )
    # The same text as the one SzCORE writer of the detector.
    events = [a.event for a in store.list(recording="chb01_03.edf", status="confirmed")]
    assert written[0].read_text() == szcore_text(
        events, recording_duration=3600.0, meas_date="2001-01-01T11:42:54"
    )
    # The rejected alert shows only when asked for.
    (one,) = store.export(
        tmp_path / "03.tsv", "szcore", status=["confirmed", "rejected"], recording="chb01_03.edf"
    )
    assert one.read_text().splitlines()[2] == (
        "3100.25\t40.0\tsz\tn/a\tn/a\t2001-01-01 11:42:54\t3600.0"
    )
    # A recording without alerts of that status is background from start to end.
    (bg,) = store.export(tmp_path / "bg.tsv", "szcore", status="pending", recording="chb01_03.edf")
    assert bg.read_text() == head + ("0.0\t3600.0\tbckg\tn/a\tn/a\t2001-01-01 11:42:54\t3600.0\n")
    with pytest.raises(AlertStoreError, match="no alerts of recording 'chb99.edf'"):
        store.export(tmp_path / "x.tsv", "szcore", recording="chb99.edf")
    with pytest.raises(ValueError, match="'fmt' parameter"):
        store.export(tmp_path / "x.xml", "xml")


# ---------------------------------------------------------------------------
# The command line


def _cli(argv):
    parser = argparse.ArgumentParser(prog="neucube")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_list_show_review_export(db, tmp_path, capsys):
    with AlertStore(db) as store:
        a, b, c, d = _fill(store)
    assert _cli(["alerts", "--db", str(db), "list"]) == 0
    out = capsys.readouterr().out
    assert f"\n{d:>6}  chb01_04.edf" in out and "1 pending alert(s)" in out
    assert _cli(["alerts", "list", "--db", str(db), "--status", "confirmed", "--json"]) == 0
    assert [x["id"] for x in json.loads(capsys.readouterr().out)] == [a, c]

    argv = [
        "alerts",
        "--db",
        str(db),
        "review",
        str(d),
        "--status",
        "rejected",
        "--reviewer",
        "Dr. Okafor",
        "--note",
        "movement",
    ]
    assert _cli(argv) == 0
    assert f"Alert {d}: pending -> rejected by Dr. Okafor" in capsys.readouterr().out
    assert _cli(["alerts", "--db", str(db), "show", str(d)]) == 0
    out = capsys.readouterr().out
    assert "status            rejected" in out and "note              movement" in out
    assert "review  pending -> rejected  by Dr. Okafor: movement" in out
    assert _cli(["alerts", "--db", str(db), "list"]) == 0
    assert "No pending alerts" in capsys.readouterr().out

    out_csv = tmp_path / "out.csv"
    assert _cli(["alerts", "--db", str(db), "export", "--out", str(out_csv)]) == 0
    assert f"Wrote {out_csv}" in capsys.readouterr().out
    assert len(out_csv.read_text().splitlines()) == 5
    pattern = str(tmp_path / "{recording}.tsv")
    assert _cli(["alerts", "--db", str(db), "export", "--out", pattern, "--format", "szcore"]) == 0
    assert (tmp_path / "chb01_03.tsv").is_file() and (tmp_path / "chb01_04.tsv").is_file()
    argv = [
        "alerts",
        "--db",
        str(db),
        "export",
        "--out",
        pattern,
        "--format",
        "szcore",
        "--status",
        "pending",
    ]
    assert _cli(argv) == 0
    assert "nothing written" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, match",
    [
        (["show", "999"], "no alert 999 in"),
        (["review", "999", "--status", "confirmed", "--reviewer", "Dr. X"], "no alert 999 in"),
        (["review", "1", "--status", "confirmed", "--reviewer", " "], "reviewer must not be empty"),
        (
            [
                "export",
                "--out",
                "{tmp}/x.tsv",
                "--format",
                "szcore",
                "--status",
                "pending",
                "confirmed",
            ],
            "Put '{recording}' in fname",
        ),
    ],
)
def test_cli_errors_are_one_line_on_stderr_with_exit_code_2(db, tmp_path, capsys, argv, match):
    with AlertStore(db) as store:
        _fill(store)
    argv = [x.replace("{tmp}", str(tmp_path)) for x in argv]
    assert _cli(["alerts", "--db", str(db), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1
    assert match in captured.err and captured.err.startswith(f"neucube alerts {argv[0]}: error:")


def test_cli_refuses_bad_and_missing_database_files(tmp_path, capsys):
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database\n" * 80)
    assert _cli(["alerts", "--db", str(bad), "list"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "bad.sqlite is not an SQLite database" in err
    missing = tmp_path / "missing.sqlite"
    assert _cli(["alerts", "list", "--db", str(missing)]) == 2
    assert "no alert store at" in capsys.readouterr().err and not missing.exists()
    assert _cli(["alerts"]) == 0  # no action: help
    assert "list" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# Concurrency and crashes, with real processes


def test_a_writer_waits_for_another_instead_of_failing(db):
    with AlertStore(db) as store:
        # Another connection holds the write lock, and lets go after 0.3 s.
        other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.3, other.commit)
        release.start()
        t0 = time.monotonic()
        aid = store.add_alert(**_alert())
        assert time.monotonic() - t0 >= 0.25 and store.get(aid).status == "pending"
        release.join()
        other.execute("BEGIN IMMEDIATE")
        with AlertStore(db, timeout=0.2) as impatient:
            with pytest.raises(AlertStoreError, match=r"database is locked .*more than 0.2 s"):
                impatient.review(aid, "confirmed", "Dr. Rivera")
        other.execute("ROLLBACK")
        other.close()
        assert store.history(aid) == []


def test_two_processes_writing_and_reviewing_at_once_lose_nothing(db):
    n = 25
    AlertStore(db).close()
    children = [_child("writer", db, name, n, stdin=subprocess.PIPE) for name in ("ann", "bob")]
    try:
        for child in children:
            assert child.stdout.readline() == "ready\n"
        for child in children:  # start both at once
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [child.communicate(timeout=60) for child in children]
    finally:
        for child in children:
            child.kill()
            child.wait()
    for child, (_out, err) in zip(children, results):
        assert child.returncode == 0, err
        assert err == ""  # in particular no 'database is locked'
    lines = [[line.split() for line in out.splitlines()] for out, _ in results]
    assert [rows[-1] for rows in lines] == [["done", str(2 * n)]] * 2
    shared = [[int(r[1]) for r in rows if r[0] == "shared"] for rows in lines]
    assert shared[0] == shared[1]  # both got the same ids for the same alerts
    with AlertStore(db) as store:
        stored = store.list()
        assert len(stored) == 3 * n
        assert sorted(a.recording for a in stored).count("shared") == n
        n_audit = store._conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
        assert n_audit == 4 * n  # every review of both processes
        for alert in stored:
            history = store.history(alert.id)
            assert len(history) == (2 if alert.recording == "shared" else 1)
            assert history[0].action == "review" and history[0].status_before == "pending"
            for prev, nxt in zip(history, history[1:]):  # a chain without gaps
                assert (nxt.action, nxt.status_before) == ("revise", prev.status_after)
            assert (alert.status, alert.reviewer) == (
                history[-1].status_after,
                history[-1].reviewer,
            )
        assert store.check() == []


def _read_until(stream, predicate, timeout=30):
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line.split())
        if predicate(lines):
            return lines
    raise AssertionError(f"child stopped before the condition; got {lines[-5:]}")


@pytest.mark.parametrize("n_lines", [40, 41])
def test_killed_while_writing_every_committed_alert_and_review_survives(db, n_lines):
    child = _child("loop", db)
    try:
        # Let it commit some alerts and reviews, then kill it at once: it
        # spends nearly all its time inside writes, so the kill lands in the
        # next one, an add (after 40 lines) or a review (after 41).
        lines = _read_until(child.stdout, lambda ls: len(ls) >= n_lines)
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    lines += [line.split() for line in rest.splitlines()]
    added = [int(r[1]) for r in lines if r[0] == "added"]
    reviewed = [int(r[1]) for r in lines if r[0] == "reviewed"]
    conn = _raw(db)  # the file opens and SQLite finds it sound
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    with AlertStore(db) as store:
        assert store.check() == []
        stored = {a.id: a for a in store.list()}
        assert set(added) <= set(stored)  # every reported commit is there
        assert len(stored) <= len(added) + 1  # at most the one not reported yet
        for aid in reviewed:
            (review,) = store.history(aid)
            assert stored[aid].status == review.status_after != "pending"
        for aid in set(stored) - set(reviewed):  # reviews not reported: all or nothing
            history = store.history(aid)
            assert len(history) <= 1
            assert stored[aid].status == (history[0].status_after if history else "pending")
        # And the store takes new writes.
        assert store.review(added[-1], "confirmed", "Dr. Rivera").status == "confirmed"


def test_killed_inside_a_review_leaves_neither_of_its_writes(db):
    with AlertStore(db) as store:
        aid = store.add_alert(**_alert())
        store.review(aid, "rejected", "Dr. Rivera")
    child = _child("pause", db, aid)
    try:
        # The child has written the audit row and stopped before the update.
        assert _read_until(child.stdout, lambda ls: ls[-1] == ["paused"])
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert (db.parent / (db.name + "-wal")).exists()  # the crash left the log behind
    with AlertStore(db) as store:
        assert store.check() == []
        alert = store.get(aid)
        assert (alert.status, alert.reviewer) == ("rejected", "Dr. Rivera")
        assert [(r.reviewer, r.status_after) for r in store.history(aid)] == [
            ("Dr. Rivera", "rejected")
        ]
        assert store.review(aid, "confirmed", "Dr. Okafor").status == "confirmed"
