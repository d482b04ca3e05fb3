"""`libspace release-unconfirmed` as the scheduler runs it, and the demo events loaded twice."""

from datetime import timedelta

from src.events.tables import Event, Registration
from src.timeutil import now_utc
from tests.events.conftest import make_readers, new_event
from tests.test_cli import libspace


async def test_release_unconfirmed_runs_and_is_idempotent(staff):
    event_id = await new_event(staff, capacity=1, confirm_hours_before=2, starts_at=now_utc() + timedelta(hours=3))
    first, second = await make_readers(2)
    from src.events import service as events_service

    await events_service.sign_up(first, event_id)
    await events_service.sign_up(second, event_id)
    await Event.update({Event.confirm_hours_before: 4}).where(Event.id == event_id)  # the deadline has passed now
    ran = libspace("release-unconfirmed")
    assert ran.returncode == 0 and "released 1" in ran.stdout, ran.stderr
    assert libspace("release-unconfirmed").stdout.startswith("released 0")
    statuses = {row["reader"]: row["status"] for row in await Registration.select(Registration.reader, Registration.status)}
    assert statuses == {first.id: "cancelled", second.id: "confirmed"}


async def test_demo_events_are_idempotent(demo_events):
    assert libspace("demo").returncode == 0  # the whole demo once: it adds what the fixtures leave out (guidance's past workshop)
    events, sign_ups = await Event.count(), await Registration.count()
    assert events >= 13 and sign_ups >= 7
    assert libspace("demo").returncode == 0
    assert (await Event.count(), await Registration.count()) == (events, sign_ups)
    waiting = await Registration.count().where(Registration.status == "waitlisted")
    assert waiting >= 1
