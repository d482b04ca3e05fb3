"""School visits in calendars: a school's private feed, the staff's branch schedule, one visit's .ics and the
calendar links on the visit pages. Parsed by icalendar and ical.js; the instants equal the API's."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import icalendar

from tests.calendars.clients import icaljs, icaljs_spans, instant, python_spans
from tests.conftest import bearer, post_form
from tests.schools.conftest import hall_id, local, open_day, programme_id

UTC = timezone.utc
SECRET_NEEDS = "Пандус для Пети Иванова"
SECRET_NOTE = "Мама Маши Сидоровой, тел. +7 914 000-00-00"


async def visit_body(day, class_name: str = "8Б", **overrides) -> dict:
    body = {
        "programme_id": await programme_id(),
        "branch": "chekhov",
        "windows": [{"starts_at": (await local(day, 11)).isoformat(), "ends_at": (await local(day, 15)).isoformat()}],
        "class_name": class_name,
        "grade": int("".join(ch for ch in class_name if ch.isdigit())),
        "group_size": 24,
        "adults": 2,
        "needs": SECRET_NEEDS,
        "note": SECRET_NOTE,
    }
    body.update(overrides)
    return body


async def school_visits(client) -> dict:
    """Four visits of school-5 at the Chekhov library: confirmed, proposed, cancelled after confirmation,
    declined after a proposal; and one only requested (no time: not in any feed)."""
    teacher = await bearer(client, "teacher@libspace.local")
    staff = await bearer(client, "staff.chekhov@libspace.local")
    day = await open_day()
    other_day = await open_day(weekday=3, after=day)  # after the first day: both inside window(day)
    visits = {}
    for name, class_name in (("confirmed", "8А"), ("proposed", "9А"), ("cancelled", "10А"), ("declined", "11А"), ("requested", "8В")):
        created = await client.post("/api/v1/visits", json=await visit_body(day, class_name=class_name), headers=teacher)
        assert created.status_code == 201, created.text
        visits[name] = created.json()["id"]
    hall = await hall_id()
    confirm = lambda at: {"zone_id": hall, "starts_at": at.isoformat()}  # noqa: E731
    assert (await client.post(f"/api/v1/visits/{visits['confirmed']}/confirm", json=confirm(await local(day, 11)), headers=staff)).status_code == 200
    assert (await client.post(f"/api/v1/visits/{visits['cancelled']}/confirm", json=confirm(await local(day, 13)), headers=staff)).status_code == 200
    assert (await client.post(f"/api/v1/visits/{visits['cancelled']}/cancel", json={"reason": "Карантин"}, headers=teacher)).status_code == 200
    proposed = await client.post(f"/api/v1/visits/{visits['proposed']}/propose", json={"starts_at": (await local(other_day, 11)).isoformat()}, headers=staff)
    assert proposed.status_code == 200, proposed.text
    proposed = await client.post(f"/api/v1/visits/{visits['declined']}/propose", json={"starts_at": (await local(other_day, 14)).isoformat()}, headers=staff)
    assert proposed.status_code == 200, proposed.text
    assert (await client.post(f"/api/v1/visits/{visits['declined']}/decline", headers=teacher)).status_code == 200
    return {"ids": visits, "teacher": teacher, "staff": staff, "day": day}


async def private_url(client, headers: dict, kind: str) -> str:
    feeds = (await client.get("/api/v1/me/feeds", headers=headers)).json()["feeds"]
    assert [feed["kind"] for feed in feeds] == [kind]
    return feeds[0]["links"]["url"].split("://", 1)[1].split("/", 1)[1]


def window(day) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) - timedelta(days=2)
    return start, start + timedelta(days=30)


async def test_a_schools_private_feed_holds_its_visits_as_the_api_says(client, demo):
    setup = await school_visits(client)
    ids, teacher = setup["ids"], setup["teacher"]
    url = await private_url(client, teacher, "school")
    response = await client.get("/" + url)
    assert response.status_code == 200 and response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"].startswith("private")
    text = response.content.decode()
    assert SECRET_NEEDS not in text and SECRET_NOTE not in text and "Иванов" not in text and "+7 914" not in text

    calendar = icalendar.Calendar.from_ical(response.content)
    by_uid = {str(event["UID"]): event for event in calendar.events}
    mine = {f"visit-{ids[name]}@libspace" for name in ("confirmed", "proposed", "cancelled", "declined")}
    assert mine <= set(by_uid) and f"visit-{ids['requested']}@libspace" not in by_uid  # (the demo has visits of its own)
    assert all(uid.startswith("visit-") for uid in by_uid)
    status = {name: str(by_uid[f"visit-{ids[name]}@libspace"]["STATUS"]) for name in ("confirmed", "proposed", "cancelled", "declined")}
    assert status == {"confirmed": "CONFIRMED", "proposed": "TENTATIVE", "cancelled": "CANCELLED", "declined": "CANCELLED"}
    confirmed = by_uid[f"visit-{ids['confirmed']}@libspace"]
    assert str(confirmed["URL"]).endswith(f"/schools/visits/{ids['confirmed']}")
    assert "Краснофлотская" in str(confirmed["LOCATION"]) and "Чехова" in str(confirmed["LOCATION"])
    assert confirmed["LAST-MODIFIED"].dt and confirmed["DTSTAMP"].dt and int(confirmed["SEQUENCE"]) >= 2
    assert "Город профессий" in str(confirmed["SUMMARY"])

    expected = []
    for name in ("confirmed", "proposed"):
        visit = (await client.get(f"/api/v1/visits/{ids[name]}", headers=teacher)).json()
        expected.append((f"visit-{ids[name]}@libspace", instant(visit["starts_at"]), instant(visit["ends_at"])))
    assert [span for span in python_spans(response.content, *window(setup["day"])) if span[0] in mine] == sorted(expected)
    assert [span for span in icaljs_spans(response.content, *window(setup["day"])) if span[0] in mine] == sorted(expected)
    parsed = icaljs(response.content, *window(setup["day"]))
    assert {e["status"] for e in parsed["events"] if e["uid"] in mine} == {"CONFIRMED", "TENTATIVE", "CANCELLED"}


async def test_sequence_rises_and_the_etag_changes_when_a_visit_changes(client, demo):
    setup = await school_visits(client)
    ids, teacher = setup["ids"], setup["teacher"]
    url = "/" + await private_url(client, teacher, "school")
    first = await client.get(url)
    uid = f"visit-{ids['proposed']}@libspace"
    before = next(e for e in icalendar.Calendar.from_ical(first.content).events if str(e["UID"]) == uid)
    assert (await client.get(url, headers={"If-None-Match": first.headers["etag"]})).status_code == 304
    assert (await client.post(f"/api/v1/visits/{ids['proposed']}/accept", headers=teacher)).status_code == 200
    second = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    after = next(e for e in icalendar.Calendar.from_ical(second.content).events if str(e["UID"]) == uid)
    assert str(after["STATUS"]) == "CONFIRMED" and int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["LAST-MODIFIED"].dt >= before["LAST-MODIFIED"].dt


async def test_another_school_sees_none_of_it(client, demo):
    setup = await school_visits(client)
    other = await bearer(client, "teacher.school-14@libspace.local")
    url = "/" + await private_url(client, other, "school")
    feed = icalendar.Calendar.from_ical((await client.get(url)).content)
    theirs = {f"visit-{v['id']}@libspace" for v in (await client.get("/api/v1/visits", params={"page_size": 100}, headers=other)).json()["items"]}
    uids = {str(event["UID"]) for event in feed.events}
    assert uids <= theirs and not uids & {f"visit-{i}@libspace" for i in setup["ids"].values()}
    pending = await bearer(client, "new.teacher@libspace.local")  # not approved: no school, no feed
    assert (await client.get("/api/v1/me/feeds", headers=pending)).json()["feeds"] == []

    visit_id = setup["ids"]["confirmed"]
    path = f"/schools/visits/{visit_id}/calendar.ics"
    assert (await client.get(path, headers=other)).status_code == 404
    assert (await client.get(path, headers=await bearer(client, "staff.dialog@libspace.local"))).status_code == 404
    assert (await client.get("/schools/visits/999999/calendar.ics", headers=setup["teacher"])).status_code == 404
    anonymous = await client.get(path)
    assert anonymous.status_code == 302 and anonymous.headers["location"].startswith("/login?next=")
    for headers in (setup["teacher"], setup["staff"]):
        one = await client.get(path, headers=headers)
        assert one.status_code == 200 and one.headers["content-type"].startswith("text/calendar")
        events = icalendar.Calendar.from_ical(one.content).events
        assert [str(e["UID"]) for e in events] == [f"visit-{visit_id}@libspace"]
        assert SECRET_NEEDS not in one.text and SECRET_NOTE not in one.text
        assert icaljs_spans(one.content, *window(setup["day"])) == python_spans(one.content, *window(setup["day"]))


async def test_staff_schedule_names_programme_and_school_once(client, demo):
    setup = await school_visits(client)
    ids, staff = setup["ids"], setup["staff"]
    url = "/" + await private_url(client, staff, "staff")
    response = await client.get(url)
    text = response.content.decode()
    assert SECRET_NEEDS not in text and SECRET_NOTE not in text
    events = icalendar.Calendar.from_ical(response.content).events
    confirmed = [e for e in events if str(e["UID"]) == f"visit-{ids['confirmed']}@libspace"]
    assert len(confirmed) == 1 and str(confirmed[0]["TRANSP"]) == "OPAQUE"
    assert "Город профессий" in str(confirmed[0]["SUMMARY"]) and "5" in str(confirmed[0]["SUMMARY"])
    visit = (await client.get(f"/api/v1/visits/{ids['confirmed']}", headers=staff)).json()
    from src.schools.tables import VisitRequest

    booking = (await VisitRequest.select(VisitRequest.booking).where(VisitRequest.id == ids["confirmed"]).first())["booking"]
    assert booking and f"booking-{booking}@libspace" not in {str(e["UID"]) for e in events}  # shown once, as the visit
    span = (f"visit-{ids['confirmed']}@libspace", instant(visit["starts_at"]), instant(visit["ends_at"]))
    assert span in python_spans(response.content, *window(setup["day"]))
    assert span in icaljs_spans(response.content, *window(setup["day"]))
    other_staff = await bearer(client, "staff.dialog@libspace.local")
    other = await client.get("/" + await private_url(client, other_staff, "staff"))
    assert f"visit-{ids['confirmed']}@libspace" not in other.text


async def test_calendar_links_on_the_visit_page_and_the_dashboard(client, demo):
    setup = await school_visits(client)
    visit_id = setup["ids"]["confirmed"]
    for login in ("teacher@libspace.local", "staff.chekhov@libspace.local"):
        client.cookies.clear()
        assert (await post_form(client, "/login", {"login": login, "password": "libspace-demo"})).status_code == 303
        page = await client.get(f"/schools/visits/{visit_id}")
        assert page.status_code == 200
        assert f"/schools/visits/{visit_id}/calendar.ics" in page.text and "webcal://" in page.text and "calendar.google.com" in page.text
    client.cookies.clear()
    await post_form(client, "/login", {"login": "teacher@libspace.local", "password": "libspace-demo"})
    dashboard = await client.get("/schools", headers={"Accept-Language": "ru"})
    assert dashboard.status_code == 200 and f"/schools/visits/{visit_id}/calendar.ics" in dashboard.text
    requested = await client.get(f"/schools/visits/{setup['ids']['requested']}")
    assert "calendar.ics" not in requested.text
