"""Readers for the card tests: imported from the old system, with birth dates relative to today."""

from __future__ import annotations

from datetime import date, timedelta

from src.accounts import service, tokens
from src.notifications import service as notifications
from tests import dates


def years_ago(years: int) -> date:
    """A birth date of someone ``years`` old today (and for months either side)."""
    return dates.birth_date(years)


def next_year() -> date:
    """A date that is surely in the future (for "a birth date in the future")."""
    return dates.today() + timedelta(days=400)


async def imported(
    card: str = "100200300",
    name: str = "Пётр Иванов",
    birth: date | None = None,
    email: str | None = "petr@example.ru",
    phone: str | None = "+79140000001",
    branch: str = "centralnaya",
) -> int:
    """One card imported from the old system (no password yet); returns its account id."""
    birth = birth or years_ago(40)
    report = await service.import_readers(
        f"card_number,full_name,birth_date,email,phone,home_branch\n{card},{name},{birth.isoformat()},{email or ''},{phone or ''},{branch}\n"
    )
    assert report.written, report.rejected
    return (await service.find_card(card)).account_id


async def sent(kind: str | None = None) -> list[dict]:
    return await notifications.pending(kind)


async def link_in(row: dict) -> str:
    """The link the message of an outbox row carries, as the worker writes it."""
    path = await tokens.open_path(row["payload"]["token_id"])
    assert path is not None, "the message's link can no longer be used"
    return path


def token_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]
