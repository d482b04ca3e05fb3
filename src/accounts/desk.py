"""The desk: staff of any branch find a reader, correct their details, replace a lost card, block and unblock
it, and hand out a one-time access code (activation or a forgotten password). Every change is one
transaction with its audit row (done by the staff member) and the reader's message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from piccolo.engine import engine_finder

from src import audit
from src.accounts import messages, permissions, rules, tokens
from src.accounts.permissions import Principal
from src.accounts.service import CardView, card_number_taken, find_card, free_card_number, get_card
from src.accounts.tables import Account, ReaderCard, RetiredCard
from src.audit import service as audit_log
from src.branches.tables import Branch
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import Conflict, FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.notifications import service as notifications
from src.timeutil import now_utc, today_in

SEARCH_LIMIT = 20
REASON_LENGTH = 300


def _tx():
    return write_transaction(engine_finder())


def _staff_only(allowed: bool) -> None:
    if not allowed:
        raise Forbidden(_("This is for library staff"))


@dataclass(frozen=True, slots=True)
class Found:
    """A search hit: the card, and the retired number it was found by (a replaced card), if so."""

    card: CardView
    retired_number: str | None = None


async def search(principal: Principal | None, query: str, limit: int = SEARCH_LIMIT) -> list[Found]:
    """By card number (current or replaced), e-mail, phone, or part of the name; at most ``limit`` hits."""
    _staff_only(permissions.can_look_up_readers(principal))
    query = query.strip()
    if not query:
        return []
    account_ids: list[int] = []
    retired: dict[int, str] = {}
    if "@" in query:
        rows = await Account.select(Account.id).where(Account.email == rules.normalize_email(query))
        account_ids = [row["id"] for row in rows]
    else:
        card = rules.normalize_card(query.rsplit("/", 1)[-1])  # a scanned QR may carry a URL
        if rules.looks_like_card(card):
            rows = await ReaderCard.select(ReaderCard.account).where(ReaderCard.card_number == card)
            account_ids = [row["account"] for row in rows]
            for row in await RetiredCard.select(RetiredCard.account).where(RetiredCard.card_number == card):
                retired[row["account"]] = card
                account_ids.append(row["account"])
        phone = rules.normalize_phone(query)
        if not account_ids and phone and rules.PHONE_RE.match(phone):
            rows = await Account.select(Account.id).where(Account.phone == phone)
            account_ids = [row["id"] for row in rows]
        if not account_ids:
            key = rules.search_key(query).replace("%", "").replace("_", "")
            if len(key) >= 2:
                rows = await ReaderCard.select(ReaderCard.account).where(ReaderCard.search_name.like(f"%{key}%")).order_by(ReaderCard.search_name).limit(limit)
                account_ids = [row["account"] for row in rows]
    found = []
    for account_id in list(dict.fromkeys(account_ids))[:limit]:
        try:
            found.append(Found(await get_card(account_id), retired.get(account_id)))
        except NotFound:
            continue  # staff accounts found by e-mail or phone have no card
    return found


async def _card_row(card_number: str) -> dict:
    """The current card (404 unknown, 403 "replaced by …" for a retired number)."""
    view = await find_card(card_number)
    row = await ReaderCard.select().where(ReaderCard.account == view.account_id).first()
    assert row is not None
    return row


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid.one("reason", _("Say why: the reader will see the reason"))
    if len(reason) > REASON_LENGTH:
        raise Invalid.one("reason", _("This is too long (at most %(n)s characters)", n=REASON_LENGTH))
    return reason


async def _tell(kind: str, account_id: int, payload: dict, cause: str) -> None:
    await notifications.enqueue(kind, [account_id], messages.SUBJECTS[kind], payload, cause=cause)


# --- details ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReaderChanges:
    """None leaves a field as it is; an empty e-mail or phone removes it."""

    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    home_branch: str | None = None
    birth_date: date | None = None


async def update_reader(principal: Principal, card_number: str, changes: ReaderChanges) -> CardView:
    """Correct a reader's name, contacts, home branch or birth date; the audit row keeps before and after."""
    _staff_only(permissions.can_edit_reader(principal))
    card = await _card_row(card_number)
    account = await Account.select(Account.full_name, Account.email, Account.phone).where(Account.id == card["account"]).first()
    assert account is not None
    before = {"full_name": account["full_name"], "email": account["email"], "phone": account["phone"], "home_branch": card["home_branch"], "birth_date": card["birth_date"]}
    after = dict(before)
    errors: list[FieldError] = []
    if changes.full_name is not None:
        after["full_name"] = " ".join(changes.full_name.split())
        errors += rules.name_errors(after["full_name"])
    if changes.email is not None:
        after["email"] = rules.normalize_email(changes.email)
    if changes.phone is not None:
        after["phone"] = rules.normalize_phone(changes.phone)
    if changes.email is not None or changes.phone is not None:
        errors += rules.contact_errors(after["email"], after["phone"])
    if changes.birth_date is not None:
        after["birth_date"] = changes.birth_date
        errors += rules.birth_date_errors(changes.birth_date, today_in(get_settings().tz))
    if changes.home_branch is not None:
        branch = await Branch.select(Branch.id).where((Branch.slug == changes.home_branch.strip()) & (Branch.is_active == True)).first()  # noqa: E712
        if branch is None:
            errors.append(FieldError("home_branch", _("Unknown library branch: %(slug)s", slug=changes.home_branch)))
        else:
            after["home_branch"] = branch["id"]
    if errors:
        raise Invalid(errors=errors)
    changed = audit.diff(before, after)
    if not changed:
        return await get_card(card["account"])
    now = now_utc()
    async with _tx():
        if "email" in changed and after["email"] and await Account.exists().where((Account.email == after["email"]) & (Account.id != card["account"])):
            raise Conflict(_("Another account has this e-mail"), errors=[FieldError("email", _("This e-mail is already registered"))])
        await Account.update(
            {Account.full_name: after["full_name"], Account.email: after["email"], Account.phone: after["phone"], Account.updated_at: now}
        ).where(Account.id == card["account"])
        await ReaderCard.update(
            {ReaderCard.home_branch: after["home_branch"], ReaderCard.birth_date: after["birth_date"], ReaderCard.search_name: rules.search_key(after["full_name"])}
        ).where(ReaderCard.id == card["id"])
        await audit.record(principal, "update", "account", card["account"], branch_id=after["home_branch"], changes=changed)
        await messages.tell_details_changed(messages.DETAILS_CHANGED, card["account"], card["card_number"], list(changed), before["email"], after["email"], now.isoformat())
    return await get_card(card["account"])


# --- replace, block, unblock -----------------------------------------------------------------------------


async def replace_card(principal: Principal, card_number: str, reason: str, new_number: str | None = None) -> CardView:
    """A lost or damaged card gets a new number (printed on a blank card, or a new one drawn); the old number is
    retired with the reason and answers "replaced by …". Sign-ups, bookings, consultations and history belong
    to the account, so they go with the card as it is renumbered, in the same transaction."""
    _staff_only(permissions.can_replace_card(principal))
    reason = _reason(reason)
    card = await _card_row(card_number)
    if new_number:
        new_number = rules.normalize_card(new_number)
        if not rules.CARD_RE.match(new_number):
            raise Invalid.one("new_card_number", _("Enter the number printed on the new card"))
        if await card_number_taken(new_number):
            raise Conflict(_("This card number is already in use or was used before"), errors=[FieldError("new_card_number", _("Already in use"))])
    else:
        new_number = await free_card_number()
    now = now_utc()
    async with _tx():
        renumbered = await ReaderCard.update({ReaderCard.card_number: new_number}).where(
            (ReaderCard.id == card["id"]) & (ReaderCard.card_number == card["card_number"])
        ).returning(ReaderCard.id)
        if not renumbered:
            raise Conflict(_("This card has just been changed by someone else: look it up again"))
        await RetiredCard.insert(RetiredCard(card_number=card["card_number"], account=card["account"], reason=reason, retired_at=now, retired_by=principal.id))
        await audit.record(
            principal, "replace_card", "account", card["account"], branch_id=card["home_branch"],
            changes={"card_number": (card["card_number"], new_number), "reason": (None, reason)},
        )
        await _tell(messages.CARD_REPLACED, card["account"], {"card": card["card_number"], "new_card": new_number, "reason": reason}, new_number)
    return await get_card(card["account"])


async def block(principal: Principal, card_number: str, reason: str) -> CardView:
    """The card can no longer sign up, book or book consultations; the reader sees why. Open one-time links and
    codes stop working."""
    _staff_only(permissions.can_block_card(principal))
    reason = _reason(reason)
    card = await _card_row(card_number)
    if card["blocked_at"] is not None:
        raise Conflict(_("This card is already blocked: %(reason)s", reason=card["blocked_reason"]))
    now = now_utc()
    async with _tx():
        await ReaderCard.update({ReaderCard.blocked_at: now, ReaderCard.blocked_reason: reason, ReaderCard.blocked_by: principal.id}).where(ReaderCard.id == card["id"])
        await tokens.revoke_open(card["account"], tokens.CARD_BLOCKED, now=now)
        await audit.record(principal, "block", "account", card["account"], branch_id=card["home_branch"], changes={"blocked": (False, True), "reason": (None, reason)})
        await _tell(messages.CARD_BLOCKED, card["account"], {"card": card["card_number"], "reason": reason}, now.isoformat())
    return await get_card(card["account"])


async def unblock(principal: Principal, card_number: str, reason: str = "") -> CardView:
    _staff_only(permissions.can_block_card(principal))
    reason = " ".join((reason or "").split())[:REASON_LENGTH]
    card = await _card_row(card_number)
    if card["blocked_at"] is None:
        raise Conflict(_("This card is not blocked"))
    now = now_utc()
    async with _tx():
        await ReaderCard.update({ReaderCard.blocked_at: None, ReaderCard.blocked_reason: "", ReaderCard.blocked_by: None}).where(ReaderCard.id == card["id"])
        await audit.record(
            principal, "unblock", "account", card["account"], branch_id=card["home_branch"],
            changes={"blocked": (True, False), "reason": (card["blocked_reason"], reason or None)},
        )
        await _tell(messages.CARD_UNBLOCKED, card["account"], {"card": card["card_number"]}, now.isoformat())
    return await get_card(card["account"])


# --- access codes ----------------------------------------------------------------------------------------


async def access_code(principal: Principal, card_number: str) -> tuple[CardView, tokens.Issued]:
    """A one-time code (valid 7 days) the reader types or scans to set a password: activation of an imported
    card, or a forgotten password. Earlier links and codes of the account stop working."""
    _staff_only(permissions.can_issue_access_code(principal))
    view = await find_card(card_number)
    async with _tx():
        issued = await tokens.issue(view.account_id, tokens.DESK, created_by=principal.id)
        await audit.record(principal, "access_code", "account", view.account_id, changes={"expires_at": (None, issued.expires_at)})
    return view, issued


def code_url(issued: tokens.Issued) -> str:
    """What the printed QR code opens: the set-password page with the code."""
    return get_settings().base_url.rstrip("/") + issued.path


async def shown_code(principal: Principal, view: CardView, token_id: int) -> tuple[str, str, datetime] | None:
    """A desk code issued for this card, to show or print again while it can be used: (code, url, expiry)."""
    _staff_only(permissions.can_issue_access_code(principal))
    info = next((item for item in await tokens.open_tokens(view.account_id) if item.id == token_id and item.purpose == tokens.DESK), None)
    path = await tokens.open_path(token_id) if info else None
    if info is None or path is None:
        return None
    token = path.rstrip("/").rsplit("/", 1)[-1]
    return tokens.display(token), get_settings().base_url.rstrip("/") + path, info.expires_at


async def history(view: CardView, limit: int = 50) -> list[audit_log.Entry]:
    """What happened to the card at the desk and by the reader, newest first (the audit log's entries)."""
    return list(reversed(await audit_log.of_object("account", view.account_id)))[:limit]
