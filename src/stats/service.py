"""The statistics: whose figures a person may read, and the figures of a period for a set of branches.

Every number comes from one SQL aggregate in ``queries.py``; this module only adds up the few grouped rows
(per category, per zone, per age group) and shapes them. The summary is kept per process for at most a minute
(the issue allows figures a minute old; a year of the network is seconds of SQL on SQLite), and forgotten at
once when this process writes any table the figures come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from src import cache, clock
from src.accounts.permissions import Principal
from src.config import get_settings
from src.events.constants import CATEGORIES
from src.exceptions import Forbidden, Invalid
from src.guidance.constants import TYPES, WORKSHOP_CATEGORY
from src.i18n import _
from src.rooms import service as rooms_service
from src.rooms.service import BranchZones
from src.stats import permissions, queries
from src.stats.periods import MAX_DAYS, Period
from src.stats.sql import AGE_GROUPS, Dialect, dialect


@dataclass(frozen=True, slots=True)
class Scope:
    """The branches one request reads: chosen ones, or every branch the person may see."""

    branches: tuple[BranchZones, ...]
    chosen: tuple[str, ...]  # the slugs asked for ("" tuple: all the person may see)

    @property
    def ids(self) -> list[int]:
        return [branch.id for branch in self.branches]


async def scope(principal: Principal | None, slugs: list[str] | tuple[str, ...] = ()) -> Scope:
    """The branches asked for (default: all the person may see); 403 for one they may not see, 422 for an unknown."""
    if not permissions.can_view_any_stats(principal):
        raise Forbidden(_("Statistics are for library staff"))
    every = await rooms_service.list_branches()
    by_slug = {branch.slug: branch for branch in every}
    wanted = list(dict.fromkeys(slug.strip() for slug in slugs if slug.strip()))
    for slug in wanted:
        if slug not in by_slug:
            raise Invalid.one("branch", _("There is no branch %(slug)s", slug=slug))
        if not permissions.can_view_stats(principal, by_slug[slug].id):
            raise Forbidden(_("You may read the figures of your own branches only"))
    if wanted:
        return Scope(tuple(by_slug[slug] for slug in wanted), tuple(wanted))
    allowed = set(permissions.stats_branch_ids(principal, [branch.id for branch in every]))
    if not allowed:
        raise Forbidden(_("You may read the figures of your own branches only"))
    return Scope(tuple(branch for branch in every if branch.id in allowed), ())


def check_period(start: date | None, end: date | None, default: Period) -> Period:
    period = Period(start or default.start, end or default.end)
    if period.end < period.start:
        raise Invalid.one("end", _("The end date cannot be before the start date"))
    if period.days > MAX_DAYS:
        raise Invalid.one("end", _("Choose a period of at most three years"))
    return period


@dataclass(slots=True)
class Figures:
    """Everything the summary, the annual report and the dashboards' headline numbers need, for one scope."""

    events: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)
    dropins: list[dict] = field(default_factory=list)
    bookings: list[dict] = field(default_factory=list)
    school_held: list[dict] = field(default_factory=list)
    consultations: dict = field(default_factory=dict)
    surveys: dict = field(default_factory=dict)
    new_cards: list[dict] = field(default_factory=list)
    active: list[dict] = field(default_factory=list)

    def total(self, rows: str, key: str, **where: Any) -> int:
        return int(sum((row.get(key) or 0) for row in getattr(self, rows) if all(row.get(k) == v for k, v in where.items())))

    def by_age(self, category: str | None = None) -> dict[str, int]:
        """Event visits (check-ins + walk-ins + drop-in visitors) split by age group on the day of the visit."""
        where = {"category": category} if category else {}
        split = {group: self.total("visits", "checkins", age_group=group, **where) + self.total("visits", "walkins", age_group=group, **where) for group in AGE_GROUPS}
        children, youth, total = self.total("dropins", "children", **where), self.total("dropins", "youth", **where), self.total("dropins", "total", **where)
        split["0-14"] += children
        split["15-30"] += youth
        split["31+"] += total - children - youth
        return split

    def event_visits(self, category: str | None = None) -> int:
        return sum(self.by_age(category).values())


async def figures(scope_ids: list[int], period: Period, d: Dialect | None = None, with_new_cards: bool = False, by_category: bool = True) -> Figures:
    """``by_category=False``: the summary's figures only (visits by age group without categories, active readers
    without ages or other branches): faster queries."""
    d = d or dialect()
    tz = get_settings().tz
    start, end = period.instants(tz)
    now = clock.now()
    return Figures(
        events=await queries.events(d, scope_ids, start, end, now),
        visits=await queries.visits(d, scope_ids, start, end, now, by_category),
        dropins=await queries.dropins(d, scope_ids, start, end),
        bookings=await queries.bookings(d, scope_ids, start, end),
        school_held=await queries.school_visits_held(d, scope_ids, start, end, now),
        consultations=await queries.consultations(d, scope_ids, start, end, now),
        surveys=await queries.surveys(d, scope_ids, start, end, TYPES),
        new_cards=await queries.new_cards(d, scope_ids, start, end),
        active=(
            await queries.active_readers(d, scope_ids, start, end, min(period.end, clock.today(tz)), with_new_cards=with_new_cards) if by_category
            else [{"age_group": None, "readers": await queries.active_count(d, scope_ids, start, end), "several_branches": 0}]
        ),
    )


def summary_of(found: Figures) -> dict[str, Any]:
    """The figures of ``GET /api/v1/stats/summary``, named as outside clients rely on."""
    return {
        "events_held": found.total("events", "held"),
        "events_cancelled": found.total("events", "cancelled"),
        "signups": found.total("visits", "signups"),
        "checkins": found.total("visits", "checkins"),
        "no_shows": found.total("visits", "no_shows"),
        "dropin_visitors": found.total("dropins", "total"),
        "event_visits": found.event_visits(),
        "by_age": found.by_age(),
        "bookings": found.total("bookings", "bookings"),
        "booked_hours": round(float(sum(float(row["hours"] or 0) for row in found.bookings)), 1),
        "school_visits": found.total("school_held", "classes"),
        "pupils": found.total("school_held", "pupils"),
        "consultations": int(found.consultations.get("held") or 0),
        "surveys": int(found.surveys.get("surveys") or 0),
        "new_readers": found.total("new_cards", "cards"),
        "active_readers": found.total("active", "readers"),
    }


SUMMARY_CACHE = "stats-summary"
SOURCES = (
    "event", "registration", "event_attendance", "booking", "visit_request", "consultation", "survey_response",
    "reader_card", "account", "zone", "branch",
)
for _table in SOURCES:
    cache.watch(SUMMARY_CACHE, _table, "INSERT", "UPDATE", "DELETE")
_summaries = cache.Recent(SUMMARY_CACHE, size=256, max_age=60.0)


async def summary(principal: Principal | None, slugs: list[str], period: Period) -> tuple[Scope, dict[str, Any]]:
    chosen = await scope(principal, slugs)
    found = await _summaries.get((tuple(chosen.ids), period), lambda: figures(chosen.ids, period, by_category=False))
    return chosen, summary_of(found)


def categories_in(found: Figures) -> list[str]:
    present = {row["category"] for row in found.events}
    return [category for category in CATEGORIES if category in present] + sorted(present - set(CATEGORIES))


def workshop_visits(found: Figures) -> int:
    return found.event_visits(WORKSHOP_CATEGORY)


def now_date() -> date:
    return clock.today(get_settings().tz)


def instant_now() -> datetime:
    return clock.now()
