"""The pure rules of school visits, one by one (no database)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from src.branches.rules import ClosureRow, HoursRow, Schedule
from src.schools import rules
from src.schools.rules import ProgrammeHoursRow, ProgrammeRules, Window, ZoneFit

TZ = ZoneInfo("Asia/Yakutsk")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=TZ)  # a Monday
TUESDAY = date(2027, 3, 9)  # eight days later, past the lead time

PROGRAMME = ProgrammeRules(
    duration_minutes=60,
    grade_min=5,
    grade_max=9,
    group_min=10,
    group_max=30,
    lead_days=7,
    zone_kinds=frozenset({"conference_hall", "reading_hall"}),
    hours=tuple(ProgrammeHoursRow(weekday, time(10), time(16)) for weekday in (1, 2, 3, 4)),
)
SCHEDULE = Schedule(
    weekly=tuple(HoursRow(weekday, time(10), time(19)) for weekday in range(1, 6)),
    closures=(ClosureRow(date(2027, 3, 8), date(2027, 3, 8), "holiday", "Международный женский день"),),
)
HALL = ZoneFit(id=1, kind="conference_hall", capacity=40, bookable_by_schools=True)
READING = ZoneFit(id=2, kind="reading_hall", capacity=30, bookable_by_schools=True)
COWORKING = ZoneFit(id=3, kind="coworking", capacity=40, bookable_by_schools=True)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def fields(errors) -> list[str]:
    return [error.field for error in errors]


@pytest.mark.parametrize(
    "raw, parsed",
    [("8«Б»", (8, "Б")), ("8Б", (8, "Б")), ("8 б", (8, "Б")), ("8-B", (8, "B")), ('10"А"', (10, "А")), ("11", (11, "")), ("Б8", None), ("8БВ", None), ("", None)],
)
def test_class_names_in_every_usual_spelling(raw, parsed):
    assert rules.parse_class_name(raw) == parsed


def test_class_name_must_match_the_grade():
    assert rules.normalize_class_name(" 8 «б» ") == "8Б"
    assert rules.class_name_errors("8Б", 8) == []
    assert fields(rules.class_name_errors("7Б", 8)) == ["class_name"]
    assert fields(rules.class_name_errors("", 8)) == ["class_name"]
    assert fields(rules.class_name_errors("восьмой", 8)) == ["class_name"]


def test_grade_within_school_and_programme():
    assert rules.grade_errors(PROGRAMME, 7) == []
    assert fields(rules.grade_errors(PROGRAMME, 4)) == ["grade"]
    assert fields(rules.grade_errors(PROGRAMME, 12)) == ["grade"]
    assert "5" in rules.grade_errors(PROGRAMME, 10)[0].message


def test_group_limits_adults_and_the_largest_zone():
    assert rules.group_errors(PROGRAMME, 25, 2, largest_zone=40) == []
    assert fields(rules.group_errors(PROGRAMME, 0, 2, 40)) == ["group_size"]
    assert fields(rules.group_errors(PROGRAMME, 31, 2, 40)) == ["group_size"]
    assert fields(rules.group_errors(PROGRAMME, 9, 2, 40)) == ["group_size"]
    assert fields(rules.group_errors(PROGRAMME, 20, 0, 40)) == ["adults"]
    assert fields(rules.group_errors(PROGRAMME, 20, 11, 40)) == ["adults"]
    assert fields(rules.group_errors(PROGRAMME, 29, 2, largest_zone=30)) == ["group_size"]
    assert fields(rules.group_errors(PROGRAMME, 20, 2, largest_zone=None)) == ["branch"]


def test_zone_must_suit_the_programme_and_hold_everyone():
    assert rules.zone_problem(PROGRAMME, HALL, 32) is None
    assert rules.zone_problem(PROGRAMME, COWORKING, 10) is not None
    assert rules.zone_problem(PROGRAMME, READING, 31) is not None
    assert rules.zone_problem(PROGRAMME, ZoneFit(4, "reading_hall", 30, bookable_by_schools=False), 10) is not None
    assert rules.zone_problem(PROGRAMME, ZoneFit(5, "reading_hall", 30, True, slot_minutes=45), 10) is not None


def test_status_machine():
    assert rules.next_status("confirm", "requested") == "confirmed"
    assert rules.next_status("confirm", "proposed") == "confirmed"
    assert rules.next_status("confirm", "confirmed") is None
    assert rules.next_status("confirm", "cancelled") is None
    assert rules.next_status("accept", "requested") is None
    assert rules.next_status("accept", "proposed") == "confirmed"
    assert rules.next_status("propose", "requested") == "proposed"
    assert rules.next_status("decline", "confirmed") is None
    assert rules.next_status("cancel", "confirmed") == "cancelled"
    assert rules.next_status("cancel", "declined") is None
    assert rules.actions_for("declined") == set() and rules.actions_for("cancelled") == set()
    assert rules.actions_for("proposed") == {"confirm", "propose", "accept", "decline", "cancel"}


def test_windows_well_formed_and_one_of_them_inside_hours():
    good = [Window(at(TUESDAY, 10), at(TUESDAY, 13))]
    assert rules.window_errors(good, PROGRAMME, SCHEDULE, TZ, NOW) == []
    assert fields(rules.window_errors([], PROGRAMME, SCHEDULE, TZ, NOW)) == ["windows"]
    assert fields(rules.window_errors(good * 4, PROGRAMME, SCHEDULE, TZ, NOW)) == ["windows"]
    backwards = [Window(at(TUESDAY, 13), at(TUESDAY, 10))]
    assert fields(rules.window_errors(backwards, PROGRAMME, SCHEDULE, TZ, NOW)) == ["windows[0].ends_at"]
    short = [Window(at(TUESDAY, 10), at(TUESDAY, 10, 30))]
    assert fields(rules.window_errors(short, PROGRAMME, SCHEDULE, TZ, NOW)) == ["windows[0].ends_at"]
    too_soon = [Window(at(date(2027, 3, 3), 10), at(date(2027, 3, 3), 13))]
    assert fields(rules.window_errors(too_soon, PROGRAMME, SCHEDULE, TZ, NOW)) == ["windows[0].starts_at"]
    past = [Window(at(date(2027, 2, 23), 10), at(date(2027, 2, 23), 13))]
    assert fields(rules.window_errors(past, PROGRAMME, SCHEDULE, TZ, NOW)) == ["windows[0].starts_at"]
    evening = [Window(at(TUESDAY, 17), at(TUESDAY, 19))]  # the branch is open, the programme does not run
    assert fields(rules.window_errors(evening, PROGRAMME, SCHEDULE, TZ, NOW)) == ["windows"]
    holiday = [Window(at(date(2027, 3, 8), 10), at(date(2027, 3, 8), 16))]
    assert fields(rules.window_errors(holiday, PROGRAMME, SCHEDULE, TZ, NOW)) == ["windows"]
    assert rules.window_errors(holiday + evening + good, PROGRAMME, SCHEDULE, TZ, NOW) == []


def test_slot_problem_names_closures_hours_and_programme_times():
    assert rules.slot_problem(PROGRAMME, SCHEDULE, TZ, at(TUESDAY, 10), NOW) is None
    assert rules.slot_problem(PROGRAMME, SCHEDULE, TZ, at(TUESDAY, 15, 30), NOW) is not None  # runs past 16:00
    assert "Международный" in rules.slot_problem(PROGRAMME, SCHEDULE, TZ, at(date(2027, 3, 8), 11), NOW)
    assert rules.slot_problem(PROGRAMME, SCHEDULE, TZ, at(date(2027, 3, 14), 11), NOW) is not None  # Sunday: closed
    assert rules.slot_problem(PROGRAMME, SCHEDULE, TZ, NOW - timedelta(hours=1), NOW) is not None
    assert rules.in_window([Window(at(TUESDAY, 10), at(TUESDAY, 13))], at(TUESDAY, 12), at(TUESDAY, 13)) == 0
    assert rules.in_window([Window(at(TUESDAY, 10), at(TUESDAY, 13))], at(TUESDAY, 12, 30), at(TUESDAY, 13, 30)) is None


def _free_all_day(days: int = 30) -> list[tuple[datetime, datetime]]:
    return [(at(NOW.date() + timedelta(days=offset), 10), at(NOW.date() + timedelta(days=offset), 19)) for offset in range(days)]


def test_suggestions_prefer_windows_in_order_and_the_smallest_zone():
    windows = [Window(at(TUESDAY, 12), at(TUESDAY, 15)), Window(at(TUESDAY + timedelta(days=1), 10), at(TUESDAY + timedelta(days=1), 12))]
    free = {HALL.id: _free_all_day(), READING.id: _free_all_day(), COWORKING.id: _free_all_day()}
    found = rules.suggest(windows, PROGRAMME, TZ, [HALL, READING, COWORKING], free, headcount=27, now=NOW)
    assert [(s.zone_id, s.starts_at, s.window) for s in found[:4]] == [
        (READING.id, at(TUESDAY, 12), 0),
        (HALL.id, at(TUESDAY, 12), 0),
        (READING.id, at(TUESDAY + timedelta(days=1), 10), 1),
        (HALL.id, at(TUESDAY + timedelta(days=1), 10), 1),
    ]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=60) for s in found)
    assert COWORKING.id not in {s.zone_id for s in found}
    # Too many people for the reading hall: only the conference hall.
    assert {s.zone_id for s in rules.suggest(windows, PROGRAMME, TZ, [HALL, READING], free, headcount=35, now=NOW)} == {HALL.id}


def test_suggestions_skip_busy_time_and_fall_back_to_other_days():
    window = [Window(at(TUESDAY, 10), at(TUESDAY, 12))]
    free_from_half_past_eleven = [(at(TUESDAY, 11, 30), at(TUESDAY, 19))] + _free_all_day()[9:]
    found = rules.suggest(window, PROGRAMME, TZ, [HALL], {HALL.id: free_from_half_past_eleven}, headcount=20, now=NOW)
    assert found and all(s.window is None for s in found)  # nothing fits the window: other times to propose
    assert [s.starts_at for s in found[:2]] == [at(TUESDAY, 11, 30), at(TUESDAY + timedelta(days=1), 10)]  # one per day
    free = {HALL.id: [(at(TUESDAY, 10, 30), at(TUESDAY, 11, 30))] + _free_all_day()[9:]}
    found = rules.suggest(window, PROGRAMME, TZ, [HALL], free, headcount=20, now=NOW)
    assert (found[0].starts_at, found[0].window) == (at(TUESDAY, 10, 30), 0)
    # The rest are other days, one per day, outside the window, on the programme's weekdays only.
    others = found[1:]
    assert others and all(s.window is None for s in others)
    assert len({s.starts_at.date() for s in others}) == len(others)
    assert all(s.starts_at.weekday() in (1, 2, 3, 4) for s in others)
    assert len(found) <= rules.SUGGESTIONS


def test_suggestions_never_before_the_lead_time():
    window = [Window(at(date(2027, 3, 2), 10), at(TUESDAY, 16))]  # opens before the lead time ends
    found = rules.suggest(window, PROGRAMME, TZ, [HALL], {HALL.id: _free_all_day()}, headcount=20, now=NOW)
    assert found[0].starts_at >= NOW + timedelta(days=7)
