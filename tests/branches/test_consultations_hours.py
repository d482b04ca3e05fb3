"""An hours change that strands a career consultation lists it, and cancelling it tells the reader and the
counsellor (the consultation's room booking goes with it, and is not listed twice)."""

from zoneinfo import ZoneInfo

from src.guidance.tables import Consultation
from src.notifications.tables import Outbox
from src.rooms.tables import Booking
from tests.conftest import bearer
from tests.guidance.conftest import counsellor, first_free_slot, make_reader, token_for  # noqa: F401 - a fixture

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def test_a_consultation_outside_new_hours(client, counsellor):  # noqa: F811
    reader_id = await make_reader(41)
    slot = await first_free_slot(counsellor)
    booked = await client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor, "starts_at": slot.starts_at.isoformat()}, headers=await token_for(reader_id))
    assert booked.status_code == 201, booked.text
    consultation_id = booked.json()["id"]
    admin = await bearer(client, "admin@libspace.local")
    hours = (await client.get("/api/v1/branches/chekhov/hours")).json()
    weekday = WEEKDAYS[slot.starts_at.astimezone(ZoneInfo("Asia/Yakutsk")).weekday()]
    change = {"weekly": {**hours["weekly"], weekday: []}}
    refused = await client.put("/api/v1/branches/chekhov/hours", json=change, headers=admin)
    assert refused.status_code == 409, refused.text
    listed = [(item["kind"], item["id"]) for item in refused.json()["affected"]]
    assert ("consultation", consultation_id) in listed
    room = (await Consultation.select(Consultation.zone_booking).where(Consultation.id == consultation_id).first())["zone_booking"]
    assert room is None or ("booking", room) not in listed

    done = await client.put("/api/v1/branches/chekhov/hours", json={**change, "on_conflict": "cancel", "reason": "Выходной день"}, headers=admin)
    assert done.status_code == 200, done.text
    row = await Consultation.select(Consultation.status, Consultation.cancel_reason).where(Consultation.id == consultation_id).first()
    assert row == {"status": "cancelled", "cancel_reason": "Выходной день"}
    assert await Outbox.count().where((Outbox.recipient == reader_id) & (Outbox.kind.like("%consultation%"))) >= 1
    if room is not None:
        assert (await Booking.select(Booking.status).where(Booking.id == room).first())["status"] == "cancelled"
