"""API shapes for people, as msgspec Structs, and their mappers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from src import bounds
from src.accounts.service import CardView
from src.i18n import _

class ReaderCreate(bounds.Input):
    full_name: bounds.Line
    birth_date: bounds.BirthDate
    home_branch: bounds.line(64, description="Slug of the reader's home branch")
    password: bounds.Secret
    consent_personal_data: bool
    email: bounds.line(254) | None = None
    phone: bounds.line(32) | None = None
    guardian_name: bounds.Line = ""
    guardian_consent: bool = False


class CardOut(msgspec.Struct):
    card_number: str
    full_name: str
    birth_date: date
    email: str | None
    phone: str | None
    home_branch: str
    consent_at: datetime
    consent_version: Annotated[str, msgspec.Meta(description="The version of the consent text agreed to; empty: on paper, to the old library system")]
    guardian_name: str
    guardian_consent_at: datetime | None
    is_minor: bool
    created_at: datetime
    blocked: bool = False
    blocked_reason: Annotated[str, msgspec.Meta(description="Why the card is blocked (the reader sees it too)")] = ""
    blocked_at: datetime | None = None
    activated: Annotated[bool, msgspec.Meta(description="The reader has a password (an imported card has none until activated)")] = True


def card_out(card: CardView) -> CardOut:
    return CardOut(
        card_number=card.card_number,
        full_name=card.full_name,
        birth_date=card.birth_date,
        email=card.email,
        phone=card.phone,
        home_branch=card.home_branch_slug,
        consent_at=card.consent_at,
        consent_version=card.consent_version,
        guardian_name=card.guardian_name,
        guardian_consent_at=card.guardian_consent_at,
        is_minor=card.is_minor,
        created_at=card.created_at,
        blocked=card.blocked_at is not None,
        blocked_reason=card.blocked_reason,
        blocked_at=card.blocked_at,
        activated=card.activated,
    )


# --- the desk ---------------------------------------------------------------------------------------------


class ReaderHit(msgspec.Struct):
    card: CardOut
    found_by_replaced_number: Annotated[str | None, msgspec.Meta(description="The old number the search matched: this card replaced it")] = None


class ReaderSearchOut(msgspec.Struct):
    items: list[ReaderHit]


class ReaderPatch(bounds.Input):
    """Only the fields given change; an empty e-mail or phone removes it (one of them must remain)."""

    full_name: bounds.OptionalLine = None
    email: bounds.optional_line(254) = None
    phone: bounds.optional_line(32) = None
    home_branch: bounds.optional_line(64, description="Slug of the new home branch") = None
    birth_date: bounds.BirthDate | None = None


class CardReplace(bounds.Input):
    reason: bounds.line(300, description="Why: lost, damaged, … (the reader and the desk see it)")
    new_card_number: bounds.optional_line(20, description="The number of the blank card handed over; a new number is drawn if omitted") = None


class CardBlock(bounds.Input):
    reason: bounds.line(300, description="Why: the reader sees it on every refused sign-up, booking and consultation")


class CardUnblock(bounds.Input):
    reason: bounds.line(300) = ""


class AccessCodeOut(msgspec.Struct):
    card_number: str
    code: Annotated[str, msgspec.Meta(description="One-time code in groups of four, valid 7 days: typed at /activate/code, or its QR opens url")]
    url: str
    expires_at: datetime


class RegistrationAccepted(msgspec.Struct):
    detail: str


def registration_accepted_message() -> str:
    return _("Thank you! Check your mailbox: we have sent your card number there. Log in with your e-mail and password.")


class TokenRequest(bounds.Input):
    login: bounds.line(254, description="Card number or e-mail")
    password: bounds.Secret


class TokenOut(msgspec.Struct):
    access_token: str
    expires_at: datetime
    token_type: str = "bearer"


class ActivateRequest(msgspec.Struct, forbid_unknown_fields=True):
    card_number: Annotated[str, msgspec.Meta(max_length=40, description="The number printed on the reader card")]
    birth_date: date
    contact: Annotated[str, msgspec.Meta(max_length=254, description="The e-mail address or phone number the library has on file")]


class PasswordResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(max_length=254, description="E-mail or card number")]


class PasswordResetConfirm(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(max_length=100, description="The token of the link (its last path segment or ?token=) or a desk code")]
    password: Annotated[str, msgspec.Meta(max_length=256)]
    consent_personal_data: Annotated[
        bool, msgspec.Meta(description="Agree to the current consent text (asked of cards whose consent is older, e.g. imported ones)")
    ] = False


class AcceptedOut(msgspec.Struct):
    detail: str


class MeOut(msgspec.Struct):
    id: int
    role: str
    full_name: str
    email: str | None
    language: str
    branches: list[str]
    card: CardOut | None


class PasswordChange(bounds.Input):
    current_password: bounds.Secret
    new_password: bounds.Secret
