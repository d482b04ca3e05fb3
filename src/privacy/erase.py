"""Erasing a reader: consent withdrawn, on their own wish (with their password) or at their written request to
staff. In one transaction: every sign-up, booking and consultation still ahead is cancelled (waitlists move
up, the people concerned are told), then the personal data is erased or anonymised everywhere it is stored.

What stays, for statistics, is what cannot name anyone: the account row without name or contacts, the card
with the birth year only (the age group) and the home branch, past sign-ups, bookings and consultations
without their free text, survey answers. The audit log keeps the facts and times, without names or values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

from src import audit
from src.accounts import messages as accounts_messages
from src.accounts import permissions, rules
from src.accounts import service as accounts_service
from src.accounts.constants import ROLE_READER
from src.accounts.importer import erased_marker
from src.accounts.passwords import verify_password
from src.accounts.permissions import Principal
from src.accounts.tables import Account, AccountToken, ApiToken, Guardianship, LoginAttempt, LoginDevice, ReaderCard, RetiredCard
from src.audit import service as audit_log
from src.audit.tables import AuditEntry
from src.calendars.tables import FeedToken
from src.db import write_transaction
from src.events import service as events_service
from src.exceptions import Forbidden, Invalid, NotFound
from src.guidance import consultations as guidance_consultations
from src.guidance.tables import Consultation
from src.i18n import _
from src.notifications.tables import Outbox, ReminderSetting
from src.rooms import bookings as rooms_bookings
from src.rooms.constants import ACTIVE_STATUSES
from src.rooms.tables import Booking
from src.timeutil import now_utc

ERASED_NAME = "—"
REASON_LENGTH = 300
SIGN_UP_REASON = "erased"  # a sign-up's cancel reason (a code, like "reader" or "staff")


@dataclass(frozen=True, slots=True)
class Erased:
    sign_ups: int
    bookings: int
    consultations: int


NAMING_FIELDS = ("full_name", "email", "phone", "birth_date", "card_number")


def _needles(account: dict, card: dict | None, retired: list[str], history: list[audit_log.Entry]) -> list[str]:
    """Every value that names the reader, now or before a correction (an old e-mail or phone from the card's
    history), as it may be found in text anywhere."""
    values = [account["full_name"], account["email"], account["phone"]]
    if card:
        values += [card["card_number"], card["birth_date"].isoformat(), card["guardian_name"]]
    values += retired
    for entry in history:
        for name in NAMING_FIELDS:
            change = entry.changes.get(name) or {}
            values += [str(change[side]) for side in ("before", "after") if change.get(side)]
    values += [value.lstrip("+") for value in values if value and value.startswith("+")]
    return [value for value in dict.fromkeys(value.strip() for value in values if value) if len(value) >= 3]


def _scrub(value: Any, needles: list[str]) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, ERASED_NAME)
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, needles) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, needles) for item in value]
    return value


async def _ids_mentioning(table: str, column: str, needles: list[str]) -> list[int]:
    """Rows whose column holds one of the values, as written or as JSON escapes it (Cyrillic as \\uXXXX)."""
    ids: set[int] = set()
    for needle in needles:
        for form in dict.fromkeys((needle, json.dumps(needle)[1:-1])):
            pattern = "%" + form.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
            rows = await engine_finder().run_querystring(QueryString(f"SELECT id FROM {table} WHERE CAST({column} AS TEXT) LIKE {{}} ESCAPE '!'", pattern))
            ids |= {row["id"] for row in rows}
    return sorted(ids)


async def _forget_in_others(needles: list[str]) -> None:
    """Messages to other people and log entries that quote the reader (a name in a message, a card number in a
    change): the values are replaced or cleared; throttle keys that carry them are dropped."""
    for outbox_id in await _ids_mentioning("outbox", "payload", needles):
        row = await Outbox.select(Outbox.payload).where(Outbox.id == outbox_id).first()
        payload = row["payload"] if isinstance(row["payload"], (dict, list)) else msgspec.json.decode(row["payload"] or "{}")
        await Outbox.update({Outbox.payload: msgspec.json.encode(_scrub(payload, needles)).decode()}).where(Outbox.id == outbox_id)
    for outbox_id in await _ids_mentioning("outbox", "subject", needles):
        row = await Outbox.select(Outbox.subject).where(Outbox.id == outbox_id).first()
        await Outbox.update({Outbox.subject: _scrub(row["subject"], needles)}).where(Outbox.id == outbox_id)
    for entry_id in await _ids_mentioning("audit_entry", "changes", needles):
        await AuditEntry.update({AuditEntry.changes: "{}"}).where(AuditEntry.id == entry_id)
    for entry_id in await _ids_mentioning("audit_entry", "actor_name", needles):
        await AuditEntry.update({AuditEntry.actor_name: ""}).where(AuditEntry.id == entry_id)
    for attempt_id in await _ids_mentioning("login_attempt", "key", needles):
        await LoginAttempt.delete().where(LoginAttempt.id == attempt_id)


async def erase(actor: Principal, account_id: int, reason: str) -> Erased:
    """Cancel what is ahead and erase the reader's personal data, in one transaction (see the module)."""
    if not permissions.can_erase_reader(actor, account_id):
        raise Forbidden(_("Only the reader or library staff (at the reader's written request) can erase a card"))
    reason = " ".join(reason.split())[:REASON_LENGTH]
    account = await Account.select(Account.full_name, Account.email, Account.phone, Account.role, Account.is_active).where(Account.id == account_id).first()
    if account is None or account["role"] != ROLE_READER or not account["is_active"]:
        raise NotFound(_("There is no such reader"))
    card = await ReaderCard.select(ReaderCard.id, ReaderCard.card_number, ReaderCard.birth_date, ReaderCard.guardian_name).where(ReaderCard.account == account_id).first()
    retired = [row["card_number"] for row in await RetiredCard.select(RetiredCard.card_number).where(RetiredCard.account == account_id)]
    needles = _needles(account, card, retired, await audit_log.of_object("account", account_id))
    by_staff = actor.id != account_id
    told = reason or _("The reader's personal data was erased at their request")
    now = now_utc()
    async with write_transaction(engine_finder()):
        sign_ups = await events_service.cancel_upcoming_of(account_id, actor, SIGN_UP_REASON)
        consultations = await guidance_consultations.cancel_upcoming_of(account_id, actor, told)
        ahead = await Booking.select(Booking.id).where((Booking.holder == account_id) & Booking.status.is_in(list(ACTIVE_STATUSES)) & (Booking.starts_at > now))
        booking_count = await rooms_bookings.release([row["id"] for row in ahead], actor.id, told) if ahead else 0

        await Account.update(
            {Account.full_name: ERASED_NAME, Account.email: None, Account.phone: None, Account.password_hash: "", Account.language: "", Account.is_active: False, Account.updated_at: now}
        ).where(Account.id == account_id)
        await accounts_service.end_sessions(account_id)
        await ApiToken.delete().where(ApiToken.account == account_id)
        await AccountToken.delete().where(AccountToken.account == account_id)
        await LoginDevice.delete().where(LoginDevice.account == account_id)  # the devices it logged in from
        if card is not None:
            await ReaderCard.update(
                {
                    ReaderCard.card_number: erased_marker(card["card_number"]),  # a later import cannot bring the reader back
                    ReaderCard.birth_date: date(card["birth_date"].year, 1, 1),  # the year only: the age group for statistics (docs/statistics.md)
                    ReaderCard.guardian_name: "",
                    ReaderCard.search_name: "",
                    ReaderCard.blocked_reason: "",
                    ReaderCard.erased_at: now,
                }
            ).where(ReaderCard.id == card["id"])
        for number in retired:
            await RetiredCard.update({RetiredCard.card_number: erased_marker(number), RetiredCard.reason: ""}).where(RetiredCard.card_number == number)
        await FeedToken.delete().where(FeedToken.account == account_id)
        await Guardianship.delete().where((Guardianship.guardian == account_id) | (Guardianship.child == account_id))
        await ReminderSetting.delete().where(ReminderSetting.account == account_id)
        await Booking.update({Booking.purpose: "", Booking.reason: ""}).where(Booking.holder == account_id)
        await Consultation.update({Consultation.topic: "", Consultation.next_steps: "", Consultation.private_notes: "", Consultation.cancel_reason: ""}).where(
            Consultation.reader == account_id
        )
        await Outbox.delete().where(Outbox.recipient == account_id)
        await Outbox.delete().where(Outbox.message_id.like(f"{accounts_messages.EMAIL_CHANGED}:{accounts_messages.old_address_cause(account_id, '')}%"))  # to an address the card had before
        if account["email"]:
            await Outbox.delete().where(Outbox.email == account["email"])
        await audit_log.forget_actor(account_id)
        await audit_log.forget_object("account", account_id)
        await _forget_in_others(needles)
        await audit.record(
            audit.ActorRef(actor.id, actor.role, actor.full_name if by_staff else ""), "erase", "account", account_id,
            changes={"erased": (None, True), "by_staff": (None, by_staff), "written_request": (None, reason or None), "sign_ups_cancelled": (None, len(sign_ups)),
                     "bookings_cancelled": (None, booking_count), "consultations_cancelled": (None, len(consultations))},
        )
    return Erased(sign_ups=len(sign_ups), bookings=booking_count, consultations=len(consultations))


async def erase_self(principal: Principal, password: str) -> Erased:
    """The reader withdraws consent and erases their card: their password first."""
    row = await Account.select(Account.password_hash).where(Account.id == principal.id).first()
    if row is None or not await verify_password(row["password_hash"], password):
        raise Invalid.one("password", _("The password is not right"))
    return await erase(principal, principal.id, "")


async def erase_by_staff(principal: Principal, card_number: str, request_reference: str) -> Erased:
    """At the reader's written request: staff say which request (its number and date) for the log."""
    if not permissions.can_look_up_readers(principal):
        raise Forbidden(_("This is for library staff"))
    reference = " ".join(request_reference.split())
    if not reference:
        raise Invalid.one("request_reference", _("Give the number and date of the reader's written request"))
    card = await accounts_service.find_card(rules.normalize_card(card_number))
    return await erase(principal, card.account_id, reference)
