"""A new reader, in headless Chromium against a real server: register, log out, log in, see the card."""

import re

import pytest

from tests.support import browser_page, header_click, log_in_page, log_out, running_server

pytestmark = pytest.mark.browser


async def test_register_login_and_see_card_with_qr(demo):
    async with running_server() as base_url, browser_page(viewport={"width": 390, "height": 844}) as page:
        await page.goto(f"{base_url}/")
        await header_click(page, "Получить карту")
        await page.get_by_role("textbox", name="ФИО", exact=True).fill("Вера Николаевна Соколова")
        await page.get_by_label("Дата рождения").fill("1990-07-15")
        await page.get_by_role("textbox", name="E-mail", exact=True).fill("vera@example.ru")
        await page.get_by_label("Моя библиотека").select_option("dialog")
        await page.get_by_label(re.compile("^Пароль")).fill("vera-secret-1")
        await page.get_by_label("Повторите пароль").fill("vera-secret-1")
        await page.get_by_label(re.compile("согласие на обработку")).check()
        await page.get_by_role("button", name="Получить билет").click()
        # with an e-mail the answer is "check your mailbox" whether or not the address was known (issue 11)
        await page.get_by_role("heading", name="Проверьте почту").wait_for()
        await log_in_page(page, base_url, "vera@example.ru", "vera-secret-1")
        await page.wait_for_url(f"{base_url}/me/card")
        number = (await page.get_by_test_id("card-number").inner_text()).strip()
        assert re.fullmatch(r"28\d{10}", number)
        assert await page.locator("[data-testid=card-qr] svg").count() == 1

        await log_out(page)
        await header_click(page, "Войти")
        await page.get_by_label("Номер карты или e-mail").fill(number)
        await page.get_by_label(re.compile("^Пароль")).fill("vera-secret-1")
        await page.get_by_role("button", name="Войти").click()
        await page.wait_for_url(f"{base_url}/me/card")
        assert (await page.get_by_test_id("card-number").inner_text()).strip() == number
        await header_click(page, "EN", role="button")  # logged in: a POST that also saves the language
        assert await page.get_by_role("heading", name="My reader card").is_visible()
        await page.screenshot(path="var/screenshot-card.png", full_page=True)


async def test_registration_errors_are_shown_next_to_the_fields(demo):
    async with running_server() as base_url, browser_page() as page:
        await page.goto(f"{base_url}/register")
        await page.get_by_role("textbox", name="ФИО", exact=True).fill("Пётр")
        await page.get_by_label("Дата рождения").fill("2018-01-01")
        await page.get_by_role("textbox", name="E-mail", exact=True).fill("petr@example.ru")
        await page.get_by_label("Моя библиотека").select_option("chekhov")
        await page.get_by_label(re.compile("^Пароль")).fill("petr-secret-1")
        await page.get_by_label("Повторите пароль").fill("petr-secret-1")
        await page.get_by_label(re.compile("согласие на обработку")).check()
        await page.get_by_role("button", name="Получить билет").click()
        assert await page.get_by_role("alert").is_visible()
        assert await page.locator("#e-guardian_consent").is_visible()
        assert await page.get_by_role("textbox", name="ФИО", exact=True).input_value() == "Пётр"
