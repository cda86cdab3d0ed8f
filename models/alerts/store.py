"""The alert store: :class:`AlertStore` over one SQLite file (see :mod:`models.alerts`)."""

from __future__ import annotations

import builtins
import dataclasses
import datetime as _dt
import json
import operator
import os
import sqlite3
import sys
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from .. import logger
from .._checks import check_number
from .._checks import check_text as _check_text
from .._files import same_file
from .._files import write_atomic as _write_atomic
from .export import _EEG_SUFFIXES, EXPORT_FORMATS
from .export import file_stem as _file_stem
from .export import format_csv as _format_csv
from .export import format_szcore as _format_szcore
from .records import COLUMNS as _COLUMNS
from .records import EXTENT_COLUMNS as _EXTENT_COLUMNS
from .records import INPUT_FIELDS as _INPUT_FIELDS
from .records import REVIEW_COLUMNS as _REVIEW_COLUMNS
from .records import REVIEW_STATUSES, STATUSES, Alert, Extent, Review
from .records import alert_from_row as _alert_from_row
from .records import extent_from_row as _extent_from_row
from .schema import (
    ALERT_HASHED,
    APPLICATION_ID,
    EXTENT_HASHED,
    MIGRATIONS,
    REVIEW_HASHED,
    SCHEMA_VERSION,
    chain_hash,
    read_schema,
    schema_differences,
)
from .schema import utcnow as _utcnow

DEFAULT_TIMEOUT = 10.0
DB_NAME = "alerts.sqlite"


class AlertStoreError(ValueError):
    """The alert store cannot be used: wrong file, newer schema, locked, closed."""


class AlertStoreAlteredError(AlertStoreError):
    """The store's schema was changed outside NeuCube-EEG: its history cannot be trusted.

    Attributes
    ----------
    problems : list of str
        What differs from an intact store (missing or changed tables,
        indexes and triggers).
    """

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


@dataclasses.dataclass(frozen=True)
class StoreReport:
    """What :meth:`AlertStore.verify` found.

    Attributes
    ----------
    path : pathlib.Path
        The store.
    schema_version : int
        Its schema version.
    n_alerts, n_reviews : int
        Rows in ``alerts`` and in the audit trail ``reviews``.
    alerts_head, reviews_head : str
        The hash of the newest alert and of the newest audit row (``''`` when
        there is none). Write them down, or keep them apart from the store:
        a later :meth:`AlertStore.verify` whose chains still pass through
        them proves nothing stored until then was changed or removed.
    n_extents : int
        Rows in ``extents`` (the recorded extents of alerts' events).
    extents_head : str
        The hash of the newest extent row (``''`` when there is none).
    problems : list of str
        One line per problem, the first row that is not intact first within
        each check; empty when the store is intact.
    """

    path: Path
    schema_version: int
    n_alerts: int
    n_reviews: int
    alerts_head: str
    reviews_head: str
    problems: list
    n_extents: int = 0
    extents_head: str = ""

    @property
    def intact(self) -> bool:
        """bool: Whether no problem was found."""
        return not self.problems


class UnknownAlertError(AlertStoreError, KeyError):
    """No alert has the id given."""

    def __str__(self):  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


def default_db_path() -> Path:
    r"""Return the default location of the alert store.

    Returns
    -------
    path : pathlib.Path
        ``$NEUCUBE_DATA_DIR/alerts.sqlite`` if that variable is set, else
        ``alerts.sqlite`` in the platform's user data folder:
        ``$XDG_DATA_HOME/neucube-eeg`` or ``~/.local/share/neucube-eeg``
        (Linux and other POSIX systems), ``~/Library/Application
        Support/neucube-eeg`` (macOS), ``%LOCALAPPDATA%\neucube-eeg``
        (Windows). The environment is read at each call.
    """
    env = os.environ.get("NEUCUBE_DATA_DIR")
    if env:
        return Path(env).expanduser() / DB_NAME
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "neucube-eeg" / DB_NAME


def _check_statuses(status, name="status", allowed=STATUSES):
    if status is None:
        return None
    items = (status,) if isinstance(status, str) else tuple(status)
    for item in items:
        if item not in allowed:
            raise ValueError(
                f"Invalid value for the '{name}' parameter. Allowed values are "
                f"{', '.join(repr(a) for a in allowed)}, but got {item!r} instead."
            )
    if not items:
        raise ValueError(f"{name} must name at least one of {', '.join(allowed)}.")
    return items


def _check_id(alert_id):
    if isinstance(alert_id, bool):
        raise TypeError(f"alert_id must be an int, got {alert_id!r}.")
    try:
        return operator.index(alert_id)
    except TypeError:
        if isinstance(alert_id, str) and alert_id.strip().isdigit():
            return int(alert_id)
        raise TypeError(
            f"alert_id must be an int, got {alert_id!r} ({type(alert_id).__name__})."
        ) from None


def _check_channels(channels):
    if channels is None:
        return []
    if isinstance(channels, str):
        raise TypeError(
            f"channels must be a list of channel names, got the string {channels!r}; "
            f"write [{channels!r}] for one channel."
        )
    out = []
    for ch in channels:
        ch = str(ch).strip() if not isinstance(ch, str) else ch.strip()
        if not ch:
            raise ValueError("channels must not contain empty names.")
        out.append(ch)
    return out


def _check_datetime(value, name):
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.UTC)
        return value.isoformat()
    if isinstance(value, str):
        try:
            parsed = _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"{name} must be a datetime or an ISO 8601 string such as "
                f"'2024-01-31T13:45:00', got {value!r}."
            ) from None
        return _check_datetime(parsed, name)
    raise TypeError(f"{name} must be a datetime, an ISO 8601 str or None, got {value!r}.")


def _holds_eeg(path: Path) -> bool:
    """Whether an existing file is an EEG recording (an EDF/BDF with data signals, a FIF ...).

    An EDF+ or BDF+ file whose only signals are annotations (what an EDF+
    export writes) is not a recording.
    """
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix in (".edf", ".bdf"):
        try:
            with open(path, "rb") as f:
                head = f.read(256)
                n_signals = int(head[252:256].decode("ascii").strip())
                labels = f.read(16 * n_signals).decode("latin-1")
        except (OSError, ValueError, UnicodeDecodeError):
            return True  # not an export of ours: keep it
        names = {labels[16 * i : 16 * (i + 1)].strip() for i in range(n_signals)}
        return not names <= {"EDF Annotations", "BDF Annotations"}
    return suffix in _EEG_SUFFIXES


class AlertStore:
    """Seizure alerts and their reviews in an SQLite file.

    Parameters
    ----------
    path : path-like | None
        The database file. None (default) uses :func:`default_db_path`
        (``$NEUCUBE_DATA_DIR/alerts.sqlite`` or ``alerts.sqlite`` in the user's
        data folder), creating its folder if needed. A given path's folder
        must exist.
    timeout : float
        Seconds a write waits for another process's write to finish before
        :class:`AlertStoreError` is raised (SQLite's busy timeout).
    create : bool
        Whether to create the file if it does not exist. With False a missing
        file raises :class:`AlertStoreError`.
    strict : bool
        Whether a store whose schema was altered outside NeuCube-EEG (a
        trigger, table or index dropped or changed with another SQLite
        program) is refused with :class:`AlertStoreAlteredError` (default).
        With False it is opened as it is, never migrated, so that
        :meth:`verify` can say what is wrong.

    Attributes
    ----------
    path : pathlib.Path
        The database file.
    schema_version : int
        The schema version of the file (always :data:`SCHEMA_VERSION` once
        opened).

    Raises
    ------
    AlertStoreError
        If the file is not an SQLite database, is an SQLite database but not an
        alert store, comes from a newer version of NeuCube-EEG, cannot be
        created, or stays locked by another process for ``timeout`` seconds.
    AlertStoreAlteredError
        If its schema was altered (with ``strict=True``).

    Notes
    -----
    The module docstring (:mod:`models.alerts`) describes the schema, the
    duplicate rule and the migrations. One store object holds one
    connection, for use from the thread that opened it; open one store per
    thread or process: SQLite serialises their writes. Use the store as a
    context manager, or call :meth:`close`.

    Examples
    --------
    >>> with AlertStore(tmp_path / "alerts.sqlite") as store:  # doctest: +SKIP
    ...     aid = store.add_alert("chb01_03", 2996.0, 40.0, confidence=0.93,
    ...                           channels=["FP1-F7"], model_id="cube-szr",
    ...                           model_version="1.0", threshold=0.8)
    ...     store.review(aid, "confirmed", reviewer="Dr. Rivera")
    """

    def __init__(self, path=None, *, timeout=DEFAULT_TIMEOUT, create=True, strict=True):
        self.timeout = check_number(timeout, "timeout", minimum=0)
        self.strict = bool(strict)
        default = path is None
        self.path = default_db_path() if default else Path(os.fspath(path)).expanduser()
        self.schema_version = None
        self._conn = None
        if self.path.is_dir():
            raise AlertStoreError(
                f"{self.path} is a folder, not an alert store file. Give the path of a "
                f"file, e.g. {self.path / DB_NAME}."
            )
        if not self.path.exists():
            if not create:
                raise AlertStoreError(
                    f"There is no alert store at {self.path}: nothing has been stored there "
                    "yet. Check the path, or run detection first."
                )
            if default:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            elif not self.path.parent.is_dir():
                raise AlertStoreError(
                    f"Cannot create the alert store {self.path}: the folder "
                    f"{self.path.parent} does not exist. Create it first or choose another path."
                )
        uri = self.path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as err:
            raise AlertStoreError(f"Cannot open the alert store {self.path}: {err}.") from err
        try:
            self._open(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        logger.debug(
            "Opened the alert store %s (schema version %d).", self.path, self.schema_version
        )

    # -- opening -------------------------------------------------------------

    def _identity(self, conn):
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
        except sqlite3.DatabaseError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise self._locked(err, "open") from err
            raise AlertStoreError(
                f"{self.path} is not an SQLite database ({err}). Give the path of a "
                "NeuCube-EEG alert store, or a new file name to create one."
            ) from err
        if app_id == 0 and version == 0 and not tables:
            return 0  # a new, empty file
        if app_id != APPLICATION_ID:
            shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
            raise AlertStoreError(
                f"{self.path} is an SQLite database but not a NeuCube-EEG alert store "
                f"(application_id {app_id:#x}, tables: {shown or 'none'}). Give the path "
                "of an alert store, or a new file name to create one; this file was not "
                "changed."
            )
        if version > SCHEMA_VERSION:
            raise AlertStoreError(
                f"The alert store {self.path} has schema version {version}, written by a "
                f"newer NeuCube-EEG; this version reads up to schema version "
                f"{SCHEMA_VERSION}. Upgrade neucube-eeg (pip install --upgrade neucube-eeg) "
                "to open it; the file was not changed."
            )
        return version

    def _open(self, conn):
        version = self._identity(conn)
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as err:
            raise self._locked(err, "open") from err
        if mode.lower() != "wal":
            raise AlertStoreError(
                f"Cannot switch {self.path} to write-ahead logging (journal mode stays "
                f"{mode!r}). Keep the alert store on a local disk."
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        altered = self._altered(conn, version)
        if altered and self.strict:
            shown = "; ".join(altered[:4]) + ("; ..." if len(altered) > 4 else "")
            raise AlertStoreAlteredError(
                f"The alert store {self.path} was altered outside NeuCube-EEG ({shown}), so "
                "its alerts and reviews cannot be trusted and it is not opened; nothing was "
                f"changed. `neucube alerts verify --db {self.path}` lists every problem; "
                "restore the store from a backup copy.",
                altered,
            )
        if version < SCHEMA_VERSION and not altered:
            version = self._migrate(conn)
        self.schema_version = version

    def _altered(self, conn, version):
        """Say how the file's schema differs from an intact store's of its version."""
        if version == 0:
            return []
        try:
            return schema_differences(read_schema(conn), version)
        except sqlite3.DatabaseError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise self._locked(err, "open") from err
            return [f"its schema cannot be read ({err})"]

    def _migrate(self, conn):
        """Bring the file to SCHEMA_VERSION in one transaction under the write lock."""
        self._begin(conn, "migrate")
        try:
            version = self._identity(conn)  # again: another process may have done it
            if version < SCHEMA_VERSION:
                if version > 0:
                    self._backup(version)
                for step in range(version, SCHEMA_VERSION):
                    logger.info(
                        "Alert store %s: migrating schema version %d to %d.",
                        self.path,
                        step,
                        step + 1,
                    )
                    MIGRATIONS[step](conn)
                    conn.execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                        (f"migrated_to_v{step + 1}", _utcnow()),
                    )
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return SCHEMA_VERSION

    def _backup(self, version):
        """Copy the file, as it is before migrating, next to it."""
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.path.with_name(f"{self.path.name}.v{version}-{stamp}.bak")
        # A second connection reads the last committed state while ours holds
        # the write lock (write-ahead logging lets readers through).
        src = sqlite3.connect(
            self.path.resolve().as_uri() + "?mode=ro", uri=True, timeout=self.timeout
        )
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        logger.info(
            "Alert store %s: saved a copy of schema version %d as %s.", self.path, version, target
        )
        return target

    # -- transactions ----------------------------------------------------------

    def _locked(self, err, what):
        return AlertStoreError(
            f"Could not {what} the alert store {self.path}: {err} (another process kept it "
            f"locked for more than {self.timeout:g} s). Try again, or raise timeout."
        )

    def _connection(self):
        if self._conn is None:
            raise AlertStoreError(
                f"The alert store {self.path} is closed. Open a new AlertStore to use it."
            )
        return self._conn

    def _begin(self, conn, what, mode="IMMEDIATE"):
        try:
            conn.execute(f"BEGIN {mode}")
        except sqlite3.OperationalError as err:
            raise self._locked(err, what) from err

    @contextmanager
    def _transaction(self, what, mode="IMMEDIATE"):
        """One transaction: committed if the block ends, rolled back if it raises."""
        conn = self._connection()
        self._begin(conn, what, mode)
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # -- writing -------------------------------------------------------------

    def add_alert(
        self,
        recording: str,
        onset: float,
        duration: float,
        confidence: float | None = None,
        channels: Sequence[str] = (),
        *,
        model_id: str,
        model_version: str = "",
        threshold: float | None = None,
        recording_start: _dt.datetime | str | None = None,
        recording_duration: float | None = None,
        usable: float | None = None,
    ) -> int:
        """Store one alert, unless it is stored already.

        Parameters
        ----------
        recording : str
            Identifier of the recording (e.g. its file name). Keep it stable:
            it is part of the duplicate key.
        onset : float
            Start of the event, seconds from the start of the recording
            (stored rounded to the millisecond).
        duration : float
            Length of the event, seconds.
        confidence : float | None
            The detector's probability, in [0, 1].
        channels : sequence of str
            The channels most involved.
        model_id : str
            The model that raised the alert.
        model_version : str
            Its version; ``''`` if unknown.
        threshold : float | None
            The decision threshold in force.
        recording_start : datetime | str | None
            Start of the recording (a timezone-aware datetime is stored in
            UTC; a naive one as given).
        recording_duration : float | None
            Length of the recording, seconds.
        usable : float | None
            Share of the event's channel-windows whose EEG was usable, in
            [0, 1] (see :attr:`models.seizure.events.SeizureEvent.usable`).

        Returns
        -------
        alert_id : int
            The id of the new alert, or of the stored alert with the same
            ``(recording, model_id, model_version, onset)``, which is kept
            unchanged together with its review.
        """
        return self.add_alerts(
            [
                dict(
                    recording=recording,
                    onset=onset,
                    duration=duration,
                    confidence=confidence,
                    channels=channels,
                    model_id=model_id,
                    model_version=model_version,
                    threshold=threshold,
                    recording_start=recording_start,
                    recording_duration=recording_duration,
                    usable=usable,
                )
            ]
        )[0]

    def add_alerts(
        self, alerts: Iterable[Mapping | object], **common: object
    ) -> builtins.list[int]:
        """Store several alerts in one transaction (all or none).

        Parameters
        ----------
        alerts : iterable of mapping | iterable of object
            Each item gives the parameters of :meth:`add_alert`, as keys of a
            mapping (unknown keys are an error) or as attributes of an object
            (e.g. a detector's event; other attributes are ignored).
        **common
            Values for fields an item does not give, e.g.
            ``model_id="cube-szr", model_version="1.0", recording="chb01_03"``.

        Returns
        -------
        alert_ids : list of int
            One id per item, in order; see :meth:`add_alert` for duplicates.
        """
        unknown = set(common) - set(_INPUT_FIELDS)
        if unknown:
            raise TypeError(
                f"add_alerts() got unknown fields {sorted(unknown)}; allowed are "
                f"{', '.join(_INPUT_FIELDS)}."
            )
        rows = [self._prepare(item, common, k) for k, item in enumerate(alerts)]
        with self._transaction("write to") as conn:
            ids, n_new = self._insert_alerts(conn, rows)
        logger.info(
            "Stored %d new alert(s) in %s (%d already there).", n_new, self.path, len(ids) - n_new
        )
        return ids

    def _insert_alerts(self, conn, rows):
        """Insert prepared alerts, each linked to the chain; return their ids and the new count."""
        ids, n_new = [], 0
        now = _utcnow()
        previous = self._head(conn, "alerts")
        for row, ongoing in rows:
            values = (*row[:8], now, *row[8:])
            link = chain_hash(previous, values)
            cur = conn.execute(
                f"INSERT INTO alerts ({', '.join(ALERT_HASHED)}, hash) VALUES "
                f"({', '.join('?' * (len(ALERT_HASHED) + 1))}) "
                "ON CONFLICT (recording, model_id, model_version, onset) DO NOTHING",
                (*values, link),
            )
            if cur.rowcount == 1:
                ids.append(cur.lastrowid)
                n_new += 1
                previous = link
                if ongoing:  # row: recording, onset, duration, confidence, channels, ...
                    self._insert_extent(
                        conn, cur.lastrowid, "ongoing", row[2], row[3], row[4], row[10], now
                    )
                continue
            ids.append(
                conn.execute(
                    "SELECT id FROM alerts WHERE recording = ? AND model_id = ? "
                    "AND model_version = ? AND onset = ?",
                    (row[0], row[5], row[6], row[1]),
                ).fetchone()[0]
            )
            logger.info(
                "Alert at %.3f s of %s by %s %s is stored already (id %d); kept as is.",
                row[1],
                row[0],
                row[5],
                row[6],
                ids[-1],
            )
        return ids, n_new

    def record_run(
        self,
        recording: str,
        alerts: Iterable[Mapping | object] = (),
        *,
        model_id: str,
        model_version: str = "",
        duration: float | None = None,
        usable: float | None = None,
        threshold: float | None = None,
    ) -> builtins.list[int]:
        """Store a recording's alerts and that it was run, in one transaction.

        A batch over many recordings calls this as each one finishes, so that
        running the batch again skips what is done (:meth:`finished`): the
        alerts and the record of the run are both stored, or neither.

        Parameters
        ----------
        recording : str
            The recording, as its alerts name it.
        alerts : iterable of mapping | iterable of object
            Its alerts, as for :meth:`add_alerts` (possibly none).
        model_id, model_version : str
            The model that ran.
        duration : float | None
            Seconds of EEG run over.
        usable : float | None
            Share of its channel-windows that were usable, in [0, 1].
        threshold : float | None
            The decision threshold in force.

        Returns
        -------
        alert_ids : list of int
            As :meth:`add_alerts`. A recording already recorded as run with
            this model keeps its first record.
        """
        common = dict(recording=recording, model_id=model_id, model_version=model_version)
        rows = [self._prepare(item, common, k) for k, item in enumerate(alerts)]
        run = (
            _check_text(recording, "recording"),
            _check_text(model_id, "model_id"),
            _check_text(model_version or "", "model_version", allow_empty=True),
            check_number(duration, "duration", minimum=0, allow_none=True),
            check_number(usable, "usable", minimum=0, maximum=1, allow_none=True),
            check_number(threshold, "threshold", allow_none=True),
            len(rows),
            _utcnow(),
        )
        with self._transaction("write to") as conn:
            ids, n_new = self._insert_alerts(conn, rows)
            conn.execute(
                "INSERT INTO runs (recording, model_id, model_version, duration, usable, "
                "threshold, n_alerts, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (recording, model_id, model_version) DO NOTHING",
                run,
            )
        logger.info(
            "Recorded the run of %s by %s %s: %d alert(s), %d new.",
            recording,
            model_id,
            model_version,
            len(ids),
            n_new,
        )
        return ids

    def finished(self, model_id: str, model_version: str = "") -> set[str]:
        """Return the recordings a model has been run over (see :meth:`record_run`).

        Parameters
        ----------
        model_id, model_version : str
            The model.

        Returns
        -------
        recordings : set of str
            Their identifiers, as stored.
        """
        with self._transaction("read", "DEFERRED") as conn:
            rows = conn.execute(
                "SELECT recording FROM runs WHERE model_id = ? AND model_version = ?",
                (model_id, model_version or ""),
            ).fetchall()
        return {r[0] for r in rows}

    def _prepare(self, item, common, k):
        """Check one alert's fields; return its row (``INPUT_FIELDS`` order) and ``ongoing``."""
        if isinstance(item, Mapping):
            unknown = set(item) - {*_INPUT_FIELDS, "ongoing"}
            if unknown:
                raise TypeError(
                    f"Alert {k} has unknown fields {sorted(unknown)}; allowed are "
                    f"{', '.join(_INPUT_FIELDS)}, ongoing."
                )
            values = {**common, **item}
        else:
            values = dict(common)
            for field in (*_INPUT_FIELDS, "ongoing"):
                if hasattr(item, field):
                    values[field] = getattr(item, field)
        ongoing = values.pop("ongoing", False)
        if not isinstance(ongoing, bool):
            raise TypeError(f"Alert {k}: ongoing must be True or False, got {ongoing!r}.")
        missing = [f for f in ("recording", "onset", "duration", "model_id") if f not in values]
        if missing:
            raise TypeError(f"Alert {k} lacks {', '.join(missing)}.")
        row = (
            _check_text(values["recording"], "recording"),
            round(check_number(values["onset"], "onset", minimum=0), 3),
            check_number(values["duration"], "duration", minimum=0),
            check_number(
                values.get("confidence"), "confidence", minimum=0, maximum=1, allow_none=True
            ),
            json.dumps(_check_channels(values.get("channels"))),
            _check_text(values["model_id"], "model_id"),
            _check_text(values.get("model_version") or "", "model_version", allow_empty=True),
            check_number(values.get("threshold"), "threshold", allow_none=True),
            _check_datetime(values.get("recording_start"), "recording_start"),
            check_number(
                values.get("recording_duration"),
                "recording_duration",
                minimum=0,
                strict=True,
                allow_none=True,
            ),
            check_number(values.get("usable"), "usable", minimum=0, maximum=1, allow_none=True),
        )
        return row, ongoing

    def review(self, alert_id: int, status: str, reviewer: str, note: str = "") -> Alert:
        """Confirm or reject an alert, and record it in the audit trail.

        The audit row and the alert's new status are written in one
        transaction: both or neither. An alert already reviewed can be
        reviewed again (action ``'revise'``); its history keeps every step.

        Parameters
        ----------
        alert_id : int
            The alert.
        status : 'confirmed' | 'rejected'
            The verdict.
        reviewer : str
            Who reviews; must not be empty.
        note : str
            Free text kept with the review.

        Returns
        -------
        alert : Alert
            The alert as it is now.

        Raises
        ------
        UnknownAlertError
            If there is no alert ``alert_id``.
        """
        alert_id = _check_id(alert_id)
        _check_statuses(status, "status", REVIEW_STATUSES)
        reviewer = _check_text(reviewer, "reviewer")
        note = _check_text("" if note is None else note, "note", allow_empty=True)
        at = _utcnow()
        with self._transaction("write to") as conn:
            row = conn.execute(
                "SELECT status, hash FROM alerts WHERE id = ?", (alert_id,)
            ).fetchone()
            if row is None:
                raise self._unknown(conn, alert_id)
            before, alert_hash = row
            action = "review" if before == "pending" else "revise"
            # The audit row first: the database refuses a status change that
            # its newest audit row does not describe.
            values = (alert_id, action, before, status, reviewer, note, at)
            link = chain_hash(self._head(conn, "reviews"), values, alert_hash)
            conn.execute(
                f"INSERT INTO reviews ({', '.join(REVIEW_HASHED)}, hash) VALUES "
                f"({', '.join('?' * (len(REVIEW_HASHED) + 1))})",
                (*values, link),
            )
            conn.execute(
                "UPDATE alerts SET status = ?, reviewer = ?, reviewed_at = ?, note = ? "
                "WHERE id = ?",
                (status, reviewer, at, note, alert_id),
            )
            alert = _alert_from_row(
                conn.execute(
                    f"SELECT {', '.join(_COLUMNS)} FROM {self._alerts_now} WHERE id = ?",
                    (alert_id,),
                ).fetchone()
            )
        logger.info("Alert %d: %s -> %s by %s.", alert_id, before, status, reviewer)
        return alert

    def record_extent(
        self,
        alert_id: int,
        duration: float,
        confidence: float | None = None,
        channels: Sequence[str] = (),
        *,
        usable: float | None = None,
        closed: bool = True,
    ) -> Alert:
        """Record the extent an alert's event has reached, or its final extent.

        A live alert is raised as soon as its event is long enough; the event
        goes on growing while the seizure lasts. Each call appends one row to
        the ``extents`` table (never changed, never deleted, in a hash chain
        bound to the alert's), and the alert is read at its newest extent
        from then on. The alert's own row, and the moment it was raised, are
        not changed.

        Parameters
        ----------
        alert_id : int
            The alert.
        duration : float
            The event's length now, seconds from the alert's onset; never
            shorter than before.
        confidence : float | None
            The detector's probability over that extent, in [0, 1].
        channels : sequence of str
            The channels most involved over that extent.
        usable : float | None
            Share of its channel-windows that were usable, in [0, 1].
        closed : bool
            Whether this is the final extent (the event has ended, or the
            stream has); no extent can be recorded after it.

        Returns
        -------
        alert : Alert
            The alert at this extent.

        Raises
        ------
        UnknownAlertError
            If there is no alert ``alert_id``.
        AlertStoreError
            If the alert's extent is final already, or ``duration`` is shorter
            than an extent recorded before.
        """
        alert_id = _check_id(alert_id)
        duration = check_number(duration, "duration", minimum=0)
        confidence = check_number(confidence, "confidence", minimum=0, maximum=1, allow_none=True)
        channels = json.dumps(_check_channels(channels))
        usable = check_number(usable, "usable", minimum=0, maximum=1, allow_none=True)
        state = "closed" if closed else "ongoing"
        try:
            with self._transaction("write to") as conn:
                if (
                    conn.execute("SELECT 1 FROM alerts WHERE id = ?", (alert_id,)).fetchone()
                    is None
                ):
                    raise self._unknown(conn, alert_id)
                self._insert_extent(
                    conn, alert_id, state, duration, confidence, channels, usable, _utcnow()
                )
                alert = _alert_from_row(
                    conn.execute(
                        f"SELECT {', '.join(_COLUMNS)} FROM {self._alerts_now} WHERE id = ?",
                        (alert_id,),
                    ).fetchone()
                )
        except sqlite3.IntegrityError as err:
            raise AlertStoreError(
                f"Alert {alert_id} in {self.path}: the extent {duration:g} s ({state}) cannot "
                f"be recorded: {err}."
            ) from err
        logger.info("Alert %d: event %s at %.3f s.", alert_id, state, duration)
        return alert

    def _insert_extent(self, conn, alert_id, state, duration, confidence, channels, usable, at):
        """Append one extent row, linked to the chain and bound to its alert's hash."""
        (alert_hash,) = conn.execute("SELECT hash FROM alerts WHERE id = ?", (alert_id,)).fetchone()
        values = (alert_id, state, duration, confidence, channels, usable, at)
        link = chain_hash(self._head(conn, "extents"), values, alert_hash)
        conn.execute(
            f"INSERT INTO extents ({', '.join(EXTENT_HASHED)}, hash) VALUES "
            f"({', '.join('?' * (len(EXTENT_HASHED) + 1))})",
            (*values, link),
        )

    # -- reading -------------------------------------------------------------

    @property
    def _alerts_now(self):
        """The view of alerts at their newest extent (a v3 file opened as it is has none)."""
        if (self.schema_version or 0) >= 4:
            return "alerts_now"
        return (
            "(SELECT *, 0 AS ongoing, duration AS raised_duration, NULL AS extent_at FROM alerts)"
        )

    def extents(self, alert_id: int) -> builtins.list[Extent]:
        """Return the recorded extents of an alert's event, oldest first.

        Parameters
        ----------
        alert_id : int
            The alert's id.

        Returns
        -------
        extents : list of Extent
            Empty for an alert stored at its final extent (an offline
            detection); for a live alert, ``'ongoing'`` from when it was
            raised, then ``'closed'`` with its final extent.

        Raises
        ------
        UnknownAlertError
            If there is no alert ``alert_id``.
        """
        alert_id = _check_id(alert_id)
        with self._transaction("read", "DEFERRED") as conn:
            if conn.execute("SELECT 1 FROM alerts WHERE id = ?", (alert_id,)).fetchone() is None:
                raise self._unknown(conn, alert_id)
            if (self.schema_version or 0) < 4:
                return []
            rows = conn.execute(
                f"SELECT {', '.join(_EXTENT_COLUMNS)} FROM extents WHERE alert_id = ? ORDER BY id",
                (alert_id,),
            ).fetchall()
        return [_extent_from_row(row) for row in rows]

    def _unknown(self, conn, alert_id):
        lo, hi, n = conn.execute("SELECT min(id), max(id), count(*) FROM alerts").fetchone()
        held = f"its {n} alerts have ids {lo} to {hi}" if n else "it holds no alerts"
        return UnknownAlertError(f"There is no alert {alert_id} in {self.path} ({held}).")

    def get(self, alert_id: int) -> Alert:
        """Return one alert.

        Parameters
        ----------
        alert_id : int
            The alert's id.

        Returns
        -------
        alert : Alert
            The alert.

        Raises
        ------
        UnknownAlertError
            If there is no alert ``alert_id``.
        """
        alert_id = _check_id(alert_id)
        with self._transaction("read", "DEFERRED") as conn:
            row = conn.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM {self._alerts_now} WHERE id = ?",
                (alert_id,),
            ).fetchone()
            if row is None:
                raise self._unknown(conn, alert_id)
        return _alert_from_row(row)

    def list(
        self,
        status: str | Sequence[str] | None = None,
        recording: str | None = None,
        limit: int | None = None,
    ) -> builtins.list[Alert]:
        """Return stored alerts, by recording and onset.

        Parameters
        ----------
        status : str | sequence of str | None
            Keep alerts with this status (or these); None keeps all.
        recording : str | None
            Keep alerts of this recording only.
        limit : int | None
            Return at most this many.

        Returns
        -------
        alerts : list of Alert
            Ordered by recording, onset and id.
        """
        statuses = _check_statuses(status)
        where, params = [], []
        if statuses is not None:
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        if recording is not None:
            where.append("recording = ?")
            params.append(_check_text(recording, "recording"))
        sql = f"SELECT {', '.join(_COLUMNS)} FROM {self._alerts_now}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY recording, onset, id"
        if limit is not None:
            limit = _check_id(limit)
            if limit < 0:
                raise ValueError(f"limit must be >= 0 or None, got {limit}.")
            sql += " LIMIT ?"
            params.append(limit)
        with self._transaction("read", "DEFERRED") as conn:
            rows = conn.execute(sql, params).fetchall()
        return [_alert_from_row(row) for row in rows]

    def history(self, alert_id: int) -> builtins.list[Review]:
        """Return the audit trail of one alert, oldest first.

        Parameters
        ----------
        alert_id : int
            The alert's id.

        Returns
        -------
        reviews : list of Review
            Every review action on the alert; empty while it is pending.

        Raises
        ------
        UnknownAlertError
            If there is no alert ``alert_id``.
        """
        alert_id = _check_id(alert_id)
        with self._transaction("read", "DEFERRED") as conn:
            if conn.execute("SELECT 1 FROM alerts WHERE id = ?", (alert_id,)).fetchone() is None:
                raise self._unknown(conn, alert_id)
            rows = conn.execute(
                f"SELECT {', '.join(_REVIEW_COLUMNS)} FROM reviews WHERE alert_id = ? ORDER BY id",
                (alert_id,),
            ).fetchall()
        return [Review(*row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Return how many alerts there are per status.

        Returns
        -------
        counts : dict
            ``{'pending': n, 'confirmed': n, 'rejected': n}``.
        """
        with self._transaction("read", "DEFERRED") as conn:
            rows = conn.execute("SELECT status, count(*) FROM alerts GROUP BY status").fetchall()
        return {**dict.fromkeys(STATUSES, 0), **dict(rows)}

    def check_writable(self) -> AlertStore:
        """Take the write lock once and let it go, so a command knows before its work.

        Returns
        -------
        self : AlertStore
            The store, which can be written now.

        Raises
        ------
        AlertStoreError
            If the store is locked by another program past ``timeout``, or the
            file or its folder is read-only.
        """
        try:
            with self._transaction("write to"):
                pass
        except sqlite3.OperationalError as err:
            raise AlertStoreError(
                f"The alert store {self.path} cannot be written ({err}). Check its permissions "
                "and that no other program holds it, or pass another --db."
            ) from err
        return self

    def check(self) -> builtins.list[str]:
        """Check the store: the problems :meth:`verify` finds.

        Returns
        -------
        problems : list of str
            Empty if the store is intact.
        """
        return self.verify().problems

    def verify(self) -> StoreReport:
        """Prove the store intact, or say where it is not.

        Checks, in order: the schema against an intact store's (tables,
        indexes, triggers); SQLite's own integrity and foreign keys; the hash
        chain of the alerts (each row's hash covers what the detector
        reported and the hash of the alert before it) and of the audit trail
        (each review's hash covers the review, its alert's hash and the
        review before it); and that every alert's status, reviewer and note
        are what its newest review says.

        Returns
        -------
        report : StoreReport
            Row counts, the chains' newest hashes and the problems found.

        Notes
        -----
        The chains show any change made to the file by other programs that
        did not recompute every later hash: an edited, inserted or deleted
        row breaks the chain at the first row that is not intact. Removing
        the newest rows, or rewriting the chains with this code, leaves no
        break inside the file: compare :attr:`StoreReport.alerts_head` and
        :attr:`StoreReport.reviews_head` with values kept elsewhere (a
        report, an export) to rule that out.
        """
        conn = self._connection()
        version = self.schema_version
        problems = [f"schema: {p}" for p in self._altered(conn, version)]
        counts = {"alerts": 0, "reviews": 0, "extents": 0}
        heads = {"alerts": "", "reviews": "", "extents": ""}
        self._begin(conn, "read", "DEFERRED")
        try:
            integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            problems += [f"integrity: {p}" for p in integrity if p != "ok"]
            problems += [
                f"integrity: {table} row {rowid} points to a missing {parent} row"
                for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
            ]
            if version >= 3:
                alert_hashes = self._verify_chain(
                    conn, "alerts", ALERT_HASHED, problems, counts, heads
                )
                self._verify_chain(
                    conn, "reviews", REVIEW_HASHED, problems, counts, heads, alert_hashes
                )
                if version >= 4:
                    self._verify_chain(
                        conn, "extents", EXTENT_HASHED, problems, counts, heads, alert_hashes
                    )
                problems += self._verify_statuses(conn)
            else:
                problems.append(
                    f"schema version {version} has no hash chain: open the store with "
                    "strict=True (any neucube command) to bring it to the current version"
                )
        except sqlite3.DatabaseError as err:
            problems.append(f"the store cannot be read ({err})")
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        return StoreReport(
            path=self.path,
            schema_version=version,
            n_alerts=counts["alerts"],
            n_reviews=counts["reviews"],
            alerts_head=heads["alerts"],
            reviews_head=heads["reviews"],
            problems=problems,
            n_extents=counts["extents"],
            extents_head=heads["extents"],
        )

    @staticmethod
    def _head(conn, table):
        row = conn.execute(f"SELECT hash FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
        return "" if row is None else row[0]

    @staticmethod
    def _verify_chain(conn, table, columns, problems, counts, heads, bind=None):
        """Check one table's chain link by link; return id -> stored hash."""
        what = {"alerts": "alert", "reviews": "review", "extents": "extent"}[table]
        previous, previous_id, hashes, broken = "", None, {}, 0
        sql = f"SELECT id, {', '.join(columns)}, hash FROM {table} ORDER BY id"
        for row in conn.execute(sql):
            row_id, values, stored = row[0], row[1:-1], row[-1]
            extra = () if bind is None else (bind.get(values[0], ""),)
            if stored is None:
                problems.append(
                    f"{table}: {what} {row_id} has no hash: it was not stored by NeuCube-EEG"
                )
                broken += 1
            elif chain_hash(previous, values, *extra) != stored:
                after = "the first row" if previous_id is None else f"{what} {previous_id}"
                changed = (
                    "it was changed" if bind is None else f"it or its alert {values[0]} was changed"
                )
                problems.append(
                    f"{table}: {what} {row_id} is not intact: {changed}, or rows between it "
                    f"and {after} were added or removed"
                )
                broken += 1
            hashes[row_id] = stored
            previous, previous_id = stored or "", row_id
            counts[table] += 1
        heads[table] = previous
        if broken > 1:
            problems.append(f"{table}: {broken} rows in all are not intact")
        return hashes

    @staticmethod
    def _verify_statuses(conn):
        """Check that each alert's review columns follow from its audit rows."""
        problems, last = [], {}
        for alert_id, action, before, after, reviewer, note, at in conn.execute(
            f"SELECT {', '.join(REVIEW_HASHED)} FROM reviews ORDER BY id"
        ):
            status = last.get(alert_id, ("pending",))[0]
            expected_action = "review" if status == "pending" else "revise"
            if before != status or action != expected_action:
                problems.append(
                    f"reviews: a review of alert {alert_id} at {at} starts from {before!r} "
                    f"({action}) but the alert was {status!r} then"
                )
            last[alert_id] = (after, reviewer, at, note)
        names = ("status", "reviewer", "reviewed_at", "note")
        for alert_id, *found in conn.execute(
            f"SELECT id, {', '.join(names)} FROM alerts ORDER BY id"
        ):
            expected = last.get(alert_id, ("pending", None, None, ""))
            differ = [
                f"{name} {got!r} (audit trail: {want!r})"
                for name, got, want in zip(names, found, expected)
                if got != want
            ]
            if differ:
                problems.append(
                    f"alerts: alert {alert_id} does not match its audit trail: " + ", ".join(differ)
                )
        return problems

    # -- export --------------------------------------------------------------

    def export(
        self,
        fname: str | os.PathLike,
        fmt: str = "csv",
        status: str | Sequence[str] | None = None,
        *,
        recording: str | None = None,
        overwrite: bool = True,
    ) -> builtins.list[Path]:
        """Write alerts to a CSV file, SzCORE annotation files or EDF+ annotation files.

        Parameters
        ----------
        fname : path-like
            The file to write (replaced atomically). For ``'szcore'``, when
            the alerts come from more than one recording, it must contain
            ``{recording}``, replaced by each recording's name without folder
            and EEG extension (``out/{recording}_events.tsv``): one file per
            recording. The same holds for ``'edf'``.
        fmt : 'csv' | 'szcore' | 'edf'
            ``'csv'``: one file, one row per alert, every column of the
            ``alerts`` table (``channels`` joined with commas).
            ``'szcore'``: tab-separated SzCORE/HED-SCORE annotations with the
            columns ``onset, duration, eventType, confidence, channels,
            dateTime, recordingDuration``; each alert is an ``sz`` event. One
            file per recording that has alerts of the statuses asked for;
            with ``recording=``, that recording's file is written even
            without any, as one ``bckg`` row spanning the recording.
            ``'edf'``: an EDF+ file of annotations alone per recording
            (:func:`models.seizure.formats.write_edf_annotations`), with the
            recording's start date and time, for EDFbrowser to import next to
            the recording. Each alert is one annotation from its onset for its
            duration, reading ``'seizure <status> by <reviewer>: <note>
            (alert <id>)'``. A recording without alerts of the statuses asked
            for gets no file (EDF+ has no empty annotation file).
        status : str | sequence of str | None
            Which alerts to write. None: the reviewed ones for CSV and EDF+
            (``('confirmed', 'rejected')``, told apart by the ``status``
            column or the annotation's text) and only the confirmed ones for
            SzCORE, which has no status column: every row there reads as a
            seizure.
        recording : str | None
            Write the alerts of this recording only.
        overwrite : bool
            Whether existing files may be replaced; with False, an existing
            target is an error before anything is written. The store itself
            is never written over.

        Returns
        -------
        fnames : list of pathlib.Path
            The files written.
        """
        if fmt not in EXPORT_FORMATS:
            raise ValueError(
                "Invalid value for the 'fmt' parameter. Allowed values are "
                f"{', '.join(repr(f) for f in EXPORT_FORMATS)}, but got {fmt!r} instead."
            )
        if status is None:
            status = ("confirmed",) if fmt == "szcore" else ("confirmed", "rejected")
        statuses = _check_statuses(status)
        fname = Path(os.fspath(fname)).expanduser()
        with self._transaction("read", "DEFERRED") as conn:  # one consistent snapshot
            alerts = self._select_export(conn, statuses, recording)
            meta = self._recording_meta(conn, recording)
        if fmt == "csv":
            self._check_targets([fname], overwrite)
            _write_atomic(fname, _format_csv(alerts))
            logger.info("Wrote %d alert(s) to %s.", len(alerts), fname)
            return [fname]
        if fmt == "edf":
            return self._export_edf(fname, alerts, meta, recording, statuses, overwrite)
        return self._export_szcore(fname, alerts, meta, recording, statuses, overwrite)

    def _export_edf(self, fname, alerts, meta, recording, statuses, overwrite):
        """One EDF+ annotation file per recording with alerts of ``statuses``."""
        from ..seizure.formats import write_edf_annotations

        recordings = sorted({a.recording for a in alerts})
        if len(recordings) > 1 and "{recording}" not in str(fname):
            shown = ", ".join(repr(r) for r in recordings[:4]) + (
                ", ..." if len(recordings) > 4 else ""
            )
            raise ValueError(
                f"An EDF+ annotation file holds one recording, and these alerts come from "
                f"{len(recordings)} recordings ({shown}). Put '{{recording}}' in the file name "
                "(e.g. 'out/{recording}_alerts.edf') or pass recording=."
            )
        if not recordings:
            where = f"recording {recording!r} in " if recording is not None else ""
            logger.warning(
                "No alerts with status %s in %s%s: no EDF+ file written.",
                "/".join(statuses),
                where,
                self.path,
            )
            return []
        targets = {}
        for rec in recordings:
            target = Path(str(fname).replace("{recording}", _file_stem(rec)))
            if target in targets:
                raise ValueError(
                    f"Recordings {targets[target]!r} and {rec!r} would both be written to "
                    f"{target}; their names differ only in folder or extension."
                )
            targets[target] = rec
        self._check_targets(list(targets), overwrite, recordings)
        written = []
        for target, rec in targets.items():
            rows = []
            for a in (a for a in alerts if a.recording == rec):
                text = f"seizure {a.status}"
                if a.reviewer:
                    text += f" by {a.reviewer}"
                if a.note:
                    text += f": {a.note}"
                rows.append((a.onset, a.duration, f"{text} (alert {a.id})"))
            start = meta.get(rec, (None, None))[0]
            written.append(write_edf_annotations(target, rows, meas_date=start, overwrite=True))
            logger.info("Wrote %d EDF+ annotation(s) of %s to %s.", len(rows), rec, target)
        return written

    def _check_targets(self, targets, overwrite, recordings=()):
        """Refuse, before writing any, a target that is the store, a recording, or exists."""
        for target in targets:
            if same_file(target, self.path):
                raise AlertStoreError(
                    f"{target} is the alert store {self.path}; an export never writes over "
                    "it. Choose another file."
                )
            for rec in recordings:
                if same_file(target, rec):
                    raise AlertStoreError(
                        f"{target} is the recording {rec} the alerts belong to; an export "
                        "never writes over it. Choose another file (e.g. one ending in "
                        "_alerts.edf)."
                    )
            if _holds_eeg(target):
                raise AlertStoreError(
                    f"{target} holds EEG signals: an export never writes over a recording, "
                    "even with --overwrite. Choose another file (e.g. one ending in "
                    "_alerts.edf)."
                )
            if not target.parent.is_dir():
                raise AlertStoreError(
                    f"{target}: the folder {target.parent} does not exist. Create it first."
                )
            if target.exists() and not overwrite:
                raise AlertStoreError(f"{target} exists. Pass --overwrite to replace it.")

    def _select_export(self, conn, statuses, recording):
        sql = (
            f"SELECT {', '.join(_COLUMNS)} FROM {self._alerts_now} WHERE status IN "
            f"({', '.join('?' * len(statuses))})"
        )
        params = list(statuses)
        if recording is not None:
            sql += " AND recording = ?"
            params.append(_check_text(recording, "recording"))
            if (
                conn.execute("SELECT 1 FROM alerts WHERE recording = ?", (recording,)).fetchone()
                is None
            ):
                raise AlertStoreError(
                    f"The alert store {self.path} holds no alerts of recording {recording!r}."
                )
        rows = conn.execute(sql + " ORDER BY recording, onset, id", params).fetchall()
        return [_alert_from_row(row) for row in rows]

    @staticmethod
    def _recording_meta(conn, recording):
        """Newest known start and duration of each recording."""
        sql = (
            "SELECT recording, recording_start, recording_duration FROM alerts "
            + ("WHERE recording = ? " if recording is not None else "")
            + "ORDER BY id"
        )
        meta = {}
        for rec, start, dur in conn.execute(sql, () if recording is None else (recording,)):
            old = meta.get(rec, (None, None))
            meta[rec] = (start if start is not None else old[0], dur if dur is not None else old[1])
        return meta

    def _export_szcore(self, fname, alerts, meta, recording, statuses, overwrite):
        if recording is not None:
            recordings = [recording]
        else:
            recordings = sorted({a.recording for a in alerts})
        templated = "{recording}" in str(fname)
        if len(recordings) > 1 and not templated:
            shown = ", ".join(repr(r) for r in recordings[:4])
            shown += ", ..." if len(recordings) > 4 else ""
            raise ValueError(
                f"SzCORE annotations hold one recording per file, and these alerts come from "
                f"{len(recordings)} recordings ({shown}). Put '{{recording}}' in fname "
                f"(e.g. 'out/{{recording}}_events.tsv') or pass recording=."
            )
        if not recordings:
            logger.warning(
                "No alerts with status %s in %s: no SzCORE file written.",
                "/".join(statuses),
                self.path,
            )
        targets = {}
        for rec in recordings:
            target = Path(str(fname).replace("{recording}", _file_stem(rec)))
            if target in targets:
                raise ValueError(
                    f"Recordings {targets[target]!r} and {rec!r} would both be written to "
                    f"{target}; their names differ only in folder or extension."
                )
            targets[target] = rec
        self._check_targets(list(targets), overwrite)
        written = []
        for target, rec in targets.items():
            start, rec_dur = meta.get(rec, (None, None))
            events = [a for a in alerts if a.recording == rec]
            if start is None or rec_dur is None:
                logger.warning(
                    "Recording %s: its %s unknown; SzCORE file %s has 'n/a' there.",
                    rec,
                    " and ".join(
                        n for n, v in (("start", start), ("duration", rec_dur)) if v is None
                    )
                    + (" is" if (start is None) != (rec_dur is None) else " are"),
                    target,
                )
            _write_atomic(target, _format_szcore(events, start, rec_dur))
            logger.info("Wrote %d SzCORE event(s) of %s to %s.", len(events), rec, target)
            written.append(target)
        return written

    # -- life cycle ------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (further use raises :class:`AlertStoreError`)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self._conn is None else f"schema v{self.schema_version}"
        return f"<AlertStore {self.path} | {state}>"
