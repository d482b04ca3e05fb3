"""The network's pages without JavaScript: an admin creates a branch, gives it hours and a zone; staff shorten a
day's hours, see the booking it would strand, and cancel it; the audit page and its CSV show it all."""

from datetime import timedelta

import pytest

from src.rooms.tables import Booking
from tests import dates
from tests.conftest import bearer, post_form

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def browser_like(client):
    client.headers.update({"Accept": "text/html", "Accept-Language": "en"})
    return client


async def log_in(client, login):
    client.cookies.clear()
    answer = await post_form(client, "/login", {"login": login, "password": "libspace-demo"})
    assert answer.status_code == 303, answer.text


def _every_day(opens: str, closes: str) -> dict[str, str]:
    return {f"{day}_0_{end}": value for day in WEEKDAYS for end, value in (("opens", opens), ("closes", closes))}


async def test_a_branch_with_hours_and_a_zone_then_a_shorter_day(browser_like, demo):
    client = browser_like
    await log_in(client, "admin@libspace.local")
    assert "New branch" in (await client.get("/staff/network")).text
    bad = await post_form(client, "/staff/network/branches/new", {"slug": "Bad slug", "name": "", "timezone": "Asia/Yakutsk"})
    assert bad.status_code == 303 and bad.headers["location"] == "/staff/network/branches/new"
    shown = await client.get("/staff/network/branches/new")
    assert 'id="e-slug"' in shown.text and 'id="e-name"' in shown.text
    made = await post_form(client, "/staff/network/branches/new", {"slug": "zeya", "name": "Библиотека на Зее", "name_en": "Zeya Library", "timezone": "Asia/Yakutsk", "address": "ул. Зейская, 1"})
    assert made.status_code == 303 and made.headers["location"] == "/staff/network/branches/zeya/hours"

    overlap = await post_form(client, "/staff/network/branches/zeya/hours", {**_every_day("10:00", "19:00"), "mon_1_opens": "18:00", "mon_1_closes": "20:00", "which": "weekly"})
    assert overlap.status_code == 303
    assert 'id="e-mon_1_opens"' in (await client.get("/staff/network/branches/zeya/hours")).text
    saved = await post_form(client, "/staff/network/branches/zeya/hours", {**_every_day("10:00", "19:00"), "which": "weekly"})
    assert saved.status_code == 303
    assert 'value="19:00"' in (await client.get("/staff/network/branches/zeya/hours")).text

    zone = await post_form(client, "/staff/network/branches/zeya/zones/new", {
        "name": "Коворкинг на Зее", "kind": "coworking", "capacity": "6", "feature_wifi": "on", "bookable_by_readers": "on", "slot_minutes": "30", "min_minutes": "30",
        "max_minutes": "180", "lead_minutes": "0", "horizon_days": "60", "buffer_before_minutes": "0", "buffer_after_minutes": "0"})
    assert zone.status_code == 303, zone.text
    zone_id = int(zone.headers["location"].rsplit("/", 1)[1])
    bad_zone = await post_form(client, f"/staff/network/zones/{zone_id}", {"name": "Коворкинг", "kind": "coworking", "capacity": "6", "slot_minutes": "45", "min_minutes": "30",
                                                                           "max_minutes": "180", "lead_minutes": "0", "horizon_days": "60", "buffer_before_minutes": "0", "buffer_after_minutes": "0"})
    assert bad_zone.status_code == 303 and 'id="e-min_minutes"' in (await client.get(f"/staff/network/zones/{zone_id}")).text

    reader = await bearer(client, "student@libspace.local")  # no demo booking of theirs overlaps (one person, one place at a time)
    branch = await dates.branch("zeya")
    on = dates.open_day(branch.schedule, after_days=2, weekdays=[5])  # a Saturday
    start = dates.opening(branch.schedule, on, branch.tz, after_minutes=360)  # 16:00
    booked = await client.post("/api/v1/bookings", json={"zone_id": zone_id, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}, headers=reader)
    assert booked.status_code == 201, booked.text

    shorter = {**_every_day("10:00", "19:00"), "sat_0_closes": "15:00", "which": "weekly"}
    refused = await post_form(client, "/staff/network/branches/zeya/hours", shorter)
    assert refused.status_code == 303
    listed = await client.get("/staff/network/branches/zeya/hours")
    assert 'data-testid="affected"' in listed.text and f"№{booked.json()['id']}" in listed.text
    done = await post_form(client, "/staff/network/branches/zeya/hours", {**shorter, "on_conflict": "cancel", "reason": "Короткая суббота"})
    assert done.status_code == 303
    assert (await Booking.select(Booking.status).where(Booking.id == booked.json()["id"]).first())["status"] == "cancelled"

    short = await post_form(client, "/staff/network/branches/zeya/hours", {"date": on.isoformat(), "opens": "10:00", "closes": "12:00", "note": "Субботник", "which": "exception"},
                            action="/staff/network/branches/zeya/exceptions")
    assert short.status_code == 303 and "Субботник" in (await client.get("/staff/network/branches/zeya/hours")).text
    back = await post_form(client, "/staff/network/branches/zeya/hours", {"remove_date": on.isoformat(), "which": f"remove-{on.isoformat()}"},
                           action="/staff/network/branches/zeya/exceptions/remove")
    assert back.status_code == 303 and "Субботник" not in (await client.get("/staff/network/branches/zeya/hours")).text

    audit = await client.get("/staff/network/audit", params={"branch": "zeya"})
    assert audit.status_code == 200 and "update_hours" in audit.text and "cancel" in audit.text and "create" in audit.text
    csv = await client.get("/staff/network/audit.csv", params={"branch": "zeya"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv") and "update_hours" in csv.text


async def test_pages_are_for_staff_of_the_branch(browser_like, demo):
    client = browser_like
    await log_in(client, "staff.chekhov@libspace.local")
    assert (await client.get("/staff/network/branches/new")).status_code == 403
    assert (await client.get("/staff/network/branches/centralnaya/hours")).status_code == 403
    assert (await client.get("/staff/network/branches/centralnaya/zones")).status_code == 403
    assert (await client.get("/staff/network/branches/chekhov/hours")).status_code == 200
    assert (await client.get("/staff/network/audit")).status_code == 403
    await log_in(client, "reader@libspace.local")
    assert (await client.get("/staff/network")).status_code == 403


async def test_an_old_address_leads_to_the_renamed_branch(browser_like, demo):
    admin = await bearer(browser_like, "admin@libspace.local")
    assert (await browser_like.patch("/api/v1/branches/bagulnik", json={"slug": "bagulnik-library"}, headers=admin)).status_code == 200
    old = await browser_like.get("/branches/bagulnik", follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"] == "/branches/bagulnik-library"
    assert (await browser_like.get("/branches/bagulnik-library")).status_code == 200


async def test_admins_add_zone_kinds_and_features(browser_like, demo):
    client = browser_like
    await log_in(client, "admin@libspace.local")
    added = await post_form(client, "/staff/network/zone-lists", {"kinds_code": "podcast_studio", "kinds_name": "Подкаст-студия", "kinds_name_en": "Podcast studio"},
                            action="/staff/network/zone-lists/kinds")
    assert added.status_code == 303
    assert "Podcast studio" in (await client.get("/staff/network/zone-lists")).text
    admin = await bearer(client, "admin@libspace.local")
    zone = await client.post("/api/v1/zones", json={"branch": "chekhov", "name": "Студия звука", "kind": "podcast_studio", "capacity": 3}, headers=admin)
    assert zone.status_code == 201, zone.text
    assert "Podcast studio" in (await client.get("/zones", params={"kind": "podcast_studio"})).text  # its name, not its code
    renamed = await post_form(client, "/staff/network/zone-lists", {"name": "Студия подкастов", "name_en": "Podcast room", "is_active": "on"},
                              action="/staff/network/zone-lists/kinds/podcast_studio")
    assert renamed.status_code == 303
    assert "Podcast room" in (await client.get(f"/zones/{zone.json()['id']}")).text
    off = await client.patch("/api/v1/zone-kinds/podcast_studio", json={"is_active": False}, headers=admin)
    assert off.status_code == 200 and "podcast_studio" not in [item["code"] for item in off.json()]
    assert (await client.patch(f"/api/v1/zones/{zone.json()['id']}", json={"capacity": 4}, headers=admin)).status_code == 200  # the zone keeps its kind
    assert "Студия подкастов" in (await client.get(f"/zones/{zone.json()['id']}", headers={"Accept-Language": "ru"})).text
    assert (await client.patch("/api/v1/zone-kinds/coworking", json={"name": "Х"}, headers=admin)).status_code == 404  # built-in ones are not renamed
    bad = await post_form(client, "/staff/network/zone-lists", {"features_code": "Bad Code", "features_name": ""}, action="/staff/network/zone-lists/features")
    assert bad.status_code == 303 and 'id="e-features_code"' in (await client.get("/staff/network/zone-lists")).text
    await log_in(client, "staff.chekhov@libspace.local")
    shown = await client.get("/staff/network/zone-lists")
    assert shown.status_code == 200 and "/staff/network/zone-lists/kinds" not in shown.text
    refused = await post_form(client, "/staff/network/zone-lists", {"kinds_code": "x_room", "kinds_name": "X"}, action="/staff/network/zone-lists/kinds")
    assert refused.status_code == 403


async def test_a_zone_keeps_its_own_hours_inside_the_branch(browser_like, demo):
    client = browser_like
    branch = await dates.branch("centralnaya")
    zone = next(zone for zone in branch.zones if zone.name == "Коворкинг")
    on = dates.open_day(zone.schedule, after_days=3)
    start = dates.opening(zone.schedule, on, branch.tz, after_minutes=120)
    reader = await bearer(client, "reader@libspace.local")
    booked = await client.post("/api/v1/bookings", json={"zone_id": zone.id, "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}, headers=reader)
    assert booked.status_code == 201, booked.text
    await log_in(client, "staff.chekhov@libspace.local")
    assert (await client.get(f"/staff/network/zones/{zone.id}/hours")).status_code == 403
    await log_in(client, "staff.centralnaya@libspace.local")
    assert "The branch's hours" in (await client.get(f"/staff/network/zones/{zone.id}/hours")).text
    open_days = [day for day in WEEKDAYS if (await client.get("/api/v1/branches/centralnaya/hours")).json()["weekly"][day]]
    evenings = {f"{day}_0_{end}": value for day in open_days for end, value in (("opens", "17:00"), ("closes", "18:00"))} | {"which": "weekly"}
    refused = await post_form(client, f"/staff/network/zones/{zone.id}/hours", evenings, follow_redirects=True)
    assert 'data-testid="affected"' in refused.text and f"№{booked.json()['id']}" in refused.text
    kept = await post_form(client, f"/staff/network/zones/{zone.id}/hours", {**evenings, "on_conflict": "keep"}, follow_redirects=True)
    assert "Kept outside the hours" in kept.text and 'value="17:00"' in kept.text
    assert (await Booking.select(Booking.override_hours).where(Booking.id == booked.json()["id"]).first())["override_hours"]
