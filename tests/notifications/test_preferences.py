"""A person's choices per category and channel (API and page), essential messages always on, and the signed
one-click unsubscribe (RFC 8058) of non-essential e-mails, without logging in."""

from __future__ import annotations

from src.accounts.tables import Guardianship
from src.notifications import preferences, registry
from src.notifications import service as notifications
from src.notifications.messages import category_unsubscribe_path
from src.notifications.tables import Outbox, TelegramLink
from tests.conftest import bearer, post_form
from tests.notifications.support import account, enqueue
from tests.notifications.test_telegram import NOW, linked, send_email


async def test_choices_decide_the_channels_and_service_messages_stay_on(client, demo):
    headers = await bearer(client, "reader@libspace.local")
    me = (await client.get("/api/v1/me", headers=headers)).json()["id"]
    shown = (await client.get("/api/v1/me/messages", headers=headers)).json()
    assert shown["categories"][0] == {"category": "service", "essential": True, "email": True, "telegram": True}
    assert shown["telegram"] == {"available": False, "linked": False, "username": ""}
    refused = await client.put("/api/v1/me/messages", headers=headers, json={"choices": [{"category": "service", "channel": "email", "enabled": False}]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "choices[0].category"
    assert "нельзя" in refused.json()["detail"]
    changed = await client.put("/api/v1/me/messages", headers=headers, json={"choices": [{"category": "waitlist", "channel": "email", "enabled": False}]})
    assert {row["category"]: row["email"] for row in changed.json()["categories"]} == {"service": True, "reminders": True, "waitlist": False}

    await TelegramLink.insert(TelegramLink(account=me, chat_id=7, linked_at=NOW))
    assert await preferences.channels_for("registration_waitlisted", {me}) == {me: ("telegram",)}
    assert await preferences.channels_for("registration_promoted", {me}) == {me: ("email", "telegram")}  # essential
    page = await client.get("/me/messages")
    assert page.status_code == 401 or "/login" in page.headers.get("location", "")  # the page needs a login
    login = await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"})
    assert login.status_code == 303
    page = await client.get("/me/messages")
    assert "Мои сообщения" in page.text and "Telegram привязан" in page.text
    assert 'href="/me/messages/telegram/unlink"' in page.text and 'action="/me/messages/telegram/unlink"' not in page.text  # a step first (issue 16, point 6)
    step = await client.get("/me/messages/telegram/unlink")
    assert step.status_code == 200 and "Отвязать Telegram?" in step.text and 'action="/me/messages/telegram/unlink"' in step.text
    assert await TelegramLink.count() == 1  # looking at the step changes nothing
    saved = await post_form(client, "/me/messages", {"reminders-telegram": "on", "waitlist-email": "on"})
    assert saved.status_code == 303
    assert await preferences.choices(me) == {
        ("reminders", "email"): False, ("reminders", "telegram"): True, ("waitlist", "email"): True, ("waitlist", "telegram"): False
    }
    unlinked = await post_form(client, "/me/messages/telegram/unlink", {})
    assert unlinked.status_code == 303 and unlinked.headers["location"] == "/me/messages" and await TelegramLink.count() == 0


async def test_non_essential_emails_carry_a_one_click_unsubscribe(client, smtp, demo):
    reader = await account("anna@example.org")
    await enqueue("registration_waitlisted", [reader], {"title": "x", "position": 2}, cause="w")
    await enqueue("registration_promoted", [reader], {"title": "x"}, cause="p")
    await send_email(smtp)
    waitlisted, promoted = smtp.received
    path = category_unsubscribe_path(reader, registry.WAITLIST)
    assert waitlisted.message["List-Unsubscribe"].strip() == f"<http://127.0.0.1:8000{path}>"
    assert waitlisted.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert promoted.message["List-Unsubscribe"] is None  # essential: a seat is a ticket
    assert (await client.get(path)).status_code == 200
    assert (await client.get(path[:-1] + ("0" if path[-1] != "0" else "1"))).status_code == 404
    one_click = await client.post(path, content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert one_click.status_code == 200 and "отключены" in one_click.text
    assert (await preferences.choices(reader))[("waitlist", "email")] is False
    await enqueue("registration_waitlisted", [reader], {"title": "x", "position": 1}, cause="w2")
    assert await Outbox.count().where(Outbox.message_id.like("%w2%")) == 0


async def test_the_audience_is_read_in_one_query_as_the_choices_decide(demo):
    """notifications.audience's one union (languages, Telegram links, categories switched off) and the guardians'
    copies agree with what preferences.choices_of reads table by table, for the recipients and their guardians."""
    child = await linked(41, "child41@example.org", language="en")
    guardian = await linked(42, "guardian42@example.org")
    plain = await account("plain43@example.org")
    await Guardianship.insert(Guardianship(guardian=guardian, child=child, status="active", created_at=NOW))
    await preferences.set_choices(child, {("waitlist", "telegram"): False})
    await preferences.set_choices(guardian, {("reminders", "email"): False})
    found = await notifications.audience([plain, child, child])
    assert found.recipients == sorted([plain, child])
    assert found.languages == {plain: "", child: "en", guardian: ""}
    assert found.copies == {child: [(guardian, "Анна Читатель: ")]}
    assert found.choices == await preferences.choices_of({plain, child, guardian})
    assert found.choices.linked == {child, guardian} and found.choices.off == {(child, "waitlist", "telegram"), (guardian, "reminders", "email")}
