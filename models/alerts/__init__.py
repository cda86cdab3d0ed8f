r"""The alert store: seizure alerts and their reviews, kept in one SQLite file.

A detector raises alerts; clinicians confirm or reject them. :class:`AlertStore`
keeps both in an SQLite database (Python's :mod:`sqlite3`, nothing to install)
so that every alert can be traced to the model that raised it, and no review
is ever lost or silently changed.

Where the file lives
--------------------
``AlertStore(path)`` opens (or creates) ``path``. Without a path the store is
``alerts.sqlite`` in the user's data folder (see :func:`default_db_path`):
``$NEUCUBE_DATA_DIR`` if set, else ``$XDG_DATA_HOME/neucube-eeg`` or
``~/.local/share/neucube-eeg`` (Linux and other POSIX systems),
``~/Library/Application Support/neucube-eeg`` (macOS) or
``%LOCALAPPDATA%\neucube-eeg`` (Windows). The file must sit on a local disk:
write-ahead logging does not work over network file systems.

Durability and concurrency
--------------------------
Every connection runs with ``journal_mode=WAL`` (readers never block the
writer), ``synchronous=FULL`` (a commit returns only once the write-ahead log
is on disk, so a committed alert survives a crash or power loss),
``foreign_keys=ON`` and a busy timeout (``timeout``, 10 s by default), so that
two processes writing at once wait for each other instead of failing. Every
write is one ``BEGIN IMMEDIATE`` transaction: it takes the write lock first,
so it either waits its turn or fails cleanly, never half-way.

Schema (version 4)
------------------
``alerts`` -- one row per alert:

===================  =====  ==================================================
column               type   meaning
===================  =====  ==================================================
id                   int    primary key (AUTOINCREMENT: never reused)
recording            text   the recording's identifier as the caller gives it
                            (file name or ``chb01_03``); not empty
onset                real   seconds from the start of the recording, >= 0,
                            stored rounded to the millisecond
duration             real   seconds, >= 0
confidence           real   the detector's probability in [0, 1], or NULL
channels             text   the channels most involved: a JSON list of names,
                            e.g. ``["FP1-F7", "F7-T7"]`` (``[]`` if none)
model_id             text   the model that raised the alert; not empty
model_version        text   its version (``''`` if unknown)
threshold            real   the decision threshold in force, or NULL
created_at           text   when it was stored, UTC ISO 8601
status               text   ``'pending'``, ``'confirmed'`` or ``'rejected'``
                            (CHECK constraint)
reviewer             text   who reviewed it last (NULL while pending)
reviewed_at          text   when, UTC ISO 8601 (NULL while pending)
note                 text   the last reviewer's note (``''`` if none)
recording_start      text   start of the recording, ISO 8601, or NULL (v2)
recording_duration   real   length of the recording in seconds, or NULL (v2)
usable               real   share of the event's channel-windows whose EEG was
                            usable, in [0, 1], or NULL (v3)
hash                 text   the alert's link in the hash chain (v3, below)
===================  =====  ==================================================

``reviews`` -- the audit trail, one row per review action, append-only:
``id``, ``alert_id`` (foreign key to ``alerts.id``), ``action``
(``'review'`` for the first review of a pending alert, ``'revise'`` for any
later one), ``status_before``, ``status_after``, ``reviewer`` (not empty),
``note``, ``at`` (UTC ISO 8601) and ``hash`` (v3).

``extents`` -- the extent of an alert's event after the alert was raised,
append-only (v4): ``id``, ``alert_id``, ``state`` (``'ongoing'``: still
growing; ``'closed'``: final), ``duration``, ``confidence``, ``channels``,
``usable``, ``at`` and ``hash``. A live alert is raised as soon as its event
is long enough, and stored with an ``'ongoing'`` row; when the event ends (or
the stream does) its final extent is a ``'closed'`` row
(:meth:`AlertStore.record_extent`). The alert's own row keeps what was known
when it was raised, so the moment it was raised (``onset + duration`` of that
row, :attr:`Alert.raised_time`) never changes. Triggers refuse changing or
deleting a row, a row after the ``'closed'`` one, and an extent shorter than
before. An offline detection stores its alerts at their final extent, with no
row here.

``alerts_now`` -- a view: each alert at its newest extent (``duration``,
``confidence``, ``channels``, ``usable`` from its newest ``extents`` row, if
any), with ``ongoing``, ``raised_duration`` and ``extent_at``. Every read
(:meth:`AlertStore.list`, :meth:`AlertStore.get`, the exports) goes through it.

``runs`` -- one row per recording a model has been run over (v3):
``recording``, ``model_id``, ``model_version`` (unique together),
``duration`` (seconds of EEG), ``usable`` (share of usable channel-windows),
``threshold``, ``n_alerts`` and ``finished_at``. It is written with the
recording's alerts in one transaction (:meth:`AlertStore.record_run`), so that
a batch run again skips what is done (:meth:`AlertStore.finished`); triggers
refuse changing or deleting a row.

``meta`` -- ``key``/``value`` text pairs: what the file is, when it was
created and when each migration ran.

The database enforces the rules itself, so that no other program writing to
the file can break them either: triggers abort any UPDATE or DELETE of a
``reviews`` row, any DELETE of an alert, any change to what the detector
reported (``recording`` ... ``created_at``, ``recording_start``,
``recording_duration``), and any change of an alert's ``status``,
``reviewer``, ``reviewed_at`` or ``note`` that does not match the newest audit
row of that alert. A review therefore writes the audit row first and then
the alert, both in one transaction.

Self-check and hash chains
--------------------------
Opening a store compares its tables, indexes and triggers with those an
intact store of its version has (:func:`~models.alerts.schema.expected_schema`):
a store altered with another SQLite program (a trigger dropped or changed, a
table dropped or added) is refused with :class:`AlertStoreAlteredError`, and
left untouched. Each alert's ``hash`` is the SHA-256 of the previous alert's
hash and what the detector reported; each audit row's ``hash`` that of the
previous audit row's hash, the review and its alert's hash, and each extent
row's likewise (:func:`~models.alerts.schema.chain_hash`). Triggers refuse rows stored
without a hash and any change to one. :meth:`AlertStore.verify` (``neucube
alerts verify``) recomputes the chains and names the first row that is not
intact: a row edited, inserted or removed by another program breaks the
chain there, even when the triggers were dropped and put back. It also checks
SQLite's integrity and that every alert's status follows from its audit rows,
and reports the newest hashes: kept apart from the store, they also expose
the newest rows removed or every hash recomputed.

Duplicates
----------
An alert is identified by ``(recording, model_id, model_version, onset)``
(a UNIQUE constraint; onsets are rounded to the millisecond before storing,
so that the same event computed twice compares equal). Adding an alert that
is already stored does nothing and returns the stored alert's id: re-running
detection on the same recording with the same model never duplicates alerts
and never resets or overwrites a review; the first stored values are kept.
The threshold is deliberately not part of the key, so a re-run at another
operating point does not ask clinicians to review the same event again. A
new model or model version is a new source of alerts, and its alerts are
stored next to the old ones. Events with different onsets are different
alerts: merging overlapping events is the detector's job.

Versions and migrations
-----------------------
The schema version is ``PRAGMA user_version`` and the file is marked as ours
with ``PRAGMA application_id`` (:data:`APPLICATION_ID`). Opening a file runs
the missing steps of :data:`MIGRATIONS` (function ``k`` takes version ``k`` to
``k + 1``) in one transaction under the write lock, after copying the file to
``<name>.v<old>-<UTC time>.bak`` next to it. A failed migration leaves the file
as it was. A file from a newer schema than this code knows, an SQLite file
that is not an alert store, and a file that is not SQLite are refused with
:class:`AlertStoreError`, and left untouched.
"""

from .export import EXPORT_FORMATS
from .records import REVIEW_STATUSES, STATES, STATUSES, Alert, Extent, Review
from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from .store import (
    DB_NAME,
    DEFAULT_TIMEOUT,
    AlertStore,
    AlertStoreAlteredError,
    AlertStoreError,
    StoreReport,
    UnknownAlertError,
    default_db_path,
)

__all__ = [
    "APPLICATION_ID",
    "Alert",
    "AlertStore",
    "AlertStoreAlteredError",
    "AlertStoreError",
    "DB_NAME",
    "DEFAULT_TIMEOUT",
    "EXPORT_FORMATS",
    "Extent",
    "MIGRATIONS",
    "REVIEW_STATUSES",
    "Review",
    "SCHEMA_VERSION",
    "STATES",
    "STATUSES",
    "StoreReport",
    "UnknownAlertError",
    "default_db_path",
]
