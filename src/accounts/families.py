"""Families: a guardian's account linked to their children's cards.

A guardian links a child's card with its number and birth date. A child under 14 is linked at once; a
teenager of 14 to 17 must agree: the guardian is given a one-time agreement code to pass on, and the teenager
enters it on their own "Family" page (so the teenager learns who asks from the guardian, never from the
system). Adults cannot be linked. A linked guardian signs the child up for events, sees their tickets and
receives a copy of every message to the child. The child's card never shows the guardian's data to anyone
but staff: children see only that they have a guardian.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from piccolo.engine import engine_finder

from src import audit, db
from src.accounts import messages, permissions, tokens
from src.accounts.constants import GUARDIAN_CONSENT_UNDER
from src.accounts.permissions import Principal
from src.accounts.service import find_card
from src.accounts.tables import Guardianship, ReaderCard
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import Conflict, FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.notifications import registry
from src.notifications import service as notifications
from src.timeutil import age_on, aware, now_utc, today_in

PENDING, ACTIVE = "pending", "active"
ADULT_AGE = 18
CODE_LENGTH = 8


def _tx():
    return write_transaction(engine_finder())


def _code_hash(code: str) -> str:
    typed = "".join(char for char in (code or "").upper() if char.isalnum())
    return hashlib.sha256(f"guardianship:{typed}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Child:
    link_id: int
    account_id: int
    card_number: str
    full_name: str
    birth_date: date
    status: str  # pending: the teenager has not agreed yet
    agreement_code: str = ""  # shown once, to the guardian, when the link is asked for


async def _link_row(guardian_id: int, child_id: int) -> dict | None:
    return await Guardianship.select().where((Guardianship.guardian == guardian_id) & (Guardianship.child == child_id)).first()


async def link_child(principal: Principal, card_number: str, birth_date: date | None) -> Child:
    """The guardian links a child's card (number and birth date must match; 404 tells nothing else)."""
    if not permissions.can_link_children(principal):
        raise Forbidden(_("Children's cards are linked to a reader's account"))
    if birth_date is None:
        raise Invalid.one("birth_date", _("This field is required"))
    try:
        card = await find_card(card_number)
    except (NotFound, Forbidden):
        card = None
    if card is None or card.birth_date != birth_date or card.account_id == principal.id:
        raise NotFound(_("No child's card matches this number and birth date"), errors=[FieldError("card_number", _("No child's card matches this number and birth date"))])
    age = age_on(card.birth_date, today_in(get_settings().tz))
    if age >= ADULT_AGE:
        raise Invalid.one("card_number", _("Only the cards of children under 18 can be linked"))
    teen = age >= GUARDIAN_CONSENT_UNDER
    code = "".join(secrets.choice(tokens.ALPHABET) for _index in range(CODE_LENGTH)) if teen else ""
    now = now_utc()
    async with _tx():
        if await _link_row(principal.id, card.account_id) is not None:
            raise Conflict(_("This card is already linked to your account"))
        rows = await Guardianship.insert(
            Guardianship(
                guardian=principal.id, child=card.account_id, status=PENDING if teen else ACTIVE, created_at=now,
                agreed_at=None if teen else now, created_by=principal.id, agreement_hash=_code_hash(code) if teen else "",
            )
        ).returning(Guardianship.id)
        await audit.record(principal, "link_child", "account", card.account_id, changes={"guardian": (None, principal.id), "status": (None, PENDING if teen else ACTIVE)})
        if not teen:  # the child is told (and, as a linked child, the guardian gets the copy)
            await notifications.enqueue(
                messages.CHILD_LINKED, [card.account_id], messages.SUBJECTS[messages.CHILD_LINKED], {"card": card.card_number}, cause=f"link-{rows[0]['id']}"
            )
    return Child(rows[0]["id"], card.account_id, card.card_number, card.full_name, card.birth_date, PENDING if teen else ACTIVE, code)


async def agree(principal: Principal, code: str) -> int:
    """The teenager agrees to a guardian's link with the code the guardian passed on; returns the link id."""
    if principal is None or not principal.is_reader:
        raise Forbidden(_("This is for readers with a library card"))
    row = await Guardianship.select(Guardianship.id, Guardianship.guardian, Guardianship.child.full_name.as_alias("name")).where(
        (Guardianship.child == principal.id) & (Guardianship.status == PENDING) & (Guardianship.agreement_hash == _code_hash(code))
    ).first()
    if row is None:
        raise Invalid.one("code", _("This code does not match any request to link your card"))
    async with _tx():
        await Guardianship.update({Guardianship.status: ACTIVE, Guardianship.agreed_at: now_utc(), Guardianship.agreement_hash: ""}).where(Guardianship.id == row["id"])
        await audit.record(principal, "agree_guardian", "account", principal.id, changes={"status": (PENDING, ACTIVE)})
        await notifications.enqueue(
            messages.GUARDIAN_AGREED, [row["guardian"]], messages.SUBJECTS[messages.GUARDIAN_AGREED],
            {"card": principal.card_number or "", "name": row["name"]}, cause=f"agree-{row['id']}",
        )
    return row["id"]


async def link_child_name(principal: Principal, link_id: int) -> str:
    """The child's name on a link the guardian ``principal`` may end (the confirmation step); 404 otherwise."""
    row = await Guardianship.select(Guardianship.guardian, Guardianship.child.full_name.as_alias("name")).where(Guardianship.id == link_id).first()
    if row is None or row["guardian"] != principal.id:
        raise NotFound(_("There is no such link"))
    return row["name"]


async def unlink(principal: Principal, link_id: int, child_id: int | None = None) -> None:
    """The guardian, the child (a teenager withdrawing agreement) or staff end a link (``child_id``: only a link
    of that child's card). The other side is told: the guardian with the child's name, the child with none of
    the guardian's data (a link still waiting for the teenager's agreement: only the guardian)."""
    row = await Guardianship.select(Guardianship.all_columns(), Guardianship.child.full_name.as_alias("name")).where(Guardianship.id == link_id).first()
    if row is None or (child_id is not None and row["child"] != child_id) or not permissions.can_unlink_guardian(principal, row["guardian"], row["child"]):
        raise NotFound(_("There is no such link"))
    card = await ReaderCard.select(ReaderCard.card_number).where(ReaderCard.account == row["child"]).first()
    payload = {"card": card["card_number"] if card else "", "name": row["name"]}
    async with _tx():
        await Guardianship.delete().where(Guardianship.id == link_id)
        await audit.record(principal, "unlink_child", "account", row["child"], changes={"guardian": (row["guardian"], None)})
        told = [(messages.CHILD_UNLINKED, row["guardian"])] + ([(messages.GUARDIAN_UNLINKED, row["child"])] if row["status"] == ACTIVE else [])
        for kind, recipient in told:
            if recipient != principal.id:
                await notifications.enqueue(kind, [recipient], messages.SUBJECTS[kind], payload, cause=f"unlink-{link_id}")


async def may_withdraw(child_id: int) -> bool:
    """A teenager's agreement is theirs to withdraw (14 and over); a younger child's link is the guardian's."""
    card = await ReaderCard.select(ReaderCard.birth_date).where(ReaderCard.account == child_id).first()
    return card is not None and age_on(card["birth_date"], today_in(get_settings().tz)) >= GUARDIAN_CONSENT_UNDER


async def withdraw_agreement(principal: Principal) -> int:
    """A teenager (14 to 17) ends every link of their card to a guardian's account; returns how many. Younger
    children ask at the library (their guardian gave the consent)."""
    if principal is None or not principal.is_reader:
        raise Forbidden(_("This is for readers with a library card"))
    if not await may_withdraw(principal.id):
        raise Forbidden(_("A child under 14 is unlinked by the guardian or at any library branch"))
    links = [row["id"] for row in await Guardianship.select(Guardianship.id).where(Guardianship.child == principal.id)]
    async with _tx():
        for link_id in links:
            await unlink(principal, link_id)
    return len(links)


async def children_of(guardian_id: int) -> list[Child]:
    rows = await Guardianship.select(
        Guardianship.id, Guardianship.child, Guardianship.status,
        Guardianship.child.full_name.as_alias("full_name"),
    ).where(Guardianship.guardian == guardian_id).order_by(Guardianship.id)
    cards = {row["account"]: row for row in await ReaderCard.select(ReaderCard.account, ReaderCard.card_number, ReaderCard.birth_date).where(ReaderCard.account.is_in([r["child"] for r in rows] or [0]))}
    return [
        Child(row["id"], row["child"], cards[row["child"]]["card_number"], row["full_name"], cards[row["child"]]["birth_date"], row["status"])
        for row in rows if row["child"] in cards
    ]


async def is_guardian_of(guardian_id: int, child_id: int) -> bool:
    return await Guardianship.exists().where((Guardianship.guardian == guardian_id) & (Guardianship.child == child_id) & (Guardianship.status == ACTIVE))


async def guardian_count(child_id: int) -> tuple[int, int]:
    """For the child's own page: how many guardians are linked, and how many wait for their agreement (no names)."""
    rows = await Guardianship.select(Guardianship.status).where(Guardianship.child == child_id)
    return sum(1 for row in rows if row["status"] == ACTIVE), sum(1 for row in rows if row["status"] == PENDING)


@dataclass(frozen=True, slots=True)
class GuardianView:
    """For staff only: who is linked to a child's card."""

    link_id: int
    full_name: str
    card_number: str | None
    status: str
    since: datetime


async def guardians_of(principal: Principal, child_id: int) -> list[GuardianView]:
    if not permissions.can_look_up_readers(principal):
        raise Forbidden(_("This is for library staff"))
    rows = await Guardianship.select(Guardianship.id, Guardianship.guardian, Guardianship.status, Guardianship.created_at, Guardianship.guardian.full_name.as_alias("name")).where(
        Guardianship.child == child_id
    )
    numbers = {row["account"]: row["card_number"] for row in await ReaderCard.select(ReaderCard.account, ReaderCard.card_number).where(ReaderCard.account.is_in([r["guardian"] for r in rows] or [0]))}
    return [GuardianView(row["id"], row["name"], numbers.get(row["guardian"]), row["status"], aware(row["created_at"])) for row in rows]


_COPIES_SQL = "SELECT g.guardian, g.child, a.full_name AS name FROM guardianship g JOIN account a ON a.id = g.child WHERE g.status = {} AND g.child IN ("


async def _guardian_copies(recipients: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Every message to a child goes to their active guardians too, its subject led by the child's name."""
    rows = await db.fetch(engine_finder(), _COPIES_SQL + db.params(len(recipients)) + ")", ACTIVE, *recipients)  # on every message: no query builder
    copies: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        if row["guardian"] not in recipients:
            copies.setdefault(row["child"], []).append((row["guardian"], f"{row['name']}: "))
    return copies


registry.copies(_guardian_copies)
