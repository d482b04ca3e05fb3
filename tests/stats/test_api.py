"""The statistics API on the crafted data set: JSON, CSV (csv module) and XLSX (openpyxl); who may read what."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.conftest import bearer
from tests.stats import dataset


def _range(crafted) -> dict:
    return {"start": crafted.period.start.isoformat(), "end": crafted.period.end.isoformat()}


async def test_summary_json_for_staff_and_admin(client, demo):
    crafted = await dataset.build()
    staff = await bearer(client, "staff.chekhov@libspace.local")
    answer = await client.get("/api/v1/stats/summary", params=_range(crafted), headers=staff)
    assert answer.status_code == 200, answer.text
    assert answer.json() == dataset.EXPECTED_A  # staff of one branch: their branch by default
    admin = await bearer(client, "admin@libspace.local")
    answer = await client.get("/api/v1/stats/summary", params={**_range(crafted), "branch": ["chekhov", "dialog"]}, headers=admin)
    assert answer.json()["event_visits"] == 26


async def test_who_may_read(client, demo):
    crafted = await dataset.build()
    staff = await bearer(client, "staff.chekhov@libspace.local")
    other = await client.get("/api/v1/stats/summary", params={**_range(crafted), "branch": "dialog"}, headers=staff)
    assert other.status_code == 403
    for path in ("/api/v1/stats/summary", "/api/v1/stats/zones", "/api/v1/stats/annual?year=2025"):
        for login in ("reader@libspace.local", "counsellor@libspace.local", "teacher@libspace.local"):
            assert (await client.get(path, headers=await bearer(client, login))).status_code == 403, (path, login)
        assert (await client.get(path)).status_code == 401
    unknown = await client.get("/api/v1/stats/summary", params={"branch": "nowhere"}, headers=staff)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "branch"
    backwards = await client.get("/api/v1/stats/summary", params={"start": "2026-02-01", "end": "2026-01-01"}, headers=staff)
    assert backwards.status_code == 422


async def test_summary_csv_hides_small_groups(client, demo):
    crafted = await dataset.build()
    staff = await bearer(client, "staff.chekhov@libspace.local")
    answer = await client.get("/api/v1/stats/summary", params={**_range(crafted), "format": "csv"}, headers=staff)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert f"libspace-summary-network-{crafted.period.start}-{crafted.period.end}.csv" in answer.headers["content-disposition"]
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    values = {row[0]: row[1] for row in rows[1:]}
    assert values["Проведено мероприятий"] == "3"  # a count of events is never hidden
    assert values["Неявки"] == "<3" and values["Посещения мероприятий"] == "25"
    chosen = await client.get("/api/v1/stats/summary", params={**_range(crafted), "format": "csv", "branch": "chekhov"}, headers=staff)
    assert "libspace-summary-chekhov-" in chosen.headers["content-disposition"]


async def test_zones_json_and_xlsx(client, demo):
    crafted = await dataset.build()
    staff = await bearer(client, "staff.chekhov@libspace.local")
    answer = await client.get("/api/v1/stats/zones", params=_range(crafted), headers=staff)
    assert answer.status_code == 200, answer.text
    coworking = next(zone for zone in answer.json()["zones"] if zone["zone"] == "Коворкинг")
    assert coworking["bookings"] == 2 and coworking["booked_hours"] == 3.5 and coworking["declines"] == 1 and coworking["cancellations"] == 1
    assert coworking["open_hours"] > 0 and abs(coworking["utilisation"] - 3.5 / coworking["open_hours"]) < 0.001
    xlsx = await client.get("/api/v1/stats/zones", params={**_range(crafted), "format": "xlsx"}, headers=staff)
    assert xlsx.status_code == 200 and ".xlsx" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    line = next(row for row in rows[2:] if row[1] == "Коворкинг")
    assert line[header.index("Забронировано часов")] == 3.5


async def test_annual_report(client, demo):
    crafted = await dataset.build()
    year = crafted.period.start.year
    admin = await bearer(client, "admin@libspace.local")
    answer = await client.get("/api/v1/stats/annual", params={"year": year, "branch": ["chekhov", "dialog"]}, headers=admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [column["number"] for column in body["columns"]][:3] == ["1", "2", "3"]
    chekhov, dialog, both = body["lines"]
    assert chekhov["branch"] == "chekhov" and both["branch"] is None
    # the crafted month is the only activity of these readers that year; the demo's readers are made today
    assert chekhov["values"]["event_visits"] >= 25 and chekhov["values"]["event_visits_children"] >= 7
    assert both["values"]["event_visits"] == chekhov["values"]["event_visits"] + dialog["values"]["event_visits"]
    xlsx = await client.get("/api/v1/stats/annual", params={"year": year, "branch": ["chekhov", "dialog"], "format": "xlsx"}, headers=admin)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 + 3 and rows[1][0] == "Библиотека"
    text = await client.get("/api/v1/stats/annual", params={"year": year, "format": "csv"}, headers=admin)
    lines = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 10 + 1  # header, ten branches, all of them
    assert f"libspace-annual-network-{year}-01-01-{year}-12-31.csv" in text.headers["content-disposition"]
