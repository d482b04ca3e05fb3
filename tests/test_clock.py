"""The one clock: src/ reads time only through src.clock; tests move it in-process, and the servers, commands
and workers they start follow."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from src import clock
from tests import dates
from tests.support import ROOT, libspace_env, running_server
from tests.timetravel import parse_instant, real_now

UTC = timezone.utc
SRC = ROOT / "src"
# reading the system clock anywhere but src/clock.py would escape clock.at() (the "as of" override)
SYSTEM_CLOCK = re.compile(r"\b(datetime\.now|datetime\.utcnow|date\.today|datetime\.today|time\.time|time\.time_ns)\(")
SQL_NOW = re.compile(r"(?<![\w.])(now\(\)|CURRENT_TIMESTAMP|CURRENT_DATE|LOCALTIMESTAMP|datetime\('now'\))", re.IGNORECASE)


def _sources() -> list[Path]:
    return [path for path in SRC.rglob("*.py") if "piccolo_migrations" not in path.parts and path != SRC / "clock.py"]


def test_src_reads_the_time_only_through_the_clock():
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}" for path in _sources() for number, line in enumerate(path.read_text().splitlines(), 1) if SYSTEM_CLOCK.search(line)]
    assert not offenders, "use src.clock.now() / clock.today(tz) instead of the system clock:\n" + "\n".join(offenders)


def test_src_never_asks_the_database_for_the_time():
    """PostgreSQL's now() runs on the server's real clock, not the test clock (nor clock.at())."""
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}" for path in [*_sources(), *SRC.rglob("*.sql")] for number, line in enumerate(path.read_text().splitlines(), 1) if SQL_NOW.search(line)]
    assert not offenders, "pass clock.now() as a parameter instead of SQL-side time:\n" + "\n".join(offenders)


def test_at_stands_still_nests_and_stays_in_its_context():
    past = datetime(2020, 2, 29, 12, tzinfo=UTC)
    with clock.at(past):
        assert clock.now() == past and clock.today("Asia/Yakutsk") == date(2020, 2, 29)
        with clock.at(past + timedelta(days=1)):
            assert clock.now() == past + timedelta(days=1)
        assert clock.now() == past
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
    with pytest.raises(ValueError):
        with clock.at(datetime(2020, 1, 1)):
            pass


async def test_at_covers_tasks_started_inside_and_no_other():
    instant = dates.now() - timedelta(days=200)
    seen: dict[str, datetime] = {}
    started = asyncio.Event()
    release = asyncio.Event()

    async def outside() -> None:
        started.set()
        await release.wait()
        seen["outside"] = clock.now()

    async def inside() -> datetime:
        await asyncio.sleep(0)
        return clock.now()

    other = asyncio.create_task(outside())
    await started.wait()
    with clock.at(instant):
        seen["inside"] = await asyncio.create_task(inside())
        release.set()
        await other
    assert seen["inside"] == instant
    assert seen["outside"] - instant > timedelta(days=199)


def test_frozen_clock_moves_only_when_told(frozen_clock):
    start = frozen_clock.now()
    assert dates.now() == start == clock.now()
    assert frozen_clock.advance(hours=22) == start + timedelta(hours=22) == clock.now()
    target = datetime(2028, 2, 29, 23, 45, tzinfo=dates.CITY)
    frozen_clock.move_to(target)
    assert clock.today("Asia/Yakutsk") == date(2028, 2, 29) and clock.today("UTC") == date(2028, 2, 29)


def test_the_instant_must_have_an_offset():
    assert parse_instant("2026-12-08T23:45:00+09:00") == datetime(2026, 12, 8, 14, 45, tzinfo=UTC)
    assert parse_instant("2026-12-31T14:30:00Z") == datetime(2026, 12, 31, 14, 30, tzinfo=UTC)
    with pytest.raises(SystemExit, match="offset"):
        parse_instant("2026-12-08T23:45:00")


def test_a_command_runs_on_the_tests_clock(frozen_clock):
    target = frozen_clock.move_to(real_now() + timedelta(days=400, hours=5))
    out = subprocess.run([sys.executable, "-c", "from src import clock; print(clock.now().isoformat())"], cwd=ROOT, env=libspace_env(), capture_output=True, text=True, timeout=60, check=True)
    seen = datetime.fromisoformat(out.stdout.strip())
    assert timedelta(0) <= seen - target < timedelta(seconds=30)


async def test_server_workers_run_on_the_tests_clock(demo, frozen_clock):
    """``libspace serve --workers 2``: both granian workers answer "now" on the test's clock."""
    target = frozen_clock.move_to(real_now() - timedelta(days=333, hours=7))
    zone = (await dates.branch("centralnaya")).zones[0]
    async with running_server(workers=2) as base_url, httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        answers = [await client.get(f"/api/v1/zones/{zone.id}/availability") for _ in range(8)]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        seen = datetime.fromisoformat(answer.json()["start"])
        assert timedelta(0) <= seen - target < timedelta(seconds=60), (seen, target)


def test_birth_dates_keep_their_age_whatever_the_day(frozen_clock):
    from src.timeutil import age_on

    for instant in (datetime(2028, 2, 29, 12, tzinfo=dates.CITY), datetime(2026, 12, 31, 23, 30, tzinfo=dates.CITY), datetime(2027, 1, 1, 0, 5, tzinfo=dates.CITY)):
        frozen_clock.move_to(instant)
        for age in (0, 9, 13, 14, 17, 18, 34):
            born = dates.birth_date(age)
            assert age_on(born, dates.today()) == age
            assert age_on(born, dates.today() + timedelta(days=90)) == age
        assert age_on(dates.birth_date(14, on=dates.today() + timedelta(days=30)), dates.today() + timedelta(days=30)) == 14
