"""Event pages through the HTTP app: catalogue filters and month view, sign-up and tickets, staff tools."""

from __future__ import annotations

import re
from datetime import timedelta

from src.events.tables import Event, Registration
from src.timeutil import now_utc
from src.web.templating import qr_svg
from tests.conftest import post_form
from tests.events.conftest import during_opening, new_event, soon

READER = {"password": "libspace-demo"}


async def _login(client, email):
    answer = await post_form(client, "/login", {"login": email, **READER})
    assert answer.status_code == 303, answer.text  # 200 would be the form again with an error


async def test_catalogue_filters_in_the_url_and_month_view(client, staff):
    await new_event(staff, title="Профессия: геолог")
    await new_event(staff, title="Клуб любителей фантастики", category="reading_club", min_age=None, max_age=None)
    page = await client.get("/events", params={"category": "career_workshop", "age": "15"})
    assert page.status_code == 200 and "Профессия: геолог" in page.text and "Клуб любителей" not in page.text
    assert 'selected>Профориентационная' in page.text or "career_workshop\" selected" in page.text
    searched = await client.get("/events", params={"q": "ФАНТАСТ"})
    assert "Клуб любителей фантастики" in searched.text and "геолог" not in searched.text
    month = await client.get("/events", params={"view": "month", "month": (now_utc() + timedelta(days=3)).strftime("%Y-%m")})
    assert month.status_code == 200 and "Клуб любителей фантастики" in month.text
    assert (await client.get("/events", params={"age": "abc", "start": "nonsense", "month": "x", "view": "month"})).status_code == 200


async def test_reader_signs_up_sees_ticket_and_cancels(client, staff):
    event_id = await new_event(staff, title="Профессия: геолог")
    await _login(client, "teen@libspace.local")
    event_page = await client.get(f"/events/{event_id}")
    assert "Записаться" in event_page.text
    answer = await post_form(client, f"/events/{event_id}", {}, action=f"/events/{event_id}/signup", follow_redirects=True)
    assert answer.status_code == 200 and 'data-testid="ticket"' in answer.text
    mine = await client.get("/me/registrations")
    code = re.search(r'data-testid="ticket-code">([0-9A-Z-]+)<', mine.text).group(1)
    # the QR code of this very ticket (it encodes the code without its dashes), not just any <svg> (icons are)
    assert len(code) == 14 and str(qr_svg(code.replace("-", ""), scale=5)) in mine.text
    registration = await Registration.select(Registration.id).first()
    step = await client.get(f"/registrations/{registration['id']}/cancel?next=/me/registrations")  # the confirmation step says what happens
    assert step.status_code == 200 and 'data-testid="what-happens"' in step.text and "лист" in step.text
    cancelled = await post_form(client, f"/registrations/{registration['id']}/cancel?next=/me/registrations", {"next": "/me/registrations"}, follow_redirects=True)
    assert cancelled.status_code == 200 and 'data-testid="ticket"' not in cancelled.text
    assert (await Registration.select(Registration.status).first())["status"] == "cancelled"


async def test_sign_up_errors_are_shown_on_the_event_page(client, staff):
    event_id = await new_event(staff)  # 14-18: the adult reader is too old
    await _login(client, "reader@libspace.local")
    sent = await post_form(client, f"/events/{event_id}", {}, action=f"/events/{event_id}/signup")
    assert sent.status_code == 303 and sent.headers["location"] == f"/events/{event_id}"  # back to the event's own address
    answer = await client.get(sent.headers["location"])
    assert 'data-testid="error-summary"' in answer.text and "18" in answer.text
    assert await Registration.count() == 0


async def test_staff_create_series_from_the_editor(client, demo):
    await _login(client, "staff.chekhov@libspace.local")
    start = soon(6)
    local_start = (start + timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M")
    local_end = (start + timedelta(hours=11)).strftime("%Y-%m-%dT%H:%M")
    form = {"title": "Клуб настольных игр", "category": "reading_club", "branch": "chekhov", "starts_at": local_start, "ends_at": local_end,
            "capacity": "12", "seats_per_signup": "1", "waitlist": "on", "repeat": "biweekly", "repeat_count": "4", "description": "**Приходите!**",
            "pt_people": "on"}
    answer = await post_form(client, "/staff/events/new", form, follow_redirects=True)
    assert answer.status_code == 200 and "<strong>Приходите!</strong>" in answer.text
    assert await Event.count() == 4
    first = await Event.select(Event.starts_at, Event.profession_types).order_by(Event.starts_at).first()
    assert first["profession_types"] == "people"
    bad = await post_form(client, "/staff/events/new", {**form, "ends_at": local_start, "title": "x"}, follow_redirects=True)
    assert bad.status_code == 200 and bad.url.path == "/staff/events/new" and 'aria-invalid="true"' in bad.text
    assert await Event.count() == 4


async def test_staff_edit_attendees_csv_walk_in_and_check_in(client, staff, demo, frozen_clock):
    start = await during_opening(frozen_clock) + timedelta(minutes=30)
    event_id = await new_event(staff, starts_at=start, ends_at=start + timedelta(hours=2), min_age=None, max_age=None, category="family")
    await _login(client, "staff.chekhov@libspace.local")
    form = (await client.get(f"/staff/events/{event_id}/attendees")).text
    walk_in_form = form[form.index('id="walkin-h"'):]
    assert "Записать читателя</button>" in walk_in_form and "Записаться</button>" not in walk_in_form  # staff sign someone else up (issue 16, point 8)
    walk_in = await post_form(client, f"/staff/events/{event_id}/attendees", {"card_number": demo.card_for("0003")}, action=f"/staff/events/{event_id}/walk-in", follow_redirects=True)
    assert walk_in.status_code == 200 and "Софья Андреевна Ли" in walk_in.text
    unknown = await post_form(client, f"/staff/events/{event_id}/attendees", {"card_number": "123"}, action=f"/staff/events/{event_id}/walk-in", follow_redirects=True)
    assert unknown.status_code == 200 and "aria-invalid" in unknown.text and 'data-testid="error-summary"' in unknown.text
    csv = await client.get(f"/staff/events/{event_id}/attendees.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv") and "Софья Андреевна Ли" in csv.text
    code = (await Registration.select(Registration.ticket_code).first())["ticket_code"]
    checked = await post_form(client, "/staff/checkin", {"code": code.lower(), "event": str(event_id)})
    assert checked.status_code == 303 and checked.headers["location"] == f"/staff/checkin?event={event_id}"  # a refresh checks nobody in twice
    checked = await client.get(checked.headers["location"])
    assert 'data-testid="checkin-result"' in checked.text
    wrong = await post_form(client, "/staff/checkin", {"code": "ZZZZ-ZZZZ-ZZZZ"}, follow_redirects=True)
    assert wrong.status_code == 200 and 'data-testid="checkin-error"' in wrong.text
    edit = await client.get(f"/staff/events/{event_id}/edit")
    assert edit.status_code == 200 and "Сохранить" in edit.text
    other = await client.get(f"/staff/events/{await new_event(await _dialog_staff(), branch='dialog')}/attendees")
    assert other.status_code == 403


async def _dialog_staff():
    from tests.events.conftest import principal

    return await principal("staff.dialog@libspace.local")


async def test_cancelled_event_is_shown_as_cancelled(client, staff):
    event_id = await new_event(staff, title="Встреча с писателем")
    await _login(client, "staff.chekhov@libspace.local")
    answer = await post_form(client, f"/events/{event_id}", {"reason": "Болезнь автора"}, action=f"/staff/events/{event_id}/cancel", follow_redirects=True)
    assert answer.status_code == 200 and "Болезнь автора" in answer.text
    listed = await client.get("/events")
    assert "Встреча с писателем" in listed.text and "status-cancelled" in listed.text
