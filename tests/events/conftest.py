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


async def make_readers(count: int, birth_date: date = date(2008, 1, 10), prefix: str = "r", guardian: bool = False) -> list[Principal]:
    """Readers inserted directly (no password hashing), each with a card; quick enough for hundreds."""
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


def wednesday_afternoon(weeks_ahead: int = 1, hour: int = 15) -> datetime:
    """A Wednesday at a local hour when every demo branch is open (not a holiday week)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Yakutsk")
    day = now_utc().astimezone(tz).date() + timedelta(days=3)
    while day.weekday() != 2 or (day.month == 1 and day.day <= 8) or day.day > 24:
        day += timedelta(days=1)
    day += timedelta(weeks=weeks_ahead - 1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz)


async def zone_id(branch_slug: str = "chekhov", name: str = "Читальный зал") -> int:
    """A zone the demo books nothing in."""
    from src.rooms.tables import Zone

    row = await Zone.select(Zone.id).where((Zone.name == name) & (Zone.branch.slug == branch_slug)).first()
    return row["id"]
