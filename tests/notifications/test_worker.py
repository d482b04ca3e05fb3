"""The worker against a real SMTP server: language, .ics, Message-ID, bad addresses, retries, exclusive claims."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import icalendar
import pytest

from src.notifications import worker
from src.notifications.clock import FixedClock
from src.notifications.tables import Outbox
from src.notifications.transport import EmlTransport, SmtpTransport
from tests.calendars.clients import icaljs
from tests.notifications.support import account, an_event, enqueue

UTC = timezone.utc
NOW = datetime(2027, 1, 20, 3, 0, tzinfo=UTC)


def transport_for(settings):
    return SmtpTransport(settings.smtp, 5)


async def send(smtp, clock=None, **changes):
    settings = smtp.settings(**changes)
    transport = transport_for(settings)
    try:
        return await worker.send_due(transport, clock or FixedClock(NOW), settings)
    finally:
        await transport.close()


def parts(message):
    return {part.get_content_type(): part for part in message.walk()}


async def test_an_event_change_arrives_in_the_readers_language_with_an_invitation(smtp, demo):
    english = await account("anna@example.org", language="en", name="Anna Reader")
    russian = await account("ivan@example.org", language="", name="Иван Читатель")
    event_id = await an_event()
    await enqueue("event_moved", [english, russian], {"event_id": event_id, "title": "Краеведческая лекция"}, cause=f"{event_id}:x",
                  subject="Event moved: %(n)s")
    stats = await send(smtp)
    assert stats.sent == 2 and stats.failed == 0
    by_rcpt = {r.rcpt[0]: r.message for r in smtp.received}
    en, ru = by_rcpt["anna@example.org"], by_rcpt["ivan@example.org"]
    assert "has moved" in parts(en)["text/plain"].get_content()
    assert "перенесено" in parts(ru)["text/plain"].get_content()
    assert en["Content-Language"] == "en" and ru["Content-Language"] == "ru"
    calendar_part = parts(en)["text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    ics = calendar_part.get_content()
    ics = ics.encode() if isinstance(ics, str) else ics
    assert ics == parts(en)["application/ics"].get_content()
    parsed = icalendar.Calendar.from_ical(ics)
    (event,) = parsed.events
    assert str(parsed["METHOD"]) == "REQUEST" and str(event["UID"]) == f"event-{event_id}@libspace"
    assert "mailto:anna@example.org" in str(event["ATTENDEE"]) and "ORGANIZER" in event
    assert event.start == datetime(2027, 2, 10, 9, 0, tzinfo=UTC)
    js = icaljs(ics, datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))
    assert js["events"][0]["start"] == "2027-02-10T09:00:00.000Z"
    assert await Outbox.count().where(Outbox.sent_at.is_not_null()) == 2


async def test_a_cancellation_carries_method_cancel(smtp, demo):
    reader = await account("anna@example.org")
    event_id = await an_event()
    await enqueue("event_cancelled", [reader], {"event_id": event_id, "title": "x", "reason": "Болезнь лектора"}, cause=str(event_id))
    await send(smtp)
    (received,) = smtp.received
    part = parts(received.message)["text/calendar"]
    assert part.get_param("method") == "CANCEL"
    assert "Болезнь лектора" in parts(received.message)["text/plain"].get_content()
    event = icalendar.Calendar.from_ical(parts(received.message)["application/ics"].get_content()).events[0]
    assert str(event["STATUS"]) == "CANCELLED"


async def test_message_id_is_stable_per_row(smtp, demo):
    reader = await account("anna@example.org")
    await enqueue("notice", [reader], {"title": "x"}, cause="one")
    await send(smtp)
    row = await Outbox.select().first()
    first = smtp.received[0].message_id
    await Outbox.update({Outbox.sent_at: None}).where(Outbox.id == row["id"])  # as if the mark had been lost
    await send(smtp)
    assert smtp.received[1].message_id == first and first.endswith("@libspace.example>")
    assert smtp.received[1].message["Date"] == smtp.received[0].message["Date"]


async def test_bad_addresses_are_recorded_and_skipped(smtp, demo):
    good = await account("anna@example.org")
    no_email = await account(None, name="Без почты")
    malformed = await account("not an address")
    refused = await account("gone@example.org")
    smtp.handler.refuse.add("gone@example.org")
    await enqueue("notice", [good, no_email, malformed, refused], {"title": "x"}, cause="bad")
    stats = await send(smtp)
    assert stats.sent == 1 and stats.failed == 3
    assert [r.rcpt for r in smtp.received] == [["anna@example.org"]]
    failed = {row["recipient"]: row for row in await Outbox.select().where(Outbox.failed_at.is_not_null())}
    assert set(failed) == {no_email, malformed, refused}
    assert "bad address" in failed[malformed]["last_error"] and "550" in failed[refused]["last_error"]
    assert (await send(smtp)).failed == 0  # never tried again


async def test_retries_back_off_exponentially(smtp, demo):
    reader = await account("anna@example.org")
    await enqueue("notice", [reader], {"title": "x"}, cause="retry")
    smtp.handler.fail_first = 2
    clock = FixedClock(NOW)
    assert (await send(smtp, clock)).retried == 1
    row = await Outbox.select().first()
    assert row["attempts"] == 1 and "451" in row["last_error"]
    assert row["next_attempt_at"].astimezone(UTC) == NOW + timedelta(seconds=60)
    clock.advance(seconds=59)
    assert (await send(smtp, clock)).retried == 0  # not yet
    clock.advance(seconds=1)
    assert (await send(smtp, clock)).retried == 1
    row = await Outbox.select().first()
    assert row["next_attempt_at"].astimezone(UTC) == clock.now() + timedelta(seconds=120)  # doubled
    clock.advance(seconds=120)
    assert (await send(smtp, clock)).sent == 1
    assert len(smtp.received) == 1


async def test_an_unreachable_server_is_retried_then_given_up(smtp, demo):
    reader = await account("anna@example.org")
    await enqueue("notice", [reader], {"title": "x"}, cause="down")
    settings = smtp.settings(max_attempts=2)
    settings = type(settings)(**{**{f: getattr(settings, f) for f in settings.__slots__}, "smtp": type(settings.smtp)("127.0.0.1", 1, "plain")})
    clock = FixedClock(NOW)
    transport = transport_for(settings)
    assert (await worker.send_due(transport, clock, settings)).retried == 1
    clock.advance(hours=1)
    assert (await worker.send_due(transport, clock, settings)).failed == 1
    row = await Outbox.select().first()
    assert row["failed_at"] is not None and "cannot reach" in row["last_error"]


async def test_two_workers_never_send_one_message_twice(smtp, demo):
    readers = [await account(f"r{n}@example.org") for n in range(40)]
    await enqueue("notice", readers, {"title": "x"}, cause="many")
    settings = smtp.settings(batch_size=5)
    transports = [transport_for(settings) for _ in range(3)]
    try:
        results = await asyncio.gather(*(worker.send_due(t, FixedClock(NOW), settings) for t in transports))
    finally:
        for t in transports:
            await t.close()
    assert sum(r.sent for r in results) == 40
    assert sorted(r.rcpt[0] for r in smtp.received) == sorted(f"r{n}@example.org" for n in range(40))


async def test_without_smtp_messages_become_eml_files(demo, tmp_path):
    reader = await account("anna@example.org")
    await enqueue("notice", [reader], {"title": "x"}, cause="file")
    from src.notifications.settings import get_mail_settings

    stats = await worker.send_due(EmlTransport(tmp_path), FixedClock(NOW), get_mail_settings())
    assert stats.sent == 1
    (path,) = tmp_path.glob("*.eml")
    assert b"Message-ID: <" in path.read_bytes()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # a loopback test server
async def test_smtp_with_a_user_and_password(demo):
    """``smtp://user:password@host:port``: the worker logs in (AUTH PLAIN/LOGIN) before sending."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from src.notifications.settings import parse_smtp_url
    from tests.notifications.support import Handler
    from tests.support import free_port

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.login == b"libspace" and auth_data.password == b"s3cret:pass")

    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        reader = await account("anna@example.org")
        await enqueue("notice", [reader], {"title": "x"}, cause="auth")
        target, _sender = parse_smtp_url(f"smtp://libspace:s3cret%3Apass@127.0.0.1:{port}")
        from dataclasses import replace

        from src.notifications.settings import get_mail_settings

        settings = replace(get_mail_settings(), smtp=target, mail_from="noreply@libspace.example")
        transport = SmtpTransport(target, 5)
        try:
            stats = await worker.send_due(transport, FixedClock(NOW), settings)
        finally:
            await transport.close()
        assert stats.sent == 1 and [r.rcpt for r in handler.received] == [["anna@example.org"]]
    finally:
        controller.stop()


def _self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


async def test_smtp_with_starttls(demo, tmp_path):
    """``smtp+starttls://``: the worker upgrades to TLS (verifying the certificate) before sending."""
    import ssl
    from dataclasses import replace

    from aiosmtpd.controller import Controller

    from src.notifications.settings import SmtpTarget, get_mail_settings
    from tests.notifications.support import Handler
    from tests.support import free_port

    cert, key = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True)
    controller.start()
    try:
        reader = await account("anna@example.org")
        await enqueue("notice", [reader], {"title": "x"}, cause="tls")
        target = SmtpTarget("127.0.0.1", port, "starttls", cafile=cert)
        settings = replace(get_mail_settings(), smtp=target, mail_from="noreply@libspace.example")
        untrusted = SmtpTransport(replace(target, cafile=""), 5)
        assert (await worker.send_due(untrusted, FixedClock(NOW), settings)).retried == 1  # an unknown certificate is refused
        await untrusted.close()
        transport = SmtpTransport(target, 5)
        try:
            stats = await worker.send_due(transport, FixedClock(NOW + timedelta(hours=1)), settings)
        finally:
            await transport.close()
        assert stats.sent == 1 and [r.rcpt for r in handler.received] == [["anna@example.org"]]
    finally:
        controller.stop()


async def test_an_invitation_reaches_an_address_without_an_account(smtp, demo):
    from src.notifications.service import enqueue_email

    await enqueue_email("teacher.invited", "new.teacher@example.ru", "Invitation to coordinate school visits for %(school)s",
                        {"path": "/schools/join/abc"}, cause="abc", subject_vars={"school": "Школа № 5"})
    stats = await send(smtp)
    assert stats.sent == 1 and stats.failed == 0
    (received,) = smtp.received
    assert received.rcpt == ["new.teacher@example.ru"]
    body = parts(received.message)["text/plain"].get_content()
    assert "Школа № 5" in received.message["Subject"] and "/schools/join/abc" in body and "Здравствуйте!" in body
