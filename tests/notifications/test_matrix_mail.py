"""docs/messages.md as a test, end to end: each state change, made through the service layer, produces its
messages, which the worker sends to a real SMTP server (aiosmtpd). Each mail is checked as a person reads it: to
the right address, in their language, plain text and HTML, its attachments, the date in words in the branch's
zone, and a link to the page concerned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from src.accounts.tables import Account
from src.config import get_settings
from src.events import service as events_service
from src.events.tables import Event
from src.i18n import fmt_day_time, reset_language, set_language
from src.notifications import worker
from src.notifications.clock import FixedClock
from src.notifications.transport import SmtpTransport
from src.timeutil import aware, now_utc
from tests.events.conftest import make_readers, new_event, staff  # noqa: F401 - staff is a fixture

GREETING = {"ru": "Здравствуйте", "en": "Hello"}
TZ = ZoneInfo("Asia/Yakutsk")  # the demo's branches


@dataclass
class Mail:
    """What one state change must deliver to one person."""

    to: str
    kind_subject: str  # a word of the subject, in the recipient's language
    says: tuple[str, ...] = ()  # words of the text (the date in words, a reason, what changed)
    attached: tuple[str, ...] = ()  # content types of the attachments
    link: str = ""  # a path the text links to (after the site's address)
    language: str = "ru"


def in_words(moment, language: str = "ru") -> str:
    token = set_language(language)
    try:
        return fmt_day_time(moment, TZ)
    finally:
        reset_language(token)


async def starts_of(event_id: int):
    return aware((await Event.select(Event.starts_at).where(Event.id == event_id).first())["starts_at"])


async def deliver(smtp) -> dict[str, list]:
    settings = smtp.settings()
    transport = SmtpTransport(settings.smtp, 5)
    try:
        await worker.send_due(transport, FixedClock(now_utc() + timedelta(minutes=1)), settings)
    finally:
        await transport.close()
    by_address: dict[str, list] = {}
    for received in smtp.received:
        by_address.setdefault(received.rcpt[0], []).append(received.message)
    return by_address


def read(message) -> tuple[str, str, dict[str, object]]:
    plain = html = ""
    attachments = {}
    for part in message.walk():
        if part.get_content_disposition() == "attachment":
            attachments[part.get_content_type()] = part
        elif part.get_content_type() == "text/plain":
            plain = part.get_content()
        elif part.get_content_type() == "text/html":
            html = part.get_content()
    return plain, html, attachments


def check(mail: Mail, messages: list) -> None:
    assert len(messages) == 1, (mail, [m["Subject"] for m in messages])  # once
    (message,) = messages
    plain, html, attachments = read(message)
    assert mail.kind_subject in message["Subject"], (message["Subject"], mail)
    assert message["Content-Language"] == mail.language
    assert plain.startswith(GREETING[mail.language]), plain
    assert f'lang="{mail.language}"' in html and "<p>" in html
    for words in mail.says:
        assert words in plain, (words, plain)
        assert words.replace("«", "&laquo;") in html or words in html or words.replace('"', "&quot;") in html
    assert set(mail.attached) <= set(attachments), (mail.attached, list(attachments))
    if mail.link:
        assert get_settings().base_url + mail.link in plain, (mail.link, plain)
        assert f'href="{get_settings().base_url}{mail.link}' in html


# --- events --------------------------------------------------------------------------------------------------


async def signed_up(staff):
    event_id = await new_event(staff, capacity=1)
    first, second = await make_readers(2, prefix="su")
    await Account.update({Account.language: "en"}).where(Account.id == second.id)
    await events_service.sign_up(first, event_id)
    await events_service.sign_up(second, event_id)
    starts = await starts_of(event_id)
    return [
        Mail("su0@example.ru", "Вы записаны", (in_words(starts),), ("image/png", "application/ics"), "/me/registrations"),
        Mail("su1@example.ru", "waiting list", (in_words(starts, "en"), "number 1"), ("application/ics",), f"/events/{event_id}", language="en"),
    ]


async def promoted_and_changed(staff):
    event_id = await new_event(staff, capacity=1)
    first, second = await make_readers(2, prefix="pc")
    mine = await events_service.sign_up(first, event_id)
    await events_service.sign_up(second, event_id)
    await events_service.cancel_registration(first, mine.id)
    new_start = await starts_of(event_id) + timedelta(days=1)
    await events_service.update_event(staff, event_id, events_service.EventChange({"starts_at": new_start, "title": "Профессия: геолог"}))
    return [
        Mail("pc1@example.ru", "Место за вами", ("Профессия: геолог",), ("image/png", "application/ics")),
    ], [
        Mail("pc1@example.ru", "Изменения", (in_words(new_start), "Раньше оно называлось «Профессия: инженер-программист»"), ("application/ics",), f"/events/{event_id}"),
    ]


async def event_cancelled(staff):
    event_id = await new_event(staff, capacity=1)
    first, second = await make_readers(2, prefix="ec")
    await events_service.sign_up(first, event_id)
    await events_service.sign_up(second, event_id)
    await events_service.cancel_event(staff, event_id, "Болезнь лектора")
    starts = await starts_of(event_id)
    return [Mail(f"ec{index}@example.ru", "отменено", (in_words(starts), "Болезнь лектора"), ("application/ics",)) for index in (0, 1)]


async def confirm_or_release(staff, frozen_clock):
    from src.events import messages as event_messages

    event_id = await new_event(staff, capacity=5, confirm_hours_before=24)
    (reader,) = await make_readers(1, prefix="cr")
    await events_service.sign_up(reader, event_id)
    deadline = await starts_of(event_id) - timedelta(hours=24)
    frozen_clock.move_to(deadline - timedelta(hours=23))
    await event_messages.confirmation_requests(now_utc())
    return [Mail("cr0@example.ru", "Подтвердите", (in_words(deadline),), ("application/ics",), f"/registrations/")]


@pytest.mark.parametrize("change", [signed_up, event_cancelled], ids=lambda change: change.__name__)
async def test_a_state_change_delivers_its_mail(smtp, staff, change):
    expected = await change(staff)
    received = await deliver(smtp)
    for mail in expected:
        check(mail, [m for m in received.get(mail.to, []) if mail.kind_subject in m["Subject"]])
    assert sorted(received) == sorted({mail.to for mail in expected})


async def test_promotion_then_a_change_of_time_and_title(smtp, staff):
    promoted, changed = await promoted_and_changed(staff)
    received = await deliver(smtp)
    for mail in promoted + changed:
        check(mail, [m for m in received.get(mail.to, []) if mail.kind_subject in m["Subject"]])
    assert "Новое время" in read(received["pc1@example.ru"][-1])[0] and "pc0@example.ru" not in {m for m in received if "Изменения" in str(received[m][-1]["Subject"])}


async def test_confirmation_request_confirms_with_one_click_without_logging_in(smtp, staff, frozen_clock, client):
    from src.events.tables import Registration

    (mail,) = await confirm_or_release(staff, frozen_clock)
    received = await deliver(smtp)
    check(mail, [m for m in received[mail.to] if mail.kind_subject in m["Subject"]])
    plain = read([m for m in received[mail.to] if mail.kind_subject in m["Subject"]][0])[0]
    link = re.search(re.escape(get_settings().base_url) + r"(/registrations/\d+/confirm/\S+)", plain).group(1)
    page = await client.get(link)  # no session
    assert page.status_code == 200 and "Место подтверждено" in page.text
    assert (await Registration.select(Registration.confirmed_at).first())["confirmed_at"] is not None
    assert (await client.get(link)).status_code == 200  # again: still confirmed, nothing else
    registration_id = int(link.split("/")[2])
    forged = link.rsplit("/", 1)[0] + "/" + "0" * 32
    assert (await client.get(forged)).status_code == 410
    other = link.replace(f"/registrations/{registration_id}/", f"/registrations/{registration_id + 1}/")
    assert (await client.get(other)).status_code == 410  # the signature binds the sign-up
    frozen_clock.move_to(frozen_clock.now() + timedelta(days=1))
    assert (await client.get(link)).status_code == 410  # past the deadline


# --- zones ---------------------------------------------------------------------------------------------------


async def test_a_readers_own_changes_and_a_staff_cancellation_reach_the_reader(smtp, staff, frozen_clock):
    """Reschedule, extend and end early, each by the reader: one "changed" mail each with the new time in words;
    staff cancelling say why and the reader reads it, with a calendar file that cancels the entry."""
    from src.rooms import bookings
    from src.rooms.bookings import BookingRequest
    from tests import dates
    from tests.events.conftest import principal

    branch = await dates.branch("centralnaya")
    zone = next(zone for zone in branch.zones if zone.name == "Коворкинг")
    start = dates.working_instant(zone.schedule, branch.tz, hours_left=4, after_days=9).replace(minute=0)
    (reader,) = await make_readers(1, prefix="bk")  # no demo bookings of theirs to overlap, whatever the date
    made = await bookings.book(reader, BookingRequest(zone_id=zone.id, starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=2), headcount=1))
    booking_id = made.bookings[0].id
    await bookings.reschedule(reader, booking_id, start, start + timedelta(hours=1))
    frozen_clock.move_to(start + timedelta(minutes=10))
    await bookings.extend(reader, booking_id, start + timedelta(hours=2))
    frozen_clock.move_to(start + timedelta(minutes=40))
    ended = await bookings.end_early(reader, booking_id)
    later = await bookings.book(reader, BookingRequest(zone_id=zone.id, starts_at=start + timedelta(hours=3), ends_at=start + timedelta(hours=4), headcount=1))
    librarian = await principal("staff.centralnaya@libspace.local")
    await bookings.cancel(librarian, later.bookings[0].id, reason="Протечка крыши")
    received = (await deliver(smtp))["bk0@example.ru"]
    changed = [message for message in received if "изменена" in message["Subject"]]
    untils = [start + timedelta(hours=1), start + timedelta(hours=2), ended.ends_at]
    assert len(changed) == 3
    for message, until in zip(changed, untils):
        check(Mail("reader", "изменена", (in_words(start), "Вы изменили бронь", f"до {until.astimezone(TZ):%H:%M}"), ("application/ics",), f"/bookings/{booking_id}"), [message])
    cancelled = [message for message in received if "отменена" in message["Subject"]]
    check(Mail("reader", "отменена", (in_words(start + timedelta(hours=3)), "Протечка крыши"), ("application/ics",)), cancelled)
    assert read(cancelled[0])[2]["application/ics"].get_content().count(b"METHOD:CANCEL") == 1


# --- accounts ------------------------------------------------------------------------------------------------

PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


async def test_a_log_in_from_a_new_device_and_a_password_change_reach_the_owner(smtp, demo, client):
    from src.accounts import service as accounts_service
    from tests.conftest import post_form

    async def log_in(agent: str) -> None:
        client.headers["user-agent"] = agent
        answer = await post_form(client, "/login", {"login": "teen@libspace.local", "password": "libspace-demo"})
        assert answer.status_code == 303
        await client.post("/logout", headers={"x-csrftoken": client.cookies.get("csrftoken", "")})

    await log_in(PHONE)  # the account's first device: nothing to compare with
    await log_in(PHONE.replace("131.0.0.0", "132.0.1.2"))  # the same phone after a browser update
    await log_in(LAPTOP)
    await log_in(LAPTOP)
    teen = await accounts_service.authenticate("teen@libspace.local", "libspace-demo")
    await accounts_service.change_password(teen, "libspace-demo", "a-new-long-passphrase-42")
    received = (await deliver(smtp))["teen@libspace.local"]
    assert len(received) == 2
    check(Mail("teen", "нового устройства", ("Firefox, Linux", in_words(now_utc())[:-3]), link="/me/password"), [m for m in received if "устройства" in m["Subject"]])
    check(Mail("teen", "Пароль", ("пароль",), link="/password/forgot"), [m for m in received if "Пароль" in m["Subject"]])


async def test_the_no_show_job_marks_and_tells_once(smtp, staff, frozen_clock):
    from src.events import no_shows
    from src.events.tables import Registration

    event_id = await new_event(staff, capacity=3)
    came, missed = await make_readers(2, prefix="ns")
    ticket = await events_service.sign_up(came, event_id)
    await events_service.sign_up(missed, event_id)
    starts = await starts_of(event_id)
    frozen_clock.move_to(starts + timedelta(minutes=10))
    await events_service.check_in(staff, code=ticket.ticket_code)
    assert await no_shows.mark(now_utc()) == {"marked": 0, "told": 0}  # not over yet
    after = frozen_clock.move_to(starts + timedelta(hours=3))
    assert await no_shows.mark(after) == {"marked": 1, "told": 1}
    assert await no_shows.mark(after + timedelta(minutes=15)) == {"marked": 0, "told": 0}
    marks = {row["reader"]: row["no_show_at"] for row in await Registration.select(Registration.reader, Registration.no_show_at)}
    assert marks[came.id] is None and marks[missed.id] is not None
    received = await deliver(smtp)
    check(Mail("ns1", "Мы вас ждали", (in_words(starts), "отмените запись заранее"), link=f"/events/{event_id}"), [m for m in received["ns1@example.ru"] if "ждали" in m["Subject"]])
    assert not [m for m in received["ns0@example.ru"] if "ждали" in m["Subject"]]


# --- consultations and school visits -------------------------------------------------------------------------


async def test_a_consultation_booked_then_cancelled_by_the_reader_reaches_both(smtp, demo):
    from src.guidance import consultations
    from tests.guidance.conftest import first_free_slot, make_counsellor, make_reader, open_every_day, principal

    counsellor = await make_counsellor()
    await open_every_day(counsellor)
    reader = await principal(await make_reader(31))
    slot = await first_free_slot(counsellor)
    booked = await consultations.book(reader, counsellor, slot.starts_at)
    await consultations.cancel(reader, booked.id)
    received = await deliver(smtp)
    when = in_words(slot.starts_at)
    for_reader, for_counsellor = received["r31@test.local"], received["c.test@test.local"]
    check(Mail("r", "Вы записаны", (when,), ("application/ics",), "/guidance/consultations"), [m for m in for_reader if "записаны" in m["Subject"]])
    check(Mail("r", "отменена", ("Вы отменили", when), ("application/ics",)), [m for m in for_reader if "отменена" in m["Subject"]])
    check(Mail("c", "К вам записались", (when,), ("application/ics",), "/guidance/counsellor"), [m for m in for_counsellor if "записались" in m["Subject"]])
    check(Mail("c", "отменена", ("Читатель отменил", when), ("application/ics",)), [m for m in for_counsellor if "отменена" in m["Subject"]])


async def test_a_visit_request_reaches_the_branch_and_the_teacher_gets_a_receipt(smtp, demo):
    from src.accounts.tables import StaffBranch
    from src.branches.tables import Branch
    from tests.schools.conftest import career_request, open_day, principal

    teacher = await principal("teacher@libspace.local")
    visit = await career_request(teacher, await open_day())
    received = await deliver(smtp)
    check(Mail("teacher", "Заявка на посещение получена", (visit.programme_title, "8Б"), link=f"/schools/visits/{visit.id}"), received["teacher@libspace.local"])
    branch = await Branch.select(Branch.id).where(Branch.slug == "chekhov").first()
    staff_emails = {row["account.email"] for row in await StaffBranch.select(StaffBranch.account.email).where(StaffBranch.branch == branch["id"])}
    assert staff_emails and staff_emails <= set(received)
    for email in staff_emails:
        check(Mail(email, "Новая заявка", (visit.programme_title,), link=f"/schools/visits/{visit.id}"), received[email])


async def test_released_approved_declined_and_a_visit_confirmed(smtp, staff, frozen_clock):
    """The rest of the matrix's calendar messages: a seat released for not confirming (CANCEL), a booking request
    received then approved, another declined with the reason, a school visit confirmed with its zone and time."""
    from src.events.tables import Registration
    from src.rooms import bookings
    from src.rooms.bookings import BookingRequest
    from src.schools import service as visits
    from tests import dates
    from tests.events.conftest import principal
    from tests.schools.conftest import career_request, hall_id, local, open_day

    event_id = await new_event(staff, capacity=5, confirm_hours_before=24)
    (reader,) = await make_readers(1, prefix="rl")
    await events_service.sign_up(reader, event_id)
    starts = await starts_of(event_id)
    assert await events_service.release_unconfirmed(starts - timedelta(hours=23)) == 1
    assert (await Registration.select(Registration.status).first())["status"] == "cancelled"

    branch = await dates.branch("chekhov")
    hall = next(zone for zone in branch.zones if zone.name == "Конференц-зал")  # needs approval
    on = dates.open_day(hall.schedule, after_days=8)
    (holder,) = await make_readers(1, prefix="bh")
    wanted = [await bookings.book(holder, BookingRequest(zone_id=hall.id, starts_at=dates.at(on, hour, tz=branch.tz), ends_at=dates.at(on, hour + 1, tz=branch.tz), headcount=5)) for hour in (11, 14)]
    await bookings.approve(staff, wanted[0].bookings[0].id)
    await bookings.decline(staff, wanted[1].bookings[0].id, "Зал занят ремонтом")

    teacher = await principal("teacher@libspace.local")
    day = await open_day()
    visit = await career_request(teacher, day)
    at = await local(day, 12)
    await visits.confirm(staff, visit.id, await hall_id(), at)

    received = await deliver(smtp)
    check(Mail("rl0", "передано другому", (in_words(starts),), ("application/ics",)), [m for m in received["rl0@example.ru"] if "передано" in m["Subject"]])
    mine = received["bh0@example.ru"]
    for subject, hour, says in (("Заявка на бронь получена", 11, ()), ("одобрена", 11, ()), ("отклонена", 14, ("Зал занят ремонтом",))):
        check(Mail("reader", subject, (in_words(dates.at(on, hour, tz=branch.tz)), *says), ("application/ics",), f"/bookings/{wanted[0 if hour == 11 else 1].bookings[0].id}"),
              [m for m in mine if subject in m["Subject"] and in_words(dates.at(on, hour, tz=branch.tz)) in read(m)[0]])
    declined = [m for m in mine if "отклонена" in m["Subject"]][0]
    assert b"METHOD:CANCEL" in read(declined)[2]["application/ics"].get_content()
    check(Mail("teacher", "Экскурсия подтверждена", (visit.programme_title, in_words(at), "Конференц-зал", "8Б"), ("application/ics",), f"/schools/visits/{visit.id}"),
          [m for m in received["teacher@libspace.local"] if "подтверждена" in m["Subject"]])
