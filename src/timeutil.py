"""Time: stored in UTC, shown in the branch's zone, ISO 8601 with offset in the API.

"Now" and "today" come from the one clock, ``src/clock.py``; ``now_utc`` and ``today_in`` are its names here.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from src.clock import UTC
from src.clock import now as now_utc
from src.clock import today as today_in

__all__ = ["UTC", "age_on", "aware", "local", "now_utc", "today_in"]


def aware(value: datetime) -> datetime:
    """SQLite may hand back naive UTC datetimes; make every instant aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def local(value: datetime, tz: str | ZoneInfo) -> datetime:
    return aware(value).astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)


def age_on(birth_date: date, on: date) -> int:
    return relativedelta(on, birth_date).years
