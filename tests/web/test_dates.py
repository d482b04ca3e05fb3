"""The one date style in prose and durations in words (src/i18n.py), in both languages."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from src.i18n import fmt_ahead, fmt_day, fmt_day_time, fmt_duration, reset_language, set_language

# A fixed day and an explicit "this year": formatting does not depend on today's date.
WEDNESDAY = date(2026, 12, 9)


@pytest.fixture
def ru():
    token = set_language("ru")
    yield
    reset_language(token)


@pytest.fixture
def en():
    token = set_language("en")
    yield
    reset_language(token)


def test_a_day_in_prose_says_day_month_and_weekday(ru):
    assert fmt_day(WEDNESDAY, this_year=2026) == "9 декабря, среда"
    assert fmt_day(WEDNESDAY, this_year=2025) == "9 декабря 2026, среда"  # the year only when it is not this year


def test_a_moment_in_prose_is_shown_in_the_given_zone(ru):
    moment = datetime(2026, 12, 9, 15, 30, tzinfo=timezone.utc)  # 00:30 next day in Blagoveshchensk (UTC+9)
    assert fmt_day_time(moment, ZoneInfo("Asia/Yakutsk"), this_year=2026) == "10 декабря, четверг, 00:30"


def test_english_puts_the_weekday_first(en):
    assert fmt_day(WEDNESDAY, this_year=2026) == "Wednesday, 9 December"


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(hours=168), "за неделю"),
        (timedelta(days=14), "за 2 недели"),
        (timedelta(days=21 * 7), "за 21 неделю"),
        (timedelta(hours=72), "за 3 дня"),
        (timedelta(hours=24), "за день"),
        (timedelta(hours=1), "за час"),
        (timedelta(hours=2), "за 2 часа"),
        (timedelta(hours=36), "за 36 часов"),
        (timedelta(minutes=30), "за 30 минут"),
        (timedelta(minutes=1), "за 1 минуту"),
    ],
)
def test_how_long_before_in_words(ru, delta, words):
    assert fmt_ahead(delta) == words


def test_how_long_before_in_english(en):
    assert fmt_ahead(timedelta(days=7)) == "a week before"
    assert fmt_ahead(timedelta(days=3)) == "3 days before"


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(minutes=90), "1 час 30 минут"),
        (timedelta(hours=2), "2 часа"),
        (timedelta(minutes=45), "45 минут"),
        (timedelta(days=3), "3 дня"),
        (timedelta(weeks=1), "1 неделя"),
    ],
)
def test_durations_in_words(ru, delta, words):
    assert fmt_duration(delta) == words
