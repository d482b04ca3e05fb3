""""My data" pages and the desk's erasure page."""

from __future__ import annotations

from src.accounts.tables import Account
from tests.conftest import post_form


async def test_my_data_shows_the_consent_downloads_and_erases(client, demo):
    await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"})
    overview = await client.get("/me/data")
    assert overview.status_code == 200 and 'data-testid="consent"' in overview.text and 'href="/privacy"' in overview.text
    download = await client.get("/me/data/export")
    assert download.status_code == 200 and download.json()["account"]["email"] == "reader@libspace.local"
    form = await client.get("/me/data/erase")
    assert form.status_code == 200 and 'data-testid="what-happens"' in form.text
    unconfirmed = await post_form(client, "/me/data/erase", {"password": "libspace-demo"})
    assert unconfirmed.status_code == 303 and 'aria-invalid="true"' in (await client.get("/me/data/erase")).text
    wrong = await post_form(client, "/me/data/erase", {"password": "nope-nope-nope", "confirm": "on"})
    assert wrong.status_code == 303 and wrong.headers["location"] == "/me/data/erase"
    done = await post_form(client, "/me/data/erase", {"password": "libspace-demo", "confirm": "on"})
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert not await Account.exists().where(Account.email == "reader@libspace.local")
    assert (await client.get("/me/data", follow_redirects=False)).status_code in (302, 303, 401)


async def test_staff_erase_page_asks_for_the_written_request(client, demo):
    await post_form(client, "/login", {"login": "staff.dialog@libspace.local", "password": "libspace-demo"})
    card = demo.card_for("0004")
    step = await client.get(f"/staff/readers/{card}/erase")
    assert step.status_code == 200 and 'name="reason"' in step.text
    empty = await post_form(client, f"/staff/readers/{card}/erase", {"reason": ""})
    assert empty.status_code == 303 and empty.headers["location"] == f"/staff/readers/{card}/erase"
    done = await post_form(client, f"/staff/readers/{card}/erase", {"reason": "заявление № 7"})
    assert done.status_code == 303 and done.headers["location"] == "/staff/readers"
    assert not await Account.exists().where(Account.email == "student@libspace.local")
