"""A 16-year-old on a phone, in headless Chromium against a real server: registers, takes the survey, sees
the chart and recommendations, signs up for a career workshop and books a consultation."""

import re
import pytest

from tests import dates
from tests.support import browser_page, header_click, log_in_page, running_server, scrolls_sideways

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


async def answer_the_survey(page, last_step: bool = True) -> None:
    """Five short steps of five questions; the first 'next' with nothing answered names the questions."""
    questions = page.locator("fieldset.question")
    assert await questions.count() == 5 and "Вопросы 1–5 из 25" in await page.get_by_test_id("survey-progress").inner_text()
    await page.get_by_role("button", name="Дальше").click()  # nothing answered yet
    alert = page.get_by_role("alert")
    assert await alert.is_visible() and "Вопрос 1:" in await alert.inner_text()
    for step in range(5):
        for index in range(5):
            number = step * 5 + index
            await questions.nth(index).get_by_role("radio").nth(number % 2 if number < 20 else 4 - number % 5).check()
        if step < 4:
            await page.get_by_role("button", name="Дальше").click()
            await page.wait_for_url(re.compile(rf".*/guidance/survey\?step={step + 2}$"))
        elif last_step:
            await page.get_by_role("button", name="Узнать результат").click()


async def test_sixteen_year_old_takes_the_survey_signs_up_and_books_a_consultation(demo_events):
    birth = dates.birth_date(16)
    async with running_server() as base_url, browser_page(viewport=PHONE) as page:
        await page.goto(f"{base_url}/register")
        await page.get_by_role("textbox", name="ФИО", exact=True).fill("Алиса Игоревна Тен")
        await page.get_by_label("Дата рождения").fill(birth.isoformat())
        await page.get_by_role("textbox", name="E-mail", exact=True).fill("alisa@example.ru")
        await page.get_by_label("Моя библиотека").select_option("chekhov")
        await page.get_by_label(re.compile("^Пароль")).fill("alisa-secret-1")
        await page.get_by_label("Повторите пароль").fill("alisa-secret-1")
        await page.get_by_label(re.compile("согласие на обработку")).check()
        await page.get_by_role("button", name="Получить билет").click()
        await page.get_by_role("heading", name="Проверьте почту").wait_for()  # with an e-mail: check your mailbox
        await log_in_page(page, base_url, "alisa@example.ru", "alisa-secret-1")
        await page.wait_for_url(f"{base_url}/me/card")

        await header_click(page, "Профориентация")
        await page.get_by_role("link", name="Пройти опрос").first.click()
        await page.wait_for_url(f"{base_url}/guidance/survey")
        await answer_the_survey(page)
        await page.wait_for_url(re.compile(r".*/guidance/results/\d+$"))
        chart = page.get_by_test_id("score-chart")
        assert await chart.is_visible()
        values = await chart.locator(".chart-value").all_inner_texts()
        assert len(values) == 5 and all(re.fullmatch(r"\d+ из 12", v) for v in values)
        assert await page.get_by_test_id("summary").is_visible()

        await page.get_by_role("link", name="Смотреть рекомендации").click()
        await page.wait_for_url(f"{base_url}/guidance/recommendations")
        first = page.locator(".rec").first
        assert await first.locator(".why").inner_text()
        workshop = page.locator(".rec-workshop").first
        title = (await workshop.get_by_role("heading").inner_text()).strip()
        assert title.startswith("Профессия:")
        await workshop.get_by_role("link", name="Записаться").click()
        await page.wait_for_url(re.compile(r".*/events/\d+$"))
        await page.locator("section.signup").get_by_role("button", name="Записаться").click()
        assert "Вы записаны" in await page.get_by_role("status").inner_text()
        await page.goto(f"{base_url}/guidance/recommendations")
        assert not any(title in card for card in await page.locator(".rec-workshop").all_inner_texts())  # signed up: no longer recommended
        await page.locator(".rec-consultation").first.get_by_role("link", name="Выбрать время").click()
        await page.wait_for_url(re.compile(r".*/guidance/slots.*"))
        await page.locator("a.slot-button").first.click()
        await page.wait_for_url(re.compile(r".*/guidance/book.*"))
        await page.get_by_label(re.compile("О чём вы хотели бы поговорить")).fill("Хочу в IT, но не знаю, с чего начать")
        await page.get_by_role("button", name="Записаться на консультацию").click()
        await page.wait_for_url(f"{base_url}/guidance/consultations")
        assert await page.get_by_role("status").is_visible()
        booked = page.get_by_test_id("upcoming")
        assert await booked.count() == 1 and "Хочу в IT" in await booked.inner_text()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the page scrolls sideways on a phone"
        await page.goto(f"{base_url}/guidance/passport")
        assert await page.get_by_role("heading", name="Карьерный паспорт").is_visible()
        await page.screenshot(path="var/screenshot-guidance.png", full_page=True)


async def test_an_anonymous_visitor_answers_on_a_phone_logs_in_at_the_end_and_keeps_the_answers(demo):
    async with running_server() as base_url, browser_page(viewport={"width": 320, "height": 640}) as page:
        await page.goto(f"{base_url}/guidance/survey")
        await answer_the_survey(page)
        await page.wait_for_url(f"{base_url}/guidance/survey/result")
        assert await page.get_by_test_id("score-chart").is_visible()
        assert not await scrolls_sideways(page)
        await page.get_by_test_id("log-in-to-save").click()
        await page.locator("#f-login").fill("teen@libspace.local")
        await page.locator("#f-password").fill("libspace-demo")
        await page.locator("main form button[type=submit]").click()
        await page.wait_for_url(f"{base_url}/guidance/survey?step=5")  # back at the last step, every answer kept
        assert "25 ответов" in await page.get_by_test_id("survey-progress").inner_text()
        await page.get_by_role("button", name="Узнать результат").click()
        await page.wait_for_url(re.compile(r".*/guidance/results/\d+$"))  # saved to the account
        assert await page.get_by_test_id("score-chart").is_visible()
