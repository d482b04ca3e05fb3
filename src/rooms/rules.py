"""Pure rules about booking zones: the slot grid, booking limits, weekly quotas, clashes, free intervals and
recurrences. No I/O: every function takes what it needs and returns a value.

Opening hours (``Schedule``) and the interval algebra are the branches' (src/branches/rules.py). Instants are
aware datetimes (UTC in the database); "local" means the branch's time zone, in which the grid and weeks are
counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, WEEKLY, rrule

from src.branches.rules import DayHours, Interval, Schedule, merge, minutes, open_between, overlaps, subtract, week_start
from src.exceptions import FieldError
from src.i18n import _, fmt_date, fmt_time
from src.rooms.constants import MAX_OCCURRENCES, RECURRENCE_FREQUENCIES

# A booking lasts at most a day and each buffer at most 12 hours: the database checks both, and reads rely on
# them to bound index scans (a booking that reaches into a window starts at most LOOKBACK before it).
MAX_DURATION = timedelta(hours=24)
MAX_BUFFER = timedelta(hours=12)
LOOKBACK = MAX_DURATION + MAX_BUFFER
LOOKAHEAD = MAX_BUFFER


# --- zones and their rules ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZoneRules:
    capacity: int = 1
    slot_minutes: int = 30
    min_minutes: int = 30
    max_minutes: int = 240
    lead_minutes: int = 60
    horizon_days: int = 60
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    weekly_quota_minutes: int | None = None
    requires_approval: bool = False

    @property
    def slot(self) -> int:
        return max(1, self.slot_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return min(timedelta(minutes=max(0, self.buffer_before_minutes)), MAX_BUFFER)

    @property
    def buffer_after(self) -> timedelta:
        return min(timedelta(minutes=max(0, self.buffer_after_minutes)), MAX_BUFFER)


@dataclass(frozen=True, slots=True)
class Policy:
    """What a booking is exempt from. Staff of the branch (and other domains reserving for their events) skip
    the reader limits; ``override_hours`` (recorded on the booking) lets staff book outside hours and closures."""

    limits: bool = False  # lead time, how far ahead, shortest and longest booking, weekly quota
    hours: bool = False  # opening hours and closures


READER_POLICY = Policy()
STAFF_POLICY = Policy(limits=True)


def blocked(interval: Interval, rules: ZoneRules, buffered: bool = True) -> Interval:
    """The time a booking keeps its zone from others: the booking widened by set-up and clean-up buffers."""
    if not buffered:
        return interval
    return (interval[0] - rules.buffer_before, interval[1] + rules.buffer_after)


def on_grid(instant: datetime, slot_minutes: int, tz: ZoneInfo) -> bool:
    local = instant.astimezone(tz)
    return local.second == 0 and local.microsecond == 0 and (local.hour * 60 + local.minute) % max(1, slot_minutes) == 0


def snap(instant: datetime, slot_minutes: int, tz: ZoneInfo, up: bool = True) -> datetime:
    """The nearest grid instant at or after (``up``) or at or before ``instant``, counted from local midnight."""
    local = instant.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    seconds = (local - midnight).total_seconds()
    step = max(1, slot_minutes) * 60
    slots = -(-seconds // step) if up else seconds // step
    return midnight + timedelta(seconds=slots * step)


def _hours_text(day: DayHours) -> str:
    return ", ".join(f"{fmt_time(opens)}–{fmt_time(closes)}" for opens, closes in day.intervals)


def hours_errors(interval: Interval, schedule: Schedule, tz: ZoneInfo) -> list[FieldError]:
    """A booking must fit inside one opening interval, and not fall on a closure."""
    start, end = interval
    day = schedule.day(start.astimezone(tz).date())
    if day.closure_kind:
        return [FieldError("starts_at", _("The library is closed on %(date)s: %(reason)s", date=fmt_date(day.on), reason=day.closed_reason or _("closure")))]
    for opens, closes in open_between(schedule, tz, start - timedelta(days=1), end + timedelta(days=1)):
        if opens <= start and end <= closes:
            return []
    if not day.is_open:
        return [FieldError("starts_at", _("This zone is closed on %(date)s", date=fmt_date(day.on)))]
    return [FieldError("starts_at", _("This is outside opening hours: on %(date)s the zone is open %(hours)s", date=fmt_date(day.on), hours=_hours_text(day)))]


def shape_errors(interval: Interval, rules: ZoneRules, tz: ZoneInfo, policy: Policy = READER_POLICY) -> list[FieldError]:
    """What is wrong with a booking's times whatever the date: order, grid, length (the same for every
    occurrence of a series)."""
    start, end = interval
    if end <= start:
        return [FieldError("ends_at", _("The end must be after the start"))]
    errors: list[FieldError] = []
    slot = rules.slot
    if not on_grid(start, slot, tz):
        errors.append(FieldError("starts_at", _("Start on the %(n)s-minute grid", n=slot)))
    if not on_grid(end, slot, tz):
        errors.append(FieldError("ends_at", _("End on the %(n)s-minute grid", n=slot)))
    length = minutes(interval)
    if end - start > MAX_DURATION:
        errors.append(FieldError("ends_at", _("A booking can last at most 24 hours")))
    elif not policy.limits and length < rules.min_minutes:
        errors.append(FieldError("ends_at", _("This is too short: book at least %(n)s minutes", n=rules.min_minutes)))
    elif not policy.limits and length > rules.max_minutes:
        errors.append(FieldError("ends_at", _("This is too long: book at most %(n)s minutes", n=rules.max_minutes)))
    return errors


def date_errors(interval: Interval, rules: ZoneRules, schedule: Schedule, tz: ZoneInfo, now: datetime, policy: Policy = READER_POLICY) -> list[FieldError]:
    """What is wrong with a booking on its date: in the past, too soon, too far ahead, outside hours, closed."""
    start, end = interval
    if end <= now:
        return [FieldError("starts_at", _("This time has already passed"))]
    if not policy.limits and start < now + timedelta(minutes=rules.lead_minutes):
        return [FieldError("starts_at", _("This is too soon: book at least %(n)s minutes ahead", n=rules.lead_minutes))]
    if not policy.limits and start.astimezone(tz).date() > now.astimezone(tz).date() + timedelta(days=rules.horizon_days):
        return [FieldError("starts_at", _("This is too far ahead: book at most %(n)s days ahead", n=rules.horizon_days))]
    return [] if policy.hours else hours_errors(interval, schedule, tz)


def time_errors(interval: Interval, rules: ZoneRules, schedule: Schedule, tz: ZoneInfo, now: datetime, policy: Policy = READER_POLICY) -> list[FieldError]:
    """Everything that can be said about one booking's times without looking at other bookings."""
    return shape_errors(interval, rules, tz, policy) or date_errors(interval, rules, schedule, tz, now, policy)


def headcount_errors(headcount: int, capacity: int, required: bool = True) -> list[FieldError]:
    if headcount < (1 if required else 0):
        return [FieldError("headcount", _("Say how many people will come (at least one)"))]
    if headcount > capacity:
        return [FieldError("headcount", _("This zone holds at most %(n)s people", n=capacity))]
    return []


def clashes(candidate: Interval, taken: Iterable[tuple[Interval, Interval]]) -> list[Interval]:
    """The bookings (as their own times) whose blocked time meets the candidate's blocked time.

    ``taken`` pairs each active booking's blocked interval with its own times."""
    return [own for blocked_time, own in taken if overlaps(candidate, blocked_time)]


def busy_for_new(taken_blocked: Iterable[Interval], rules: ZoneRules) -> list[Interval]:
    """Where a new booking of this zone may not be: others' blocked time widened by the new booking's own
    buffers (its set-up may not reach into the previous booking, its clean-up not into the next)."""
    before, after = rules.buffer_before, rules.buffer_after
    return merge((start - after, end + before) for start, end in taken_blocked)


def free_intervals(
    schedule: Schedule,
    tz: ZoneInfo,
    window: Interval,
    taken_blocked: Iterable[Interval],
    rules: ZoneRules,
    not_before: datetime | None = None,
    min_minutes: int = 0,
    policy: Policy = READER_POLICY,
    open_: Sequence[Interval] | None = None,
) -> list[Interval]:
    """Where a booking could be: opening hours minus closures minus other bookings and buffers, from
    ``not_before`` on, snapped to the zone's grid, and at least ``min_minutes`` long. ``open_``: the opening
    intervals over the whole ``window`` (``open_between``) when the caller has them already (one branch's week:
    the same for every zone that keeps the branch's hours)."""
    start, end = window
    if not_before is not None:
        start = max(start, not_before)
    if start >= end:
        return []
    if policy.hours:
        open_ = [(start, end)]
    elif open_ is None:  # in UTC, as bookings are: comparing instants of two zones asks the zone each time
        open_ = [(opens.astimezone(timezone.utc), closes.astimezone(timezone.utc)) for opens, closes in open_between(schedule, tz, start, end)]
    elif start > window[0]:  # clipped after merging: the same intervals as open_between from ``start``
        open_ = [(max(opens, start), closes) for opens, closes in open_ if closes > start]
    result = []
    for free_start, free_end in subtract(open_, busy_for_new(taken_blocked, rules)):
        free_start, free_end = snap(free_start, rules.slot, tz), snap(free_end, rules.slot, tz, up=False)
        if free_end > free_start and minutes((free_start, free_end)) >= max(min_minutes, 1):
            result.append((free_start, free_end))
    return result


def is_free(interval: Interval, free: Iterable[Interval]) -> bool:
    return any(start <= interval[0] and interval[1] <= end for start, end in free)


# --- weekly quota (one card, one quota, across every branch) -------------------------------------------------


def week_of(instant: datetime, tz: ZoneInfo) -> date:
    """The Monday of the local week a booking starts in; a booking counts wholly towards that week."""
    return week_start(instant.astimezone(tz).date())


def minutes_by_week(intervals: Iterable[Interval], tz: ZoneInfo) -> dict[date, int]:
    used: dict[date, int] = defaultdict(int)
    for interval in intervals:
        used[week_of(interval[0], tz)] += minutes(interval)
    return used


def fit_quota(candidates: Sequence[Interval], used: dict[date, int], quota_minutes: int | None, tz: ZoneInfo) -> tuple[list[Interval], list[Interval]]:
    """Split candidates, in order, into those that fit the weekly quota and those that would exceed it."""
    if quota_minutes is None:
        return list(candidates), []
    used = dict(used)
    fits, over = [], []
    for interval in candidates:
        week = week_of(interval[0], tz)
        if used.get(week, 0) + minutes(interval) <= quota_minutes:
            used[week] = used.get(week, 0) + minutes(interval)
            fits.append(interval)
        else:
            over.append(interval)
    return fits, over


def quota_message(week: date, used_minutes: int, quota_minutes: int, kind_label: str) -> str:
    left = max(0, quota_minutes - used_minutes)
    return _(
        "Weekly limit reached: at most %(quota)s hours a week in %(kind)s across all libraries; in the week of %(week)s you have %(left)s hours left",
        quota=_hours(quota_minutes),
        kind=kind_label,
        week=fmt_date(week),
        left=_hours(left),
    )


def _hours(total_minutes: int) -> str:
    return f"{total_minutes // 60}" if total_minutes % 60 == 0 else f"{total_minutes / 60:.1f}"


# --- recurrence ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recurrence:
    freq: str = "weekly"
    interval: int = 1
    count: int | None = None
    until: date | None = None


def recurrence_errors(recurrence: Recurrence, first: date) -> list[FieldError]:
    errors = []
    if recurrence.freq not in RECURRENCE_FREQUENCIES:
        errors.append(FieldError("recurrence.freq", _("Repeat daily or weekly")))
    if not 1 <= recurrence.interval <= 52:
        errors.append(FieldError("recurrence.interval", _("Repeat every 1 to 52 days or weeks")))
    if (recurrence.count is None) == (recurrence.until is None):
        errors.append(FieldError("recurrence.count", _("Give either a number of times or an end date")))
    elif recurrence.count is not None and not 1 <= recurrence.count <= MAX_OCCURRENCES:
        errors.append(FieldError("recurrence.count", _("Repeat from 1 to %(n)s times", n=MAX_OCCURRENCES)))
    elif recurrence.until is not None and recurrence.until < first:
        errors.append(FieldError("recurrence.until", _("The end date of the repetition is before the first booking")))
    return errors


def occurrences(interval: Interval, recurrence: Recurrence | None, tz: ZoneInfo) -> list[Interval]:
    """Every occurrence of a (possibly recurring) booking, at the same local time of day; at most
    ``MAX_OCCURRENCES + 1`` so that a caller can tell the limit was passed."""
    if recurrence is None:
        return [interval]
    start = interval[0].astimezone(tz)
    duration = interval[1] - interval[0]
    rule = rrule(
        DAILY if recurrence.freq == "daily" else WEEKLY,
        interval=recurrence.interval,
        dtstart=start.replace(tzinfo=None),
        count=recurrence.count,
        until=datetime.combine(recurrence.until, time.max) if recurrence.until else None,
    )
    result = []
    for local_start in rule:
        if len(result) > MAX_OCCURRENCES:
            break
        begins = local_start.replace(tzinfo=tz).astimezone(timezone.utc)
        result.append((begins, begins + duration))
    return result
