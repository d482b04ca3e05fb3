"""A day as a timeline: zones as rows, hours as columns; each booking placed by its quarter-hours. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

SLOT = timedelta(minutes=15)  # one column of the grid
DEFAULT_HOURS = (time(9), time(21))


@dataclass(frozen=True, slots=True)
class Placed:
    """One item on a row: its first column (1-based, as CSS grid lines go) and how many columns it spans."""

    column: int
    span: int
    starts_at: datetime
    ends_at: datetime
    item: object


@dataclass(frozen=True, slots=True)
class Row:
    key: object
    items: tuple[Placed, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    on: date
    first_hour: int
    hours: tuple[int, ...]  # the hour columns' labels (each spans four quarter-hour columns)
    columns: int
    rows: tuple[Row, ...]

    @property
    def empty(self) -> bool:
        return not any(row.items for row in self.rows)


def span_of(intervals: Iterable[tuple[time, time]], items: Iterable[tuple[datetime, datetime]], tz: ZoneInfo, on: date) -> tuple[int, int]:
    """The whole hours the grid shows: the opening hours of the day widened to what is booked (default 9-21)."""
    starts = [opens.hour for opens, _closes in intervals]
    ends = [closes.hour + (1 if closes.minute else 0) for _opens, closes in intervals]
    for begins, finishes in items:
        local_begin, local_end = begins.astimezone(tz), finishes.astimezone(tz)
        starts.append(local_begin.hour if local_begin.date() == on else 0)
        ends.append(24 if local_end.date() > on else local_end.hour + (1 if local_end.minute else 0))
    if not starts:
        return DEFAULT_HOURS[0].hour, DEFAULT_HOURS[1].hour
    return min(starts), max(max(ends), min(starts) + 1)


def build(on: date, tz: ZoneInfo, rows: Sequence[tuple[object, Sequence[tuple[datetime, datetime, object]]]], intervals: Iterable[tuple[time, time]] = ()) -> Timeline:
    """Rows of (key, [(starts_at, ends_at, item)]) for one local day, cut to that day and placed on quarter-hours."""
    all_items = [(begins, finishes) for _key, items in rows for begins, finishes, _item in items]
    first_hour, last_hour = span_of(intervals, all_items, tz, on)
    origin = datetime.combine(on, time(0), tzinfo=tz) + timedelta(hours=first_hour)
    columns = (last_hour - first_hour) * 4
    placed_rows = []
    for key, items in rows:
        placed = []
        for begins, finishes, item in sorted(items, key=lambda entry: entry[0]):
            first = max(0, int((begins - origin) / SLOT))
            last = min(columns, -int(-(finishes - origin) // SLOT))
            if last <= 0 or first >= columns:
                continue
            placed.append(Placed(column=first + 1, span=max(1, last - first), starts_at=begins, ends_at=finishes, item=item))
        placed_rows.append(Row(key=key, items=tuple(placed)))
    return Timeline(on=on, first_hour=first_hour, hours=tuple(range(first_hour, last_hour)), columns=columns, rows=tuple(placed_rows))
