"""The director, in headless Chromium against a real server: opens the statistics, changes the range, reads the
figures beside their chart, prints the page on A4 and downloads the annual report."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.stats import dataset
from tests.support import browser_page, running_server

pytestmark = pytest.mark.browser


async def test_director_changes_the_range_and_downloads_the_annual_report(demo):
    crafted = await dataset.build()
    async with running_server() as base_url, browser_page() as page:
        await page.goto(f"{base_url}/login")
        await page.get_by_label("Номер карты или e-mail").fill("admin@libspace.local")
        await page.get_by_label(re.compile("^Пароль")).fill("libspace-demo")
        await page.get_by_role("button", name="Войти").click()
        await page.goto(f"{base_url}/staff")
        await page.get_by_role("link", name="Панели показателей и годовой отчёт").click()
        await page.get_by_role("heading", name="Статистика", exact=True).wait_for()
        assert await page.locator("svg.chart").count() >= 1
        await page.get_by_label("С", exact=True).fill(crafted.period.start.isoformat())
        await page.get_by_label("По (включительно)").fill(crafted.period.end.isoformat())
        await page.get_by_role("button", name="Показать").click()
        assert f"start={crafted.period.start.isoformat()}" in page.url
        table = page.get_by_test_id("stats-table-summary")
        visits = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Посещения мероприятий", exact=True))
        assert (await visits.get_by_role("cell").first.inner_text()).strip() == "26"
        await page.get_by_role("link", name="Мероприятия и посетители").click()
        await page.get_by_test_id("stats-table-events-by-category").wait_for()
        assert f"start={crafted.period.start.isoformat()}" in page.url  # the range stays when moving between dashboards
        await page.screenshot(path="var/screenshot-stats-events.png", full_page=True)
        await page.emulate_media(media="print")
        pdf = await page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        await page.emulate_media(media="screen")
        await page.get_by_role("link", name="Обзор").click()
        await page.get_by_label("Год", exact=True).fill(str(crafted.period.start.year))
        async with page.expect_download() as waiting:
            await page.get_by_role("button", name="Скачать годовой отчёт").click()
        download = await waiting.value
        assert download.suggested_filename == f"libspace-annual-network-{crafted.period.start.year}-01-01-{crafted.period.start.year}-12-31.xlsx"
        sheet = load_workbook(io.BytesIO(open(await download.path(), "rb").read())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][0] == "Библиотека" and len(rows) == 2 + 10 + 1
