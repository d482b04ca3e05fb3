"""Getting into an account without its password: activating an imported card (online, or with a desk code)
and resetting a forgotten password; then choosing the password with the one-time token.

Requests by card or e-mail are answered the same whether anything matched or not: the caller learns only
that the input was well-formed (422 otherwise) and not too frequent (429). What matched is decided in
:func:`send_activation` / :func:`send_reset`, which the controllers run after the answer has gone out, so
that not even the response time tells.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from piccolo.engine import engine_finder

from src import audit
from src.accounts import consent, messages, rules, throttle, tokens
from src.accounts import service as accounts_service
from src.accounts.passwords import hash_password
from src.accounts.permissions import Principal
from src.accounts.tables import Account, ReaderCard
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import AppError, FieldError, Invalid
from src.i18n import _
from src.notifications import service as notifications
from src.timeutil import now_utc, today_in

log = logging.getLogger("libspace.accounts")
MAILS_PER_HOUR = 3  # links e-mailed to one account per hour, however often they are asked for
HOUR = 3600


@dataclass(frozen=True, slots=True)
class ActivationRequest:
    card_number: str
    birth_date: date
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class ResetRequest:
    login: str


def _limits(prefix: str, what: str, client: str | None) -> list[tuple[str, int]]:
    attempts = get_settings().login_attempts
    limits = [(f"{prefix}:{what}", attempts)]
    if client:
        limits.append((f"{prefix}:ip:{client}", attempts * 4))
    return limits


async def _throttled(prefix: str, what: str, client: str | None) -> None:
    """Every request counts (a match is never told apart from a miss), per card or login and per address."""
    limits = _limits(prefix, what, client)
    await throttle.check(limits, get_settings().login_window_seconds)
    await throttle.record([key for key, _limit in limits])


def _contact(contact: str) -> tuple[str | None, str | None, list[FieldError]]:
    contact = contact.strip()
    if "@" in contact:
        email = rules.normalize_email(contact)
        if email and rules.EMAIL_RE.match(email):
            return email, None, []
    else:
        phone = rules.normalize_phone(contact)
        if phone and rules.PHONE_RE.match(phone):
            return None, phone, []
    return None, None, [FieldError("contact", _("Enter the e-mail address or the phone number the library has on file"))]


async def prepare_activation(card_number: str, birth_date: date | None, contact: str, client: str | None = None) -> ActivationRequest:
    """Check the form and the throttle; 422 or 429, else the request to act on after answering 202."""
    card = rules.normalize_card(card_number)
    errors: list[FieldError] = []
    if not card or not rules.CARD_RE.match(card):
        errors.append(FieldError("card_number", _("Enter the number printed on your card")))
    if birth_date is None:
        errors.append(FieldError("birth_date", _("This field is required")))
    else:
        errors += rules.birth_date_errors(birth_date, today_in(get_settings().tz))
    email, phone, contact_errors = _contact(contact)
    errors += contact_errors
    if errors:
        raise Invalid(errors=errors)
    assert birth_date is not None
    await _throttled("activate", f"card:{card}", client)
    return ActivationRequest(card_number=card, birth_date=birth_date, email=email, phone=phone)


async def _mail_allowed(account_id: int) -> bool:
    return await throttle.count(f"mail:account:{account_id}", HOUR) < MAILS_PER_HOUR


async def _send_link(account_id: int, purpose: str, kind: str, card: str = "") -> None:
    """Issue the token and queue its message in one transaction; at most a few links an hour per account."""
    if not await _mail_allowed(account_id):
        log.info("account %s: link not sent, %s already sent this hour", account_id, MAILS_PER_HOUR)
        return
    async with write_transaction(engine_finder()):
        issued = await tokens.issue(account_id, purpose)
        await notifications.enqueue(
            kind, [account_id], messages.SUBJECTS[kind], {"token_id": issued.id, "card": card}, cause=f"token-{issued.id}"
        )
    await throttle.record([f"mail:account:{account_id}"])


async def send_activation(request: ActivationRequest) -> None:
    """A link to the e-mail on file when card, birth date and contact all match; nothing otherwise."""
    try:
        row = await ReaderCard.select(
            ReaderCard.account, ReaderCard.birth_date, ReaderCard.account.email, ReaderCard.account.phone,
            ReaderCard.account.password_hash, ReaderCard.account.is_active,
        ).where(ReaderCard.card_number == request.card_number).first()
        if row is None or not row["account.is_active"] or not row["account.email"] or row["birth_date"] != request.birth_date:
            return
        if not ((request.email and request.email == row["account.email"]) or (request.phone and request.phone == row["account.phone"])):
            return
        if row["account.password_hash"]:
            await _send_link(row["account"], tokens.RESET, messages.ALREADY_ACTIVE, request.card_number)
        else:
            await _send_link(row["account"], tokens.ACTIVATION, messages.ACTIVATION, request.card_number)
    except Exception:  # noqa: BLE001 - after the answer: log, never surface
        log.exception("activation request could not be handled")


async def prepare_reset(login: str, client: str | None = None) -> ResetRequest:
    login = login.strip()
    if "@" in login:
        normalized = rules.normalize_email(login) or ""
        ok = bool(rules.EMAIL_RE.match(normalized))
    else:
        normalized = rules.normalize_card(login)
        ok = bool(normalized) and rules.looks_like_card(normalized)
    if not ok:
        raise Invalid.one("login", _("Enter your e-mail address or the number of your reader card"))
    await _throttled("reset", f"login:{normalized}", client)
    return ResetRequest(login=normalized)


async def send_reset(request: ResetRequest) -> None:
    """A reset link to the account's e-mail, if there is such an account with an e-mail; nothing otherwise."""
    try:
        columns = (Account.id, Account.email, Account.is_active)
        if "@" in request.login:
            account = await Account.select(*columns).where(Account.email == request.login).first()
        else:
            card = await ReaderCard.select(ReaderCard.account).where(ReaderCard.card_number == request.login).first()
            account = await Account.select(*columns).where(Account.id == card["account"]).first() if card else None
        if account is None or not account["is_active"] or not account["email"]:
            return
        await _send_link(account["id"], tokens.RESET, messages.PASSWORD_RESET)
    except Exception:  # noqa: BLE001 - after the answer: log, never surface
        log.exception("password reset request could not be handled")


# --- choosing the password --------------------------------------------------------------------------------

SET_PASSWORD = tokens.PURPOSES


@dataclass(frozen=True, slots=True)
class TokenView:
    """What the set-password page shows about the token's account (its holder may see it)."""

    purpose: str
    account_id: int
    full_name: str
    card_number: str | None
    activating: bool  # the account has no password yet
    needs_consent: bool  # activating a card whose consent is older than the current text (given on paper)


async def _account_state(account_id: int) -> tuple[dict, dict | None]:
    account = await Account.select(Account.id, Account.full_name, Account.password_hash, Account.role).where(Account.id == account_id).first()
    card = await ReaderCard.select(ReaderCard.card_number, ReaderCard.consent_version).where(ReaderCard.account == account_id).first()
    return account or {}, card


async def _token_failure(client: str | None, error: AppError) -> AppError:
    if client:
        await throttle.record([f"token:ip:{client}"])
    return error


async def _check_token_throttle(client: str | None) -> None:
    if client:
        await throttle.check([(f"token:ip:{client}", get_settings().login_attempts * 4)], get_settings().login_window_seconds)


async def view_token(token: str, client: str | None = None) -> TokenView:
    """For the set-password form: 422/410 (and counted against the address) when the token cannot be used."""
    await _check_token_throttle(client)
    try:
        info = await tokens.check(token, SET_PASSWORD)
    except AppError as error:
        raise await _token_failure(client, error)
    account, card = await _account_state(info.account_id)
    activating = not account.get("password_hash")
    return TokenView(
        purpose=info.purpose,
        account_id=info.account_id,
        full_name=account.get("full_name", ""),
        card_number=card["card_number"] if card else None,
        activating=activating,
        needs_consent=activating and card is not None and card["consent_version"] != consent.current().version,
    )


async def set_password(token: str, password: str, consent_given: bool = False, client: str | None = None) -> Principal:
    """Choose the password with a one-time token: the token is used up, every other session, API token and
    one-time token of the account ends, and the reader is told (welcome on activation, a notice otherwise)."""
    view = await view_token(token, client)
    errors = rules.password_errors(password)
    if view.needs_consent and not consent_given:
        errors.append(FieldError("consent_personal_data", _("The library needs your consent to process personal data to keep your card")))
    if errors:
        raise Invalid(errors=errors)
    password_hash = await hash_password(password)
    now = now_utc()
    async with write_transaction(engine_finder()):
        try:
            info = await tokens.consume(token, SET_PASSWORD, now=now)
        except AppError as error:
            raise await _token_failure(client, error)
        await Account.update({Account.password_hash: password_hash, Account.updated_at: now}).where(Account.id == info.account_id)
        await accounts_service.end_sessions(info.account_id)
        account = await Account.select(Account.role, Account.full_name).where(Account.id == info.account_id).first()
        await audit.record(
            audit.ActorRef(info.account_id, account["role"] if account else "", account["full_name"] if account else ""),
            "activate" if view.activating else "reset_password", "account", info.account_id, changes={"password": ("", ""), **({"consent": (None, True)} if consent_given else {})},
        )
        if consent_given and view.card_number:
            await consent.record(info.account_id, now)
        kind = messages.WELCOME if view.activating else messages.PASSWORD_CHANGED
        await notifications.enqueue(kind, [info.account_id], messages.SUBJECTS[kind], {"card": view.card_number or ""}, cause=f"token-{info.id}")
    principal = await accounts_service.load_principal(info.account_id)
    if principal is None:
        raise Invalid.one("token", _("This account is closed. Please ask at any library branch."))
    return principal
