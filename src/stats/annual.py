"""The annual report in the shape of form 6-НК ("Сведения об общедоступной (публичной) библиотеке").

The form has one line per library and numbered columns; each count of people and visits is split into all,
children up to 14 inclusive and youth 15 to 30 (age on the day of the visit). **The column layout lives here
only**: when Rosstat changes the form, edit :data:`COLUMNS` (order, numbers, titles, where a figure comes from)
and the JSON, CSV and XLSX follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from src.i18n import N_
from src.stats import service
from src.stats.periods import year as year_period
from src.stats.report import Column, Report
from src.stats.service import Figures, Scope
from src.stats.sql import dialect


def _users(group: str | None) -> Callable[[Figures], int]:
    return lambda f: f.total("active", "readers", **({"age_group": group} if group else {}))


def _new(group: str | None) -> Callable[[Figures], int]:
    return lambda f: f.total("new_cards", "cards", **({"age_group": group} if group else {}))


def _visits(group: str | None) -> Callable[[Figures], int]:
    return lambda f: f.event_visits() if group is None else f.by_age()[group]


@dataclass(frozen=True, slots=True)
class FormColumn:
    number: str  # the column's number on the form
    key: str  # the name in the JSON
    title: str  # message id
    value: Callable[[Figures], int]
    people: bool = True  # a count of people: "<3" in files when 1 or 2


COLUMNS: tuple[FormColumn, ...] = (
    FormColumn("1", "users", N_("Registered users: all (new cards and readers active in the year)"), _users(None)),
    FormColumn("2", "users_children", N_("of them children up to 14"), _users("0-14")),
    FormColumn("3", "users_youth", N_("of them youth 15 to 30"), _users("15-30")),
    FormColumn("4", "new_cards", N_("New cards: all"), _new(None)),
    FormColumn("5", "new_cards_children", N_("of them children up to 14"), _new("0-14")),
    FormColumn("6", "new_cards_youth", N_("of them youth 15 to 30"), _new("15-30")),
    FormColumn("7", "event_visits", N_("Visits to library events: all"), _visits(None)),
    FormColumn("8", "event_visits_children", N_("of them children up to 14"), _visits("0-14")),
    FormColumn("9", "event_visits_youth", N_("of them youth 15 to 30"), _visits("15-30")),
    FormColumn("10", "events", N_("Events held: all"), lambda f: f.total("events", "held"), people=False),
    FormColumn("11", "events_children", N_("of them for children up to 14"), lambda f: f.total("events", "held_children"), people=False),
    FormColumn("12", "events_youth", N_("of them for youth 15 to 30"), lambda f: f.total("events", "held_youth"), people=False),
    FormColumn("13", "career_workshop_visits", N_("Career workshops: visits"), service.workshop_visits),
    FormColumn("14", "consultations", N_("Career consultations held"), lambda f: int(f.consultations.get("held") or 0)),
    FormColumn("15", "surveys", N_("Career surveys completed"), lambda f: int(f.surveys.get("surveys") or 0)),
    FormColumn("16", "school_visits", N_("School class visits held"), lambda f: f.total("school_held", "classes"), people=False),
    FormColumn("17", "pupils", N_("Pupils on school visits"), lambda f: f.total("school_held", "pupils")),
)


def report_columns() -> list[Column]:
    return [Column("library", N_("Library"), kind="text")] + [Column(c.key, c.title, people=c.people) for c in COLUMNS]


async def annual(scope: Scope, year: int) -> list[dict[str, Any]]:
    """One line per branch of the scope, then the line of them all (readers active in two branches count once)."""
    period = year_period(year)
    d = dialect()
    lines = []
    for branch in scope.branches:
        found = await service.figures([branch.id], period, d, with_new_cards=True)
        lines.append({"branch": branch.slug, "library": branch.name, **{c.key: c.value(found) for c in COLUMNS}})
    if len(scope.branches) > 1:
        found = await service.figures(scope.ids, period, d, with_new_cards=True)
        lines.append({"branch": None, "library": "", **{c.key: c.value(found) for c in COLUMNS}})
    return lines


def annual_report(lines: list[dict[str, Any]], total_label: str) -> Report:
    rows = [{**line, "library": line["library"] or total_label} for line in lines]
    return Report("annual", N_("Annual report (form 6-НК)"), report_columns(), rows)
