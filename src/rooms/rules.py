"""Pure rules about places and time: opening hours of a day. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class HoursRow:
    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class DateRow:
    on: date
    opens: time | None
    closes: time | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ClosureRow:
    starts_on: date
    ends_on: date
    kind: str
    reason: str


@dataclass(frozen=True, slots=True)
class DayHours:
    on: date
    intervals: tuple[tuple[time, time], ...] = ()
    closed_reason: str = ""  # set when a closure or a closed exception day applies
    closure_kind: str = ""
    note: str = ""
    exceptional: bool = False

    @property
    def is_open(self) -> bool:
        return bool(self.intervals)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Everything needed to answer "when is this place open" for any date."""

    weekly: tuple[HoursRow, ...] = ()
    dates: dict[date, tuple[DateRow, ...]] = field(default_factory=dict)
    closures: tuple[ClosureRow, ...] = ()

    def day(self, on: date) -> DayHours:
        for closure in self.closures:
            if closure.starts_on <= on <= closure.ends_on:
                return DayHours(on=on, closed_reason=closure.reason, closure_kind=closure.kind, exceptional=True)
        special = self.dates.get(on)
        if special:
            intervals = tuple(sorted((row.opens, row.closes) for row in special if row.opens and row.closes))
            note = "; ".join(row.note for row in special if row.note)
            return DayHours(on=on, intervals=intervals, closed_reason="" if intervals else note, note=note, exceptional=True)
        intervals = tuple(sorted((row.opens, row.closes) for row in self.weekly if row.weekday == on.weekday()))
        return DayHours(on=on, intervals=intervals)

    def days(self, start: date, count: int) -> list[DayHours]:
        return [self.day(start + timedelta(days=offset)) for offset in range(count)]


def week_start(on: date) -> date:
    return on - timedelta(days=on.weekday())


def open_intervals(day: DayHours, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """A day's opening intervals as aware instants in the place's zone."""
    result = []
    for opens, closes in day.intervals:
        start = datetime.combine(day.on, opens, tzinfo=tz)
        end = datetime.combine(day.on, closes, tzinfo=tz) if closes > opens else datetime.combine(day.on + timedelta(days=1), closes, tzinfo=tz)
        result.append((start, end))
    return result
