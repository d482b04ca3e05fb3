"""Activation and password reset through the API and the pages."""

import re

from src.accounts import messages
from tests.accounts.helpers import imported, link_in, next_year, sent, token_of, years_ago
from tests.conftest import bearer, post_form


async def test_activate_answers_202_alike_whether_or_not_anything_matched(client, demo):
    birth = years_ago(40)
    await imported(birth=birth)
    good = await client.post("/api/v1/auth/activate", json={"card_number": "100200300", "birth_date": birth.isoformat(), "contact": "petr@example.ru"})
    bad = await client.post("/api/v1/auth/activate", json={"card_number": "100200399", "birth_date": birth.isoformat(), "contact": "petr@example.ru"})
    assert good.status_code == bad.status_code == 202
    assert good.json() == bad.json() and set(good.json()) == {"detail"}
    assert len(await sent(messages.ACTIVATION)) == 1


async def test_activate_bad_input_is_422_with_fields(client, demo):
    answer = await client.post("/api/v1/auth/activate", json={"card_number": "", "birth_date": "31.12.1990", "contact": "x"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "birth_date"
    future = next_year().isoformat()
    answer = await client.post("/api/v1/auth/activate", json={"card_number": "", "birth_date": future, "contact": "x"}, headers={"Accept-Language": "en"})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"card_number", "birth_date", "contact"}
    assert "future" in answer.json()["errors"][1]["message"]


async def test_activate_is_throttled_429(client, demo):
    for attempt in range(5):
        await client.post("/api/v1/auth/activate", json={"card_number": "100200300", "birth_date": years_ago(30 + attempt).isoformat(), "contact": "a@b.ru"})
    limited = await client.post("/api/v1/auth/activate", json={"card_number": "100200300", "birth_date": years_ago(40).isoformat(), "contact": "a@b.ru"})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0 and limited.json()["detail"]


async def test_reset_is_always_202_and_confirm_gives_a_token(client, demo):
    old = await bearer(client, "reader@libspace.local")
    for login in ("reader@libspace.local", "nobody@example.ru", "100200399"):
        answer = await client.post("/api/v1/auth/password-reset", json={"login": login})
        assert answer.status_code == 202 and set(answer.json()) == {"detail"}
    (row,) = await sent(messages.PASSWORD_RESET)
    token = token_of(await link_in(row))
    weak = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "short"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    done = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "a-better-password"})
    assert done.status_code == 200 and done.json()["access_token"]
    assert (await client.get("/api/v1/me", headers=old)).status_code == 401
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {done.json()['access_token']}"})).status_code == 200
    again = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "a-better-password"})
    assert again.status_code == 410 and again.json()["reason"] == "used" and again.json()["errors"][0]["field"] == "token"
    unknown = await client.post("/api/v1/auth/password-reset/confirm", json={"token": "not-a-token", "password": "a-better-password"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "token"
    assert (await client.post("/api/v1/auth/password-reset", json={"login": ""})).status_code == 422


async def test_activation_pages_from_form_to_logged_in_card(client, demo):
    birth = years_ago(40)
    await imported(birth=birth)
    form = await client.get("/activate")
    assert form.status_code == 200 and 'name="card_number"' in form.text
    answer = await post_form(client, "/activate", {"card_number": "100 200 300", "birth_date": birth.isoformat(), "contact": "petr@example.ru"})
    assert answer.status_code == 200 and 'role="status"' in answer.text
    (row,) = await sent(messages.ACTIVATION)
    path = await link_in(row)
    page = await client.get(path)
    assert page.status_code == 200 and "100200300" in page.text and 'name="consent_personal_data"' in page.text and 'href="/privacy"' in page.text
    missing_consent = await post_form(client, path, {"password": "petr-password", "password_repeat": "petr-password"}, follow_redirects=True)
    assert missing_consent.status_code == 200 and missing_consent.url.path == path and 'aria-invalid="true"' in missing_consent.text
    done = await post_form(client, path, {"password": "petr-password", "password_repeat": "petr-password", "consent_personal_data": "on"}, follow_redirects=True)
    assert done.status_code == 200 and str(done.url).endswith("/me/card") and "100200300" in done.text
    used = await client.get(path)
    assert used.status_code == 410 and 'href="/password/forgot"' in used.text


async def test_activation_form_errors_rerender(client, demo):
    answer = await post_form(client, "/activate", {"card_number": "", "birth_date": "", "contact": ""}, follow_redirects=True)
    assert answer.status_code == 200 and answer.url.path == "/activate" and answer.text.count('aria-invalid="true"') == 3


async def test_forgot_password_page_and_query_token_link(client, demo):
    answer = await post_form(client, "/password/forgot", {"login": "reader@libspace.local"})
    assert answer.status_code == 200 and 'role="status"' in answer.text
    (row,) = await sent(messages.PASSWORD_RESET)
    token = token_of(await link_in(row))
    redirect = await client.get(f"/password/reset?token={token}", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == f"/password/reset/{token}"
    page = await client.get(f"/password/reset/{token}")
    assert page.status_code == 200 and 'name="consent_personal_data"' not in page.text
    mismatch = await post_form(client, f"/password/reset/{token}", {"password": "new-password-1", "password_repeat": "other"})
    assert mismatch.status_code == 303 and mismatch.headers["location"] == f"/password/reset/{token}"
    done = await post_form(client, f"/password/reset/{token}", {"password": "new-password-1", "password_repeat": "new-password-1"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/me/card"


async def test_a_typed_desk_code_leads_to_the_form(client, demo):
    from src.accounts import tokens

    account = await imported()
    issued = await tokens.issue(account, tokens.DESK)
    typed = await client.get(f"/activate/code?code={issued.display.lower().replace('-', ' ')}", follow_redirects=False)
    assert typed.status_code == 303 and typed.headers["location"] == f"/activate/{issued.token}"
    wrong = await client.get("/activate/code?code=abc")
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text


async def test_privacy_page_shows_the_versioned_policy(client, demo):
    from src.accounts import consent

    page = await client.get("/privacy")
    assert page.status_code == 200 and consent.current().version in page.text and "<h2>" in page.text
    register = await client.get("/register")
    assert consent.current().version in register.text and 'href="/privacy"' in register.text


def test_login_page_links_to_reset_and_activation():
    text = open("templates/accounts/login.html").read()
    assert re.search(r'href="/password/forgot"', text) and 'href="/activate"' in text
