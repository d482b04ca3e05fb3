"""Password reset end to end with a real SMTP server: the link is read from the message that arrives."""

import re

import pytest

from src.notifications import worker
from src.notifications.transport import SmtpTransport
from src.timeutil import now_utc
from tests.notifications.support import SmtpServer
from src.notifications.clock import FixedClock


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


async def _deliver(smtp) -> None:
    settings = smtp.settings()
    transport = SmtpTransport(settings.smtp, 5)
    try:
        stats = await worker.send_due(transport, FixedClock(now_utc()), settings)
    finally:
        await transport.close()
    assert stats.failed == 0


def _link(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+/password/reset/([0-9A-Z]{32})\b", body)
    assert match, body
    return match.group(1)


async def test_reset_link_arrives_by_mail_and_works_once(client, demo, smtp):
    old = (await client.post("/api/v1/auth/token", json={"login": "reader@libspace.local", "password": "libspace-demo"})).json()["access_token"]
    assert (await client.post("/api/v1/auth/password-reset", json={"login": "reader@libspace.local"})).status_code == 202
    await _deliver(smtp)
    (mail,) = smtp.received
    assert mail.rcpt == ["reader@libspace.local"] and mail.message["Subject"] == "Новый пароль для библиотеки"
    token = _link(mail.message)
    done = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "mailed-password"})
    assert done.status_code == 200
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"})).status_code == 401
    assert (await client.post("/api/v1/auth/token", json={"login": "reader@libspace.local", "password": "mailed-password"})).status_code == 200
    reused = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "mailed-password-2"})
    assert reused.status_code == 410
    await _deliver(smtp)  # the notice that the password was changed
    assert "изменён" in smtp.received[-1].message["Subject"]


async def test_a_link_replaced_before_sending_says_so_instead(client, demo, smtp):
    for _ in range(2):
        assert (await client.post("/api/v1/auth/password-reset", json={"login": "reader@libspace.local"})).status_code == 202
    await _deliver(smtp)
    first, second = smtp.received
    assert "/password/reset/" not in first.message.get_body(preferencelist=("plain",)).get_content()
    assert _link(second.message)
