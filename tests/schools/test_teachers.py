"""Schools and teachers: self-registration waits for approval, invitations, create-user with a school."""

import pytest
from click.testing import CliRunner

from src.accounts import service as accounts_service
from src.cli import main as cli
from src.exceptions import Conflict, Forbidden, Invalid, NotFound
from src.notifications.service import pending
from src.schools import teachers
from tests.schools.conftest import career_request, open_day, principal

NEW = teachers.TeacherInput(full_name="Ирина Котова", email="kotova@example.ru", password="kotova-secret", school="school-14")


async def test_registered_teacher_waits_for_approval(people):
    account_id = await teachers.register_teacher(NEW)
    waiting = await accounts_service.load_principal(account_id)
    assert waiting.is_teacher and waiting.school_id is None
    with pytest.raises(Forbidden):
        await career_request(waiting, await open_day())
    assert [t.full_name for t in await teachers.list_teachers(people.staff, "pending")] == ["Дарья Андреевна Сафонова", "Ирина Котова"]
    with pytest.raises(Forbidden):
        await teachers.decide_teacher(people.teacher, account_id, True)
    approved = await teachers.decide_teacher(people.other_staff, account_id, True)  # staff of any branch
    assert approved.status == "approved"
    with pytest.raises(Conflict):
        await teachers.decide_teacher(people.staff, account_id, False)
    teacher = await accounts_service.load_principal(account_id)
    assert teacher.school_id is not None
    assert (await career_request(teacher, await open_day())).school_slug == "school-14"
    assert [row["kind"] for row in await pending() if row["recipient"] == account_id][:2] == ["teacher.registered", "teacher.approved"]


async def test_registration_errors_name_the_field(people):
    with pytest.raises(Invalid) as error:
        await teachers.register_teacher(teachers.TeacherInput(full_name="", email="bad", password="short", school="no-such-school"))
    assert {e.field for e in error.value.errors} == {"full_name", "email", "password", "school"}
    await teachers.register_teacher(NEW)
    with pytest.raises(Conflict):
        await teachers.register_teacher(NEW)


async def test_invitation_by_email(people):
    token = await teachers.invite_teacher(people.staff, "Novikova@Example.ru", "lyceum-11", "Анна Новикова")
    sent = await pending("teacher.invited")
    assert sent[0]["email"] == "novikova@example.ru" and sent[0]["payload"]["path"] == f"/schools/join/{token}"
    invite = await teachers.invitation(token)
    assert invite.school.slug == "lyceum-11" and invite.full_name == "Анна Новикова"
    account_id = await teachers.accept_invitation(token, "Анна Сергеевна Новикова", "novikova-secret")
    teacher = await accounts_service.authenticate("novikova@example.ru", "novikova-secret")
    assert teacher.id == account_id and teacher.school_id is not None  # invited: approved at once
    with pytest.raises(NotFound):
        await teachers.accept_invitation(token, "Кто-то", "another-secret")
    with pytest.raises(Forbidden):
        await teachers.invite_teacher(people.teacher, "x@example.ru", "lyceum-11")
    with pytest.raises(Conflict):
        await teachers.invite_teacher(people.staff, "teacher@libspace.local", "lyceum-11")


async def test_create_user_ties_a_teacher_to_a_school(people):
    with pytest.raises(Invalid) as error:
        await accounts_service.create_user("teacher", "t1@example.ru", "teacher-secret", "Т. Один")
    assert [e.field for e in error.value.errors] == ["school"]
    with pytest.raises(Invalid):
        await accounts_service.create_user("teacher", "t1@example.ru", "teacher-secret", "Т. Один", school_slug="no-such")
    await accounts_service.create_user("teacher", "t1@example.ru", "teacher-secret", "Т. Один", school_slug="alekseevskaya")
    assert (await principal("t1@example.ru")).school_id is not None


def test_cli_asks_teachers_for_a_school():
    result = CliRunner().invoke(cli, ["create-user", "--role", "teacher", "--email", "t@example.ru", "--password-stdin"], input="secret-pass\n")
    assert result.exit_code == 2 and "--school" in result.output


async def test_staff_add_a_school(people):
    school = await teachers.create_school(people.staff, teachers.SchoolInput(slug="School-27", name="МБОУ «Школа № 27»", number="27", contact_phone="8 (4162) 22-33-44"))
    assert school.slug == "school-27" and school.contact_phone == "+74162223344"
    with pytest.raises(Conflict):
        await teachers.create_school(people.staff, teachers.SchoolInput(slug="school-27", name="Другая"))
    with pytest.raises(Invalid) as error:
        await teachers.create_school(people.staff, teachers.SchoolInput(slug="школа", name="x"))
    assert {e.field for e in error.value.errors} == {"slug", "name"}
    with pytest.raises(Forbidden):
        await teachers.create_school(people.teacher, teachers.SchoolInput(slug="school-28", name="МБОУ «Школа № 28»"))

