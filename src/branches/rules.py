"""Pure rules about a branch's time: the weekly pattern, date exceptions and closures (a ``Schedule``), the
opening intervals of a day, and the algebra of half-open time intervals. No I/O.

Instants are aware datetimes; "local" means the branch's time zone, in which opening hours and weeks are
counted. An interval is a half-open ``(start, end)`` pair: one ending at 11:00 and the next starting at 11:00
do not overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]

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


def zone_schedule(branch: Schedule, weekly: Sequence[HoursRow] = (), dates: dict[date, tuple[DateRow, ...]] | None = None, closures: Sequence[ClosureRow] = ()) -> Schedule:
    """A zone's hours: its own weekly pattern if it has one, else its branch's; its own hours for a date replace
    the branch's for that date; the branch's closures and the zone's own both apply."""
    if not weekly and not dates and not closures:
        return branch
    return Schedule(weekly=tuple(weekly) or branch.weekly, dates={**branch.dates, **(dates or {})}, closures=branch.closures + tuple(closures))


def week_start(on: date) -> date:
    return on - timedelta(days=on.weekday())


def open_intervals(day: DayHours, tz: ZoneInfo) -> list[Interval]:
    """A day's opening intervals as aware instants in the place's zone."""
    result = []
    for opens, closes in day.intervals:
        start = datetime.combine(day.on, opens, tzinfo=tz)
        end = datetime.combine(day.on, closes, tzinfo=tz) if closes > opens else datetime.combine(day.on + timedelta(days=1), closes, tzinfo=tz)
        result.append((start, end))
    return result


def open_between(schedule: Schedule, tz: ZoneInfo, start: datetime, end: datetime) -> list[Interval]:
    """The opening intervals that meet ``[start, end)``, clipped to it (a day may run past midnight)."""
    result = []
    on = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    while on <= last:
        for opens, closes in open_intervals(schedule.day(on), tz):
            if opens < end and closes > start:
                result.append((max(opens, start), min(closes, end)))
        on += timedelta(days=1)
    return merge(result)


# --- intervals -------------------------------------------------------------------------------------------


def overlaps(a: Interval, b: Interval) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract(intervals: Iterable[Interval], remove: Iterable[Interval]) -> list[Interval]:
    """``intervals`` minus ``remove``; both may be unsorted and overlapping."""
    cuts = merge(remove)
    result: list[Interval] = []
    for start, end in merge(intervals):
        for cut_start, cut_end in cuts:
            if cut_end <= start or cut_start >= end:
                continue
            if cut_start > start:
                result.append((start, cut_start))
            start = max(start, cut_end)
            if start >= end:
                break
        if start < end:
            result.append((start, end))
    return result


def minutes(interval: Interval) -> int:
    return int((interval[1] - interval[0]).total_seconds() // 60)


# --- editing hours ----------------------------------------------------------------------------------------

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def interval_problems(field: str, intervals: Sequence[tuple[time, time]]) -> list[tuple[str, str]]:
    """``(field, problem)`` for intervals of one day that are inverted or empty (``"inverted"``) or overlap
    another (``"overlap"``); ``field`` is the day's, each problem names ``field[i]``. Half-open: 10-13 and
    13-19 do not overlap."""
    problems = []
    for index, (opens, closes) in enumerate(intervals):
        if closes <= opens:
            problems.append((f"{field}[{index}].closes", "inverted"))
    ordered = sorted(range(len(intervals)), key=lambda index: intervals[index])
    for before, after in zip(ordered, ordered[1:]):
        if intervals[after][0] < intervals[before][1] and (f"{field}[{after}].closes", "inverted") not in problems:
            problems.append((f"{field}[{after}].opens", "overlap"))
    return problems


def weekly_rows(weekly: dict[str, Sequence[tuple[time, time]]]) -> tuple[HoursRow, ...]:
    """The weekly pattern by day code (``mon`` … ``sun``) as rows; a day absent or empty is closed."""
    return tuple(HoursRow(WEEKDAY_CODES.index(day), opens, closes) for day in WEEKDAY_CODES for opens, closes in sorted(weekly.get(day, ())))


def weekly_by_day(rows: Iterable[HoursRow]) -> dict[str, list[tuple[time, time]]]:
    result: dict[str, list[tuple[time, time]]] = {day: [] for day in WEEKDAY_CODES}
    for row in sorted(rows, key=lambda row: (row.weekday, row.opens)):
        result[WEEKDAY_CODES[row.weekday]].append((row.opens, row.closes))
    return result


def within(schedule: Schedule, tz: ZoneInfo, start: datetime, end: datetime) -> bool:
    """Whether ``[start, end)`` lies wholly inside the opening hours."""
    return open_between(schedule, tz, start, end) == [(start, end)]


def stranded(items: Iterable, old: Callable[[int | None], Schedule], new: Callable[[int | None], Schedule], tz: ZoneInfo) -> list:
    """The items (anything with ``starts_at``, ``ends_at`` and ``zone_id``) inside the old hours of their zone
    that the new hours would leave outside. ``old``/``new`` give the schedule of a zone (None: the branch)."""
    return [item for item in items if within(old(item.zone_id), tz, item.starts_at, item.ends_at) and not within(new(item.zone_id), tz, item.starts_at, item.ends_at)]
