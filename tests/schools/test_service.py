"""The visit lifecycle through the service: every status, the zone booking made with it, the history and the
outbox; the rules enforced with the field at fault."""

from datetime import timedelta

import pytest

from src.exceptions import Conflict, Forbidden, Invalid
from src.notifications.service import pending
from src.rooms.constants import CANCELLED as BOOKING_CANCELLED
from src.rooms.constants import CONFIRMED as BOOKING_CONFIRMED
from src.rooms.tables import Booking
from src.schools import service as visits
from src.schools.rules import Window
from tests.schools.conftest import TOUR, career_request, hall_id, local, open_day, programme_id, tomorrow


def fields(error) -> list[str]:
    return [item.field for item in error.value.errors]


async def booking_of(visit) -> dict:
    return await Booking.select().where(Booking.id == visit.booking_id).first()


async def test_request_records_history_and_tells_the_branch(people):
    day = await open_day()
    visit = await career_request(people.teacher, day, class_name="8 «б»")
    assert visit.status == "requested" and visit.class_name == "8Б" and visit.school_slug == "school-5"
    assert visit.windows == (Window(await local(day, 11), await local(day, 15)),)
    assert [(h.from_status, h.to_status) for h in visit.history] == [("", "requested")]
    sent = [row for row in await pending("visit.requested") if row["payload"]["visit_id"] == visit.id]
    assert [row["recipient"] for row in sent] == [people.staff.id]  # the staff of the branch, nobody else
    assert sent[0]["payload"]["path"] == f"/schools/visits/{visit.id}"


async def test_confirm_books_the_zone_then_cancel_frees_it(people):
    day = await open_day()
    visit = await career_request(people.teacher, day)
    hall = await hall_id()
    confirmed = await visits.confirm(people.staff, visit.id, hall, await local(day, 12))
    assert confirmed.status == "confirmed" and confirmed.zone_id == hall
    assert confirmed.starts_at == await local(day, 12) and confirmed.ends_at == await local(day, 13, 30)
    booking = await booking_of(confirmed)
    assert (booking["holder_kind"], booking["holder_ref"], booking["status"], booking["headcount"]) == ("visit", visit.id, BOOKING_CONFIRMED, 26)
    with pytest.raises(Conflict):
        await visits.confirm(people.staff, visit.id, hall, await local(day, 12))
    cancelled = await visits.cancel(people.teacher, visit.id, "Карантин в классе")
    assert cancelled.status == "cancelled" and (await Booking.select(Booking.status).where(Booking.id == booking["id"]).first())["status"] == BOOKING_CANCELLED
    with pytest.raises(Conflict):
        await visits.confirm(people.staff, visit.id, hall, await local(day, 12))
    assert [h.to_status for h in cancelled.history] == ["requested", "confirmed", "cancelled"]
    kinds = [row["kind"] for row in await pending() if row["payload"].get("visit_id") == visit.id]
    assert kinds == ["visit.requested", "visit.received", "visit.confirmed", "visit.cancelled"]


async def test_propose_then_accept(people):
    day = await open_day()
    visit = await career_request(people.teacher, day)
    later = await open_day(weekday=2)
    proposed = await visits.propose(people.staff, visit.id, await local(later, 14), note="Во вторник зал занят")
    assert proposed.status == "proposed" and proposed.zone_id == await hall_id()  # the only suitable zone, chosen for us
    assert (await booking_of(proposed))["status"] == BOOKING_CONFIRMED  # held while the school decides
    with pytest.raises(Forbidden):
        await visits.accept(people.staff, visit.id)  # the school answers, not the library
    accepted = await visits.accept(people.teacher, visit.id)
    assert accepted.status == "confirmed" and accepted.booking_id == proposed.booking_id
    assert accepted.history[-2].note == "Во вторник зал занят"
    with pytest.raises(Conflict):
        await visits.accept(people.teacher, visit.id)


async def test_school_declines_a_proposal_and_the_zone_is_freed(people):
    day = await open_day()
    visit = await career_request(people.teacher, day)
    proposed = await visits.propose(people.staff, visit.id, await local(day, 16) - timedelta(hours=1), zone_id=await hall_id())
    declined = await visits.decline(people.teacher, visit.id)
    assert declined.status == "declined" and declined.zone_id is None and declined.booking_id is None
    assert (await Booking.select(Booking.status).where(Booking.id == proposed.booking_id).first())["status"] == BOOKING_CANCELLED
    assert [row["recipient"] for row in await pending("visit.declined")] == [people.staff.id]


async def test_staff_decline_needs_a_reason_and_is_final(people):
    visit = await career_request(people.teacher, await open_day())
    with pytest.raises(Invalid) as error:
        await visits.decline(people.staff, visit.id, "  ")
    assert fields(error) == ["reason"]
    declined = await visits.decline(people.staff, visit.id, "Зал на ремонте")
    assert declined.status == "declined" and declined.decline_reason == "Зал на ремонте"
    assert [row["recipient"] for row in await pending("visit.declined")] == [people.teacher.id]
    for action in (visits.cancel(people.teacher, visit.id), visits.propose(people.staff, visit.id, await local(await open_day(), 12))):
        with pytest.raises(Conflict):
            await action


async def test_school_cannot_decline_its_own_request_it_cancels_it(people):
    visit = await career_request(people.teacher, await open_day())
    with pytest.raises(Conflict):
        await visits.decline(people.teacher, visit.id)
    assert (await visits.cancel(people.teacher, visit.id)).status == "cancelled"


async def test_only_the_school_and_the_branch_see_and_act(people):
    visit = await career_request(people.teacher, await open_day())
    with pytest.raises(Forbidden):
        await visits.get_visit(people.other_teacher, visit.id)
    with pytest.raises(Forbidden):
        await visits.cancel(people.other_teacher, visit.id)
    with pytest.raises(Forbidden):
        await visits.confirm(people.other_staff, visit.id, await hall_id(), await local(await open_day(), 12))
    with pytest.raises(Forbidden):
        await visits.confirm(people.teacher, visit.id, await hall_id(), await local(await open_day(), 12))
    assert (await visits.get_visit(people.admin, visit.id)).id == visit.id
    mine, total = await visits.list_visits(people.teacher, visits.VisitQuery(), 50, 0)
    assert visit.id in {v.id for v in mine} and all(v.school_slug == "school-5" for v in mine) and total == len(mine)
    theirs, _total = await visits.list_visits(people.other_staff, visits.VisitQuery(), 50, 0)
    assert visit.id not in {v.id for v in theirs} and all(v.branch_slug == "dialog" for v in theirs)


async def test_confirm_checks_zone_time_and_windows(people):
    day = await open_day()
    visit = await career_request(people.teacher, day)
    hall = await hall_id()
    other_branch_zone = await hall_id("dialog")
    reading = await hall_id("chekhov", "reading_hall")
    cases = [
        ((other_branch_zone, await local(day, 12)), "zone_id"),  # not this branch
        ((reading, await local(day, 12)), "zone_id"),  # not a kind the programme uses
        ((hall, await local(day, 16)), "starts_at"),  # the programme ends by 17:00
        ((hall, await local(day, 14)), "starts_at"),  # runs past the school's window (until 15:00)
        ((hall, await local(day, 12, 10)), "starts_at"),  # off the zone's 30-minute grid
        ((hall, await local(day - timedelta(days=14), 12)), "starts_at"),  # in the past
    ]
    for (zone_id, starts_at), field in cases:
        with pytest.raises(Invalid) as error:
            await visits.confirm(people.staff, visit.id, zone_id, starts_at)
        assert fields(error) == [field], (zone_id, starts_at)
    assert (await visits.get_visit(people.staff, visit.id)).status == "requested"
    assert await Booking.count().where(Booking.holder_ref == visit.id) == 0


async def test_a_clash_is_409_and_changes_nothing(people):
    day = await open_day()
    first = await career_request(people.teacher, day, class_name="8А")
    second = await career_request(people.teacher, day, class_name="9А")
    hall = await hall_id()
    await visits.confirm(people.staff, first.id, hall, await local(day, 11))
    with pytest.raises(Conflict) as clash:
        await visits.confirm(people.staff, second.id, hall, await local(day, 12, 30))  # 11:00-12:30 plus 15 minutes of clean-up
    assert clash.value.extra["conflicts"]
    after = await visits.get_visit(people.staff, second.id)
    assert after.status == "requested" and after.booking_id is None and len(after.history) == 1
    assert (await visits.confirm(people.staff, second.id, hall, await local(day, 13))).status == "confirmed"


async def test_request_rules_name_the_field(people):
    day, soon = await open_day(), await tomorrow()
    cases = [
        (dict(group_size=0), "group_size"),
        (dict(group_size=31), "group_size"),
        (dict(adults=0), "adults"),
        (dict(class_name="7А"), "grade"),  # grade 7 is below the programme's 8
        (dict(class_name="8А", grade=9), "class_name"),
        (dict(windows=[]), "windows"),
        (dict(windows=[Window(await local(day, 18), await local(day, 20))]), "windows"),  # closed at 20:00, programme until 17:00
        (dict(windows=[Window(await local(soon, 11), await local(soon, 15))]), "windows[0].starts_at"),  # inside the week of lead time
        (dict(branch="dialog"), None),  # dialog offers it too: fine
        (dict(branch="solnechnaya"), "branch"),
        (dict(programme_id=999999), "programme_id"),
    ]
    for overrides, field in cases:
        if field is None:
            assert (await career_request(people.teacher, day, **overrides)).status == "requested"
            continue
        with pytest.raises(Invalid) as error:
            await career_request(people.teacher, day, **overrides)
        assert field in fields(error), (overrides, fields(error))


async def test_the_class_must_fit_the_largest_suitable_zone(people):
    day = await open_day("stanyukovich", weekday=2)  # its reading hall holds 15
    tour = visits.VisitInput(
        programme_id=await programme_id(TOUR), branch="stanyukovich", windows=[Window(await local(day, 10), await local(day, 13))],
        class_name="3В", grade=3, group_size=13, adults=2,
    )
    assert (await visits.request_visit(people.teacher, tour)).status == "requested"
    tour.group_size = 14
    with pytest.raises(Invalid) as error:
        await visits.request_visit(people.teacher, tour)
    assert fields(error) == ["group_size"] and "15" in error.value.errors[0].message


async def test_pending_teachers_and_others_cannot_request(people):
    with pytest.raises(Forbidden):
        await career_request(people.pending_teacher, await open_day())
    with pytest.raises(Forbidden):
        await career_request(people.staff, await open_day())


async def test_suggestions_follow_the_bookings(people):
    day = await open_day()
    first = await career_request(people.teacher, day, class_name="8А")
    second = await career_request(people.teacher, day, class_name="9А")
    _branch, found = await visits.suggestions(people.staff, second.id)
    assert (found[0].starts_at, found[0].window) == (await local(day, 11), 0)
    await visits.confirm(people.staff, first.id, found[0].zone_id, found[0].starts_at)
    _branch, found = await visits.suggestions(people.staff, second.id)
    # 11:00-12:30 is taken, plus the hall's 15-minute clean-up: the next start on its grid is 13:00
    assert (found[0].starts_at, found[0].window) == (await local(day, 13), 0)
    with pytest.raises(Forbidden):
        await visits.suggestions(people.teacher, second.id)
