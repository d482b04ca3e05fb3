import re

from src.web.templating import qr_svg
from tests.conftest import post_form

FORM = {
    "full_name": "Олег Ким",
    "birth_date": "1995-02-03",
    "email": "oleg@example.ru",
    "phone": "",
    "home_branch": "centralnaya",
    "password": "oleg-secret",
    "password_repeat": "oleg-secret",
    "consent_personal_data": "on",
}


async def test_home_lists_branches_in_russian_by_default(client, demo):
    page = await client.get("/")
    assert page.status_code == 200 and '<html lang="ru">' in page.text
    assert "Библиотека-обсерватория имени Бориса Машука" in page.text


async def test_language_switch_is_remembered(client, demo):
    switched = await client.get("/lang/en?next=/branches", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/branches"
    page = await client.get("/branches")
    assert '<html lang="en">' in page.text and "City libraries" in page.text
    assert (await client.get("/lang/en?next=https://evil.example/", follow_redirects=False)).headers["location"] == "/"


async def test_accept_language_picks_english(client, demo):
    page = await client.get("/branches/dialog", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert '<html lang="en">' in page.text and "Opening hours this week" in page.text


async def test_register_shows_card_and_qr(client, demo):
    answer = await post_form(client, "/register", {**FORM, "email": "", "phone": "+7 914 123-45-67"}, follow_redirects=True)
    assert answer.status_code == 200 and str(answer.url).endswith("/me/card")
    number = re.search(r'data-testid="card-number">(\d+)<', answer.text).group(1)
    assert len(number) == 12 and str(qr_svg(number)) in answer.text  # the QR code of this very card number


async def test_register_with_an_email_looks_the_same_whether_or_not_it_is_known(client, demo):
    first = await post_form(client, "/register", FORM, follow_redirects=True)
    second = await post_form(client, "/register", {**FORM, "full_name": "Кто-то Другой"}, follow_redirects=True)
    assert first.status_code == second.status_code == 200
    assert "Проверьте почту" in first.text and "Проверьте почту" in second.text
    assert first.text.replace("Олег Ким", "") == second.text.replace("Кто-то Другой", "")


async def test_register_errors_come_back_to_the_form(client, demo):
    bad = {**FORM, "birth_date": "2020-01-01", "password_repeat": "other", "email": ""}
    sent = await post_form(client, "/register", bad)
    assert sent.status_code == 303 and sent.headers["location"] == "/register"  # the form's own address: a refresh does not post
    answer = await client.get("/register")
    assert 'aria-invalid="true"' in answer.text and "Пароли не совпадают" in answer.text and 'data-testid="error-summary"' in answer.text
    assert 'value="Олег Ким"' in answer.text and "oleg-secret" not in answer.text
    again = await client.get("/register")  # the errors are shown once
    assert "Пароли не совпадают" not in again.text and 'value="Олег Ким"' not in again.text


async def test_form_without_csrf_token_is_refused(client, demo):
    answer = await client.post("/login", data={"login": "reader@libspace.local", "password": "libspace-demo"})
    assert answer.status_code == 403 and "<html" in answer.text


async def test_login_landing_and_session_cookie_flags(client, demo):
    answer = await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/staff"
    cookie = [c for c in answer.headers.get_list("set-cookie") if c.startswith("libspace_session=")][0].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    staff = await client.get("/staff")
    assert "Молодёжная библиотека имени А. П. Чехова" in staff.text


async def test_wrong_login_comes_back_with_one_message(client, demo):
    sent = await post_form(client, "/login?next=/me/bookings", {"login": "reader@libspace.local", "password": "nope-nope", "next": "/me/bookings"})
    assert sent.status_code == 303 and sent.headers["location"] == "/login?next=%2Fme%2Fbookings"
    answer = await client.get(sent.headers["location"])
    assert answer.text.count("Неверный номер карты") == 2  # in the summary and at the field
    assert 'value="reader@libspace.local"' in answer.text and 'name="next" value="/me/bookings"' in answer.text


async def test_staff_find_reader_by_scanned_card(client, demo):
    await post_form(client, "/login", {"login": "staff.dialog@libspace.local", "password": "libspace-demo"})
    found = await client.get("/staff/readers", params={"card": demo.card_for("0003")})
    assert found.status_code == 200 and "Софья Андреевна Ли" in found.text and "Андрей Викторович Ли" in found.text
    missing = await client.get("/staff/readers", params={"card": "123"})
    assert missing.status_code == 404


async def test_pages_guarded(client, demo):
    assert (await client.get("/me/card", follow_redirects=False)).headers["location"].startswith("/login")
    await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"})
    assert (await client.get("/staff")).status_code == 403


async def test_unknown_page_is_a_localized_404(client, demo):
    answer = await client.get("/no/such/page")
    assert answer.status_code == 404 and "Страница не найдена" in answer.text


async def test_cookies_are_secure_behind_https(demo):
    import dataclasses

    import httpx

    from src.app import create_app
    from src.config import get_settings

    app = create_app(dataclasses.replace(get_settings(), base_url="https://libspace.example"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as client:
        answer = await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"}, follow_redirects=False)
    cookies = [c.lower() for c in answer.headers.get_list("set-cookie")]
    assert cookies and all("secure" in c and "httponly" in c for c in cookies)
