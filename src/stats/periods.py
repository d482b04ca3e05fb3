"""Periods of the statistics: inclusive date ranges in the city's zone (pure)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

MAX_DAYS = 3 * 366 + 1  # one request covers at most about three years


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive

    def instants(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """``[start 00:00, the day after end 00:00)`` in ``tz``, as aware instants."""
        return datetime.combine(self.start, time(0), tzinfo=tz), datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def a_year_before(self) -> "Period":
        return Period(self.start - relativedelta(years=1), self.end - relativedelta(years=1))


def this_month(today: date) -> Period:
    last = calendar.monthrange(today.year, today.month)[1]
    return Period(today.replace(day=1), today.replace(day=last))


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number, 12, 31))
