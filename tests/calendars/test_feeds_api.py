"""Public and private feeds over HTTP: content type, 304 by ETag and by date, HEAD, tokens."""

from __future__ import annotations

from datetime import date, timedelta, timezone

import icalendar

from src.branches.tables import Branch, Closure
from src.calendars.http import bodies
from src.db import write_transaction
from src.rooms import service as rooms_service
from src.rooms.tables import Zone
from src.timeutil import now_utc
from tests import dates
from tests.calendars.clients import icaljs, python_spans
from tests.conftest import bearer

UTC = timezone.utc


async def add_closure(slug: str, starts_on: date, ends_on: date, reason: str = "Санитарный день", zone: int | None = None) -> None:
    from piccolo.engine import engine_finder

    branch = await Branch.select(Branch.id).where(Branch.slug == slug).first()
    async with write_transaction(engine_finder()):
        await Closure.insert(Closure(branch=branch["id"], zone=zone, starts_on=starts_on, ends_on=ends_on, kind="sanitary", reason=reason, created_at=now_utc()))
        await rooms_service.changed()


async def test_branch_feed_is_a_calendar(client, demo):
    response = await client.get("/feeds/branches/chekhov.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=900"
    assert "set-cookie" not in response.headers
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar.events, "the demo branch has holidays and sanitary days"
    event = calendar.events[0]
    assert event["UID"].endswith("@libspace") and event["URL"].endswith("/branches/chekhov")
    assert "Краснофлотская" in str(event["LOCATION"]) and event["GEO"].latitude
    assert str(event["TRANSP"]) == "TRANSPARENT"  # closures inform; they do not block a subscriber's day


async def test_feeds_need_the_ics_suffix_and_exist(client, demo):
    assert (await client.get("/feeds/branches/chekhov")).status_code == 404
    assert (await client.get("/feeds/branches/nowhere.ics")).status_code == 404
    assert (await client.get("/feeds/zones/abc.ics")).status_code == 404
    assert (await client.get("/feeds/zones/999999.ics")).status_code == 404


async def test_304_by_etag_and_by_date_and_head(client, demo):
    first = await client.get("/feeds/branches/chekhov.ics")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = await client.get("/feeds/branches/chekhov.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    by_date = await client.get("/feeds/branches/chekhov.ics", headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    stale = await client.get("/feeds/branches/chekhov.ics", headers={"If-None-Match": '"old"', "If-Modified-Since": modified})
    assert stale.status_code == 200 and stale.content == first.content
    head = await client.head("/feeds/branches/chekhov.ics")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(first.content)) and head.headers["etag"] == etag
    head_304 = await client.head("/feeds/branches/chekhov.ics", headers={"If-None-Match": etag})
    assert head_304.status_code == 304


async def test_a_change_changes_the_etag_and_the_feed(client, demo):
    first = await client.get("/feeds/branches/chekhov.ics")
    roof = dates.today() + timedelta(days=60)
    await add_closure("chekhov", roof, roof + timedelta(days=2), reason="Ремонт крыши")
    second = await client.get("/feeds/branches/chekhov.ics", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    assert "Ремонт крыши" in second.content.decode().replace("\r\n ", "")
    bodies.clear()
    rebuilt = await client.get("/feeds/branches/chekhov.ics")
    assert rebuilt.content == second.content and rebuilt.headers["etag"] == second.headers["etag"]


async def test_zone_feed_shows_closures_as_busy_days(client, demo):
    zone = await Zone.select(Zone.id, Zone.branch).first()
    slug = (await Branch.select(Branch.slug).where(Branch.id == zone["branch"]).first())["slug"]
    shut = dates.today() + timedelta(days=90)
    await add_closure(slug, shut, shut + timedelta(days=1), reason="Только этот зал", zone=zone["id"])
    response = await client.get(f"/feeds/zones/{zone['id']}.ics")
    assert response.status_code == 200
    spans = python_spans(response.content, dates.at(shut, 0, tz=UTC) - timedelta(days=1), dates.at(shut, 0, tz=UTC) + timedelta(days=4))
    assert (shut, shut + timedelta(days=2)) in [(s[1], s[2]) for s in spans]  # DTEND of a date is exclusive
    calendar = icalendar.Calendar.from_ical(response.content)
    assert {str(e["TRANSP"]) for e in calendar.events} == {"OPAQUE"}
    other = await client.get(f"/feeds/branches/{slug}.ics")
    assert "Только этот зал" not in other.content.decode().replace("\r\n ", "")  # a zone's closure is the zone's


async def test_feed_in_english_on_request(client, demo):
    russian = (await client.get("/feeds/branches/chekhov.ics")).content.decode().replace("\r\n ", "")
    english = (await client.get("/feeds/branches/chekhov.ics?lang=en")).content.decode().replace("\r\n ", "")
    assert "Закрыто" in russian and "Closed" in english


async def test_every_public_feed_parses_in_icaljs(client, demo):
    zone = await Zone.select(Zone.id).first()
    for path in ("/feeds/branches/chekhov.ics", f"/feeds/zones/{zone['id']}.ics"):
        body = (await client.get(path)).content
        parsed = icaljs(body, now_utc() - timedelta(days=400), now_utc() + timedelta(days=800))  # wider than any feed
        assert parsed["calendar"]["name"] and parsed["calendar"]["refreshInterval"] == "PT1H"
        assert len(parsed["events"]) == body.count(b"BEGIN:VEVENT")


async def test_private_feeds_list_and_regenerate(client, demo):
    headers = await bearer(client, "staff.chekhov@libspace.local")
    listed = await client.get("/api/v1/me/feeds", headers=headers)
    assert listed.status_code == 200
    (feed,) = listed.json()["feeds"]
    assert feed["kind"] == "staff"
    url = feed["links"]["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes
    assert feed["links"]["webcal"].startswith("webcal://") and "calendar.google.com" in feed["links"]["google"]
    assert (await client.get("/api/v1/me/feeds", headers=headers)).json()["feeds"][0]["links"]["url"] == url  # stable
    path = url.split("://", 1)[1].split("/", 1)[1]
    private = await client.get(f"/{path}")
    assert private.status_code == 200 and private.headers["cache-control"].startswith("private")
    assert b"BEGIN:VEVENT" in private.content  # the staff member's branch closures

    regenerated = await client.post("/api/v1/me/feeds/regenerate", headers=headers)
    assert regenerated.status_code == 200
    new_url = regenerated.json()["feeds"][0]["links"]["url"]
    assert new_url != url
    assert (await client.get(f"/{path}")).status_code == 404
    assert (await client.get("/" + new_url.split("://", 1)[1].split("/", 1)[1])).status_code == 200


async def test_private_feeds_need_a_login_and_a_known_token(client, demo):
    assert (await client.get("/api/v1/me/feeds")).status_code == 401
    assert (await client.get("/feeds/private/" + "x" * 43 + ".ics")).status_code == 404
    headers = await bearer(client, "reader@libspace.local")
    bad = await client.post("/api/v1/me/feeds/regenerate", headers=headers, json={"kind": "nonsense"})
    assert bad.status_code == 422
    (feed,) = (await client.get("/api/v1/me/feeds", headers=headers)).json()["feeds"]
    assert feed["kind"] == "reader"
