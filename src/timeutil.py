"""Time: stored in UTC, shown in the branch's zone, ISO 8601 with offset in the API."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

UTC = timezone.utc


def now_utc() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """SQLite may hand back naive UTC datetimes; make every instant aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def local(value: datetime, tz: str | ZoneInfo) -> datetime:
    return aware(value).astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)


def age_on(birth_date: date, on: date) -> int:
    return relativedelta(on, birth_date).years


def today_in(tz: str | ZoneInfo) -> date:
    return now_utc().astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz).date()
