"""The demo data loads on any day of the year, and its readers are the ages the README promises."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from src import demo as demo_data
from src.accounts.tables import Account, ReaderCard
from src.timeutil import age_on
from tests import dates

README_AGES = {"reader@libspace.local": 34, "teen@libspace.local": 15, "minor@libspace.local": 10, "student@libspace.local": 19}


def test_demo_birth_dates_give_each_age_on_every_day_of_four_years():
    first = dates.today()
    for offset in range(4 * 366 + 1):  # every day of four years from today, 29 February included
        today = first + timedelta(days=offset)
        for age in README_AGES.values():
            assert age_on(demo_data.demo_birth_date(age, today), today) == age, today


@pytest.mark.parametrize("month_day", [(2, 29), (12, 31), (1, 1), (3, 8)], ids=["29-february", "31-december", "1-january", "8-march"])
async def test_demo_loads_on_awkward_days(database, frozen_clock, month_day):
    year = next(year for year in range(dates.today().year, dates.today().year + 8) if _exists(year, *month_day))
    frozen_clock.move_to(datetime(year, *month_day, 23, 45, tzinfo=dates.CITY))
    await demo_data.load()
    rows = await ReaderCard.select(ReaderCard.birth_date, ReaderCard.account.email.as_alias("email"))
    assert {row["email"]: age_on(row["birth_date"], dates.today()) for row in rows} == README_AGES
    assert await Account.count() > 10


def _exists(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
