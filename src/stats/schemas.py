"""Statistics API output, and the summary as a table for files."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from src.i18n import N_, _
from src.stats.report import Column, Report


class SummaryOut(msgspec.Struct):
    events_held: int
    events_cancelled: int
    signups: int
    checkins: int
    no_shows: int
    dropin_visitors: int
    event_visits: int
    by_age: dict[str, int]  # "0-14", "15-30", "31+": event_visits by age on the day of the visit
    bookings: int
    booked_hours: float
    school_visits: int
    pupils: int
    consultations: int
    surveys: int
    new_readers: int
    active_readers: int


class ZoneOut(msgspec.Struct):
    zone_id: int
    branch: str
    zone: str
    kind: str
    bookings: int
    booked_hours: float
    open_hours: float
    utilisation: float  # booked share of open hours, 0..1 (more when booked outside hours)
    approvals: int
    declines: int
    cancellations: int


class ZonesOut(msgspec.Struct):
    start: date
    end: date
    branches: list[str]
    zones: list[ZoneOut]


class AnnualColumnOut(msgspec.Struct):
    number: str
    key: str
    title: str


class AnnualLineOut(msgspec.Struct):
    branch: str | None  # None: the line of all the branches asked for
    library: str
    values: dict[str, int]


class AnnualOut(msgspec.Struct):
    year: int
    branches: list[str]
    columns: list[AnnualColumnOut]
    lines: list[AnnualLineOut]


# the summary's figures as lines of a table; False: not a count of people (never hidden as "<3")
SUMMARY_LINES: tuple[tuple[str, str, bool], ...] = (
    ("events_held", N_("Events held"), False),
    ("events_cancelled", N_("Events cancelled"), False),
    ("signups", N_("Sign-ups (seats)"), True),
    ("checkins", N_("Check-ins"), True),
    ("no_shows", N_("No-shows"), True),
    ("dropin_visitors", N_("Drop-in visitors"), True),
    ("event_visits", N_("Event visits"), True),
    ("by_age.0-14", N_("Event visits, children up to 14"), True),
    ("by_age.15-30", N_("Event visits, youth 15 to 30"), True),
    ("by_age.31+", N_("Event visits, 31 and older"), True),
    ("bookings", N_("Zone bookings"), False),
    ("booked_hours", N_("Booked hours"), False),
    ("school_visits", N_("School class visits"), False),
    ("pupils", N_("Pupils"), True),
    ("consultations", N_("Career consultations"), True),
    ("surveys", N_("Career surveys"), True),
    ("new_readers", N_("New readers"), True),
    ("active_readers", N_("Active readers"), True),
)


def _pick(figures: dict[str, Any], key: str) -> Any:
    if "." in key:
        outer, inner = key.split(".", 1)
        return figures[outer][inner]
    return figures[key]


def summary_report(current: dict[str, Any], previous: dict[str, Any] | None = None) -> Report:
    """The summary as a table: figure, this period (and the same period a year before, when given)."""
    columns = [Column("figure", N_("Figure"), kind="text"), Column("value", N_("This period"), people=True, kind="number")]
    if previous is not None:
        columns.append(Column("previous", N_("Same period last year"), people=True, kind="number"))
    rows = []
    for key, title, people in SUMMARY_LINES:
        row = {"key": key, "figure": _(title), "value": _pick(current, key), "_people": people}
        if previous is not None:
            row["previous"] = _pick(previous, key)
        rows.append(row)
    return Report("summary", N_("Summary"), columns, rows, chart="value")
