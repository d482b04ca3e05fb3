"""Shared helpers for the events tests: staff principals, events made through the service, many readers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from src.accounts import service as accounts_service
from src.accounts.permissions import Principal
from src.accounts.tables import Account, ReaderCard
from src.branches.tables import Branch
from src.events import service as events_service
from src.events.service import EventInput
from src.timeutil import now_utc
from tests import dates


async def principal(email: str) -> Principal:
    row = await Account.select(Account.id).where(Account.email == email).first()
    found = await accounts_service.load_principal(row["id"])
    assert found is not None
    return found


@pytest.fixture(autouse=True)
def fresh_catalogue():
    """The anonymous catalogue is cached for two seconds per process; each test starts without it."""
    from src.events import pages

    pages._catalogue_cache.clear()


@pytest.fixture
async def staff(demo) -> Principal:
    return await principal("staff.chekhov@libspace.local")


async def during_opening(frozen_clock, branch_slug: str = "chekhov") -> datetime:
    """Stop the clock an hour after the branch opens on an ordinary open day, with at least three hours of
    opening left: "now + 30 minutes" is then today and inside hours, whatever the real hour (check-in tests)."""
    branch = await dates.branch(branch_slug)
    return frozen_clock.move_to(dates.working_instant(branch.schedule, branch.tz, hours_left=3))


def soon(days: float = 3, hour: int = 16) -> datetime:
    """A start a few days ahead, at a round local hour (UTC+9)."""
    base = (now_utc() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return base.replace(hour=(hour - 9) % 24)


async def new_event(staff: Principal, **overrides) -> int:
    starts = overrides.pop("starts_at", soon())
    values = dict(
        title="Профессия: инженер-программист",
        category="career_workshop",
        branch="chekhov",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=10,
        min_age=14,
        max_age=18,
        waitlist=True,
        profession_types=["technology"],
    )
    values.update(overrides)
    ids = await events_service.create_event(staff, EventInput(**values))
    return ids[0]


async def make_readers(count: int, birth_date: date | None = None, prefix: str = "r", guardian: bool = False) -> list[Principal]:
    """Readers inserted directly (no password hashing), each with a card; quick enough for hundreds. Born so
    that they are 16 (inside the 14-18 of ``new_event``) for months either side of today."""
    birth_date = birth_date or dates.birth_date(16)
    branch = await Branch.select(Branch.id).first()
    now = now_utc()
    accounts = [Account(role="reader", email=f"{prefix}{index}@example.ru", full_name=f"Читатель {prefix}{index}", created_at=now, updated_at=now) for index in range(count)]
    inserted = await Account.insert(*accounts).returning(Account.id)
    ids = [row["id"] for row in inserted]
    await ReaderCard.insert(
        *[
            ReaderCard(account=account_id, card_number=f"77{account_id:010d}", birth_date=birth_date, home_branch=branch["id"], consent_at=now,
                       guardian_consent_at=now if guardian else None, created_at=now)
            for account_id in ids
        ]
    )
    return [await accounts_service.load_principal(account_id) for account_id in ids]


async def wednesday_afternoon(weeks_ahead: int = 1, hour: int = 15) -> datetime:
    """A Wednesday at a local hour in the Chekhov reading hall (``zone_id()``), at least three days ahead, when
    the hall keeps its ordinary hours (no holiday, closure or shortened day) on that Wednesday, the Thursday
    after it, and the Wednesdays a week before and after (the weekly series of the clash tests)."""
    branch = await dates.branch("chekhov")
    hall = next(zone for zone in branch.zones if zone.name == "Читальный зал")
    day = dates.open_day(hall.schedule, 3 + 7 * (weeks_ahead - 1), weekdays=[2], tz=branch.tz)
    while not all(dates.ordinary(hall.schedule, on) for on in (day - timedelta(weeks=1), day + timedelta(weeks=1), day + timedelta(days=1))):
        day = dates.open_day(hall.schedule, (day - dates.today(branch.tz)).days + 1, weekdays=[2], tz=branch.tz)
    return dates.at(day, hour, tz=branch.tz)


async def zone_id(branch_slug: str = "chekhov", name: str = "Читальный зал") -> int:
    """A zone the demo books nothing in."""
    from src.rooms.tables import Zone

    row = await Zone.select(Zone.id).where((Zone.name == name) & (Zone.branch.slug == branch_slug)).first()
    return row["id"]
