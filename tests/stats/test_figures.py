"""The figures on the crafted data set (tests/stats/dataset.py), whose answers are known, on this run's engine."""

from __future__ import annotations

from src.accounts.permissions import Principal
from src.stats import service
from tests.stats import dataset


def admin() -> Principal:
    return Principal(id=10**6, role="admin", full_name="admin")


async def test_summary_of_one_branch_and_the_network(demo):
    crafted = await dataset.build()
    _scope, figures = await service.summary(admin(), ["chekhov"], crafted.period)
    assert figures == dataset.EXPECTED_A
    _scope, figures = await service.summary(admin(), ["dialog"], crafted.period)
    assert figures == dataset.EXPECTED_B
    _scope, network = await service.summary(admin(), [], crafted.period)
    assert network["event_visits"] == 26 and network["by_age"] == {"0-14": 7, "15-30": 10, "31+": 9}
    assert network["active_readers"] == 4 and network["checkins"] == 5 and network["events_held"] == 4
