"""The few SQL expressions that differ between SQLite and PostgreSQL, for the statistics queries.

Everything else in ``queries.py`` is plain SQL both engines run. Times are stored in UTC; a visit's *day* is its
local date in the city's zone (every branch of the network is in it; SQLite has no zone database, so it shifts
by the zone's offset, which Russia has kept fixed since 2014). Ages are whole years on that day, computed the
way ``events.rules`` computes them (a birthday on 29 February is reached on 1 March in other years).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from piccolo.engine import engine_finder

from src import clock
from src.config import get_settings
from src.db import is_postgres

_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-/]+$")
AGE_GROUPS = ("0-14", "15-30", "31+")


@dataclass(frozen=True, slots=True)
class Dialect:
    postgres: bool
    zone: str
    offset_minutes: int

    def local_day(self, column: str) -> str:
        if self.postgres:
            return f"(({column}) AT TIME ZONE '{self.zone}')::date"
        return f"date({column}, '{self.offset_minutes:+d} minutes')"

    def local_time(self, column: str) -> str:
        if self.postgres:
            return f"(({column}) AT TIME ZONE '{self.zone}')"
        return f"datetime({column}, '{self.offset_minutes:+d} minutes')"

    def weekday(self, column: str) -> str:
        """0 = Sunday … 6 = Saturday, of the local time."""
        if self.postgres:
            return f"CAST(EXTRACT(DOW FROM {self.local_time(column)}) AS INTEGER)"
        return f"CAST(strftime('%w', {self.local_time(column)}) AS INTEGER)"

    def hour(self, column: str) -> str:
        if self.postgres:
            return f"CAST(EXTRACT(HOUR FROM {self.local_time(column)}) AS INTEGER)"
        return f"CAST(strftime('%H', {self.local_time(column)}) AS INTEGER)"

    def day_literal(self, on: date) -> str:
        text = on.isoformat()  # a date object: digits and dashes only
        return f"DATE '{text}'" if self.postgres else f"'{text}'"

    def age(self, day: str, birth: str) -> str:
        """Whole years from ``birth`` to ``day`` (both SQL date expressions)."""
        if self.postgres:
            return f"CAST(date_part('year', age({day}, {birth})) AS INTEGER)"
        return (
            f"(CAST(strftime('%Y', {day}) AS INTEGER) - CAST(strftime('%Y', {birth}) AS INTEGER)"
            f" - (strftime('%m-%d', {day}) < strftime('%m-%d', {birth})))"
        )

    def age_group(self, day: str, birth: str) -> str:
        """'0-14', '15-30' or '31+' (no birth date known: '31+')."""
        age = self.age(day, birth)
        return f"CASE WHEN {birth} IS NULL THEN '31+' WHEN {age} <= 14 THEN '0-14' WHEN {age} <= 30 THEN '15-30' ELSE '31+' END"

    def born_by(self, day: str, years: int) -> str:
        """The latest birth date of someone at least ``years`` old on ``day``: born after it, younger. (SQLite moves
        29 February minus whole years to 1 March; the day before is the right one then.)"""
        if self.postgres:
            return f"CAST(({day}) - interval '{int(years)} years' AS date)"
        shifted = f"date({day}, '-{int(years)} years')"
        return f"CASE WHEN strftime('%m-%d', {shifted}) <> strftime('%m-%d', {day}) THEN date({shifted}, '-1 day') ELSE {shifted} END"

    def indexed_by(self, index: str) -> str:
        """SQLite's planner takes a unique index over a covering one for a join; name the covering one."""
        return "" if self.postgres else f"INDEXED BY {index}"

    @property
    def fence(self) -> str:
        """Ends a subquery that must be computed once per row rather than merged into the query around it (which
        would evaluate its expressions again in every aggregate that names them)."""
        return "OFFSET 0" if self.postgres else "LIMIT -1"

    def hours(self, start: str, end: str) -> str:
        if self.postgres:
            return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"
        return f"((julianday({end}) - julianday({start})) * 24.0)"


def dialect(at: datetime | None = None) -> Dialect:
    settings = get_settings()
    zone = settings.timezone
    if not _ZONE_NAME.match(zone):  # the zone is checked at start; this keeps the SQL literal safe regardless
        raise ValueError(f"unexpected time zone name {zone!r}")
    offset = (at or clock.now()).astimezone(settings.tz).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return Dialect(postgres=is_postgres(engine_finder()), zone=zone, offset_minutes=minutes)


def ids(values) -> str:
    """A SQL list of integer ids (never empty: ``NULL`` matches nothing)."""
    listed = ", ".join(str(int(value)) for value in values)
    return listed or "NULL"
