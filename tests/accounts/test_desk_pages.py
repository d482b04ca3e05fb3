"""The desk's pages: find, correct, block and unblock, replace, print an access code."""

from __future__ import annotations

from src.accounts import service as accounts_service
from tests.accounts.helpers import imported
from tests.conftest import CSRF_RE, post_form


async def _as_staff(client) -> None:
    await post_form(client, "/login", {"login": "staff.dialog@libspace.local", "password": "libspace-demo"})


async def _post(client, page_url: str, action: str, data: dict):
    page = await client.get(page_url)
    token = CSRF_RE.search(page.text).group(1)
    return await client.post(action, data={**data, "_csrf_token": token})


async def test_find_by_name_then_open_the_card(client, demo):
    await imported(name="Пётр Ёлкин")
    await _as_staff(client)
    listed = await client.get("/staff/readers", params={"q": "ёлкин"})
    assert listed.status_code == 200 and 'href="/staff/readers/100200300"' in listed.text
    direct = await client.get("/staff/readers", params={"q": "100200300"})
    assert direct.status_code == 200 and "Пётр Ёлкин" in direct.text and "не активирована" in direct.text
    assert (await client.get("/staff/readers", params={"q": "никого"})).status_code == 404


async def test_correct_block_unblock_replace_and_print_a_code(client, demo):
    account_id = await imported()
    await _as_staff(client)
    card_page = "/staff/readers/100200300"
    saved = await _post(client, card_page, card_page + "/edit", {"full_name": "Пётр Иванов", "email": "petr@example.ru", "phone": "", "birth_date": "", "home_branch": "dialog"})
    assert saved.status_code == 303
    shown = await client.get(card_page)
    assert 'value="+79140000001"' not in shown.text and "данные исправлены" in shown.text  # the form, and the history
    bad = await _post(client, card_page, card_page + "/edit", {"full_name": "Пётр Иванов", "email": "", "phone": "", "home_branch": "dialog"})
    assert bad.status_code == 303 and 'aria-invalid="true"' in (await client.get(bad.headers["location"])).text

    step = await client.get(card_page + "/block")
    assert step.status_code == 200 and 'name="reason"' in step.text
    no_reason = await post_form(client, card_page + "/block", {"reason": ""})
    assert no_reason.status_code == 303 and no_reason.headers["location"] == card_page + "/block"
    blocked = await post_form(client, card_page + "/block", {"reason": "долг"})
    assert blocked.status_code == 303
    assert 'data-testid="blocked"' in (await client.get(card_page)).text
    unblocked = await _post(client, card_page, card_page + "/unblock", {})
    assert unblocked.status_code == 303 and 'data-testid="blocked"' not in (await client.get(card_page)).text

    replaced = await post_form(client, card_page + "/replace", {"reason": "утеряна"})
    assert replaced.status_code == 303
    new_number = (await accounts_service.get_card(account_id)).card_number
    assert replaced.headers["location"] == f"/staff/readers/{new_number}"
    old = await client.get(card_page, follow_redirects=True)
    assert old.status_code == 200 and str(old.url).endswith(new_number) and "утеряна" in old.text

    issued = await _post(client, f"/staff/readers/{new_number}", f"/staff/readers/{new_number}/access-code", {})
    assert issued.status_code == 303
    slip = await client.get(issued.headers["location"])
    assert slip.status_code == 200 and "<svg" in slip.text and 'data-testid="access-code"' in slip.text


async def test_the_reader_sees_why_the_card_is_blocked(client, demo):
    await post_form(client, "/login", {"login": "staff.dialog@libspace.local", "password": "libspace-demo"})
    card = demo.card_for("0001")
    await post_form(client, f"/staff/readers/{card}/block", {"reason": "не вернул книги"})
    await client.post("/logout", data={"_csrf_token": CSRF_RE.search((await client.get("/staff")).text).group(1)})
    await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"})
    mine = await client.get("/me/card")
    assert 'data-testid="card-blocked"' in mine.text and "не вернул книги" in mine.text


async def test_a_blocked_reader_signing_up_on_the_page_reads_the_reason_at_the_form(client, demo):
    from tests.events.conftest import new_event, principal

    event_id = await new_event(await principal("staff.chekhov@libspace.local"), min_age=None, max_age=None)
    await post_form(client, "/login", {"login": "staff.dialog@libspace.local", "password": "libspace-demo"})
    await post_form(client, f"/staff/readers/{demo.card_for('0001')}/block", {"reason": "не вернул книги"})
    await client.post("/logout", data={"_csrf_token": CSRF_RE.search((await client.get("/staff")).text).group(1)})
    await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"})
    refused = await post_form(client, f"/events/{event_id}", {}, action=f"/events/{event_id}/signup")
    assert refused.status_code == 303
    again = await client.get(refused.headers["location"])
    assert 'data-testid="error-summary"' in again.text and "не вернул книги" in again.text


async def test_staff_book_a_zone_for_a_reader_on_the_booking_page(client, demo):
    from src.rooms.tables import Booking
    from tests.rooms.helpers import open_day, zone_named

    branch, zone = await zone_named("dialog", "Диалог событий")
    day = open_day(zone, branch.tz)
    await post_form(client, "/login", {"login": "staff.dialog@libspace.local", "password": "libspace-demo"})
    form_url = f"/bookings/new?zone={zone.id}"
    values = {"zone_id": str(zone.id), "date": day.isoformat(), "start": "12:00", "end": "13:00", "purpose": "Встреча клуба", "headcount": "5"}
    unknown = await post_form(client, form_url, {**values, "card_number": "999999999"}, action="/bookings", follow_redirects=True)
    assert unknown.status_code == 200 and unknown.url.path == "/bookings/new" and 'id="e-card_number"' in unknown.text  # back at the form (issue 16)
    made = await post_form(client, form_url, {**values, "card_number": demo.card_for("0001")}, action="/bookings")
    assert made.status_code == 303, made.text[:500]
    reader = (await accounts_service.find_card(demo.card_for("0001"))).account_id
    assert await Booking.exists().where((Booking.holder == reader) & (Booking.zone == zone.id))


async def test_staff_book_a_consultation_for_a_reader_from_the_desk(client, demo):
    """The reader's card links to the slots for them; the confirmation step names the reader; the booking is
    theirs, made by the staff member, and the reader (not the staff member) is told. A blocked card comes back
    to the step with its reason."""
    from urllib.parse import quote

    from src.audit.tables import AuditEntry
    from src.guidance.tables import Consultation
    from src.notifications.tables import Outbox
    from tests.events.conftest import principal
    from tests.guidance.conftest import first_free_slot, make_counsellor, open_every_day

    counsellor_id = await make_counsellor()
    await open_every_day(counsellor_id)
    slot = await first_free_slot(counsellor_id)
    account_id = await imported()
    await _as_staff(client)
    card_page = await client.get("/staff/readers/100200300")
    assert 'href="/guidance/slots?card=100200300"' in card_page.text
    slots = await client.get("/guidance/slots", params={"card": "100200300", "counsellor": counsellor_id, "start": slot.starts_at.date().isoformat()})
    step_url = f"/guidance/book?counsellor={counsellor_id}&starts_at={quote(slot.starts_at.isoformat(), safe='')}&card=100200300"
    assert "Пётр Иванов" in slots.text and step_url.replace("&", "&amp;") in slots.text
    form = {"counsellor_id": str(counsellor_id), "starts_at": slot.starts_at.isoformat(), "card": "100200300", "topic": "Хочет в IT"}
    staff = await principal("staff.dialog@libspace.local")

    await _post(client, "/staff/readers/100200300/block", "/staff/readers/100200300/block", {"reason": "Не вернул книги"})
    refused = await post_form(client, step_url, form, action="/guidance/consultations", follow_redirects=True)
    assert refused.url.path == "/guidance/book" and "Не вернул книги" in refused.text and not await Consultation.exists().where(Consultation.reader == account_id)
    await _post(client, "/staff/readers/100200300", "/staff/readers/100200300/unblock", {})

    step = await client.get(step_url)
    assert step.status_code == 200 and 'data-testid="for-reader"' in step.text and "Пётр Иванов" in step.text
    booked = await post_form(client, step_url, form, action="/guidance/consultations")
    assert booked.status_code == 303 and booked.headers["location"] == "/staff/readers/100200300"
    row = await Consultation.select().where(Consultation.reader == account_id).first()
    assert row["counsellor"] == counsellor_id and row["topic"] == "Хочет в IT"
    entry = await AuditEntry.select().where((AuditEntry.object_kind == "consultation") & (AuditEntry.object_id == row["id"])).first()
    assert entry["actor_id"] == staff.id  # made by the staff member, for the reader
    told = {r["recipient"] for r in await Outbox.select(Outbox.recipient).where(Outbox.kind == "consultation_booked")}
    assert told == {account_id}
    await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"})
    other = await first_free_slot(counsellor_id, skip=1)
    as_reader = await client.get("/guidance/book", params={"counsellor": counsellor_id, "starts_at": other.starts_at.isoformat(), "card": "100200300"})
    assert as_reader.status_code == 403  # only staff book for someone else
