"""Zone use: booked hours against open hours (utilisation) per zone and per kind, and the busiest hours.

Open hours come from each zone's schedule (its branch's hours with the zone's own), day by day over the
period: a calendar computation, not a loop over data rows. Booked hours are one SQL aggregate.
"""

from __future__ import annotations

from datetime import timedelta

from src.branches import rules as hours_rules
from src.config import get_settings
from src.i18n import N_, weekday_name
from src.labels import label
from src.rooms import service as rooms_service
from src.stats import queries
from src.stats.periods import Period
from src.stats.report import Column, Report
from src.stats.service import Scope
from src.stats.sql import Dialect, dialect

ZONE_COLUMNS = (
    Column("branch", N_("Branch"), kind="text"),
    Column("zone", N_("Zone"), kind="text"),
    Column("kind", N_("Kind"), kind="text"),
    Column("bookings", N_("Bookings")),
    Column("booked_hours", N_("Booked hours"), kind="float"),
    Column("open_hours", N_("Open hours"), kind="float"),
    Column("utilisation", N_("Utilisation, %"), kind="percent"),
    Column("approvals", N_("Approved")),
    Column("declines", N_("Declined")),
    Column("cancellations", N_("Cancelled")),
)
KIND_COLUMNS = (
    Column("kind", N_("Kind"), kind="text"),
    Column("zones", N_("Zones")),
    Column("booked_hours", N_("Booked hours"), kind="float"),
    Column("open_hours", N_("Open hours"), kind="float"),
    Column("utilisation", N_("Utilisation, %"), kind="percent"),
)


def open_hours(schedule, tz, period: Period) -> float:
    minutes = 0
    on = period.start
    while on <= period.end:
        minutes += sum(hours_rules.minutes(interval) for interval in hours_rules.open_intervals(schedule.day(on), tz))
        on += timedelta(days=1)
    return minutes / 60


def _share(booked: float, opened: float) -> float:
    return booked / opened if opened else 0.0


async def zone_rows(scope: Scope, period: Period, d: Dialect | None = None) -> list[dict]:
    """One row per active zone of the scope: bookings, booked and open hours, utilisation, decisions."""
    start, end = period.instants(get_settings().tz)
    found = {row["zone"]: row for row in await queries.bookings(d or dialect(), scope.ids, start, end)}
    rows = []
    # the schedules with the period's closures: a closed day of the past is no open hour (the cached list
    # the pages use keeps only the last week's closures)
    with_closures = {branch.id: branch for branch in await rooms_service.list_branches(since=period.start.replace(month=1, day=1))}
    for branch in (with_closures.get(branch.id, branch) for branch in scope.branches):
        for zone in branch.zones:
            got = found.get(zone.id, {})
            opened = open_hours(zone.schedule, branch.tz, period)
            booked = float(got.get("hours") or 0)
            rows.append({
                "zone_id": zone.id, "branch_slug": branch.slug, "branch": branch.short_name or branch.name, "zone": zone.name, "kind_code": zone.kind,
                "kind": label(zone.kind), "bookings": int(got.get("bookings") or 0), "booked_hours": round(booked, 2), "open_hours": round(opened, 2),
                "utilisation": round(_share(booked, opened), 4), "approvals": int(got.get("approvals") or 0), "declines": int(got.get("declines") or 0),
                "cancellations": int(got.get("cancellations") or 0), "_people": False,
            })
    return rows


def zones_report(rows: list[dict]) -> Report:
    return Report("zones", N_("Zones: booked hours and utilisation"), ZONE_COLUMNS, rows, chart="utilisation")


def kinds_report(rows: list[dict]) -> Report:
    kinds: dict[str, dict] = {}
    for row in rows:  # the zones of the scope (tens), not data rows
        kind = kinds.setdefault(row["kind_code"], {"kind": row["kind"], "zones": 0, "booked_hours": 0.0, "open_hours": 0.0, "_people": False})
        kind["zones"] += 1
        kind["booked_hours"] += row["booked_hours"]
        kind["open_hours"] += row["open_hours"]
    for kind in kinds.values():
        kind["utilisation"] = round(_share(kind["booked_hours"], kind["open_hours"]), 4)
    return Report("zone-kinds", N_("Utilisation by kind of zone"), KIND_COLUMNS, sorted(kinds.values(), key=lambda k: k["kind"]), chart="utilisation")


WEEK = (1, 2, 3, 4, 5, 6, 0)  # Monday first; SQL counts Sunday as 0


async def busiest_hours(scope: Scope, period: Period, d: Dialect | None = None) -> Report:
    """Confirmed bookings by weekday and starting hour: the heat map's numbers."""
    start, end = period.instants(get_settings().tz)
    found = {(row["weekday"], row["hour"]): int(row["bookings"]) for row in await queries.busiest_hours(d or dialect(), scope.ids, start, end)}
    hours = sorted({hour for _day, hour in found}) or list(range(9, 21))
    hours = list(range(min(hours[0], 9), max(hours[-1], 20) + 1))
    columns = [Column("weekday", N_("Weekday"), kind="text")] + [Column(f"h{hour}", f"{hour:02d}:00") for hour in hours]
    rows = []
    for sql_day in WEEK:
        row: dict = {"weekday": weekday_name((sql_day - 1) % 7, "abbreviated"), "_people": False}
        row.update({f"h{hour}": found.get((sql_day, hour), 0) for hour in hours})
        rows.append(row)
    return Report("busiest-hours", N_("Busiest hours of the week (bookings by starting hour)"), columns, rows)
