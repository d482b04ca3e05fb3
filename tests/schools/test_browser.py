"""A Playwright journey on a real server: a teacher requests a visit from the catalogue, staff confirm it from
their queue with a suggested zone and time, and the teacher sees it confirmed with that zone and time."""

import re

import pytest

from tests.schools.conftest import open_day
from tests.support import browser_page, log_out, require_browser, running_server

pytestmark = pytest.mark.browser


async def log_in(page, base_url: str, login: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.fill("#f-login", login)
    await page.fill("#f-password", "libspace-demo")
    await page.click("main button[type=submit]")
    await page.wait_for_load_state()


async def test_teacher_requests_staff_confirm_teacher_sees_it(demo):
    require_browser()
    day = await open_day()
    async with running_server() as base_url, browser_page(viewport={"width": 390, "height": 844}) as page:
        # The teacher finds the career game in the catalogue (phone-sized screen) and requests it.
        await log_in(page, base_url, "teacher@libspace.local")
        await page.goto(f"{base_url}/schools/programmes?grade=8&branch=chekhov&topic=career")
        await page.get_by_role("link", name="Подать заявку").first.click()
        await page.select_option("#f-branch", "chekhov")
        await page.fill("#f-w0_date", day.isoformat())
        await page.fill("#f-w0_from", "11:00")
        await page.fill("#f-w0_to", "15:00")
        await page.fill("#f-class_name", "8Б")
        await page.fill("#f-group_size", "24")
        await page.fill("#f-adults", "2")
        await page.fill("#f-needs", "Один ученик на коляске")
        await page.get_by_role("button", name="Отправить заявку").click()
        await page.wait_for_url(re.compile(r"/schools/visits/\d+$"))
        visit_url = page.url
        assert await page.get_by_test_id("visit-status").inner_text() == "Заявка отправлена"
        await log_out(page)

        # Staff of the youth library confirm it with the first suggested zone and time.
        await log_in(page, base_url, "staff.chekhov@libspace.local")
        await page.get_by_role("link", name="Заявки на посещения").click()
        card = page.locator(f"#visit-{visit_url.rsplit('/', 1)[1]}")
        suggestion = card.get_by_test_id("suggestion").first
        label = " ".join((await suggestion.inner_text()).split())
        assert label.startswith("Подтвердить:") and "Конференц-зал" in label and "11:00–12:30" in label
        await suggestion.click()
        await page.wait_for_load_state()
        assert "Посещение подтверждено" in await page.locator(".flash").inner_text()
        await log_out(page)

        # The teacher sees the visit confirmed, with its zone and time.
        await log_in(page, base_url, "teacher@libspace.local")
        await page.goto(visit_url)
        assert await page.get_by_test_id("visit-status").inner_text() == "Подтверждена"
        when = " ".join((await page.get_by_test_id("visit-when").inner_text()).split())
        assert "11:00–12:30" in when and str(day.day) in when
        assert await page.get_by_test_id("visit-zone").inner_text() == "Конференц-зал"
        await page.goto(f"{base_url}/schools")
        confirmed = page.locator("section[aria-labelledby=upcoming]")
        assert "Конференц-зал" in await confirmed.inner_text()
