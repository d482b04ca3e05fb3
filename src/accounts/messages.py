"""What the accounts' messages say: kinds, subjects (marked for translation) and the lead of each e-mail.

Links with a one-time token carry only the token's id in the outbox; the link is signed again as the message
is written (``tokens.open_path``), so no usable token is ever stored.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from src.accounts import tokens
from src.accounts.tables import Account
from src.i18n import _, fmt_day_time
from src.labels import N_
from src.notifications import registry
from src.notifications import service as notifications

ACTIVATION = "account.activation"
ALREADY_ACTIVE = "account.already_active"
PASSWORD_RESET = "account.password_reset"
PASSWORD_CHANGED = "account.password_changed"
WELCOME = "account.welcome"
ACCOUNT_EXISTS = "account.exists"  # a registration with an e-mail that already has an account (issue 11)
DETAILS_CHANGED = "account.details_changed"  # staff corrected the reader's details at the desk
DETAILS_IMPORTED = "account.details_imported"  # a newer export of the old library system changed them
EMAIL_CHANGED = "account.email_changed"  # to the address the card had before: it no longer receives the messages
CARD_REPLACED = "account.card_replaced"
CARD_BLOCKED = "account.card_blocked"
CARD_UNBLOCKED = "account.card_unblocked"
CHILD_LINKED = "account.child_linked"  # to the child: a guardian's account is linked to the card (no guardian's data)
GUARDIAN_AGREED = "account.guardian_agreed"  # to the guardian: the teenager agreed
CHILD_UNLINKED = "account.child_unlinked"  # to the guardian: the link to the child's card ended (by the child or staff)
GUARDIAN_UNLINKED = "account.guardian_unlinked"  # to the child: no longer linked (no guardian's data)
NEW_LOGIN = "account.new_login"  # a log-in from a device the account has not used before (src/accounts/devices.py)

SUBJECTS = {
    ACTIVATION: N_("Activate your library card"),
    ALREADY_ACTIVE: N_("Your library card is already active"),
    PASSWORD_RESET: N_("Choose a new password for the library"),
    PASSWORD_CHANGED: N_("Your library password was changed"),
    WELCOME: N_("Welcome to the libraries of Blagoveshchensk"),
    ACCOUNT_EXISTS: N_("Someone asked for a reader card with your e-mail"),
    DETAILS_CHANGED: N_("Your details at the library were updated"),
    DETAILS_IMPORTED: N_("Your details at the library were updated"),
    EMAIL_CHANGED: N_("The e-mail address of your library card was changed"),
    CARD_REPLACED: N_("Your library card has a new number"),
    CARD_BLOCKED: N_("Your library card is blocked"),
    CARD_UNBLOCKED: N_("Your library card is unblocked"),
    CHILD_LINKED: N_("Your library card is linked to a parent's account"),
    GUARDIAN_AGREED: N_("The link to your child's card is active"),
    CHILD_UNLINKED: N_("The link to your child's card has ended"),
    GUARDIAN_UNLINKED: N_("Your library card is no longer linked to a parent's account"),
    NEW_LOGIN: N_("A log-in to your library account from a new device"),
}
LINK_GONE = N_("This link can no longer be used: a newer one was sent, or it was used already. Ask for a new one if you still need it.")


async def token_link(payload: dict[str, Any]) -> str | None:
    token_id = payload.get("token_id")
    return await tokens.open_path(int(token_id)) if isinstance(token_id, int) else None


def _new_login(payload: dict[str, Any]) -> str:
    try:
        at = fmt_day_time(datetime.fromisoformat(str(payload["at"])), ZoneInfo(str(payload["timezone"])))
    except (KeyError, ValueError):
        at = ""
    return _(
        "Someone logged in to your library account on %(when)s from a device not used with it before (%(device)s). If it was you, "
        "there is nothing to do. If not, change your password at once with the link below, or reset it from the log-in page.",
        when=at, device=str(payload.get("device") or "") or _("a browser we could not name"),
    )


def _card(payload: dict[str, Any]) -> str:
    return str(payload.get("card", ""))


def old_address_cause(account_id: int, stamp: str) -> str:
    """The cause of a notice to an address the card no longer has; erasure finds the notices by it."""
    return f"account-{account_id}-{stamp}"


async def tell_details_changed(kind: str, account_id: int, card: str, fields: list[str], old_email: str | None, new_email: str | None, stamp: str) -> None:
    """The reader hears of the change at the address the card has now; when the e-mail changed, the old
    address hears it too (someone taking over a card by its contacts would otherwise go unnoticed)."""
    await notifications.enqueue(kind, [account_id], SUBJECTS[kind], {"card": card, "fields": sorted(fields)}, cause=stamp)
    if old_email and old_email != new_email:
        language = (await Account.select(Account.language).where(Account.id == account_id).first() or {}).get("language", "")
        await notifications.enqueue_email(EMAIL_CHANGED, old_email, SUBJECTS[EMAIL_CHANGED], {"card": card}, cause=old_address_cause(account_id, stamp), language=language)


registry.register(
    ACTIVATION,
    lambda payload: _(
        "You asked to activate your reader card %(card)s online. Open the link below within 24 hours and choose a password. "
        "If it was not you, ignore this message: nothing changes.",
        card=_card(payload),
    ),
    link=token_link,
    gone=LINK_GONE,
)
registry.register(
    ALREADY_ACTIVE,
    lambda payload: _(
        "Someone asked to activate your reader card %(card)s, but it is already active. If you forgot your password, open "
        "the link below within an hour and choose a new one. If it was not you, ignore this message.",
        card=_card(payload),
    ),
    link=token_link,
    gone=LINK_GONE,
)
registry.register(
    PASSWORD_RESET,
    lambda payload: _(
        "Someone, hopefully you, asked to reset the password of your library account. Open the link below within an hour "
        "and choose a new password. If it was not you, ignore this message: your password stays as it is."
    ),
    link=token_link,
    gone=LINK_GONE,
)
registry.register(
    PASSWORD_CHANGED,
    lambda payload: _(
        "The password of your library account was changed, and every other device was logged out. If it was not you, "
        "reset the password at once or come to any library branch."
    ),
)
registry.register(
    WELCOME,
    lambda payload: _(
        "Your reader card %(card)s is active. It is valid in every municipal library of Blagoveshchensk: sign up for "
        "events, book zones and career consultations online.",
        card=_card(payload),
    ),
)
registry.register(
    ACCOUNT_EXISTS,
    lambda payload: _(
        "Someone asked for a new reader card with this e-mail address, which already has an account. If it was you, log "
        "in or reset your password. If not, ignore this message: nothing has changed."
    ),
)
registry.register(
    DETAILS_CHANGED,
    lambda payload: _(
        "Library staff updated the details of your reader card %(card)s. You can see them on the page of your card. "
        "If you did not ask for this, please contact any library branch.",
        card=_card(payload),
    ),
)
registry.register(
    DETAILS_IMPORTED,
    lambda payload: _(
        "The details of your reader card %(card)s were updated from the library's card records. You can see them on the "
        "page of your card. If something is wrong, please tell any library branch.",
        card=_card(payload),
    ),
)
registry.register(
    EMAIL_CHANGED,
    lambda payload: _(
        "The e-mail address of your reader card %(card)s was changed: the library's messages now go to the new address, "
        "not to this one. If you did not ask for this, please come to any library branch with an identity document.",
        card=_card(payload),
    ),
)
registry.register(
    CARD_REPLACED,
    lambda payload: _(
        "Your reader card %(card)s was replaced by the card %(new_card)s (%(reason)s). Use the new number from now on: your "
        "sign-ups, bookings and consultations are on it. The old card no longer works.",
        card=_card(payload),
        new_card=str(payload.get("new_card", "")),
        reason=str(payload.get("reason", "")),
    ),
)
registry.register(
    CARD_BLOCKED,
    lambda payload: _(
        "Your reader card %(card)s is blocked: %(reason)s. Until it is unblocked you cannot sign up for events, book zones or "
        "consultations. Please come to any library branch with an identity document.",
        card=_card(payload),
        reason=str(payload.get("reason", "")),
    ),
)
registry.register(
    CARD_UNBLOCKED,
    lambda payload: _("Your reader card %(card)s is unblocked: you can sign up, book zones and consultations again.", card=_card(payload)),
)
registry.register(
    CHILD_LINKED,
    lambda payload: _(
        "Your reader card %(card)s is now linked to the account of a parent or guardian: they can sign you up for events, "
        "see your tickets and receive copies of your messages. If this is wrong, tell any library branch.",
        card=_card(payload),
    ),
)
registry.register(
    GUARDIAN_AGREED,
    lambda payload: _(
        "%(name)s agreed: the card %(card)s is linked to your account. You can sign them up for events and see their tickets "
        "on your Family page.",
        name=str(payload.get("name", "")),
        card=_card(payload),
    ),
)
registry.register(
    CHILD_UNLINKED,
    lambda payload: _(
        "The card %(card)s of %(name)s is no longer linked to your account: you no longer sign them up, see their tickets "
        "or receive copies of their messages. Their sign-ups stay. If this is wrong, please come to any library branch.",
        name=str(payload.get("name", "")),
        card=_card(payload),
    ),
)
registry.register(
    GUARDIAN_UNLINKED,
    lambda payload: _(
        "Your reader card %(card)s is no longer linked to the account of a parent or guardian. Your sign-ups stay. If this "
        "is wrong, please tell any library branch.",
        card=_card(payload),
    ),
)
registry.register(NEW_LOGIN, _new_login)

# the page each message points to (the activation and reset links are their own)
PAGES = {
    WELCOME: "/me/card", PASSWORD_CHANGED: "/password/forgot", ACCOUNT_EXISTS: "/login", DETAILS_CHANGED: "/me/card", CARD_REPLACED: "/me/card",
    CARD_BLOCKED: "/branches", CARD_UNBLOCKED: "/events", CHILD_LINKED: "/me/card", GUARDIAN_AGREED: "/me/family", CHILD_UNLINKED: "/me/family",
    GUARDIAN_UNLINKED: "/me/card", NEW_LOGIN: "/me/password", DETAILS_IMPORTED: "/me/card", EMAIL_CHANGED: "/branches",
}
for _kind, _path in PAGES.items():
    registry.KINDS[_kind] = dataclasses.replace(registry.KINDS[_kind], link=registry.page_link(_path))

