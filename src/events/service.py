"""Events and sign-ups: every change is one write transaction that reads, applies rules.py and writes.

Seats are counted under a lock on the event row (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the
writer transaction is already serialized), and the database refuses more confirmed seats than the capacity
and a second active sign-up, whatever a bug above it might do. Notifications are enqueued in the same
transaction. Errors are src.exceptions errors with messages a person can read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from piccolo.engine import engine_finder

from src import audit, db
from src.accounts import families, permissions
from src.accounts import service as accounts_service
from src.accounts.exceptions import CardBlocked
from src.accounts.permissions import Principal
from src.accounts.tables import ReaderCard
from src.config import get_settings
from src.db import is_postgres, write_transaction
from src.events import claims
from src.events import messages as event_messages
from src.events import rules
from src.events.constants import (
    ACTIVE,
    BY_READER,
    BY_STAFF,
    CANCELLED,
    CONFIRMED,
    EVENT_WAS_CANCELLED,
    NO_SHOW_DAYS,
    REG_CANCELLED,
    RELEASED,
    SCHEDULED,
    WAITLISTED,
)
from src.events.tables import Event, EventSeries, Registration
from src.exceptions import AppError, Conflict, FieldError, Forbidden, Gone, Invalid, NotFound
from src.i18n import _, fmt_datetime
from src.notifications import service as notifications
from src.ops import metrics
from src.branches import occupancy
from src.rooms import bookings as rooms_bookings  # registers the kinds of held time first (occupancy)
from src.rooms import service as rooms_service
from src.rooms.bookings import Reservation
from src.rooms.constants import ACTIVE_STATUSES as BOOKING_ACTIVE
from src.rooms.constants import HOLDER_EVENT
from src.rooms.tables import Booking
from src.timeutil import aware, local, now_utc


def _tx():
    return write_transaction(engine_finder())


async def _locked_event(event_id: int) -> dict:
    """The event row, locked against concurrent sign-ups until the transaction ends."""
    return await _read_event(event_id, lock=True)


async def _read_event(event_id: int, lock: bool = False) -> dict:
    """The event row (``lock``: locked until the transaction ends, on PostgreSQL; SQLite's writer is alone)."""
    query = Event.select().where(Event.id == event_id)
    if lock and is_postgres(engine_finder()):
        query = query.lock_rows("UPDATE", of=(Event,))
    row = await query.first()
    if row is None:
        raise NotFound(_("There is no such event"))
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        if row[name] is not None:
            row[name] = aware(row[name])
    return row


def _is_integrity_error(error: Exception) -> bool:
    return type(error).__name__ in ("IntegrityError", "UniqueViolationError", "CheckViolationError") or "constraint" in str(error).lower()


def require_manager(principal: Principal | None, branch_id: int) -> None:
    if not permissions.can_manage_events(principal, branch_id):
        raise Forbidden(_("This is for staff of the event's branch"))


# --- creating and changing events -------------------------------------------------------------------------


@dataclass
class EventInput:
    title: str
    category: str
    branch: str
    starts_at: datetime | None
    ends_at: datetime | None
    description: str = ""
    zone_id: int | None = None
    audience: str = ""
    capacity: int | None = None
    seats_per_signup: int = 1
    min_age: int | None = None
    max_age: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    waitlist: bool = True
    recurrence: str = ""
    host_name: str = ""
    host_profession: str = ""
    host_organisation: str = ""
    profession_types: list[str] = field(default_factory=list)
    career_fields: list[str] = field(default_factory=list)
    accessibility: str = ""
    confirm_hours_before: int | None = None


def _facts(data: EventInput) -> rules.EventFacts:
    return rules.EventFacts(
        title=data.title,
        category=data.category,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
        seats_per_signup=data.seats_per_signup,
        min_age=data.min_age,
        max_age=data.max_age,
        registration_opens_at=data.registration_opens_at,
        registration_closes_at=data.registration_closes_at,
        profession_types=tuple(data.profession_types),
        confirm_hours_before=data.confirm_hours_before,
    )


async def _branch_for(slug: str) -> rooms_service.BranchZones:
    try:
        return await rooms_service.get_branch(slug)
    except NotFound:
        raise Invalid.one("branch", _("Unknown library branch: %(slug)s", slug=slug)) from None


def _zone_errors(branch: rooms_service.BranchZones, zone_id: int | None) -> list[FieldError]:
    if zone_id is not None and zone_id not in {zone.id for zone in branch.zones}:
        return [FieldError("zone_id", _("This zone is not in %(branch)s", branch=branch.short_name))]
    return []


def _timing_errors(branch: rooms_service.BranchZones, data: EventInput) -> list[FieldError]:
    """An event already over, or one that does not fit in its zone's hours that day (issue 16, item 7)."""
    if not data.starts_at or not data.ends_at or data.ends_at <= data.starts_at:
        return []  # event_errors says what is wrong with the times
    tz = ZoneInfo(branch.timezone)
    held = data.zone_id in {zone.id for zone in branch.zones}
    hours = branch.schedule_of_zone(data.zone_id).day(data.starts_at.astimezone(tz).date()).intervals if held else None
    return rules.timing_errors(data.starts_at, data.ends_at, now_utc(), hours, tz)


def _row_values(data: EventInput) -> dict[str, Any]:
    return dict(
        title=data.title.strip(),
        description=data.description,
        category=data.category,
        audience=data.audience.strip(),
        zone=data.zone_id,
        min_age=data.min_age,
        max_age=data.max_age,
        capacity=data.capacity,
        seats_per_signup=data.seats_per_signup if data.capacity is not None else 1,
        waitlist=data.waitlist,
        host_name=data.host_name.strip(),
        host_profession=data.host_profession.strip(),
        host_organisation=data.host_organisation.strip(),
        profession_types=",".join(dict.fromkeys(data.profession_types)),
        career_fields=",".join(dict.fromkeys(item.strip() for item in data.career_fields if item.strip())),
        accessibility=data.accessibility,
        confirm_hours_before=data.confirm_hours_before,
        search_text=rules.search_text(data.title, data.host_name, data.host_profession, data.host_organisation, data.audience, data.description),
    )


async def create_event(principal: Principal, data: EventInput) -> list[int]:
    """One event, or every occurrence of a series; each holds its zone. Returns the ids in date order."""
    branch = await _branch_for(data.branch)
    if not permissions.can_manage_events(principal, branch.id):
        raise Forbidden(_("Only staff of %(branch)s can create its events", branch=branch.short_name))
    errors = rules.event_errors(_facts(data)) + _zone_errors(branch, data.zone_id)
    errors = errors or _timing_errors(branch, data)
    starts: list[datetime] = []
    if not errors and data.starts_at and data.ends_at:
        if data.recurrence.strip():
            try:
                starts = rules.occurrences(data.recurrence, data.starts_at, ZoneInfo(branch.timezone))
            except ValueError as error:
                errors.append(FieldError("recurrence", str(error)))
        else:
            starts = [data.starts_at]
    if errors:
        raise Invalid(errors=errors)
    assert data.starts_at and data.ends_at
    duration = data.ends_at - data.starts_at
    opens_before = data.starts_at - data.registration_opens_at if data.registration_opens_at else None
    closes_before = data.starts_at - data.registration_closes_at if data.registration_closes_at else None
    now = now_utc()
    values = _row_values(data)
    ids = []
    async with _tx():
        series_id = None
        if len(starts) > 1 or data.recurrence.strip():
            series = EventSeries(branch=branch.id, recurrence=data.recurrence.strip(), created_by=principal.id, created_at=now)
            await series.save()
            series_id = series.id
        for start in starts:
            event = Event(
                branch=branch.id,
                series=series_id,
                starts_at=start,
                ends_at=start + duration,
                registration_opens_at=start - opens_before if opens_before is not None else None,
                registration_closes_at=start - closes_before if closes_before is not None else None,
                status=SCHEDULED,
                created_by=principal.id,
                created_at=now,
                updated_at=now,
                **values,
            )
            await event.save()
            await audit.record(principal, "create", "event", event.id, branch_id=branch.id, changes=audit.diff(None, {"series": series_id, "starts_at": start, "ends_at": start + duration, **{k: v for k, v in values.items() if k != "search_text"}}))
            await _hold_zone(event.id, data.zone_id, start, start + duration, principal, data.title, data.capacity)
            ids.append(event.id)
    return ids


@dataclass
class EventChange:
    """A partial update: only the fields that are not None (or listed in ``clear``) change."""

    values: dict[str, Any]
    clear: set[str] = field(default_factory=set)


EDITABLE = (
    "title", "description", "category", "audience", "zone_id", "starts_at", "ends_at", "capacity", "seats_per_signup",
    "min_age", "max_age", "registration_opens_at", "registration_closes_at", "waitlist", "host_name", "host_profession",
    "host_organisation", "profession_types", "career_fields", "accessibility", "confirm_hours_before",
)


async def update_event(principal: Principal, event_id: int, change: EventChange) -> int:
    """Edit, move or resize one event (one occurrence of a series, never the rest). Returns how many people
    signed up are told what changed."""
    async with _tx():
        row = await _locked_event(event_id)
        if not permissions.can_manage_events(principal, row["branch"]):
            raise Forbidden(_("Only staff of the event's branch can change it"))
        if row["status"] == CANCELLED:
            raise Conflict(_("This event is cancelled and can no longer be changed"))
        current = EventInput(
            title=row["title"], category=row["category"], branch="", starts_at=row["starts_at"], ends_at=row["ends_at"],
            description=row["description"], zone_id=row["zone"], audience=row["audience"], capacity=row["capacity"],
            seats_per_signup=row["seats_per_signup"], min_age=row["min_age"], max_age=row["max_age"],
            registration_opens_at=row["registration_opens_at"], registration_closes_at=row["registration_closes_at"],
            waitlist=row["waitlist"], host_name=row["host_name"], host_profession=row["host_profession"],
            host_organisation=row["host_organisation"], profession_types=rules.split_list(row["profession_types"]),
            career_fields=rules.split_list(row["career_fields"]), accessibility=row["accessibility"],
            confirm_hours_before=row["confirm_hours_before"],
        )
        given = {name for name, value in change.values.items() if value is not None} | change.clear
        if "starts_at" in given and change.values.get("starts_at") is not None:
            shift = change.values["starts_at"] - row["starts_at"]  # a move keeps the length and the sign-up window
            current.ends_at = row["ends_at"] + shift
            for name in ("registration_opens_at", "registration_closes_at"):
                if name not in given and getattr(current, name) is not None:
                    setattr(current, name, getattr(current, name) + shift)
        for name, value in change.values.items():
            if name in EDITABLE and value is not None:
                setattr(current, name, value)
        for name in change.clear:
            if name in EDITABLE:
                setattr(current, name, None if name not in ("description", "audience", "accessibility") else "")
        branch = await rooms_service.branch_by_id(row["branch"])
        errors = rules.event_errors(_facts(current)) + _zone_errors(branch, current.zone_id)
        problem = rules.capacity_problem(current.capacity, row["seats_taken"])
        if problem:
            errors.append(FieldError("capacity", problem))
        elif current.capacity is None and row["capacity"] is not None and (row["seats_taken"] or await _waiting_count(event_id)):
            errors.append(FieldError("capacity", _("Readers have signed up: the event cannot become one without sign-up")))
        moved = current.starts_at != row["starts_at"] or current.ends_at != row["ends_at"] or current.zone_id != row["zone"]
        if moved and not errors:
            errors = _timing_errors(branch, current)
        if errors:
            raise Invalid(errors=errors)
        values = _row_values(current)
        values.update(starts_at=current.starts_at, ends_at=current.ends_at, registration_opens_at=current.registration_opens_at,
                      registration_closes_at=current.registration_closes_at, updated_at=now_utc())
        await Event.update({getattr(Event, name): value for name, value in values.items()}).where(Event.id == event_id)
        await audit.record(principal, "update", "event", event_id, branch_id=row["branch"], changes=audit.diff(row, values, fields=[name for name in values if name not in ("updated_at", "search_text")]))
        if moved:
            await _move_zone(event_id, current.zone_id, current.starts_at, current.ends_at, principal, current.title, current.capacity)
        changes = event_messages.changes_of(row, values)
        told = 0
        if changes:  # everyone signed up (confirmed or waiting) hears what changed, once per edit
            host = ", ".join(part for part in (current.host_name.strip(), current.host_profession.strip(), current.host_organisation.strip()) if part)
            told = await _notify_event(event_id, event_messages.EVENT_CHANGED, event_messages.SUBJECTS[event_messages.EVENT_CHANGED], current.title, current.starts_at, branch.timezone,
                                cause=values["updated_at"].isoformat(), changes=changes, old_title=row["title"], host=host)
        await _promote(await _locked_event(event_id))
    return told


async def cancel_event(principal: Principal, event_id: int, reason: str = "") -> None:
    """The event stays in the catalogue, marked cancelled; its sign-ups end and every holder is told why."""
    if not reason.strip():
        raise Invalid.one("reason", _("Say why the event is cancelled: everyone signed up reads it"))
    async with _tx():
        row = await _locked_event(event_id)
        if not permissions.can_manage_events(principal, row["branch"]):
            raise Forbidden(_("Only staff of the event's branch can cancel it"))
        if row["status"] == CANCELLED:
            return
        now = now_utc()
        branch = await rooms_service.branch_by_id(row["branch"])
        await _notify_event(event_id, event_messages.EVENT_CANCELLED, event_messages.SUBJECTS[event_messages.EVENT_CANCELLED], row["title"], row["starts_at"], branch.timezone, cause="", reason=reason)
        ended = await Registration.update(
            {Registration.status: REG_CANCELLED, Registration.cancelled_at: now, Registration.cancel_reason: EVENT_WAS_CANCELLED}
        ).where((Registration.event == event_id) & Registration.status.is_in(list(ACTIVE))).returning(Registration.id)
        await audit.record(principal, "cancel", "event", event_id, branch_id=row["branch"], changes={"status": (row["status"], CANCELLED), "cancel_reason": (row["cancel_reason"], reason.strip()[:300])})
        await audit.record_many(principal, "cancel", "registration", {item["id"]: {"cancel_reason": (None, EVENT_WAS_CANCELLED)} for item in ended}, branch_id=row["branch"])
        await Event.update(
            {Event.status: CANCELLED, Event.cancelled_at: now, Event.cancel_reason: reason.strip()[:300], Event.seats_taken: 0, Event.updated_at: now}
        ).where(Event.id == event_id)
        await _free_zone(event_id, principal, reason or _("The event was cancelled"))


async def _notify_event(event_id: int, kind: str, subject: str, title: str, starts_at: datetime, tz: str, cause: str, reason: str = "", **extra: Any) -> int:
    """Everyone signed up (confirmed or waiting) gets the message; returns how many they are."""
    readers = await Registration.select(Registration.reader).where((Registration.event == event_id) & Registration.status.is_in(list(ACTIVE)))
    await notifications.enqueue(
        kind,
        [row["reader"] for row in readers],
        subject,
        {"event_id": event_id, "title": title, "starts_at": starts_at.isoformat(), "timezone": tz, "reason": reason, **extra},
        cause=f"{event_id}{':' + cause if cause else ''}",
        subject_vars={"title": title},
    )
    return len(readers)


# --- the zone, through the rooms service ---------------------------------------------------------------------


ROOM_FIELDS = {"headcount": "capacity", "starts_at": "starts_at", "ends_at": "ends_at"}


async def _hold_zone(event_id: int, zone_id: int | None, starts_at: datetime, ends_at: datetime, principal: Principal, title: str, headcount: int | None) -> None:
    """Reserve the event's zone (holder kind "event") inside the caller's transaction.

    A clash is the rooms service's BookingClash (409) and a broken rule of the zone (hours, closures, its
    capacity) an Invalid (422): either way the caller's transaction rolls back and nothing is written.
    """
    if zone_id is None:
        return
    try:
        await rooms_bookings.reserve(
            Reservation(
                zone_id=zone_id, starts_at=starts_at, ends_at=ends_at, holder_kind=HOLDER_EVENT, holder_ref=event_id,
                actor_id=principal.id, purpose=title[:300], headcount=headcount or 1,
            )
        )
    except Invalid as error:
        errors = [FieldError(ROOM_FIELDS.get(item.field, "zone_id"), item.message) for item in error.errors]
        raise Invalid(detail=error.detail, errors=errors) from None


async def _free_zone(event_id: int, principal: Principal, reason: str = "") -> None:
    rows = await Booking.select(Booking.id).where(
        (Booking.holder_kind == HOLDER_EVENT) & (Booking.holder_ref == event_id) & Booking.status.is_in(list(BOOKING_ACTIVE))
    )
    if rows:
        await rooms_bookings.release([row["id"] for row in rows], principal.id, reason)


async def _move_zone(event_id: int, zone_id: int | None, starts_at: datetime, ends_at: datetime, principal: Principal, title: str, headcount: int | None) -> None:
    """Moving is releasing the old hold and reserving the new one in the same transaction: all or nothing."""
    await _free_zone(event_id, principal, _("The event moved"))
    await _hold_zone(event_id, zone_id, starts_at, ends_at, principal, title, headcount)


# --- signing up ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignUpResult:
    id: int
    event_id: int
    status: str
    seats: int
    waitlist_position: int | None
    ticket_code: str
    confirmation_required: bool


async def no_show_count(reader_id: int, now: datetime | None = None) -> int:
    """Confirmed seats not used at events (in any branch) that ended in the last 90 days and took attendance."""
    return (await no_show_counts([reader_id], now)).get(reader_id, 0)


async def no_show_counts(reader_ids: list[int], now: datetime | None = None) -> dict[int, int]:
    """``no_show_count`` of several readers in one query (readers with none are absent)."""
    if not reader_ids:
        return {}
    now = now or now_utc()
    rows = await db.fetch(
        Registration._meta.db,
        f"SELECT r.reader, COUNT(*) AS n FROM registration r JOIN event x ON x.id = r.event WHERE r.reader IN ({db.params(len(reader_ids))}) AND {claims.NO_SHOW_WHERE} GROUP BY r.reader",
        *reader_ids, True, now, now - timedelta(days=NO_SHOW_DAYS),
    )
    return {row["reader"]: row["n"] for row in rows}


def _window_error(row: dict, problem: str, tz: str) -> Invalid:
    opens, closes = rules.registration_window(row["starts_at"], row["registration_opens_at"], row["registration_closes_at"])
    closes_text = fmt_datetime(local(closes, tz), "d MMMM, HH:mm")
    if problem == "not_open":
        assert opens is not None
        message = _("Sign-up opens %(opens)s and closes %(closes)s", opens=fmt_datetime(local(opens, tz), "d MMMM, HH:mm"), closes=closes_text)
    else:
        message = _("Sign-up closed %(closes)s", closes=closes_text)
    return Invalid(
        detail=message,
        errors=[FieldError("event", message)],
        extra={"registration_opens_at": opens.isoformat() if opens else None, "registration_closes_at": closes.isoformat()},
    )


async def _waiting_count(event_id: int) -> int:
    return await Registration.count().where((Registration.event == event_id) & (Registration.status == WAITLISTED))


async def sign_up(principal: Principal, event_id: int, seats: int = 1, card_number: str | None = None) -> SignUpResult:
    """A reader signs up themself; staff of the event's branch sign up a walk-in reader by card number.

    Everything that can be checked is checked before the writing transaction (the event as read then, the
    card, age, seats, an active sign-up already there), and the audit entry and messages are made ready for
    either outcome; src/events/claims.py then claims the seat or a place in the queue and writes the sign-up,
    its audit entry and its messages in one short transaction."""
    by_staff = bool(card_number)
    if by_staff:
        reader_id = (await accounts_service.find_card(card_number or "")).account_id
        if principal.is_reader:  # a guardian signs their child up, as the child would
            if not await families.is_guardian_of(principal.id, reader_id):
                raise Forbidden(_("You can sign up only yourself and the children linked to your account"))
            by_staff = False
    elif permissions.can_sign_up_self(principal):
        reader_id = principal.id
    else:
        raise Forbidden(_("Sign-up is for readers with a library card; staff give the reader's card number"))
    now = now_utc()
    row = await claims.facts(event_id, reader_id, now)
    if row["card_number"] is None:
        raise NotFound(_("This account has no reader card"))
    if row["blocked_at"] is not None:  # 403 with the reason for a blocked card
        raise CardBlocked(row["card_number"], row["blocked_reason"])
    if row["id"] is None:
        raise NotFound(_("There is no such event"))
    probation = not by_staff and rules.needs_confirmation(row["no_shows"], get_settings().no_show_limit)
    code = rules.new_ticket_code()
    branch = await rooms_service.branch_by_id(row["branch"])
    if by_staff and not permissions.can_sign_up_others(principal, row["branch"]):
        raise Forbidden(_("Only staff of %(branch)s can sign readers up for its events", branch=branch.short_name))
    if row["status"] == CANCELLED:
        raise Conflict(_("This event is cancelled"))
    if row["capacity"] is None:
        raise Invalid.one("event", _("No sign-up is needed for this event: just come"))
    if by_staff:
        if now >= row["ends_at"]:
            raise Invalid.one("event", _("This event is over"))
    else:
        problem = rules.window_problem(now, row["starts_at"], row["registration_opens_at"], row["registration_closes_at"])
        if problem:
            raise _window_error(row, problem, branch.timezone)
    tz = ZoneInfo(branch.timezone)
    reason = rules.age_problem(row["birth_date"], row["guardian_consent_at"] is not None, row["starts_at"].astimezone(tz).date(), row["min_age"], row["max_age"], for_staff=by_staff)
    if reason:
        raise Invalid.one("age", reason)
    problem = rules.seats_problem(seats, row["seats_per_signup"])
    if problem:
        raise Invalid.one("seats", problem)
    already = _already_signed_up()
    if row["already"]:
        raise already
    deadline = rules.confirm_deadline(row["starts_at"], row["confirm_hours_before"], probation)
    late = deadline is not None and now >= deadline  # signing up after the deadline is itself the confirmation
    confirmed_at = now if (late or by_staff) else None
    recipients = await notifications.audience([reader_id])
    confirm_by = deadline.isoformat() if deadline is not None and confirmed_at is None else ""
    facts = {"event": event_id, "reader": reader_id, "seats": seats, "confirmation_required": probation or None}
    audit_rows, messages = {}, {}
    for status in (CONFIRMED, WAITLISTED):  # the outcome is known only under the lock: both are ready
        audit_rows[status] = audit.entry_values(principal, "create", "registration", None, branch_id=row["branch"], changes=audit.diff(None, {**facts, "status": status}), at=now)
        kind = event_messages.SIGNED_UP if status == CONFIRMED else event_messages.WAITLISTED
        messages[status] = notifications.outbox_values(
            kind, recipients, event_messages.SUBJECTS[kind],
            {"event_id": event_id, "title": row["title"], "ticket_code": code, "confirm_by": confirm_by, "timezone": branch.timezone, "path": "/me/registrations"},
            cause=claims.ID, subject_vars={"title": row["title"]}, now=now,
        )
    claim = claims.Claim(
        event_id=event_id, reader_id=reader_id, seats=seats, ticket_code=code, confirmation_required=probation, confirmed_at=confirmed_at,
        created_by=principal.id, now=now, audit=audit_rows, messages=messages,
    )
    try:
        outcome = await claims.write(claim)
    except AppError:
        raise
    except Exception as error:
        if _is_integrity_error(error):
            raise already from error
        raise
    if outcome.refused == "cancelled":
        raise Conflict(_("This event is cancelled"))
    if outcome.refused == "full" or outcome.id is None or outcome.status is None:
        raise Conflict(_("No seats left, and this event has no waitlist"), errors=[FieldError("event", _("No seats left"))])
    metrics.SIGNUPS.labels(outcome.status).inc()
    return SignUpResult(
        id=outcome.id, event_id=event_id, status=outcome.status, seats=seats, waitlist_position=outcome.position, ticket_code=code,
        confirmation_required=deadline is not None and confirmed_at is None,
    )


def _already_signed_up() -> Conflict:
    return Conflict(_("Already signed up for this event"), errors=[FieldError("event", _("Already signed up for this event"))])


async def _registration(registration_id: int) -> dict:
    row = await Registration.select().where(Registration.id == registration_id).first()
    if row is None:
        raise NotFound(_("There is no such sign-up"))
    return row


async def cancel_registration(principal: Principal, registration_id: int) -> None:
    """Readers cancel up to the start, staff of the branch until the end; the waitlist moves up at once."""
    found = await _registration(registration_id)
    async with _tx():
        row = await _locked_event(found["event"])
        registration = await _registration(registration_id)
        if not permissions.can_cancel_registration(principal, registration["reader"], row["branch"]):
            raise Forbidden(_("This is not your sign-up"))
        if registration["status"] not in ACTIVE:
            raise Conflict(_("This sign-up is already cancelled"))
        now = now_utc()
        by_staff = principal.id != registration["reader"]
        if not by_staff and now >= row["starts_at"]:
            raise Invalid.one("registration", _("The event has started: a sign-up can be cancelled only before the start"))
        await _end_registration(registration, row, BY_STAFF if by_staff else BY_READER, now)
        await audit.record(principal, "cancel", "registration", registration_id, branch_id=row["branch"], changes={"status": (registration["status"], REG_CANCELLED)})
        if by_staff:  # the reader hears of it
            kind = event_messages.CANCELLED_BY_STAFF
            await notifications.enqueue(kind, [registration["reader"]], event_messages.SUBJECTS[kind], {"event_id": row["id"], "registration_id": registration_id, "title": row["title"]},
                                        cause=str(registration_id), subject_vars={"title": row["title"]})
        await _promote(await _locked_event(row["id"]))


async def _end_registration(registration: dict, event: dict, reason: str, now: datetime) -> None:
    await Registration.update(
        {Registration.status: REG_CANCELLED, Registration.cancelled_at: now, Registration.cancel_reason: reason}
    ).where(Registration.id == registration["id"])
    if registration["status"] == CONFIRMED:
        await Event.update({Event.seats_taken: Event.seats_taken - registration["seats"]}).where(Event.id == event["id"])


async def cancel_upcoming_of(reader_id: int, actor: Principal | None, reason: str = BY_STAFF) -> list[int]:
    """Every sign-up of the reader for an event that has not started (their card erased or closed): cancelled,
    and each waitlist moves up (the promoted readers are told). Joins the caller's transaction; no permission
    check (the caller decided). Returns the cancelled sign-ups."""
    now = now_utc()
    rows = await Registration.select(Registration.id, Registration.event).where(
        (Registration.reader == reader_id) & Registration.status.is_in(list(ACTIVE)) & (Registration.event.starts_at > now)
    ).order_by(Registration.id)
    async with _tx():
        for found in rows:
            event = await _locked_event(found["event"])
            registration = await _registration(found["id"])
            if registration["status"] not in ACTIVE:
                continue
            await _end_registration(registration, event, reason, now)
            await audit.record(actor, "cancel", "registration", registration["id"], branch_id=event["branch"], changes={"status": (registration["status"], REG_CANCELLED)})
            await _promote(await _locked_event(event["id"]))
    return [row["id"] for row in rows]


async def _promote(event: dict) -> list[int]:
    """Fill free seats from the head of the waitlist (never splitting a group); tell each promoted reader."""
    if event["status"] != SCHEDULED or event["capacity"] is None:
        return []
    free = event["capacity"] - event["seats_taken"]
    if free <= 0:
        return []
    queue = await Registration.select(Registration.id, Registration.seats, Registration.reader, Registration.confirmation_required).where(
        (Registration.event == event["id"]) & (Registration.status == WAITLISTED)
    ).order_by(Registration.id)
    promoted = rules.to_promote(free, [(row["id"], row["seats"]) for row in queue])
    if not promoted:
        return []
    now = now_utc()
    by_id = {row["id"]: row for row in queue}
    seats = sum(by_id[registration_id]["seats"] for registration_id in promoted)
    await Registration.update({Registration.status: CONFIRMED, Registration.promoted_at: now}).where(Registration.id.is_in(promoted))
    await audit.record_many(None, "promote", "registration", {registration_id: {"status": (WAITLISTED, CONFIRMED)} for registration_id in promoted}, branch_id=event["branch"])
    deadlines = {
        registration_id: rules.confirm_deadline(event["starts_at"], event["confirm_hours_before"], by_id[registration_id]["confirmation_required"])
        for registration_id in promoted
    }
    late = [registration_id for registration_id, deadline in deadlines.items() if deadline is not None and now >= deadline]
    if late:  # promoted after the confirmation deadline: nothing left to confirm, the seat is theirs
        await Registration.update({Registration.confirmed_at: now}).where(Registration.id.is_in(late))
    await Event.update({Event.seats_taken: Event.seats_taken + seats}).where(Event.id == event["id"])
    branch = await rooms_service.branch_by_id(event["branch"])
    for registration_id in promoted:
        await notifications.enqueue(
            event_messages.PROMOTED,
            [by_id[registration_id]["reader"]],
            event_messages.SUBJECTS[event_messages.PROMOTED],
            {"event_id": event["id"], "registration_id": registration_id, "title": event["title"], "starts_at": event["starts_at"].isoformat(), "timezone": branch.timezone,
             "confirm_by": "" if registration_id in late or deadlines[registration_id] is None else deadlines[registration_id].isoformat(), "path": "/me/registrations"},
            cause=str(registration_id),
            subject_vars={"title": event["title"]},
        )
    return promoted


async def confirm_registration(principal: Principal, registration_id: int) -> None:
    """The reader's "I am coming" for a seat that must be confirmed ("confirm or release", or too many no-shows)."""
    registration = await _registration(registration_id)
    if registration["reader"] != principal.id:
        raise Forbidden(_("This is not your sign-up"))
    if registration["status"] not in ACTIVE:
        raise Conflict(_("This sign-up is cancelled"))
    if registration["confirmed_at"] is None:
        now = now_utc()
        async with _tx():
            confirmed = await Registration.update({Registration.confirmed_at: now}).where(
                (Registration.id == registration_id) & Registration.confirmed_at.is_null()
            ).returning(Registration.id)
            if confirmed:
                branch_row = await Event.select(Event.branch).where(Event.id == registration["event"]).first()
                await audit.record(principal, "confirm", "registration", registration_id, branch_id=branch_row["branch"] if branch_row else None, changes={"confirmed_at": (None, now)})


async def confirm_by_link(registration_id: int) -> dict:
    """The one-click link from the e-mail (``src/events/links.py``, checked by the caller): confirms the seat as
    its reader would, without a session. Returns the sign-up; a sign-up no longer active is a 410."""
    registration = await _registration(registration_id)
    if registration["status"] != CONFIRMED:
        raise Gone(_("This sign-up is no longer active: the seat was released or the sign-up cancelled."))
    reader = await accounts_service.load_principal(registration["reader"])
    if reader is None:
        raise Gone(_("This sign-up is no longer active: the seat was released or the sign-up cancelled."))
    await confirm_registration(reader, registration_id)
    return registration


async def release_unconfirmed(now: datetime | None = None) -> int:
    """The "confirm or release" job: seats not confirmed by their deadline go to the waitlist. Idempotent."""
    now = now or now_utc()
    horizon = now + timedelta(hours=169)
    candidates = await Registration.select(Registration.event).where(
        (Registration.status == CONFIRMED)
        & Registration.confirmed_at.is_null()
        & (Registration.event.status == SCHEDULED)
        & (Registration.event.starts_at > now)
        & (Registration.event.starts_at <= horizon)
        & ((Registration.confirmation_required == True) | Registration.event.confirm_hours_before.is_not_null())  # noqa: E712
    ).distinct()
    released = 0
    for event_id in sorted({row["event"] for row in candidates}):
        async with _tx():
            event = await _locked_event(event_id)
            rows = await Registration.select().where(
                (Registration.event == event_id) & (Registration.status == CONFIRMED) & Registration.confirmed_at.is_null()
            )
            due = [
                row for row in rows
                if rules.must_release(now, rules.confirm_deadline(event["starts_at"], event["confirm_hours_before"], row["confirmation_required"]), row["confirmed_at"], row["status"])
            ]
            if not due or now >= event["starts_at"]:
                continue
            for row in due:
                await _end_registration(row, event, RELEASED, now)
            await audit.record_many(None, "release", "registration", {row["id"]: {"status": (row["status"], REG_CANCELLED), "cancel_reason": (None, RELEASED)} for row in due}, branch_id=event["branch"])
            await notifications.enqueue(
                event_messages.RELEASED,
                [row["reader"] for row in due],
                event_messages.SUBJECTS[event_messages.RELEASED],
                {"event_id": event_id, "title": event["title"], "starts_at": event["starts_at"].isoformat()},
                cause=str(event_id),
                subject_vars={"title": event["title"]},
            )
            await _promote(await _locked_event(event_id))
            released += len(due)
    return released


# --- check-in ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckInResult:
    registration_id: int
    event_id: int
    reader_name: str
    card_number: str
    seats: int
    checked_in_at: datetime
    already: bool


async def check_in(principal: Principal, code: str | None = None, card_number: str | None = None, event_id: int | None = None) -> CheckInResult:
    """Mark attendance by ticket code (scanned or typed), or by card number for a given event."""
    if code and code.strip():
        registration = await Registration.select().where(Registration.ticket_code == rules.normalize_code(code)).first()
        if registration is None:
            raise Invalid.one("code", _("No ticket with this code"))
    elif card_number and card_number.strip():
        if event_id is None:
            raise Invalid.one("event", _("Choose the event to check the card in for"))
        card = await accounts_service.find_card(card_number)
        registration = await Registration.select().where(
            (Registration.event == event_id) & (Registration.reader == card.account_id)
        ).order_by(Registration.id, ascending=False).first()
        if registration is None:
            raise Invalid.one("card_number", _("This reader has no sign-up for this event"))
    else:
        raise Invalid.one("code", _("Scan or type a ticket code, or a card number"))
    now = now_utc()
    async with _tx():
        event = await _locked_event(registration["event"])
        if not permissions.can_manage_events(principal, event["branch"]):
            expected = await Event.select(Event.branch).where(Event.id == event_id).first() if event_id is not None else None
            if expected is not None and permissions.can_manage_events(principal, expected["branch"]):
                raise Invalid.one("code", _("This ticket is for another event"))
            raise Forbidden(_("Only staff of the event's branch can check people in"))
        registration = await _registration(registration["id"])
        branch = await rooms_service.branch_by_id(event["branch"])
        tz = ZoneInfo(branch.timezone)
        problem = rules.check_in_problem(registration["status"], event["id"], event_id, event["starts_at"], event["ends_at"], now.astimezone(tz).date(), tz)
        if event["status"] == CANCELLED:
            problem = _("This event is cancelled")
        if problem:
            raise Invalid.one("code" if code else "card_number", problem)
        already = registration["checked_in_at"] is not None
        if not already:
            await Registration.update({Registration.checked_in_at: now, Registration.checked_in_by: principal.id}).where(Registration.id == registration["id"])
            await audit.record(principal, "check_in", "registration", registration["id"], branch_id=event["branch"], changes={"checked_in_at": (None, now)})
            if not event["attendance_taken"]:
                await Event.update({Event.attendance_taken: True}).where(Event.id == event["id"])
    card_row = await ReaderCard.select(ReaderCard.card_number, ReaderCard.account.full_name).where(ReaderCard.account == registration["reader"]).first()
    return CheckInResult(
        registration_id=registration["id"],
        event_id=event["id"],
        reader_name=card_row["account.full_name"] if card_row else "",
        card_number=card_row["card_number"] if card_row else "",
        seats=registration["seats"],
        checked_in_at=aware(registration["checked_in_at"]) if already else now,
        already=already,
    )


async def _cancel_for_hours(actor: Principal, event_ids: Sequence[int], reason: str) -> None:
    """An hours change cancels events: each as staff would, everyone signed up is told why (the caller's
    transaction)."""
    for event_id in dict.fromkeys(event_ids):
        await cancel_event(actor, event_id, reason)


async def _held_without_zone(branch_id: int, start: datetime) -> list[occupancy.Held]:
    """Scheduled events of the branch held in no zone (a talk in the hall, a walk from the entrance): no room
    booking reports them, so the hours check finds them here."""
    rows = await Event.select(Event.id, Event.starts_at, Event.ends_at, Event.title).where(
        (Event.branch == branch_id) & Event.zone.is_null() & (Event.status == SCHEDULED) & (Event.ends_at > start)
    )
    return [occupancy.Held("event", row["id"], aware(row["starts_at"]), aware(row["ends_at"]), None, row["title"]) for row in rows]


async def _keep_without_zone(actor: Principal, ids: Sequence[int]) -> None:
    """Kept outside the new hours: recorded in the log (the next hours change no longer finds them inside)."""
    rows = await Event.select(Event.id, Event.branch).where(Event.id.is_in(list(ids) or [0]) & Event.zone.is_null())
    for row in rows:
        await audit.record(actor, "keep_outside_hours", "event", row["id"], branch_id=row["branch"], changes={})


occupancy.set_cancel("event", _cancel_for_hours)
occupancy.extend("event", find=_held_without_zone, keep=_keep_without_zone)
