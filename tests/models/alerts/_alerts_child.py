"""A child process for the alert store's concurrency and crash tests.

Run as ``python _alerts_child.py MODE DB [ARGS]``. It reports on stdout, one
flushed line per event, and only *after* the matching commit returned, so
that every line the parent reads stands for data that must be on disk.

Modes
-----
``loop DB``
    Add an alert (``added ID``) and review it (``reviewed ID``), again and
    again, until killed.
``pause DB ID``
    Review alert ID, but stop inside the review's transaction, after the
    audit row is written and before the alert is updated: print ``paused``
    and sleep until killed.
``writer DB NAME N``
    Print ``ready``, wait for a line on stdin, then N times: add an alert of
    its own recording, add the alert ``shared`` that the other writer adds
    too, review both. Prints ``own ID``, ``shared ID``, ``reviewed ID``, and
    ``done REVIEWS`` at the end.
"""

import sys
import time

from models.alerts import AlertStore


def _say(*words):
    print(*words, flush=True)


def loop(db):
    with AlertStore(db) as store:
        k = 0
        while True:
            aid = store.add_alert(
                "crash",
                k * 0.5,
                1.0,
                confidence=0.5,
                channels=["C3-P3"],
                model_id="cube",
                model_version="1",
                threshold=0.5,
            )
            _say("added", aid)
            store.review(aid, "confirmed" if k % 2 else "rejected", "child", f"note {k}")
            _say("reviewed", aid)
            k += 1


def pause(db, alert_id):
    with AlertStore(db) as store:
        conn = store._conn

        def stop():
            _say("paused")
            time.sleep(60)  # the parent kills us long before
            return 0

        conn.create_function("stop_here", 0, stop)
        conn.execute(
            "CREATE TEMP TRIGGER stop_before_update BEFORE UPDATE ON alerts "
            "BEGIN SELECT stop_here(); END"
        )
        store.review(int(alert_id), "confirmed", "child", "never committed")
        _say("not paused")


def writer(db, name, n):
    with AlertStore(db) as store:
        _say("ready")
        sys.stdin.readline()
        reviews = 0
        for k in range(int(n)):
            own = store.add_alert(f"rec-{name}", float(k), 2.0, model_id="cube")
            _say("own", own)
            shared = store.add_alert("shared", float(k), 2.0, model_id="cube")
            _say("shared", shared)
            shared_verdict = "rejected" if k % 2 else "confirmed"
            for aid, verdict in ((own, "confirmed"), (shared, shared_verdict)):
                store.review(aid, verdict, name, f"{name} {k}")
                reviews += 1
                _say("reviewed", aid)
        _say("done", reviews)


if __name__ == "__main__":
    {"loop": loop, "pause": pause, "writer": writer}[sys.argv[1]](*sys.argv[2:])
