"""Bookings of zones, the write side: book, reserve, cancel, approve, decline, reschedule, extend, end early.

Every change runs in one write transaction that reads what it must, applies the pure rules (rules.py) and
writes. The promise: **a zone is never double-booked**. On PostgreSQL a writer first locks the zone's row
(``SELECT ... FOR UPDATE``), so writers of one zone queue instead of racing into the exclusion constraint,
which stays the final guard. On SQLite ``write_transaction`` is ``BEGIN IMMEDIATE`` plus a lock in the
process, so writers are serialized across workers too; triggers are the final guard. Either way a clash is a
:class:`BookingClash` (409) that names the clashing times and never who holds them.

For other domains (events, school visits, consultations)
--------------------------------------------------------
:func:`reserve` holds a zone for a holder of any kind (``HOLDER_EVENT``, ``HOLDER_VISIT``, ``HOLDER_STAFF``,
``HOLDER_BLOCK``, ``HOLDER_READER``)::

    async with write_transaction(engine_finder()):
        event = Event(...)
        await event.save()
        result = await bookings.reserve(Reservation(
            zone_id=zone_id, starts_at=starts_at, ends_at=ends_at, holder_kind=HOLDER_EVENT,
            holder_ref=event.id, actor_id=principal.id, purpose=title, headcount=seats))

It joins the caller's transaction when one is open (a clash then rolls back the caller's work too; open it
with ``write_transaction``, never a plain deferred transaction) and otherwise opens its own. It checks the
grid, opening hours and closures (unless ``override_hours``), capacity, recurrences and clashes; the reader
limits (lead time, how far ahead, length, weekly quota) only with ``policy=READER_POLICY``. It does **not**
check who may do this: the calling domain decides. :func:`release` cancels such bookings again.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Generator, Sequence
from zoneinfo import ZoneInfo as TimeZone

from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from src import audit, db
from src.accounts import service as accounts_service
from src.accounts.exceptions import CardBlocked
from src.accounts.permissions import Principal, can_book_zone, can_change_booking, can_manage_branch, managed_branch_ids
from src.branches import occupancy
from src.branches.rules import Interval
from src.branches.service import BranchInfo
from src.config import get_settings
from src.db import PooledSQLiteEngine, is_postgres, write_transaction
from src.exceptions import Conflict, FieldError, Forbidden, Invalid, NotFound
from src.i18n import _, fmt_date
from src.labels import label
from src.notifications import service as notifications
from src.ops import metrics
from src.rooms import messages as booking_messages
from src.rooms import queries, rules
from src.rooms import service as rooms_service
from src.rooms.availability import ACTIVE_SQL, placeholders, taken
from src.rooms.constants import (
    ACTIVE_STATUSES,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    HOLDER_BLOCK,
    HOLDER_EVENT,
    HOLDER_KINDS,
    HOLDER_READER,
    HOLDER_STAFF,
    HOLDER_VISIT,
    MAX_OCCURRENCES,
    PENDING,
)
from src.rooms.exceptions import BookingClash, Clash
from src.rooms.rules import Policy, Recurrence
from src.rooms.service import ZoneInfo
from src.accounts.tables import ReaderCard
from src.rooms.tables import Booking, Zone
from src.timeutil import age_on, aware, now_utc


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """What a person asks for, through the API or a page."""

    zone_id: int
    starts_at: datetime  # naive times are read in the branch's time zone
    ends_at: datetime
    purpose: str = ""
    headcount: int = 1
    recurrence: Recurrence | None = None
    skip_conflicts: bool = False
    block: bool = False  # staff: an internal block (maintenance, set-up) instead of the library's own use
    override_hours: bool = False  # staff: outside opening hours or on a closure; recorded on the booking
    card_number: str | None = None  # staff: book for this reader at the desk (the reader holds it, staff made it)


@dataclass(frozen=True, slots=True)
class Reservation:
    """What the service holds, for a holder of any kind (see the module docstring)."""

    zone_id: int
    starts_at: datetime
    ends_at: datetime
    holder_kind: str
    holder_id: int | None = None  # the account that holds it (a reader, a teacher, staff)
    holder_ref: int | None = None  # the event or school visit that holds it
    purpose: str = ""
    headcount: int = 1
    recurrence: Recurrence | None = None
    skip_conflicts: bool = False
    override_hours: bool = False
    actor_id: int | None = None  # who made it (recorded as created_by, and override_by with override_hours)
    status: str = CONFIRMED
    quota_holder: int | None = None  # count this account's weekly quota (readers)
    holder_name: str = ""  # shown back in the answer (the service does not look it up)


@dataclass(frozen=True, slots=True)
class BookingView:
    id: int
    zone_id: int
    branch_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    holder_kind: str
    holder_id: int | None
    holder_ref: int | None
    holder_name: str
    purpose: str
    headcount: int
    series: str | None
    override_hours: bool
    reason: str
    created_at: datetime
    status_changed_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class Skipped:
    on: date
    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class BookingResult:
    bookings: list[BookingView]
    skipped: list[Skipped] = field(default_factory=list)
    series: str | None = None


# --- transactions ------------------------------------------------------------------------------------------


def _write():
    """A write transaction, or the caller's when one is open (it must be a writer's on SQLite)."""
    engine = Booking._meta.db  # the engine, without engine_finder's look-up of the configuration on every call
    _check_writer(engine)
    return write_transaction(engine)


def _check_writer(engine) -> None:
    current = engine.current_transaction.get()
    if isinstance(engine, SQLiteEngine) and current is not None and current.transaction_type == TransactionType.deferred:
        raise RuntimeError("bookings must be written inside write_transaction(), not a deferred transaction")


async def _lock_zone(zone_id: int) -> None:
    """PostgreSQL: writers of one zone queue here (SQLite's writer transaction is serialized already)."""
    if is_postgres(Booking._meta.db):
        await db.fetch(Booking._meta.db, "SELECT id FROM zone WHERE id = {} FOR UPDATE", zone_id)


def _is_overlap_violation(error: Exception) -> bool:
    return "booking_no_overlap" in str(error)


def _aware(value: datetime, tz: TimeZone) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _local_date(instant: datetime, tz: TimeZone) -> date:
    return instant.astimezone(tz).date()


# --- reading bookings ------------------------------------------------------------------------------------


_VIEW_COLUMNS = (
    Booking.id,
    Booking.zone,
    Booking.zone.branch.as_alias("branch_id"),
    Booking.starts_at,
    Booking.ends_at,
    Booking.status,
    Booking.holder_kind,
    Booking.holder,
    Booking.holder_ref,
    Booking.holder.full_name.as_alias("holder_name"),
    Booking.purpose,
    Booking.headcount,
    Booking.series,
    Booking.override_hours,
    Booking.reason,
    Booking.created_at,
    Booking.status_changed_at,
)


def _view(row: dict) -> BookingView:
    return BookingView(
        id=row["id"],
        zone_id=row["zone"],
        branch_id=row["branch_id"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        status=row["status"],
        holder_kind=row["holder_kind"],
        holder_id=row["holder"],
        holder_ref=row["holder_ref"],
        holder_name=row["holder_name"] or "",
        purpose=row["purpose"],
        headcount=row["headcount"],
        series=row["series"],
        override_hours=row["override_hours"],
        reason=row["reason"],
        created_at=row["created_at"],
        status_changed_at=row["status_changed_at"],
    )


async def _views(where, limit: int | None = None, offset: int = 0) -> list[BookingView]:
    query = Booking.select(*_VIEW_COLUMNS).where(where).order_by(Booking.starts_at).order_by(Booking.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [_view(row) for row in await query]


async def _one(booking_id: int) -> BookingView:
    found = await _views(Booking.id == booking_id)
    if not found:
        raise NotFound(_("There is no booking number %(id)s", id=booking_id))
    return found[0]


async def get_booking(principal: Principal, booking_id: int) -> BookingView:
    booking = await _one(booking_id)
    if not can_change_booking(principal, booking.holder_id, booking.branch_id):
        raise Forbidden(_("This booking is not yours"))
    return booking


@dataclass(frozen=True, slots=True)
class BookingQuery:
    zone_id: int | None = None
    branch: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    status: str | None = None
    mine: bool = False  # staff too: only the bookings the asker holds


async def list_bookings(principal: Principal, query: BookingQuery, limit: int, offset: int) -> tuple[list[BookingView], int]:
    """Staff: the bookings of the branches they run (by zone, branch and period). Others: their own."""
    where = Booking.id > 0
    zone_ids: list[int] | None = None
    if query.zone_id is not None:
        branch, zone = await rooms_service.get_zone(query.zone_id)
        if principal.is_staff and not query.mine and not can_manage_branch(principal, branch.id):
            raise Forbidden(_("Only staff of this library can see all its bookings"))
        zone_ids = [zone.id]
    elif query.branch is not None:
        branch = await rooms_service.get_branch(query.branch)
        if principal.is_staff and not query.mine and not can_manage_branch(principal, branch.id):
            raise Forbidden(_("Only staff of this library can see all its bookings"))
        zone_ids = [zone.id for zone in branch.zones]
    elif principal.is_staff and not query.mine and not principal.is_admin:
        branches = await rooms_service.list_branches()
        managed = managed_branch_ids(principal, {branch.id for branch in branches})
        zone_ids = [zone.id for branch in branches if branch.id in managed for zone in branch.zones]
    if zone_ids is not None:
        where &= Booking.zone.is_in(zone_ids or [0])
    if not principal.is_staff or query.mine:
        where &= Booking.holder == principal.id
    if query.start is not None:
        where &= (Booking.starts_at > query.start - rules.LOOKBACK) & (Booking.ends_at > query.start)
    if query.end is not None:
        where &= Booking.starts_at < query.end
    if query.status is not None:
        where &= Booking.status == query.status
    total = await Booking.count().where(where)
    return await _views(where, limit=limit, offset=offset), total


# --- booking ---------------------------------------------------------------------------------------------


def _holder_kind(principal: Principal, manager: bool, block: bool) -> str:
    if manager:
        return HOLDER_BLOCK if block else HOLDER_STAFF
    return HOLDER_VISIT if principal.is_teacher else HOLDER_READER


async def book(principal: Principal, request: BookingRequest) -> BookingResult:
    """A person books a zone: who may book it, reader limits and quota unless staff, approval if the zone needs it."""
    branch, zone = await rooms_service.get_zone(request.zone_id)
    manager = can_manage_branch(principal, branch.id)
    if (request.block or request.override_hours) and not manager:
        raise Forbidden(_("Only staff of this library can block zones or book outside opening hours"))
    if not can_book_zone(principal, branch.id, zone.bookable_by_readers, zone.bookable_by_schools):
        raise Invalid.one("zone_id", _("This zone cannot be booked with your account (%(role)s)", role=label(principal.role)))
    if principal.is_reader and not manager:
        await _check_reader(principal.id, zone, branch, request)  # card, age, one place: one query
    elif principal.is_reader:
        await accounts_service.ensure_may_book(principal.id)
    holder_kind = _holder_kind(principal, manager, request.block)
    holder_id, holder_name = principal.id, principal.full_name
    if request.card_number:  # staff book for a reader at the desk: the reader holds it, staff made it (and are audited)
        if not manager or request.block:
            raise Forbidden(_("Only staff of this library can book a zone for a reader"))
        card = await accounts_service.find_card(request.card_number)
        accounts_service.ensure_usable(card)
        if zone.min_age is not None:
            await _check_age(card.account_id, zone, branch, request.starts_at)
        holder_kind, holder_id, holder_name = HOLDER_READER, card.account_id, card.full_name
    reservation = Reservation(
        zone_id=zone.id,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        holder_kind=holder_kind,
        holder_id=holder_id,
        purpose=request.purpose,
        headcount=request.headcount,
        recurrence=request.recurrence,
        skip_conflicts=request.skip_conflicts,
        override_hours=request.override_hours,
        actor_id=principal.id,
        status=PENDING if zone.requires_approval and not manager else CONFIRMED,
        quota_holder=principal.id if principal.is_reader and not manager else None,
        holder_name=holder_name,
    )
    result = await reserve(reservation, policy=Policy(limits=manager, hours=request.override_hours))
    metrics.BOOKINGS.labels(reservation.status).inc(len(result.bookings))
    return result


def _wanted_times(branch: BranchInfo, request: BookingRequest) -> list[Interval]:
    """The times asked for; none when they cannot be read (the form's or reserve()'s own errors say why)."""
    if request.starts_at == datetime.min or request.ends_at == datetime.min:
        return []
    try:
        return rules.occurrences((_aware(request.starts_at, branch.tz), _aware(request.ends_at, branch.tz)), request.recurrence, branch.tz)
    except (ValueError, OverflowError):
        return []


async def _check_reader(account_id: int, zone: ZoneInfo, branch: BranchInfo, request: BookingRequest) -> None:
    """A reader's own checks, read in one query (queries.READER_CHECKS), in this order: a blocked card (403 with
    the reason), the zone's minimum age, and one person, one place at a time (issue 16, item 7): their booking may
    not overlap another of theirs in any other zone of any branch (the same zone: a clash, 409; staff may still
    book it for them)."""
    wanted = _wanted_times(branch, request)
    # no times: bounds that no booking's start lies between, so the bookings' join matches nothing
    lower, upper = (min(start for start, _end in wanted), max(end for _start, end in wanted)) if wanted else (_NOWHEN + rules.LOOKBACK, _NOWHEN)
    rows = await db.fetch(Booking._meta.db, queries.READER_CHECKS, request.zone_id, lower - rules.LOOKBACK, upper, lower, account_id)
    card = rows[0] if rows else {"card_number": None, "blocked_at": None, "blocked_reason": "", "birth_date": None}
    if card["blocked_at"] is not None:
        raise CardBlocked(card["card_number"], card["blocked_reason"])
    if zone.min_age is not None:
        _check_birth_date(card["birth_date"], zone, branch, request.starts_at)
    held = [(aware(row["starts_at"]), aware(row["ends_at"])) for row in rows if row["starts_at"] is not None]
    if not request.skip_conflicts and any(start < other_end and other_start < end for start, end in wanted for other_start, other_end in held):
        raise Invalid.one("start", _("You already have a booking at this time: one person, one place at a time"))


_NOWHEN = datetime(2000, 1, 1, tzinfo=timezone.utc)


async def _check_age(account_id: int, zone: ZoneInfo, branch: BranchInfo, starts_at: datetime) -> None:
    """A zone with a minimum age: the reader is at least that old on the day of the booking."""
    card = await ReaderCard.select(ReaderCard.birth_date).where(ReaderCard.account == account_id).first()
    _check_birth_date(card["birth_date"] if card else None, zone, branch, starts_at)


def _check_birth_date(birth_date: date | None, zone: ZoneInfo, branch: BranchInfo, starts_at: datetime) -> None:
    day = _aware(starts_at, branch.tz).astimezone(branch.tz).date()
    if birth_date is None or age_on(birth_date, day) < zone.min_age:
        raise Invalid.one("zone_id", _("This zone is for readers aged %(age)s and older", age=zone.min_age))


def _request_errors(reservation: Reservation, zone: ZoneInfo, interval: Interval, tz: TimeZone, policy: Policy) -> list[FieldError]:
    errors = []
    if reservation.holder_kind not in HOLDER_KINDS:
        errors.append(FieldError("holder_kind", _("Unknown kind of holder")))
    errors += rules.headcount_errors(reservation.headcount, zone.capacity, required=reservation.holder_kind != HOLDER_BLOCK)
    if len(reservation.purpose) > 300:
        errors.append(FieldError("purpose", _("This is too long (at most %(n)s characters)", n=300)))
    if reservation.holder_kind == HOLDER_BLOCK and not reservation.purpose.strip():
        errors.append(FieldError("purpose", _("Say why the zone is blocked")))
    errors += rules.shape_errors(interval, zone.rules, tz, policy)
    if reservation.recurrence is not None:
        errors += rules.recurrence_errors(reservation.recurrence, _local_date(interval[0], tz))
    return errors


def _dated(problem: FieldError, on: date) -> FieldError:
    return FieldError(problem.field, f"{fmt_date(on)}: {problem.message}")


async def reserve(reservation: Reservation, policy: Policy = rules.STAFF_POLICY) -> BookingResult:
    """Hold a zone (once, or on every date of a recurrence): check, then check-and-insert under the zone's lock.

    A series is all-or-nothing unless ``skip_conflicts``: then dates that clash, break a rule of their date
    (closure, hours, too far ahead) or the weekly quota are skipped and listed. Raises Invalid (422),
    BookingClash (409) or NotFound (404); nothing is written then."""
    branch, zone = await rooms_service.get_zone(reservation.zone_id)
    tz = branch.tz
    interval = (_aware(reservation.starts_at, tz), _aware(reservation.ends_at, tz))
    policy = replace(policy, hours=policy.hours or reservation.override_hours)
    errors = _request_errors(reservation, zone, interval, tz, policy)
    if errors:
        raise Invalid(errors=errors)
    wanted = rules.occurrences(interval, reservation.recurrence, tz)
    if len(wanted) > MAX_OCCURRENCES:
        raise Invalid.one("recurrence.count", _("A series can have at most %(n)s bookings", n=MAX_OCCURRENCES))

    now = now_utc()
    series = reservation.recurrence is not None
    skipped: list[Skipped] = []
    fine: list[Interval] = []
    problems: list[FieldError] = []
    for occurrence in wanted:
        wrong = rules.date_errors(occurrence, zone.rules, zone.schedule, tz, now, policy)
        if not wrong:
            fine.append(occurrence)
            continue
        on = _local_date(occurrence[0], tz)
        problems.append(_dated(wrong[0], on) if series else wrong[0])
        skipped.append(Skipped(on, occurrence[0].astimezone(tz), occurrence[1].astimezone(tz), wrong[0].message))
    if problems and not (series and reservation.skip_conflicts):
        raise Invalid(errors=problems)
    if not fine:
        raise Invalid(detail=_("None of these dates can be booked"), errors=problems)

    buffered = reservation.holder_kind != HOLDER_BLOCK
    # who hears of it, read before the transaction so that it holds the zone for the checks and the inserts only
    told = await notifications.audience([reservation.holder_id]) if reservation.holder_kind == HOLDER_READER and reservation.holder_id is not None else None
    quota_holder = reservation.quota_holder if reservation.quota_holder is not None and not policy.limits and zone.rules.weekly_quota_minutes is not None else None
    same_kind = await _same_kind(zone) if quota_holder is not None else []
    steps = _hold(reservation, branch, zone, fine, quota_holder, same_kind, uuid.uuid4().hex if series else None, now, told, audit.current_actor())
    engine = Booking._meta.db
    try:
        if isinstance(engine, PooledSQLiteEngine):
            # the whole transaction in one hand-off to the connection's thread (db.write_batch): the steps run
            # there in this request's context (its language for the messages, its clock)
            _check_writer(engine)
            context = contextvars.copy_context()
            made, more_skipped = await db.write_batch(engine, lambda run: context.run(_run_steps, run, steps))
        else:
            async with _write():
                await _lock_zone(zone.id)
                made, more_skipped = await _await_steps(engine, steps)
        skipped += more_skipped
    except Exception as error:
        if not _is_overlap_violation(error):
            raise
        # Another writer got past the check and the database guard held: say what holds the zone now (when
        # this ran inside a caller's transaction, that transaction is spoilt: name the wanted times instead).
        clashes = []
        if engine_finder().current_transaction.get() is None:
            _fine, clashes, _skipped = await _without_clashes(zone, tz, fine, skip=True, buffered=buffered)
        raise BookingClash(clashes or [Clash(_local_date(start, tz), start.astimezone(tz), end.astimezone(tz)) for start, end in fine]) from error
    return BookingResult(bookings=made, skipped=sorted(skipped, key=lambda item: item.starts_at), series=made[0].series)


Statement = tuple[str, list]  # SQL with {} placeholders and its parameters


def _hold(
    reservation: Reservation, branch: BranchInfo, zone: ZoneInfo, wanted: list[Interval], quota_holder: int | None, same_kind: list[int],
    series_id: str | None, now: datetime, told: notifications.Audience | None, actor: audit.Actor | None,
) -> Generator[Statement, list[dict], tuple[list[BookingView], list[Skipped]]]:
    """reserve()'s transaction as steps that never await: each statement is yielded and its rows sent back, so one
    driver runs them in SQLite's connection thread (_run_steps) and another awaits them on PostgreSQL
    (_await_steps) after the zone's lock. Reads what holds the zone (and the quota used), keeps the free times
    (or raises BookingClash / Invalid: nothing written), then writes the bookings, their audit entries and the
    holder's message. Returns the bookings made and the dates skipped."""
    tz = branch.tz
    buffered = reservation.holder_kind != HOLDER_BLOCK
    rows = yield _holdings_statement(zone, tz, wanted, buffered, quota_holder, same_kind)
    holding, used = _read_holdings(rows, tz, quota_holder is not None)
    fine, clashes, skipped = _split_clashes(zone, tz, wanted, holding, reservation.skip_conflicts, buffered)
    if quota_holder is not None:
        fine, over = _fit_quota(branch, zone, fine, used or {}, reservation.skip_conflicts)
        skipped += over
    if not fine:
        if clashes:
            raise BookingClash(clashes)
        raise Invalid(detail=_("None of these dates can be booked"), errors=[FieldError("starts_at", f"{fmt_date(item.on)}: {item.reason}") for item in skipped])
    inserted = yield _insert_statement(reservation, zone, fine, series_id, now)
    made = _made(reservation, branch, zone, fine, inserted, series_id, now)
    yield audit.insert_statement([audit.entry_values(actor, "create", "booking", booking.id, branch_id=branch.id, changes=_created(booking)) for booking in made])
    if told is not None:
        kind = booking_messages.BOOKING_RECEIVED if reservation.status == PENDING else booking_messages.BOOKING_CONFIRMED
        payload, cause = _message(made, None, "", False, zone.name, branch.timezone)
        messages = notifications.outbox_values(kind, told, booking_messages.SUBJECTS[kind], payload, cause, {"zone": payload["zone"]}, now=now)
        if messages:
            yield notifications.outbox_statement(messages)
    return made, skipped


def _run_steps(run, steps: Generator[Statement, list[dict], tuple]) -> tuple:
    """Drive _hold's steps with db.write_batch's ``run(sql, *args)`` (SQLite, in the connection's thread)."""
    try:
        sql, params = next(steps)
        while True:
            sql, params = steps.send(run(sql, *params))
    except StopIteration as done:
        return done.value


async def _await_steps(engine, steps: Generator[Statement, list[dict], tuple]) -> tuple:
    """Drive _hold's steps with db.fetch, in the open transaction (PostgreSQL)."""
    try:
        sql, params = next(steps)
        while True:
            sql, params = steps.send(await db.fetch(engine, sql, *params))
    except StopIteration as done:
        return done.value


def _holdings_statement(zone: ZoneInfo, tz: TimeZone, wanted: list[Interval], buffered: bool, quota_holder: int | None, same_kind: list[int]) -> Statement:
    """queries.holdings: what holds the zone around the wanted times and, with ``quota_holder``, that holder's
    bookings in zones of the same kind in the weeks asked for."""
    blocked = [rules.blocked(interval, zone.rules, buffered) for interval in wanted]
    start, end = min(start for start, _end in blocked), max(end for _start, end in blocked)
    params: list = [zone.id, start - rules.LOOKBACK, end + rules.LOOKAHEAD, end, start]
    if quota_holder is None:
        return queries.holdings(0), params
    first, last = _quota_window({rules.week_of(begin, tz) for begin, _end in wanted}, tz)
    return queries.holdings(len(same_kind)), params + [quota_holder, *same_kind, first, last]


def _read_holdings(rows: list[dict], tz: TimeZone, quota: bool) -> tuple[list[tuple[Interval, Interval]], dict[date, int] | None]:
    """The (blocked, own) times of what holds the zone, for _split_clashes, and with ``quota`` the minutes the
    holder booked by week, as _quota_used counts them."""
    pairs = [((aware(row["blocked_from"]), aware(row["blocked_until"])), (aware(row["starts_at"]), aware(row["ends_at"]))) for row in rows if row["part"] == "z"]
    if not quota:
        return pairs, None
    return pairs, rules.minutes_by_week([(aware(row["starts_at"]), aware(row["ends_at"])) for row in rows if row["part"] == "q"], tz)


async def _without_clashes(
    zone: ZoneInfo, tz: TimeZone, wanted: list[Interval], skip: bool, exclude_ids: Sequence[int] = (), buffered: bool = True
) -> tuple[list[Interval], list[Clash], list[Skipped]]:
    """_split_clashes with the zone's active bookings around the wanted times read here."""
    blocked = [rules.blocked(interval, zone.rules, buffered) for interval in wanted]
    found = await taken([zone.id], min(start for start, _end in blocked), max(end for _start, end in blocked), exclude_ids)
    return _split_clashes(zone, tz, wanted, [(item.blocked, item.own) for item in found], skip, buffered)


def _split_clashes(
    zone: ZoneInfo, tz: TimeZone, wanted: list[Interval], holding: list[tuple[Interval, Interval]], skip: bool, buffered: bool
) -> tuple[list[Interval], list[Clash], list[Skipped]]:
    """Split wanted times into free ones and clashes with active bookings, ``holding`` as (blocked, own) times
    (buffers included, as they will be written: internal blocks have none); unless ``skip``, any clash raises
    BookingClash listing every one."""
    blocked = [rules.blocked(interval, zone.rules, buffered) for interval in wanted]
    free, clashes, skipped = [], [], []
    for interval, blocked_time in zip(wanted, blocked):
        found = rules.clashes(blocked_time, holding)
        if not found:
            free.append(interval)
            continue
        on = _local_date(interval[0], tz)
        clashes += [Clash(on, start.astimezone(tz), end.astimezone(tz)) for start, end in found]
        skipped.append(Skipped(on, interval[0].astimezone(tz), interval[1].astimezone(tz), _("The zone is already booked at this time")))
    if clashes and not skip:
        raise BookingClash(clashes)
    return free, clashes, skipped


async def _same_kind(zone: ZoneInfo) -> list[int]:
    """The zones whose bookings count against this zone's quota: every active zone of its kind (one card, one quota)."""
    return [other.id for _branch, other in await rooms_service.all_zones() if other.kind == zone.kind]


def _quota_window(weeks: set[date], tz: TimeZone) -> tuple[datetime, datetime]:
    return datetime.combine(min(weeks), datetime.min.time(), tzinfo=tz), datetime.combine(max(weeks) + timedelta(days=7), datetime.min.time(), tzinfo=tz)


async def _quota_used(holder_id: int, zone: ZoneInfo, tz: TimeZone, weeks: set[date], exclude_ids: Sequence[int] = ()) -> dict[date, int]:
    """Minutes the holder has booked, by week, in zones of this kind in every branch (one card, one quota)."""
    same_kind = await _same_kind(zone)
    first, last = _quota_window(weeks, tz)
    rows = await db.fetch(
        Booking._meta.db,
        f"SELECT id, starts_at, ends_at FROM booking WHERE holder = {{}} AND zone IN ({placeholders(len(same_kind))})"
        f" AND status IN ({ACTIVE_SQL}) AND starts_at >= {{}} AND starts_at < {{}}",
        holder_id,
        *same_kind,
        first,
        last,
    )
    return rules.minutes_by_week([(aware(row["starts_at"]), aware(row["ends_at"])) for row in rows if row["id"] not in exclude_ids], tz)


async def _within_quota(holder_id: int, branch: BranchInfo, zone: ZoneInfo, wanted: list[Interval], skip: bool, exclude_ids: Sequence[int] = ()) -> tuple[list[Interval], list[Skipped]]:
    if zone.rules.weekly_quota_minutes is None or not wanted:
        return wanted, []
    tz = branch.tz
    used = await _quota_used(holder_id, zone, tz, {rules.week_of(start, tz) for start, _end in wanted}, exclude_ids)
    return _fit_quota(branch, zone, wanted, used, skip)


def _fit_quota(branch: BranchInfo, zone: ZoneInfo, wanted: list[Interval], used: dict[date, int], skip: bool) -> tuple[list[Interval], list[Skipped]]:
    """The wanted times that fit the zone's weekly quota beside ``used`` (minutes by week); unless ``skip``, any
    that does not raises Invalid."""
    quota = zone.rules.weekly_quota_minutes
    if quota is None or not wanted:
        return wanted, []
    tz = branch.tz
    fits, over = rules.fit_quota(wanted, used, quota, tz)
    if not over:
        return fits, []
    messages = [rules.quota_message(rules.week_of(start, tz), used.get(rules.week_of(start, tz), 0), quota, label(zone.kind)) for start, _end in over]
    if not skip:
        raise Invalid(detail=messages[0], errors=[FieldError("ends_at", message) for message in dict.fromkeys(messages)])
    return fits, [Skipped(_local_date(start, tz), start.astimezone(tz), end.astimezone(tz), message) for (start, end), message in zip(over, messages)]


_INSERT_COLUMNS = (
    "zone, starts_at, ends_at, blocked_from, blocked_until, status, holder_kind, holder, holder_ref, purpose, headcount, series,"
    " override_hours, override_by, created_by, status_changed_by, status_changed_at, reason, created_at"
)


def _insert_statement(reservation: Reservation, zone: ZoneInfo, intervals: list[Interval], series_id: str | None, now: datetime) -> Statement:
    """The bookings in one statement (plain SQL: this is every booking's hot path), answering their ids."""
    buffered = reservation.holder_kind != HOLDER_BLOCK
    purpose = reservation.purpose.strip()
    override_by = reservation.actor_id if reservation.override_hours else None
    values = []
    for interval in intervals:
        blocked_from, blocked_until = rules.blocked(interval, zone.rules, buffered)
        values += [zone.id, interval[0], interval[1], blocked_from, blocked_until, reservation.status, reservation.holder_kind, reservation.holder_id]
        values += [reservation.holder_ref, purpose, reservation.headcount, series_id, reservation.override_hours, override_by, reservation.actor_id, None, None, "", now]
    row = "(" + ", ".join("{}" for _ in range(19)) + ")"
    return f"INSERT INTO booking ({_INSERT_COLUMNS}) VALUES {', '.join(row for _ in intervals)} RETURNING id, starts_at", values


def _made(reservation: Reservation, branch: BranchInfo, zone: ZoneInfo, intervals: list[Interval], inserted: list[dict], series_id: str | None, now: datetime) -> list[BookingView]:
    """The bookings _insert_statement wrote, described from what was asked and the ids it answered."""
    ids = {aware(item["starts_at"]): item["id"] for item in inserted}
    return [
        BookingView(
            id=ids[start], zone_id=zone.id, branch_id=branch.id, starts_at=start, ends_at=end, status=reservation.status,
            holder_kind=reservation.holder_kind, holder_id=reservation.holder_id, holder_ref=reservation.holder_ref,
            holder_name=reservation.holder_name, purpose=reservation.purpose.strip(), headcount=reservation.headcount, series=series_id,
            override_hours=reservation.override_hours, reason="", created_at=now, status_changed_at=None,
        )
        for start, end in intervals
    ]


def _created(booking: BookingView) -> dict:
    return audit.diff(None, {
        "zone": booking.zone_id, "starts_at": booking.starts_at, "ends_at": booking.ends_at, "status": booking.status,
        "holder_kind": booking.holder_kind, "holder": booking.holder_id, "holder_ref": booking.holder_ref,
        "purpose": booking.purpose, "headcount": booking.headcount, "series": booking.series, "override_hours": booking.override_hours or None,
    })


# --- status changes ----------------------------------------------------------------------------------------


async def _targets(booking: BookingView, rest: bool, statuses: Sequence[str], now: datetime) -> list[BookingView]:
    """The booking, or it and the later occurrences of its series, that are still in one of ``statuses``."""
    if not rest or booking.series is None:
        return [booking]
    return await _views(
        (Booking.series == booking.series) & (Booking.starts_at >= booking.starts_at) & Booking.status.is_in(list(statuses)) & (Booking.ends_at > now)
    )


async def _set_status(
    targets: list[BookingView], status: str, from_statuses: Sequence[str], actor: Principal, reason: str, action: str, tell: str = ""
) -> list[BookingView]:
    """Change the status of ``targets`` (audited as ``action``); ``tell``: the message kind that tells their holder
    (not the actor) why, written in the same transaction."""
    ids = [booking.id for booking in targets]
    async with _write():
        changed = await Booking.update(
            {Booking.status: status, Booking.status_changed_by: actor.id, Booking.status_changed_at: now_utc(), Booking.reason: reason.strip()}
        ).where(Booking.id.is_in(ids) & Booking.status.is_in(list(from_statuses))).returning(Booking.id)
        done = {row["id"] for row in changed}
        before = {booking.id: booking for booking in targets if booking.id in done}
        await audit.record_many(
            actor, action, "booking", {id_: audit.diff({"status": item.status, "reason": item.reason}, {"status": status, "reason": reason.strip()}) for id_, item in before.items()},
            branch_id=targets[0].branch_id if targets else None,
        )
        if done and tell:
            await _tell_holder(tell, list(before.values()), actor.id, reason.strip())
    if not changed:
        raise Conflict(_("This booking has changed meanwhile; please reload"))
    return await _views(Booking.id.is_in([row["id"] for row in changed]))


async def _tell_holder(kind: str, changed: list[BookingView], actor_id: int | None, reason: str, own_too: bool = False) -> None:
    """``own_too``: the holder hears of their own change as well (a changed time, as a receipt with the new .ics)."""
    first = min(changed, key=lambda booking: booking.starts_at)
    if first.holder_id is None or (first.holder_id == actor_id and not own_too):
        return
    found = (await rooms_service.zone_index()).get(first.zone_id)  # a zone no longer offered has no name here
    zone_name, tz = (found[1].name, found[0].timezone) if found else ("", get_settings().timezone)
    payload, cause = _message(changed, actor_id, reason, own_too, zone_name, tz)
    await notifications.enqueue(kind, [first.holder_id], booking_messages.SUBJECTS[kind], payload, cause=cause, subject_vars={"zone": payload["zone"]})


def _message(changed: list[BookingView], actor_id: int | None, reason: str, own_too: bool, zone_name: str, tz: str) -> tuple[dict, str]:
    """The payload and the cause (the message's id) of a message to the holder about ``changed``."""
    first = min(changed, key=lambda booking: booking.starts_at)
    payload = booking_messages.payload_of(zone_name, first.starts_at, tz, first.id, reason, len(changed), ends_at=first.ends_at)
    payload |= {"by_holder": first.holder_id == actor_id, "pending": first.status == PENDING}
    cause = f"{first.id}:{len(changed)}:{first.starts_at:%Y%m%dT%H%M}-{first.ends_at:%Y%m%dT%H%M}" + (f":{now_utc():%Y%m%dT%H%M%S%f}" if own_too else "")
    return payload, cause


def _require_reason(reason: str, message: str) -> None:
    if not reason.strip():
        raise Invalid.one("reason", message)
    if len(reason) > 300:
        raise Invalid.one("reason", _("This is too long (at most %(n)s characters)", n=300))


def _status_conflict(booking: BookingView) -> Conflict:
    return Conflict(_("This booking is %(status)s already", status=label(booking.status)))


async def cancel(principal: Principal, booking_id: int, rest: bool = False, reason: str = "") -> list[BookingView]:
    """The holder or staff of the branch cancel a booking that has not ended (``rest``: and the rest of its series).

    Staff cancelling someone else's booking say why; the holder receives the reason."""
    booking = await get_booking(principal, booking_id)
    now = now_utc()
    if not booking.active:
        raise _status_conflict(booking)
    if booking.ends_at <= now:
        raise Invalid.one("booking", _("This booking is over and cannot be cancelled"))
    by_staff = booking.holder_id is not None and booking.holder_id != principal.id
    if by_staff:
        _require_reason(reason, _("Say why: the person who booked reads it"))
    targets = await _targets(booking, rest, ACTIVE_STATUSES, now)
    return await _set_status(targets, CANCELLED, ACTIVE_STATUSES, principal, reason, "cancel", tell=booking_messages.BOOKING_CANCELLED if by_staff else "")


async def release(booking_ids: Sequence[int], actor_id: int | None, reason: str = "") -> int:
    """For other domains: cancel the active bookings they reserved (no permission check). Returns how many."""
    async with _write():
        where = Booking.id.is_in(list(booking_ids) or [0]) & Booking.status.is_in(list(ACTIVE_STATUSES))
        before = await Booking.select(Booking.id, Booking.status, Booking.zone.branch.as_alias("branch_id")).where(where)
        changed = await Booking.update(
            {Booking.status: CANCELLED, Booking.status_changed_by: actor_id, Booking.status_changed_at: now_utc(), Booking.reason: reason.strip()}
        ).where(where).returning(Booking.id)
        done = {row["id"] for row in changed}
        for branch_id in {row["branch_id"] for row in before}:
            await audit.record_many(
                None, "cancel", "booking", {row["id"]: {"status": (row["status"], CANCELLED)} for row in before if row["id"] in done and row["branch_id"] == branch_id}, branch_id=branch_id
            )
    return len(changed)


async def _pending_for_staff(principal: Principal, booking_id: int) -> BookingView:
    booking = await _one(booking_id)
    if not can_manage_branch(principal, booking.branch_id):
        raise Forbidden(_("Only staff of this library can approve or decline its bookings"))
    if booking.status != PENDING:
        raise _status_conflict(booking)
    return booking


async def approve(principal: Principal, booking_id: int, rest: bool = False, note: str = "") -> list[BookingView]:
    booking = await _pending_for_staff(principal, booking_id)
    return await _set_status(await _targets(booking, rest, (PENDING,), now_utc()), CONFIRMED, (PENDING,), principal, note, "approve", tell=booking_messages.BOOKING_APPROVED)


async def decline(principal: Principal, booking_id: int, reason: str, rest: bool = False) -> list[BookingView]:
    """Staff decline a pending booking; the holder receives the reason."""
    _require_reason(reason, _("Give the reader a reason"))
    booking = await _pending_for_staff(principal, booking_id)
    return await _set_status(await _targets(booking, rest, (PENDING,), now_utc()), DECLINED, (PENDING,), principal, reason, "decline", tell=booking_messages.BOOKING_DECLINED)


# --- moving a booking: reschedule, extend, end early -----------------------------------------------------


async def _changeable(principal: Principal, booking_id: int) -> tuple[BookingView, BranchInfo, ZoneInfo, bool]:
    booking = await get_booking(principal, booking_id)
    if not booking.active:
        raise _status_conflict(booking)
    branch, zone = await rooms_service.get_zone(booking.zone_id)
    return booking, branch, zone, can_manage_branch(principal, branch.id)


async def _retime(principal: Principal, booking: BookingView, branch: BranchInfo, zone: ZoneInfo, manager: bool, interval: Interval, status: str, action: str) -> BookingView:
    """Give a booking new times under the zone's lock: free of clashes (itself aside) and within the quota."""
    tz = branch.tz
    buffered = booking.holder_kind != HOLDER_BLOCK
    blocked_from, blocked_until = rules.blocked(interval, zone.rules, buffered)
    try:
        async with _write():
            await _lock_zone(zone.id)
            await _without_clashes(zone, tz, [interval], skip=False, exclude_ids=[booking.id], buffered=buffered)
            if booking.holder_kind == HOLDER_READER and booking.holder_id is not None and not manager:
                await _within_quota(booking.holder_id, branch, zone, [interval], skip=False, exclude_ids=[booking.id])
            changed = await Booking.update(
                {Booking.starts_at: interval[0], Booking.ends_at: interval[1], Booking.blocked_from: blocked_from, Booking.blocked_until: blocked_until, Booking.status: status}
            ).where((Booking.id == booking.id) & Booking.status.is_in(list(ACTIVE_STATUSES))).returning(Booking.id)
            if not changed:
                raise Conflict(_("This booking has changed meanwhile; please reload"))
            await audit.record(
                principal, action, "booking", booking.id, branch_id=branch.id,
                changes=audit.diff({"starts_at": booking.starts_at, "ends_at": booking.ends_at, "status": booking.status}, {"starts_at": interval[0], "ends_at": interval[1], "status": status}),
            )
            if booking.holder_kind == HOLDER_READER:  # the reader hears of it, whoever changed it
                await _tell_holder(booking_messages.BOOKING_CHANGED, [await _one(booking.id)], principal.id, "", own_too=True)
    except Exception as error:
        if not _is_overlap_violation(error):
            raise
        raise BookingClash([Clash(_local_date(interval[0], tz), interval[0].astimezone(tz), interval[1].astimezone(tz))]) from error
    return await _one(booking.id)


async def reschedule(principal: Principal, booking_id: int, starts_at: datetime, ends_at: datetime) -> BookingView:
    """Move a booking that has not started, with every check of a new one; it may need approval again."""
    booking, branch, zone, manager = await _changeable(principal, booking_id)
    tz = branch.tz
    if booking.starts_at <= now_utc():
        raise Invalid.one("starts_at", _("This booking has started: extend it or end it instead"))
    interval = (_aware(starts_at, tz), _aware(ends_at, tz))
    policy = Policy(limits=manager, hours=manager and booking.override_hours)
    errors = rules.time_errors(interval, zone.rules, zone.schedule, tz, now_utc(), policy)
    if errors:
        raise Invalid(errors=errors)
    status = PENDING if zone.requires_approval and not manager else booking.status
    return await _retime(principal, booking, branch, zone, manager, interval, status, "reschedule")


async def extend(principal: Principal, booking_id: int, ends_at: datetime) -> BookingView:
    """Make a booking in progress last longer, while the zone stays free."""
    booking, branch, zone, manager = await _changeable(principal, booking_id)
    tz = branch.tz
    now = now_utc()
    new_end = _aware(ends_at, tz)
    if not booking.starts_at <= now < booking.ends_at:
        raise Invalid.one("ends_at", _("Only a booking in progress can be extended; move it instead"))
    if new_end <= booking.ends_at:
        raise Invalid.one("ends_at", _("The new end must be later than the current one"))
    interval = (booking.starts_at, new_end)
    policy = Policy(limits=manager, hours=manager and booking.override_hours)
    errors = rules.shape_errors(interval, zone.rules, tz, policy) or ([] if policy.hours else rules.hours_errors(interval, zone.schedule, tz))
    if errors:
        raise Invalid(errors=errors)
    return await _retime(principal, booking, branch, zone, manager, interval, booking.status, "extend")


async def end_early(principal: Principal, booking_id: int) -> BookingView:
    """End a booking in progress now (at the next slot boundary), which frees the rest of it."""
    booking, branch, zone, _manager = await _changeable(principal, booking_id)
    now = now_utc()
    if not booking.starts_at <= now < booking.ends_at:
        raise Invalid.one("booking", _("Only a booking in progress can be ended early; cancel it instead"))
    new_end = max(rules.snap(now, zone.rules.slot, branch.tz), booking.starts_at + timedelta(minutes=zone.rules.slot))
    if new_end >= booking.ends_at:
        raise Invalid.one("booking", _("This booking ends within the current slot anyway"))
    _from, blocked_until = rules.blocked((booking.starts_at, new_end), zone.rules, booking.holder_kind != HOLDER_BLOCK)
    async with _write():
        await Booking.update({Booking.ends_at: new_end, Booking.blocked_until: blocked_until}).where(Booking.id == booking.id)
        await audit.record(principal, "end", "booking", booking.id, branch_id=branch.id, changes={"ends_at": (booking.ends_at, new_end)})
        if booking.holder_kind == HOLDER_READER:
            await _tell_holder(booking_messages.BOOKING_CHANGED, [await _one(booking.id)], principal.id, "", own_too=True)
    return await _one(booking.id)


# --- opening hours change (see src/branches/occupancy.py) ----------------------------------------------------

_HELD_KIND = {HOLDER_EVENT: "event", HOLDER_VISIT: "visit"}  # other holders: the booking itself


async def _held(branch_id: int, start: datetime, kinds: Sequence[str]) -> list[BookingView]:
    """Active bookings of the branch's zones ending after ``start`` that keep to the hours (not kept outside).
    A staff booking with a reference holds a room for another domain's item (a consultation), which that domain
    reports itself."""
    zone_ids = [row["id"] for row in await Zone.select(Zone.id).where(Zone.branch == branch_id)]
    where = Booking.zone.is_in(zone_ids or [0]) & Booking.status.is_in(list(ACTIVE_STATUSES)) & (Booking.ends_at > start) & (Booking.override_hours == False)  # noqa: E712
    views = [view for view in await _views(where) if not (view.holder_kind == HOLDER_STAFF and view.holder_ref is not None)]
    return [view for view in views if _HELD_KIND.get(view.holder_kind, "booking") in kinds]


def _as_held(view: BookingView) -> occupancy.Held:
    kind = _HELD_KIND.get(view.holder_kind, "booking")
    return occupancy.Held(kind, view.holder_ref if kind != "booking" and view.holder_ref else view.id, view.starts_at, view.ends_at, view.zone_id, view.purpose)


def _finder(kind: str):
    async def find(branch_id: int, start: datetime) -> list[occupancy.Held]:
        return [_as_held(view) for view in await _held(branch_id, start, (kind,))]

    return find


def _keeper(kind: str):
    async def keep(actor: Principal, ids: Sequence[int]) -> None:
        """Keep them as exceptions to the new hours: recorded on each booking (override_hours), audited."""
        column = Booking.id if kind == "booking" else Booking.holder_ref
        where = column.is_in(list(ids) or [0]) & Booking.status.is_in(list(ACTIVE_STATUSES))
        if kind != "booking":
            where &= Booking.holder_kind == next(holder for holder, name in _HELD_KIND.items() if name == kind)
        kept = await Booking.update({Booking.override_hours: True, Booking.override_by: actor.id}).where(where).returning(Booking.id, Booking.zone)
        branch_of = {row["id"]: row["branch"] for row in await Zone.select(Zone.id, Zone.branch).where(Zone.id.is_in([row["zone"] for row in kept] or [0]))}
        for row in kept:
            await audit.record(actor, "keep_outside_hours", "booking", row["id"], branch_id=branch_of.get(row["zone"]), changes={"override_hours": (False, True)})

    return keep


async def _cancel_for_hours(actor: Principal, ids: Sequence[int], reason: str) -> None:
    """Cancel each booking and tell its holder why (one message each), audited, in the caller's transaction."""
    for view in await _views(Booking.id.is_in(list(ids) or [0]) & Booking.status.is_in(list(ACTIVE_STATUSES))):
        await _set_status([view], CANCELLED, ACTIVE_STATUSES, actor, reason, "cancel", tell=booking_messages.BOOKING_CANCELLED)


async def _refuse_cancel(actor: Principal, ids: Sequence[int], reason: str) -> None:
    raise Invalid.one("on_conflict", _("Events and school visits are cancelled on their own pages (their people are told there); keep them here or cancel them first"))


keep_outside_hours = _keeper("booking")  # for other domains: keep these bookings outside the hours (audited)
occupancy.register("booking", find=_finder("booking"), keep=keep_outside_hours, cancel=_cancel_for_hours)
occupancy.register("event", find=_finder("event"), keep=_keeper("event"), cancel=_refuse_cancel)
occupancy.register("visit", find=_finder("visit"), keep=_keeper("visit"), cancel=_refuse_cancel)
