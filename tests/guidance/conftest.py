"""Guidance test helpers: readers and a counsellor made straight in the tables (no password hashing)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from src.accounts import service as accounts_service
from src.accounts.tables import Account, ReaderCard
from src.branches.tables import Branch
from src.demo import card_for
from src.guidance import availability as guidance_availability
from src.timeutil import now_utc
from tests import dates


async def make_reader(seed: int, birth_date: date | None = None, branch_slug: str = "chekhov", name: str = "") -> int:
    now = now_utc()
    account = Account(role="reader", email=f"r{seed}@test.local", full_name=name or f"Читатель {seed}", password_hash="", created_at=now, updated_at=now)
    await account.save()
    branch = await Branch.select(Branch.id).where(Branch.slug == branch_slug).first()
    await ReaderCard.insert(
        ReaderCard(account=account.id, card_number=card_for(str(5000 + seed)), birth_date=birth_date or dates.birth_date(16), home_branch=branch["id"], consent_at=now, created_at=now)
    )
    return account.id


async def principal(account_id: int):
    return await accounts_service.load_principal(account_id)


async def token_for(account_id: int) -> dict[str, str]:
    token, _expires = await accounts_service.issue_token(await principal(account_id))
    return {"Authorization": f"Bearer {token}"}


async def make_counsellor(email: str = "c.test@test.local", name: str = "Консультант Тестовый") -> int:
    now = now_utc()
    account = Account(role="counsellor", email=email, full_name=name, password_hash="", created_at=now, updated_at=now)
    await account.save()
    return account.id


async def open_every_day(counsellor_id: int, branch: str = "chekhov", starts: time = time(12), ends: time = time(18), slot: int = 45, buffer: int = 15) -> None:
    """The counsellor receives at the branch every day it is open (chekhov: Monday to Saturday)."""
    actor = await principal(counsellor_id)
    weekdays = {row.weekday for row in (await dates.branch(branch)).schedule.weekly}  # a counsellor receives only when the branch is open
    for weekday in sorted(weekdays):
        await guidance_availability.add_window(actor, counsellor_id, guidance_availability.WindowInput(branch, weekday, starts, ends, slot, buffer))


async def first_free_slot(counsellor_id: int, skip: int = 0):
    today = dates.today()
    found = await guidance_availability.slots(today, today + timedelta(days=20), None, counsellor_id)
    far = [s for s in found if s.starts_at > now_utc() + timedelta(days=2)]  # clear of the cancellation cut-off
    return far[skip]


@pytest.fixture
async def counsellor(demo) -> int:
    counsellor_id = await make_counsellor()
    await open_every_day(counsellor_id)
    return counsellor_id
