"""Pure rules of school visits: who fits where and when, the status machine, and suggested zones and times.

No I/O: the service hands in the programme, the branch's schedule, the candidate zones and their busy blocks.
Instants are aware datetimes; a programme's hours and a branch's opening hours are in the branch's local time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from src.branches.rules import Schedule, open_intervals
from src.exceptions import FieldError
from src.i18n import _
from src.schools.constants import (
    CANCELLED,
    CONFIRMED,
    DECLINED,
    GRADE_MAX,
    GRADE_MIN,
    HORIZON_DAYS,
    MAX_ADULTS,
    MAX_WINDOWS,
    PROPOSED,
    REQUESTED,
    SEARCH_DAYS_AFTER,
    SUGGESTIONS,
)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class ProgrammeHoursRow:
    weekday: int  # 0 = Monday
    starts: time
    ends: time


@dataclass(frozen=True, slots=True)
class ProgrammeRules:
    duration_minutes: int
    grade_min: int
    grade_max: int
    group_min: int
    group_max: int
    lead_days: int
    zone_kinds: frozenset[str]
    hours: tuple[ProgrammeHoursRow, ...]

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True, slots=True)
class Window:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class ZoneFit:
    """What the rules need to know of a zone; bookings of it start and end on its ``slot_minutes`` grid."""

    id: int
    kind: str
    capacity: int
    bookable_by_schools: bool
    slot_minutes: int = 30


@dataclass(frozen=True, slots=True)
class Suggestion:
    zone_id: int
    starts_at: datetime
    ends_at: datetime
    window: int | None  # index of the school's window it falls in; None for another time (to propose)


# --- the status machine ----------------------------------------------------------------------------------

TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "confirm": ((REQUESTED, PROPOSED), CONFIRMED),
    "propose": ((REQUESTED, PROPOSED), PROPOSED),
    "accept": ((PROPOSED,), CONFIRMED),
    "decline": ((REQUESTED, PROPOSED), DECLINED),
    "cancel": ((REQUESTED, PROPOSED, CONFIRMED), CANCELLED),
}


def next_status(action: str, status: str) -> str | None:
    """The status after ``action``, or None when the action does not apply to a visit in ``status``."""
    allowed, target = TRANSITIONS[action]
    return target if status in allowed else None


def actions_for(status: str) -> set[str]:
    return {action for action, (allowed, _target) in TRANSITIONS.items() if status in allowed}


# --- the class, the grade, the group -----------------------------------------------------------------------

CLASS_RE = re.compile(r"^(\d{1,2})\s*[-–—]?\s*[«\"'“„]?\s*([A-Za-zА-Яа-яЁё])?\s*[»\"'”“]?$")


def parse_class_name(raw: str) -> tuple[int, str] | None:
    """``8«Б»``, ``8Б``, ``8 б``, ``8-B``, ``8"B"`` -> (8, "Б" or "B"); ``None`` if it is not a class."""
    match = CLASS_RE.match((raw or "").strip())
    if not match:
        return None
    return int(match.group(1)), (match.group(2) or "").upper()


def normalize_class_name(raw: str) -> str:
    parsed = parse_class_name(raw)
    if parsed is None:
        return (raw or "").strip()
    number, letter = parsed
    return f"{number}{letter}"


def class_name_errors(raw: str, grade: int | None) -> list[FieldError]:
    if not (raw or "").strip():
        return [FieldError("class_name", _("Give the class, for example 8Б"))]
    parsed = parse_class_name(raw)
    if parsed is None:
        return [FieldError("class_name", _("Write the class as its grade and letter, for example 8Б or 8B"))]
    if grade is not None and parsed[0] != grade:
        return [FieldError("class_name", _("Class %(name)s is not in grade %(grade)s", name=normalize_class_name(raw), grade=grade))]
    return []


def grade_errors(programme: ProgrammeRules, grade: int) -> list[FieldError]:
    if not GRADE_MIN <= grade <= GRADE_MAX:
        return [FieldError("grade", _("Grades run from %(a)s to %(b)s", a=GRADE_MIN, b=GRADE_MAX))]
    if not programme.grade_min <= grade <= programme.grade_max:
        return [FieldError("grade", _("This programme is for grades %(a)s to %(b)s", a=programme.grade_min, b=programme.grade_max))]
    return []


def group_errors(programme: ProgrammeRules, group_size: int, adults: int, largest_zone: int | None) -> list[FieldError]:
    """Pupils within the programme's limits; at least one adult; everyone fits the largest suitable zone."""
    errors: list[FieldError] = []
    if group_size < 1:
        errors.append(FieldError("group_size", _("A group has at least one pupil")))
    elif not programme.group_min <= group_size <= programme.group_max:
        errors.append(
            FieldError("group_size", _("This programme takes groups of %(a)s to %(b)s pupils", a=programme.group_min, b=programme.group_max))
        )
    if adults < 1:
        errors.append(FieldError("adults", _("At least one adult comes with the class")))
    elif adults > MAX_ADULTS:
        errors.append(FieldError("adults", _("At most %(n)s accompanying adults", n=MAX_ADULTS)))
    if not errors:
        if largest_zone is None:
            errors.append(FieldError("branch", _("This branch has no zone that suits the programme")))
        elif group_size + adults > largest_zone:
            errors.append(
                FieldError(
                    "group_size",
                    _("The largest suitable zone of this branch holds %(n)s people, pupils and adults together", n=largest_zone),
                )
            )
    return errors


def zone_problem(programme: ProgrammeRules, zone: ZoneFit, headcount: int) -> str | None:
    if zone.kind not in programme.zone_kinds:
        return _("This zone does not suit the programme")
    if not zone.bookable_by_schools:
        return _("This zone does not take school groups")
    if headcount > zone.capacity:
        return _("The zone holds %(n)s people; the class with its adults is %(m)s", n=zone.capacity, m=headcount)
    if programme.duration_minutes % max(1, zone.slot_minutes):
        return _("This zone is booked in steps of %(n)s minutes, which the programme's length does not fit", n=zone.slot_minutes)
    return None


# --- time ---------------------------------------------------------------------------------------------------


def earliest_start(programme: ProgrammeRules, now: datetime) -> datetime:
    """The lead time: a visit starts at least ``lead_days`` after it is requested."""
    return now + timedelta(days=programme.lead_days)


def _intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    result = []
    for a_start, a_end in a:
        for b_start, b_end in b:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if start < end:
                result.append((start, end))
    return sorted(result)


def programme_intervals(programme: ProgrammeRules, on: date, tz: ZoneInfo) -> list[Interval]:
    return [
        (datetime.combine(on, row.starts, tzinfo=tz), datetime.combine(on, row.ends, tzinfo=tz))
        for row in programme.hours
        if row.weekday == on.weekday() and row.ends > row.starts
    ]


def runnable_intervals(programme: ProgrammeRules, schedule: Schedule, tz: ZoneInfo, start: datetime, end: datetime) -> list[Interval]:
    """Where the whole programme may run between ``start`` and ``end``: the branch is open (no closure) and the
    programme runs; each interval is at least the programme's duration long."""
    result: list[Interval] = []
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        opening = open_intervals(schedule.day(day), tz)
        if opening:
            for piece in _intersect(_intersect(opening, programme_intervals(programme, day, tz)), [(start, end)]):
                if piece[1] - piece[0] >= programme.duration:
                    result.append(piece)
        day += timedelta(days=1)
    return result


def _grid_starts(interval: Interval, duration: timedelta, tz: ZoneInfo, step_minutes: int) -> list[datetime]:
    """Starts on the local ``step_minutes`` grid whose visit lies inside ``interval``."""
    start, end = interval
    local = start.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    minutes = (local - midnight).total_seconds() / 60
    steps = -(-minutes // step_minutes)  # ceiling
    first = midnight + timedelta(minutes=steps * step_minutes)
    starts = []
    candidate = first
    while candidate + duration <= end:
        starts.append(candidate)
        candidate += timedelta(minutes=step_minutes)
    return starts


def slot_problem(programme: ProgrammeRules, schedule: Schedule, tz: ZoneInfo, starts_at: datetime, now: datetime) -> str | None:
    """Why a visit of this programme cannot start at ``starts_at`` (opening hours, closure, programme hours)."""
    if starts_at <= now:
        return _("This time is already in the past")
    ends_at = starts_at + programme.duration
    local = starts_at.astimezone(tz)
    day = schedule.day(local.date())
    if day.closed_reason and not day.is_open:
        return _("The branch is closed that day: %(reason)s", reason=day.closed_reason)
    if not any(opens <= starts_at and ends_at <= closes for opens, closes in open_intervals(day, tz)):
        return _("The visit must fit inside the branch's opening hours")
    if not any(opens <= starts_at and ends_at <= closes for opens, closes in programme_intervals(programme, local.date(), tz)):
        return _("The programme does not run at that time")
    return None


def window_errors(windows: Sequence[Window], programme: ProgrammeRules, schedule: Schedule, tz: ZoneInfo, now: datetime) -> list[FieldError]:
    """One to three well-formed windows in the future, past the lead time; at least one of them must hold the
    whole programme inside opening hours and the programme's hours."""
    if not 1 <= len(windows) <= MAX_WINDOWS:
        return [FieldError("windows", _("Give one to three preferred time windows"))]
    errors: list[FieldError] = []
    earliest = earliest_start(programme, now)
    for index, window in enumerate(windows):
        field = f"windows[{index}]"
        if window.ends_at <= window.starts_at:
            errors.append(FieldError(f"{field}.ends_at", _("A window must end after it starts")))
        elif window.starts_at <= now:
            errors.append(FieldError(f"{field}.starts_at", _("This time is already in the past")))
        elif window.ends_at - window.starts_at < programme.duration:
            errors.append(FieldError(f"{field}.ends_at", _("The window is shorter than the programme (%(n)s minutes)", n=programme.duration_minutes)))
        elif window.ends_at - programme.duration < earliest:
            errors.append(
                FieldError(
                    f"{field}.starts_at",
                    _("Request at least %(n)s days ahead: the visit can start from %(date)s", n=programme.lead_days, date=earliest.astimezone(tz).strftime("%d.%m.%Y %H:%M")),
                )
            )
        elif window.starts_at > now + timedelta(days=HORIZON_DAYS):
            errors.append(FieldError(f"{field}.starts_at", _("Visits can be requested up to a year ahead")))
    if errors:
        return errors
    if not any(runnable_intervals(programme, schedule, tz, max(w.starts_at, earliest), w.ends_at) for w in windows):
        return [FieldError("windows", _("No window fits the branch's opening hours and the times the programme runs"))]
    return []


def in_window(windows: Sequence[Window], starts_at: datetime, ends_at: datetime) -> int | None:
    for index, window in enumerate(windows):
        if window.starts_at <= starts_at and ends_at <= window.ends_at:
            return index
    return None


# --- suggestions -------------------------------------------------------------------------------------------


def _runnable_in(programme: ProgrammeRules, free: Sequence[Interval], start: datetime, end: datetime, tz: ZoneInfo) -> list[Interval]:
    """The parts of a zone's free time between ``start`` and ``end`` in which the programme runs, each long
    enough for the whole visit."""
    pieces: list[Interval] = []
    for free_start, free_end in free:
        lo, hi = max(free_start, start), min(free_end, end)
        if hi - lo < programme.duration:
            continue
        day, last = lo.astimezone(tz).date(), hi.astimezone(tz).date()
        while day <= last:
            for piece in _intersect(programme_intervals(programme, day, tz), [(lo, hi)]):
                if piece[1] - piece[0] >= programme.duration:
                    pieces.append(piece)
            day += timedelta(days=1)
    return pieces


def suggest(
    windows: Sequence[Window],
    programme: ProgrammeRules,
    tz: ZoneInfo,
    zones: Sequence[ZoneFit],
    free: Mapping[int, Sequence[Interval]],
    headcount: int,
    now: datetime,
    limit: int = SUGGESTIONS,
) -> list[Suggestion]:
    """Free zones and times for a request, best first.

    ``free`` maps a zone to the intervals where a booking of it could lie (opening hours minus closures minus
    other bookings and buffers: what the rooms availability computes). First, inside the school's windows in
    their order of preference, each suitable zone's earliest start (the smallest zone first at equal times).
    With fewer than three of those, other times follow, to propose: each day after the first window, for up to
    two weeks past the last, the earliest start of each zone."""
    suitable = sorted((z for z in zones if zone_problem(programme, z, headcount) is None), key=lambda z: (z.capacity, z.id))
    earliest = earliest_start(programme, now)
    duration = programme.duration
    found: list[Suggestion] = []
    for index, window in enumerate(windows):
        lo = max(window.starts_at, earliest)
        in_this = []
        for zone in suitable:
            for interval in _runnable_in(programme, free.get(zone.id, ()), lo, window.ends_at, tz):
                starts = _grid_starts(interval, duration, tz, zone.slot_minutes)
                if starts:
                    in_this.append(Suggestion(zone.id, starts[0], starts[0] + duration, index))
                    break
        found += sorted(in_this, key=lambda s: s.starts_at)
    found = found[:limit]
    if len(found) >= 3 or not windows or not suitable:
        return found
    lo = max(min(w.starts_at for w in windows), earliest)
    last_day = max(w.ends_at for w in windows).astimezone(tz).date() + timedelta(days=SEARCH_DAYS_AFTER + 1)
    hi = datetime.combine(last_day, time(0), tzinfo=tz)
    others: list[tuple[datetime, int, Suggestion]] = []
    for zone in suitable:
        days_done: set[date] = set()
        for interval in _runnable_in(programme, free.get(zone.id, ()), lo, hi, tz):
            for start in _grid_starts(interval, duration, tz, zone.slot_minutes):
                day = start.astimezone(tz).date()
                if day in days_done or in_window(windows, start, start + duration) is not None:
                    continue
                days_done.add(day)
                others.append((start, zone.capacity, Suggestion(zone.id, start, start + duration, None)))
    others.sort(key=lambda item: (item[0], item[1]))
    return found + [item[2] for item in others[: limit - len(found)]]
