"""Families: a guardian links a child's card (a teenager agrees with a code), signs the child up, sees the
tickets and receives the child's messages; the child's card shows the guardian's data to staff only."""

from __future__ import annotations

from src.accounts import service as accounts_service
from src.audit.tables import AuditEntry
from src.events import service as events_service
from src.events.tables import Registration
from src.notifications.tables import Outbox
from tests.conftest import CSRF_RE, bearer, post_form
from tests.events.conftest import new_event, principal


async def _card(demo, seed: str):
    return await accounts_service.find_card(demo.card_for(seed))


async def test_a_guardian_links_a_child_signs_them_up_and_gets_their_messages(client, demo):
    child = await _card(demo, "0003")  # 10 years old
    parent = await bearer(client, "reader@libspace.local")
    wrong = await client.post("/api/v1/me/children", json={"card_number": child.card_number, "birth_date": "2001-01-01"}, headers=parent)
    assert wrong.status_code == 404
    linked = await client.post("/api/v1/me/children", json={"card_number": child.card_number, "birth_date": child.birth_date.isoformat()}, headers=parent)
    assert linked.status_code == 201 and linked.json()["status"] == "active" and linked.json()["agreement_code"] is None
    told = await Outbox.select(Outbox.recipient, Outbox.subject).where(Outbox.kind == "account.child_linked")
    assert {row["recipient"] for row in told} == {child.account_id, (await principal("reader@libspace.local")).id}  # the child, and the copy
    assert not any("Ковалёва" in row["subject"] for row in told if row["recipient"] == child.account_id)
    assert (await client.post("/api/v1/me/children", json={"card_number": child.card_number, "birth_date": child.birth_date.isoformat()}, headers=parent)).status_code == 409
    adult = await _card(demo, "0004")
    assert (await client.post("/api/v1/me/children", json={"card_number": adult.card_number, "birth_date": adult.birth_date.isoformat()}, headers=parent)).status_code == 422

    staff = await principal("staff.chekhov@libspace.local")
    event_id = await new_event(staff, min_age=None, max_age=None)
    stranger = await bearer(client, "student@libspace.local")
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", json={"card_number": child.card_number}, headers=stranger)).status_code == 403
    signed = await client.post(f"/api/v1/events/{event_id}/registrations", json={"card_number": child.card_number}, headers=parent)
    assert signed.status_code == 201, signed.text
    registration = await Registration.select().where(Registration.id == signed.json()["id"]).first()
    guardian_id = (await principal("reader@libspace.local")).id
    assert registration["reader"] == child.account_id and registration["created_by"] == guardian_id
    entry = await AuditEntry.select().where((AuditEntry.object_kind == "registration") & (AuditEntry.object_id == registration["id"])).first()
    assert entry["actor_id"] == guardian_id  # done by the guardian, for the child

    children = (await client.get("/api/v1/me/children", headers=parent)).json()
    assert [(c["card_number"], [s["event_id"] for s in c["sign_ups"]]) for c in children] == [(child.card_number, [event_id])]
    assert children[0]["sign_ups"][0]["ticket_code"]

    await events_service.cancel_event(staff, event_id, "Ведущий заболел")
    to_child = await Outbox.select().where((Outbox.recipient == child.account_id) & (Outbox.kind.like("%cancel%"))).first()
    copy = await Outbox.select().where((Outbox.recipient == guardian_id) & (Outbox.kind == to_child["kind"])).output(load_json=True).first()
    assert copy is not None and copy["payload"]["copy_of"] == child.account_id and copy["subject"].startswith("Софья Андреевна Ли: ")

    page = await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"}, follow_redirects=True)
    assert page.status_code == 200
    family = await client.get("/me/family")
    assert family.status_code == 200 and "Софья Андреевна Ли" in family.text


async def test_a_teenager_agrees_with_the_code_and_never_sees_the_guardian(client, demo):
    teen = await _card(demo, "0002")  # 15
    parent = await bearer(client, "reader@libspace.local")
    asked = await client.post("/api/v1/me/children", json={"card_number": teen.card_number, "birth_date": teen.birth_date.isoformat()}, headers=parent)
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    code = asked.json()["agreement_code"]
    assert len(code) == 8
    staff = await principal("staff.chekhov@libspace.local")
    event_id = await new_event(staff, min_age=None, max_age=None)
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", json={"card_number": teen.card_number}, headers=parent)).status_code == 403

    me = await bearer(client, "teen@libspace.local")
    assert (await client.get("/api/v1/me/guardians", headers=me)).json() == {"active": 0, "pending": 1}
    assert (await client.post("/api/v1/me/guardians/agree", json={"code": "WRONG123"}, headers=me)).status_code == 422
    assert (await client.post("/api/v1/me/guardians/agree", json={"code": code.lower()}, headers=me)).status_code == 204
    assert (await client.get("/api/v1/me/guardians", headers=me)).json() == {"active": 1, "pending": 0}
    assert await Outbox.exists().where((Outbox.kind == "account.guardian_agreed") & (Outbox.recipient == (await principal("reader@libspace.local")).id))
    assert (await client.post(f"/api/v1/events/{event_id}/registrations", json={"card_number": teen.card_number}, headers=parent)).status_code == 201
    own = await client.get("/api/v1/me", headers=me)
    assert "Ковалёва" not in own.text and "reader@libspace.local" not in own.text  # nothing of the guardian on the child's card

    staff_headers = await bearer(client, "staff.chekhov@libspace.local")
    guardians = (await client.get(f"/api/v1/readers/{teen.card_number}/guardians", headers=staff_headers)).json()
    assert [g["full_name"] for g in guardians] == ["Анна Сергеевна Ковалёва"]
    assert (await client.get(f"/api/v1/readers/{teen.card_number}/guardians", headers=me)).status_code == 403

    # the teenager withdraws the agreement (the Family page offers it): the link ends and the guardian is told
    await post_form(client, "/login", {"login": "teen@libspace.local", "password": "libspace-demo"})
    assert 'href="/me/family/guardians/unlink"' in (await client.get("/me/family")).text
    assert (await client.post("/api/v1/me/guardians/unlink", headers=me)).status_code == 204
    assert (await client.get("/api/v1/me/guardians", headers=me)).json() == {"active": 0, "pending": 0}
    assert await Outbox.exists().where((Outbox.kind == "account.child_unlinked") & (Outbox.recipient == (await principal("reader@libspace.local")).id))


async def test_staff_end_a_childs_link_at_the_desk_and_both_are_told(client, demo):
    child = await _card(demo, "0003")  # 10 years old: the child cannot end it, staff can
    parent = await bearer(client, "reader@libspace.local")
    link_id = (await client.post("/api/v1/me/children", json={"card_number": child.card_number, "birth_date": child.birth_date.isoformat()}, headers=parent)).json()["link_id"]
    minor = await bearer(client, "minor@libspace.local")
    assert (await client.post("/api/v1/me/guardians/unlink", headers=minor)).status_code == 403
    await post_form(client, "/login", {"login": "staff.dialog@libspace.local", "password": "libspace-demo"})
    card_page = await client.get(f"/staff/readers/{child.card_number}")
    assert f"/guardians/{link_id}/unlink" in card_page.text
    step = await client.get(f"/staff/readers/{child.card_number}/guardians/{link_id}/unlink")
    assert step.status_code == 200 and "Анна Сергеевна Ковалёва" in step.text
    token = CSRF_RE.search(step.text).group(1)
    ended = await client.post(f"/staff/readers/{child.card_number}/guardians/{link_id}/unlink", data={"_csrf_token": token})
    assert ended.status_code == 303
    assert (await client.get("/api/v1/me/children", headers=parent)).json() == []
    told = {row["kind"]: row["recipient"] for row in await Outbox.select(Outbox.kind, Outbox.recipient).where(Outbox.kind.like("account.%unlinked"))}
    assert told == {"account.child_unlinked": (await principal("reader@libspace.local")).id, "account.guardian_unlinked": child.account_id}
    assert (await client.get(f"/staff/readers/{child.card_number}/guardians/{link_id}/unlink")).status_code == 404


async def test_the_childs_own_card_hides_the_guardian_name(client, demo):
    me = await bearer(client, "minor@libspace.local")
    own = (await client.get("/api/v1/me", headers=me)).json()
    assert own["card"]["guardian_name"] == ""
    await post_form(client, "/login", {"login": "minor@libspace.local", "password": "libspace-demo"})
    card = await client.get("/me/card")
    assert card.status_code == 200 and "Андрей Викторович Ли" not in card.text


async def test_the_guardian_signs_the_child_up_on_the_event_page(client, demo):
    child = await _card(demo, "0003")
    parent = await bearer(client, "reader@libspace.local")
    await client.post("/api/v1/me/children", json={"card_number": child.card_number, "birth_date": child.birth_date.isoformat()}, headers=parent)
    event_id = await new_event(await principal("staff.chekhov@libspace.local"), min_age=None, max_age=None)
    await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"})
    shown = await client.get(f"/events/{event_id}")
    assert 'data-testid="child-signup"' in shown.text and "Софья Андреевна Ли" in shown.text
    done = await post_form(client, f"/events/{event_id}", {"for": child.card_number}, action=f"/events/{event_id}/signup")
    assert done.status_code == 303
    assert await Registration.exists().where((Registration.event == event_id) & (Registration.reader == child.account_id))
    family = await client.get("/me/family")
    assert 'data-testid="child-sign-up"' in family.text


async def test_the_unlink_step_names_the_child_to_their_guardian_only(client, demo):
    child = await _card(demo, "0003")
    parent = await bearer(client, "reader@libspace.local")
    link_id = (await client.post("/api/v1/me/children", json={"card_number": child.card_number, "birth_date": child.birth_date.isoformat()}, headers=parent)).json()["link_id"]
    await post_form(client, "/login", {"login": "student@libspace.local", "password": "libspace-demo"})
    assert (await client.get(f"/me/family/{link_id}/unlink")).status_code == 404  # another reader learns nothing
    await post_form(client, "/login", {"login": "reader@libspace.local", "password": "libspace-demo"})
    step = await client.get(f"/me/family/{link_id}/unlink")
    assert step.status_code == 200 and "Софья Андреевна Ли" in step.text
