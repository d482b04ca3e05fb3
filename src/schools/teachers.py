"""Schools and the teachers who coordinate their visits: register and wait for approval, or accept a staff
member's invitation by e-mail (``libspace create-user --role teacher --school SLUG`` is the third way)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.engine import engine_finder

from src import audit
from src.accounts import rules as account_rules
from src.accounts.constants import ROLE_TEACHER
from src.accounts.passwords import hash_password
from src.accounts.permissions import Principal, can_manage_schools
from src.accounts.tables import Account
from src.db import write_transaction
from src.exceptions import Conflict, FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.notifications import service as notifications
from src.schools import messages as visit_messages
from src.schools.constants import INVITATION_DAYS, TEACHER_APPROVED, TEACHER_PENDING, TEACHER_REJECTED
from src.schools.tables import School, Teacher, TeacherInvitation
from src.timeutil import aware, now_utc

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


@dataclass(frozen=True, slots=True)
class SchoolInfo:
    id: int
    slug: str
    name: str
    number: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str


def _school(row: dict) -> SchoolInfo:
    return SchoolInfo(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        number=row["number"],
        address=row["address"],
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        contact_email=row["contact_email"],
    )


async def list_schools() -> list[SchoolInfo]:
    return [_school(row) for row in await School.select().where(School.is_active == True).order_by(School.name)]  # noqa: E712


async def get_school(slug: str, field_name: str | None = None) -> SchoolInfo:
    """By slug; an unknown slug is a 404, or a 422 on ``field_name`` when it came from a form."""
    row = await School.select().where((School.slug == slug.strip()) & (School.is_active == True)).first()  # noqa: E712
    if row is None:
        message = _("Unknown school: %(slug)s", slug=slug)
        raise Invalid.one(field_name, message) if field_name else NotFound(message)
    return _school(row)


async def school_by_id(school_id: int) -> SchoolInfo:
    row = await School.select().where(School.id == school_id).first()
    if row is None:
        raise NotFound(_("Unknown school"))
    return _school(row)


@dataclass
class SchoolInput:
    slug: str
    name: str
    number: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


async def create_school(principal: Principal, data: SchoolInput) -> SchoolInfo:
    if not can_manage_schools(principal):
        raise Forbidden(_("This is for library staff"))
    slug = data.slug.strip().lower()
    email = account_rules.normalize_email(data.contact_email)
    phone = account_rules.normalize_phone(data.contact_phone)
    errors: list[FieldError] = []
    if not SLUG_RE.match(slug):
        errors.append(FieldError("slug", _("Use 2 to 64 Latin letters, digits and hyphens, such as school-5")))
    if len(data.name.strip()) < 3:
        errors.append(FieldError("name", _("Give the school's full name")))
    if email and not account_rules.EMAIL_RE.match(email):
        errors.append(FieldError("contact_email", _("Enter a valid e-mail address, such as name@example.ru")))
    if phone and not account_rules.PHONE_RE.match(phone):
        errors.append(FieldError("contact_phone", _("Enter a phone number of 10 to 15 digits, such as +7 914 123-45-67")))
    if errors:
        raise Invalid(errors=errors)
    async with write_transaction(engine_finder()):
        if await School.exists().where(School.slug == slug):
            raise Conflict(_("A school with this slug already exists"), errors=[FieldError("slug", _("This slug is taken"))])
        school = School(
            slug=slug,
            name=data.name.strip(),
            number=data.number.strip(),
            address=data.address.strip(),
            contact_name=data.contact_name.strip(),
            contact_phone=phone or "",
            contact_email=email or "",
            created_at=now_utc(),
        )
        await school.save()
        await audit.record(principal, "create", "school", school.id, changes=audit.diff(None, {"slug": slug, "name": school.name, "number": school.number, "address": school.address}))
    return await school_by_id(school.id)


# --- teachers ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeacherView:
    account_id: int
    full_name: str
    email: str | None
    phone: str | None
    school: SchoolInfo
    status: str
    created_at: datetime


@dataclass
class TeacherInput:
    full_name: str
    email: str
    password: str
    school: str  # slug
    phone: str | None = None
    language: str = ""


async def _new_teacher_account(full_name: str, email: str, phone: str | None, password_hash: str, language: str, now: datetime) -> int:
    """Inside the caller's transaction (hash the password before it: hashing takes a while)."""
    if await Account.exists().where(Account.email == email):
        raise Conflict(_("An account with this e-mail already exists"), errors=[FieldError("email", _("This e-mail is already registered"))])
    account = Account(
        role=ROLE_TEACHER,
        email=email,
        phone=phone,
        full_name=full_name.strip(),
        password_hash=password_hash,
        language=language,
        created_at=now,
        updated_at=now,
    )
    await account.save()
    await audit.record(audit.ActorRef(account.id, ROLE_TEACHER, account.full_name), "register", "account", account.id, changes={"role": (None, ROLE_TEACHER), "email": (None, email)})
    return account.id


async def register_teacher(data: TeacherInput) -> int:
    """A teacher signs up for their school and waits until library staff approve them."""
    email = account_rules.normalize_email(data.email)
    phone = account_rules.normalize_phone(data.phone)
    errors = [*account_rules.name_errors(data.full_name), *account_rules.password_errors(data.password)]
    if not email:
        errors.append(FieldError("email", _("An e-mail address is required")))
    errors += account_rules.contact_errors(email, phone)
    school = None
    try:
        school = await get_school(data.school, "school") if data.school.strip() else None
    except Invalid as error:
        errors += error.errors
    if school is None and not any(e.field == "school" for e in errors):
        errors.append(FieldError("school", _("Choose your school")))
    if errors:
        raise Invalid(errors=_unique(errors))
    assert school is not None and email is not None
    now = now_utc()
    password_hash = await hash_password(data.password)
    async with write_transaction(engine_finder()):
        account_id = await _new_teacher_account(data.full_name, email, phone, password_hash, data.language, now)
        await Teacher.insert(Teacher(account=account_id, school=school.id, status=TEACHER_PENDING, created_at=now))
        await notifications.enqueue(
            visit_messages.TEACHER_REGISTERED,
            [account_id],
            visit_messages.SUBJECTS[visit_messages.TEACHER_REGISTERED],
            {"school": school.slug, "school_name": school.name},
            cause=str(account_id),
            subject_vars={"school": school.name},
        )
    return account_id


def _unique(errors: list[FieldError]) -> list[FieldError]:
    seen: set[tuple[str, str]] = set()
    result = []
    for error in errors:
        if (error.field, error.message) not in seen:
            seen.add((error.field, error.message))
            result.append(error)
    return result


_TEACHER_COLUMNS = (
    Teacher.account,
    Teacher.status,
    Teacher.created_at,
    Teacher.account.full_name,
    Teacher.account.email,
    Teacher.account.phone,
    Teacher.school.all_columns(),
)


def _teacher(row: dict) -> TeacherView:
    school = _school({key.removeprefix("school."): value for key, value in row.items() if key.startswith("school.")})
    return TeacherView(
        account_id=row["account"],
        full_name=row["account.full_name"],
        email=row["account.email"],
        phone=row["account.phone"],
        school=school,
        status=row["status"],
        created_at=aware(row["created_at"]),
    )


async def teacher_of(account_id: int) -> TeacherView | None:
    row = await Teacher.select(*_TEACHER_COLUMNS).where(Teacher.account == account_id).first()
    return _teacher(row) if row else None


async def list_teachers(principal: Principal, status: str | None = None) -> list[TeacherView]:
    if not can_manage_schools(principal):
        raise Forbidden(_("This is for library staff"))
    query = Teacher.select(*_TEACHER_COLUMNS).order_by(Teacher.created_at)
    if status:
        query = query.where(Teacher.status == status)
    return [_teacher(row) for row in await query]


async def decide_teacher(principal: Principal, account_id: int, approve: bool) -> TeacherView:
    """Staff approve a registered teacher (who may then act for the school) or reject them."""
    if not can_manage_schools(principal):
        raise Forbidden(_("This is for library staff"))
    status = TEACHER_APPROVED if approve else TEACHER_REJECTED
    async with write_transaction(engine_finder()):
        updated = await Teacher.update({Teacher.status: status, Teacher.decided_by: principal.id, Teacher.decided_at: now_utc()}).where(
            (Teacher.account == account_id) & (Teacher.status == TEACHER_PENDING)
        ).returning(Teacher.id)
        if not updated:
            if not await Teacher.exists().where(Teacher.account == account_id):
                raise NotFound(_("There is no such teacher"))
            raise Conflict(_("This registration has already been decided"))
        await audit.record(principal, "approve" if approve else "reject", "teacher", account_id, changes={"status": (TEACHER_PENDING, status)})
        kind = visit_messages.TEACHER_APPROVED if approve else visit_messages.TEACHER_REJECTED
        await notifications.enqueue(kind, [account_id], visit_messages.SUBJECTS[kind], {}, cause=str(account_id))
    view = await teacher_of(account_id)
    assert view is not None
    return view


# --- invitations -------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def invite_teacher(principal: Principal, email: str, school_slug: str, full_name: str = "") -> str:
    """Staff invite a teacher of a school by e-mail: the link goes to the outbox. Returns the token."""
    if not can_manage_schools(principal):
        raise Forbidden(_("This is for library staff"))
    email_n = account_rules.normalize_email(email)
    errors: list[FieldError] = []
    if not email_n or not account_rules.EMAIL_RE.match(email_n):
        errors.append(FieldError("email", _("Enter a valid e-mail address, such as name@example.ru")))
    try:
        school = await get_school(school_slug, "school")
    except Invalid as error:
        errors += error.errors
    if errors:
        raise Invalid(errors=errors)
    token = secrets.token_urlsafe(32)
    now = now_utc()
    expires_at = now + timedelta(days=INVITATION_DAYS)
    async with write_transaction(engine_finder()):
        if await Account.exists().where(Account.email == email_n):
            raise Conflict(_("An account with this e-mail already exists"), errors=[FieldError("email", _("This e-mail is already registered"))])
        invited = await TeacherInvitation.insert(
            TeacherInvitation(
                email=email_n, full_name=full_name.strip(), school=school.id, token_hash=_token_hash(token), invited_by=principal.id,
                created_at=now, expires_at=expires_at,
            )
        ).returning(TeacherInvitation.id)
        await audit.record(principal, "invite", "teacher_invitation", invited[0]["id"], changes={"email": (None, email_n), "school": (None, school.id)})
        payload = {"school": school.slug, "school_name": school.name, "path": f"/schools/join/{token}", "expires_at": expires_at.isoformat(), "invited_by": principal.full_name}
        await notifications.enqueue_email(
            visit_messages.TEACHER_INVITED,
            email_n,
            visit_messages.SUBJECTS[visit_messages.TEACHER_INVITED],
            payload,
            cause=_token_hash(token)[:16],
            subject_vars={"school": school.name},
        )
    return token


@dataclass(frozen=True, slots=True)
class InvitationView:
    id: int
    email: str
    full_name: str
    school: SchoolInfo
    invited_by: int | None


async def _open_invitation(token: str) -> InvitationView:
    row = await TeacherInvitation.select(
        TeacherInvitation.id, TeacherInvitation.email, TeacherInvitation.full_name, TeacherInvitation.school,
        TeacherInvitation.expires_at, TeacherInvitation.accepted_at, TeacherInvitation.invited_by,
    ).where(TeacherInvitation.token_hash == _token_hash(token)).first()
    if row is None or row["accepted_at"] is not None or aware(row["expires_at"]) <= now_utc():
        raise NotFound(_("This invitation is not valid any more. Ask the library for a new one."))
    return InvitationView(row["id"], row["email"], row["full_name"], await school_by_id(row["school"]), row["invited_by"])


async def invitation(token: str) -> InvitationView:
    return await _open_invitation(token)


async def accept_invitation(token: str, full_name: str, password: str, language: str = "") -> int:
    """The invited teacher picks a password: the account is created already approved for the school."""
    invite = await _open_invitation(token)
    errors = [*account_rules.name_errors(full_name), *account_rules.password_errors(password)]
    if errors:
        raise Invalid(errors=errors)
    password_hash = await hash_password(password)
    now = now_utc()
    async with write_transaction(engine_finder()):
        claimed = await TeacherInvitation.update({TeacherInvitation.accepted_at: now}).where(
            (TeacherInvitation.id == invite.id) & TeacherInvitation.accepted_at.is_null()
        ).returning(TeacherInvitation.id)
        if not claimed:
            raise NotFound(_("This invitation is not valid any more. Ask the library for a new one."))
        account_id = await _new_teacher_account(full_name, invite.email, None, password_hash, language, now)
        await Teacher.insert(
            Teacher(account=account_id, school=invite.school.id, status=TEACHER_APPROVED, invited_by=invite.invited_by, decided_by=invite.invited_by, decided_at=now, created_at=now)
        )
        await audit.record(audit.ActorRef(account_id, ROLE_TEACHER, full_name.strip()), "accept", "teacher_invitation", invite.id, changes={"school": (None, invite.school.id)})
    return account_id
