"""Schools and programmes through the API: add, edit, merge a duplicate (teachers stay attached), deactivate
(deactivate-not-delete); who may."""

from src.audit import service as audit_service
from src.schools.tables import School, Teacher
from tests.conftest import bearer

PROGRAMME = {"title": "Город на Амуре", "topic": "local_studies", "duration_minutes": 60, "grade_min": 5, "grade_max": 8, "group_min": 5, "group_max": 25,
             "branches": ["chekhov"], "zone_kinds": ["local_history", "reading_hall"], "hours": [{"weekday": 1, "starts": "10:00", "ends": "16:00"}], "description": "Экскурсия"}


async def test_schools_add_edit_merge_and_deactivate(client, demo):
    staff = await bearer(client, "staff.chekhov@libspace.local")
    made = await client.post("/api/v1/schools", json={"slug": "school-5-dup", "name": "Школа № 5 (дубль)", "number": "5"}, headers=staff)
    assert made.status_code == 201, made.text
    bad = await client.patch("/api/v1/schools/school-5-dup", json={"contact_email": "nope"}, headers=staff)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "contact_email"
    edited = await client.patch("/api/v1/schools/school-5-dup", json={"address": "ул. Калинина, 10"}, headers=staff)
    assert edited.status_code == 200 and edited.json()["address"] == "ул. Калинина, 10"
    dup = await School.select(School.id).where(School.slug == "school-5-dup").first()
    original = await School.select(School.id).where(School.slug == "school-5").first()
    await Teacher.update({Teacher.school: dup["id"]}).where(Teacher.school == original["id"])  # a teacher signed up under the duplicate
    merged = await client.patch("/api/v1/schools/school-5-dup", json={"merge_into": "school-5"}, headers=staff)
    assert merged.status_code == 200 and merged.json()["slug"] == "school-5"
    assert await Teacher.count().where(Teacher.school == dup["id"]) == 0 and await Teacher.count().where(Teacher.school == original["id"]) >= 1
    listed = [item["slug"] for item in (await client.get("/api/v1/schools", params={"page_size": 500}, headers=staff)).json()["items"]]
    assert "school-5-dup" not in listed and "school-5" in listed
    assert (await client.patch("/api/v1/schools/school-5", json={"merge_into": "school-5"}, headers=staff)).json()["errors"][0]["field"] == "merge_into"
    off = await client.patch("/api/v1/schools/school-14", json={"is_active": False}, headers=staff)
    assert off.status_code == 200
    assert await Teacher.count().where(Teacher.school == (await School.select(School.id).where(School.slug == "school-14").first())["id"]) >= 1
    assert [entry.action for entry in await audit_service.of_object("school", dup["id"])] == ["create", "update", "merge"]
    for login in ("reader@libspace.local", "teacher@libspace.local"):
        headers = await bearer(client, login)
        assert (await client.post("/api/v1/schools", json={"slug": "x-school", "name": "Школа"}, headers=headers)).status_code == 403
        assert (await client.patch("/api/v1/schools/school-5", json={"name": "Школа"}, headers=headers)).status_code == 403


async def test_programmes_add_edit_deactivate(client, demo):
    staff = await bearer(client, "staff.chekhov@libspace.local")
    made = await client.post("/api/v1/programmes", json=PROGRAMME, headers=staff)
    assert made.status_code == 201, made.text
    programme_id = made.json()["id"]
    bad = await client.patch(f"/api/v1/programmes/{programme_id}", json={"grade_min": 9}, headers=staff)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "grade_min"
    edited = await client.patch(f"/api/v1/programmes/{programme_id}", json={"title": "Город на Амуре: прогулка", "hours": [{"weekday": 2, "starts": "11:00", "ends": "15:00"}]}, headers=staff)
    assert edited.status_code == 200 and edited.json()["hours"] == [{"weekday": 2, "starts": "11:00:00", "ends": "15:00:00"}]
    other = await bearer(client, "staff.centralnaya@libspace.local")
    assert (await client.patch(f"/api/v1/programmes/{programme_id}", json={"title": "Чужая"}, headers=other)).status_code == 403
    assert (await client.post("/api/v1/programmes", json=PROGRAMME, headers=other)).status_code == 403
    assert (await client.post("/api/v1/programmes", json=PROGRAMME, headers=await bearer(client, "reader@libspace.local"))).status_code == 403
    off = await client.patch(f"/api/v1/programmes/{programme_id}", json={"is_active": False}, headers=staff)
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert (await client.get(f"/api/v1/programmes/{programme_id}")).status_code == 404
    assert [entry.action for entry in await audit_service.of_object("programme", programme_id)] == ["create", "update", "deactivate"]


async def test_the_school_page_edits_merges_and_deactivates(client, demo):
    from tests.conftest import post_form

    client.headers.update({"Accept": "text/html", "Accept-Language": "en"})
    assert (await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"})).status_code == 303
    assert "/staff/network/schools/school-14" in (await client.get("/staff/schools")).text
    base = {"name": "МАОУ «Школа № 14»", "slug": "school-14", "number": "14", "address": "", "contact_name": "", "contact_phone": "", "contact_email": "", "is_active": "on"}
    bad = await post_form(client, "/staff/network/schools/school-14", {**base, "contact_email": "nope"})
    assert bad.status_code == 303 and 'id="e-contact_email"' in (await client.get("/staff/network/schools/school-14")).text
    saved = await post_form(client, "/staff/network/schools/school-14", base)
    assert saved.status_code == 303 and (await School.select(School.name).where(School.slug == "school-14").first())["name"] == "МАОУ «Школа № 14»"
    merged = await post_form(client, "/staff/network/schools/school-14", {"merge_into": "school-5"})
    assert merged.status_code == 303 and merged.headers["location"] == "/staff/network/schools/school-5"
    assert (await School.select(School.is_active).where(School.slug == "school-14").first())["is_active"] is False
    off = await post_form(client, "/staff/network/schools/lyceum-11", {**base, "name": "МАОУ «Лицей № 11»", "slug": "lyceum-11", "is_active": ""})
    assert off.status_code == 303 and (await School.select(School.is_active).where(School.slug == "lyceum-11").first())["is_active"] is False


async def test_the_programmes_page_takes_one_out_and_offers_it_again(client, demo):
    from src.schools.tables import Programme, ProgrammeBranch
    from src.branches.tables import Branch
    from tests.conftest import post_form

    client.headers.update({"Accept": "text/html", "Accept-Language": "en"})
    assert (await post_form(client, "/login", {"login": "admin@libspace.local", "password": "libspace-demo"})).status_code == 303
    chekhov = await Branch.select(Branch.id).where(Branch.slug == "chekhov").first()
    programme_id = (await ProgrammeBranch.select(ProgrammeBranch.programme).where(ProgrammeBranch.branch == chekhov["id"]).first())["programme"]
    assert (await post_form(client, "/staff/network/programmes", {}, action=f"/staff/network/programmes/{programme_id}/active")).status_code == 303
    assert (await Programme.select(Programme.is_active).where(Programme.id == programme_id).first())["is_active"] is False
    assert (await post_form(client, "/staff/network/programmes", {"is_active": "on"}, action=f"/staff/network/programmes/{programme_id}/active")).status_code == 303
    assert (await Programme.select(Programme.is_active).where(Programme.id == programme_id).first())["is_active"] is True


async def test_staff_add_and_edit_a_programme_on_its_page(client, demo):
    from src.schools.tables import Programme, ProgrammeHours, ProgrammeZoneKind
    from tests.conftest import post_form

    admin = await bearer(client, "admin@libspace.local")
    assert (await client.post("/api/v1/zone-kinds", json={"code": "escape_room", "name": "Квест-комната"}, headers=admin)).status_code == 201
    client.headers.update({"Accept": "text/html", "Accept-Language": "en"})
    assert (await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"})).status_code == 303
    form = {"title": "Квест по Чехову", "description": "Командная игра", "topic": "literature", "grade_min": "9", "grade_max": "5", "group_min": "5", "group_max": "20",
            "duration_minutes": "90", "lead_days": "7", "branch_chekhov": "on", "kind_escape_room": "on", "h2_0_starts": "10:00", "h2_0_ends": "15:00"}
    bad = await post_form(client, "/staff/network/programmes/new", form)
    assert bad.status_code == 303 and 'id="e-grade_min"' in (await client.get("/staff/network/programmes/new")).text
    made = await post_form(client, "/staff/network/programmes/new", {**form, "grade_max": "11"})
    assert made.status_code == 303, made.text
    programme_id = int(made.headers["location"].rsplit("/", 1)[1])
    page = await client.get(made.headers["location"])
    assert 'value="Квест по Чехову"' in page.text and 'value="10:00"' in page.text
    saved = await post_form(client, made.headers["location"], {**form, "grade_max": "11", "title": "Квест «Каштанка»", "h2_0_starts": "", "h2_0_ends": "", "h4_1_starts": "12:00", "h4_1_ends": "14:00"})
    assert saved.status_code == 303
    assert (await Programme.select(Programme.title).where(Programme.id == programme_id).first())["title"] == "Квест «Каштанка»"
    hours = await ProgrammeHours.select(ProgrammeHours.weekday).where(ProgrammeHours.programme == programme_id)
    assert [row["weekday"] for row in hours] == [4]
    assert [row["kind"] for row in await ProgrammeZoneKind.select(ProgrammeZoneKind.kind).where(ProgrammeZoneKind.programme == programme_id)] == ["escape_room"]
    assert [entry.action for entry in await audit_service.of_object("programme", programme_id)] == ["create", "update"]
