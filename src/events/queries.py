"""The read side of events: the catalogue, one event, a reader's sign-ups, an attendee list. No writes.

Branch and zone names come from the cached branch list (src/rooms/service.py), so the catalogue is one
indexed query on ``event`` plus a count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from src import cache, db
from src.accounts.tables import ReaderCard
from src.config import get_settings
from src.events import rules
from src.events.constants import ACTIVE, CANCELLED, CONFIRMED, SCHEDULED, WAITLISTED
from src.events.tables import Event, Registration
from src.exceptions import NotFound
from src.i18n import _
from src.rooms import service as rooms_service
from src.timeutil import aware, now_utc, today_in

MONTH_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Filters:
    """The catalogue's filters, named as in the API and the page URLs."""

    branch: str = ""
    category: str = ""
    age: int | None = None
    start: date | None = None
    end: date | None = None
    free_only: bool = False
    q: str = ""
    profession_type: str = ""


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    title: str
    description: str
    category: str
    audience: str
    branch_id: int
    branch_slug: str
    branch_name: str
    timezone: str
    zone_id: int | None
    zone_name: str
    series_id: int | None
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    seats_per_signup: int
    seats_taken: int
    seats_left: int | None
    min_age: int | None
    max_age: int | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime
    waitlist: bool
    host_name: str
    host_profession: str
    host_organisation: str
    profession_types: list[str]
    career_fields: list[str]
    accessibility: str
    status: str
    cancel_reason: str
    confirm_hours_before: int | None

    @property
    def signup_needed(self) -> bool:
        return self.capacity is not None

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def local_day(self) -> date:
        return self.starts_at.astimezone(ZoneInfo(self.timezone)).date()

    def window_state(self, now: datetime) -> str | None:
        return rules.window_problem(now, self.starts_at, self.registration_opens_at, self.registration_closes_at)


EVENT_COLUMNS = tuple(column for column in Event._meta.columns if column._meta.name not in ("search_text",))


def event_view(row: dict, branches: dict[int, rooms_service.BranchZones]) -> EventView:
    branch = branches.get(row["branch"])
    zone_name = ""
    if branch is not None and row["zone"] is not None:
        zone_name = next((zone.name for zone in branch.zones if zone.id == row["zone"]), "")
    starts_at = aware(row["starts_at"])
    return EventView(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        category=row["category"],
        audience=row["audience"],
        branch_id=row["branch"],
        branch_slug=branch.slug if branch else "",
        branch_name=branch.short_name if branch else "",
        timezone=branch.timezone if branch else get_settings().timezone,
        zone_id=row["zone"],
        zone_name=zone_name,
        series_id=row["series"],
        starts_at=starts_at,
        ends_at=aware(row["ends_at"]),
        capacity=row["capacity"],
        seats_per_signup=row["seats_per_signup"],
        seats_taken=row["seats_taken"],
        seats_left=rules.seats_left(row["capacity"], row["seats_taken"]),
        min_age=row["min_age"],
        max_age=row["max_age"],
        registration_opens_at=aware(row["registration_opens_at"]) if row["registration_opens_at"] else None,
        registration_closes_at=aware(row["registration_closes_at"]) if row["registration_closes_at"] else starts_at,
        waitlist=row["waitlist"],
        host_name=row["host_name"],
        host_profession=row["host_profession"],
        host_organisation=row["host_organisation"],
        profession_types=rules.split_list(row["profession_types"]),
        career_fields=rules.split_list(row["career_fields"]),
        accessibility=row["accessibility"],
        status=row["status"],
        cancel_reason=row["cancel_reason"],
        confirm_hours_before=row["confirm_hours_before"],
    )


async def _branches() -> dict[int, rooms_service.BranchZones]:
    return {branch.id: branch for branch in await rooms_service.list_branches()}


def _day_start(on: date) -> datetime:
    return datetime.combine(on, time(0), tzinfo=get_settings().tz)


async def _where(filters: Filters, branches: dict[int, rooms_service.BranchZones]):
    start = filters.start or (None if filters.end else today_in(get_settings().tz))
    condition = Event.id > 0
    if start is not None:
        condition &= Event.ends_at > _day_start(start)
    if filters.end is not None:
        condition &= Event.starts_at < _day_start(filters.end + timedelta(days=1))
    if filters.branch:
        branch_id = next((branch.id for branch in branches.values() if branch.slug == filters.branch), None)
        if branch_id is None:
            raise NotFound(_("There is no library branch called %(slug)s", slug=filters.branch))
        condition &= Event.branch == branch_id
    if filters.category:
        condition &= Event.category == filters.category
    if filters.age is not None:
        condition &= (Event.min_age.is_null() | (Event.min_age <= filters.age)) & (Event.max_age.is_null() | (Event.max_age >= filters.age))
    if filters.free_only:
        condition &= (Event.status == SCHEDULED) & (Event.capacity.is_null() | (Event.seats_taken < Event.capacity))
    words = filters.q.replace("%", " ").replace("_", " ").casefold().split()
    for word in words[:5]:
        condition &= Event.search_text.like(f"%{word}%")
    if filters.profession_type:
        condition &= Event.profession_types.like(f"%{filters.profession_type.replace('%', '')}%")
    return condition


# The catalogue's rows are kept per process for a moment, for everyone (the anonymous page is cached whole as
# long): seat counts may lag by that much behind other workers' sign-ups; this worker's own writes to events or
# sign-ups forget them at once.
CATALOGUE_CACHE = "events-catalogue"
for _table in ("event", "registration", "branch", "zone"):
    cache.watch(CATALOGUE_CACHE, _table, "INSERT", "UPDATE", "DELETE")
_catalogues = cache.Recent(CATALOGUE_CACHE, size=256, max_age=2.0)


async def catalogue(filters: Filters, page: int, page_size: int) -> tuple[list[EventView], int]:
    """Events matching the filters in date order; by default those not yet over."""
    return await _catalogues.get((filters, page, page_size), lambda: _catalogue(filters, page, page_size))


async def _catalogue(filters: Filters, page: int, page_size: int) -> tuple[list[EventView], int]:
    branches = await _branches()
    condition = await _where(filters, branches)
    rows = await Event.select(*EVENT_COLUMNS).where(condition).order_by(Event.starts_at, Event.id).limit(page_size).offset((page - 1) * page_size)
    total = await Event.count().where(condition)
    return [event_view(row, branches) for row in rows], total


async def month(filters: Filters, first_day: date) -> dict[date, list[EventView]]:
    """One month's events by local day, for the month view (filters apply; dates are the month's)."""
    last_day = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    scoped = Filters(**{**{name: getattr(filters, name) for name in Filters.__slots__}, "start": first_day, "end": last_day})
    events, _total = await catalogue(scoped, 1, MONTH_LIMIT)
    by_day: dict[date, list[EventView]] = defaultdict(list)
    tz = get_settings().tz
    for event in events:
        day = max(event.starts_at.astimezone(tz).date(), first_day)
        by_day[day].append(event)
    return by_day


async def get_event(event_id: int) -> EventView:
    row = await Event.select(*EVENT_COLUMNS).where(Event.id == event_id).first()
    if row is None:
        raise NotFound(_("There is no such event"))
    return event_view(row, await _branches())


async def waiting_count(event_id: int) -> int:
    return await Registration.count().where((Registration.event == event_id) & (Registration.status == WAITLISTED))


async def series_dates(series_id: int | None) -> list[tuple[int, datetime, str]]:
    if series_id is None:
        return []
    rows = await Event.select(Event.id, Event.starts_at, Event.status).where(Event.series == series_id).order_by(Event.starts_at)
    return [(row["id"], aware(row["starts_at"]), row["status"]) for row in rows]


# --- sign-ups ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistrationView:
    id: int
    event_id: int
    reader_id: int
    seats: int
    status: str
    waitlist_position: int | None
    ticket_code: str
    confirmation_required: bool  # a confirmation is still due
    confirm_by: datetime | None
    checked_in_at: datetime | None
    cancel_reason: str
    created_at: datetime
    event: EventView | None = None

    @property
    def ticket(self) -> str:
        return rules.display_code(self.ticket_code)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


async def _positions(rows: list[dict]) -> dict[int, int]:
    """Waitlist positions (1 = next in line) of the waitlisted rows among them."""
    positions = {}
    for row in rows:
        if row["status"] == WAITLISTED:
            ahead = await Registration.count().where(
                (Registration.event == row["event"]) & (Registration.status == WAITLISTED) & (Registration.id < row["id"])
            )
            positions[row["id"]] = ahead + 1
    return positions


def _registration_view(row: dict, positions: dict[int, int], event: EventView | None, starts_at: datetime, confirm_hours: int | None) -> RegistrationView:
    confirmed_at = row["confirmed_at"]
    deadline = rules.confirm_deadline(starts_at, confirm_hours, row["confirmation_required"])
    due = row["status"] in ACTIVE and deadline is not None and confirmed_at is None
    return RegistrationView(
        id=row["id"],
        event_id=row["event"],
        reader_id=row["reader"],
        seats=row["seats"],
        status=row["status"],
        waitlist_position=positions.get(row["id"]),
        ticket_code=row["ticket_code"],
        confirmation_required=due,
        confirm_by=deadline if due else None,
        checked_in_at=aware(row["checked_in_at"]) if row["checked_in_at"] else None,
        cancel_reason=row["cancel_reason"],
        created_at=aware(row["created_at"]),
        event=event,
    )


async def registration_of(event: EventView, reader_id: int) -> RegistrationView | None:
    """The reader's active sign-up for the event, else their latest one, else None."""
    rows = await Registration.select().where((Registration.event == event.id) & (Registration.reader == reader_id)).order_by(Registration.id, ascending=False)
    if not rows:
        return None
    row = next((row for row in rows if row["status"] in ACTIVE), rows[0])
    return _registration_view(row, await _positions([row]), event, event.starts_at, event.confirm_hours_before)


async def get_registration(registration_id: int) -> RegistrationView:
    row = await Registration.select().where(Registration.id == registration_id).first()
    if row is None:
        raise NotFound(_("There is no such sign-up"))
    event = await get_event(row["event"])
    return _registration_view(row, await _positions([row]), event, event.starts_at, event.confirm_hours_before)


_MINE_COLUMNS = ("id", "event", "reader", "seats", "status", "ticket_code", "confirmation_required", "confirmed_at", "checked_in_at", "cancel_reason", "created_at")
_EVENT_NAMES = tuple(column._meta.db_column_name for column in EVENT_COLUMNS)
# One round trip for a reader's page of sign-ups: their events joined, the waitlist position of each waitlisted
# one and the total over every page (a window count). Piccolo's builder took three queries plus one per
# waitlisted sign-up, and most of this path's time (issue 17).
_MINE_SQL = (
    "SELECT " + ", ".join(f"r.{name}" for name in _MINE_COLUMNS) + ", " + ", ".join(f"e.{name} AS e_{name}" for name in _EVENT_NAMES)
    + f", CASE WHEN r.status = '{WAITLISTED}' THEN (SELECT COUNT(*) FROM registration w WHERE w.event = r.event AND w.status = '{WAITLISTED}' AND w.id < r.id) END AS ahead"
    + ", COUNT(*) OVER () AS total FROM registration r JOIN event e ON e.id = r.event WHERE r.reader = {}<period>"
    + " ORDER BY e.starts_at <order>, r.id <order> LIMIT {} OFFSET {}"
)
_MINE = {
    upcoming: _MINE_SQL.replace("<period>", {True: " AND e.ends_at > {}", False: " AND e.ends_at <= {}", None: ""}[upcoming]).replace("<order>", "DESC" if upcoming is False else "ASC")
    for upcoming in (True, False, None)
}


async def my_registrations(reader_id: int, page: int, page_size: int, upcoming: bool | None = None) -> tuple[list[RegistrationView], int]:
    """A reader's sign-ups with their events; upcoming first by date, then past ones (latest first)."""
    when = () if upcoming is None else (now_utc(),)
    rows = await db.fetch(Registration._meta.db, _MINE[upcoming], reader_id, *when, page_size, (page - 1) * page_size)
    if rows:
        total = rows[0]["total"]
    else:  # past the last page (or none at all): the window count has no row to ride on
        condition = Registration.reader == reader_id
        if upcoming is not None:
            condition &= (Registration.event.ends_at > when[0]) if upcoming else (Registration.event.ends_at <= when[0])
        total = await Registration.count().where(condition) if page > 1 else 0
    branches = await _branches()
    views = []
    for row in rows:
        event = event_view({name: row[f"e_{name}"] for name in _EVENT_NAMES}, branches)
        positions = {row["id"]: row["ahead"] + 1} if row["ahead"] is not None else {}
        views.append(_registration_view(row, positions, event, event.starts_at, event.confirm_hours_before))
    return views, total


@dataclass(frozen=True, slots=True)
class Attendee:
    registration_id: int
    reader_id: int
    full_name: str
    card_number: str
    seats: int
    status: str
    waitlist_position: int | None
    checked_in_at: datetime | None
    no_show: bool
    created_at: datetime
    ticket_code: str


async def attendees(event: EventView, page: int = 1, page_size: int = 500, include_cancelled: bool = False) -> tuple[list[Attendee], int]:
    """Confirmed first, then the waitlist in order (positions 1, 2, ...), then cancelled ones if asked."""
    condition = Registration.event == event.id
    if not include_cancelled:
        condition &= Registration.status.is_in(list(ACTIVE))
    rows = await Registration.select(*Registration._meta.columns, Registration.reader.full_name).where(condition).order_by(Registration.id)
    attendance_taken = await Event.select(Event.attendance_taken).where(Event.id == event.id).first()
    order = {CONFIRMED: 0, WAITLISTED: 1}
    rows.sort(key=lambda row: (order.get(row["status"], 2), row["id"]))
    total = len(rows)
    rows = rows[(page - 1) * page_size : page * page_size]
    cards = {
        row["account"]: row["card_number"]
        for row in await ReaderCard.select(ReaderCard.account, ReaderCard.card_number).where(ReaderCard.account.is_in([row["reader"] for row in rows] or [0]))
    }
    waiting_ids = [row["id"] for row in await Registration.select(Registration.id).where((Registration.event == event.id) & (Registration.status == WAITLISTED)).order_by(Registration.id)]
    positions = {registration_id: index + 1 for index, registration_id in enumerate(waiting_ids)}
    now = now_utc()
    taken = bool(attendance_taken and attendance_taken["attendance_taken"])
    return [
        Attendee(
            registration_id=row["id"],
            reader_id=row["reader"],
            full_name=row["reader.full_name"],
            card_number=cards.get(row["reader"], ""),
            seats=row["seats"],
            status=row["status"],
            waitlist_position=positions.get(row["id"]),
            checked_in_at=aware(row["checked_in_at"]) if row["checked_in_at"] else None,
            no_show=rules.is_no_show(row["status"], row["checked_in_at"], event.ends_at, taken, now) and event.status == SCHEDULED,
            created_at=aware(row["created_at"]),
            ticket_code=row["ticket_code"],
        )
        for row in rows
    ], total


async def events_today(branch_ids: set[int]) -> list[EventView]:
    """Events of these branches happening today (the check-in screen's choice)."""
    return await events_on(branch_ids, today_in(get_settings().tz), signup_only=True)


async def events_on(branch_ids: set[int], on: date, signup_only: bool = False) -> list[EventView]:
    """Scheduled events of these branches happening on a day (with sign-up only, when asked)."""
    branches = await _branches()
    condition = (
        Event.branch.is_in(list(branch_ids) or [0])
        & (Event.starts_at < _day_start(on + timedelta(days=1)))
        & (Event.ends_at > _day_start(on))
        & (Event.status == SCHEDULED)
    )
    if signup_only:
        condition &= Event.capacity.is_not_null()
    rows = await Event.select(*EVENT_COLUMNS).where(condition).order_by(Event.starts_at)
    return [event_view(row, branches) for row in rows]


async def branch_events(branch_ids: set[int], start: date, page: int, page_size: int) -> tuple[list[EventView], int]:
    branches = await _branches()
    condition = Event.branch.is_in(list(branch_ids) or [0]) & (Event.ends_at > _day_start(start))
    rows = await Event.select(*EVENT_COLUMNS).where(condition).order_by(Event.starts_at, Event.id).limit(page_size).offset((page - 1) * page_size)
    return [event_view(row, branches) for row in rows], await Event.count().where(condition)
