"""Errors about reader cards that other domains meet: a blocked card, a replaced (retired) card number."""

from __future__ import annotations

from datetime import datetime

from src.exceptions import FieldError, Forbidden
from src.i18n import _


class CardBlocked(Forbidden):
    """403 on every sign-up, booking and consultation of a blocked card: the reason, and what to do."""

    def __init__(self, card_number: str, reason: str) -> None:
        message = _(
            "Card %(card)s is blocked: %(reason)s. Sign-ups, bookings and consultations are not possible until it is unblocked: "
            "please come to any library branch with an identity document.",
            card=card_number,
            reason=reason,
        )
        super().__init__(message, errors=[FieldError("card_number", message)], extra={"blocked": True, "reason": reason})


class CardReplaced(Forbidden):
    """403 for a retired card number: it was replaced by another one (the desk finds the reader by the new one)."""

    def __init__(self, card_number: str, replaced_by: str, reason: str, retired_at: datetime) -> None:
        message = _("Card %(card)s was replaced by card %(new)s: %(reason)s", card=card_number, new=replaced_by, reason=reason)
        super().__init__(
            message,
            errors=[FieldError("card_number", message)],
            extra={"replaced_by": replaced_by, "reason": reason, "retired_at": retired_at.isoformat()},
        )
