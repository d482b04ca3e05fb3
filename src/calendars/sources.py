"""What goes into feeds, read from each domain and turned into :class:`FeedItem`s.

Every source answers two questions: a cheap *fingerprint* of its data (for ETags and the 304 path, no rows
loaded) and the *items* themselves. Domains that have not landed yet contribute nothing; each one is added
here as it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from src import cache
from src.branches import service as branches_service
from src.branches.service import BranchInfo
from src.branches.tables import Closure
from src.calendars.constants import FEED_PAST_DAYS
from src.calendars.ical import FeedItem, branch_geo, branch_location, page_url, uid  # noqa: F401 - page_url for the feeds
from src.calendars.ical import instant
from src.config import get_settings
from src.i18n import _
from src.labels import label

EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)  # Last-Modified of a feed with no data at all


@dataclass(frozen=True, slots=True)
class Fingerprint:
    parts: tuple
    last_modified: datetime


def feed_since(today: date) -> date:
    return today - timedelta(days=FEED_PAST_DAYS)


# ---- closures ---------------------------------------------------------------------------------------


async def closures_fingerprint() -> tuple:
    """Closures change only through writers that bump the branches revision (src/cache.py)."""
    return ("closures", await cache.revision(branches_service.CACHE_NAME))


async def closure_rows(branch_ids: list[int], since: date, zone_id: int | None = None) -> list[dict]:
    query = Closure.select().where(Closure.branch.is_in(branch_ids) & (Closure.ends_on >= since))
    if zone_id is None:
        query = query.where(Closure.zone.is_null())
    else:
        query = query.where(Closure.zone.is_null() | (Closure.zone == zone_id))
    return await query.order_by(Closure.starts_on)


def closure_item(row: dict, branch: BranchInfo, busy: bool) -> FeedItem:
    """A closure as an all-day block (DTEND is the day after the last closed day, RFC 5545 §3.6.1)."""
    reason = row["reason"] or label(row["kind"])
    return FeedItem(
        uid=uid("closure", row["id"]),
        summary=_("Closed: %(reason)s", reason=reason) + f" · {branch.short_name}",
        start=row["starts_on"],
        end=row["ends_on"] + timedelta(days=1),
        modified_at=row["created_at"],
        created_at=row["created_at"],
        description=_("%(branch)s is closed to readers: %(reason)s.", branch=branch.name, reason=reason),
        location=branch_location(branch),
        geo=branch_geo(branch),
        url=page_url(f"/branches/{branch.slug}"),
        categories=(label(row["kind"]),),
        busy=busy,
    )


# ---- events -------------------------------------------------------------------------------------------


async def event_stats(condition=None) -> tuple[int, datetime | None]:
    """Count and newest change of events: a feed's fingerprint, without loading rows. Without a condition it is
    the whole table's (the index on updated_at answers MAX at once): any change anywhere makes a new ETag,
    which is cheaper than filtering on the 304 path and never stale; the feed's filters are in its fingerprint."""
    from piccolo.query.functions.aggregate import Count, Max

    from src.events.tables import Event

    query = Event.select(Count(alias="n"), Max(Event.updated_at, alias="latest"))
    if condition is not None:
        query = query.where(condition)
    row = (await query)[0]
    return row["n"], instant(row["latest"])


_event_rows: dict[int, tuple[object, dict]] = {}  # event id -> (its updated_at, its row): per process
EVENT_ROWS_KEPT = 100_000
SQL_CHUNK = 500  # ids per IN (...), well under SQLite's variable limit


async def event_rows(condition) -> list[dict]:
    """The feed columns of the events matching ``condition``, in date order.

    A narrow query (id, updated_at) decides; only rows changed since this process last read them are fetched
    in full. Every change of an event's feed columns moves its ``updated_at`` (src/events/service.py).
    """
    from src.events.ical import EVENT_FEED_COLUMNS
    from src.events.tables import Event

    light = await Event.select(Event.id, Event.updated_at).where(condition).order_by(Event.starts_at, Event.id)
    stale = [row["id"] for row in light if _event_rows.get(row["id"], (None,))[0] != row["updated_at"]]
    if len(_event_rows) + len(stale) > EVENT_ROWS_KEPT:
        _event_rows.clear()
        stale = [row["id"] for row in light]
    columns = [getattr(Event, name) for name in EVENT_FEED_COLUMNS]
    if len(stale) > len(light) // 2:  # mostly unknown (a fresh process): one query beats many IN lists
        for row in await Event.select(*columns).where(condition):
            _event_rows[row["id"]] = (row["updated_at"], row)
        stale = []
    for start in range(0, len(stale), SQL_CHUNK):
        for row in await Event.select(*columns).where(Event.id.is_in(stale[start : start + SQL_CHUNK])):
            _event_rows[row["id"]] = (row["updated_at"], row)
    return [_event_rows[row["id"]][1] for row in light if row["id"] in _event_rows]


async def series_facts(rows: list[dict]) -> tuple[dict[int, str], set[int]]:
    """The rules of the series among ``rows``, and which of them are here whole (only those become an RRULE)."""
    from piccolo.query.functions.aggregate import Count

    from src.events.tables import Event, EventSeries

    loaded: dict[int, int] = {}
    for row in rows:
        if row["series"] is not None:
            loaded[row["series"]] = loaded.get(row["series"], 0) + 1
    if not loaded:
        return {}, set()
    rules = {row["id"]: row["recurrence"] for row in await EventSeries.select(EventSeries.id, EventSeries.recurrence).where(EventSeries.id.is_in(list(loaded)))}
    totals = await Event.select(Event.series, Count(alias="n")).where(Event.series.is_in(list(loaded))).group_by(Event.series)
    complete = {row["series"] for row in totals if row["n"] == loaded.get(row["series"]) and rules.get(row["series"], "").strip()}
    return {key: value.strip().removeprefix("RRULE:") for key, value in rules.items()}, complete


async def event_feed_items(condition, branches: dict[int, BranchInfo], now: datetime) -> list[FeedItem]:
    from src.events.ical import event_items

    rows = await event_rows(condition)
    series_rules, complete = await series_facts(rows)
    return event_items(rows, branches, series_rules, complete, now)


# ---- bookings -----------------------------------------------------------------------------------------


async def booking_rows(zone_ids: list[int], since: date) -> list[dict]:
    """Bookings of some zones that hold them, or were cancelled lately (kept 30 days as CANCELLED)."""
    from src.rooms.ical import BOOKING_FEED_COLUMNS
    from src.rooms.tables import Booking

    if not zone_ids:
        return []
    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.utc)
    return await Booking.select(*[getattr(Booking, name) for name in BOOKING_FEED_COLUMNS]).where(
        Booking.zone.is_in(zone_ids) & (Booking.ends_at >= start)
    ).order_by(Booking.starts_at, Booking.id)


async def holder_booking_rows(account_id: int, since: date) -> list[dict]:
    """A person's own bookings (a reader's zone bookings, in their private feed)."""
    from src.rooms.ical import BOOKING_FEED_COLUMNS
    from src.rooms.tables import Booking

    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.utc)
    return await Booking.select(*[getattr(Booking, name) for name in BOOKING_FEED_COLUMNS]).where(
        (Booking.holder == account_id) & (Booking.holder_kind == "reader") & (Booking.ends_at >= start)
    ).order_by(Booking.starts_at, Booking.id)


def bookings_fingerprint(rows: list[dict]) -> tuple[tuple, datetime | None]:
    """Bookings have no updated_at (a move changes only the times): the fingerprint is their rows themselves."""
    import hashlib

    digest = hashlib.sha256(repr([(r["id"], str(r["starts_at"]), str(r["ends_at"]), r["status"], r["purpose"]) for r in rows]).encode()).hexdigest()
    latest = max([instant(r["status_changed_at"] or r["created_at"]) for r in rows], default=None)
    return ("bookings", len(rows), digest), latest


async def event_titles(rows: list[dict]) -> dict[int, str]:
    from src.events.tables import Event

    ids = sorted({row["holder_ref"] for row in rows if row["holder_kind"] == "event" and row["holder_ref"] is not None})
    if not ids:
        return {}
    return {row["id"]: row["title"] for row in await Event.select(Event.id, Event.title).where(Event.id.is_in(ids))}


def booking_items(rows: list[dict], zones: dict[int, tuple[BranchInfo, str]], titles: dict[int, str], detailed: bool, now: datetime) -> list[FeedItem]:
    from src.calendars.ical import keep_cancelled
    from src.rooms.ical import booking_item

    items = []
    for row in rows:
        if row["status"] in ("cancelled", "declined") and not keep_cancelled(instant(row["status_changed_at"]), now):
            continue
        branch, zone_name = zones[row["zone"]]
        items.append(booking_item(row, branch, zone_name, titles, detailed))
    return items
