"""Dashboards through the HTTP app: each renders with a chart and its table; downloads carry the filters."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import post_form
from tests.stats import dataset


async def _login(client, email: str) -> None:
    answer = await post_form(client, "/login", {"login": email, "password": "libspace-demo"})
    assert answer.status_code in (200, 303)


@pytest.mark.parametrize("slug", ["", "/events", "/zones", "/schools", "/guidance", "/readers"])
async def test_every_dashboard_renders_charts_and_tables(client, demo, slug):
    crafted = await dataset.build()
    await _login(client, "staff.chekhov@libspace.local")
    params = {"start": crafted.period.start.isoformat(), "end": crafted.period.end.isoformat()}
    answer = await client.get(f"/staff/stats{slug}", params=params)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/html")
    assert "<svg" in answer.text and "<table" in answer.text and "format=xlsx" in answer.text
    if slug == "/events":
        assert 'data-testid="stats-table-events-by-category"' in answer.text


async def test_default_period_and_downloads(client, demo):
    crafted = await dataset.build()
    await _login(client, "staff.chekhov@libspace.local")
    assert (await client.get("/staff/stats")).status_code == 200  # this month by default
    params = {"start": crafted.period.start.isoformat(), "end": crafted.period.end.isoformat(), "table": "events-by-category", "branch": "chekhov"}
    answer = await client.get("/staff/stats/events/download", params={**params, "format": "csv"})
    assert answer.status_code == 200
    assert f"libspace-events-by-category-chekhov-{crafted.period.start}-{crafted.period.end}.csv" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    club = next(row for row in rows if row[0] == "Читательский клуб")
    assert "<3" in club  # one check-in, one walk-in, one no-show: small groups hidden in the file
    answer = await client.get("/staff/stats/events/download", params={**params, "format": "xlsx", "table": "events-by-age"})
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == [7, 10, 8]
    other = await client.get("/staff/stats/events", params={"branch": "dialog"})
    assert other.status_code == 403
    annual = await client.get("/staff/stats/annual/report", params={"year": crafted.period.start.year, "format": "xlsx"})
    assert annual.status_code == 200 and "libspace-annual-network-" in annual.headers["content-disposition"]


async def test_readers_see_no_statistics(client, demo):
    await _login(client, "reader@libspace.local")
    assert (await client.get("/staff/stats")).status_code == 403
