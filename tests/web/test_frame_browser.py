"""The frame in headless Chromium: the phone bar and its menu without JavaScript, 44x44 targets, the version
for the visually impaired (twice the font, three colour schemes, no serious axe finding), the error pattern."""

import re

import pytest

from tests.support import (
    SMALL_TARGETS_JS, axe_problems, chromium, header_click, log_in_page, new_page, require_axe, running_server, scrolls_sideways,
)

pytestmark = pytest.mark.browser
PHONE_320 = {"width": 320, "height": 640}
PHONE_390 = {"width": 390, "height": 844}
PUBLIC = ["/", "/events", "/branches", "/branches/chekhov", "/zones", "/guidance", "/schools/programmes", "/login", "/register", "/accessibility"]


@pytest.fixture(scope="module")
async def browser():
    async with chromium() as shared:
        yield shared


async def test_phone_bar_and_menu_work_without_javascript(browser, demo):
    async with running_server() as base_url, new_page(browser, PHONE_320, javascript=False) as page:
        for path in PUBLIC:
            await page.goto(base_url + path)
            assert not await scrolls_sideways(page), path
            assert await page.evaluate(SMALL_TARGETS_JS) == [], path
        await page.goto(base_url + "/")
        header_height = await page.locator("header.top").evaluate("h => h.getBoundingClientRect().height")
        assert header_height <= 80  # a compact bar, not three lines of links
        assert not await page.get_by_role("link", name="Афиша").is_visible()
        await page.locator("details.menu > summary").click()
        assert await page.get_by_role("link", name="Афиша").is_visible()
        assert await page.evaluate(SMALL_TARGETS_JS) == []
        await page.get_by_role("link", name="Войти").click()
        await page.locator("#f-login").fill("reader@libspace.local")
        await page.locator("#f-password").fill("libspace-demo")
        await page.locator("main form button[type=submit]").click()
        await page.wait_for_url(f"{base_url}/me/card")  # a reader lands on their card
        await header_click(page, "Мой календарь")
        await page.wait_for_url(f"{base_url}/me/feeds")
        assert not await scrolls_sideways(page)


async def test_failed_post_opens_at_the_error_summary_on_the_forms_own_address(browser, demo):
    async with running_server() as base_url, new_page(browser, PHONE_390) as page:
        await page.goto(f"{base_url}/login")
        await page.locator("#f-login").fill("reader@libspace.local")
        await page.locator("#f-password").fill("wrong-password")
        await page.locator("main form button[type=submit]").click()
        await page.wait_for_url(f"{base_url}/login")
        summary = page.get_by_test_id("error-summary")
        assert await summary.is_visible()
        assert await page.evaluate("document.activeElement.id") == "errors"
        await summary.get_by_role("link").first.click()
        assert await page.locator("#f-login").input_value() == "reader@libspace.local"
        await page.reload()  # a GET: nothing is posted again, and the errors were shown once
        assert await page.get_by_test_id("error-summary").count() == 0


async def test_version_for_the_visually_impaired_on_every_public_page(browser, demo):
    require_axe()
    async with running_server() as base_url, new_page(browser, {"width": 1280, "height": 900}) as page:
        await page.goto(f"{base_url}/events")
        normal = await page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
        await page.get_by_test_id("vision-on").click()
        bar = page.get_by_test_id("vision-bar")
        await bar.wait_for()
        assert page.url == f"{base_url}/events"  # back on the same page
        async with page.expect_navigation():
            await bar.get_by_role("link", name="Очень крупный").click()
        larger = await page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
        assert larger >= 2 * normal
        for scheme in ("Белым по чёрному", "Тёмно-синим по голубому", "Чёрным по белому"):
            if not await page.get_by_test_id("vision-bar").locator("details").evaluate("d => d.open"):
                await page.get_by_test_id("vision-bar").locator("summary").click()
            async with page.expect_navigation():
                await page.get_by_test_id("vision-bar").get_by_role("link", name=scheme).click()
            for path in PUBLIC:
                await page.goto(base_url + path)
                assert await axe_problems(page) == [], (scheme, path)
        async with page.expect_navigation():
            await page.get_by_test_id("vision-off").click()
        assert await page.evaluate("document.documentElement.className") == ""


async def test_no_serious_axe_finding_in_the_usual_version_on_a_phone(browser, demo):
    require_axe()
    async with running_server() as base_url, new_page(browser, PHONE_390) as page:
        for path in PUBLIC:
            await page.goto(base_url + path)
            assert await axe_problems(page) == [], path
        await page.locator("details.menu > summary").click()
        assert await axe_problems(page) == [], "open menu"
        await log_in_page(page, base_url, "reader@libspace.local")
        await page.locator("details.menu > summary").click()
        assert await axe_problems(page) == [], "open menu, logged in"
        assert re.search(r"/me/card$", page.url)
