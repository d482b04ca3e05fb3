"""Accounts and reader cards: registration, log-in, tokens, look-ups, import. Raises src.exceptions errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from piccolo.engine import engine_finder

from src import audit
from src.accounts import consent, devices, messages, principals, rules, sessions, tokens
from src.accounts.constants import ROLE_READER, ROLE_TEACHER, ROLES, STAFF_ROLES
from src.accounts.passwords import hash_password, needs_rehash, verify_password
from src.accounts.permissions import Principal
from src.accounts.exceptions import CardBlocked, CardReplaced
from src.accounts.importer import IMPORT_HEADER, ImportReport, import_readers  # noqa: F401 - the import lives in importer.py
from src.accounts.tables import Account, ReaderCard, RetiredCard, StaffBranch
from src.branches.tables import Branch
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import Conflict, FieldError, Invalid, NotAuthenticated, NotFound
from src.i18n import _
from src.notifications import service as notifications
from src.schools.constants import TEACHER_APPROVED
from src.schools.tables import School, Teacher
from src.timeutil import aware, now_utc, today_in


@dataclass
class ReaderInput:
    full_name: str
    birth_date: date
    home_branch: str
    password: str
    consent_personal_data: bool
    email: str | None = None
    phone: str | None = None
    guardian_name: str = ""
    guardian_consent: bool = False
    language: str = ""


@dataclass
class CardView:
    account_id: int
    card_number: str
    full_name: str
    birth_date: date
    email: str | None
    phone: str | None
    home_branch_slug: str
    home_branch_name: str
    consent_at: datetime
    consent_version: str
    guardian_name: str
    guardian_consent_at: datetime | None
    is_minor: bool
    created_at: datetime
    blocked_at: datetime | None = None
    blocked_reason: str = ""
    imported: bool = False
    activated: bool = True  # has a password (an imported card has none until it is activated)


def _tx():
    return write_transaction(engine_finder())


async def _branch_id(slug: str, field_name: str = "home_branch") -> int:
    row = await Branch.select(Branch.id).where((Branch.slug == slug) & (Branch.is_active == True)).first()  # noqa: E712
    if row is None:
        raise Invalid.one(field_name, _("Unknown library branch: %(slug)s", slug=slug))
    return row["id"]


async def card_number_taken(number: str) -> bool:
    """In use, or once used and retired (a replaced card's number is never given to anyone else)."""
    return await ReaderCard.exists().where(ReaderCard.card_number == number) or await RetiredCard.exists().where(RetiredCard.card_number == number)


async def free_card_number() -> str:
    for _attempt in range(20):
        number = rules.new_card_number()
        if not await card_number_taken(number):
            return number
    raise RuntimeError("could not find a free card number")  # 10^9 numbers: practically unreachable


def _validate_reader(data: ReaderInput, today: date) -> tuple[str | None, str | None, list[FieldError]]:
    email = rules.normalize_email(data.email)
    phone = rules.normalize_phone(data.phone)
    errors = [
        *rules.name_errors(data.full_name),
        *rules.contact_errors(email, phone),
        *rules.birth_date_errors(data.birth_date, today),
        *rules.password_errors(data.password),
    ]
    if not data.consent_personal_data:
        errors.append(FieldError("consent_personal_data", _("The library needs your consent to process personal data to issue a card")))
    if not errors:
        errors += rules.guardian_errors(data.birth_date, today, data.guardian_name, data.guardian_consent)
    return email, phone, errors


class AlreadyRegistered(Conflict):
    """The e-mail already has an account: its owner has been told by e-mail. Callers answer exactly as for a new
    registration with an e-mail (check your mailbox), so that nobody learns who is registered."""

    def __init__(self) -> None:
        super().__init__(
            _("A reader with this e-mail is already registered. Log in, or ask any branch to restore access."),
            errors=[FieldError("email", _("This e-mail is already registered"))],
        )


async def register_reader(data: ReaderInput, client: str | None = None) -> CardView:
    """Issue a new city-wide reader card. All checks first; one transaction writes account and card, and the
    welcome e-mail with the card number when an e-mail is given. An e-mail that already has an account gets a
    message instead, and :class:`AlreadyRegistered` is raised after it is queued. ``client`` (the address) is
    throttled (``LIBSPACE_REGISTRATIONS_PER_HOUR``)."""
    today = today_in(get_settings().tz)
    email, phone, errors = _validate_reader(data, today)
    branch_id = await _branch_id(data.home_branch) if data.home_branch else None
    if branch_id is None:
        errors.append(FieldError("home_branch", _("Choose your home library")))
    if errors:
        raise Invalid(errors=errors)
    await sessions.check_registration(client)
    password_hash = await hash_password(data.password)
    now = now_utc()
    async with _tx():
        owner = await Account.select(Account.id).where(Account.email == email).first() if email else None
        if owner is not None:
            await notifications.enqueue(
                messages.ACCOUNT_EXISTS, [owner["id"]], messages.SUBJECTS[messages.ACCOUNT_EXISTS], {}, cause=now.isoformat()
            )
    if owner is not None:
        raise AlreadyRegistered()
    async with _tx():
        account = Account(
            role=ROLE_READER,
            email=email,
            phone=phone,
            full_name=data.full_name.strip(),
            password_hash=password_hash,
            language=data.language,
            created_at=now,
            updated_at=now,
        )
        await account.save()
        minor = rules.needs_guardian(data.birth_date, today)
        card = ReaderCard(
            account=account.id,
            card_number=await free_card_number(),
            birth_date=data.birth_date,
            home_branch=branch_id,
            consent_at=now,
            consent_version=consent.current().version,
            guardian_name=data.guardian_name.strip() if minor else "",
            guardian_consent_at=now if minor else None,
            created_at=now,
            search_name=rules.search_key(account.full_name),
        )
        await card.save()
        await audit.record(
            audit.ActorRef(account.id, ROLE_READER, account.full_name), "register", "account", account.id, branch_id=branch_id,
            changes=audit.diff(None, {"role": ROLE_READER, "card_number": card.card_number, "home_branch": branch_id, "guardian_consent": minor or None}),
        )
        if email:
            await notifications.enqueue(
                messages.WELCOME, [account.id], messages.SUBJECTS[messages.WELCOME], {"card": card.card_number}, cause=str(account.id)
            )
    return await get_card(account.id)


_CARD_COLUMNS = (
    ReaderCard.account,
    ReaderCard.card_number,
    ReaderCard.birth_date,
    ReaderCard.consent_at,
    ReaderCard.consent_version,
    ReaderCard.guardian_name,
    ReaderCard.guardian_consent_at,
    ReaderCard.created_at,
    ReaderCard.blocked_at,
    ReaderCard.blocked_reason,
    ReaderCard.imported_at,
    ReaderCard.account.password_hash,
    ReaderCard.account.full_name,
    ReaderCard.account.email,
    ReaderCard.account.phone,
    ReaderCard.home_branch.slug,
    ReaderCard.home_branch.name,
)


def _card_view(row: dict) -> CardView:
    tz = get_settings().tz
    return CardView(
        account_id=row["account"],
        card_number=row["card_number"],
        full_name=row["account.full_name"],
        birth_date=row["birth_date"],
        email=row["account.email"],
        phone=row["account.phone"],
        home_branch_slug=row["home_branch.slug"],
        home_branch_name=row["home_branch.name"],
        consent_at=aware(row["consent_at"]),
        consent_version=row["consent_version"],
        guardian_name=row["guardian_name"],
        guardian_consent_at=aware(row["guardian_consent_at"]) if row["guardian_consent_at"] else None,
        is_minor=rules.needs_guardian(row["birth_date"], today_in(tz)),
        created_at=aware(row["created_at"]),
        blocked_at=aware(row["blocked_at"]) if row["blocked_at"] else None,
        blocked_reason=row["blocked_reason"],
        imported=row["imported_at"] is not None,
        activated=bool(row["account.password_hash"]),
    )


async def get_card(account_id: int) -> CardView:
    row = await ReaderCard.select(*_CARD_COLUMNS).where(ReaderCard.account == account_id).first()
    if row is None:
        raise NotFound(_("This account has no reader card"))
    return _card_view(row)


async def find_card(card_number: str) -> CardView:
    """The card by its number; 403 "replaced by …" for a retired number, 404 for an unknown one."""
    number = rules.normalize_card(card_number)
    row = await ReaderCard.select(*_CARD_COLUMNS).where(ReaderCard.card_number == number).first()
    if row is None:
        retired = await RetiredCard.select(RetiredCard.reason, RetiredCard.retired_at, RetiredCard.account).where(RetiredCard.card_number == number).first()
        current = await ReaderCard.select(ReaderCard.card_number).where(ReaderCard.account == retired["account"]).first() if retired else None
        if retired and current:
            raise CardReplaced(number, current["card_number"], retired["reason"], aware(retired["retired_at"]))
        raise NotFound(_("No reader card with number %(number)s", number=card_number))
    return _card_view(row)


def ensure_usable(card: CardView) -> None:
    """Sign-ups, bookings and consultations on this card: 403 with the reason when it is blocked."""
    if card.blocked_at is not None:
        raise CardBlocked(card.card_number, card.blocked_reason)


async def ensure_may_book(account_id: int) -> None:
    """The account's card (if it has one) is not blocked; for the events, rooms and guidance services."""
    row = await ReaderCard.select(ReaderCard.card_number, ReaderCard.blocked_at, ReaderCard.blocked_reason).where(ReaderCard.account == account_id).first()
    if row is not None and row["blocked_at"] is not None:
        raise CardBlocked(row["card_number"], row["blocked_reason"])


# --- log-in -------------------------------------------------------------------------------------------


async def _account_for_login(login: str) -> dict | None:
    login = login.strip()
    columns = (Account.id, Account.password_hash, Account.is_active)
    if "@" in login:
        return await Account.select(*columns).where(Account.email == rules.normalize_email(login)).first()
    if rules.looks_like_card(login):
        card = await ReaderCard.select(ReaderCard.account).where(ReaderCard.card_number == rules.normalize_card(login)).first()
        if card:
            return await Account.select(*columns).where(Account.id == card["account"]).first()
    return None


async def authenticate(login: str, password: str, client: str | None = None, device: str | None = None) -> Principal:
    """Card number or e-mail plus password. Unknown login and wrong password get the same answer.
    ``device``: the User-Agent; a log-in from a device new to the account tells its owner (src/accounts/devices.py)."""
    await sessions.check_login(login, client)
    account = await _account_for_login(login) if login.strip() else None
    ok = await verify_password(account["password_hash"] if account else "", password)
    if not ok or account is None or not account["is_active"]:
        async with _tx():
            await sessions.record_login_failure(login, client)
        raise NotAuthenticated(_("Wrong card number, e-mail or password"), errors=[FieldError("login", _("Wrong card number, e-mail or password"))])
    if needs_rehash(account["password_hash"]):
        await Account.update({Account.password_hash: await hash_password(password)}).where(Account.id == account["id"])
    await sessions.clear_login_failures(login, client)
    if device is not None:
        await devices.note_login(account["id"], device, now_utc())
    principal = await load_principal(account["id"])
    assert principal is not None
    return principal


_PRINCIPAL_COLUMNS = (Account.id, Account.role, Account.full_name, Account.email, Account.language, Account.auth_version, Account.is_active)


async def load_principal(account_id: int) -> Principal | None:
    account = await Account.select(*_PRINCIPAL_COLUMNS).where(Account.id == account_id).first()
    return await _principal(account)


async def _principal(account: dict | None) -> Principal | None:
    """The principal of an account row; one more query for a staff member's branches or a reader's card."""
    if account is None or not account["is_active"]:
        return None
    account_id = account["id"]
    branch_ids: frozenset[int] = frozenset()
    head_branch_ids: frozenset[int] = frozenset()
    card_number = None
    school_id = None
    if account["role"] in STAFF_ROLES:
        rows = await StaffBranch.select(StaffBranch.branch, StaffBranch.is_head).where(StaffBranch.account == account_id)
        branch_ids = frozenset(row["branch"] for row in rows)
        head_branch_ids = frozenset(row["branch"] for row in rows if row["is_head"])
    elif account["role"] == ROLE_READER:
        card = await ReaderCard.select(ReaderCard.card_number).where(ReaderCard.account == account_id).first()
        card_number = card["card_number"] if card else None
    elif account["role"] == ROLE_TEACHER:
        link = await Teacher.select(Teacher.school).where((Teacher.account == account_id) & (Teacher.status == TEACHER_APPROVED)).first()
        school_id = link["school"] if link else None  # a teacher acts for the school once staff approve them
    return Principal(
        id=account["id"],
        role=account["role"],
        full_name=account["full_name"],
        email=account["email"],
        language=account["language"],
        branch_ids=branch_ids,
        head_branch_ids=head_branch_ids,
        card_number=card_number,
        school_id=school_id,
        auth_version=account["auth_version"],
    )


async def issue_token(principal: Principal) -> tuple[str, datetime]:
    return await sessions.issue(principal.id, sessions.API)


async def principal_for_token(token: str, kind: str = sessions.API) -> Principal | None:
    """The token (an API token, or a page session with ``kind=sessions.SESSION``) and its account in one
    query, cached per process (src/accounts/principals.py): this runs on every request."""
    return await principals.for_token(token, kind)


async def start_session(principal: Principal) -> tuple[str, datetime]:
    return await sessions.issue(principal.id, sessions.SESSION)


async def revoke_token(token: str) -> None:
    await sessions.revoke(token)


async def change_password(principal: Principal, current: str, new: str, keep: str | None = None) -> int:
    """Returns the new auth version: every other session and token of the account (all but ``keep``, the
    caller's own session or token) stops working."""
    row = await Account.select(Account.password_hash, Account.auth_version).where(Account.id == principal.id).first()
    errors = []
    if row is None or not await verify_password(row["password_hash"], current):
        errors.append(FieldError("current_password", _("The current password is not right")))
    errors += rules.password_errors(new, "new_password")
    if errors:
        raise Invalid(errors=errors)
    password_hash = await hash_password(new)
    now = now_utc()
    async with _tx():
        await Account.update({Account.password_hash: password_hash, Account.updated_at: now}).where(Account.id == principal.id)
        version = await end_sessions(principal.id, keep=keep)
        await tokens.revoke_open(principal.id, tokens.PASSWORD_CHANGED, now=now)
        await audit.record(principal, "change_password", "account", principal.id, changes={"password": ("", "")})
        await notifications.enqueue(
            messages.PASSWORD_CHANGED, [principal.id], messages.SUBJECTS[messages.PASSWORD_CHANGED], {}, cause=f"{principal.id}-{version}"
        )
    return version


async def end_sessions(account_id: int, keep: str | None = None) -> int:
    """End every session and API token of the account but ``keep`` (the caller's own secret, if given); joins
    the caller's transaction; returns the new auth version (see src/accounts/sessions.py)."""
    rows = await Account.update({Account.auth_version: Account.auth_version + 1}).where(Account.id == account_id).returning(Account.auth_version)
    await sessions.end_sessions(account_id, keep=keep)
    return rows[0]["auth_version"] if rows else 0


async def set_language(account_id: int, language: str) -> None:
    async with _tx():
        before = await Account.select(Account.language).where(Account.id == account_id).first()
        if before is None or before["language"] == language:
            return
        await Account.update({Account.language: language}).where(Account.id == account_id)
        await audit.record(None, "update", "account", account_id, changes={"language": (before["language"], language)})


# --- administration -----------------------------------------------------------------------------------


async def create_user(
    role: str,
    email: str,
    password: str,
    full_name: str = "",
    branch_slugs: list[str] | None = None,
    phone: str | None = None,
    school_slug: str = "",
) -> int:
    """Staff, admins, counsellors and teachers (readers register or are imported, they need a card).
    A teacher is tied to one school (``school_slug``), approved at once."""
    if role not in ROLES or role == ROLE_READER:
        raise Invalid.one("role", _("Choose one of: %(roles)s", roles=", ".join(r for r in ROLES if r != ROLE_READER)))
    email_n = rules.normalize_email(email)
    errors = rules.contact_errors(email_n, None) + rules.password_errors(password)
    if not email_n:
        errors.append(FieldError("email", _("An e-mail address is required")))
    branch_ids = [await _branch_id(slug, "branch") for slug in branch_slugs or []]
    if role == "staff" and not branch_ids:
        errors.append(FieldError("branch", _("Staff need at least one branch")))
    school_id = None
    if role == ROLE_TEACHER:
        school = await School.select(School.id).where((School.slug == school_slug.strip()) & (School.is_active == True)).first()  # noqa: E712
        if school is None:
            errors.append(FieldError("school", _("A teacher needs the slug of their school") if not school_slug.strip() else _("Unknown school: %(slug)s", slug=school_slug)))
        else:
            school_id = school["id"]
    if errors:
        raise Invalid(errors=errors)
    password_hash = await hash_password(password)
    now = now_utc()
    async with _tx():
        if await Account.exists().where(Account.email == email_n):
            raise Conflict(_("An account with this e-mail already exists"), errors=[FieldError("email", _("This e-mail is already registered"))])
        account = Account(
            role=role,
            email=email_n,
            phone=rules.normalize_phone(phone),
            full_name=full_name.strip() or email_n.split("@")[0],
            password_hash=password_hash,
            created_at=now,
            updated_at=now,
        )
        await account.save()
        for branch_id in branch_ids:
            await StaffBranch.insert(StaffBranch(account=account.id, branch=branch_id))
        if school_id is not None:
            await Teacher.insert(Teacher(account=account.id, school=school_id, status=TEACHER_APPROVED, decided_at=now, created_at=now))
        await audit.record(
            None, "create", "account", account.id,
            changes=audit.diff(None, {"role": role, "email": email_n, "full_name": account.full_name, "branches": sorted(branch_ids) or None, "school": school_id}),
        )
    return account.id
