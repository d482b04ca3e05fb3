"""The frame of every page over HTTP: header and menus by role, the version for the visually impaired (a
cookie, no JavaScript), the accessibility statement, the manifest and favicon, and the error pattern."""

import json
import re

from tests.conftest import post_form


async def log_in(client, login: str) -> None:
    answer = await post_form(client, "/login", {"login": login, "password": "libspace-demo"})
    assert answer.status_code == 303, answer.text


def header(html: str) -> str:
    return html.split('<header class="top">', 1)[1].split("</header>", 1)[0]


async def test_header_for_a_guest_has_a_menu_the_language_and_the_version_for_the_visually_impaired(client, demo):
    top = header((await client.get("/events")).text)
    assert '<details class="menu dropdown">' in top and "<summary" in top  # the phone menu works without JavaScript
    assert 'href="/lang/en?next=%2Fevents"' in top and 'lang="en"' in top
    assert 'href="/accessibility/settings?on=1&amp;next=%2Fevents"' in top
    assert 'href="/login?next=%2Fevents"' in top and 'href="/events" aria-current="page"' in top


async def test_staff_have_one_home_instead_of_a_row_of_links(client, demo):
    await log_in(client, "staff.chekhov@libspace.local")
    page = await client.get("/staff")
    top = header(page.text)
    assert 'href="/staff" aria-current="page"' in top and "/staff/approvals" not in top and "/staff/checkin" not in top
    assert "Сотрудник библиотеки" in top  # the role in the nominative
    links = page.text.split('data-testid="staff-links"', 1)[1]
    for href in ("/staff/events", "/staff/checkin", "/staff/approvals", "/staff/visits", "/staff/schools", "/guidance/fields"):
        assert f'href="{href}"' in links


async def test_account_menu_links_calendar_and_reminders(client, demo):
    await log_in(client, "reader@libspace.local")
    top = header((await client.get("/")).text)
    for href in ("/me/card", "/me/registrations", "/me/bookings", "/me/feeds", "/me/messages", "/me/password"):
        assert f'href="{href}"' in top
    assert 'action="/logout"' in top


async def test_version_for_the_visually_impaired_is_a_cookie_and_classes_on_the_page(client, demo):
    switched = await client.get("/accessibility/settings", params={"on": "1", "next": "/events"})
    assert switched.status_code == 303 and switched.headers["location"] == "/events"
    cookie = switched.headers["set-cookie"]
    assert cookie.startswith("vision=large.bw.on.normal.normal") and "httponly" in cookie.lower()
    page = await client.get("/events")
    assert re.search(r'<html lang="ru" class="vi vi-font-large vi-scheme-bw vi-big">', page.text)
    assert 'data-testid="vision-bar"' in page.text and 'data-testid="vision-off"' in page.text
    await client.get("/accessibility/settings", params={"font": "xlarge", "scheme": "blue", "images": "off", "spacing": "wide", "layout": "one", "next": "/"})
    page = await client.get("/")
    assert 'class="vi vi-font-xlarge vi-scheme-blue vi-big vi-no-images vi-wide vi-one"' in page.text
    await client.get("/accessibility/settings", params={"scheme": "purple", "next": "/"})  # unknown choices change nothing
    assert "vi-scheme-blue" in (await client.get("/")).text
    off = await client.get("/accessibility/settings", params={"off": "1", "next": "https://evil.example/"})
    assert off.headers["location"] == "/" and 'max-age=0' in off.headers["set-cookie"].lower()
    assert 'class="vi' not in (await client.get("/")).text


async def test_a_broken_vision_cookie_means_the_usual_version(client, demo):
    client.cookies.set("vision", "huge.pink.on.normal.normal")
    assert 'class="vi' not in (await client.get("/")).text


async def test_accessibility_statement(client, demo):
    page = await client.get("/accessibility")
    assert page.status_code == 200 and "Заявление о доступности" in page.text and "ГОСТ Р 52872-2019" in page.text
    assert 'href="/accessibility"' in page.text.split('<footer', 1)[1]  # linked from every page's footer


async def test_manifest_and_icons(client, demo):
    page = (await client.get("/")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page and 'rel="icon"' in page
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = json.loads(manifest.text)
    assert body["short_name"] and body["theme_color"] and body["start_url"] == "/" and body["display"] == "standalone"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        assert (await client.get(icon["src"])).status_code == 200
    # "any" and "maskable" in entries of their own (browsers warn about "any maskable"), each in both sizes
    assert {icon["purpose"] for icon in body["icons"]} == {"any", "maskable"}
    for purpose in ("any", "maskable"):
        assert {"192x192", "512x512"} <= {icon["sizes"] for icon in body["icons"] if icon["purpose"] == purpose}
    favicon = await client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.content[:4] == b"\x00\x00\x01\x00"
    english = await client.get("/manifest.webmanifest", headers={"Accept-Language": "en"})
    assert json.loads(english.text)["lang"] == "en"
