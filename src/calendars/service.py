"""Feeds (a fingerprint first, the build only when the client does not have it) and private feed tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Awaitable, Callable

from piccolo.engine import engine_finder
from piccolo.query.functions.aggregate import Count, Max

from src.accounts.permissions import Principal, private_feed_kinds
from src.branches.tables import Closure
from src.calendars import sources
from src.calendars.constants import FEED_KINDS, FEED_READER, FEED_SCHOOL, FEED_STAFF, TOKEN_BYTES
from src.calendars.ical import FeedItem, FeedMeta, build_calendar
from src.calendars.ical import instant as ical_instant
from src.calendars.sources import EPOCH, Fingerprint
from src.calendars.tables import FeedToken
from src.config import get_settings
from src import db
from src.db import write_transaction
from src.events import queries as events_queries
from src.events.tables import Event, Registration
from src.exceptions import NotFound
from src.guidance import ical as guidance_ical
from src.guidance.tables import Consultation
from src.i18n import _, reset_language, set_language
from src.rooms import service as rooms_service
from src.rooms.service import BranchZones
from src.schools import ical as school_ical
from src.schools.constants import HOLDER_KIND as HOLDER_VISIT
from src.schools.tables import VisitRequest
from src.timeutil import aware, now_utc, today_in


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed ready to answer: its fingerprint now, and how to build it when the client does not have it."""

    fingerprint: Fingerprint
    build: Callable[[], Awaitable[bytes]]
    filename: str
    private: bool = False


def _latest(*values: datetime | str | None) -> datetime:
    """The newest of some instants (an aggregate comes back as text from SQLite)."""
    return max([aware(datetime.fromisoformat(v) if isinstance(v, str) else v) for v in values if v is not None] or [EPOCH])


def _in_language(language: str, work: Callable[[], Awaitable[bytes]]) -> Callable[[], Awaitable[bytes]]:
    async def run() -> bytes:
        token = set_language(language)
        try:
            return await work()
        finally:
            reset_language(token)

    return run


async def _closure_stats(branch_ids: list[int], since: date, zone_id: int | None = None) -> tuple[int, datetime | None]:
    if not branch_ids:
        return 0, None
    query = Closure.select(Count(alias="n"), Max(Closure.created_at, alias="latest")).where(
        Closure.branch.is_in(branch_ids) & (Closure.ends_on >= since)
    )
    if zone_id is None:
        query = query.where(Closure.zone.is_null())
    else:
        query = query.where(Closure.zone.is_null() | (Closure.zone == zone_id))
    row = (await query)[0]
    return row["n"], row["latest"]


async def _common(language: str) -> tuple:
    """What every fingerprint holds: the language, the site's address, the day, the branches' revision."""
    today = today_in(get_settings().tz)
    return (language, get_settings().base_url, today, await sources.closures_fingerprint())


async def _branches_by_id() -> dict[int, BranchZones]:
    return {branch.id: branch for branch in await rooms_service.list_branches()}


# ---- public feeds -------------------------------------------------------------------------------------


def feed_filters(filters: events_queries.Filters) -> events_queries.Filters:
    """The catalogue's filters for a feed: by default from 90 days back (a feed keeps the recent past)."""
    if filters.start is None and filters.end is None:
        from dataclasses import replace

        return replace(filters, start=sources.feed_since(today_in(get_settings().tz)))
    return filters


async def events_feed(filters: events_queries.Filters, language: str) -> Feed:
    """Every branch's events with the catalogue's filters (``/feeds/events.ics?branch=…&category=…``)."""
    filters = feed_filters(filters)
    branches = await _branches_by_id()
    condition = await events_queries._where(filters, branches)  # the catalogue's own filter, so both agree
    count, latest = await sources.event_stats()
    fingerprint = Fingerprint(parts=("events", filters, count, await _common(language)), last_modified=_latest(latest))

    async def build() -> bytes:
        items = await sources.event_feed_items(condition, branches, now_utc())
        meta = FeedMeta(
            name=_("Events of the Blagoveshchensk libraries"),
            description=_("Lectures, workshops, clubs and exhibitions in every municipal library of Blagoveshchensk"),
            url=sources.page_url("/events"),
            tz=get_settings().timezone,
            language=language,
        )
        return build_calendar(meta, items)

    return Feed(fingerprint, _in_language(language, build), filename="events.ics")


async def event_feed(event_id: int, language: str) -> Feed:
    """One event as a calendar: the download link, or a one-event subscription that follows its changes."""
    event = await events_queries.get_event(event_id)
    branches = await _branches_by_id()
    condition = Event.id == event.id
    count, latest = await sources.event_stats(condition)
    fingerprint = Fingerprint(parts=("event", event.id, count, await _common(language)), last_modified=_latest(latest))

    async def build() -> bytes:
        from src.events.ical import event_item

        rows = await sources.event_rows(condition)
        items = [event_item(row, branches[row["branch"]]) for row in rows if row["branch"] in branches]
        meta = FeedMeta(name=event.title, url=sources.page_url(f"/events/{event.id}"), tz=event.timezone, language=language)
        return build_calendar(meta, items)

    return Feed(fingerprint, _in_language(language, build), filename=f"event-{event.id}.ics")


# A branch feed's fingerprint in one round trip: every event's count and newest change (as sources.event_stats)
# and the branch's closures' (as _closure_stats); Piccolo built and ran them as two queries, most of the path's
# time when the client already has the feed or it is built already (issue 17).
_BRANCH_CLOSURES = "FROM closure WHERE branch = {} AND ends_on >= {} AND zone IS NULL"
BRANCH_FEED_STATS_SQL = (
    "SELECT (SELECT COUNT(*) FROM event) AS n, (SELECT MAX(updated_at) FROM event) AS latest,"
    f" (SELECT COUNT(*) {_BRANCH_CLOSURES}) AS closures, (SELECT MAX(created_at) {_BRANCH_CLOSURES}) AS closure_latest"
)


async def branch_feed(slug: str, language: str) -> Feed:
    """One branch: its events, and its closures shown as free time (they inform, they do not block a day)."""
    branch = await rooms_service.get_branch(slug)
    since = sources.feed_since(today_in(branch.timezone))
    stats = (await db.fetch(engine_finder(), BRANCH_FEED_STATS_SQL, branch.id, since, branch.id, since))[0]
    count, latest = stats["n"], sources.instant(stats["latest"])
    fingerprint = Fingerprint(parts=("branch", branch.id, since, count, stats["closures"], await _common(language)), last_modified=_latest(latest, stats["closure_latest"]))

    async def build() -> bytes:  # only when the feed is not built already
        branches = await _branches_by_id()
        condition = await events_queries._where(events_queries.Filters(branch=branch.slug, start=since), branches)
        items = await sources.event_feed_items(condition, branches, now_utc())
        items += [sources.closure_item(row, branch, busy=False) for row in await sources.closure_rows([branch.id], since)]
        meta = FeedMeta(
            name=_("%(branch)s: events", branch=branch.short_name),
            description=_("Events and closures of %(branch)s, %(address)s", branch=branch.name, address=branch.address),
            url=sources.page_url(f"/branches/{branch.slug}"),
            tz=branch.timezone,
            language=language,
        )
        return build_calendar(meta, items)

    return Feed(fingerprint, _in_language(language, build), filename=f"{branch.slug}.ics")


async def _zone(zone_id: int) -> tuple[BranchZones, str]:
    for branch in await rooms_service.list_branches():
        for zone in branch.zones:
            if zone.id == zone_id:
                return branch, zone.name
    raise NotFound(_("There is no such zone"))


async def zone_feed(zone_id: int, language: str) -> Feed:
    """One zone's occupancy: busy blocks and closed days, no personal data; an event holding it is named."""
    branch, zone_name = await _zone(zone_id)
    since = sources.feed_since(today_in(branch.timezone))
    rows = await sources.booking_rows([zone_id], since)
    booked, booked_latest = sources.bookings_fingerprint(rows)
    closures, closure_latest = await _closure_stats([branch.id], since, zone_id)
    fingerprint = Fingerprint(parts=("zone", zone_id, since, booked, closures, await _common(language)), last_modified=_latest(booked_latest, closure_latest))

    async def build() -> bytes:
        titles = await sources.event_titles(rows)
        items = sources.booking_items(rows, {zone_id: (branch, zone_name)}, titles, detailed=False, now=now_utc())
        items += [sources.closure_item(row, branch, busy=True) for row in await sources.closure_rows([branch.id], since, zone_id)]
        meta = FeedMeta(
            name=_("%(zone)s, %(branch)s: occupancy", zone=zone_name, branch=branch.short_name),
            description=_("When %(zone)s in %(branch)s is taken or closed", zone=zone_name, branch=branch.name),
            url=sources.page_url(f"/branches/{branch.slug}#zone-{zone_id}"),
            tz=branch.timezone,
            language=language,
        )
        return build_calendar(meta, items)

    return Feed(fingerprint, _in_language(language, build), filename=f"zone-{zone_id}.ics")


async def booking_calendar(principal: Principal, booking_id: int) -> bytes:
    """One booking (its holder's or its branch staff's) as a calendar with its purpose."""
    from src.rooms import bookings as rooms_bookings
    from src.rooms.ical import BOOKING_FEED_COLUMNS
    from src.rooms.tables import Booking

    await rooms_bookings.get_booking(principal, booking_id)  # 404 or 403 as the rooms service decides
    rows = await Booking.select(*[getattr(Booking, name) for name in BOOKING_FEED_COLUMNS]).where(Booking.id == booking_id)
    branch, zone_name = await _zone(rows[0]["zone"])
    items = sources.booking_items(rows, {rows[0]["zone"]: (branch, zone_name)}, await sources.event_titles(rows), detailed=True, now=now_utc())
    return build_calendar(FeedMeta(name=zone_name, tz=branch.timezone, url=sources.page_url("/me/bookings")), items)


# ---- private feeds ------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


async def my_tokens(principal: Principal) -> list[dict]:
    """The caller's active feed tokens, one per kind, created on first use."""
    wanted = private_feed_kinds(principal)
    async with write_transaction(engine_finder()):
        rows = await FeedToken.select().where((FeedToken.account == principal.id) & FeedToken.revoked_at.is_null()).order_by(FeedToken.id)
        have = {row["kind"] for row in rows}
        missing = [kind for kind in wanted if kind not in have]
        if missing:
            now = now_utc()
            await FeedToken.insert(*[FeedToken(account=principal.id, kind=kind, token=new_token(), created_at=now) for kind in missing])
            rows = await FeedToken.select().where((FeedToken.account == principal.id) & FeedToken.revoked_at.is_null()).order_by(FeedToken.id)
    return [row for row in rows if row["kind"] in wanted]


async def regenerate(principal: Principal, kind: str | None = None) -> list[dict]:
    """Revoke the caller's tokens (of one kind, or all) and issue new ones; the old URLs answer 404 from now on."""
    async with write_transaction(engine_finder()):
        query = FeedToken.update({FeedToken.revoked_at: now_utc()}).where((FeedToken.account == principal.id) & FeedToken.revoked_at.is_null())
        if kind is not None:
            query = query.where(FeedToken.kind == kind)
        await query
    return await my_tokens(principal)


async def _token_owner(token: str) -> tuple[dict, Principal]:
    from src.accounts import service as accounts_service

    row = None
    if 20 <= len(token) <= 64:
        row = await FeedToken.select().where((FeedToken.token == token) & FeedToken.revoked_at.is_null()).first()
    principal = await accounts_service.load_principal(row["account"]) if row else None
    if row is None or principal is None or row["kind"] not in FEED_KINDS or row["kind"] not in private_feed_kinds(principal):
        raise NotFound(_("There is no such calendar. Its address may have been replaced by a new one."))
    return row, principal


async def _visit_rows(condition, since: date) -> list[dict]:
    return await school_ical.visit_rows(condition, since) if condition is not None else []


async def visit_calendar(principal: Principal, visit_id: int) -> bytes:
    """One visit as an .ics to save: for the visiting school's teachers and the branch's staff; 404 for anybody
    else (a visit's existence is not told to other schools)."""
    from src.accounts.permissions import can_view_visit
    from src.schools.tables import VisitRequest

    found = await VisitRequest.select(VisitRequest.school, VisitRequest.branch).where(VisitRequest.id == visit_id).first()
    if found is None or not can_view_visit(principal, found["school"], found["branch"]):
        raise NotFound(_("There is no such visit"))
    branches = await _branches_by_id()
    rows = await school_ical.visit_rows(VisitRequest.id == visit_id, date(1970, 1, 1))
    if not rows or rows[0]["branch"] not in branches:
        raise NotFound(_("This visit has no time yet"))
    branch = branches[rows[0]["branch"]]
    for_staff = principal.is_staff
    item = school_ical.visit_item(rows[0], branch, for_staff=for_staff)
    return build_calendar(FeedMeta(name=item.summary, tz=branch.timezone, url=item.url), [item])


async def consultation_calendar(principal: Principal, consultation_id: int) -> bytes:
    """One consultation as an .ics to save: its reader, its counsellor and admins; 404 for anybody else."""
    from src.guidance import consultations as guidance_consultations

    view = await guidance_consultations.get_consultation(principal, consultation_id)  # 404 unless theirs
    branches = await _branches_by_id()
    rows = await guidance_ical.consultation_rows(Consultation.id == view.id, date(1970, 1, 1))
    if not rows or rows[0]["branch"] not in branches:
        raise NotFound(_("No such consultation"))
    branch = branches[rows[0]["branch"]]
    item = guidance_ical.consultation_item(rows[0], branch, for_counsellor=principal.id != view.reader_id)
    return build_calendar(FeedMeta(name=item.summary, tz=branch.timezone, url=item.url), [item])


async def _registration_rows(reader_id: int, since: date) -> list[dict]:
    from src.events.ical import EVENT_FEED_COLUMNS

    start = datetime.combine(since, datetime.min.time(), tzinfo=get_settings().tz)
    columns = [getattr(Registration.event, name) for name in EVENT_FEED_COLUMNS]
    return await Registration.select(Registration.id, Registration.status, Registration.created_at, Registration.cancelled_at, Registration.promoted_at, *columns).where(
        (Registration.reader == reader_id) & (Registration.event.ends_at >= start)
    ).order_by(Registration.id)


def _registration_items(rows: list[dict], branches: dict[int, BranchZones], now: datetime) -> list[FeedItem]:
    """A reader's sign-ups: confirmed, on the waiting list (tentative), or cancelled lately."""
    from src.calendars.ical import keep_cancelled, replace
    from src.events.ical import event_item

    items: dict[int, FeedItem] = {}
    for row in rows:  # in id order: a later sign-up for the same event wins
        event = {name.removeprefix("event."): value for name, value in row.items() if name.startswith("event.")}
        branch = branches.get(event["branch"])
        if branch is None:
            continue
        ended = row["status"] == "cancelled" or event["status"] == "cancelled"
        ended_at = ical_instant(row["cancelled_at"] or event["cancelled_at"])
        if ended and not keep_cancelled(ended_at, now):
            items.pop(event["id"], None)
            continue
        status = "CANCELLED" if ended else ("TENTATIVE" if row["status"] == "waitlisted" else "CONFIRMED")
        prefix = _("(waiting list) ") if row["status"] == "waitlisted" else ""
        item = event_item(event, branch, status=status, summary_prefix=prefix)
        changed = max(v for v in (item.modified_at, ical_instant(row["created_at"]), ical_instant(row["promoted_at"]), ended_at) if v is not None)
        items[event["id"]] = replace(item, modified_at=changed, sequence=max(item.sequence, int((changed - item.created_at).total_seconds()) if item.created_at else 0))
    return list(items.values())


async def private_feed(token: str, language: str) -> Feed:
    """A reader's sign-ups; a staff member's branches (events, bookings with their purpose, closures, school
    visits naming programme and school); a school's visits (proposed ones tentative). A reader's feed holds
    their consultations; a counsellor's (the same kind) the consultations they hold, never their notes."""
    row, principal = await _token_owner(token)
    language = language or principal.language or get_settings().language
    branches = await _branches_by_id()
    since = sources.feed_since(today_in(get_settings().tz))
    common = await _common(language)
    kind = row["kind"]
    parts: tuple = ("private", row["id"], since, common)
    latest: list = [row["created_at"]]
    registrations: list[dict] = []
    bookings: list[dict] = []
    mine: list[BranchZones] = []
    condition = None
    visits: list[dict] = []
    consultations: list[dict] = []
    if kind == FEED_READER:
        registrations = await _registration_rows(principal.id, since)
        signature = [(r["id"], r["status"], str(r["event.updated_at"]), str(r["promoted_at"])) for r in registrations]
        bookings = await sources.holder_booking_rows(principal.id, since)
        booked, booked_latest = sources.bookings_fingerprint(bookings)
        parts += (tuple(signature), booked)
        latest += [r["event.updated_at"] for r in registrations] + [r["cancelled_at"] or r["promoted_at"] or r["created_at"] for r in registrations]
        latest.append(booked_latest)
        consultations = await guidance_ical.consultation_rows(
            (Consultation.counsellor == principal.id) if principal.is_counsellor else (Consultation.reader == principal.id), since
        )
        consulted, consulted_latest = guidance_ical.fingerprint(consultations)
        parts += (consulted,)
        latest.append(consulted_latest)
    elif kind == FEED_STAFF:
        mine = [branch for branch in branches.values() if principal.is_admin or branch.id in principal.branch_ids]
        ids = [branch.id for branch in mine]
        condition = (Event.branch.is_in(ids) if ids else Event.id < 0) & (Event.ends_at >= datetime.combine(since, datetime.min.time(), tzinfo=get_settings().tz))
        count, event_latest = await sources.event_stats(condition)
        bookings = await sources.booking_rows([zone.id for branch in mine for zone in branch.zones], since)
        booked, booked_latest = sources.bookings_fingerprint(bookings)
        closures, closure_latest = await _closure_stats(ids, since)
        visits = await _visit_rows(VisitRequest.branch.is_in(ids) if ids else None, since)
        visited, visit_latest = school_ical.fingerprint(visits)
        parts += (count, booked, closures, visited)
        latest += [event_latest, booked_latest, closure_latest, visit_latest]
    elif kind == FEED_SCHOOL:
        visits = await _visit_rows(VisitRequest.school == principal.school_id if principal.school_id is not None else None, since)
        visited, visit_latest = school_ical.fingerprint(visits)
        parts += (visited,)
        latest.append(visit_latest)
    fingerprint = Fingerprint(parts=parts, last_modified=_latest(*latest))

    async def build() -> bytes:
        now = now_utc()
        items: list[FeedItem] = []
        if kind == FEED_READER:
            items = _registration_items(registrations, branches, now)
            zones = {zone.id: (branch, zone.name) for branch in branches.values() for zone in branch.zones}
            known = [row for row in bookings if row["zone"] in zones]
            items += sources.booking_items(known, zones, await sources.event_titles(known), detailed=True, now=now)
            items += guidance_ical.consultation_items(consultations, branches, for_counsellor=principal.is_counsellor, now=now)
        elif kind == FEED_STAFF:
            items = await sources.event_feed_items(condition, branches, now)
            zones = {zone.id: (branch, zone.name) for branch in mine for zone in branch.zones}
            shown = {row["id"] for row in visits}  # a visit's zone holds are shown once, as the visit
            held = [row for row in bookings if not (row["holder_kind"] == HOLDER_VISIT and row["holder_ref"] in shown)]
            items += sources.booking_items(held, zones, await sources.event_titles(held), detailed=True, now=now)
            items += school_ical.visit_items(visits, branches, for_staff=True, now=now)
            by_id = {branch.id: branch for branch in mine}
            if by_id:
                items += [sources.closure_item(r, by_id[r["branch"]], busy=False) for r in await sources.closure_rows(list(by_id), since)]
        elif kind == FEED_SCHOOL:
            items = school_ical.visit_items(visits, branches, for_staff=False, now=now)
        names = {
            FEED_READER: _("My library plans"),
            FEED_SCHOOL: _("School visits to the library"),
            FEED_STAFF: _("My branches' schedule"),
        }
        meta = FeedMeta(name=names[kind], tz=get_settings().timezone, language=language, url=sources.page_url("/"))
        return build_calendar(meta, items)

    return Feed(fingerprint, _in_language(language, build), filename="libspace.ics", private=True)


async def upcoming(account_id: int, now: datetime) -> list[tuple[datetime, str]]:
    """A reader's coming sign-ups (waiting list marked), bookings and consultations as (start, one line in the
    current language): "Краеведческая лекция — 9 декабря, среда, 15:00, Библиотека им. Чехова" (the bot's /next)."""
    from zoneinfo import ZoneInfo

    from src.i18n import fmt_day_time

    branches = await _branches_by_id()
    since = today_in(get_settings().tz)
    items = _registration_items(await _registration_rows(account_id, since), branches, now)
    zones = {zone.id: (branch, zone.name) for branch in branches.values() for zone in branch.zones}
    bookings = [row for row in await sources.holder_booking_rows(account_id, since) if row["zone"] in zones]
    items += sources.booking_items(bookings, zones, await sources.event_titles(bookings), detailed=True, now=now)
    items += guidance_ical.consultation_items(await guidance_ical.consultation_rows(Consultation.reader == account_id, since), branches, for_counsellor=False, now=now)
    lines = []
    for item in items:
        if item.status == "CANCELLED" or not isinstance(item.start, datetime) or item.start < now:
            continue
        words = fmt_day_time(item.start, ZoneInfo(item.tz) if item.tz else get_settings().tz)
        lines.append((item.start, " — ".join(part for part in (item.summary, words, item.location.split("\n")[0]) if part)))
    return lines
