"""Shared pieces for the school-visit tests: the demo's career-guidance game at the youth library (90 minutes,
grades 8-11, 12-30 pupils, a conference hall, Tuesday to Friday 11:00-17:00, requested a week ahead)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from src.accounts import service as accounts_service
from src.accounts.tables import Account
from src.rooms import service as rooms_service
from src.schools import service as visits
from src.schools.rules import Window
from src.schools.tables import Programme
from tests import dates

CAREER = "Профориентационная игра «Город профессий»"
TOUR = "Экскурсия по библиотеке"


async def principal(email: str):
    account = await Account.select(Account.id).where(Account.email == email).first()
    return await accounts_service.load_principal(account["id"])


async def programme_id(title: str = CAREER) -> int:
    return (await Programme.select(Programme.id).where(Programme.title == title).first())["id"]


async def open_day(branch_slug: str = "chekhov", weekday: int = 1, after_days: int = 8, skip: int = 0, after: date | None = None) -> date:
    """An ordinary open day of the branch (``tests.dates.open_day``: open by its weekly hours, no closure, no
    shortened or moved hours) on ``weekday``, at least ``after_days`` ahead (past the programmes' week of lead
    time at any hour) and after the day ``after`` if given; ``skip`` such days are passed over."""
    branch = await rooms_service.get_branch(branch_slug)
    today = dates.today(branch.tz)
    if after is not None:
        after_days = max(after_days, (after - today).days + 1)
    day = dates.open_day(branch.schedule, after_days, weekdays=[weekday], tz=branch.tz)
    for _ in range(skip):
        day = dates.open_day(branch.schedule, (day - today).days + 1, weekdays=[weekday], tz=branch.tz)
    return day


async def tomorrow(branch_slug: str = "chekhov") -> date:
    """The branch's tomorrow: in the future at any hour, and always inside a programme's lead time."""
    branch = await rooms_service.get_branch(branch_slug)
    return dates.today(branch.tz) + timedelta(days=1)


async def local(day: date, hour: int, minute: int = 0, branch_slug: str = "chekhov") -> datetime:
    branch = await rooms_service.get_branch(branch_slug)
    return datetime.combine(day, time(hour, minute), tzinfo=branch.tz)


async def career_request(teacher, day: date, class_name: str = "8Б", group_size: int = 24, adults: int = 2, **overrides) -> visits.VisitView:
    data = visits.VisitInput(
        programme_id=await programme_id(),
        branch="chekhov",
        windows=[Window(await local(day, 11), await local(day, 15))],
        class_name=class_name,
        grade=int("".join(ch for ch in class_name if ch.isdigit()) or 0),
        group_size=group_size,
        adults=adults,
        needs="",
        note="",
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return await visits.request_visit(teacher, data)


async def hall_id(branch_slug: str = "chekhov", kind: str = "conference_hall") -> int:
    branch = await rooms_service.get_branch(branch_slug)
    return next(zone.id for zone in branch.zones if zone.kind == kind)


@pytest.fixture
async def people(demo):
    return SimpleNamespace(
        teacher=await principal("teacher@libspace.local"),  # school-5
        other_teacher=await principal("teacher.school-14@libspace.local"),
        pending_teacher=await principal("new.teacher@libspace.local"),
        staff=await principal("staff.chekhov@libspace.local"),
        other_staff=await principal("staff.dialog@libspace.local"),
        admin=await principal("admin@libspace.local"),
    )
