"""The school-visit pages as a browser sees them: catalogue, request form, dashboard, staff queue, teachers."""

import re

from src.notifications.service import pending
from tests.conftest import CSRF_RE, post_form
from tests.schools.conftest import hall_id, open_day, programme_id


async def log_in(client, login: str) -> None:
    answer = await post_form(client, "/login", {"login": login, "password": "libspace-demo"})
    assert answer.status_code == 303, answer.text  # 200 would be the form again with an error


async def request_form(day, **overrides) -> dict:
    form = {
        "programme_id": str(await programme_id()),
        "branch": "chekhov",
        "w0_date": day.isoformat(),
        "w0_from": "11:00",
        "w0_to": "15:00",
        "w1_date": "",
        "w1_from": "",
        "w1_to": "",
        "class_name": "8«В»",  # the grade comes from the class
        "group_size": "25",
        "adults": "2",
        "needs": "",
        "note": "Хотим после уроков",
    }
    form.update(overrides)
    return form


async def test_catalogue_filters_in_russian(client, demo):
    page = await client.get("/schools/programmes")
    assert page.status_code == 200 and "Урок краеведения" in page.text and "Профориентационная игра" in page.text
    filtered = await client.get("/schools/programmes", params={"grade": "10", "branch": "chekhov", "topic": "career"})
    assert "Профориентационная игра" in filtered.text and "Урок краеведения" not in filtered.text
    assert "<h2>Экскурсия по библиотеке</h2>" not in (await client.get("/schools/programmes", params={"grade": "9"})).text
    assert "<h2>Экскурсия по библиотеке</h2>" in (await client.get("/schools/programmes", params={"grade": "2"})).text
    assert (await client.get("/schools", follow_redirects=False)).headers["location"] == "/schools/programmes"


async def test_teacher_requests_a_visit_and_sees_it(client, demo):
    await log_in(client, "teacher@libspace.local")
    day = await open_day()
    form_url = f"/schools/visits/new?programme={await programme_id()}&branch=chekhov"
    form = await client.get(form_url)
    assert form.status_code == 200 and 'name="w0_date"' in form.text
    assert 'name="grade"' not in form.text and 'name="class_name"' in form.text  # the class is asked once: "8Б" gives the grade
    assert re.search(r'name="group_size"[^>]*min="\d+" max="\d+"', form.text) and "Программа принимает" in form.text  # the programme's group limits
    assert re.search(r'name="w0_from" type="time" step="900" value="\d\d:\d\d"', form.text)  # inside the programme's hours
    answer = await post_form(client, form_url, await request_form(day), action="/schools/visits", follow_redirects=False)
    assert answer.status_code == 303
    visit_page = await client.get(answer.headers["location"])
    assert "Заявка отправлена" in visit_page.text and "8В" in visit_page.text and "Хотим после уроков" in visit_page.text
    dashboard = await client.get("/schools")
    assert "МАОУ «Школа № 5 г. Благовещенска»" in dashboard.text and "Профориентационная игра" in dashboard.text


async def test_request_errors_rerender_in_place(client, demo):
    await log_in(client, "teacher@libspace.local")
    day = await open_day()
    form_url = f"/schools/visits/new?programme={await programme_id()}"
    bad = await request_form(day, group_size="0", w0_from="18:00", w0_to="19:30", class_name="7Б")
    answer = await post_form(client, form_url, bad, action="/schools/visits", follow_redirects=True)
    assert answer.status_code == 200 and answer.url.path == "/schools/visits/new"  # the form's own address
    assert 'aria-invalid="true"' in answer.text and 'href="#f-group_size"' in answer.text and 'href="#f-class_name"' in answer.text
    assert 'value="Хотим после уроков"' not in answer.text  # textarea keeps it as content
    assert "Хотим после уроков" in answer.text
    no_window = await post_form(client, form_url, await request_form(day, w0_from="18:00", w0_to="19:30"), action="/schools/visits", follow_redirects=True)
    assert no_window.status_code == 200 and 'id="e-w0_date"' in no_window.text


async def test_staff_confirm_from_the_queue_and_the_school_sees_it(client, demo):
    await log_in(client, "teacher@libspace.local")
    day = await open_day()
    created = await post_form(client, f"/schools/visits/new?programme={await programme_id()}", await request_form(day), action="/schools/visits", follow_redirects=False)
    visit_id = int(created.headers["location"].rsplit("/", 1)[1])
    await client.post("/logout", data={"_csrf_token": CSRF_RE.search((await client.get("/schools")).text).group(1)})

    await log_in(client, "staff.chekhov@libspace.local")
    queue = await client.get("/staff/visits")
    assert queue.status_code == 200 and f'id="visit-{visit_id}"' in queue.text
    section = queue.text[queue.text.index(f'id="visit-{visit_id}"') :]
    starts_at = re.search(r'name="starts_at" value="([^"]+)"', section).group(1)
    zone_id = re.search(r'name="zone_id" value="(\d+)"', section).group(1)
    token = CSRF_RE.search(queue.text).group(1)
    confirmed = await client.post(
        f"/schools/visits/{visit_id}/confirm", data={"zone_id": zone_id, "starts_at": starts_at, "next": "/staff/visits", "_csrf_token": token}, follow_redirects=False
    )
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/staff/visits"
    assert f'id="visit-{visit_id}"' not in (await client.get("/staff/visits")).text  # no longer waiting
    assert f'id="visit-{visit_id}"' in (await client.get("/staff/visits", params={"status": "confirmed"})).text
    await client.post("/logout", data={"_csrf_token": token})

    await log_in(client, "teacher@libspace.local")
    page = await client.get(f"/schools/visits/{visit_id}")
    assert "Подтверждена" in page.text and "Конференц-зал" in page.text and "11:00–12:30" in page.text
    assert any(row["payload"]["visit_id"] == visit_id for row in await pending("visit.confirmed"))


async def test_manual_propose_and_errors_on_the_visit_page(client, demo):
    await log_in(client, "teacher@libspace.local")
    day = await open_day()
    created = await post_form(client, f"/schools/visits/new?programme={await programme_id()}", await request_form(day), action="/schools/visits", follow_redirects=False)
    visit_url = created.headers["location"]
    await client.post("/logout", data={"_csrf_token": CSRF_RE.search((await client.get("/schools")).text).group(1)})
    await log_in(client, "staff.chekhov@libspace.local")
    outside = {"zone_id": str(await hall_id()), "starts_at_date": day.isoformat(), "starts_at_time": "16:00"}
    refused = await post_form(client, visit_url, outside, action=f"{visit_url}/confirm")
    assert refused.status_code == 303 and refused.headers["location"] == visit_url  # back to the visit's own page
    shown = await client.get(visit_url)
    assert 'data-testid="error-summary"' in shown.text and 'value="16:00"' in shown.text
    later = await open_day(weekday=2)
    proposed = await post_form(client, visit_url, {"zone_id": "", "starts_at_date": later.isoformat(), "starts_at_time": "14:00", "note": "Среда подойдёт?"}, action=f"{visit_url}/propose", follow_redirects=True)
    assert proposed.status_code == 200 and "Предложено другое время" in proposed.text and "Среда подойдёт?" in proposed.text
    step = await client.get(f"{visit_url}/decline")  # declining is a step of its own that asks for the reason
    assert step.status_code == 200 and 'id="f-reason"' in step.text and "required" in step.text
    no_reason = await post_form(client, f"{visit_url}/decline", {"reason": ""})
    assert no_reason.status_code == 303 and no_reason.headers["location"] == f"{visit_url}/decline"
    assert 'id="e-reason"' in (await client.get(f"{visit_url}/decline")).text


async def test_other_schools_visit_page_is_403(client, demo):
    await log_in(client, "teacher.school-14@libspace.local")
    dashboard = await client.get("/schools")
    assert "МАОУ «Школа № 14 г. Благовещенска»" in dashboard.text
    await client.post("/logout", data={"_csrf_token": CSRF_RE.search(dashboard.text).group(1)})
    await log_in(client, "teacher@libspace.local")
    own = re.findall(r'href="/schools/visits/(\d+)"', (await client.get("/schools")).text)
    await client.post("/logout", data={"_csrf_token": CSRF_RE.search((await client.get("/schools")).text).group(1)})
    await log_in(client, "teacher.school-14@libspace.local")
    assert (await client.get(f"/schools/visits/{own[0]}")).status_code == 403


async def test_teacher_registers_and_staff_approve(client, demo):
    form = {"full_name": "Ирина Котова", "school": "school-14", "email": "kotova@example.ru", "phone": "", "password": "kotova-secret", "password_repeat": "kotova-secret"}
    registered = await post_form(client, "/schools/register", form, follow_redirects=True)
    assert registered.status_code == 200 and "ждёт подтверждения" in registered.text
    await client.post("/logout", data={"_csrf_token": CSRF_RE.search(registered.text).group(1)})
    await log_in(client, "staff.solnechnaya@libspace.local")
    staff_page = await client.get("/staff/schools")
    assert "Ирина Котова" in staff_page.text
    account_id = re.search(r'id="teacher-(\d+)">\s*<h3>Ирина Котова', staff_page.text).group(1)
    approved = await post_form(client, "/staff/schools", {}, action=f"/staff/teachers/{account_id}/approve", follow_redirects=True)
    assert approved.status_code == 200 and "Ирина Котова" in approved.text and 'id="teacher-' + account_id not in approved.text


async def test_staff_invite_and_the_teacher_joins(client, demo):
    await log_in(client, "staff.dialog@libspace.local")
    sent = await post_form(client, "/staff/schools", {"email": "novikova@example.ru", "full_name": "Анна Новикова", "school": "lyceum-11"}, action="/staff/schools/invite", follow_redirects=True)
    assert sent.status_code == 200 and "novikova@example.ru" in sent.text
    path = (await pending("teacher.invited"))[0]["payload"]["path"]
    await client.post("/logout", data={"_csrf_token": CSRF_RE.search(sent.text).group(1)})
    joined = await post_form(client, path, {"full_name": "Анна Новикова", "password": "novikova-secret", "password_repeat": "novikova-secret"}, follow_redirects=True)
    assert joined.status_code == 200 and "МАОУ «Лицей № 11 г. Благовещенска»" in joined.text
    assert (await client.get(path)).status_code == 404


async def test_staff_add_a_school_with_errors_in_place(client, demo):
    await log_in(client, "staff.dialog@libspace.local")
    bad = await post_form(client, "/staff/schools", {"name": "", "slug": "школа"}, follow_redirects=True)
    assert bad.status_code == 200 and bad.url.path == "/staff/schools" and len(bad.history) == 1  # back at the form's address: a refresh posts nothing
    assert 'id="e-slug"' in bad.text and 'data-testid="error-summary"' in bad.text and 'value="школа"' in bad.text
    invite = await post_form(client, "/staff/schools", {"email": "not-an-address", "school": "lyceum-11"}, action="/staff/schools/invite", follow_redirects=True)
    assert invite.url.path == "/staff/schools" and 'id="e-email"' in invite.text and 'value="not-an-address"' in invite.text
    good = await post_form(client, "/staff/schools", {"name": "МБОУ «Школа № 27»", "slug": "school-27", "number": "27"}, follow_redirects=True)
    assert good.status_code == 200 and "school-27" in good.text


async def test_nav_links_by_role(client, demo):
    assert 'href="/schools/programmes"' in (await client.get("/")).text
    await log_in(client, "teacher@libspace.local")
    assert 'href="/schools">' in (await client.get("/")).text
