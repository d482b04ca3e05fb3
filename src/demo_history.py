"""Demo history: a plausible past year of the network, made through the service functions at past instants
(``clock.at``), so that every statistics dashboard and the annual report have something true to show.

Readers of all ages get their cards month by month (``import_readers``); every branch holds an event with sign-up
every three weeks (readers sign up days before, most are checked in, some do not come, a walk-in or two signs up
at the door, now and then an event is cancelled) and an exhibition without sign-up every other month (staff enter
the head count); readers book zones, take the career survey and see counsellors; classes visit.

Deterministic (a fixed random seed) and idempotent: nothing happens when the history's first reader exists.
Anything the rules refuse at that instant (a zone already taken, a full event) is skipped, as a person would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from src import clock
from src.accounts import service as accounts_service
from src.accounts.tables import Account, ReaderCard
from src.csvsafe import write_csv
from src.events import attendance
from src.events import service as events_service
from src.events.service import EventInput
from src.exceptions import AppError
from src.guidance import availability as guidance_availability
from src.guidance import consultations as guidance_consultations
from src.guidance import service as guidance_service
from src.rooms import bookings
from src.rooms import service as rooms_service
from src.rooms.constants import CONFIRMED, HOLDER_READER, PENDING
from src.schools import service as schools_service
from src.schools.rules import Window
from src.schools.tables import Programme, ProgrammeBranch, School, Teacher

SEED = 2026
READERS = 90
EMAIL = "history.{:03d}@libspace.local"
EVENT_EVERY_DAYS = 21
EXHIBITION_EVERY_MONTHS = 2

# category, title, min age, max age, capacity
EVENT_KINDS = [
    ("career_workshop", "Профессия: {}", 14, 30, 15),
    ("reading_club", "Читательский клуб: {}", None, None, 15),
    ("master_class", "Мастер-класс: {}", 10, None, 12),
    ("lecture", "Лекция: {}", None, None, 30),
    ("local_history", "Краеведческая гостиная: {}", None, None, 25),
    ("family", "Семейная суббота: {}", None, None, 20),
]
TOPICS = ["агроном", "инженер", "врач", "журналист", "программист", "архитектор", "учитель", "эколог", "логист", "дизайнер",
          "Приамурье в старых открытках", "фантастика", "поэзия Серебряного века", "робототехника", "бумажная пластика", "астрономия"]
EXHIBITIONS = ["Амурские зарисовки", "Книжная графика", "Фотолетопись города", "Детский рисунок", "Редкие книги", "Город на двух реках"]


@dataclass
class Made:
    readers: int = 0
    events: int = 0
    sign_ups: int = 0
    check_ins: int = 0
    walk_ins: int = 0
    cancelled: int = 0
    head_counts: int = 0
    bookings: int = 0
    surveys: int = 0
    consultations: int = 0
    visits: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, what: str) -> None:
        self.skipped[what] = self.skipped.get(what, 0) + 1

    def __str__(self) -> str:
        return (f"demo history: {self.readers} readers, {self.events} events ({self.cancelled} cancelled), {self.sign_ups} sign-ups, "
                f"{self.check_ins} check-ins, {self.walk_ins} walk-ins, {self.head_counts} head counts, {self.bookings} bookings, "
                f"{self.surveys} surveys, {self.consultations} consultations, {self.visits} school visits")


def _at(on: date, hour: int, tz, minute: int = 0) -> datetime:
    return datetime.combine(on, time(hour, minute), tzinfo=tz)


def _open_day(schedule, on: date) -> date | None:
    for _ in range(7):
        if schedule.day(on).is_open:
            return on
        on += timedelta(days=1)
    return None


async def _readers(rng: random.Random, first_day: date, branches: list, made: Made) -> list[tuple[int, date, int]]:
    """Readers of every age, their cards made month by month; returns (account id, birth date, home branch id)."""
    ages = [rng.randint(7, 14) for _ in range(READERS * 25 // 100)] + [rng.randint(15, 30) for _ in range(READERS * 35 // 100)]
    ages += [rng.randint(31, 72) for _ in range(READERS - len(ages))]
    rng.shuffle(ages)
    months: dict[int, list] = {}
    for index, age in enumerate(ages):
        month = 0 if index < READERS // 3 else rng.randint(0, 11)  # a third before the year began, then month by month
        born = first_day - relativedelta(years=age) - timedelta(days=rng.randint(0, 364))
        months.setdefault(month, []).append((index, born, rng.choice(branches).slug))
    for month in sorted(months):
        instant = _at(first_day + relativedelta(months=month) + timedelta(days=3), 12, branches[0].tz)
        rows = [[f"2899{SEED % 100:02d}{index:06d}", f"Читатель истории {index:03d}", born.isoformat(), EMAIL.format(index), "", slug]
                for index, born, slug in months[month]]
        with clock.at(instant):
            report = await accounts_service.import_readers(write_csv(accounts_service.IMPORT_HEADER, rows, bom=False), skip_bad=True)
        made.readers += len(report.accepted)
    found = await ReaderCard.select(ReaderCard.account, ReaderCard.birth_date, ReaderCard.home_branch).where(
        ReaderCard.account.email.like("history.%@libspace.local")
    )
    return [(row["account"], row["birth_date"], row["home_branch"]) for row in found]


def _age(born: date, on: date) -> int:
    return relativedelta(on, born).years


async def _event(rng: random.Random, staff, branch, on: date, kind: tuple, readers: list, made: Made) -> None:
    category, title, min_age, max_age, capacity = kind
    starts = _at(on, rng.choice([12, 15, 16, 17]), branch.tz)
    data = EventInput(title=title.format(rng.choice(TOPICS)), category=category, branch=branch.slug, starts_at=starts, ends_at=starts + timedelta(hours=2),
                      capacity=capacity, min_age=min_age, max_age=max_age, waitlist=True, audience="")
    try:
        with clock.at(starts - timedelta(days=14)):
            event_id = (await events_service.create_event(staff, data))[0]
    except AppError:
        made.skip("event")
        return
    made.events += 1
    fits = [r for r in readers if (min_age is None or _age(r[1], on) >= min_age) and (max_age is None or _age(r[1], on) <= max_age)]
    near = [r for r in fits if r[2] == branch.id] + [r for r in fits if r[2] != branch.id and rng.random() < 0.15]
    coming = rng.sample(near, min(len(near), rng.randint(3, max(3, capacity - 3))))
    cards = {}
    for account_id, _born, _home in coming:
        reader = await accounts_service.load_principal(account_id)
        try:
            with clock.at(starts - timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))):
                await events_service.sign_up(reader, event_id, 1)
            cards[account_id] = reader.card_number
            made.sign_ups += 1
        except AppError:
            made.skip("sign-up")
    if rng.random() < 0.04:
        with clock.at(starts - timedelta(days=1)):
            await events_service.cancel_event(staff, event_id, "Болезнь ведущего")
        made.cancelled += 1
        return
    for index, (account_id, card) in enumerate(cards.items()):
        if rng.random() < 0.78:
            try:
                with clock.at(starts + timedelta(minutes=2 + index)):
                    await events_service.check_in(staff, card_number=card, event_id=event_id)
                made.check_ins += 1
            except AppError:
                made.skip("check-in")
    others = [r for r in fits if r[0] not in cards and r[2] == branch.id]
    for account_id, _born, _home in rng.sample(others, min(len(others), rng.choice([0, 0, 1, 2]))):
        card = (await accounts_service.get_card(account_id)).card_number
        try:
            with clock.at(starts + timedelta(minutes=20)):
                await events_service.sign_up(staff, event_id, 1, card_number=card)
            made.walk_ins += 1
        except AppError:
            made.skip("walk-in")


async def _exhibition(rng: random.Random, staff, branch, on: date, made: Made) -> None:
    starts = _at(on, 11, branch.tz)
    data = EventInput(title=f"Выставка «{rng.choice(EXHIBITIONS)}»", category="exhibition", branch=branch.slug, starts_at=starts,
                      ends_at=starts + timedelta(hours=7), capacity=None, audience="вход свободный")
    try:
        with clock.at(starts - timedelta(days=10)):
            event_id = (await events_service.create_event(staff, data))[0]
        made.events += 1
        total = rng.randint(15, 120)
        children = rng.randint(0, total // 3)
        youth = rng.randint(0, (total - children) // 2)
        with clock.at(starts + timedelta(hours=7, minutes=5)):
            await attendance.record(staff, event_id, total, children, youth)
        made.head_counts += 1
    except AppError:
        made.skip("exhibition")


async def _bookings(rng: random.Random, branch, on: date, readers: list, made: Made) -> None:
    zones = [zone for zone in branch.zones if zone.bookable_by_readers]
    local = [r for r in readers if r[2] == branch.id and _age(r[1], on) >= 14]
    if not zones or not local:
        return
    for _ in range(rng.randint(1, 4)):
        zone = rng.choice(zones)
        day = _open_day(zone.schedule, on + timedelta(days=rng.randint(0, 6)))
        if day is None:
            continue
        starts = _at(day, rng.choice([10, 11, 13, 14, 15, 16, 17]), branch.tz)
        holder = rng.choice(local)[0]
        reservation = bookings.Reservation(
            zone_id=zone.id, starts_at=starts, ends_at=starts + timedelta(hours=rng.choice([1, 1, 2, 2, 3])), holder_kind=HOLDER_READER,
            holder_id=holder, purpose=rng.choice(["Подготовка к экзаменам", "Встреча проектной команды", "Репетиция", "Настольные игры"]),
            headcount=rng.randint(1, max(1, min(zone.capacity, 6))), actor_id=holder, status=PENDING if zone.requires_approval else CONFIRMED,
        )
        try:
            with clock.at(starts - timedelta(days=rng.randint(1, 5))):
                await bookings.reserve(reservation)
            made.bookings += 1
        except AppError:
            made.skip("booking")


def _answers(rng: random.Random) -> dict[str, str]:
    return {**{f"c{i:02d}": rng.choice("ab") for i in range(1, 21)}, **{f"r{i:02d}": str(rng.randint(0, 4)) for i in range(1, 6)}}


async def _guidance(rng: random.Random, week: date, readers: list, counsellors: list[int], tz, made: Made) -> None:
    youth = [r for r in readers if 13 <= _age(r[1], week) <= 25]
    for account_id, _born, _home in rng.sample(youth, min(len(youth), rng.randint(0, 3))):
        reader = await accounts_service.load_principal(account_id)
        with clock.at(_at(week + timedelta(days=rng.randint(0, 6)), rng.randint(10, 20), tz)):
            await guidance_service.save_response(reader, _answers(rng))
        made.surveys += 1
    for counsellor_id in counsellors:
        if rng.random() < 0.5:
            continue
        booked_at = _at(week, 9, tz)
        with clock.at(booked_at):
            free = await guidance_availability.slots(week + timedelta(days=1), week + timedelta(days=7), None, counsellor_id)
        if not free or not youth:
            continue
        slot = rng.choice(free)
        reader = await accounts_service.load_principal(rng.choice(youth)[0])
        try:
            with clock.at(booked_at):
                await guidance_consultations.book(reader, counsellor_id, slot.starts_at, "Выбор профессии")
            made.consultations += 1
        except AppError:
            made.skip("consultation")


async def _visit(rng: random.Random, staff_of, on: date, made: Made) -> None:
    offered = await ProgrammeBranch.select(ProgrammeBranch.programme, ProgrammeBranch.branch.slug).where(ProgrammeBranch.programme.is_active == True)  # noqa: E712
    teachers = await Teacher.select(Teacher.account, Teacher.school).where(Teacher.status == "approved")
    if not offered or not teachers:
        return
    choice = rng.choice(offered)
    programme = await Programme.select(Programme.grade_min, Programme.grade_max, Programme.group_min, Programme.group_max, Programme.lead_days).where(
        Programme.id == choice["programme"]).first()
    branch = await rooms_service.get_branch(choice["branch.slug"])
    teacher = rng.choice(teachers)
    day = _open_day(branch.schedule, on)
    if day is None or not await School.exists().where(School.id == teacher["school"]):
        return
    windows = [Window(_at(day + timedelta(days=d), 9, branch.tz), _at(day + timedelta(days=d), 17, branch.tz)) for d in (0, 1, 2)]
    grade = rng.randint(programme["grade_min"], programme["grade_max"])
    data = schools_service.VisitInput(programme_id=choice["programme"], branch=branch.slug, windows=windows, class_name=f"{grade}{rng.choice('АБВ')}", grade=grade,
                                      group_size=rng.randint(programme["group_min"], programme["group_max"]), adults=rng.randint(1, 2))
    principal = await accounts_service.load_principal(teacher["account"])
    staff = staff_of[branch.slug]
    try:
        with clock.at(_at(day, 10, branch.tz) - timedelta(days=programme["lead_days"] + 7)):
            visit = await schools_service.request_visit(principal, data)
            found = await schools_service.suggest_for(visit)
            inside = [s for s in found if s.window is not None]
            if not inside or rng.random() < 0.1:
                await schools_service.decline(staff, visit.id, "В эти дни зал занят")
            else:
                await schools_service.confirm(staff, visit.id, inside[0].zone_id, inside[0].starts_at)
                made.visits += 1
    except AppError:
        made.skip("visit")


async def load(today: date, days: int = 365) -> str:
    """The year (``days``) before ``today`` (the city's date); idempotent."""
    if await Account.exists().where(Account.email == EMAIL.format(0)):
        return "demo history: already loaded"
    rng = random.Random(SEED)
    branches = list(await rooms_service.list_branches())
    first_day = today - timedelta(days=days)
    last_day = today - timedelta(days=2)
    made = Made()
    readers = await _readers(rng, first_day, branches, made)
    staff_of = {}
    for branch in branches:
        row = await Account.select(Account.id).where(Account.email == f"staff.{branch.slug}@libspace.local").first()
        staff_of[branch.slug] = await accounts_service.load_principal(row["id"]) if row else None
    counsellors = [row["id"] for row in await Account.select(Account.id).where(Account.role == "counsellor")]
    tz = branches[0].tz
    for offset, branch in enumerate(branches):
        staff = staff_of[branch.slug]
        if staff is None:
            continue
        on = first_day + timedelta(days=offset * 2 + 7)
        while on < last_day:
            day = _open_day(branch.schedule, on)
            if day is not None and day < last_day:
                await _event(rng, staff, branch, day, rng.choice(EVENT_KINDS), readers, made)
            on += timedelta(days=EVENT_EVERY_DAYS)
        month = first_day.replace(day=1) + relativedelta(months=1)
        while month < last_day:
            day = _open_day(branch.schedule, month + timedelta(days=offset + 3))
            if day is not None and day < last_day and (month.month + offset) % EXHIBITION_EVERY_MONTHS == 0:
                await _exhibition(rng, staff, branch, day, made)
            month += relativedelta(months=1)
    week = first_day + timedelta(days=10)
    while week < last_day - timedelta(days=8):
        for branch in branches:
            if rng.random() < 0.6:
                await _bookings(rng, branch, week, readers, made)
        await _guidance(rng, week, readers, counsellors, tz, made)
        if rng.random() < 0.8:
            await _visit(rng, staff_of, week + timedelta(days=3), made)
        week += timedelta(days=7)
    return str(made)
