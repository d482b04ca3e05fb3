"""The pure builders: determinism, the fast writer against icalendar's, time zones, series, DST."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from src.calendars import ical
from src.calendars.ical import FeedItem, FeedMeta, Occurrence, build_calendar, series_items
from tests.calendars.clients import icaljs, icaljs_spans, python_spans

UTC = timezone.utc
YAKUTSK = ZoneInfo("Asia/Yakutsk")
BERLIN = ZoneInfo("Europe/Berlin")
STAMP = datetime(2026, 11, 1, 3, 4, 5, tzinfo=UTC)


def item(n: int = 1, **changes) -> FeedItem:
    start = datetime(2026, 12, 1, 18, 0, tzinfo=YAKUTSK) + timedelta(days=n)
    values = dict(
        uid=ical.uid("event", n),
        summary=f"Лекция {n}: краеведение, история; Амур",
        start=start,
        end=start + timedelta(hours=2),
        modified_at=STAMP,
        created_at=STAMP - timedelta(days=2),
        tz="Asia/Yakutsk",
        description="Первая строка\nвторая, с запятой; и точкой с запятой \\ и обратной чертой",
        location="Библиотека им. Чехова, ул. Краснофлотская, 137",
        geo=(50.2705, 127.527),
        url=f"https://libspace.example/events/{n}",
        categories=("Лекция", "краеведение"),
    )
    values.update(changes)
    return FeedItem(**values)


def unfolded(data: bytes) -> list[str]:
    return data.decode().replace("\r\n ", "").split("\r\n")


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"summary": "x" * 73 + "\\", "description": "ё" * 100},
        {"summary": "^" * 80, "description": "a\\" * 60, "location": "😀" * 30},
        {"start": date(2026, 12, 31), "end": date(2027, 1, 1), "tz": "", "busy": False},
        {"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=5", "exdates": (datetime(2026, 12, 9, 18, 0, tzinfo=YAKUTSK),)},
        {"recurrence_id": datetime(2026, 12, 2, 18, 0, tzinfo=YAKUTSK), "status": "CANCELLED", "sequence": 7},
        {"organizer": "events@libspace.example", "attendees": ("reader@example.org",), "created_at": None},
        {"tz": "", "geo": None, "url": "", "categories": ()},
    ],
)
def test_fast_writer_writes_what_icalendar_writes(changes):
    feed_item = item(3, **changes)
    reference = ical.reference_event(feed_item).to_ical()
    mine = ical.vevent_bytes(feed_item)
    # the same content lines, folded the same way (icalendar orders properties its own way)
    assert sorted(mine.split(b"\r\n")) == sorted(reference.split(b"\r\n"))
    assert all(len(line) <= 75 for line in mine.split(b"\r\n"))
    mine.decode()  # folding never splits a UTF-8 character


def test_same_data_same_bytes_and_no_clock():
    items = [item(n) for n in range(5)]
    first = build_calendar(FeedMeta(name="События"), items)
    ical.vevent_bytes.cache_clear()
    ical._calendar_head.cache_clear()
    second = build_calendar(FeedMeta(name="События"), list(reversed(items)))
    assert first == second
    text = first.decode()
    assert "DTSTAMP:20261101T030405Z" in text  # the data's last change, not the time of the request
    assert text.count("UID:calendar-") == 1


def test_calendar_properties():
    text = build_calendar(FeedMeta(name="Чехова: события", description="Описание, с запятой", url="https://x/b", tz="Asia/Yakutsk"), [item()]).decode()
    lines = unfolded(text.encode())
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    for expected in ("VERSION:2.0", "NAME:Чехова: события", "X-WR-CALNAME:Чехова: события", "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
                     "X-PUBLISHED-TTL:PT1H", "X-WR-TIMEZONE:Asia/Yakutsk", "DESCRIPTION:Описание\\, с запятой"):
        assert expected in lines, expected
    assert any(line.startswith("PRODID:") for line in lines)


def test_vtimezone_for_every_tzid_and_never_local_mean_time():
    items = [item(1), item(2, tz="Europe/Berlin", uid="berlin@libspace")]
    data = build_calendar(FeedMeta(name="x"), items)
    calendar = icalendar.Calendar.from_ical(data)
    assert {tz.tz_name for tz in calendar.timezones} == {"Asia/Yakutsk", "Europe/Berlin"}
    assert calendar.get_missing_tzids() == set()
    offsets = re.findall(r"TZOFFSET(?:FROM|TO):([+-]\d{4,6})", data.decode())
    assert offsets and all(offset[3:] in ("00", "0000") for offset in offsets), offsets  # no +0839 (LMT)
    assert "+0839" not in data.decode() and "+083858" not in data.decode()


def test_yakutsk_instants_are_exact_in_both_parsers():
    feed = build_calendar(FeedMeta(name="x"), [item(1)])
    window = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    expected = [(ical.uid("event", 1), datetime(2026, 12, 2, 9, 0, tzinfo=UTC), datetime(2026, 12, 2, 11, 0, tzinfo=UTC))]
    assert python_spans(feed, *window) == expected
    assert icaljs_spans(feed, *window) == expected
    parsed = icaljs(feed, *window)
    assert {offset for tz in parsed["timezones"] for offset in tz["offsets"]} == {"+09:00"}


def _weekly_berlin(cancelled_on: date | None = None, moved: dict | None = None, retitled: date | None = None):
    """A weekly Tuesday 18:00 club in Berlin, 2027-03-09 to 2027-04-13: crosses the DST change of 28 March."""
    first = datetime(2027, 3, 9, 18, 0, tzinfo=BERLIN)
    occurrences = []
    for week in range(6):
        start = (first.replace(tzinfo=None) + timedelta(weeks=week)).replace(tzinfo=BERLIN)
        day = start.date()
        if moved and day in moved:
            start = moved[day]
        occurrences.append(
            Occurrence(
                id=100 + week,
                start=start.astimezone(UTC),
                end=(start + timedelta(hours=1, minutes=30)).astimezone(UTC),
                summary="Книжный клуб" + (" (гость)" if day == retitled else ""),
                modified_at=STAMP + timedelta(minutes=week),
                cancelled=day == cancelled_on,
            )
        )
    base = FeedItem(
        uid=ical.uid("series", 9),
        summary="Книжный клуб",
        start=first,
        end=first + timedelta(hours=1, minutes=30),
        modified_at=STAMP,
        created_at=STAMP - timedelta(days=1),
        tz="Europe/Berlin",
    )

    def single(occurrence: Occurrence) -> FeedItem:
        return FeedItem(
            uid=ical.uid("event", occurrence.id),
            summary=occurrence.summary,
            start=occurrence.start,
            end=occurrence.end,
            modified_at=occurrence.modified_at,
            tz="Europe/Berlin",
            status="CANCELLED" if occurrence.cancelled else "CONFIRMED",
        )

    return occurrences, series_items(base, "FREQ=WEEKLY;COUNT=6", occurrences, single)


def test_series_across_dst_expands_to_the_stored_instants_in_both_parsers():
    occurrences, items = _weekly_berlin()
    assert len(items) == 1 and items[0].rrule and not items[0].exdates  # nothing differs: one master
    feed = build_calendar(FeedMeta(name="Berlin"), items)
    window = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 5, 1, tzinfo=UTC))
    stored = [(ical.uid("series", 9), o.start, o.end) for o in occurrences]
    # 18:00 local is 17:00 UTC before 28 March and 16:00 UTC after it
    assert [s[1].hour for s in stored] == [17, 17, 17, 16, 16, 16]
    assert python_spans(feed, *window) == stored
    assert icaljs_spans(feed, *window) == stored


def test_series_exdate_override_and_moved_occurrence():
    cancelled = date(2027, 3, 16)
    moved_day = date(2027, 3, 30)
    moved_to = datetime(2027, 3, 30, 19, 30, tzinfo=BERLIN)
    occurrences, items = _weekly_berlin(cancelled_on=cancelled, moved={moved_day: moved_to}, retitled=date(2027, 4, 6))
    master, *overrides = items
    assert [value.date() for value in master.exdates] == [cancelled]
    assert {o.recurrence_id.date() for o in overrides} == {moved_day, date(2027, 4, 6)}
    feed = build_calendar(FeedMeta(name="Berlin"), items)
    assert b"RECURRENCE-ID;TZID=Europe/Berlin:20270330T180000" in feed
    assert b"EXDATE;TZID=Europe/Berlin:20270316T180000" in feed
    window = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 5, 1, tzinfo=UTC))
    expected = sorted((ical.uid("series", 9), o.start, o.end) for o in occurrences if not o.cancelled)
    assert python_spans(feed, *window) == expected
    assert icaljs_spans(feed, *window) == expected
    titles = {e["start"]: e["summary"] for e in icaljs(feed, *window)["events"]}
    assert titles["2027-04-06T16:00:00.000Z"] == "Книжный клуб (гость)"


def test_occurrence_moved_to_another_day_stands_alone():
    occurrences, items = _weekly_berlin(moved={date(2027, 3, 23): datetime(2027, 3, 25, 18, 0, tzinfo=BERLIN)})
    master = items[0]
    assert [value.date() for value in master.exdates] == [date(2027, 3, 23)]
    assert [i.uid for i in items[1:]] == [ical.uid("event", 102)]


def test_sequence_rises_with_every_change():
    created = datetime(2026, 1, 1, tzinfo=UTC)
    assert ical.sequence_of(created, created) == 0
    assert ical.sequence_of(created, created + timedelta(seconds=5)) < ical.sequence_of(created, created + timedelta(minutes=1))
    assert ical.sequence_of(None, created) == 0


def test_cancelled_items_are_kept_thirty_days():
    now = datetime(2026, 12, 31, tzinfo=UTC)
    assert ical.keep_cancelled(None, now)
    assert ical.keep_cancelled(now - timedelta(days=30), now)
    assert not ical.keep_cancelled(now - timedelta(days=31), now)


def test_plain_text_description():
    assert ical.plain_text("**Важно**: [запись](https://x/y)\n# Заголовок") == "Важно: запись (https://x/y)\nЗаголовок"


def test_all_day_closure_in_both_parsers():
    closure = FeedItem(uid="closure-1@libspace", summary="Закрыто", start=date(2027, 1, 1), end=date(2027, 1, 9), modified_at=STAMP)
    feed = build_calendar(FeedMeta(name="x"), [closure])
    window = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))
    assert python_spans(feed, *window) == [("closure-1@libspace", date(2027, 1, 1), date(2027, 1, 9))]
    parsed = icaljs(feed, *window)["events"]
    assert [(e["start"], e["end"], e["allDay"]) for e in parsed] == [("2027-01-01", "2027-01-09", True)]


@pytest.mark.parametrize("tzid", ["Europe/Berlin", "Asia/Yakutsk", "Europe/Moscow", "America/Sao_Paulo"])
def test_every_instant_over_three_years_reads_the_same_in_both_parsers(tzid):
    """One observance per offset change: ical.js ignores the RDATE lists icalendar's own VTIMEZONEs use, and
    would put every summer after the first an hour off."""
    zone = ZoneInfo(tzid)
    items = []
    for n in range(0, 2 * 365 * 3, 3):
        start = (datetime(2026, 1, 3, 1, 30) + timedelta(hours=12 * n + n % 5)).replace(tzinfo=zone)
        items.append(FeedItem(uid=f"e{n}", summary="x", start=start, end=start + timedelta(hours=1), modified_at=STAMP, tz=tzid))
    feed = build_calendar(FeedMeta(name="x"), items)
    window = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    expected = sorted((i.uid, i.start.astimezone(UTC), i.end.astimezone(UTC)) for i in items)
    assert icaljs_spans(feed, *window) == expected
    assert python_spans(feed, *window) == expected


def test_transitions_are_exact():
    (spring, autumn) = ical.transitions("Europe/Berlin", date(2027, 1, 1), date(2028, 1, 1))
    assert spring[0] == datetime(2027, 3, 28, 1, 0, tzinfo=UTC) and spring[2] == timedelta(hours=2)
    assert autumn[0] == datetime(2027, 10, 31, 1, 0, tzinfo=UTC) and autumn[2] == timedelta(hours=1)
    assert ical.transitions("Asia/Yakutsk", date(2026, 1, 1), date(2036, 1, 1)) == []
