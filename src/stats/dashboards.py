"""The five dashboards as tables (:class:`Report`): each starts with its headline figures for the period beside
the same period a year before, then the detail tables of the period. Pages draw a chart from each table and
offer every table as CSV and XLSX."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from src.config import get_settings
from src.guidance.constants import TYPES, WORKSHOP_CATEGORY
from src.guidance import content
from src.i18n import N_, _, current_language
from src.labels import label
from src.stats import queries, service, zones
from src.stats.periods import Period
from src.stats.report import Column, Report
from src.stats.service import Figures, Scope
from src.stats.sql import AGE_GROUPS, Dialect, dialect

COMPARE = (
    Column("figure", N_("Figure"), kind="text"),
    Column("value", N_("This period"), people=True, kind="number"),
    Column("previous", N_("Same period last year"), people=True, kind="number"),
)


def compare(slug: str, title: str, lines: list[tuple[str, bool, float, float]]) -> Report:
    """(title, counts people, this period, a year before) per line."""
    rows = [{"figure": _(name), "value": now, "previous": before, "_people": people} for name, people, now, before in lines]
    return Report(slug, title, COMPARE, rows, chart="value")


def _age_name(group: str) -> str:
    return {"0-14": _("up to 14"), "15-30": _("15 to 30"), "31+": _("31 and older")}[group]


@dataclass(slots=True)
class Context:
    scope: Scope
    period: Period
    d: Dialect

    @property
    def previous(self) -> Period:
        return self.period.a_year_before()

    def instants(self, period: Period | None = None):
        return (period or self.period).instants(get_settings().tz)


# --- events ------------------------------------------------------------------------------------------------

CATEGORY_COLUMNS = (
    Column("category", N_("Category"), kind="text"),
    Column("held", N_("Held")),
    Column("cancelled", N_("Cancelled")),
    Column("signups", N_("Sign-ups (seats)"), people=True),
    Column("checkins", N_("Check-ins"), people=True),
    Column("walkins", N_("Walk-ins"), people=True),
    Column("no_shows", N_("No-shows"), people=True),
    Column("dropins", N_("Drop-in visitors"), people=True),
    Column("visits", N_("Event visits"), people=True),
    Column("previous", N_("Event visits a year before"), people=True),
    Column("fill_rate", N_("Fill rate, %"), kind="percent"),
)


def _fill(found: Figures, **where) -> float:
    capacity = found.total("events", "capacity", **where)
    return found.total("events", "seats_taken", **where) / capacity if capacity else 0.0


async def events(ctx: Context) -> list[Report]:
    now_f = await service.figures(ctx.scope.ids, ctx.period, ctx.d)
    before = await service.figures(ctx.scope.ids, ctx.previous, ctx.d)
    lines = [
        (N_("Events held"), False, now_f.total("events", "held"), before.total("events", "held")),
        (N_("Events cancelled"), False, now_f.total("events", "cancelled"), before.total("events", "cancelled")),
        (N_("Sign-ups (seats)"), True, now_f.total("visits", "signups"), before.total("visits", "signups")),
        (N_("Check-ins"), True, now_f.total("visits", "checkins"), before.total("visits", "checkins")),
        (N_("Walk-ins"), True, now_f.total("visits", "walkins"), before.total("visits", "walkins")),
        (N_("No-shows"), True, now_f.total("visits", "no_shows"), before.total("visits", "no_shows")),
        (N_("Drop-in visitors"), True, now_f.total("dropins", "total"), before.total("dropins", "total")),
        (N_("Event visits"), True, now_f.event_visits(), before.event_visits()),
    ]
    lines += [(_("Event visits, age %(group)s", group=_age_name(group)), True, now_f.by_age()[group], before.by_age()[group]) for group in AGE_GROUPS]
    lines.append((N_("Fill rate, %"), False, round(100 * _fill(now_f), 1), round(100 * _fill(before), 1)))
    rows = [
        {
            "category": label(category, "category"), "held": now_f.total("events", "held", category=category), "cancelled": now_f.total("events", "cancelled", category=category),
            "signups": now_f.total("visits", "signups", category=category), "checkins": now_f.total("visits", "checkins", category=category),
            "walkins": now_f.total("visits", "walkins", category=category), "no_shows": now_f.total("visits", "no_shows", category=category),
            "dropins": now_f.total("dropins", "total", category=category), "visits": now_f.event_visits(category), "previous": before.event_visits(category),
            "fill_rate": _fill(now_f, category=category),
        }
        for category in dict.fromkeys(service.categories_in(now_f) + service.categories_in(before))
    ]
    by_age = [{"group": _age_name(group), "visits": now_f.by_age()[group], "previous": before.by_age()[group]} for group in AGE_GROUPS]
    return [
        compare("events-compare", N_("Events: this period and a year before"), lines),
        Report("events-by-category", N_("Events by category"), CATEGORY_COLUMNS, rows, chart="visits"),
        Report("events-by-age", N_("Event visits by age group (age on the day of the visit)"), (
            Column("group", N_("Age group"), kind="text"), Column("visits", N_("This period"), people=True), Column("previous", N_("Same period last year"), people=True),
        ), by_age, chart="visits"),
    ]


# --- zones -------------------------------------------------------------------------------------------------


async def zone_use(ctx: Context) -> list[Report]:
    rows = await zones.zone_rows(ctx.scope, ctx.period, ctx.d)
    before = await zones.zone_rows(ctx.scope, ctx.previous, ctx.d)

    def total(items: list[dict], key: str) -> float:
        return round(sum(item[key] for item in items), 1)

    def share(items: list[dict]) -> float:
        opened = total(items, "open_hours")
        return round(100 * total(items, "booked_hours") / opened, 1) if opened else 0.0

    lines = [
        (N_("Bookings"), False, total(rows, "bookings"), total(before, "bookings")),
        (N_("Booked hours"), False, total(rows, "booked_hours"), total(before, "booked_hours")),
        (N_("Utilisation, %"), False, share(rows), share(before)),
        (N_("Approved"), False, total(rows, "approvals"), total(before, "approvals")),
        (N_("Declined"), False, total(rows, "declines"), total(before, "declines")),
        (N_("Cancelled"), False, total(rows, "cancellations"), total(before, "cancellations")),
    ]
    return [
        compare("zones-compare", N_("Zones: this period and a year before"), lines),
        zones.zones_report(rows),
        zones.kinds_report(rows),
        await zones.busiest_hours(ctx.scope, ctx.period, ctx.d),
    ]


# --- school visits -----------------------------------------------------------------------------------------

HELD = (Column("classes", N_("Classes")), Column("pupils", N_("Pupils"), people=True), Column("adults", N_("Adults"), people=True))


def _grouped(rows: list[dict], key: str) -> list[dict]:
    """Sum held visits by one of programme, grade or school (a few dozen grouped rows)."""
    out: dict = {}
    for row in rows:
        item = out.setdefault(row[key], {key: row[key], "classes": 0, "pupils": 0, "adults": 0})
        for name in ("classes", "pupils", "adults"):
            item[name] += int(row[name] or 0)
    return [out[name] for name in sorted(out, key=str)]


async def school_visits(ctx: Context) -> list[Report]:
    start, end = ctx.instants()
    p_start, p_end = ctx.instants(ctx.previous)
    now = service.instant_now()
    held = await queries.school_visits_held(ctx.d, ctx.scope.ids, start, end, now)
    held_before = await queries.school_visits_held(ctx.d, ctx.scope.ids, p_start, p_end, now)
    requested = await queries.school_visits_requested(ctx.d, ctx.scope.ids, start, end)
    requested_before = await queries.school_visits_requested(ctx.d, ctx.scope.ids, p_start, p_end)

    def total(rows: list[dict], key: str) -> int:
        return sum(int(row[key] or 0) for row in rows)

    lines = [
        (N_("Visits requested"), False, total(requested, "requested"), total(requested_before, "requested")),
        (N_("Visits held"), False, total(held, "classes"), total(held_before, "classes")),
        (N_("Pupils"), True, total(held, "pupils"), total(held_before, "pupils")),
        (N_("Adults"), True, total(held, "adults"), total(held_before, "adults")),
    ]
    by_programme = {row["programme"]: dict(row) for row in requested}
    for row in _grouped(held, "programme"):
        by_programme.setdefault(row["programme"], {"programme": row["programme"]}).update(row)
    programme_rows = [by_programme[name] for name in sorted(by_programme)]
    for row in programme_rows:
        row["_people"] = True
    return [
        compare("schools-compare", N_("School visits: this period and a year before"), lines),
        Report("schools-by-programme", N_("By programme: requested in the period and held"), (
            Column("programme", N_("Programme"), kind="text"), Column("requested", N_("Requested")), Column("confirmed", N_("Confirmed")),
            Column("declined", N_("Declined")), Column("cancelled", N_("Cancelled")), Column("open", N_("Waiting")), *HELD,
        ), programme_rows, chart="classes"),
        Report("schools-by-grade", N_("Held, by grade"), (Column("grade", N_("Grade"), kind="text"), *HELD), _grouped(held, "grade"), chart="pupils"),
        Report("schools-by-school", N_("Held, by school"), (Column("school", N_("School"), kind="text"), *HELD), _grouped(held, "school"), chart="pupils"),
    ]


# --- career guidance ---------------------------------------------------------------------------------------


async def guidance(ctx: Context) -> list[Report]:
    now = service.instant_now()
    results = []
    for period in (ctx.period, ctx.previous):
        start, end = ctx.instants(period)
        found = await service.figures(ctx.scope.ids, period, ctx.d)
        results.append((found, await queries.guidance_all_three(ctx.d, ctx.scope.ids, start, end, now, WORKSHOP_CATEGORY)))
    (now_f, all_now), (before, all_before) = results
    lines = [
        (N_("Career surveys"), True, int(now_f.surveys.get("surveys") or 0), int(before.surveys.get("surveys") or 0)),
        (N_("Readers who took the survey"), True, int(now_f.surveys.get("readers") or 0), int(before.surveys.get("readers") or 0)),
        (N_("Career consultations"), True, int(now_f.consultations.get("held") or 0), int(before.consultations.get("held") or 0)),
        (N_("Career workshops: visits"), True, service.workshop_visits(now_f), service.workshop_visits(before)),
        (N_("Readers who did all three"), True, all_now, all_before),
    ]
    spread = [{"type": content.type_text(kind, current_language()).name, "surveys": int(now_f.surveys.get(f"type_{kind}") or 0)} for kind in TYPES]
    return [
        compare("guidance-compare", N_("Career guidance: this period and a year before"), lines),
        Report("survey-types", N_("Surveys by leading type (a survey may lead to two)"), (
            Column("type", N_("Type"), kind="text"), Column("surveys", N_("Surveys"), people=True),
        ), spread, chart="surveys", note=N_("Counsellors' notes are never counted.")),
    ]


# --- readers -----------------------------------------------------------------------------------------------


async def readers(ctx: Context) -> list[Report]:
    now_f = await service.figures(ctx.scope.ids, ctx.period, ctx.d)
    before = await service.figures(ctx.scope.ids, ctx.previous, ctx.d)
    lines = [
        (N_("New readers"), True, now_f.total("new_cards", "cards"), before.total("new_cards", "cards")),
        (N_("Active readers"), True, now_f.total("active", "readers"), before.total("active", "readers")),
        (N_("Active in more than one branch"), True, now_f.total("active", "several_branches"), before.total("active", "several_branches")),
    ]
    names = {branch.id: branch.short_name or branch.name for branch in ctx.scope.branches}
    cards = []
    for branch_id, name in names.items():
        row = {"branch": name, **{group: now_f.total("new_cards", "cards", branch=branch_id, age_group=group) for group in AGE_GROUPS}}
        row["total"] = sum(row[group] for group in AGE_GROUPS)
        cards.append(row)
    active = [{"group": _age_name(group), "readers": now_f.total("active", "readers", age_group=group),
               "several": now_f.total("active", "several_branches", age_group=group)} for group in AGE_GROUPS]
    return [
        compare("readers-compare", N_("Readers: this period and a year before"), lines),
        Report("new-cards", N_("New cards by branch and age group"), (
            Column("branch", N_("Branch"), kind="text"), *[Column(group, group, people=True) for group in AGE_GROUPS], Column("total", N_("Total"), people=True),
        ), cards, chart="total"),
        Report("active-readers", N_("Readers active in the period (a sign-up, check-in, booking or consultation)"), (
            Column("group", N_("Age group"), kind="text"), Column("readers", N_("Active readers"), people=True),
            Column("several", N_("Active in more than one branch"), people=True),
        ), active, chart="readers"),
    ]


@dataclass(frozen=True, slots=True)
class Dashboard:
    slug: str
    title: str
    build: Callable[[Context], Awaitable[list[Report]]]


DASHBOARDS = (
    Dashboard("events", N_("Events and visitors"), events),
    Dashboard("zones", N_("Zones"), zone_use),
    Dashboard("schools", N_("School visits"), school_visits),
    Dashboard("guidance", N_("Career guidance"), guidance),
    Dashboard("readers", N_("Readers"), readers),
)
BY_SLUG = {dashboard.slug: dashboard for dashboard in DASHBOARDS}


async def build(slug: str, scope: Scope, period: Period) -> list[Report]:
    return await BY_SLUG[slug].build(Context(scope, period, dialect()))

