"""Dates and times for tests, chosen relative to the clock so that the rule under test is always exercised.

Never write a calendar date or a birth date in a test: the suite runs at any instant (``LIBSPACE_TEST_NOW``,
the date sweep in CI) and must pass on a Tuesday at 23:45, on 31 December, on 29 February, in a holiday week.
Ask these helpers instead:

    from tests import dates

    branch = await dates.branch("chekhov")                    # BranchInfo with .schedule, .tz, .zones
    on = dates.open_day(branch.schedule, after_days=8)          # an ordinary open day (no closure, no exception)
    on = dates.open_day(zone.schedule, weekdays=[2], weeks=4)   # a Wednesday, open the same weekday 4 weeks running
    on = dates.open_run(zone.schedule, 3, after_days=8)          # the first of three ordinary open days in a row
    start = dates.opening(branch.schedule, on, branch.tz, after_minutes=60)   # 1 h after it opens that day
    start = dates.at(on, 15, tz=branch.tz)                      # a local wall time (check it is inside hours)
    shut = dates.closed_day(branch.schedule, kind="sanitary")  # the next sanitary day (or "holiday", "weekly")
    change = dates.summer_time_change("Europe/Berlin")          # the next spring-forward day, 3+ weeks ahead
    born = dates.birth_date(15)                                 # 15 today, and for 120 days either side
    born = dates.birth_date(13, on=event_day)                   # 13 on that day (ages are counted on the day)
    instant = dates.working_instant(branch.schedule, branch.tz, hours_left=3)  # for frozen_clock.move_to():
        # a moment on an ordinary open day with at least 3 hours of opening left, so "now + 20 min" is
        # still today and inside hours (check-in tests)

The demo data (``src/demo.py``) closes every branch on Mondays (the youth library «Чехова» on Sundays), on
the Russian public holidays (1-8 January, 23 February, 8 March, 1 and 9 May, 12 June, 4 November) and on the
last Friday of each month (sanitary day); the helpers read the branch's real schedule, so they follow
whatever the data says. All of them take the clock's "now" (``src.clock``), which the suite may have moved.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import SU, relativedelta

from src import clock

CITY = ZoneInfo("Asia/Yakutsk")
SEARCH_DAYS = 400  # how far the helpers look before saying the schedule has no such day


def now() -> datetime:
    """The clock's current instant (UTC)."""
    return clock.now()


def today(tz: ZoneInfo | str = CITY) -> date:
    return clock.today(tz)


def at(on: date, hour: int, minute: int = 0, tz: ZoneInfo | str = CITY) -> datetime:
    """The local wall time ``hour:minute`` on ``on`` in ``tz``, as an aware datetime."""
    return datetime.combine(on, time(hour, minute), tzinfo=ZoneInfo(tz) if isinstance(tz, str) else tz)


def birth_date(age: int, on: date | None = None, margin_days: int = 120) -> date:
    """A birth date of someone exactly ``age`` years old on ``on`` (default: today in the city), who stays that
    age for ``margin_days`` before and after it (so events within a few months see the same age)."""
    on = on or today()
    born = (on - timedelta(days=margin_days)) - relativedelta(years=age)  # the birthday falls margin_days before on
    assert relativedelta(on - timedelta(days=margin_days), born).years == age
    assert relativedelta(on + timedelta(days=margin_days), born).years == age, "margin_days must stay under half a year"
    return born


def ordinary(schedule, on: date) -> bool:
    """Open by its weekly hours on ``on``: no closure, no exception (shortened, moved or extra hours)."""
    day = schedule.day(on)
    return day.is_open and not day.exceptional


def open_day(schedule, after_days: int = 1, *, weekdays: Iterable[int] | None = None, weeks: int = 1, tz: ZoneInfo | str = CITY) -> date:
    """The first ordinary open day (open by its weekly hours: no closure, no exception) at least ``after_days``
    days after today, on one of ``weekdays`` (0 = Monday) if given, that is also an ordinary open day on the
    same weekday in each of the following ``weeks - 1`` weeks (for weekly series).

    ``schedule`` is a branch's or a zone's ``Schedule`` (``branch.schedule``, ``zone.schedule``)."""
    allowed = set(weekdays) if weekdays is not None else set(range(7))
    on = today(tz) + timedelta(days=after_days)
    for _ in range(SEARCH_DAYS):
        if on.weekday() in allowed and all(ordinary(schedule, on + timedelta(weeks=week)) for week in range(weeks)):
            return on
        on += timedelta(days=1)
    raise AssertionError(f"no ordinary open day within {SEARCH_DAYS} days after {today(tz)} on weekdays {sorted(allowed)}")


def open_days(schedule, count: int, after_days: int = 1, tz: ZoneInfo | str = CITY) -> list[date]:
    """The first ``count`` ordinary open days from ``after_days`` days ahead, in order."""
    found: list[date] = []
    on = today(tz) + timedelta(days=after_days)
    while len(found) < count:
        on = open_day(schedule, after_days=(on - today(tz)).days, tz=tz)
        found.append(on)
        on += timedelta(days=1)
    return found


def open_run(schedule, length: int, after_days: int = 1, tz: ZoneInfo | str = CITY) -> date:
    """The first day at least ``after_days`` ahead that starts ``length`` ordinary open days in a row (a block
    or a stay over several days)."""
    on = today(tz) + timedelta(days=after_days)
    for _ in range(SEARCH_DAYS):
        if all(ordinary(schedule, on + timedelta(days=offset)) for offset in range(length)):
            return on
        on += timedelta(days=1)
    raise AssertionError(f"no {length} ordinary open days in a row within {SEARCH_DAYS} days after {today(tz)}")


def closed_day(schedule, kind: str = "weekly", after_days: int = 1, tz: ZoneInfo | str = CITY) -> date:
    """The next day at least ``after_days`` ahead that is closed: ``kind="weekly"`` a day the weekly hours close
    (no closure on it), or a closure of that kind (``"sanitary"``, ``"holiday"``, ``"repair"``, …)."""
    on = today(tz) + timedelta(days=after_days)
    for _ in range(SEARCH_DAYS):
        day = schedule.day(on)
        if not day.is_open and (day.closure_kind == kind if kind != "weekly" else not day.exceptional):
            return on
        on += timedelta(days=1)
    raise AssertionError(f"no {kind} closed day within {SEARCH_DAYS} days after {today(tz)}")


def hours_of(schedule, on: date, tz: ZoneInfo | str = CITY) -> tuple[datetime, datetime]:
    """When the place opens and closes on ``on`` (its first opening interval), as aware local datetimes."""
    day = schedule.day(on)
    assert day.is_open, f"closed on {on}: {day.closed_reason or 'weekly hours'}"
    opens, closes = day.intervals[0]
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return datetime.combine(on, opens, tzinfo=zone), datetime.combine(on, closes, tzinfo=zone)


def opening(schedule, on: date, tz: ZoneInfo | str = CITY, after_minutes: int = 60) -> datetime:
    """An instant ``after_minutes`` after the place opens on ``on`` (inside its hours: asserted)."""
    opens, closes = hours_of(schedule, on, tz)
    instant = opens + timedelta(minutes=after_minutes)
    assert instant < closes, f"{after_minutes} minutes after opening is past closing on {on}"
    return instant


def working_instant(schedule, tz: ZoneInfo | str = CITY, hours_left: float = 3, after_days: int = 1) -> datetime:
    """A moment on an ordinary open day (at least ``after_days`` ahead) an hour after opening, with at least
    ``hours_left`` hours of opening still to come that day. Move a frozen clock there when a test needs
    "later today, inside opening hours" (events starting in 20 minutes, today's check-in)."""
    on = today(tz) + timedelta(days=after_days)
    for _ in range(SEARCH_DAYS):
        on = open_day(schedule, after_days=(on - today(tz)).days, tz=tz)
        opens, closes = hours_of(schedule, on, tz)
        instant = opens + timedelta(hours=1)
        if closes - instant >= timedelta(hours=hours_left):
            return instant
        on += timedelta(days=1)
    raise AssertionError(f"no open day with {hours_left} hours left after the first hour")


def summer_time_change(tz: ZoneInfo | str = "Europe/Berlin", after_days: int = 21) -> date:
    """The next day at least ``after_days`` ahead on which ``tz`` moves its clocks forward (in Europe the last
    Sunday of March), for tests of feeds and series across the change."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    on = today() + timedelta(days=after_days)
    for _ in range(2 * SEARCH_DAYS):
        if at(on, 12, tz=zone).utcoffset() > at(on - timedelta(days=1), 12, tz=zone).utcoffset():
            return on
        on += timedelta(days=1)
    raise AssertionError(f"{zone} does not move to summer time within {2 * SEARCH_DAYS} days")


def next_weekday(weekday: int, after_days: int = 1, tz: ZoneInfo | str = CITY) -> date:
    """The first ``weekday`` (0 = Monday) at least ``after_days`` after today, whatever the schedule."""
    on = today(tz) + timedelta(days=after_days)
    return on + timedelta(days=(weekday - on.weekday()) % 7)


async def branch(slug: str):
    """A demo branch with its schedule, zones and time zone (needs the ``demo`` fixture)."""
    from src.rooms import service as rooms_service

    return await rooms_service.get_branch(slug)


def next_clock_change(after_days: int = 0) -> date:
    """The next day Europe changes its clocks (the last Sunday of March or October), at least ``after_days``
    after today: for series and feeds in a Berlin branch that must keep their local wall time across it."""
    start = today() + timedelta(days=after_days)
    changes = [date(year, month, 31) + relativedelta(weekday=SU(-1)) for year in (start.year, start.year + 1) for month in (3, 10)]
    return min(day for day in changes if day >= start)
