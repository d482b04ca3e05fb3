"""A crafted data set with known answers, in a month about 13 months before the clock's today.

Branch A (chekhov), branch B (dialog). Readers: ``teen`` is 14 at event E1 and 15 at event E2 (their birthday
falls between); ``kid`` 10; ``young`` 20; ``adult`` 40 (home branch B, card made long before).

A: E1 reading club (sign-up): teen checked in, adult a no-show, kid a walk-in (signed up by staff after the
   start), young cancelled their sign-up. E2 career workshop: teen checked in, young checked in with 2 seats.
   E3 exhibition without sign-up: head count 20 (5 children, 7 youth). E4 lecture, cancelled.
   Zone bookings by young: 2 h and 1.5 h confirmed, one declined, one cancelled, one staff block.
   A school visit held (25 pupils, 2 adults) and one declined. A consultation held for young (with private notes)
   and one cancelled. A survey by young (top types technology and art).
B: E5 lecture: adult checked in. Outside the month: E6 in A, where teen was checked in.

Rows are inserted directly: the queries are under test, not the services that write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from src.accounts.tables import Account, ReaderCard
from src.branches.tables import Branch
from src.events.tables import Event, EventAttendance, Registration
from src.guidance.tables import Consultation, SurveyResponse
from src.rooms.tables import Booking, Zone
from src.schools.tables import Programme, School, VisitRequest
from src.stats.periods import Period
from tests import dates

EXPECTED_A = {
    "events_held": 3, "events_cancelled": 1, "signups": 6, "checkins": 4, "no_shows": 1, "dropin_visitors": 20,
    "event_visits": 25, "by_age": {"0-14": 7, "15-30": 10, "31+": 8}, "bookings": 2, "booked_hours": 3.5,
    "school_visits": 1, "pupils": 25, "consultations": 1, "surveys": 1, "new_readers": 3, "active_readers": 4,
}
EXPECTED_B = {
    "events_held": 1, "events_cancelled": 0, "signups": 1, "checkins": 1, "no_shows": 0, "dropin_visitors": 0,
    "event_visits": 1, "by_age": {"0-14": 0, "15-30": 0, "31+": 1}, "bookings": 0, "booked_hours": 0.0,
    "school_visits": 0, "pupils": 0, "consultations": 0, "surveys": 0, "new_readers": 0, "active_readers": 1,
}


@dataclass
class Crafted:
    period: Period
    a: int
    b: int
    start: date


def at(on: date, hour: int) -> datetime:
    return dates.at(on, hour)


async def _reader(name: str, born: date, home: int, made: datetime) -> int:
    account = Account(role="reader", email=f"{name}@stats.test", full_name=name, created_at=made, updated_at=made)
    await account.save()
    await ReaderCard(account=account.id, card_number=f"99{account.id:010d}", birth_date=born, home_branch=home, consent_at=made, created_at=made).save()
    return account.id


async def _event(branch: int, on: date, category: str, capacity: int | None, status: str = "scheduled", taken: bool = False, seats: int = 0) -> int:
    starts = at(on, 15)
    event = Event(
        branch=branch, title=f"{category} {on}", category=category, starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=capacity,
        status=status, attendance_taken=taken, seats_taken=seats, created_at=starts - timedelta(days=20), updated_at=starts - timedelta(days=20),
    )
    await event.save()
    return event.id


async def _sign_up(event: int, reader: int, on: date, seats: int = 1, status: str = "confirmed", checked_in: bool = False, by: int | None = None, walk_in: bool = False) -> None:
    starts = at(on, 15)
    made = starts + timedelta(minutes=10) if walk_in else starts - timedelta(days=2)
    await Registration(
        event=event, reader=reader, seats=seats, status=status, ticket_code=f"T{event:05d}{reader:06d}", created_by=by or reader, created_at=made,
        checked_in_at=starts + timedelta(minutes=5) if checked_in else None, cancelled_at=made if status == "cancelled" else None,
    ).save()


async def build() -> Crafted:
    today = dates.today()
    d0 = (today - timedelta(days=400)).replace(day=1)
    period = Period(d0, d0 + relativedelta(months=1) - timedelta(days=1))
    a = (await Branch.select(Branch.id).where(Branch.slug == "chekhov").first())["id"]
    b = (await Branch.select(Branch.id).where(Branch.slug == "dialog").first())["id"]
    staff = (await Account.select(Account.id).where(Account.email == "staff.chekhov@libspace.local").first())["id"]
    counsellor = (await Account.select(Account.id).where(Account.email == "counsellor@libspace.local").first())["id"]
    joined = at(d0 + timedelta(days=1), 12)
    e1_day, e2_day = d0 + timedelta(days=5), d0 + timedelta(days=20)
    teen = await _reader("teen", (d0 + timedelta(days=10)) - relativedelta(years=15), a, joined)
    kid = await _reader("kid", d0 - relativedelta(years=10), a, joined)
    young = await _reader("young", d0 - relativedelta(years=20), a, joined)
    adult = await _reader("adult", d0 - relativedelta(years=40), b, at(d0 - timedelta(days=100), 12))

    e1 = await _event(a, e1_day, "reading_club", 10, taken=True, seats=3)
    await _sign_up(e1, teen, e1_day, checked_in=True)
    await _sign_up(e1, adult, e1_day)
    await _sign_up(e1, kid, e1_day, by=staff, walk_in=True)
    await _sign_up(e1, young, e1_day, status="cancelled")
    e2 = await _event(a, e2_day, "career_workshop", 10, taken=True, seats=3)
    await _sign_up(e2, teen, e2_day, checked_in=True)
    await _sign_up(e2, young, e2_day, seats=2, checked_in=True)
    e3_day = d0 + timedelta(days=10)
    e3 = await _event(a, e3_day, "exhibition", None)
    await EventAttendance(event=e3, total=20, children=5, youth=7, entered_by=staff, entered_at=at(e3_day, 19)).save()
    e4_day = d0 + timedelta(days=12)
    e4 = await _event(a, e4_day, "lecture", 10, status="cancelled")
    await _sign_up(e4, adult, e4_day, status="cancelled")
    e5_day = d0 + timedelta(days=15)
    e5 = await _event(b, e5_day, "lecture", 5, taken=True, seats=1)
    await _sign_up(e5, adult, e5_day, checked_in=True)
    e6_day = d0 - timedelta(days=3)
    e6 = await _event(a, e6_day, "lecture", 5, taken=True, seats=1)
    await _sign_up(e6, teen, e6_day, checked_in=True)

    zone = (await Zone.select(Zone.id).where((Zone.branch == a) & (Zone.name == "Коворкинг")).first())["id"]
    booking_day = d0 + timedelta(days=3)
    for hour, minutes, status, kind in ((10, 120, "confirmed", "reader"), (13, 90, "confirmed", "reader"), (15, 60, "declined", "reader"),
                                        (15, 60, "cancelled", "reader"), (17, 60, "confirmed", "block")):
        starts = at(booking_day, hour)
        ends = starts + timedelta(minutes=minutes)
        await Booking(zone=zone, starts_at=starts, ends_at=ends, blocked_from=starts, blocked_until=ends, status=status, holder_kind=kind,
                      holder=young if kind == "reader" else None, created_at=starts - timedelta(days=3)).save()

    school = (await School.select(School.id).first())["id"]
    programme = (await Programme.select(Programme.id).first())["id"]
    for status, size in (("confirmed", 25), ("declined", 20)):
        starts = at(d0 + timedelta(days=8), 10)
        await VisitRequest(school=school, programme=programme, branch=a, class_name="7А", grade=7, group_size=size, adults=2, status=status,
                           starts_at=starts, ends_at=starts + timedelta(hours=1), created_at=starts - timedelta(days=10), updated_at=starts).save()

    for hour, status in ((11, "booked"), (14, "cancelled")):
        starts = at(d0 + timedelta(days=6), hour)
        await Consultation(counsellor=counsellor, reader=young, branch=a, starts_at=starts, ends_at=starts + timedelta(minutes=45), status=status,
                           private_notes="Никогда не считается", created_at=starts - timedelta(days=2)).save()
    await SurveyResponse(reader=young, answers={}, scores={}, top_types="technology,art", created_at=at(d0 + timedelta(days=4), 12)).save()
    await SurveyResponse(reader=teen, answers={}, scores={}, top_types="people", created_at=at(d0 - timedelta(days=10), 12)).save()
    return Crafted(period=period, a=a, b=b, start=d0)
