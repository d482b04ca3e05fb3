"""Closure import: a good file, a malformed one (nothing imported), twice (nothing doubled), URL, CLI, page."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler

import pytest

from src.branches.tables import Branch, Closure
from src.calendars.imports import parse_closures
from src.exceptions import Invalid
from tests import dates
from tests.conftest import CSRF_RE
from tests.hardening.support import settings  # noqa: F401 - fixture
from tests.support import libspace

TODAY = dates.today()  # the file's dates follow the clock: every closure in it lies ahead
NEW_YEAR = date(TODAY.year + 1, 1, 1)
SANITARY = TODAY + timedelta(days=35)
CITY_DAYS = [day for day in (date(TODAY.year + n, 6, 2) for n in range(3)) if day >= TODAY][:2]  # the next two (not a demo holiday)


def calendar_file(today: date) -> bytes:
    """A holiday calendar as a city's site publishes it: next New Year's holidays (1-8 January), a timed
    sanitary day five weeks ahead, the City Day (2 June) every year since last year, and a cancelled 8 March."""
    return f"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:ny@test\r
DTSTAMP:{today:%Y%m%d}T000000Z\r
DTSTART;VALUE=DATE:{NEW_YEAR:%Y%m%d}\r
DTEND;VALUE=DATE:{NEW_YEAR + timedelta(days=8):%Y%m%d}\r
SUMMARY:Новогодние каникулы\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:sanitary@test\r
DTSTAMP:{today:%Y%m%d}T000000Z\r
DTSTART;TZID=Asia/Yakutsk:{SANITARY:%Y%m%d}T090000\r
DTEND;TZID=Asia/Yakutsk:{SANITARY:%Y%m%d}T180000\r
SUMMARY:Санитарный день\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:city@test\r
DTSTAMP:{today:%Y%m%d}T000000Z\r
DTSTART;VALUE=DATE:{today.year - 1}0602\r
RRULE:FREQ=YEARLY\r
SUMMARY:City Day\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:gone@test\r
DTSTAMP:{today:%Y%m%d}T000000Z\r
DTSTART;VALUE=DATE:{today.year + 1}0308\r
STATUS:CANCELLED\r
SUMMARY:Cancelled one\r
END:VEVENT\r
END:VCALENDAR\r
""".encode()


GOOD = calendar_file(TODAY)
NO_START = GOOD.replace(f"DTSTART;TZID=Asia/Yakutsk:{SANITARY:%Y%m%d}T090000\r\n".encode(), b"")
BAD_DATE = GOOD.replace(f"DTSTART;VALUE=DATE:{NEW_YEAR:%Y%m%d}".encode(), b"DTSTART;VALUE=DATE:2027-13-45")
assert NO_START != GOOD and BAD_DATE != GOOD


def test_parse_a_good_file():
    drafts = parse_closures(GOOD, "Asia/Yakutsk", TODAY)
    spans = [(d.starts_on, d.ends_on, d.kind) for d in drafts]
    assert (NEW_YEAR, NEW_YEAR + timedelta(days=7), "holiday") in spans  # DTEND of a date is exclusive
    assert (SANITARY, SANITARY, "sanitary") in spans  # a timed event closes its day
    assert len(CITY_DAYS) == 2 and {(d.starts_on, d.ends_on) for d in drafts if d.reason == "City Day"} >= {(day, day) for day in CITY_DAYS}
    assert all(d.reason != "Cancelled one" for d in drafts)


@pytest.mark.parametrize(
    "data, words",
    [
        (b"hello, world", "BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "нет событий"),
        (NO_START, "DTSTART"),
        (BAD_DATE, "событие 1 (Новогодние каникулы): "),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270101\r\n", ""),
    ],
)
def test_malformed_files_are_refused_with_a_reason(data, words):
    with pytest.raises(Invalid) as refused:
        parse_closures(data, "Asia/Yakutsk", TODAY)
    text = refused.value.detail + " ".join(e.message for e in refused.value.errors)
    assert words in text


async def _chekhov_closures() -> int:
    branch = await Branch.select(Branch.id).where(Branch.slug == "chekhov").first()
    return await Closure.count().where(Closure.branch == branch["id"])


async def test_cli_imports_once_and_malformed_imports_nothing(demo, tmp_path):
    before = await _chekhov_closures()
    bad = tmp_path / "bad.ics"
    bad.write_bytes(NO_START)
    refused = libspace("import-closures", "--branch", "chekhov", str(bad))
    assert refused.returncode == 2 and "DTSTART" in refused.stderr
    assert await _chekhov_closures() == before

    good = tmp_path / "holidays.ics"
    good.write_bytes(GOOD)
    first = libspace("import-closures", "--branch", "chekhov", str(good))
    assert first.returncode == 0, first.stderr
    added = await _chekhov_closures() - before
    assert added >= 2 and f"{added} added" in first.stdout  # the demo already has the New Year holidays
    again = libspace("import-closures", "--branch", "chekhov", str(good))
    assert again.returncode == 0 and "0 added" in again.stdout
    assert await _chekhov_closures() == before + added


async def test_import_from_an_address(demo, tmp_path, settings):
    from src.calendars import imports

    settings(import_allow_hosts=("127.0.0.1",))  # a test server on loopback; loopback is refused otherwise

    (tmp_path / "holidays.ics").write_bytes(GOOD)
    server = HTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/holidays.ics"
        report = await imports.import_closures("chekhov", await imports.fetch(url))
        assert len(report.added) >= 2
        with pytest.raises(Invalid):
            await imports.fetch(f"http://127.0.0.1:{server.server_port}/missing.ics")
        with pytest.raises(Invalid):
            await imports.fetch("file:///etc/passwd")
    finally:
        server.shutdown()


async def _log_in(client, login: str) -> None:
    page = await client.get("/login")
    token = CSRF_RE.search(page.text).group(1)
    response = await client.post("/login", data={"login": login, "password": "libspace-demo", "_csrf_token": token})
    assert response.status_code == 303, response.text


async def test_staff_page_imports_a_file_and_shows_errors(client, demo):
    await _log_in(client, "staff.chekhov@libspace.local")
    form = await client.get("/staff/branches/chekhov/closures/import")
    assert form.status_code == 200
    token = CSRF_RE.search(form.text).group(1)
    bad = await client.post("/staff/branches/chekhov/closures/import", data={"_csrf_token": token}, files={"file": ("x.ics", b"not a calendar", "text/calendar")})
    assert bad.status_code == 422 and "BEGIN:VCALENDAR" in bad.text
    good = await client.post("/staff/branches/chekhov/closures/import", data={"_csrf_token": token, "kind": ""}, files={"file": ("h.ics", GOOD, "text/calendar")})
    assert good.status_code == 200 and "City Day" in good.text
    other = await client.get("/staff/branches/dialog/closures/import")
    assert other.status_code == 403  # staff of another branch
