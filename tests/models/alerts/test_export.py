"""Stored text reaches a terminal and a spreadsheet as text, never as commands."""

import csv

from models.alerts import AlertStore
from models.alerts.export import spreadsheet_safe, terminal_safe
from models.cli import main


def test_spreadsheet_safe_by_hand():
    assert [spreadsheet_safe(s) for s in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "Dr. A", "")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "Dr. A",
        "",
    ]


def test_terminal_safe_by_hand():
    assert terminal_safe("Dr. Müller") == "Dr. Müller"
    assert terminal_safe("ok\x1b[2J\rfake\nline\x07") == "ok\\x1b[2J\\rfake\\nline\\x07"


def test_notes_are_kept_literally_and_shown_and_exported_safely(tmp_path, capsys):
    db = tmp_path / "alerts.sqlite"
    note = '=HYPERLINK("http://x")\x1b[2J\nALERT 99 confirmed'
    with AlertStore(db) as store:
        aid = store.add_alert("rec.edf", 1.0, 2.0, model_id="m")
        store.review(aid, "confirmed", "\x1b[31mDr. A", note)
        assert store.get(aid).note == note  # stored as typed
    assert main(["alerts", "--db", str(db), "show", str(aid)]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\\x1b[2J\\nALERT 99" in shown and "\\x1b[31mDr. A" in shown
    out = tmp_path / "reviewed.csv"
    assert main(["alerts", "--db", str(db), "export", "--out", str(out)]) == 0
    (row,) = list(csv.DictReader(out.open(encoding="utf-8")))
    assert (
        row["note"] == "'" + note and row["onset"] == "1.0" and row["reviewer"] == "\x1b[31mDr. A"
    )
