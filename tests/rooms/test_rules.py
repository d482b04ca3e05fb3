"""The pure booking rules, one by one (no database)."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from src.branches import rules as branch_rules
from src.branches.rules import ClosureRow, DateRow, HoursRow, Schedule
from src.rooms import rules
from src.rooms.rules import Policy, Recurrence, ZoneRules

TZ = ZoneInfo("Asia/Yakutsk")
UTC = timezone.utc
MONDAY = date(2027, 3, 1)  # a Monday
TUESDAY = MONDAY + timedelta(days=1)
NOW = datetime(2027, 2, 26, 9, 0, tzinfo=TZ)  # the Friday before
HOURS = Schedule(weekly=tuple(HoursRow(day, time(10), time(19)) for day in range(1, 7)))  # closed on Mondays
RULES = ZoneRules(capacity=12, slot_minutes=30, min_minutes=60, max_minutes=180, lead_minutes=60, horizon_days=30)


def at(on: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(on, time(hour, minute), tzinfo=TZ)


def fields(errors):
    return [error.field for error in errors]


def check(start, end, schedule=HOURS, zone=RULES, now=NOW, policy=Policy()):
    return rules.time_errors((start, end), zone, schedule, TZ, now, policy)


def test_a_good_booking_passes():
    assert check(at(TUESDAY, 10), at(TUESDAY, 11, 30)) == []


def test_end_must_be_after_start():
    assert fields(check(at(TUESDAY, 11), at(TUESDAY, 11))) == ["ends_at"]
    assert fields(check(at(TUESDAY, 12), at(TUESDAY, 11))) == ["ends_at"]


def test_times_must_sit_on_the_slot_grid_in_local_time():
    assert fields(check(at(TUESDAY, 10, 15), at(TUESDAY, 11, 30))) == ["starts_at"]
    assert fields(check(at(TUESDAY, 10), at(TUESDAY, 11, 10))) == ["ends_at"]
    assert fields(check(at(TUESDAY, 10).replace(second=5), at(TUESDAY, 11, 30))) == ["starts_at"]
    # 01:00 UTC is 10:00 in Blagoveshchensk: the grid is counted from local midnight
    assert check(datetime(2027, 3, 2, 1, 0, tzinfo=UTC), datetime(2027, 3, 2, 2, 0, tzinfo=UTC)) == []
    assert rules.on_grid(at(TUESDAY, 10, 15), 15, TZ) and not rules.on_grid(at(TUESDAY, 10, 15), 60, TZ)


def test_too_short_and_too_long():
    assert "too short" in check(at(TUESDAY, 10), at(TUESDAY, 10, 30))[0].message
    assert "too long" in check(at(TUESDAY, 10), at(TUESDAY, 13, 30))[0].message
    assert check(at(TUESDAY, 10), at(TUESDAY, 13)) == []  # exactly the maximum


def test_staff_skip_length_lead_and_horizon_but_not_the_24_hour_cap():
    staff = Policy(limits=True)
    assert check(at(TUESDAY, 10), at(TUESDAY, 10, 30), policy=staff) == []
    assert check(at(TUESDAY, 10), at(TUESDAY, 18, 30), policy=staff) == []
    assert check(at(MONDAY + timedelta(days=64), 10), at(MONDAY + timedelta(days=64), 11), policy=staff) == []
    assert "24 hours" in check(at(TUESDAY, 10), at(TUESDAY + timedelta(days=2), 10), policy=Policy(limits=True, hours=True))[0].message


def test_lead_time_and_the_past():
    now = at(TUESDAY, 9, 30)
    assert "too soon" in check(at(TUESDAY, 10), at(TUESDAY, 11), now=now)[0].message
    assert check(at(TUESDAY, 10, 30), at(TUESDAY, 11, 30), now=now) == []
    assert "already passed" in check(at(TUESDAY, 10), at(TUESDAY, 11), now=at(TUESDAY, 12))[0].message
    # staff may still book the rest of a slot that has begun, never a time that is over
    assert check(at(TUESDAY, 10), at(TUESDAY, 11), now=at(TUESDAY, 10, 10), policy=Policy(limits=True)) == []


def test_horizon_counts_local_days():
    last = NOW.date() + timedelta(days=30)  # a Sunday, open
    assert check(at(last, 10), at(last, 11)) == []
    beyond = NOW.date() + timedelta(days=31)
    assert "too far ahead" in check(at(beyond, 10), at(beyond, 11))[0].message


def test_opening_hours_and_closed_days():
    assert "outside opening hours" in check(at(TUESDAY, 9), at(TUESDAY, 10))[0].message
    assert "outside opening hours" in check(at(TUESDAY, 18), at(TUESDAY, 19, 30))[0].message
    assert check(at(TUESDAY, 18), at(TUESDAY, 19)) == []  # ends exactly at closing
    assert "closed on" in check(at(MONDAY + timedelta(days=7), 10), at(MONDAY + timedelta(days=7), 11))[0].message


def test_a_closure_is_named_with_its_reason():
    closed = Schedule(weekly=HOURS.weekly, closures=(ClosureRow(TUESDAY, TUESDAY, "sanitary", "Санитарный день"),))
    errors = check(at(TUESDAY, 10), at(TUESDAY, 11), schedule=closed)
    assert fields(errors) == ["starts_at"] and "Санитарный день" in errors[0].message
    assert check(at(TUESDAY, 10), at(TUESDAY, 11), schedule=closed, policy=Policy(hours=True)) == []


def test_date_exceptions_replace_the_weekly_pattern():
    short = Schedule(weekly=HOURS.weekly, dates={TUESDAY: (DateRow(TUESDAY, time(10), time(14), "Предпраздничный день"),)})
    assert check(at(TUESDAY, 12), at(TUESDAY, 14), schedule=short) == []
    assert "outside opening hours" in check(at(TUESDAY, 14), at(TUESDAY, 15), schedule=short)[0].message
    closed = Schedule(weekly=HOURS.weekly, dates={TUESDAY: (DateRow(TUESDAY, None, None, "Учёт фонда"),)})
    assert check(at(TUESDAY, 12), at(TUESDAY, 13), schedule=closed)


def test_zone_overrides_its_branch_hours():
    evening = (HoursRow(1, time(16), time(21)),)
    schedule = branch_rules.zone_schedule(HOURS, weekly=evening)
    assert check(at(TUESDAY, 19), at(TUESDAY, 21), schedule=schedule) == []
    assert check(at(TUESDAY, 10), at(TUESDAY, 11), schedule=schedule)  # the branch opens at 10, the zone at 16
    assert check(at(TUESDAY + timedelta(days=1), 10), at(TUESDAY + timedelta(days=1), 11), schedule=schedule)  # no Wednesday hours
    zone_closed = branch_rules.zone_schedule(HOURS, closures=(ClosureRow(TUESDAY, TUESDAY, "repair", "Ремонт проектора"),))
    assert "Ремонт проектора" in check(at(TUESDAY, 10), at(TUESDAY, 11), schedule=zone_closed)[0].message
    assert branch_rules.zone_schedule(HOURS) is HOURS


def test_hours_past_midnight():
    night = Schedule(weekly=(HoursRow(1, time(18), time(2)),))
    assert check(at(TUESDAY, 23), at(TUESDAY + timedelta(days=1), 1), schedule=night) == []
    assert check(at(TUESDAY + timedelta(days=1), 1), at(TUESDAY + timedelta(days=1), 3), schedule=night)


def test_headcount_and_capacity():
    assert rules.headcount_errors(12, 12) == []
    assert "at most 12" in rules.headcount_errors(13, 12)[0].message
    assert fields(rules.headcount_errors(0, 12)) == ["headcount"]
    assert rules.headcount_errors(0, 12, required=False) == []


def test_interval_arithmetic():
    a, b, c, d = (at(TUESDAY, hour) for hour in (10, 11, 12, 13))
    assert branch_rules.overlaps((a, c), (b, d)) and not branch_rules.overlaps((a, b), (b, c))  # half-open
    assert branch_rules.merge([(b, c), (a, b), (c, d)]) == [(a, d)]
    assert branch_rules.subtract([(a, d)], [(b, c)]) == [(a, b), (c, d)]
    assert branch_rules.subtract([(a, d)], [(a, b), (c, d)]) == [(b, c)]
    assert branch_rules.subtract([(a, b)], [(a, d)]) == []


def test_buffers_widen_a_booking_and_block_neighbours():
    hall = ZoneRules(buffer_before_minutes=15, buffer_after_minutes=30)
    assert rules.blocked((at(TUESDAY, 10), at(TUESDAY, 11)), hall) == (at(TUESDAY, 9, 45), at(TUESDAY, 11, 30))
    assert rules.blocked((at(TUESDAY, 10), at(TUESDAY, 11)), hall, buffered=False) == (at(TUESDAY, 10), at(TUESDAY, 11))
    taken = [(rules.blocked((at(TUESDAY, 10), at(TUESDAY, 11)), hall), (at(TUESDAY, 10), at(TUESDAY, 11)))]
    # the next booking's own set-up (15 min) may not reach into the first's clean-up (30 min): 11:45 is the earliest
    assert rules.clashes(rules.blocked((at(TUESDAY, 11, 30), at(TUESDAY, 12, 30)), hall), taken) == [(at(TUESDAY, 10), at(TUESDAY, 11))]
    assert rules.clashes(rules.blocked((at(TUESDAY, 11, 45), at(TUESDAY, 12, 45)), hall), taken) == []
    # before it: the new booking's clean-up must end by the first's set-up
    assert rules.clashes(rules.blocked((at(TUESDAY, 8), at(TUESDAY, 9, 30)), hall), taken)
    assert rules.clashes(rules.blocked((at(TUESDAY, 8), at(TUESDAY, 9)), hall), taken) == []


def test_buffers_are_capped():
    assert ZoneRules(buffer_after_minutes=24 * 60).buffer_after == rules.MAX_BUFFER


def test_free_intervals_are_hours_minus_bookings_and_buffers_on_the_grid():
    hall = ZoneRules(slot_minutes=30, min_minutes=60, buffer_after_minutes=15)
    day = (at(TUESDAY, 0), at(TUESDAY + timedelta(days=1), 0))
    taken = [rules.blocked((at(TUESDAY, 12), at(TUESDAY, 13)), hall)]
    free = rules.free_intervals(HOURS, TZ, day, taken, hall)
    # busy for a new booking: 11:45 (its clean-up would reach 12:00) to 13:15, snapped to the grid
    assert free == [(at(TUESDAY, 10), at(TUESDAY, 11, 30)), (at(TUESDAY, 13, 30), at(TUESDAY, 19))]
    assert rules.free_intervals(HOURS, TZ, day, taken, hall, not_before=at(TUESDAY, 14, 10)) == [(at(TUESDAY, 14, 30), at(TUESDAY, 19))]
    squeezed = [rules.blocked((at(TUESDAY, 10, 30), at(TUESDAY, 11)), hall)]
    assert rules.free_intervals(HOURS, TZ, (at(TUESDAY, 10), at(TUESDAY, 12)), squeezed, hall, min_minutes=60) == []
    assert rules.free_intervals(HOURS, TZ, (at(MONDAY, 0), at(TUESDAY, 0)), [], hall) == []  # closed on Mondays
    assert rules.is_free((at(TUESDAY, 14), at(TUESDAY, 15)), free) and not rules.is_free((at(TUESDAY, 11), at(TUESDAY, 12)), free)


def test_snap_to_grid():
    assert rules.snap(at(TUESDAY, 10, 1), 30, TZ) == at(TUESDAY, 10, 30)
    assert rules.snap(at(TUESDAY, 10, 29), 30, TZ, up=False) == at(TUESDAY, 10)
    assert rules.snap(at(TUESDAY, 10), 30, TZ) == at(TUESDAY, 10)


def test_weekly_quota_counts_local_weeks():
    sunday_night = datetime(2027, 3, 7, 14, 30, tzinfo=UTC)  # 23:30 on Sunday in Blagoveshchensk
    assert rules.week_of(sunday_night, TZ) == MONDAY
    assert rules.week_of(sunday_night + timedelta(hours=1), TZ) == MONDAY + timedelta(days=7)
    used = rules.minutes_by_week([(at(TUESDAY, 10), at(TUESDAY, 13))], TZ)
    assert used == {MONDAY: 180}
    wanted = [(at(TUESDAY + timedelta(days=1), 10), at(TUESDAY + timedelta(days=1), 12)), (at(TUESDAY + timedelta(days=2), 10), at(TUESDAY + timedelta(days=2), 12)), (at(TUESDAY + timedelta(days=7), 10), at(TUESDAY + timedelta(days=7), 12))]
    fits, over = rules.fit_quota(wanted, used, 360, TZ)
    assert fits == [wanted[0], wanted[2]] and over == [wanted[1]]
    assert rules.fit_quota(wanted, used, None, TZ) == (wanted, [])
    assert "left" in rules.quota_message(MONDAY, 300, 360, "Коворкинг")


def test_weekly_recurrence_keeps_the_local_time():
    first = (at(TUESDAY, 18), at(TUESDAY, 19))
    series = rules.occurrences(first, Recurrence(freq="weekly", interval=2, count=3), TZ)
    assert [start for start, _end in series] == [at(TUESDAY, 18), at(TUESDAY + timedelta(days=14), 18), at(TUESDAY + timedelta(days=28), 18)]
    assert all(end - start == timedelta(hours=1) for start, end in series)
    until = rules.occurrences(first, Recurrence(freq="weekly", until=TUESDAY + timedelta(days=21)), TZ)
    assert len(until) == 4
    daily = rules.occurrences(first, Recurrence(freq="daily", count=5), TZ)
    assert [start.astimezone(TZ).date() for start, _end in daily] == [TUESDAY + timedelta(days=n) for n in range(5)]
    assert rules.occurrences(first, None, TZ) == [first]


def test_a_very_long_recurrence_is_cut_so_the_caller_can_refuse_it():
    series = rules.occurrences((at(TUESDAY, 18), at(TUESDAY, 19)), Recurrence(freq="daily", until=TUESDAY + timedelta(days=3650)), TZ)
    assert len(series) == rules.MAX_OCCURRENCES + 1


@pytest.mark.parametrize(
    "recurrence, field",
    [
        (Recurrence(freq="monthly", count=2), "recurrence.freq"),
        (Recurrence(interval=0, count=2), "recurrence.interval"),
        (Recurrence(), "recurrence.count"),
        (Recurrence(count=2, until=date(2027, 4, 1)), "recurrence.count"),
        (Recurrence(count=1000), "recurrence.count"),
        (Recurrence(until=date(2027, 2, 1)), "recurrence.until"),
    ],
)
def test_bad_recurrences(recurrence, field):
    assert field in fields(rules.recurrence_errors(recurrence, TUESDAY))


def test_open_between_clips_to_the_window():
    week = branch_rules.open_between(HOURS, TZ, at(MONDAY, 0), at(MONDAY + timedelta(days=7), 0))
    assert len(week) == 6 and week[0] == (at(TUESDAY, 10), at(TUESDAY, 19))
    assert branch_rules.open_between(HOURS, TZ, at(TUESDAY, 12), at(TUESDAY, 13)) == [(at(TUESDAY, 12), at(TUESDAY, 13))]
