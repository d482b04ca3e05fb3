"""A counsellor's availability over the API: their own under /api/v1/me/availability, any counsellor's for
administrators under /api/v1/guidance/counsellors/{id}/availability; the same rules as the pages (issue 16)."""

from datetime import timedelta

from src.accounts.tables import Account, StaffBranch
from src.branches.tables import Branch
from tests import dates
from tests.conftest import bearer
from tests.guidance.conftest import make_counsellor, make_reader, token_for

MINE = "/api/v1/me/availability"
TUESDAY = {"branch": "chekhov", "weekday": 1, "starts": "12:00", "ends": "14:00", "slot_minutes": 60, "buffer_minutes": 0}


def of(counsellor_id: int) -> str:
    return f"/api/v1/guidance/counsellors/{counsellor_id}/availability"


async def test_counsellor_adds_lists_and_removes_weekly_windows(client, demo):
    me = await make_counsellor()
    headers = await token_for(me)
    assert (await client.get(MINE, headers=headers)).json() == []
    added = await client.post(MINE, json=TUESDAY, headers=headers)
    assert added.status_code == 201, added.text
    window = added.json()
    assert window["id"] > 0 and window["counsellor_id"] == me and window["branch"] == "chekhov" and window["branch_name"]
    assert (window["weekday"], window["starts"], window["ends"], window["valid_from"]) == (1, "12:00", "14:00", None)
    assert (await client.get(MINE, headers=headers)).json() == [window]
    chekhov = await dates.branch("chekhov")
    tuesday = dates.open_day(chekhov.schedule, 2, weekdays=[1], tz=chekhov.tz)
    slots = (await client.get("/api/v1/guidance/slots", params={"counsellor": me, "start": tuesday.isoformat(), "end": tuesday.isoformat()})).json()["items"]
    assert [slot["starts_at"][11:16] for slot in slots] == ["12:00", "13:00"]
    clash = await client.post(MINE, json=TUESDAY | {"starts": "13:00", "ends": "15:00"}, headers=headers)
    assert clash.status_code == 409 and clash.json()["errors"][0]["field"] == "starts"
    removed = await client.post(f"{MINE}/{window['id']}/remove", headers=headers)
    assert removed.status_code == 204
    assert (await client.get(MINE, headers=headers)).json() == []
    again = await client.post(f"{MINE}/{window['id']}/remove", headers=headers)
    assert again.status_code == 404 and again.json()["detail"]


async def test_windows_only_inside_the_branch_hours_and_at_the_counsellors_branches_in_the_callers_language(client, demo):
    me = await make_counsellor()
    headers = await token_for(me)
    outside = {"ru": None, "en": None}
    for language in outside:
        answer = await client.post(MINE, json=TUESDAY | {"starts": "08:00", "ends": "10:00"}, headers=headers | {"Accept-Language": language})
        assert answer.status_code == 422 and [e["field"] for e in answer.json()["errors"]] == ["starts"]
        outside[language] = answer.json()["errors"][0]["message"]
    assert "11:00–20:00" in outside["en"] and outside["en"].startswith("The library is open") and outside["ru"] != outside["en"]
    for language, detail, message in (("ru", "Исправьте ошибки ниже", "Выберите: выходной или дополнительные часы"), ("en", "Please correct the errors below", "Choose: day off or extra hours")):
        odd = await client.post(f"{MINE}/exceptions", json={"on": dates.today().isoformat(), "kind": "maybe"}, headers=headers | {"Accept-Language": language})
        assert odd.status_code == 422 and odd.json() == {"detail": detail, "errors": [{"field": "kind", "message": message}]}  # the default detail too
    sunday = await client.post(MINE, json=TUESDAY | {"weekday": 6}, headers=headers)  # Chekhov is closed on Sundays
    assert sunday.status_code == 422 and [e["field"] for e in sunday.json()["errors"]] == ["weekday"]
    bad = await client.post(MINE, json=TUESDAY | {"starts": "25:00", "slot_minutes": 50}, headers=headers)
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} >= {"starts"}
    dialog = await Branch.select(Branch.id).where(Branch.slug == "dialog").first()
    await StaffBranch.insert(StaffBranch(account=me, branch=dialog["id"]))  # the staff page gave them Dialog only
    elsewhere = await client.post(MINE, json=TUESDAY, headers=headers)
    assert elsewhere.status_code == 422 and [e["field"] for e in elsewhere.json()["errors"]] == ["branch"]


async def test_exceptions_filtered_by_a_date_or_a_date_time_and_removed(client, demo):
    me = await make_counsellor()
    headers = await token_for(me)
    chekhov = await dates.branch("chekhov")
    day = dates.open_day(chekhov.schedule, 5, weeks=2, tz=chekhov.tz)
    off = await client.post(f"{MINE}/exceptions", json={"on": day.isoformat(), "kind": "off", "note": "Курсы"}, headers=headers)
    assert off.status_code == 201, off.text
    assert off.json()["id"] > 0 and off.json()["kind"] == "off" and off.json()["branch"] is None and off.json()["note"] == "Курсы"
    extra = await client.post(
        f"{MINE}/exceptions", json={"on": (day + timedelta(days=7)).isoformat(), "kind": "extra", "branch": "chekhov", "starts": "12:00", "ends": "13:00", "slot_minutes": 60}, headers=headers
    )
    assert extra.status_code == 201 and (extra.json()["branch"], extra.json()["starts"], extra.json()["ends"]) == ("chekhov", "12:00", "13:00")
    late = await client.post(f"{MINE}/exceptions", json={"on": day.isoformat(), "kind": "extra", "branch": "chekhov", "starts": "19:00", "ends": "21:00"}, headers=headers)
    assert late.status_code == 422 and [e["field"] for e in late.json()["errors"]] == ["ends"]
    everything = (await client.get(f"{MINE}/exceptions", headers=headers)).json()
    assert [e["id"] for e in everything] == [off.json()["id"], extra.json()["id"]]
    for start in (day.isoformat(), f"{day.isoformat()}T08:00:00+09:00"):
        first = (await client.get(f"{MINE}/exceptions", params={"start": start, "end": start}, headers=headers)).json()
        assert [e["id"] for e in first] == [off.json()["id"]], start
    later = (await client.get(f"{MINE}/exceptions", params={"start": (day + timedelta(days=1)).isoformat()}, headers=headers)).json()
    assert [e["id"] for e in later] == [extra.json()["id"]]
    wrong = await client.get(f"{MINE}/exceptions", params={"start": "tomorrow"}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "start"
    assert (await client.post(f"{MINE}/exceptions/{off.json()['id']}/remove", headers=headers)).status_code == 204
    assert [e["id"] for e in (await client.get(f"{MINE}/exceptions", headers=headers)).json()] == [extra.json()["id"]]


async def test_who_manages_whose_availability(client, demo):
    me = await make_counsellor()
    window = (await client.post(MINE, json=TUESDAY, headers=await token_for(me))).json()
    admin = await bearer(client, "admin@libspace.local")
    assert [w["id"] for w in (await client.get(of(me), headers=admin)).json()] == [window["id"]]
    thursday = await client.post(of(me), json=TUESDAY | {"weekday": 3}, headers=admin)
    assert thursday.status_code == 201 and thursday.json()["counsellor_id"] == me
    exception = await client.post(f"{of(me)}/exceptions", json={"on": (dates.today() + timedelta(days=3)).isoformat(), "kind": "off"}, headers=admin)
    assert exception.status_code == 201
    other = await bearer(client, "counsellor2@libspace.local")
    assert (await client.get(of(me), headers=other)).status_code == 403
    assert (await client.post(f"{MINE}/{window['id']}/remove", headers=other)).status_code == 404  # not theirs
    other_id = (await Account.select(Account.id).where(Account.email == "counsellor2@libspace.local").first())["id"]
    assert (await client.post(f"{of(other_id)}/{window['id']}/remove", headers=admin)).status_code == 404  # not that counsellor's
    reader = await token_for(await make_reader(71))
    for headers in (reader, await bearer(client, "staff.chekhov@libspace.local")):
        assert (await client.get(of(me), headers=headers)).status_code == 403
        assert (await client.get(MINE, headers=headers)).status_code == 403
    assert (await client.get(MINE, headers=admin)).status_code == 403  # an administrator has no availability of their own
    assert (await client.get(of(await make_reader(72)), headers=admin)).status_code == 404
    assert (await client.get(MINE)).status_code == 401
    assert (await client.post(f"{of(me)}/{window['id']}/remove", headers=admin)).status_code == 204
    assert (await client.post(f"{of(me)}/exceptions/{exception.json()['id']}/remove", headers=admin)).status_code == 204
    assert [w["id"] for w in (await client.get(MINE, headers=await token_for(me))).json()] == [thursday.json()["id"]]
