"""An alert's event grows after the alert: its extents, recorded and audited (schema v4)."""

import csv
import json
import sqlite3

import pytest

from models.alerts import Alert, AlertStore, AlertStoreError, UnknownAlertError
from models.alerts import schema as schema_mod
from models.alerts.schema import SCHEMA_VERSION, chain_hash
from models.cli.main import main as cli_main
from tests.models.alerts.test_integrity import _bypass, _verify


def _raised(**kw):
    """A live alert as the pipeline raises it: its event 3 s long so far, ongoing."""
    values = dict(
        id=None,
        recording="live:chb01_03",
        onset=9.0,
        duration=3.0,
        confidence=0.91,
        channels=("Cz-Pz",),
        model_id="cube-szr",
        model_version="1.0",
        threshold=0.5,
        recording_start="2026-12-02T08:00:00+00:00",
        recording_duration=3600.0,
        usable=1.0,
        ongoing=True,
    )
    values.update(kw)
    return Alert(**values)


@pytest.fixture
def store(tmp_path):
    with AlertStore(tmp_path / "alerts.sqlite") as s:
        yield s


def test_a_live_alert_is_stored_ongoing_then_closed_at_its_final_extent(store):
    (aid,) = store.add_alerts([_raised()])
    alert = store.get(aid)
    assert (alert.duration, alert.ongoing, alert.raised_duration, alert.raised_time) == (
        3.0,
        True,
        3.0,
        12.0,
    )
    grown = store.record_extent(aid, 20.0, 0.97, ["T8-P8"], usable=0.9, closed=False)
    assert (grown.duration, grown.confidence, grown.channels, grown.usable) == (
        20.0,
        0.97,
        ("T8-P8",),
        0.9,
    )
    assert grown.ongoing and grown.raised_time == 12.0
    final = store.record_extent(aid, 41.0, 0.99, ["T8-P8", "Fp2-F8"], usable=1.0)
    assert (final.duration, final.end, final.ongoing, final.raised_time) == (
        41.0,
        50.0,
        False,
        12.0,
    )
    assert store.get(aid) == final and store.list() == [final]
    assert [(e.state, e.duration, e.confidence) for e in store.extents(aid)] == [
        ("ongoing", 3.0, 0.91),
        ("ongoing", 20.0, 0.97),
        ("closed", 41.0, 0.99),
    ]
    # a review sees the final extent; the alert row itself is as it was raised
    reviewed = store.review(aid, "confirmed", "Dr. Rivera")
    assert (reviewed.duration, reviewed.status) == (41.0, "confirmed")
    row = store._conn.execute("SELECT duration, confidence FROM alerts WHERE id = ?", (aid,))
    assert row.fetchone() == (3.0, 0.91)


def test_an_offline_alert_is_final_and_has_no_extent_rows(store):
    aid = store.add_alert("chb01_03.edf", 9.0, 41.0, 0.99, ["T8-P8"], model_id="m")
    alert = store.get(aid)
    assert (alert.duration, alert.ongoing, alert.raised_duration, alert.extent_at) == (
        41.0,
        False,
        41.0,
        None,
    )
    assert store.extents(aid) == []


def test_an_extent_is_final_once_closed_and_never_shrinks(store):
    (aid,) = store.add_alerts([_raised()])
    with pytest.raises(AlertStoreError, match=r"Alert 1 .*2 s \(ongoing\).*only grows"):
        store.record_extent(aid, 2.0, closed=False)
    store.record_extent(aid, 10.0, closed=False)
    with pytest.raises(AlertStoreError, match="only grows"):
        store.record_extent(aid, 9.0)
    store.record_extent(aid, 12.0)
    with pytest.raises(AlertStoreError, match="its extent is final"):
        store.record_extent(aid, 13.0)
    with pytest.raises(UnknownAlertError, match="no alert 7"):
        store.record_extent(7, 13.0)
    with pytest.raises(ValueError, match="confidence"):
        store.record_extent(aid, 13.0, confidence=1.5)
    assert [e.duration for e in store.extents(aid)] == [3.0, 10.0, 12.0]  # nothing half-done
    with pytest.raises(sqlite3.IntegrityError, match="never updated"):
        store._conn.execute("UPDATE extents SET duration = 1 WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        store._conn.execute("DELETE FROM extents")


def test_exports_and_lists_use_the_final_extent(store, tmp_path):
    (aid,) = store.add_alerts([_raised()])
    store.record_extent(aid, 41.0, 0.99, ["T8-P8"], usable=1.0)
    store.review(aid, "confirmed", "Dr. Rivera")
    (csv_file,) = store.export(tmp_path / "alerts.csv")
    (row,) = list(csv.DictReader(csv_file.open()))
    assert (row["duration"], row["ongoing"], row["raised_duration"]) == ("41.0", "False", "3.0")
    (tsv,) = store.export(tmp_path / "events.tsv", "szcore")
    lines = tsv.read_text().splitlines()
    assert lines[1].split("\t")[:2] == ["9.0", "41.0"]


def test_the_extents_chain_is_sha256_bound_to_its_alert_and_checked(store):
    (aid,) = store.add_alerts([_raised()])
    store.record_extent(aid, 41.0, 0.99, ["T8-P8"], usable=1.0)
    report = store.verify()
    assert report.intact and (report.n_alerts, report.n_extents) == (1, 2)
    conn = store._conn
    alert_hash = conn.execute("SELECT hash FROM alerts").fetchone()[0]
    previous = ""
    for row in conn.execute(
        "SELECT alert_id, state, duration, confidence, channels, usable, at, hash FROM extents"
    ):
        previous_expected = chain_hash(previous, row[:-1], alert_hash)
        assert row[-1] == previous_expected
        previous = row[-1]
    assert report.extents_head == previous


def test_an_extent_edited_behind_the_triggers_is_found(tmp_path):
    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as store:
        (aid,) = store.add_alerts([_raised()])
        store.record_extent(aid, 41.0, 0.99, ["T8-P8"])
    _bypass(db, ["extents_no_update"], "UPDATE extents SET duration = 60 WHERE id = 2")
    report = _verify(db)
    assert report.problems == [
        "extents: extent 2 is not intact: it or its alert 1 was changed, or rows between it "
        "and extent 1 were added or removed"
    ]


def test_a_version_3_store_is_migrated_to_extents(tmp_path):
    db = tmp_path / "v3.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    for step in schema_mod.MIGRATIONS[:3]:
        step(conn)
    values = ("r.edf", 1.0, 2.0, None, "[]", "m", "", None, "2026-01-01T00:00:00+00:00")
    values += (None, None, None)
    conn.execute(
        f"INSERT INTO alerts ({', '.join(schema_mod.ALERT_HASHED)}, hash) VALUES "
        f"({', '.join('?' * (len(schema_mod.ALERT_HASHED) + 1))})",
        (*values, chain_hash("", values)),
    )
    conn.execute(f"PRAGMA application_id = {schema_mod.APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 3")
    conn.execute("COMMIT")
    conn.close()
    with AlertStore(db) as store:
        assert store.schema_version == SCHEMA_VERSION == 4
        (alert,) = store.list()
        assert (alert.duration, alert.ongoing, alert.raised_duration) == (2.0, False, 2.0)
        assert store.verify().intact
    assert list(tmp_path.glob("v3.sqlite.v3-*.bak"))  # the old file kept


def _cli(argv, capsys):
    code = cli_main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_lists_ongoing_and_shows_the_extents(tmp_path, capsys):
    db = tmp_path / "alerts.sqlite"
    with AlertStore(db) as store:
        (live,) = store.add_alerts([_raised()])
        (closed,) = store.add_alerts([_raised(onset=100.0)])
        store.record_extent(closed, 41.0, 0.99, ["T8-P8"])
    code, out, _ = _cli(["alerts", "list", "--db", str(db)], capsys)
    assert code == 0
    rows = [line.split() for line in out.splitlines()[1:-1]]
    assert [(r[0], r[3]) for r in rows] == [(str(live), "ongoing"), (str(closed), "41.000")]
    code, out, _ = _cli(["alerts", "list", "--db", str(db), "--json"], capsys)
    listed = json.loads(out)
    assert [(a["duration"], a["ongoing"], a["raised_duration"]) for a in listed] == [
        (3.0, True, 3.0),
        (41.0, False, 3.0),
    ]
    code, out, _ = _cli(["alerts", "show", str(closed), "--db", str(db)], capsys)
    assert "duration 41.000 s)" in out and "at 103.000 s of the recording" in out
    assert "ongoing  3.000 s" in out and "closed   41.000 s" in out
    code, out, _ = _cli(["alerts", "show", str(live), "--db", str(db), "--json"], capsys)
    assert [e["state"] for e in json.loads(out)["extents"]] == ["ongoing"]
    code, out, _ = _cli(["alerts", "verify", "--db", str(db)], capsys)
    assert code == 0 and "3 recorded extent(s)" in out and "newest extent hash" in out
