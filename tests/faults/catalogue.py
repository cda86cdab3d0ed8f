"""The fault catalogue: bad inputs and faults, each with what must happen, as data.

Every :class:`Case` names the input or action (``given``), the outcome that
must follow (``expected``) and how ``test_catalogue.py`` checks it. A command
line case runs ``neucube`` in this process with its paths in a fresh
:class:`Workspace` (a copy of the bundled seizure recording, of the shipped
model and an alert store with one reviewed alert). After every case, whatever
it expected, nothing may be lost: the recording and the model are unchanged
byte for byte, the store still verifies intact with the same alerts and
reviews (unless the case is about damaging it), and no file appeared that the
case does not name (no half-written temporary file).

A case checked more naturally where its code is tested (the live streams,
which need a real LSL outlet) names that test in ``test``; the catalogue's
own tests check that the test exists.

List the catalogue with ``python -m tests.faults`` (``--area AREA`` for one
area, ``--markdown`` for a table).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sample_data import SEIZURE_EDF

#: Areas, in the order of the catalogue.
AREAS = ("reader", "signal", "command", "model file", "store", "live stream")

#: Exit codes of ``neucube``: 0 done, 1 unexpected error, 2 bad input (nothing
#: written), 3 no usable EEG, 4 found but not stored, 5 store not intact.
EXIT_OK, EXIT_UNEXPECTED, EXIT_BAD_INPUT, EXIT_NO_USABLE_EEG = 0, 1, 2, 3
EXIT_NOT_STORED, EXIT_NOT_INTACT = 4, 5


@dataclasses.dataclass(frozen=True)
class Result:
    """What one ``neucube`` run did: its exit code and what it printed."""

    code: int
    out: str
    err: str


@dataclasses.dataclass(frozen=True)
class Case:
    """One fault and what must happen.

    Attributes
    ----------
    id : str
        Short unique name.
    area : str
        One of :data:`AREAS`.
    given : str
        The input or the action, in words.
    expected : str
        The outcome, in words.
    argv : tuple of str
        For a command line case: the arguments of ``neucube``; ``{rec}``,
        ``{model}``, ``{db}`` and ``{dir}`` stand for the workspace's paths.
    code : int | None
        The exit code the command must return.
    says : tuple of str
        Text that must appear in what the command printed (stderr for an
        error, stdout otherwise); a fragment between slashes is a regular
        expression.
    prepare : callable | None
        ``prepare(ws)`` sets the fault up before the command runs.
    check : callable | None
        ``check(ws, result)`` checks more (for a case without ``argv`` it is
        the whole case, with ``result`` None).
    writes : tuple of str
        Glob patterns of files in the workspace the case may create.
    store_changes : bool
        Whether the case changes the store on purpose (damages it, or adds
        alerts); the nothing-lost check then skips the store.
    test : str | None
        ``module::function`` of the test elsewhere that checks this case.
    """

    id: str
    area: str
    given: str
    expected: str
    argv: tuple = ()
    code: int | None = None
    says: tuple = ()
    prepare: Callable | None = None
    check: Callable | None = None
    writes: tuple = ()
    store_changes: bool = False
    test: str | None = None


# ---------------------------------------------------------------------------
# The workspace every case runs in


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Workspace:
    """A folder with a recording, a model and an alert store that a case may try to harm.

    Parameters
    ----------
    root : pathlib.Path
        An empty folder.
    model_file : pathlib.Path
        The model to copy in (the shipped seizure model).
    """

    def __init__(self, root, model_file):
        from models.alerts import AlertStore

        self.root = Path(root)
        self.dir = self.root
        self.rec = self.root / "rec.edf"
        self.rec.write_bytes(SEIZURE_EDF.read_bytes())
        self.model = self.root / "model.npz"
        self.model.write_bytes(Path(model_file).read_bytes())
        self.db = self.root / "alerts.sqlite"
        with AlertStore(self.db) as store:
            aid = store.add_alert("other.edf", 1.0, 2.0, confidence=0.9, model_id="m")
            store.review(aid, "confirmed", "Dr. A", "kept")
        self._before = self._snapshot()

    def path(self, name: str) -> Path:
        """Return a path in the workspace."""
        return self.root / name

    def _snapshot(self):
        return {
            "files": self._files(),
            "model": _digest(self.model),
            "store": self.store_rows(),
        }

    def _files(self):
        """Digest of every file in the workspace but the store and its journal."""
        return {
            p.name: _digest(p)
            for p in self.root.iterdir()
            if p.is_file() and not p.is_symlink() and not p.name.startswith(self.db.name)
        }

    def mark(self) -> None:
        """Take what the case prepared as its inputs: they must come out unchanged."""
        self._before["files"] = self._files()

    def store_rows(self):
        """Return the store's alerts and reviews as plain rows (read without our code)."""
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return (
                conn.execute("SELECT * FROM alerts ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM reviews ORDER BY id").fetchall(),
            )
        finally:
            conn.close()

    def run(self, argv) -> Result:
        """Run ``neucube`` with ``argv`` (paths filled in) in this process."""
        from models.cli import main

        args = [a.format(rec=self.rec, model=self.model, db=self.db, dir=self.root) for a in argv]
        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        os.chdir(self.root)  # a relative output lands here, where it is checked
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main(args)
                except SystemExit as exc:  # argparse refusing an option
                    code = exc.code
        finally:
            os.chdir(cwd)
        return Result(int(code or 0), out.getvalue(), err.getvalue())

    def assert_nothing_lost(self, case: Case) -> None:
        """Check that the case harmed nothing it was not about.

        Every input (the recording, the model, each file the case prepared)
        is unchanged byte for byte, the store holds the same rows and
        verifies intact (unless the case is about the store), and no file
        appeared that the case does not name.
        """
        files = self._files()
        for name, digest in self._before["files"].items():
            if any(Path(name).match(g) for g in case.writes):
                continue
            assert files.get(name) == digest, f"{case.id}: {name} changed or vanished"
        if not case.store_changes:
            assert self.store_rows() == self._before["store"], f"{case.id}: the store changed"
            from models.alerts import AlertStore

            with AlertStore(self.db, create=False) as store:
                assert store.check() == [], f"{case.id}: the store is not intact"
        new = set(files) - set(self._before["files"])
        unexpected = {n for n in new if not any(Path(n).match(g) for g in case.writes)}
        assert not unexpected, f"{case.id}: unexpected files {sorted(unexpected)}"


def assert_says(case: Case, result: Result) -> None:
    """Check the exit code, the message and that no traceback reached the user."""
    text = result.err if result.code else result.out
    assert result.code == case.code, (
        f"{case.id}: exit code {result.code}, expected {case.code}\n{result.out}\n{result.err}"
    )
    for fragment in case.says:
        if fragment.startswith("/") and fragment.endswith("/"):
            assert re.search(fragment[1:-1], text, re.S), f"{case.id}: no /{fragment}/ in {text}"
        else:
            assert fragment in text, f"{case.id}: {fragment!r} not in {text!r}"
    for printed in (result.out, result.err):
        assert "Traceback" not in printed, f"{case.id}: a traceback reached the user: {printed}"
        assert "please report this bug" not in printed.lower(), f"{case.id}: Brian2's banner"
    assert result.code != EXIT_UNEXPECTED, f"{case.id}: an unexpected error: {result.err}"


# ---------------------------------------------------------------------------
# Building bad inputs

_EDF_FIELDS = {
    "version": (0, 8),
    "patient": (8, 80),
    "recording": (88, 80),
    "startdate": (168, 8),
    "starttime": (176, 8),
    "header_bytes": (184, 8),
    "n_records": (236, 8),
    "record_duration": (244, 8),
    "n_signals": (252, 4),
}
_EDF_SIGNAL_FIELDS = (
    ("label", 16),
    ("transducer", 80),
    ("unit", 8),
    ("physical_min", 8),
    ("physical_max", 8),
    ("digital_min", 8),
    ("digital_max", 8),
    ("prefilter", 80),
    ("samples", 8),
    ("reserved", 32),
)


def edf_with(field: str, value: str, signals=(0,), source=SEIZURE_EDF) -> bytes:
    """Return an EDF file's bytes with one header field set to ``value``.

    Parameters
    ----------
    field : str
        A field of the fixed header (``'n_records'``, ...) or of each signal
        (``'label'``, ``'unit'``, ``'physical_min'``, ...).
    value : str
        The new text, padded with spaces or cut to the field's width.
    signals : sequence of int | 'all'
        The signals whose field is set (signal fields only).
    source : path-like
        The EDF file to start from.

    Returns
    -------
    data : bytes
        The changed file.
    """
    data = bytearray(Path(source).read_bytes())
    ns = int(data[252:256])
    spans = []
    if field in _EDF_FIELDS:
        spans.append(_EDF_FIELDS[field])
    else:
        offset = 256
        for name, width in _EDF_SIGNAL_FIELDS:
            if name == field:
                which = range(ns) if signals == "all" else signals
                spans += [(offset + k * width, width) for k in which]
                break
            offset += width * ns
        else:
            raise KeyError(f"no EDF header field {field!r}")
    for offset, width in spans:
        data[offset : offset + width] = value.encode("latin-1")[:width].ljust(width, b" ")
    return bytes(data)


def _write(name, data):
    def prepare(ws):
        ws.path(name).write_bytes(data() if callable(data) else data)

    return prepare


def _edf(name, field, value, signals=(0,)):
    return _write(name, lambda: edf_with(field, value, signals))


def _fif(name, change=None, crop=None, drop=(), rename=None, resample=None):
    """Prepare a FIF copy of the recording, changed (data in volts)."""

    def prepare(ws):
        import mne

        raw = mne.io.read_raw_edf(ws.rec, preload=True, verbose="error")
        if crop is not None:
            raw.crop(*crop)
        if drop:
            raw.drop_channels([raw.ch_names[k] for k in drop])
        if rename is not None:
            raw.rename_channels(rename(raw.ch_names))
        if resample is not None:
            raw.resample(resample, verbose="error")
        if change is not None:
            change(raw._data)
        raw.save(ws.path(name), verbose="error")

    return prepare


def _model_with(name, edit):
    """Prepare a copy of the model whose metadata JSON ``edit(meta)`` changed."""

    def prepare(ws):
        with np.load(ws.model, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(str(arrays["metadata"]))
        edit(meta)
        arrays["metadata"] = np.array(json.dumps(meta))
        with open(ws.path(name), "wb") as f:
            np.savez(f, **arrays)

    return prepare


def _detector_param(key, value):
    def edit(meta):
        section = meta["extra"]["detector"]["values"]
        params = json.loads(section["params"])
        params[key] = value
        section["params"] = json.dumps(params)

    return edit


def _drop_extra(section):
    def edit(meta):
        del meta["extra"][section]

    return edit


def _set(path, value):
    def edit(meta):
        node = meta
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _model_bytes(name, change):
    def prepare(ws):
        ws.path(name).write_bytes(change(ws.model.read_bytes()))

    return prepare


def _flip(data):
    middle = bytearray(data)
    for k in range(len(middle) // 2, len(middle) // 2 + 64):
        middle[k] ^= 0xFF
    return bytes(middle)


def _pickled(ws_name):
    def prepare(ws):
        arrays = {"metadata": np.array([{"format": "neucube-eeg cube"}], dtype=object)}
        with open(ws.path(ws_name), "wb") as f:
            np.savez(f, **arrays)

    return prepare


def _sql(*statements, foreign_keys=True):
    """Prepare: run statements on the store with another SQLite program."""

    def prepare(ws):
        conn = sqlite3.connect(ws.db, isolation_level=None)
        if not foreign_keys:
            conn.execute("PRAGMA foreign_keys = OFF")
        for sql in statements:
            conn.executescript(sql)
        conn.close()

    return prepare


def _bypass(trigger, statement):
    """SQL that drops a trigger, does what it forbids and puts it back as it was."""

    def prepare(ws):
        conn = sqlite3.connect(ws.db, isolation_level=None)
        (sql,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
        ).fetchone()
        conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute(statement)
        conn.execute(sql)
        conn.close()

    return prepare


def _store_file(data):
    def prepare(ws):
        ws.path("bad.sqlite").write_bytes(data(ws) if callable(data) else data)

    return prepare


def _foreign_sqlite(ws):
    conn = sqlite3.connect(ws.path("foreign.sqlite"))
    conn.execute("CREATE TABLE patients (id INTEGER, name TEXT)")
    conn.commit()
    conn.close()


def _newer_store(ws):
    from models.alerts import SCHEMA_VERSION

    ws.path("newer.sqlite").write_bytes(ws.db.read_bytes())
    conn = sqlite3.connect(ws.path("newer.sqlite"))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def _damaged_store(ws):
    """A copy of the store with a page of its alerts table overwritten."""
    from models.alerts import AlertStore

    target = ws.path("damaged.sqlite")
    with AlertStore(target) as store:
        for k in range(400):
            store.add_alert(f"r{k}.edf", float(k), 1.0, model_id="m", channels=["C3-P3"] * 5)
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(target.read_bytes())
    page = 4096
    middle = len(data) // page // 2 * page  # a page of the alerts table
    data[middle : middle + page] = np.random.default_rng(0).bytes(page)
    target.write_bytes(bytes(data))
    for extra in ("-wal", "-shm"):
        Path(str(target) + extra).unlink(missing_ok=True)


def _symlink_loop(ws):
    os.symlink(ws.path("loop-b.edf"), ws.path("loop-a.edf"))
    os.symlink(ws.path("loop-a.edf"), ws.path("loop-b.edf"))


def _folder(name):
    def prepare(ws):
        ws.path(name).mkdir()

    return prepare


def _existing(name, text="keep me"):
    def prepare(ws):
        ws.path(name).write_text(text)

    return prepare


def _unchanged(name, text="keep me"):
    def check(ws, result):
        assert ws.path(name).read_text() == text

    return check


def _stored_alerts(n_new, usable=None):
    def check(ws, result):
        from models.alerts import AlertStore

        with AlertStore(ws.db, create=False) as store:
            alerts = store.list()
            assert store.check() == []
        assert len(alerts) == 1 + n_new, [a.recording for a in alerts]
        if usable is not None:
            (new,) = [a for a in alerts if a.recording != "other.edf"]
            assert abs(new.usable - usable) < 1e-9, new.usable

    return check


def _both(*checks):
    def check(ws, result):
        for c in checks:
            c(ws, result)

    return check


def _kept_json(ws, result):
    (kept,) = ws.root.glob("alerts-not-stored-*.json")
    saved = json.loads(kept.read_text())
    assert str(kept) in result.err and len(saved["alerts"]) == 1


# ---------------------------------------------------------------------------
# Cases without a command line


def _two_writers(ws, result):
    """Two threads, each with its own store object, write at once: nothing is lost."""
    import threading

    from models.alerts import AlertStore

    def write(name):
        with AlertStore(ws.db) as store:
            for k in range(20):
                aid = store.add_alert(f"{name}.edf", float(k), 1.0, model_id="m")
                store.review(aid, "confirmed", name)

    threads = [threading.Thread(target=write, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with AlertStore(ws.db) as store:
        assert len(store.list(status="confirmed")) == 41 and store.check() == []


def _killed_mid_write(ws, result):
    """A writer killed with SIGKILL while it writes: every committed row survives, intact."""
    import subprocess

    from models.alerts import AlertStore

    child = Path(__file__).resolve().parents[1] / "models" / "alerts" / "_alerts_child.py"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(child), "loop", str(ws.db)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    reviewed = []
    try:
        for line in proc.stdout:
            word, aid = line.split()
            if word == "reviewed":
                reviewed.append(int(aid))
            if len(reviewed) >= 10:
                break
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    with AlertStore(ws.db) as store:
        report = store.verify()
        stored = {a.id for a in store.list(status=("confirmed", "rejected"))}
    assert report.intact, report.problems
    assert set(reviewed) <= stored


def _same_name_streams():
    """Two outlets of one name: refused by name, found by source id."""
    import uuid

    import pytest
    from mne_lsl.lsl import StreamInfo, StreamOutlet

    from acquisition.stream import LSLSource

    name = f"neucube-fault-{uuid.uuid4().hex[:12]}"
    outlets = []
    for k in ("a", "b"):
        info = StreamInfo(name, "eeg", 2, 100.0, "float32", f"{name}-{k}")
        info.set_channel_names(["Cz", "Pz"])
        info.set_channel_types(["eeg", "eeg"])
        info.set_channel_units(["volts", "volts"])
        outlets.append(StreamOutlet(info))
    try:
        with pytest.raises(RuntimeError, match="2 LSL streams match") as info:
            LSLSource(name, connect_timeout=10.0, probe_timeout=2.0).connect()
        assert f"{name}-a" in str(info.value) and f"{name}-b" in str(info.value)
        assert "--source-id" in str(info.value)
        with LSLSource(name, source_id=f"{name}-b", connect_timeout=10.0).connect() as src:
            assert src.source_id == f"{name}-b"
    finally:
        for outlet in outlets:
            outlet._del()


# ---------------------------------------------------------------------------
# The catalogue

_ALL_MV = _edf("mv.edf", "unit", "mV", "all")
_ALL_NV = _edf("nv.edf", "unit", "nV", "all")

CASES: tuple[Case, ...] = (
    # --- readers: every file reader and malformed header field -------------
    Case(
        "reader-missing-file",
        "reader",
        "detect a recording that does not exist",
        "exit 2, names the path and says to check it",
        ("detect", "{dir}/absent.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("absent.edf", "does not exist"),
    ),
    Case(
        "reader-empty-file",
        "reader",
        "detect a 0-byte .edf",
        "exit 2, the file cannot be read as EDF",
        ("detect", "{dir}/empty.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("empty.edf",),
        prepare=_write("empty.edf", b""),
    ),
    Case(
        "reader-text-as-edf",
        "reader",
        "detect a text file named .edf",
        "exit 2, cannot be read as EDF, check it is a complete recording",
        ("detect", "{dir}/notes.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("notes.edf", "cannot be read as EDF"),
        prepare=_write("notes.edf", b"patient notes, not EEG\n" * 40),
    ),
    Case(
        "reader-unknown-extension",
        "reader",
        "detect rec.xyz",
        "exit 2, lists the supported formats",
        ("detect", "{dir}/rec.xyz", "--no-store"),
        EXIT_BAD_INPUT,
        ("rec.xyz", "not a supported EEG format", ".edf"),
        prepare=_write("rec.xyz", b"x"),
    ),
    Case(
        "reader-symlink-loop",
        "reader",
        "detect a symbolic link that points to itself through another",
        "exit 2, names the path",
        ("detect", "{dir}/loop-a.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("loop-a.edf",),
        prepare=_symlink_loop,
    ),
    Case(
        "reader-folder-without-eeg",
        "reader",
        "detect a folder that holds no recording",
        "exit 2, names the folder and the extensions searched",
        ("detect", "{dir}/empty", "--no-store"),
        EXIT_BAD_INPUT,
        ("is a folder holding no EEG recording", ".edf"),
        prepare=_folder("empty"),
    ),
    Case(
        "batch-out-one-file",
        "command",
        "detect a folder of two recordings with --out naming one file",
        "exit 2 before any work: a batch writes a file per recording (a folder or {recording})",
        ("detect", "{dir}/two", "--out", "{dir}/x.tsv", "--no-store"),
        EXIT_BAD_INPUT,
        ("--out", "{recording}"),
        prepare=lambda ws: _two_recordings(ws),
    ),
    Case(
        "batch-subject-without-bids",
        "command",
        "detect a plain folder with --subject 01",
        "exit 2 before any work: --subject selects recordings of a BIDS dataset only",
        ("detect", "{dir}/two", "--subject", "01", "--no-store"),
        EXIT_BAD_INPUT,
        ("--subject", "BIDS dataset root"),
        prepare=lambda ws: _two_recordings(ws),
    ),
    Case(
        "batch-bad-file-among-good",
        "command",
        "detect a folder holding two recordings and a text file named .edf",
        "exit 2: the bad file is reported with its reason, both recordings are run and stored",
        ("detect", "{dir}/two", "--db", "{db}", "--quiet"),
        EXIT_BAD_INPUT,
        ("bad.edf", "cannot be read as EDF"),
        prepare=lambda ws: _two_recordings(ws, bad=True),
        check=_stored_alerts(2),
        store_changes=True,
    ),
    Case(
        "batch-unreachable-scheduler",
        "command",
        "detect with --scheduler naming an address nobody listens on",
        "exit 2 before any work, names the address and how to start a scheduler",
        test="tests.models.cli.test_detect::test_an_unreachable_scheduler_is_named_before_any_work",
    ),
    Case(
        "reader-very-long-name",
        "reader",
        "detect a recording whose file name is 300 characters long",
        "exit 2, names the path and says the name is too long, no traceback",
        ("detect", "{dir}/" + "r" * 296 + ".edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("rrrr", "too long"),
    ),
    Case(
        "reader-truncated",
        "reader",
        "detect an EDF cut in the middle of a data record",
        "exit 2, says it is truncated and names --allow-truncated (a CLI option)",
        ("detect", "{dir}/cut.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("cut.edf", "truncated", "--allow-truncated"),
        prepare=_write("cut.edf", lambda: SEIZURE_EDF.read_bytes()[:300_017]),
    ),
    Case(
        "reader-truncated-allowed",
        "reader",
        "detect the same cut EDF with --allow-truncated",
        "exit 0 on the complete records; the summary gives the length read",
        ("detect", "{dir}/cut.edf", "--no-store", "--allow-truncated"),
        EXIT_OK,
        ("cut.edf: 24.0 s",),
        prepare=_write("cut.edf", lambda: SEIZURE_EDF.read_bytes()[:300_017]),
    ),
    Case(
        "reader-header-only",
        "reader",
        "detect an EDF that holds its header and no data",
        "exit 2, cannot be read as EDF, even with --allow-truncated",
        ("detect", "{dir}/head.edf", "--no-store", "--allow-truncated"),
        EXIT_BAD_INPUT,
        ("head.edf", "cannot be read as EDF", "a header field disagrees"),
        prepare=_write("head.edf", lambda: SEIZURE_EDF.read_bytes()[: 256 * 24]),
    ),
    Case(
        "reader-half-header",
        "reader",
        "detect an EDF cut inside its header",
        "exit 2, cannot be read as EDF",
        ("detect", "{dir}/half.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("half.edf", "cannot be read as EDF"),
        prepare=_write("half.edf", lambda: SEIZURE_EDF.read_bytes()[:1000]),
    ),
    Case(
        "reader-header-n-records-text",
        "reader",
        "EDF header: number of data records 'abc'",
        "exit 2, cannot be read as EDF, names the value",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "abc"),
        prepare=_edf("h.edf", "n_records", "abc"),
    ),
    Case(
        "reader-header-n-records-wrong",
        "reader",
        "EDF header: number of data records 999 (the file holds 50)",
        "exit 2, the header and the file size disagree",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "does not match the file size"),
        prepare=_edf("h.edf", "n_records", "999"),
    ),
    Case(
        "reader-header-n-records-negative",
        "reader",
        "EDF header: number of data records -1",
        "exit 2, the header and the file size disagree",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "does not match the file size"),
        prepare=_edf("h.edf", "n_records", "-1"),
    ),
    Case(
        "reader-header-duration-text",
        "reader",
        "EDF header: record duration 'x'",
        "exit 2, cannot be read as EDF",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "cannot be read as EDF"),
        prepare=_edf("h.edf", "record_duration", "x"),
    ),
    Case(
        "reader-header-duration-negative",
        "reader",
        "EDF header: record duration -1",
        "exit 2, cannot be read as EDF",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "cannot be read as EDF"),
        prepare=_edf("h.edf", "record_duration", "-1"),
    ),
    Case(
        "reader-header-n-signals-zero",
        "reader",
        "EDF header: 0 signals",
        "exit 2, cannot be read as EDF: a header field disagrees with another",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "cannot be read as EDF", "a header field disagrees"),
        prepare=_edf("h.edf", "n_signals", "0"),
    ),
    Case(
        "reader-header-n-signals-too-many",
        "reader",
        "EDF header: 99 signals (the file holds 23)",
        "exit 2, cannot be read as EDF",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "cannot be read as EDF"),
        prepare=_edf("h.edf", "n_signals", "99"),
    ),
    Case(
        "reader-header-bytes-wrong",
        "reader",
        "EDF header: header size 10 bytes",
        "exit 2, cannot be read as EDF",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "cannot be read as EDF"),
        prepare=_edf("h.edf", "header_bytes", "10"),
    ),
    Case(
        "reader-header-physical-max-text",
        "reader",
        "EDF signal header: physical maximum 'abc'",
        "exit 2, cannot be read as EDF, names the value",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "abc"),
        prepare=_edf("h.edf", "physical_max", "abc"),
    ),
    Case(
        "reader-header-samples-text",
        "reader",
        "EDF signal header: samples per record 'x'",
        "exit 2, cannot be read as EDF",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_BAD_INPUT,
        ("h.edf", "cannot be read as EDF"),
        prepare=_edf("h.edf", "samples", "x"),
    ),
    Case(
        "reader-header-samples-wrong",
        "reader",
        "EDF signal header: 128 samples per record where the file has 256",
        "exit 2, the header and the file size disagree",
        ("detect", "{dir}/h.edf", "--no-store", "--allow-truncated"),
        EXIT_BAD_INPUT,
        ("h.edf", "truncated"),
        prepare=_edf("h.edf", "samples", "128"),
    ),
    Case(
        "reader-header-digital-range-empty",
        "reader",
        "EDF signal header: digital minimum equal to the maximum on Fp1-F7",
        "read; the unscalable channel is flagged in every window, never a cause of alerts",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_OK,
        ("flagged", "Fp1-F7 in 49 windows", "usable: 95.7 %"),
        prepare=_edf("h.edf", "digital_min", "32767"),
    ),
    Case(
        "reader-header-label-not-ascii",
        "reader",
        "EDF signal header: label of the first channel in Latin-1 garbage",
        "read; that model channel is reported missing and left flat",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_OK,
        ("missing Fp1-F7 (left flat)", "usable: 95.7 %"),
        prepare=_edf("h.edf", "label", "Fp1-\xe9\xff"),
    ),
    Case(
        "reader-header-label-duplicated",
        "reader",
        "EDF signal header: the second channel labelled like the first (FP1-F7 twice)",
        "read; the channel the duplicate replaced is reported missing, none is used twice",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_OK,
        ("missing F7-T7 (left flat)",),
        prepare=_edf("h.edf", "label", "FP1-F7", (1,)),
    ),
    Case(
        "reader-header-start-date-garbage",
        "reader",
        "EDF header: start date 99.99.99",
        "read; detection runs (the date is not needed)",
        ("detect", "{dir}/h.edf", "--no-store"),
        EXIT_OK,
        ("1 seizure(s) detected",),
        prepare=_edf("h.edf", "startdate", "99.99.99"),
    ),
    # --- signals: flat, NaN, clipped, wrong units, rate, channels ----------
    Case(
        "signal-flat",
        "signal",
        "every channel flat (all zeros)",
        "exit 3: no usable EEG, never 'No seizure detected'; nothing stored",
        ("detect", "{dir}/flat.fif", "--db", "{db}"),
        EXIT_NO_USABLE_EEG,
        ("No usable EEG",),
        prepare=_fif("flat.fif", change=lambda d: d.fill(0.0)),
    ),
    Case(
        "signal-units-mv",
        "signal",
        "every channel's unit 'mV' in the EDF header (values read 1000 times too large)",
        "exit 3: every channel saturated, no usable EEG",
        ("detect", "{dir}/mv.edf", "--db", "{db}"),
        EXIT_NO_USABLE_EEG,
        ("No usable EEG", "its units"),
        prepare=_ALL_MV,
    ),
    Case(
        "signal-units-nv",
        "signal",
        "every channel's unit 'nV' in the EDF header (values read 1000 times too small)",
        "exit 3: every channel flat, no usable EEG",
        ("detect", "{dir}/nv.edf", "--db", "{db}"),
        EXIT_NO_USABLE_EEG,
        ("No usable EEG",),
        prepare=_ALL_NV,
    ),
    Case(
        "signal-partly-flat",
        "signal",
        "4 of the 23 model channels flat for the whole recording",
        "exit 0; the summary and the stored alert give the usable share (19/23)",
        ("detect", "{dir}/partly.fif", "--db", "{db}"),
        EXIT_OK,
        ("usable: 82.6 % of channel-windows", "usable %", "stored 1 alert"),
        prepare=_fif("partly.fif", change=lambda d: d[-4:].fill(0.0)),
        check=_stored_alerts(1, usable=19 / 23),
        store_changes=True,
    ),
    Case(
        "signal-nan",
        "signal",
        "NaN samples in one channel",
        "exit 2: non-finite samples named by channel, with what to do",
        ("detect", "{dir}/nan.fif", "--no-store"),
        EXIT_BAD_INPUT,
        ("/non-finite|NaN/", "FP1-F7"),
        prepare=_fif("nan.fif", change=lambda d: d[0, 1000:1100].fill(np.nan)),
    ),
    Case(
        "signal-clipped",
        "signal",
        "one channel clipped at 5 mV for the whole recording",
        "exit 0; the saturated channel is flagged, never a cause of alerts",
        ("detect", "{dir}/clip.fif", "--no-store"),
        EXIT_OK,
        ("flagged", "Fp1-F7 in"),
        prepare=_fif("clip.fif", change=lambda d: d.__setitem__(0, 5e-3)),
    ),
    Case(
        "signal-wrong-rate",
        "signal",
        "the recording at 128 Hz instead of the model's 256 Hz",
        "exit 0; resampled, and the summary says from which rate",
        ("detect", "{dir}/slow.fif", "--no-store"),
        EXIT_OK,
        ("resampled from 128 Hz",),
        prepare=_fif("slow.fif", resample=128.0),
    ),
    Case(
        "signal-missing-channels",
        "signal",
        "3 of the model's 23 channels absent",
        "exit 0; the summary names them, left flat",
        ("detect", "{dir}/fewer.fif", "--no-store"),
        EXIT_OK,
        ("missing", "(left flat)", "usable: 87.0 %"),
        prepare=_fif("fewer.fif", drop=(20, 21, 22)),
    ),
    Case(
        "signal-too-many-missing",
        "signal",
        "12 of the model's 23 channels absent",
        "exit 2: names the missing channels and the model's limit",
        ("detect", "{dir}/half.fif", "--no-store"),
        EXIT_BAD_INPUT,
        ("/missing|lacks/", "max_missing"),
        prepare=_fif("half.fif", drop=tuple(range(11, 23))),
    ),
    Case(
        "signal-too-short",
        "signal",
        "a recording of 1 s, shorter than one 2 s window",
        "exit 2: says how long it is and how long it must be",
        ("detect", "{dir}/short.fif", "--no-store"),
        EXIT_BAD_INPUT,
        ("/shorter|too short/",),
        prepare=_fif("short.fif", crop=(0.0, 1.0)),
    ),
    # --- commands: options, paths that collide, folders, parents -----------
    Case(
        "detect-out-is-the-recording",
        "command",
        "detect rec.edf --out rec.edf (even with --overwrite)",
        "exit 2 before any work: the input recording is never written over",
        ("detect", "{rec}", "--out", "{rec}", "--overwrite", "--no-store"),
        EXIT_BAD_INPUT,
        ("the input recording",),
    ),
    Case(
        "detect-out-is-the-store",
        "command",
        "detect --out pointing at the alert store",
        "exit 2 before any work: the store is never written over",
        ("detect", "{rec}", "--db", "{db}", "--out", "{db}", "--overwrite"),
        EXIT_BAD_INPUT,
        ("the alert store",),
    ),
    Case(
        "detect-out-is-the-model",
        "command",
        "detect --out pointing at the model file",
        "exit 2 before any work",
        ("detect", "{rec}", "--model", "{model}", "--out", "{model}", "--overwrite", "--no-store"),
        EXIT_BAD_INPUT,
        ("the model file",),
    ),
    Case(
        "detect-out-exists",
        "command",
        "detect --out an existing file, without --overwrite",
        "exit 2 before any work, names --overwrite; the file is kept",
        ("detect", "{rec}", "--out", "{dir}/old.csv", "--no-store"),
        EXIT_BAD_INPUT,
        ("old.csv", "--overwrite"),
        prepare=_existing("old.csv"),
        check=_unchanged("old.csv"),
    ),
    Case(
        "detect-out-folder",
        "command",
        "detect --out naming a folder",
        "exit 2 before any work, no traceback",
        ("detect", "{rec}", "--out", "{dir}/outdir", "--no-store"),
        EXIT_BAD_INPUT,
        ("outdir", "folder"),
        prepare=_folder("outdir"),
    ),
    Case(
        "detect-out-missing-parent",
        "command",
        "detect --out in a folder that does not exist",
        "exit 2 before any work, names the folder",
        ("detect", "{rec}", "--out", "{dir}/none/x.tsv", "--no-store"),
        EXIT_BAD_INPUT,
        ("does not exist",),
    ),
    Case(
        "detect-out-unknown-format",
        "command",
        "detect --out x.unknown (format cannot be told from the name)",
        "exit 2 before any work, names --format and its choices",
        ("detect", "{rec}", "--out", "{dir}/x.unknown", "--no-store"),
        EXIT_BAD_INPUT,
        ("--format", "szcore"),
    ),
    Case(
        "detect-out-written",
        "command",
        "detect --out events.tsv --format szcore",
        "exit 0; the file holds the seizure, written whole (no temporary file left)",
        ("detect", "{rec}", "--out", "{dir}/events.tsv", "--format", "szcore", "--no-store"),
        EXIT_OK,
        ("wrote",),
        writes=("events.tsv",),
        check=lambda ws, r: "sz" in ws.path("events.tsv").read_text(),
    ),
    Case(
        "detect-db-folder",
        "command",
        "detect --db naming a folder",
        "exit 2 before any work, suggests a file in it",
        ("detect", "{rec}", "--db", "{dir}"),
        EXIT_BAD_INPUT,
        ("is a folder, not an alert store file",),
    ),
    Case(
        "detect-db-is-the-recording",
        "command",
        "detect --db pointing at the recording",
        "exit 2 before any work, the recording untouched",
        ("detect", "{rec}", "--db", "{rec}"),
        EXIT_BAD_INPUT,
        ("is the input recording",),
    ),
    Case(
        "detect-db-missing-parent",
        "command",
        "detect --db in a folder that does not exist",
        "exit 2 before any work, names the folder",
        ("detect", "{rec}", "--db", "{dir}/none/alerts.sqlite"),
        EXIT_BAD_INPUT,
        ("does not exist",),
    ),
    Case(
        "detect-db-locked",
        "command",
        "detect while another program holds the store's write lock",
        "exit 2 before the work (the store is checked first), names the store",
        ("detect", "{rec}", "--db", "{dir}/locked.sqlite"),
        EXIT_BAD_INPUT,
        ("locked.sqlite", "locked"),
        prepare=lambda ws: _hold_lock(ws),
        check=lambda ws, r: _release_lock(ws),
        writes=("locked.sqlite*",),
    ),
    Case(
        "detect-store-fails-after-work",
        "command",
        "the store refuses the write after the detection ran (disk I/O error)",
        "exit 4; the alerts are kept in a JSON file named on stderr",
        ("detect", "{rec}", "--db", "{db}"),
        EXIT_NOT_STORED,
        ("could not be stored", "alerts-not-stored-"),
        prepare=lambda ws: _refuse_writes(ws),
        check=_kept_json,
        writes=("alerts-not-stored-*.json",),
    ),
    Case(
        "detect-stores-once",
        "command",
        "detect the same recording twice into the same store",
        "exit 0 both times; the alert is stored once",
        ("detect", "{rec}", "--db", "{db}"),
        EXIT_OK,
        ("stored 1 alert",),
        check=lambda ws, r: _detect_again(ws) and _stored_alerts(1)(ws, r) is None,
        store_changes=True,
    ),
    Case(
        "detect-threshold-above-one",
        "command",
        "detect --threshold 5",
        "exit 2 from the option parser: names --threshold and its range",
        ("detect", "{rec}", "--threshold", "5", "--no-store"),
        EXIT_BAD_INPUT,
        ("--threshold", "(0, 1]"),
    ),
    Case(
        "detect-threshold-zero",
        "command",
        "detect --threshold 0",
        "exit 2: 0 would call every window a seizure",
        ("detect", "{rec}", "--threshold", "0", "--no-store"),
        EXIT_BAD_INPUT,
        ("--threshold",),
    ),
    Case(
        "detect-threshold-text",
        "command",
        "detect --threshold high",
        "exit 2 from the option parser: names --threshold",
        ("detect", "{rec}", "--threshold", "high", "--no-store"),
        EXIT_BAD_INPUT,
        ("--threshold",),
    ),
    Case(
        "detect-missing-argument",
        "command",
        "detect with no recording",
        "exit 2 from the option parser: the recording is required",
        ("detect",),
        EXIT_BAD_INPUT,
        ("recording",),
    ),
    Case(
        "unknown-command",
        "command",
        "neucube detcet (misspelt)",
        "exit 2: lists the commands",
        ("detcet",),
        EXIT_BAD_INPUT,
        ("invalid choice", "detect"),
    ),
    Case(
        "alerts-review-unknown-id",
        "command",
        "alerts review 999 (no such alert)",
        "exit 2: says which ids the store holds; nothing written",
        ("alerts", "--db", "{db}", "review", "999", "--status", "confirmed", "--reviewer", "X"),
        EXIT_BAD_INPUT,
        ("no alert 999", "ids 1 to 1"),
    ),
    Case(
        "alerts-review-empty-reviewer",
        "command",
        "alerts review with --reviewer '' (blank)",
        "exit 2: a review needs a name; nothing written",
        ("alerts", "--db", "{db}", "review", "1", "--status", "rejected", "--reviewer", "  "),
        EXIT_BAD_INPUT,
        ("reviewer",),
    ),
    Case(
        "alerts-review-bad-status",
        "command",
        "alerts review --status maybe",
        "exit 2 from the option parser: lists confirmed and rejected",
        ("alerts", "--db", "{db}", "review", "1", "--status", "maybe", "--reviewer", "X"),
        EXIT_BAD_INPUT,
        ("--status", "confirmed"),
    ),
    Case(
        "alerts-show-id-zero",
        "command",
        "alerts show 0",
        "exit 2 from the option parser: ids are >= 1",
        ("alerts", "--db", "{db}", "show", "0"),
        EXIT_BAD_INPUT,
        (">= 1",),
    ),
    Case(
        "alerts-export-over-the-store",
        "command",
        "alerts export --out the store itself --overwrite",
        "exit 2: an export never writes over the store",
        ("alerts", "--db", "{db}", "export", "--out", "{db}", "--overwrite"),
        EXIT_BAD_INPUT,
        ("never writes over it",),
    ),
    Case(
        "alerts-export-exists",
        "command",
        "alerts export --out an existing file without --overwrite",
        "exit 2: names --overwrite; the file is kept",
        ("alerts", "--db", "{db}", "export", "--out", "{dir}/old.csv"),
        EXIT_BAD_INPUT,
        ("--overwrite",),
        prepare=_existing("old.csv"),
        check=_unchanged("old.csv"),
    ),
    Case(
        "alerts-export-formula",
        "command",
        "a reviewer's note starting with '=' exported to CSV",
        "exit 0; the cell is written as text ('=...), never a spreadsheet formula",
        ("alerts", "--db", "{db}", "export", "--out", "{dir}/out.csv"),
        EXIT_OK,
        ("Wrote",),
        prepare=lambda ws: _review_note(ws, '=HYPERLINK("http://x")'),
        check=lambda ws, r: "'=HYPERLINK" in ws.path("out.csv").read_text(),
        writes=("out.csv",),
        store_changes=True,
    ),
    Case(
        "alerts-export-edf-over-a-recording",
        "command",
        "alerts export --format edf --out an EEG recording --overwrite",
        "exit 2: an export never writes over a file holding EEG signals, even with --overwrite",
        ("alerts", "--db", "{db}", "export", "--format", "edf", "--out", "{rec}", "--overwrite"),
        EXIT_BAD_INPUT,
        ("holds EEG signals", "never writes over a recording"),
    ),
    Case(
        "review-missing-file",
        "command",
        "review a recording file that is not there",
        "exit 2, before any window: names the file and says which recordings to give",
        ("review", "{dir}/absent.edf", "--db", "{db}"),
        EXIT_BAD_INPUT,
        ("absent.edf: no such recording file",),
    ),
    Case(
        "review-no-alerts",
        "command",
        "review a recording the store holds no alert of",
        "exit 2, before any window: names the recording and the detect command to run first",
        ("review", "{rec}", "--db", "{db}"),
        EXIT_BAD_INPUT,
        ("holds no alert of this recording", "neucube detect"),
    ),
    Case(
        "review-no-store",
        "command",
        "review with --db naming no store",
        "exit 2: says there is no store there; none is created",
        ("review", "{rec}", "--db", "{dir}/absent.sqlite"),
        EXIT_BAD_INPUT,
        ("There is no alert store", "absent.sqlite"),
    ),
    Case(
        "alerts-show-control-characters",
        "command",
        "a reviewer's name holding a terminal escape sequence, shown",
        "exit 0; the escape is printed as \\x1b text, never sent to the terminal",
        ("alerts", "--db", "{db}", "show", "1"),
        EXIT_OK,
        ("\\x1b[2J",),
        prepare=lambda ws: _review_note(ws, "ok", reviewer="Dr. \x1b[2J"),
        check=lambda ws, r: "\x1b" not in r.out,
        store_changes=True,
    ),
    Case(
        "train-out-exists",
        "command",
        "train --out an existing model file, without --overwrite",
        "exit 2 before any training; the file is kept",
        ("train", "--task", "seizure", "--data", "{dir}/nowhere", "--out", "{dir}/old.npz"),
        EXIT_BAD_INPUT,
        ("old.npz", "--overwrite"),
        prepare=_existing("old.npz"),
        check=_unchanged("old.npz"),
    ),
    Case(
        "evaluate-folds-one",
        "command",
        "evaluate --folds 1",
        "exit 2 from the option parser: names --folds and its range",
        ("evaluate", "--data", "{dir}", "--folds", "1"),
        EXIT_BAD_INPUT,
        ("--folds", ">= 2"),
    ),
    Case(
        "tune-grid-not-json",
        "command",
        "tune --grid '{band: oops'",
        "exit 2: names --grid and says what JSON it expects",
        (
            "tune",
            "--task",
            "familiarity",
            "--data",
            "{dir}",
            "--out",
            "{dir}/m.npz",
            "--grid",
            "{{band: oops",
        ),
        EXIT_BAD_INPUT,
        ("--grid",),
    ),
    Case(
        "bench-duration-nan",
        "command",
        "bench --duration nan",
        "exit 2 from the option parser: names --duration",
        ("bench", "--duration", "nan"),
        EXIT_BAD_INPUT,
        ("--duration", "finite"),
    ),
    # --- model files --------------------------------------------------------
    Case(
        "model-missing",
        "model file",
        "detect --model a file that does not exist",
        "exit 2, names the path and the shipped model",
        ("detect", "{rec}", "--model", "{dir}/none.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("none.npz", "not found"),
    ),
    Case(
        "model-truncated",
        "model file",
        "detect --model a model file cut in half",
        "exit 2, not a NeuCube-EEG model, names the file",
        ("detect", "{rec}", "--model", "{dir}/cut.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("cut.npz", "not a NeuCube-EEG model"),
        prepare=_model_bytes("cut.npz", lambda b: b[: len(b) // 2]),
    ),
    Case(
        "model-flipped-bytes",
        "model file",
        "detect --model a model file with 64 bytes flipped in the middle",
        "exit 2, names the file",
        ("detect", "{rec}", "--model", "{dir}/flip.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("flip.npz",),
        prepare=_model_bytes("flip.npz", _flip),
    ),
    Case(
        "model-pickled",
        "model file",
        "detect --model an .npz holding a pickled object",
        "exit 2, refused without unpickling anything",
        ("detect", "{rec}", "--model", "{dir}/pickle.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("pickle.npz", "not a NeuCube-EEG model"),
        prepare=_pickled("pickle.npz"),
    ),
    Case(
        "model-foreign-npz",
        "model file",
        "detect --model an .npz of someone else's arrays",
        "exit 2, not a NeuCube-EEG model file",
        ("detect", "{rec}", "--model", "{dir}/foreign.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("foreign.npz", "not a NeuCube-EEG model"),
        prepare=lambda ws: np.savez(ws.path("foreign.npz"), weights=np.zeros(3)),
    ),
    Case(
        "model-future-version",
        "model file",
        "detect --model a file of cube format version 99",
        "exit 2, says to upgrade",
        ("detect", "{rec}", "--model", "{dir}/future.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("future.npz", "version 99", "Upgrade"),
        prepare=_model_with("future.npz", _set(["format_version"], 99)),
    ),
    Case(
        "model-not-a-detector",
        "model file",
        "detect --model a trial classifier (the detector section removed)",
        "exit 2, says it is a trial classifier and how to train a detector",
        ("detect", "{rec}", "--model", "{dir}/trials.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("trial classifier", "neucube train --task seizure"),
        prepare=_model_with("trials.npz", _drop_extra("detector")),
    ),
    Case(
        "model-channels-mismatch",
        "model file",
        "detect --model whose cube names 3 channels for its 23 inputs",
        "exit 2, names the file",
        ("detect", "{rec}", "--model", "{dir}/ch.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("ch.npz",),
        prepare=_model_with("ch.npz", _set(["ch_names"], ["Fp1-F7", "F7-T7", "T7-P7"])),
    ),
    Case(
        "model-threshold-out-of-range",
        "model file",
        "detect --model whose detector threshold field reads 5",
        "exit 2, names the file and the field",
        ("detect", "{rec}", "--model", "{dir}/thr.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("thr.npz", "threshold"),
        prepare=_model_with("thr.npz", _detector_param("threshold", 5)),
    ),
    Case(
        "model-hop-out-of-range",
        "model file",
        "detect --model whose detector hop field reads 0",
        "exit 2, names the file and the field",
        ("detect", "{rec}", "--model", "{dir}/hop.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("hop.npz", "hop"),
        prepare=_model_with("hop.npz", _detector_param("hop", 0)),
    ),
    Case(
        "model-metadata-not-json",
        "model file",
        "detect --model whose metadata entry is not JSON",
        "exit 2, names the file",
        ("detect", "{rec}", "--model", "{dir}/meta.npz", "--no-store"),
        EXIT_BAD_INPUT,
        ("meta.npz",),
        prepare=lambda ws: _bad_metadata(ws, "meta.npz"),
    ),
    # --- the store ------------------------------------------------------------
    Case(
        "store-missing",
        "store",
        "alerts list --db a store that does not exist",
        "exit 2, says nothing was stored there yet; no file created",
        ("alerts", "--db", "{dir}/none.sqlite", "list"),
        EXIT_BAD_INPUT,
        ("There is no alert store",),
    ),
    Case(
        "store-not-sqlite",
        "store",
        "alerts list --db a text file",
        "exit 2, not an SQLite database; the file is kept",
        ("alerts", "--db", "{dir}/bad.sqlite", "list"),
        EXIT_BAD_INPUT,
        ("is not an SQLite database",),
        prepare=_store_file(b"not a database at all\n" * 100),
        check=lambda ws, r: ws.path("bad.sqlite").read_bytes().startswith(b"not a database"),
        writes=("bad.sqlite",),
    ),
    Case(
        "store-foreign-sqlite",
        "store",
        "alerts list --db another program's SQLite database",
        "exit 2, not an alert store, names its tables; the file is not changed",
        ("alerts", "--db", "{dir}/foreign.sqlite", "list"),
        EXIT_BAD_INPUT,
        ("not a NeuCube-EEG alert store", "patients"),
        prepare=_foreign_sqlite,
        writes=("foreign.sqlite*",),
    ),
    Case(
        "store-newer-schema",
        "store",
        "alerts list --db a store written by a newer version",
        "exit 2, says to upgrade; the file is not changed",
        ("alerts", "--db", "{dir}/newer.sqlite", "list"),
        EXIT_BAD_INPUT,
        ("newer NeuCube-EEG", "Upgrade"),
        prepare=_newer_store,
        writes=("newer.sqlite*",),
    ),
    Case(
        "store-corrupt-page",
        "store",
        "alerts verify --db a store with a page of random bytes",
        "exit 2 or 5, never a traceback: the damage is reported",
        ("alerts", "--db", "{dir}/damaged.sqlite", "verify"),
        EXIT_NOT_INTACT,
        ("NOT intact",),
        prepare=_damaged_store,
        writes=("damaged.sqlite*",),
    ),
    Case(
        "store-trigger-dropped",
        "store",
        "a trigger of the store dropped with the sqlite3 shell, then alerts list",
        "exit 2: the store was altered, names the trigger and neucube alerts verify",
        ("alerts", "--db", "{db}", "list", "--status", "confirmed"),
        EXIT_BAD_INPUT,
        ("altered outside NeuCube-EEG", "trigger reviews_no_update is missing", "verify"),
        prepare=_sql("DROP TRIGGER reviews_no_update"),
        store_changes=True,
    ),
    Case(
        "store-table-dropped",
        "store",
        "the reviews table dropped with the sqlite3 shell, then alerts verify",
        "exit 5, names the table, no traceback",
        ("alerts", "--db", "{db}", "verify"),
        EXIT_NOT_INTACT,
        ("table reviews is missing",),
        prepare=_sql("DROP TABLE reviews", foreign_keys=False),
        store_changes=True,
    ),
    Case(
        "store-review-forged",
        "store",
        "a review's verdict rewritten behind its trigger (trigger dropped and restored)",
        "the store opens (its schema is intact) but alerts verify exits 5 naming review 1",
        ("alerts", "--db", "{db}", "verify"),
        EXIT_NOT_INTACT,
        ("reviews: review 1 is not intact",),
        prepare=_bypass("reviews_no_update", "UPDATE reviews SET status_after = 'rejected'"),
        store_changes=True,
    ),
    Case(
        "store-alert-removed",
        "store",
        "an alert deleted behind its trigger, with the trigger restored",
        "alerts verify exits 5: the audit row of the missing alert no longer has it",
        ("alerts", "--db", "{db}", "verify"),
        EXIT_NOT_INTACT,
        ("/integrity: reviews row \\d+ points to a missing alerts row/",),
        prepare=_bypass("alerts_no_delete", "DELETE FROM alerts WHERE id = 1"),
        store_changes=True,
    ),
    Case(
        "store-intact",
        "store",
        "alerts verify on a store only NeuCube-EEG wrote",
        "exit 0, intact, prints the newest hashes to keep",
        ("alerts", "--db", "{db}", "verify"),
        EXIT_OK,
        ("intact", "newest alert hash"),
    ),
    Case(
        "store-two-writers",
        "store",
        "two writers add and review alerts in the same store at once",
        "every alert and review of both is stored; the store verifies intact",
        check=_two_writers,
        store_changes=True,
    ),
    Case(
        "store-killed-mid-write",
        "store",
        "a writer process killed with SIGKILL while it writes (a real subprocess)",
        "every alert and review it reported committed is there; the store verifies intact",
        check=_killed_mid_write,
        store_changes=True,
    ),
    # --- live streams (real LSL outlets; most checked where the source is tested)
    Case(
        "live-same-name",
        "live stream",
        "two LSL streams with the same name (two amplifiers, or a replay left running)",
        "connecting by name is refused, naming both source ids and --source-id; "
        "connecting by source id picks the right one",
        check=lambda ws, r: _same_name_streams(),
    ),
    Case(
        "live-stall",
        "live stream",
        "the EEG stream stops sending for longer than stall_timeout, then resumes",
        "the source reports 'stalled' once, then resumes; no sample is lost",
        test="tests.acquisition.stream.test_lsl::test_stall_is_reported_once_then_resumes_without_loss",
    ),
    Case(
        "live-disconnect",
        "live stream",
        "the EEG outlet disappears and comes back",
        "the source reconnects with backoff and keeps everything received",
        test="tests.acquisition.stream.test_lsl::test_disconnect_and_return_reconnects_and_keeps_everything",
    ),
    Case(
        "live-reordered-timestamps",
        "live stream",
        "timestamps out of order in the stream",
        "counted and logged, the samples kept in arrival order, never raised",
        test="tests.acquisition.stream.test_lsl::test_out_of_order_timestamps_are_counted_logged_and_kept",
    ),
    Case(
        "live-missing-stream",
        "live stream",
        "connect to a stream name nobody sends",
        "a clear error naming the stream, after the connect timeout",
        test="tests.acquisition.stream.test_lsl::test_lsl_source_needs_a_name_and_reports_a_missing_stream",
    ),
    Case(
        "live-non-finite-samples",
        "live stream",
        "NaN samples arrive in the live EEG",
        "the affected windows are held and flagged, the pipeline does not stop",
        test="tests.models.seizure.test_live::test_non_finite_samples_are_held_not_fatal",
    ),
    Case(
        "live-store-error",
        "live stream",
        "the alert store fails while the live pipeline stores an alert",
        "the error is logged and the stream goes on",
        test="tests.models.seizure.test_live::test_callback_and_store_errors_do_not_stop_the_stream",
    ),
    Case(
        "live-flat-and-saturated",
        "live stream",
        "flat and saturated channel-windows in the live EEG",
        "flagged exactly as offline detection flags them",
        test="tests.models.seizure.test_live::test_flat_and_saturated_channel_windows_are_flagged_like_offline",
    ),
)


# ---------------------------------------------------------------------------
# Helpers of individual cases

_HELD = {}


def _hold_lock(ws):
    from models.alerts import AlertStore

    path = ws.path("locked.sqlite")
    AlertStore(path).close()
    holder = sqlite3.connect(path, timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")
    _HELD[ws.root] = holder  # the command waits the store's timeout (10 s), then refuses


def _release_lock(ws):
    holder = _HELD.pop(ws.root, None)
    if holder is not None:
        holder.rollback()
        holder.close()


def _refuse_writes(ws):
    from models.alerts import AlertStore

    def refuse(self, *args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    _HELD[(ws.root, "record_run")] = AlertStore.record_run
    AlertStore.record_run = refuse


def restore(ws) -> None:
    """Undo what a case's preparation changed in this process (locks, patched methods)."""
    from models.alerts import AlertStore

    _release_lock(ws)
    original = _HELD.pop((ws.root, "record_run"), None)
    if original is not None:
        AlertStore.record_run = original


def _two_recordings(ws, bad=False):
    from sample_data import SEIZURE_EDF_2

    folder = ws.path("two")
    folder.mkdir()
    (folder / "a.edf").write_bytes(SEIZURE_EDF.read_bytes())
    (folder / "b.edf").write_bytes(SEIZURE_EDF_2.read_bytes())
    if bad:
        (folder / "bad.edf").write_text("not EEG\n" * 50)


def _detect_again(ws):
    again = ws.run(("detect", "{rec}", "--db", "{db}", "--quiet"))
    return again.code == EXIT_OK and "stored 1 alert" in again.out


def _review_note(ws, note, reviewer="Dr. B"):
    from models.alerts import AlertStore

    with AlertStore(ws.db) as store:
        store.review(1, "rejected", reviewer, note)


def _bad_metadata(ws, name):
    with np.load(ws.model, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["metadata"] = np.array("{not json")
    with open(ws.path(name), "wb") as f:
        np.savez(f, **arrays)


def table(area: str | None = None) -> list[tuple[str, str, str, str]]:
    """Return the catalogue as rows: id, area, given, expected.

    Parameters
    ----------
    area : str | None
        Keep one area only.

    Returns
    -------
    rows : list of tuple of str
        One per case, in catalogue order.
    """
    return [(c.id, c.area, c.given, c.expected) for c in CASES if area in (None, c.area)]
