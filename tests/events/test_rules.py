"""The pure rules, one by one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from src.events import rules

YAKUTSK = ZoneInfo("Asia/Yakutsk")
T0 = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)  # 16:00 in Blagoveshchensk


def test_age_counts_on_the_event_day():
    birth = date(2012, 12, 4)
    assert rules.age_problem(birth, False, date(2026, 12, 3), 14, 18) is not None  # still 13 that day
    assert rules.age_problem(birth, False, date(2026, 12, 4), 14, 18) is None  # 14 on the day
    assert rules.age_problem(date(2000, 1, 1), False, date(2026, 12, 3), 14, 18) is not None  # too old
    assert rules.age_problem(date(2000, 1, 1), False, date(2026, 12, 3), None, None) is None
    assert "вам будет 26" in rules.age_problem(date(2000, 1, 1), False, date(2026, 12, 3), 14, 18)  # said to the reader
    assert "читателю будет 26" in rules.age_problem(date(2000, 1, 1), False, date(2026, 12, 3), 14, 18, for_staff=True)  # to staff signing them up


def test_under_14_needs_guardian_consent():
    child = date(2016, 5, 1)
    assert rules.age_problem(child, False, date(2026, 12, 3), None, None) is not None
    assert rules.age_problem(child, True, date(2026, 12, 3), None, None) is None


def test_window_defaults_to_closing_at_the_start():
    assert rules.window_problem(T0 - timedelta(minutes=1), T0, None, None) is None
    assert rules.window_problem(T0, T0, None, None) == "closed"
    assert rules.window_problem(T0 - timedelta(days=2), T0, T0 - timedelta(days=1), None) == "not_open"
    assert rules.window_problem(T0 - timedelta(hours=2), T0, None, T0 - timedelta(hours=3)) == "closed"


def test_placement_confirms_while_seats_fit_and_nobody_waits():
    assert rules.placement(1, 10, 9, True, False) == "confirmed"
    assert rules.placement(2, 10, 9, True, False) == "waitlisted"
    assert rules.placement(1, 10, 5, True, True) == "waitlisted"  # never overtake the queue
    assert rules.placement(1, 10, 10, False, False) is None


def test_promotion_is_fifo_and_never_splits_a_group():
    assert rules.to_promote(3, [(1, 1), (2, 1), (3, 1), (4, 1)]) == [1, 2, 3]
    assert rules.to_promote(2, [(1, 3), (2, 1)]) == []  # the family at the head waits, and so does everyone behind
    assert rules.to_promote(3, [(1, 3), (2, 1)]) == [1]
    assert rules.to_promote(4, [(1, 1), (2, 2), (3, 2)]) == [1, 2]
    assert rules.to_promote(0, [(1, 1)]) == []


def test_seats_and_capacity_problems():
    assert rules.seats_problem(1, 1) is None and rules.seats_problem(3, 2) is not None and rules.seats_problem(0, 2) is not None
    assert rules.capacity_problem(5, 6) is not None and rules.capacity_problem(6, 6) is None and rules.capacity_problem(None, 3) is None
    assert rules.seats_left(10, 4) == 6 and rules.seats_left(None, 4) is None


def test_no_show_threshold_and_deadlines():
    assert not rules.needs_confirmation(1, 2) and rules.needs_confirmation(2, 2) and not rules.needs_confirmation(5, 0)
    assert rules.confirm_deadline(T0, 48, False) == T0 - timedelta(hours=48)
    assert rules.confirm_deadline(T0, None, True) == T0 - timedelta(hours=24)
    assert rules.confirm_deadline(T0, None, False) is None
    deadline = T0 - timedelta(hours=24)
    assert rules.must_release(deadline, deadline, None, "confirmed")
    assert not rules.must_release(deadline - timedelta(seconds=1), deadline, None, "confirmed")
    assert not rules.must_release(deadline, deadline, T0 - timedelta(days=3), "confirmed")
    assert not rules.must_release(deadline, deadline, None, "waitlisted")


def test_no_show_only_after_the_end_where_attendance_was_taken():
    end = T0 + timedelta(hours=2)
    assert rules.is_no_show("confirmed", None, end, True, end + timedelta(minutes=1))
    assert not rules.is_no_show("confirmed", None, end, True, end - timedelta(minutes=1))
    assert not rules.is_no_show("confirmed", T0, end, True, end + timedelta(days=1))
    assert not rules.is_no_show("confirmed", None, end, False, end + timedelta(days=1))
    assert not rules.is_no_show("waitlisted", None, end, True, end + timedelta(days=1))


def test_ticket_codes_are_random_and_forgiving_to_type():
    codes = {rules.new_ticket_code() for _ in range(1000)}
    assert len(codes) == 1000 and all(len(code) == 12 for code in codes)
    code = "AB0C-1DEF-2GH3"
    assert rules.normalize_code(" ab0c-1def 2gh3 ") == "AB0C1DEF2GH3"
    assert rules.normalize_code("ABOC1DEF2GH3") == "AB0C1DEF2GH3"  # letter O typed for zero
    assert rules.display_code("AB0C1DEF2GH3") == code


def test_check_in_problems():
    end = T0 + timedelta(hours=2)
    day = date(2026, 12, 3)
    assert rules.check_in_problem("confirmed", 1, 1, T0, end, day, YAKUTSK) is None
    assert rules.check_in_problem("confirmed", 1, 2, T0, end, day, YAKUTSK) is not None
    assert rules.check_in_problem("confirmed", 1, None, T0, end, day + timedelta(days=1), YAKUTSK) is not None
    assert rules.check_in_problem("waitlisted", 1, None, T0, end, day, YAKUTSK) is not None
    assert rules.check_in_problem("cancelled", 1, None, T0, end, day, YAKUTSK) is not None


def _facts(**overrides):
    values = dict(title="Клуб", category="reading_club", starts_at=T0, ends_at=T0 + timedelta(hours=1), capacity=10, seats_per_signup=1,
                  min_age=None, max_age=None, registration_opens_at=None, registration_closes_at=None)
    values.update(overrides)
    return rules.EventFacts(**values)


def test_event_errors():
    assert rules.event_errors(_facts()) == []
    fields = lambda **kw: {e.field for e in rules.event_errors(_facts(**kw))}  # noqa: E731
    assert fields(ends_at=T0) == {"ends_at"}
    assert fields(category="party") == {"category"}
    assert fields(min_age=16, max_age=14) == {"max_age"}
    assert fields(capacity=0) >= {"capacity"}
    assert fields(seats_per_signup=11) == {"seats_per_signup"}
    assert fields(registration_closes_at=T0 + timedelta(minutes=1)) == {"registration_closes_at"}
    assert fields(registration_opens_at=T0) == {"registration_opens_at"}
    assert fields(profession_types=("wizard",)) == {"profession_types"}
    assert rules.event_errors(_facts(capacity=None, seats_per_signup=1)) == []


def test_series_keeps_local_time_and_needs_an_end():
    starts = rules.occurrences("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=5", T0, YAKUTSK)
    assert len(starts) == 5 and all(moment.astimezone(YAKUTSK).hour == 16 and moment.weekday() == 3 for moment in starts)
    assert starts[1] - starts[0] == timedelta(days=14)
    monthly = rules.occurrences("RRULE:FREQ=MONTHLY;BYDAY=+2TH;UNTIL=20270401T000000", T0, YAKUTSK)
    assert all(8 <= moment.day <= 14 for moment in monthly[1:])
    for bad in ("FREQ=WEEKLY", "FREQ=DAILY;COUNT=400", "FREQ=SOMETIMES;COUNT=2"):
        with pytest.raises(ValueError):
            rules.occurrences(bad, T0, YAKUTSK)


def test_search_text_folds_cyrillic_case():
    assert "врач" in rules.search_text("ВРАЧ", "Ирина")


def test_the_editor_refuses_an_event_already_over_or_outside_its_zones_hours():
    hours = ((time(10), time(19)),)
    start = datetime(2026, 12, 9, 17, 0, tzinfo=YAKUTSK)
    assert rules.timing_errors(start, start + timedelta(hours=1), T0, hours, YAKUTSK) == []
    assert [e.field for e in rules.timing_errors(start, start + timedelta(hours=3), T0, hours, YAKUTSK)] == ["ends_at"]  # the zone closes at 19:00
    assert [e.field for e in rules.timing_errors(start, start + timedelta(hours=3), T0, (), YAKUTSK)] == ["starts_at"]  # closed that day
    assert rules.timing_errors(start, start + timedelta(hours=3), T0, None, YAKUTSK) == []  # no zone held
    past = T0 - timedelta(hours=3)
    assert "уже прошло" in rules.timing_errors(past, past + timedelta(hours=1), T0, None, YAKUTSK)[0].message
