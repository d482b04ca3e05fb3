"""One short journey per role on a 320x640 and a 390x844 phone, by clicks as a person makes them: every page
on the way fits the screen (nothing scrolls sideways), a destructive action asks once more, and a refused
form opens at its error summary (issue 16, tests)."""

from __future__ import annotations

import pytest

from tests.support import chromium, header_click, log_in_page, new_page, running_server, scrolls_sideways

pytestmark = pytest.mark.browser
PHONES = [{"width": 320, "height": 640}, {"width": 390, "height": 844}]


@pytest.fixture(scope="module")
async def browser():
    async with chromium() as shared:
        yield shared


async def fits(page) -> None:
    await page.wait_for_load_state()
    assert not await scrolls_sideways(page), page.url


async def click(page, locator) -> None:
    async with page.expect_navigation():
        await locator.click()
    await fits(page)


async def anonymous(page, base_url):
    await page.goto(base_url + "/")
    await fits(page)
    await header_click(page, "Афиша")
    await fits(page)
    await click(page, page.locator("main a[href^='/events/']").first)
    await header_click(page, "Библиотеки")
    await fits(page)
    await click(page, page.locator("main a[href^='/branches/']").first)
    assert "/branches/" in page.url


async def reader(page, base_url):
    await log_in_page(page, base_url, "teen@libspace.local")
    await fits(page)
    assert page.url.endswith("/me/card")
    await header_click(page, "Мои записи")
    await fits(page)
    await click(page, page.get_by_role("link", name="Отменить запись").first)
    assert await page.locator("main form button.danger").is_visible()  # asks once more, on its own page
    await click(page, page.get_by_role("link", name="Нет, оставить"))
    assert page.url.endswith("/me/registrations")


async def teacher(page, base_url):
    await log_in_page(page, base_url, "teacher@libspace.local")
    await fits(page)
    assert page.url.endswith("/schools")
    await click(page, page.locator("main a[href^='/schools/visits/']").first)
    await page.go_back()
    await click(page, page.get_by_role("link", name="Выбрать программу и подать заявку"))


async def counsellor(page, base_url):
    await log_in_page(page, base_url, "counsellor@libspace.local")
    await fits(page)
    assert page.url.endswith("/guidance/counsellor")
    await click(page, page.get_by_role("link", name="Изменить часы приёма"))
    await page.locator("#f-weekday").select_option("0")  # «Диалог» is closed on Mondays
    await page.locator("#f-branch").select_option("dialog")
    await page.locator("#f-starts").fill("12:00")  # the weekly window (the exception's fields are #f-xstarts, ...)
    await page.locator("#f-ends").fill("14:00")
    await click(page, page.get_by_role("button", name="Добавить окно"))
    summary = page.get_by_test_id("error-summary")
    assert "В этот день библиотека закрыта" in await summary.inner_text()
    assert await page.evaluate("document.activeElement.id") == "errors"


async def staff(page, base_url):
    await log_in_page(page, base_url, "staff.chekhov@libspace.local")
    await fits(page)
    assert page.url.endswith("/staff")
    await click(page, page.locator("main a[href='/staff/events']").first)
    await click(page, page.get_by_role("link", name="Изменить").first)
    await page.go_back()
    await click(page, page.get_by_role("link", name="Новое событие").first)


async def admin(page, base_url):
    await log_in_page(page, base_url, "admin@libspace.local")
    await fits(page)
    await click(page, page.locator("main a[href='/staff/network']").first)
    await click(page, page.locator("main a[href='/staff/network/branches/chekhov/hours']").first)
    await click(page, page.locator("main a[href^='/staff/network/branches/chekhov/zones']").first)


@pytest.mark.parametrize("journey", [anonymous, reader, teacher, counsellor, staff, admin], ids=lambda journey: journey.__name__)
async def test_a_role_on_both_phones(browser, demo_events, journey):
    async with running_server() as base_url:
        for phone in PHONES:
            async with new_page(browser, phone) as page:
                await journey(page, base_url)
