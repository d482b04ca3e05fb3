"""The guidance API as clients use it: fixed names, status codes, and no private notes for readers."""

from datetime import timedelta

from src.guidance.constants import TYPES
from tests import dates
from tests.conftest import bearer
from tests.guidance.conftest import first_free_slot, make_reader, token_for
from tests.guidance.test_rules import answers_for

SECRET = "СЕКРЕТНАЯ-ЗАМЕТКА-42"


async def test_survey_shape_and_anonymous_scoring(client, demo):
    survey = (await client.get("/api/v1/guidance/survey")).json()
    assert len(survey["items"]) >= 20
    item = survey["items"][0]
    assert set(item) >= {"id", "text", "options"} and set(item["options"][0]) == {"value", "text"}
    assert [t["code"] for t in survey["types"]] == list(TYPES)
    english = (await client.get("/api/v1/guidance/survey", headers={"Accept-Language": "en"})).json()
    assert english["items"][0]["options"][0]["text"] != item["options"][0]["text"]
    answers = {i["id"]: i["options"][-1]["value"] for i in survey["items"]}
    scored = await client.post("/api/v1/guidance/survey/responses", json={"answers": answers})
    assert scored.status_code == 201
    body = scored.json()
    assert set(body["scores"]) == set(TYPES) and body["top_types"] and body["saved"] is False and body["id"] is None


async def test_bad_answers_are_422_listing_the_items(client, demo):
    answers = answers_for("art")
    del answers["c05"]
    answers["r01"] = 9
    answers["zzz"] = "a"
    answer = await client.post("/api/v1/guidance/survey/responses", json={"answers": answers})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["answers.c05", "answers.r01", "answers.zzz"]
    for body in ({"answers": []}, {}):
        refused = await client.post("/api/v1/guidance/survey/responses", json=body)
        assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["answers"], body


async def test_reader_saves_retakes_and_sees_history(client, demo):
    headers = await bearer(client, "teen@libspace.local")
    saved = await client.post("/api/v1/guidance/survey/responses", json={"answers": answers_for("nature", {"nature": 4})}, headers=headers)
    assert saved.status_code == 201 and saved.json()["saved"] and saved.json()["top_types"] == ["nature"]
    profile = (await client.get("/api/v1/guidance/profile", headers=headers)).json()
    assert profile["latest"]["id"] == saved.json()["id"] and len(profile["history"]) == 2  # the demo's earlier result too
    assert (await client.get(f"/api/v1/guidance/survey/responses/{saved.json()['id']}", headers=headers)).status_code == 200
    unsaved = await client.post("/api/v1/guidance/survey/responses", json={"answers": answers_for("art"), "save": False}, headers=headers)
    assert unsaved.json()["saved"] is False


async def test_other_peoples_results_403_or_404(client, demo):
    teen = await bearer(client, "teen@libspace.local")
    saved = (await client.post("/api/v1/guidance/survey/responses", json={"answers": answers_for("art")}, headers=teen)).json()
    other = await bearer(client, "reader@libspace.local")
    assert (await client.get(f"/api/v1/guidance/survey/responses/{saved['id']}", headers=other)).status_code == 404
    teen_card = demo.card_for("0002")
    assert (await client.get("/api/v1/guidance/profile", params={"card": teen_card}, headers=other)).status_code == 403
    staff = await bearer(client, "staff.chekhov@libspace.local")
    assert (await client.get("/api/v1/guidance/profile", params={"card": teen_card}, headers=staff)).status_code == 403
    their_counsellor = await bearer(client, "counsellor@libspace.local")  # the demo's past consultation
    assert (await client.get("/api/v1/guidance/profile", params={"card": teen_card}, headers=their_counsellor)).status_code == 200
    stranger_counsellor = await bearer(client, "counsellor2@libspace.local")
    assert (await client.get("/api/v1/guidance/profile", params={"card": teen_card}, headers=stranger_counsellor)).status_code == 403
    admin = await bearer(client, "admin@libspace.local")
    assert (await client.get("/api/v1/guidance/passport", params={"card": teen_card}, headers=admin)).status_code == 200
    assert (await client.get("/api/v1/guidance/profile")).status_code == 401


async def test_slots_booking_cancel_and_errors(client, counsellor):
    reader_id = await make_reader(20)
    headers = await token_for(reader_id)
    slots = await client.get("/api/v1/guidance/slots", params={"counsellor": counsellor, "branch": "chekhov", "start": dates.today().isoformat(), "end": (dates.today() + timedelta(days=20)).isoformat(), "page_size": 500})
    assert slots.status_code == 200
    items = slots.json()["items"]
    assert items and set(items[0]) >= {"counsellor_id", "branch", "starts_at", "ends_at"} and items[0]["branch"] == "chekhov"
    assert items[0]["starts_at"].endswith("+09:00")
    slot = await first_free_slot(counsellor)
    booking = {"counsellor_id": counsellor, "starts_at": slot.starts_at.isoformat()}
    booked = await client.post("/api/v1/guidance/consultations", json=booking, headers=headers)
    assert booked.status_code == 201, booked.text
    assert booked.json()["status"] == "booked" and "private_notes" not in booked.json()
    other = await token_for(await make_reader(21))
    assert (await client.post("/api/v1/guidance/consultations", json=booking, headers=other)).status_code == 409
    outside = {"counsellor_id": counsellor, "starts_at": (slot.starts_at + timedelta(minutes=5)).isoformat()}
    answer = await client.post("/api/v1/guidance/consultations", json=outside, headers=other)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "starts_at"
    assert (await client.post("/api/v1/guidance/consultations", json=booking)).status_code == 401
    counsellor_headers = await token_for(counsellor)
    assert (await client.post("/api/v1/guidance/consultations", json=booking, headers=counsellor_headers)).status_code == 403
    consultation_id = booked.json()["id"]
    assert (await client.post(f"/api/v1/guidance/consultations/{consultation_id}/cancel", headers=other)).status_code == 404
    cancelled = await client.post(f"/api/v1/guidance/consultations/{consultation_id}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await client.post(f"/api/v1/guidance/consultations/{consultation_id}/cancel", headers=headers)).status_code == 409
    backwards = await client.get("/api/v1/guidance/slots", params={"start": (dates.today() + timedelta(days=9)).isoformat(), "end": dates.today().isoformat()})
    assert backwards.status_code == 422 and [e["field"] for e in backwards.json()["errors"]] == ["end"]


async def test_private_notes_never_reach_the_reader_through_the_api(client, counsellor):
    reader_id = await make_reader(22)
    reader = await token_for(reader_id)
    slot = await first_free_slot(counsellor)
    booked = (await client.post("/api/v1/guidance/consultations", json={"counsellor_id": counsellor, "starts_at": slot.starts_at.isoformat()}, headers=reader)).json()
    mine = await token_for(counsellor)
    patched = await client.patch(f"/api/v1/guidance/consultations/{booked['id']}", json={"next_steps": "Записаться на мастер-класс", "private_notes": SECRET}, headers=mine)
    assert patched.status_code == 200 and patched.json()["private_notes"] == SECRET
    assert (await client.patch(f"/api/v1/guidance/consultations/{booked['id']}", json={"private_notes": "x"}, headers=reader)).status_code == 403
    unknown = await client.patch(f"/api/v1/guidance/consultations/{booked['id']}", json={"mood": "x"}, headers=mine)
    assert unknown.status_code == 422 and [e["field"] for e in unknown.json()["errors"]] == ["mood"]
    reader_views = [
        await client.get(f"/api/v1/guidance/consultations/{booked['id']}", headers=reader),
        await client.get("/api/v1/guidance/consultations", headers=reader),
        await client.get("/api/v1/guidance/passport", headers=reader),
        await client.get("/api/v1/guidance/profile", headers=reader),
        await client.get("/api/v1/guidance/recommendations", headers=reader),
        await client.post(f"/api/v1/guidance/consultations/{booked['id']}/cancel", headers=reader),
    ]
    for answer in reader_views:
        assert answer.status_code == 200, answer.text
        assert SECRET not in answer.text and "private_notes" not in answer.text
    assert "Записаться на мастер-класс" in reader_views[0].text
    counsellor_view = await client.get(f"/api/v1/guidance/consultations/{booked['id']}", headers=mine)
    assert SECRET in counsellor_view.text


async def test_demo_reader_sees_next_steps_of_the_past_consultation_in_the_passport(client, demo):
    headers = await bearer(client, "teen@libspace.local")
    passport = (await client.get("/api/v1/guidance/passport", headers=headers)).json()
    assert passport["reader"]["full_name"] == "Максим Дмитриевич Орлов"
    assert passport["results"][0]["top_types"] == ["technology", "signs"]
    assert passport["consultations"] and "день открытых дверей" in passport["consultations"][0]["next_steps"]
    assert "родителей" not in str(passport)  # the demo's private note


async def test_recommendations_rank_consultations_with_why(client, demo):
    headers = await bearer(client, "teen@libspace.local")
    answer = await client.get("/api/v1/guidance/recommendations", headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["top_types"] == ["technology", "signs"]
    assert body["items"] and all(item["why"] for item in body["items"])
    consultations = [item for item in body["items"] if item["kind"] == "consultation"]
    assert consultations and consultations[0]["branch"] == "chekhov"  # the teen's home branch comes first
    assert (await client.get("/api/v1/guidance/recommendations", headers=await bearer(client, "counsellor@libspace.local"))).status_code == 403


async def test_fields_and_counsellors_and_openapi(client, demo):
    fields = (await client.get("/api/v1/guidance/fields", headers={"Accept-Language": "en"})).json()
    assert {"slug": "it", "name": "IT and programming"}.items() <= fields[0].items()
    counsellors = (await client.get("/api/v1/guidance/counsellors")).json()
    assert len(counsellors) == 3
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ["/api/v1/guidance/survey", "/api/v1/guidance/survey/responses", "/api/v1/guidance/profile", "/api/v1/guidance/recommendations",
                 "/api/v1/guidance/slots", "/api/v1/guidance/consultations", "/api/v1/guidance/consultations/{consultation_id}/cancel",
                 "/api/v1/guidance/consultations/{consultation_id}", "/api/v1/guidance/passport"]:
        assert path in schema["paths"], path
    for path, operations in schema["paths"].items():
        if "guidance" in path:
            assert all(op.get("summary") for op in operations.values() if isinstance(op, dict))
