"""The alert record: one seizure alert, stored or about to be, and its reviews.

An :class:`Alert` is what a detector raised about a stretch of a recording,
with the model that raised it and, once stored, its review status. The
offline detector (``neucube detect``), the live pipeline and the app all speak
it: :meth:`Alert.from_event` makes one from a
:class:`~models.seizure.events.SeizureEvent`, :attr:`Alert.event` gives the
event back, and :meth:`AlertStore.add_alerts
<models.alerts.store.AlertStore.add_alerts>` stores it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..seizure.events import SeizureEvent

STATUSES = ("pending", "confirmed", "rejected")
REVIEW_STATUSES = ("confirmed", "rejected")

# The detector's fields, in the order add_alert takes them.
INPUT_FIELDS = (
    "recording",
    "onset",
    "duration",
    "confidence",
    "channels",
    "model_id",
    "model_version",
    "threshold",
    "recording_start",
    "recording_duration",
    "usable",
)
COLUMNS = (
    "id",
    "recording",
    "onset",
    "duration",
    "confidence",
    "channels",
    "model_id",
    "model_version",
    "threshold",
    "created_at",
    "status",
    "reviewer",
    "reviewed_at",
    "note",
    "recording_start",
    "recording_duration",
    "usable",
    "ongoing",
    "raised_duration",
    "extent_at",
)
"""The fields of an :class:`Alert`, as the store's ``alerts_now`` view gives them."""

STATES = ("ongoing", "closed")
"""The states of an alert's event: still growing, or at its final extent."""

EXTENT_COLUMNS = (
    "id",
    "alert_id",
    "state",
    "duration",
    "confidence",
    "channels",
    "usable",
    "at",
)

REVIEW_COLUMNS = (
    "id",
    "alert_id",
    "action",
    "status_before",
    "status_after",
    "reviewer",
    "note",
    "at",
)


@dataclasses.dataclass(frozen=True)
class Alert:
    """One stored seizure alert (a row of the ``alerts`` table).

    Attributes
    ----------
    id : int | None
        The alert's id in its store; None until stored.
    recording : str
        Identifier of the recording.
    onset, duration : float
        Start (seconds from the start of the recording) and length, seconds,
        of the event the alert belongs to: its final extent once it is
        closed, its extent so far while ``ongoing``.
    confidence : float | None
        The detector's probability, in [0, 1] (over the event's extent).
    channels : tuple of str
        The channels most involved (over the event's extent).
    model_id, model_version : str
        The model that raised the alert.
    threshold : float | None
        The decision threshold in force.
    created_at : str | None
        When the alert was stored, UTC ISO 8601; None until stored.
    status : str
        ``'pending'``, ``'confirmed'`` or ``'rejected'``.
    reviewer, reviewed_at : str | None
        Who reviewed it last, and when (UTC ISO 8601); None while pending.
    note : str
        The last reviewer's note.
    recording_start : str | None
        Start of the recording, ISO 8601.
    recording_duration : float | None
        Length of the recording, seconds.
    usable : float | None
        Share of the event's channel-windows whose EEG was usable (neither
        flat, disconnected, saturated nor missing), in [0, 1]; None when not
        known (alerts stored before schema version 3).
    ongoing : bool
        Whether the event is still growing: a live alert is ongoing from the
        moment it is raised until its event ends (or the stream does). Its
        ``duration`` is then the extent known so far. False for alerts of an
        offline detection, which are stored at their final extent.
    raised_duration : float | None
        The event's length when the alert was raised, seconds. The alert was
        raised at ``onset + raised_duration`` into the recording (the end of
        the window that made the event long enough, for a live alert); that
        moment never changes, however long the event grows. None until
        stored.
    extent_at : str | None
        When the newest extent was recorded, UTC ISO 8601; None when the
        alert was stored at its final extent.
    latency : float | None
        For an alert raised live: seconds from the arrival of the last sample
        of the window that raised it to the alert (not stored; None when read
        from a store).
    """

    id: int | None
    recording: str
    onset: float
    duration: float
    confidence: float | None
    channels: tuple
    model_id: str
    model_version: str = ""
    threshold: float | None = None
    created_at: str | None = None
    status: str = "pending"
    reviewer: str | None = None
    reviewed_at: str | None = None
    note: str = ""
    recording_start: str | None = None
    recording_duration: float | None = None
    usable: float | None = None
    ongoing: bool = False
    raised_duration: float | None = None
    extent_at: str | None = None
    latency: float | None = dataclasses.field(default=None, compare=False)

    @classmethod
    def from_event(
        cls,
        event: SeizureEvent,
        *,
        recording: str,
        model_id: str,
        model_version: str = "",
        threshold: float | None = None,
        recording_start: str | None = None,
        recording_duration: float | None = None,
        latency: float | None = None,
        ongoing: bool = False,
    ) -> Alert:
        """Make a pending, not yet stored alert of a detected event.

        Parameters
        ----------
        event : SeizureEvent
            What the detector found.
        recording : str
            Identifier of the recording.
        model_id, model_version : str
            The model that raised it.
        threshold : float | None
            The decision threshold in force.
        recording_start : str | None
            Start of the recording, ISO 8601.
        recording_duration : float | None
            Length of the recording, seconds.
        latency : float | None
            Live only: seconds from the last sample of the window that raised
            the alert to the alert.
        ongoing : bool
            Whether the event may still grow (a live alert, raised as soon as
            its event is long enough).

        Returns
        -------
        alert : Alert
            With ``id`` and ``created_at`` None until stored.
        """
        return cls(
            id=None,
            recording=recording,
            onset=float(event.onset),
            duration=float(event.duration),
            confidence=event.confidence,
            channels=tuple(event.channels),
            model_id=model_id,
            model_version=model_version,
            threshold=threshold,
            recording_start=recording_start,
            recording_duration=recording_duration,
            usable=event.usable,
            ongoing=bool(ongoing),
            latency=latency,
        )

    @property
    def event(self) -> SeizureEvent:
        """SeizureEvent: The stretch of EEG the alert is about."""
        from ..seizure.events import SeizureEvent

        return SeizureEvent(
            self.onset,
            self.duration,
            confidence=self.confidence,
            channels=self.channels,
            usable=self.usable,
        )

    @property
    def end(self) -> float:
        """float: ``onset + duration``, seconds."""
        return self.onset + self.duration

    @property
    def raised_time(self) -> float | None:
        """float | None: Seconds into the recording at which the alert was raised."""
        if self.raised_duration is None:
            return None
        return self.onset + self.raised_duration

    def with_extent(self, event: SeizureEvent, *, ongoing: bool) -> Alert:
        """Return the alert with its event at a new extent.

        Parameters
        ----------
        event : SeizureEvent
            The event as known now (same onset).
        ongoing : bool
            Whether it may still grow.

        Returns
        -------
        alert : Alert
            A copy with the event's duration, confidence, channels and usable
            share; the moment it was raised is kept.
        """
        raised = self.raised_duration if self.raised_duration is not None else self.duration
        return dataclasses.replace(
            self,
            duration=float(event.duration),
            confidence=event.confidence,
            channels=tuple(event.channels),
            usable=event.usable,
            ongoing=bool(ongoing),
            raised_duration=raised,
        )

    def to_dict(self) -> dict:
        """Return the alert as a dict of plain JSON-ready values.

        Returns
        -------
        alert : dict
            One key per column of the ``alerts`` table (``channels`` as a
            list), and ``latency`` when known.
        """
        out = {c: getattr(self, c) for c in COLUMNS}
        out["channels"] = list(self.channels)
        if self.latency is not None:
            out["latency"] = self.latency
        return out


@dataclasses.dataclass(frozen=True)
class Extent:
    """One recorded extent of an alert's event (a row of the ``extents`` table).

    Attributes
    ----------
    id : int
        The row's id.
    alert_id : int
        The alert.
    state : str
        ``'ongoing'`` (the event was still growing) or ``'closed'`` (its
        final extent).
    duration : float
        The event's length then, seconds (its onset is the alert's).
    confidence : float | None
        The detector's probability over that extent.
    channels : tuple of str
        The channels most involved over that extent.
    usable : float | None
        Share of its channel-windows that were usable.
    at : str
        When it was recorded, UTC ISO 8601.
    """

    id: int
    alert_id: int
    state: str
    duration: float
    confidence: float | None
    channels: tuple
    usable: float | None
    at: str

    def to_dict(self) -> dict:
        """Return the row as a dict of plain JSON-ready values.

        Returns
        -------
        extent : dict
            One key per attribute (``channels`` as a list).
        """
        out = dataclasses.asdict(self)
        out["channels"] = list(self.channels)
        return out


@dataclasses.dataclass(frozen=True)
class Review:
    """One audit row (a row of the ``reviews`` table).

    Attributes
    ----------
    id : int
        The audit row's id (increases with time).
    alert_id : int
        The alert reviewed.
    action : str
        ``'review'`` (first review of a pending alert) or ``'revise'``.
    status_before, status_after : str
        The alert's status before and after.
    reviewer : str
        Who reviewed.
    note : str
        The reviewer's note.
    at : str
        When, UTC ISO 8601.
    """

    id: int
    alert_id: int
    action: str
    status_before: str
    status_after: str
    reviewer: str
    note: str
    at: str

    def to_dict(self) -> dict:
        """Return the audit row as a dict.

        Returns
        -------
        review : dict
            One key per attribute.
        """
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------
# Schema and migrations


def alert_from_row(row: Sequence) -> Alert:
    """Build an :class:`Alert` from a row of the ``alerts_now`` view (``COLUMNS`` order)."""
    values = dict(zip(COLUMNS, row))
    values["channels"] = tuple(json.loads(values["channels"]))
    values["ongoing"] = bool(values["ongoing"])
    return Alert(**values)


def extent_from_row(row: Sequence) -> Extent:
    """Build an :class:`Extent` from a row of the ``extents`` table (``EXTENT_COLUMNS`` order)."""
    values = dict(zip(EXTENT_COLUMNS, row))
    values["channels"] = tuple(json.loads(values["channels"]))
    return Extent(**values)
