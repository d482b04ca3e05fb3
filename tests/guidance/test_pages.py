"""Guidance pages: survey and result with the chart, booking, my consultations, passport, counsellor pages.
Private notes must not appear in any page a reader can open."""

import re
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx

from src.accounts.tables import Account
from src.guidance import content
from src.i18n import fmt_day
from src.timeutil import today_in
from tests.conftest import post_form
from tests.guidance.conftest import first_free_slot
from tests.guidance.test_rules import answers_for

SECRET = "ТАЙНАЯ-ПОМЕТКА-7"


@asynccontextmanager
async def logged_in(app, email: str | None):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        if email:
            answer = await post_form(client, "/login", {"login": email, "password": "libspace-demo"})
            assert answer.status_code == 303, answer.text
        yield client


async def account_id(email: str) -> int:
    return (await Account.select(Account.id).where(Account.email == email).first())["id"]


async def test_landing_and_survey_form_render_in_russian_and_english(app, demo):
    async with logged_in(app, None) as client:
        landing = await client.get("/guidance")
        assert landing.status_code == 200 and "Человек – природа" in landing.text
        steps = [await client.get(f"/guidance/survey?step={step}") for step in range(1, 6)]
        assert all(form.status_code == 200 for form in steps)
        assert sum(form.text.count('type="radio"') for form in steps) == 20 * 2 + 5 * 5  # 25 questions in five short steps
        form = steps[0]
        assert content.ITEMS[0].options[0].ru in form.text and "Вопросы 1–5 из 25" in form.text
        await client.get("/lang/en?next=/guidance/survey")
        english = await client.get("/guidance/survey")
        assert content.ITEMS[0].options[0].en in english.text


async def test_anonymous_survey_shows_the_result_but_does_not_save(app, demo):
    async with logged_in(app, None) as client:
        partial = await post_form(client, "/guidance/survey", {"step": "1", "c01": "a", "c02": "b"})
        assert partial.status_code == 303 and partial.headers["location"] == "/guidance/survey?step=1"  # the step's own address
        partial = await client.get(partial.headers["location"])
        assert 'role="alert"' in partial.text and 'href="#f-answers.c03"' in partial.text and "Вопрос 3:" in partial.text
        assert re.search(r'value="a" checked', partial.text)  # what was answered stays answered
        answers = answers_for("people", {"people": 4})
        for step in range(1, 6):
            ids = [item.id for item in content.ITEMS[(step - 1) * 5:step * 5]]
            moved = await post_form(client, f"/guidance/survey?step={step}", {"step": str(step), "go": "next", **{i: answers[i] for i in ids}})
            assert moved.status_code == 303
        assert moved.headers["location"] == "/guidance/survey/result"
        back = await post_form(client, "/guidance/survey?step=3", {"step": "3", "go": "back"}, follow_redirects=True)
        assert back.url.path == "/guidance/survey" and "Вопросы 6–10 из 25" in back.text and "25 ответов" in back.text  # kept between steps
        result = await client.get("/guidance/survey/result")
        assert result.status_code == 200
        assert 'data-testid="score-chart"' in result.text and "12 из 12" in result.text
        assert "Человек – человек" in result.text and "не сохранён" in result.text


async def test_reader_saves_sees_chart_profile_and_other_readers_get_404(app, demo):
    async with logged_in(app, "teen@libspace.local") as client:
        saved = await post_form(client, "/guidance/survey", answers_for("nature", {"nature": 4}), follow_redirects=False)
        assert saved.status_code == 303 and saved.headers["location"].startswith("/guidance/results/")
        url = saved.headers["location"]
        page = await client.get(url)
        assert page.status_code == 200 and "12 из 12" in page.text and "Человек – природа" in page.text
        profile = await client.get("/guidance/profile")
        assert profile.text.count('data-testid="score-chart"') == 2  # the demo's earlier result and this one
    async with logged_in(app, "reader@libspace.local") as other:
        assert (await other.get(url)).status_code == 404
    async with logged_in(app, None) as anonymous:
        to_login = await anonymous.get(url, follow_redirects=False)
        assert to_login.status_code == 302 and to_login.headers["location"].startswith("/login?next=")


async def test_book_from_the_slots_page_then_cancel(app, demo):
    belova = await account_id("counsellor@libspace.local")
    slot = await first_free_slot(belova)
    async with logged_in(app, "reader@libspace.local") as client:
        listing = await client.get("/guidance/slots", params={"counsellor": belova, "start": slot.starts_at.date().isoformat()})
        assert listing.status_code == 200 and "/guidance/book?counsellor=" in listing.text
        groups = listing.text.count('data-testid="slot-group"')  # slots grouped by counsellor and day: the name once a group
        assert groups >= 1 and listing.text.count("<h3>Ирина Олеговна Белова") == groups
        confirm = await client.get("/guidance/book", params={"counsellor": belova, "starts_at": slot.starts_at.isoformat()})
        assert confirm.status_code == 200 and "Ирина Олеговна Белова" in confirm.text
        booked = await post_form(client, f"/guidance/book?counsellor={belova}&starts_at={slot.starts_at.isoformat().replace('+', '%2B')}",
                                 {"counsellor_id": belova, "starts_at": slot.starts_at.isoformat(), "topic": "Про колледж"}, action="/guidance/consultations", follow_redirects=False)
        assert booked.status_code == 303, booked.text
        picks = await client.get("/guidance/recommendations")  # booked: the offers to book one are gone
        assert 'class="card rec rec-consultation"' not in picks.text and 'data-testid="booked-consultation"' in picks.text
        mine = await client.get("/guidance/consultations")
        assert "Про колледж" in mine.text
        assert 'data-testid="upcoming"' in mine.text
        match = re.search(r'href="/guidance/consultations/(\d+)/cancel"', mine.text)  # a step of its own
        assert match
    async with logged_in(app, "teen@libspace.local") as late:
        taken = await post_form(client=late, form_url="/guidance/slots", data={"counsellor_id": belova, "starts_at": slot.starts_at.isoformat()}, action="/guidance/consultations", follow_redirects=True)
        assert taken.status_code == 409 and 'role="alert"' in taken.text and taken.url.path == "/guidance/book"  # back at the form's address, the time gone
    async with logged_in(app, "reader@libspace.local") as client:
        cancelled = await post_form(client, f"/guidance/consultations/{match.group(1)}/cancel", {}, follow_redirects=False)
        assert cancelled.status_code == 303
        assert 'data-testid="upcoming"' not in (await client.get("/guidance/consultations")).text


async def test_private_notes_are_absent_from_every_reader_page(app, demo):
    belova = await account_id("counsellor@libspace.local")
    slot = await first_free_slot(belova)
    async with logged_in(app, "teen@libspace.local") as reader:
        await post_form(reader, "/guidance/slots", {"counsellor_id": belova, "starts_at": slot.starts_at.isoformat()}, action="/guidance/consultations")
    async with logged_in(app, "counsellor@libspace.local") as counsellor:
        day = await counsellor.get("/guidance/counsellor", params={"date": slot.starts_at.astimezone().date().isoformat()})
        assert day.status_code == 200
        ids = re.findall(r'href="/guidance/counsellor/consultations/(\d+)"', day.text)
        assert ids
        page_url = f"/guidance/counsellor/consultations/{ids[0]}"
        saved = await post_form(counsellor, page_url, {"next_steps": "Прочитать «Атлас новых профессий»", "private_notes": SECRET}, follow_redirects=False)
        assert saved.status_code == 303
        assert SECRET in (await counsellor.get(page_url)).text
        # the demo's past consultation with the teen: private notes stay on the counsellor's side too
        teen_passport = await counsellor.get("/guidance/passport", params={"card": "280000000024"})
        assert teen_passport.status_code == 200 and SECRET not in teen_passport.text
    async with logged_in(app, "teen@libspace.local") as reader:
        pages = ["/guidance", "/guidance/consultations", "/guidance/passport", "/guidance/profile", "/guidance/recommendations", page_url, f"/api/v1/guidance/consultations/{ids[0]}"]
        seen = []
        for url in pages:
            answer = await reader.get(url)
            seen.append((url, answer.status_code))
            assert SECRET not in answer.text and "родителей" not in answer.text, url
        assert dict(seen)[page_url] == 403  # the counsellor's page itself is closed to readers
        mine = await reader.get("/guidance/consultations")
        assert "Атлас новых профессий" not in mine.text  # an upcoming consultation: next steps show once it is held



async def test_passport_is_printable_and_lists_next_steps(app, demo):
    async with logged_in(app, "teen@libspace.local") as client:
        passport = await client.get("/guidance/passport")
        assert passport.status_code == 200
        assert "Карьерный паспорт" in passport.text and "день открытых дверей" in passport.text and "280000000024" in passport.text
        css = (await client.get("/static/site.css")).text
    assert "@media print" in css and ".no-print" in css


async def test_counsellor_edits_availability_and_staff_edit_fields(app, demo):
    async with logged_in(app, "counsellor3@libspace.local") as client:
        editor = await client.get("/guidance/counsellor/availability")
        assert editor.status_code == 200 and editor.text.count("/delete") == 2
        bad = await post_form(client, "/guidance/counsellor/availability", {"weekday": "4", "branch": "dialog", "starts": "16:00", "ends": "15:00", "slot_minutes": "45", "buffer_minutes": "15"}, follow_redirects=True)
        assert bad.status_code == 200 and bad.url.path == "/guidance/counsellor/availability" and 'id="e-ends"' in bad.text
        closed = await post_form(client, "/guidance/counsellor/availability", {"weekday": "0", "branch": "dialog", "starts": "12:00", "ends": "14:00", "slot_minutes": "45", "buffer_minutes": "15"}, follow_redirects=True)
        assert 'id="e-weekday"' in closed.text and "В этот день библиотека закрыта" in closed.text  # Dialog is closed on Mondays
        added = await post_form(client, "/guidance/counsellor/availability", {"weekday": "4", "branch": "dialog", "starts": "11:00", "ends": "13:00", "slot_minutes": "60", "buffer_minutes": "0"}, follow_redirects=False)
        assert added.status_code == 303
        assert (await client.get("/guidance/counsellor/availability")).text.count("/delete") == 3
        day_off = today_in("Asia/Yakutsk") + timedelta(days=400)  # inside the three-year window of bookable dates
        off = await post_form(client, "/guidance/counsellor/availability", {"on": day_off.isoformat(), "kind": "off"}, action="/guidance/counsellor/exceptions", follow_redirects=False)
        assert off.status_code == 303
        listed = (await client.get("/guidance/counsellor/availability")).text
        assert fmt_day(day_off) in listed  # the one prose date style, "9 декабря 2027, четверг" (issue 16, point 9)
        on_the_day = await client.get("/guidance/counsellor", params={"date": day_off.isoformat()})
        assert f"Консультации: {fmt_day(day_off)}" in on_the_day.text
        far = await post_form(client, "/guidance/counsellor/availability", {"on": "2099-01-05", "kind": "off"}, action="/guidance/counsellor/exceptions", follow_redirects=True)
        assert far.status_code == 200 and 'id="e-xon"' in far.text and 'href="#f-xon"' in far.text and 'data-testid="error-summary"' in far.text
        assert (await client.get("/guidance/fields")).status_code == 403
    async with logged_in(app, "teen@libspace.local") as reader:
        assert (await reader.get("/guidance/counsellor/availability")).status_code == 403
    async with logged_in(app, "staff.dialog@libspace.local") as staff:
        listing = await staff.get("/guidance/fields")
        assert listing.status_code == 200 and "ИТ и программирование" in listing.text
        assert '<span class="tag">Человек – техника</span>' in listing.text and '<span class="tag">technology</span>' not in listing.text  # names, not codes
        created = await post_form(staff, "/guidance/fields", {"slug": "space", "name_ru": "Космос", "name_en": "Space", "type_technology": "on", "is_active": "on"}, follow_redirects=False)
        assert created.status_code == 303
        invalid = await post_form(staff, "/guidance/fields", {"slug": "Космос", "name_ru": "", "name_en": ""}, follow_redirects=True)
        assert invalid.status_code == 200 and invalid.url.path == "/guidance/fields" and len(invalid.history) == 1  # the form's address
        assert 'role="alert"' in invalid.text and 'data-testid="error-summary"' in invalid.text
    async with logged_in(app, None) as anonymous:
        assert "Космос" in (await anonymous.get("/guidance")).text


async def test_recommendations_offer_consultations_in_one_card_with_their_times(app, demo):
    """Issue 16, point 11: one card for a consultation, its next free times listed (counsellor, branch, time),
    not one card per counsellor repeating the same title."""
    async with logged_in(app, "teen@libspace.local") as client:
        picks = await client.get("/guidance/recommendations")
    assert picks.status_code == 200
    assert picks.text.count('class="card rec rec-consultation"') == 1
    times = re.search(r'data-testid="consultation-times">(.*?)</ul>', picks.text, re.S).group(1)
    assert times.count("<li>") >= 2 and "Ирина Олеговна Белова" in times and "Дмитрий Сергеевич Ким" in times
    assert "/guidance/slots?branch=" in times and "&amp;counsellor=" in times


async def test_slots_filter_form_blanks_mean_no_filter(app, demo):
    """The form's "any counsellor" and an empty date arrive as empty values (and its "later" link carries them):
    the page, not a 422 (found in issue 16's QA pass)."""
    async with logged_in(app, "reader@libspace.local") as client:
        blank = await client.get("/guidance/slots", params={"branch": "", "counsellor": "", "start": ""})
        assert blank.status_code == 200 and 'data-testid="slot-group"' in blank.text
        later = re.search(r'href="(/guidance/slots\?[^"]*)">[^<]*→', blank.text).group(1).replace("&amp;", "&")
        assert "counsellor=&" in later and (await client.get(later)).status_code == 200
        for odd, field in (({"counsellor": "x"}, "counsellor"), ({"start": "2026-13-45"}, "start")):
            refused = await client.get("/guidance/slots", params=odd)
            assert refused.status_code == 422 and field in refused.text, odd  # not a blank: still an error


async def test_the_guidance_page_links_recommendations_only_to_those_who_may_open_them(app, demo):
    """A teacher (or staff, a counsellor) got a link to recommendations that answers 403 (issue 16 QA pass)."""
    for login, linked in ((None, True), ("teen@libspace.local", True), ("teacher@libspace.local", False), ("counsellor@libspace.local", False)):
        async with logged_in(app, login) as client:
            page = await client.get("/guidance")
            assert ('href="/guidance/recommendations"' in page.text) is linked, login
            assert ("Для читателей с читательским билетом." in page.text) is not linked, login
