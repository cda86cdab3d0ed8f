"""The store checks itself: its schema on opening, hash chains over alerts and reviews.

Each test alters a store the way another SQLite program (the ``sqlite3``
shell) could, then checks that opening refuses it or that
:meth:`AlertStore.verify` (``neucube alerts verify``) shows the first row that
is not intact.
"""

import json
import sqlite3

import pytest

from models.alerts import AlertStore, AlertStoreAlteredError, AlertStoreError
from models.alerts import schema as schema_mod
from models.alerts.schema import SCHEMA_VERSION, chain_hash
from models.cli.main import main as cli_main
from tests.models.alerts import test_store


def _alert(**kw):
    return test_store._alert(**{"usable": 0.75, **kw})


@pytest.fixture
def filled(tmp_path):
    """A store with three alerts, two reviews of the first and one of the third."""
    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as store:
        a = store.add_alert(**_alert())
        b = store.add_alert(**_alert(onset=3100.0))
        c = store.add_alert(**_alert(onset=3200.0))
        store.review(a, "confirmed", "Dr. Rivera", "clear onset")
        store.review(a, "rejected", "Dr. Okafor", "artefact")
        store.review(c, "confirmed", "Dr. Rivera")
        assert (a, b, c) == (1, 2, 3)
    return db


def _shell(db):
    """Another program on the file: no triggers of ours can stop a determined one."""
    conn = sqlite3.connect(db, isolation_level=None)
    return conn


def _trigger_sql(conn, name):
    return conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
    ).fetchone()[0]


def _bypass(db, triggers, *statements):
    """Drop triggers, run statements, put the triggers back exactly as they were."""
    conn = _shell(db)
    saved = [_trigger_sql(conn, t) for t in triggers]
    for t in triggers:
        conn.execute(f"DROP TRIGGER {t}")
    for sql in statements:
        conn.execute(sql)
    for sql in saved:
        conn.execute(sql)
    conn.close()


def _verify(db):
    with AlertStore(db, create=False, strict=False) as store:
        return store.verify()


def test_an_intact_store_verifies_and_its_chain_is_sha256_by_hand(filled):
    report = _verify(filled)
    assert report.intact and report.problems == []
    assert (report.schema_version, report.n_alerts, report.n_reviews) == (SCHEMA_VERSION, 3, 3)
    conn = _shell(filled)
    rows = conn.execute(
        "SELECT recording, onset, duration, confidence, channels, model_id, model_version, "
        "threshold, created_at, recording_start, recording_duration, usable, hash "
        "FROM alerts ORDER BY id"
    ).fetchall()
    conn.close()
    # Each link by hand: SHA-256 of the JSON list [previous hash, the row's values].
    import hashlib

    previous = ""
    for row in rows:
        text = json.dumps([previous, *row[:-1]], ensure_ascii=False, separators=(",", ":"))
        assert hashlib.sha256(text.encode()).hexdigest() == row[-1]
        previous = row[-1]
    assert report.alerts_head == previous and len(report.reviews_head) == 64
    # A new alert moves the head on; the old head is still in the chain.
    with AlertStore(filled) as store:
        store.add_alert(**_alert(onset=1.0))
        assert store.add_alert(**_alert(onset=1.0)) == 4  # a duplicate adds no link
        later = store.verify()
    assert later.intact and later.n_alerts == 4 and later.alerts_head != report.alerts_head


def test_an_alert_edited_behind_the_triggers_breaks_the_chain_there(filled):
    _bypass(filled, ["alerts_detection_fixed"], "UPDATE alerts SET onset = 10.0 WHERE id = 1")
    # The schema is intact again, so the store opens; its history is not.
    with AlertStore(filled) as store:
        problems = store.check()
    assert problems == [
        "alerts: alert 1 is not intact: it was changed, or rows between it and the first row "
        "were added or removed"
    ]


def test_rewriting_the_alert_chain_breaks_the_reviews_and_moves_the_head(filled):
    before = _verify(filled)
    statements = ["UPDATE alerts SET onset = 10.0 WHERE id = 1"]
    conn = _shell(filled)
    rows = conn.execute(
        "SELECT id, recording, onset, duration, confidence, channels, model_id, model_version, "
        "threshold, created_at, recording_start, recording_duration, usable FROM alerts "
        "ORDER BY id"
    ).fetchall()
    conn.close()
    previous = ""
    for row in rows:
        values = list(row[1:])
        if row[0] == 1:
            values[1] = 10.0
        previous = chain_hash(previous, values)
        statements.append(f"UPDATE alerts SET hash = '{previous}' WHERE id = {row[0]}")
    _bypass(filled, ["alerts_detection_fixed", "alerts_usable_fixed"], *statements)
    after = _verify(filled)
    # The alerts' chain is consistent again, but the reviews bound the old hashes,
    assert after.problems[0] == (
        "reviews: review 1 is not intact: it or its alert 1 was changed, or rows between it "
        "and the first row were added or removed"
    )
    # and the newest alert hash kept elsewhere no longer matches.
    assert after.alerts_head != before.alerts_head


def test_a_forged_review_note_is_found(filled):
    _bypass(filled, ["reviews_no_update"], "UPDATE reviews SET note = 'fine' WHERE id = 2")
    problems = _verify(filled).problems
    assert problems == [
        "reviews: review 2 is not intact: it or its alert 1 was changed, or rows between "
        "it and review 1 were added or removed",
        "alerts: alert 1 does not match its audit trail: note 'artefact' (audit trail: 'fine')",
    ]


def test_a_removed_alert_breaks_the_chain_at_the_next_one(filled):
    _bypass(filled, ["alerts_no_delete"], "DELETE FROM alerts WHERE id = 2")
    problems = _verify(filled).problems
    assert problems == [
        "alerts: alert 3 is not intact: it was changed, or rows between it and alert 1 were "
        "added or removed"
    ]


def test_a_forged_status_is_found_against_the_audit_trail(filled):
    _bypass(
        filled,
        ["alerts_review_audited"],
        "UPDATE alerts SET status = 'confirmed', reviewer = 'Dr. X', reviewed_at = 'now' "
        "WHERE id = 2",
    )
    problems = _verify(filled).problems
    assert problems == [
        "alerts: alert 2 does not match its audit trail: status 'confirmed' (audit trail: "
        "'pending'), reviewer 'Dr. X' (audit trail: None), reviewed_at 'now' (audit trail: None)"
    ]


def test_a_row_inserted_without_our_code_is_found(filled):
    _bypass(
        filled,
        ["reviews_hashed"],
        "INSERT INTO reviews (alert_id, action, status_before, status_after, reviewer, at) "
        "VALUES (2, 'review', 'pending', 'rejected', 'Dr. X', 'now')",
    )
    problems = _verify(filled).problems
    assert problems[0] == "reviews: review 4 has no hash: it was not stored by NeuCube-EEG"


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("DROP TRIGGER reviews_no_update", "trigger reviews_no_update is missing"),
        ("DROP TABLE meta", "table meta is missing"),
        ("DROP INDEX alerts_status", "index alerts_status is missing"),
        ("CREATE TABLE extra (x)", "table extra is not part of an alert store"),
        (
            "DROP TRIGGER alerts_no_delete; CREATE TRIGGER alerts_no_delete BEFORE DELETE ON "
            "alerts BEGIN SELECT 1; END",
            "trigger alerts_no_delete was changed",
        ),
    ],
)
def test_an_altered_schema_is_refused_on_opening_and_reported_by_verify(filled, statement, named):
    conn = _shell(filled)
    conn.executescript(statement)
    conn.close()
    with pytest.raises(AlertStoreAlteredError, match="altered outside NeuCube-EEG") as info:
        AlertStore(filled)
    assert named in info.value.problems
    assert "neucube alerts verify" in str(info.value) and "nothing was changed" in str(info.value)
    report = _verify(filled)
    assert f"schema: {named}" in report.problems and not report.intact


def test_a_dropped_reviews_table_is_a_report_not_a_traceback(filled):
    conn = _shell(filled)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DROP TABLE reviews")
    conn.close()
    report = _verify(filled)
    assert "schema: table reviews is missing" in report.problems
    assert any("cannot be read" in p for p in report.problems)


def test_a_version_2_store_gets_its_chains_when_migrated(tmp_path):
    db = tmp_path / "v2.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    for step in schema_mod.MIGRATIONS[:2]:
        step(conn)
    conn.execute(
        "INSERT INTO alerts (recording, onset, duration, model_id, created_at) "
        "VALUES ('r.edf', 1.0, 2.0, 'm', '2026-01-01T00:00:00+00:00')"
    )
    conn.execute(
        "INSERT INTO reviews (alert_id, action, status_before, status_after, reviewer, at) "
        "VALUES (1, 'review', 'pending', 'confirmed', 'Dr. R', '2026-01-02T00:00:00+00:00')"
    )
    conn.execute(
        "UPDATE alerts SET status = 'confirmed', reviewer = 'Dr. R', "
        "reviewed_at = '2026-01-02T00:00:00+00:00' WHERE id = 1"
    )
    conn.execute(f"PRAGMA application_id = {schema_mod.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    conn.execute("COMMIT")
    conn.close()
    with AlertStore(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        (alert,) = store.list(status="confirmed")
        assert alert.usable is None  # not known before version 3
        report = store.verify()
    assert report.intact, report.problems
    expected = chain_hash(
        "",
        (
            "r.edf",
            1.0,
            2.0,
            None,
            "[]",
            "m",
            "",
            None,
            "2026-01-01T00:00:00+00:00",
            None,
            None,
            None,
        ),
    )
    assert report.alerts_head == expected


def test_usable_share_is_stored_and_checked(tmp_path):
    with AlertStore(tmp_path / "a.sqlite") as store:
        aid = store.add_alert(**_alert(usable=0.6))
        assert store.get(aid).usable == 0.6
        with pytest.raises(ValueError, match="usable"):
            store.add_alert(**_alert(onset=1.0, usable=1.5))


def _cli(argv, capsys):
    code = cli_main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_verify_says_intact_with_the_heads_to_keep(filled, capsys):
    code, out, err = _cli(["alerts", "verify", "--db", str(filled)], capsys)
    report = _verify(filled)
    assert code == 0 and err == ""
    assert "intact" in out and report.alerts_head in out and report.reviews_head in out
    code, out, _ = _cli(["alerts", "verify", "--db", str(filled), "--json"], capsys)
    assert code == 0 and json.loads(out)["intact"] is True


def test_cli_verify_shows_the_first_row_that_is_not_intact(filled, capsys):
    _bypass(filled, ["reviews_no_update"], "UPDATE reviews SET reviewer = 'Dr. X' WHERE id = 1")
    code, out, err = _cli(["alerts", "verify", "--db", str(filled)], capsys)
    assert code == 5 and out == ""
    assert "NOT intact" in err and "reviews: review 1 is not intact" in err
    code, out, _ = _cli(["alerts", "verify", "--db", str(filled), "--json"], capsys)
    assert code == 5 and json.loads(out)["problems"][0].startswith("reviews: review 1")


def test_other_commands_refuse_an_altered_store_in_one_line(filled, capsys):
    conn = _shell(filled)
    conn.execute("DROP TRIGGER alerts_no_delete")
    conn.close()
    code, out, err = _cli(["alerts", "list", "--db", str(filled)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "trigger alerts_no_delete is missing" in err
    assert "neucube alerts verify" in err


def test_cli_verify_of_a_missing_store_is_a_clear_error(tmp_path, capsys):
    code, _, err = _cli(["alerts", "verify", "--db", str(tmp_path / "none.sqlite")], capsys)
    assert code == 2 and "There is no alert store" in err
    with pytest.raises(AlertStoreError):
        AlertStore(tmp_path / "none.sqlite", create=False, strict=False)


def test_a_run_stores_its_alerts_and_its_record_together(tmp_path):
    db = tmp_path / "runs.sqlite"
    with AlertStore(db) as store:
        ids = store.record_run(
            "a.edf",
            [_alert(recording="a.edf", onset=10.0), _alert(recording="a.edf", onset=90.0)],
            model_id="cube-szr",
            model_version="1.0",
            duration=3600.0,
            usable=0.9,
            threshold=0.8,
        )
        assert ids == [1, 2]
        assert store.record_run("b.edf", [], model_id="cube-szr", model_version="1.0") == []
        assert store.finished("cube-szr", "1.0") == {"a.edf", "b.edf"}
        assert store.finished("cube-szr", "2.0") == set()  # another version runs anew
        # Run again: the same ids, no duplicate alert, the first record kept.
        again = store.record_run(
            "a.edf",
            [_alert(recording="a.edf", onset=10.0)],
            model_id="cube-szr",
            model_version="1.0",
            duration=1.0,
        )
        assert again == [1] and len(store.list()) == 2
        # All or nothing: a bad alert stores neither the alerts nor the run.
        with pytest.raises(ValueError, match="confidence"):
            store.record_run(
                "c.edf",
                [_alert(recording="c.edf", onset=1.0), _alert(recording="c.edf", confidence=2)],
                model_id="cube-szr",
                model_version="1.0",
            )
        assert "c.edf" not in store.finished("cube-szr", "1.0")
        assert [a.recording for a in store.list()] == ["a.edf", "a.edf"]
        assert store.verify().intact
    conn = _shell(db)
    rows = conn.execute(
        "SELECT recording, duration, usable, threshold, n_alerts FROM runs"
    ).fetchall()
    assert rows == [("a.edf", 3600.0, 0.9, 0.8, 2), ("b.edf", None, None, None, 0)]
    for sql, match in (
        ("UPDATE runs SET n_alerts = 0", "never changed"),
        ("DELETE FROM runs", "never deleted"),
    ):
        with pytest.raises(sqlite3.IntegrityError, match=match):
            conn.execute(sql)
    conn.close()
