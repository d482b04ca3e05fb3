"""Consultation reminders: 24 h and 2 h before, in the reader's language, with the consultation's .ics and
never the counsellor's notes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from src.branches.tables import Branch
from src.guidance.tables import Consultation
from src.notifications import reminders
from src.notifications.clock import FixedClock
from src.notifications.tables import Outbox
from tests.notifications.support import account

UTC = timezone.utc
START = datetime(2027, 3, 10, 5, 0, tzinfo=UTC)  # 14:00 in Blagoveshchensk
SECRET = "СЕКРЕТНАЯ-ЗАМЕТКА-42"


async def a_consultation(reader: int, counsellor: int, booked_at: datetime) -> int:
    branch = await Branch.select(Branch.id).where(Branch.slug == "chekhov").first()
    row = Consultation(counsellor=counsellor, reader=reader, branch=branch["id"], starts_at=START, ends_at=START + timedelta(minutes=45), status="booked",
                       topic="IT", private_notes=SECRET, next_steps="", created_at=booked_at)
    await row.save()
    return row.id


async def hours_reminded(reader: int) -> list[int]:
    rows = await Outbox.select(Outbox.payload).where((Outbox.recipient == reader) & (Outbox.kind == "consultation_reminder")).order_by(Outbox.id).output(load_json=True)
    return [row["payload"]["hours"] for row in rows]


async def test_consultation_reminders_24_and_2_hours_before(smtp, demo):
    from tests.notifications.test_worker import parts, send

    reader = await account("olga@example.org", language="en")
    counsellor = await account("counsellor.x@example.org", name="Ольга Консультант")
    consultation_id = await a_consultation(reader, counsellor, START - timedelta(days=5))
    await reminders.schedule(START - timedelta(hours=25))
    assert await hours_reminded(reader) == []
    await reminders.schedule(START - timedelta(hours=24))
    await reminders.schedule(START - timedelta(hours=23))
    assert await hours_reminded(reader) == [24]
    await send(smtp, FixedClock(START - timedelta(hours=24)))
    received = next(item for item in smtp.received if item.rcpt == ["olga@example.org"])
    (counsellors,) = [item for item in smtp.received if item.rcpt == ["counsellor.x@example.org"]]  # the counsellor's own, naming the reader
    assert "Анна Читатель" in parts(counsellors.message)["text/plain"].get_content() and len(smtp.received) == 2
    text = parts(received.message)["text/plain"].get_content()
    calendar = parts(received.message)["text/calendar"]
    assert "career consultation with Ольга Консультант" in text and received.message["List-Unsubscribe"]
    assert f"consultation-{consultation_id}@libspace" in calendar.get_content() and SECRET not in calendar.get_content() and SECRET not in text
    await reminders.schedule(START - timedelta(hours=2))
    assert await hours_reminded(reader) == [24, 2]
