"""Property-based tests (Hypothesis) of the rules that carry the booking invariants: the interval algebra, free
intervals (never meeting busy time plus buffers, always passing the booking rules), weekly quotas, and series
that keep their local wall time across daylight-saving changes.

Examples are bounded (``EXAMPLES`` per property, no deadline: the machine is shared); run with
``--hypothesis-show-statistics`` to see how many each property tried. Dates are taken relative to the clock
(``tests/dates.py``): the Berlin cases are drawn around the next change of summer time from today."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from src.branches.rules import ClosureRow, HoursRow, Schedule, merge, overlaps, subtract
from src.rooms import rules
from src.rooms.rules import READER_POLICY, Recurrence, ZoneRules
from tests import dates

EXAMPLES = 200
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

UTC = timezone.utc
YAKUTSK = ZoneInfo("Asia/Yakutsk")
BERLIN = ZoneInfo("Europe/Berlin")
BASE = datetime.combine(dates.today(), time(0), tzinfo=UTC)  # a whole minute, relative to the clock
WEEK = 7 * 24 * 60


DST_DAY = dates.next_clock_change()


# --- strategies ----------------------------------------------------------------------------------------------

minute_intervals = st.lists(st.tuples(st.integers(0, WEEK), st.integers(1, 600)).map(lambda pair: (pair[0], pair[0] + pair[1])), max_size=12)


def instants(intervals: list[tuple[int, int]]) -> list[tuple[datetime, datetime]]:
    return [(BASE + timedelta(minutes=start), BASE + timedelta(minutes=end)) for start, end in intervals]


def points(intervals) -> set[int]:
    """The minutes an interval list covers (half-open), as offsets from BASE."""
    covered: set[int] = set()
    for start, end in intervals:
        first = int((start - BASE).total_seconds() // 60) if isinstance(start, datetime) else start
        last = int((end - BASE).total_seconds() // 60) if isinstance(end, datetime) else end
        covered.update(range(first, last))
    return covered


def is_normal(intervals) -> bool:
    """Sorted, non-empty, neither overlapping nor touching."""
    return all(start < end for start, end in intervals) and all(a[1] < b[0] for a, b in zip(intervals, intervals[1:]))


# --- the interval algebra ------------------------------------------------------------------------------------


@PROPERTY
@given(minute_intervals)
def test_merge_keeps_every_minute_and_normalises(raw):
    merged = merge(instants(raw))
    assert is_normal(merged)
    assert points(merged) == points(raw)
    assert merge(merged) == merged  # idempotent


@PROPERTY
@given(minute_intervals, minute_intervals)
def test_subtract_is_set_difference(keep, remove):
    result = subtract(instants(keep), instants(remove))
    assert is_normal(result) or result == []
    assert points(result) == points(keep) - points(remove)
    assert not any(overlaps(a, b) for a in result for b in instants(remove))


@PROPERTY
@given(minute_intervals)
def test_subtract_identities(raw):
    assert subtract(instants(raw), []) == merge(instants(raw))
    assert subtract(instants(raw), instants(raw)) == []
    assert subtract([], instants(raw)) == []


# --- free intervals ------------------------------------------------------------------------------------------


@st.composite
def weekly_hours(draw) -> tuple[HoursRow, ...]:
    """Up to two opening intervals a weekday, on the half hour between 07:00 and 23:00; some days closed."""
    rows = []
    for weekday in range(7):
        cuts = sorted(draw(st.sets(st.integers(14, 46), max_size=4)))
        for opens, closes in zip(cuts[::2], cuts[1::2]):
            rows.append(HoursRow(weekday, time(opens // 2, 30 * (opens % 2)), time(closes // 2, 30 * (closes % 2))))
    return tuple(rows)


@st.composite
def zone_rules(draw) -> ZoneRules:
    slot = draw(st.sampled_from([15, 30, 60]))
    shortest = slot * draw(st.integers(1, 2))
    return ZoneRules(
        slot_minutes=slot, min_minutes=shortest, max_minutes=shortest * draw(st.integers(1, 8)), lead_minutes=0, horizon_days=400,
        buffer_before_minutes=draw(st.sampled_from([0, 10, 15, 30])), buffer_after_minutes=draw(st.sampled_from([0, 15, 45])),
    )


@st.composite
def places(draw) -> tuple[ZoneInfo, datetime]:
    """A zone in Yakutsk (no summer time) this week, or in Berlin in a week around a change of clocks."""
    if draw(st.booleans()):
        return YAKUTSK, BASE
    start = datetime.combine(DST_DAY - timedelta(days=draw(st.integers(0, 6))), time(0), tzinfo=BERLIN).astimezone(UTC)
    return BERLIN, start


@PROPERTY
@given(places(), weekly_hours(), zone_rules(), st.lists(st.tuples(st.integers(0, WEEK), st.integers(15, 300)), max_size=10), st.integers(0, 6))
def test_free_intervals_never_meet_busy_time_and_always_pass_the_booking_rules(place, weekly, zone, taken, closed_day):
    tz, start = place
    window = (start, start + timedelta(days=7))
    closure_on = start.astimezone(tz).date() + timedelta(days=closed_day)
    schedule = Schedule(weekly=weekly, closures=(ClosureRow(closure_on, closure_on, "sanitary", "Санитарный день"),))
    others = [(start + timedelta(minutes=at), start + timedelta(minutes=at + length)) for at, length in taken]
    taken_blocked = [rules.blocked(own, zone) for own in others]
    now = start - timedelta(minutes=1)

    free = rules.free_intervals(schedule, tz, window, taken_blocked, zone, not_before=now, min_minutes=zone.min_minutes)

    event("free intervals found" if free else "no free interval")
    event("with buffers" if zone.buffer_before or zone.buffer_after else "without buffers")
    assert is_normal(free) or free == []
    for interval in free:
        assert window[0] <= interval[0] and interval[1] <= window[1]
        assert rules.on_grid(interval[0], zone.slot, tz) and rules.on_grid(interval[1], zone.slot, tz)
        # the interval plus the new booking's own buffers meets nobody's blocked time
        assert not any(overlaps(rules.blocked(interval, zone), other) for other in taken_blocked)
        assert rules.clashes(rules.blocked(interval, zone), [(b, own) for b, own in zip(taken_blocked, others)]) == []
        # and the shortest booking at its start passes every rule a reader's booking must pass
        booking = (interval[0], interval[0] + timedelta(minutes=zone.min_minutes))
        assert booking[1] <= interval[1]
        assert rules.time_errors(booking, zone, schedule, tz, now, READER_POLICY) == [], (booking, rules.time_errors(booking, zone, schedule, tz, now))
        assert interval[0].astimezone(tz).date() != closure_on


# --- weekly quota --------------------------------------------------------------------------------------------


@PROPERTY
@given(
    st.lists(st.tuples(st.integers(0, 4 * WEEK), st.sampled_from([30, 60, 90, 120, 180])), max_size=20, unique=True),
    st.dictionaries(st.integers(0, 4), st.integers(0, 600), max_size=5),
    st.integers(0, 900),
)
def test_the_weekly_quota_is_never_exceeded_and_nothing_is_lost(candidates, used_by_week, quota):
    tz = YAKUTSK
    wanted = [(BASE + timedelta(minutes=at), BASE + timedelta(minutes=at + length)) for at, length in candidates]
    first_week = rules.week_of(BASE, tz)
    used = {first_week + timedelta(weeks=week): minutes for week, minutes in used_by_week.items()}

    fits, over = rules.fit_quota(wanted, used, quota, tz)
    event("some refused" if over else "all fit")

    assert sorted(fits + over) == sorted(wanted)  # every candidate is answered, once
    assert [w for w in wanted if w in fits] == fits  # in the order asked
    booked: dict[date, int] = defaultdict(int)
    for interval in fits:
        booked[rules.week_of(interval[0], tz)] += rules.minutes(interval)
    for week, minutes in booked.items():
        assert used.get(week, 0) + minutes <= quota
    for interval in over:  # refused only when it did not fit at its turn
        week = rules.week_of(interval[0], tz)
        before = sum(rules.minutes(f) for f in fits[: _fits_before(wanted, fits, interval)] if rules.week_of(f[0], tz) == week)
        assert used.get(week, 0) + before + rules.minutes(interval) > quota


def _fits_before(wanted, fits, interval) -> int:
    """How many of the accepted candidates were asked for before ``interval``."""
    position = wanted.index(interval)
    return sum(1 for candidate in wanted[:position] if candidate in fits)


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 4 * WEEK), st.integers(30, 180)), max_size=10))
def test_no_quota_lets_everything_through(candidates):
    wanted = [(BASE + timedelta(minutes=at), BASE + timedelta(minutes=at + length)) for at, length in candidates]
    assert rules.fit_quota(wanted, {}, None, YAKUTSK) == (wanted, [])


# --- series across summer time -------------------------------------------------------------------------------


@PROPERTY
@given(
    st.integers(-14, 3),  # the first booking's day, from two weeks before the change of clocks to three days after
    st.integers(8 * 2, 20 * 2),  # its start, on the half hour from 08:00 to 20:00 local
    st.sampled_from([30, 60, 90, 120]),
    st.sampled_from(["weekly", "daily"]),
    st.integers(1, 3),
    st.integers(1, 30),
    st.sampled_from([BERLIN, BERLIN, BERLIN, YAKUTSK]),  # mostly Berlin: Yakutsk keeps one offset all year
)
def test_series_keep_their_local_wall_time_across_a_change_of_clocks(day, half_hours, length, freq, interval, count, tz):
    first_day = DST_DAY + timedelta(days=day)
    wall = time(half_hours // 2, 30 * (half_hours % 2))
    start = datetime.combine(first_day, wall, tzinfo=tz).astimezone(UTC)
    booking = (start, start + timedelta(minutes=length))

    series = rules.occurrences(booking, Recurrence(freq=freq, interval=interval, count=count), tz)

    assert len(series) == count
    offsets = {begins.astimezone(tz).utcoffset() for begins, _end in series}
    event("crosses a change of clocks" if len(offsets) > 1 else "one offset throughout")
    step = timedelta(days=interval * (7 if freq == "weekly" else 1))
    for number, (begins, ends) in enumerate(series):
        local = begins.astimezone(tz)
        assert local.time() == wall and local.date() == first_day + number * step  # the same wall time, on its day
        assert ends - begins == timedelta(minutes=length)  # and the same length in real time
