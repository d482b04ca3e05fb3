"""Career workshops from the events domain: ranked recommendations with a why, and the passport's check-ins."""

from datetime import timedelta

from src.accounts.tables import Account
from src.branches.tables import Branch
from src.events.tables import Event, Registration
from src.guidance import service as guidance_service
from src.timeutil import now_utc
from tests import dates
from tests.conftest import bearer
from tests.guidance.conftest import make_reader, principal, token_for
from tests.guidance.test_rules import answers_for


async def workshop(title: str, branch: str, days: float, types: str = "", fields: str = "", min_age=None, max_age=None, capacity=20, taken=0, waitlist=True, category="career_workshop", status="scheduled") -> int:
    branch_id = (await Branch.select(Branch.id).where(Branch.slug == branch).first())["id"]
    starts = (now_utc() + timedelta(days=days)).replace(second=0, microsecond=0)
    event = Event(
        branch=branch_id, title=title, category=category, starts_at=starts, ends_at=starts + timedelta(hours=2), min_age=min_age, max_age=max_age,
        capacity=capacity, seats_taken=taken, waitlist=waitlist, profession_types=types, career_fields=fields, status=status, created_at=now_utc(), updated_at=now_utc(),
    )
    await event.save()
    return event.id


async def test_recommendations_rank_workshops_by_profile_age_seats_and_home(demo):
    reader_id = await make_reader(40, birth_date=dates.birth_date(16), branch_slug="dialog")
    reader = await principal(reader_id)
    await guidance_service.save_response(reader, answers_for("technology", {"technology": 4, "signs": 3}))
    ids = {
        "fit home": await workshop("ИТ дома", "dialog", 6, fields="программирование"),  # a field alias of «it»
        "fit away": await workshop("Инженеры", "chekhov", 4, types="technology"),
        "weak home": await workshop("Дизайн дома", "dialog", 3, types="art"),
        "too old": await workshop("Для студентов", "dialog", 2, types="technology", min_age=18),
        "full": await workshop("Полный зал", "dialog", 2, types="technology", taken=20, waitlist=False),
        "not career": await workshop("Лекция", "dialog", 2, types="technology", category="lecture"),
        "cancelled": await workshop("Отменено", "dialog", 2, types="technology", status="cancelled"),
        "past": await workshop("Прошло", "dialog", -1, types="technology"),
        "signed up": await workshop("Уже записан", "dialog", 2, types="technology"),
    }
    await Registration.insert(Registration(event=ids["signed up"], reader=reader_id, status="confirmed", ticket_code="TESTT1CKET01", created_at=now_utc()))
    _latest, ranked = await guidance_service.recommendations(reader)
    titles = [entry.item.title for entry in ranked if entry.kind == "workshop"]
    demo_workshops = {"Профессия: инженер-программист", "Профессия: врач"}
    assert [t for t in titles if t not in demo_workshops] == ["ИТ дома", "Инженеры", "Дизайн дома"]
    first = ranked[0]
    assert first.item.title == "ИТ дома" and [r.code for r in first.reasons][:2] == ["type", "home"]
    assert dict(first.reasons[0].values)["field"] == "it"


async def test_recommendations_api_and_sign_up_link(client, demo_events):
    reader_id = await make_reader(41, birth_date=dates.birth_date(16), branch_slug="chekhov")
    headers = await token_for(reader_id)
    await client.post("/api/v1/guidance/survey/responses", json={"answers": answers_for("people", {"people": 4})}, headers=headers)
    body = (await client.get("/api/v1/guidance/recommendations", headers=headers)).json()
    workshops = [item for item in body["items"] if item["kind"] == "workshop"]
    assert workshops and workshops[0]["title"] == "Профессия: врач"  # people and nature, at the reader's home library
    assert workshops[0]["url"] == f"/events/{workshops[0]['event_id']}" and workshops[0]["free_seats"] is not None
    assert "Человек – человек" in workshops[0]["why"] and "в вашей библиотеке" in workshops[0]["why"]
    page = await client.get(workshops[0]["url"])
    assert page.status_code == 200


async def test_passport_lists_checked_in_workshops_only(client, demo_events, demo):
    teen_id = (await Account.select(Account.id).where(Account.email == "teen@libspace.local").first())["id"]
    branch_id = (await Branch.select(Branch.id).where(Branch.slug == "chekhov").first())["id"]
    await demo._attended_workshop(teen_id, branch_id, dates.today(), now_utc())  # what `libspace demo` adds with the events
    headers = await bearer(client, "teen@libspace.local")
    passport = (await client.get("/api/v1/guidance/passport", headers=headers)).json()
    assert [w["title"] for w in passport["workshops"]] == ["Профессия: агроном-селекционер"]  # signed up elsewhere, but not checked in
    assert passport["workshops"][0]["types"] == ["nature", "technology"] and passport["workshops"][0]["fields"] == ["agriculture"]
    reader_id = await make_reader(42)
    upcoming = await workshop("Будет", "chekhov", 3, types="art")
    await Registration.insert(Registration(event=upcoming, reader=reader_id, status="confirmed", ticket_code="TESTT1CKET02", created_at=now_utc()))
    assert (await guidance_service.passport(await principal(reader_id))).workshops == []
    await Registration.update({Registration.checked_in_at: now_utc()}).where(Registration.event == upcoming)
    assert [w.title for w in (await guidance_service.passport(await principal(reader_id))).workshops] == ["Будет"]
