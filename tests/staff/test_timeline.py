"""The timeline of a day (zones as rows, hours as columns): pure placement on quarter-hours."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from src.staff import timeline

TZ = ZoneInfo("Asia/Yakutsk")
DAY = date(2026, 12, 9)


def at(hour: int, minute: int = 0, on: date = DAY) -> datetime:
    return datetime.combine(on, time(hour, minute), tzinfo=TZ)


def test_items_sit_on_their_quarter_hours_inside_the_opening_hours():
    tl = timeline.build(DAY, TZ, [("hall", [(at(10), at(11, 30), "talk")]), ("room", [])], [(time(9), time(20))])
    assert tl.first_hour == 9 and tl.hours == tuple(range(9, 20)) and tl.columns == 44
    (placed,) = tl.rows[0].items
    assert placed.column == 5 and placed.span == 6 and placed.item == "talk"  # 10:00 is the fifth quarter after 9:00
    assert tl.rows[1].items == () and not tl.empty


def test_the_grid_widens_to_what_is_booked_and_cuts_at_the_day():
    late = [(at(20, 10), at(1, 0, date(2026, 12, 10)), "night")]
    tl = timeline.build(DAY, TZ, [("hall", late)], [(time(10), time(18))])
    assert tl.first_hour == 10 and tl.hours[-1] == 23
    (placed,) = tl.rows[0].items
    assert placed.column == (20 - 10) * 4 + 1 and placed.column + placed.span - 1 == tl.columns  # until midnight


def test_a_closed_day_without_bookings_shows_nine_to_nine():
    tl = timeline.build(DAY, TZ, [("hall", [])])
    assert (tl.first_hour, tl.hours[-1]) == (9, 20) and tl.empty
