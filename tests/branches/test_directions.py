"""A branch's written directions (issue 16, point 16: "how to get there"): set by administrators on the branch's
edit page and through the API (bounded, no control characters but line breaks, audited), shown on the public
page beside the map's route link and in GET /api/v1/branches/{slug}; the cached answers follow a change."""

import pytest

from src.accounts.permissions import Principal
from src.audit import service as audit_service
from src.branches import admin as branches_admin
from src.branches import service as branches_service
from src.branches.constants import DIRECTIONS_LENGTH
from src.exceptions import Forbidden, Invalid
from tests.conftest import bearer, post_form

ADMIN = Principal(id=10**6, role="admin", full_name="admin")
TEXT = "Остановка «Зейская», 3 минуты пешком.\nВход с торца, пандус."


async def test_the_service_keeps_directions_refuses_control_characters_and_too_long_text_and_audits(demo):
    branch = await branches_service.get_branch("chekhov")
    await branches_admin.update_branch(ADMIN, "chekhov", {"directions": TEXT})
    assert (await branches_service.get_branch("chekhov")).directions == TEXT  # the cached branches were renewed
    for bad in ("Остановка\x07", "Остановка\u2028вход", "о" * (DIRECTIONS_LENGTH + 1)):
        with pytest.raises(Invalid) as refused:
            await branches_admin.update_branch(ADMIN, "chekhov", {"directions": bad})
        assert [error.field for error in refused.value.errors] == ["directions"]
    staff = Principal(id=1, role="staff", full_name="x", branch_ids=frozenset({branch.id}), head_branch_ids=frozenset({branch.id}))
    with pytest.raises(Forbidden):
        await branches_admin.update_branch(staff, "chekhov", {"directions": ""})
    entry = (await audit_service.of_object("branch", branch.id))[-1]
    assert entry.action == "update" and "directions" in entry.changes


async def test_the_api_creates_patches_validates_and_shows_directions(client, demo):
    admin = await bearer(client, "admin@libspace.local")
    made = await client.post("/api/v1/branches", json={"slug": "zeya", "name": "Библиотека на Зее", "directions": TEXT}, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["directions"] == TEXT
    assert (await client.get("/api/v1/branches/zeya")).json()["directions"] == TEXT
    without = await client.post("/api/v1/branches", json={"slug": "amur", "name": "Библиотека на Амуре"}, headers=admin)
    assert without.status_code == 201 and without.json()["directions"] == ""  # optional: old clients send no such field

    listed = (await client.get("/api/v1/branches", params={"page_size": 500})).json()["items"]  # cached from here on
    assert next(item for item in listed if item["slug"] == "zeya")["directions"] == TEXT
    patched = await client.patch("/api/v1/branches/zeya", json={"directions": "Вход со двора."}, headers=admin)
    assert patched.status_code == 200 and patched.json()["directions"] == "Вход со двора."
    listed = (await client.get("/api/v1/branches", params={"page_size": 500})).json()["items"]
    assert next(item for item in listed if item["slug"] == "zeya")["directions"] == "Вход со двора."
    assert (await client.get("/api/v1/branches/zeya")).json()["directions"] == "Вход со двора."

    for bad in ("Вход\x1bсо двора", "д" * (DIRECTIONS_LENGTH + 1)):
        refused = await client.patch("/api/v1/branches/zeya", json={"directions": bad}, headers=admin)
        assert refused.status_code in (400, 422) and refused.json()["errors"][0]["field"] == "directions", refused.text
    staff = await bearer(client, "staff.chekhov@libspace.local")
    assert (await client.patch("/api/v1/branches/chekhov", json={"directions": "x"}, headers=staff)).status_code == 403

    schema = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    create = next(value for name, value in schema.items() if name.endswith("BranchCreate"))
    assert create["properties"]["directions"]["maxLength"] == DIRECTIONS_LENGTH and "directions" not in create.get("required", [])
    out = next(value for name, value in schema.items() if name.endswith("BranchOut"))
    assert "directions" in out["properties"]


async def test_the_edit_page_sets_directions_and_the_public_page_shows_them(client, demo):
    client.headers.update({"Accept": "text/html"})
    page = await client.get("/branches/volkov-arts")
    before = page.text
    assert 'data-testid="route-link"' in before
    client.cookies.clear()
    logged = await post_form(client, "/login", {"login": "admin@libspace.local", "password": "libspace-demo"})
    assert logged.status_code == 303
    form = await client.get("/staff/network/branches/volkov-arts")
    assert 'name="directions"' in form.text and 'maxlength="2000"' in form.text
    values = {"name": "Библиотека искусств имени Волкова", "slug": "volkov-arts", "timezone": "Asia/Yakutsk", "address": "ул. Ленина, 72",
              "latitude": "50.2596", "longitude": "127.5361", "directions": "Остановка «Улица Ленина».\r\nВход с улицы, <ступени>."}
    saved = await post_form(client, "/staff/network/branches/volkov-arts", values)
    assert saved.status_code == 303, saved.text
    shown = (await client.get("/branches/volkov-arts")).text
    assert 'id="directions"' in shown and "Как добраться" in shown
    assert "Остановка «Улица Ленина».\nВход с улицы, &lt;ступени&gt;." in shown  # line breaks kept, text escaped
    assert shown.index('id="directions"') < shown.index('data-testid="route-link"') < shown.index('id="coming-events"')

    bad = await post_form(client, "/staff/network/branches/volkov-arts", {**values, "directions": "Вход\x07"})
    assert bad.status_code == 303 and 'id="e-directions"' in (await client.get("/staff/network/branches/volkov-arts")).text

    emptied = await post_form(client, "/staff/network/branches/volkov-arts", {**values, "directions": ""})
    assert emptied.status_code == 303
    assert 'id="directions"' not in (await client.get("/branches/volkov-arts")).text  # only when filled


async def test_the_demo_branches_say_how_to_get_there(client, demo):
    for branch in await branches_service.list_branches():
        assert branch.directions.strip(), branch.slug
    assert "Как добраться" in (await client.get("/branches/chekhov", headers={"Accept": "text/html"})).text


async def test_staff_of_the_branch_read_the_directions_on_its_card_without_a_form(client, demo):
    client.headers.update({"Accept": "text/html"})
    logged = await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"})
    assert logged.status_code == 303
    card = (await client.get("/staff/network/branches/chekhov")).text
    assert 'data-testid="directions"' in card and "Краснофлотская" in card and 'name="directions"' not in card
    assert "Эти сведения меняют администраторы сети." in card
