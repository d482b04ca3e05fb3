"""The one-click confirm link of a seat that must be confirmed ("confirm or release", or too many no-shows).

It works without logging in (a reader opens it from the e-mail on a phone), for one purpose only (confirming that
one sign-up: it cannot cancel, log in or see anything else) and until the confirmation deadline. It is stateless:
``/registrations/{id}/confirm/{expires}/{signature}`` where the signature is an HMAC with the site's secret key
over the purpose, the sign-up and the expiry, so nothing is stored and no token sits in the outbox.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone

from src.config import get_settings

PURPOSE = "confirm-seat"


def signature(registration_id: int, expires: int) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"{PURPOSE}:{registration_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def confirm_path(registration_id: int, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"/registrations/{registration_id}/confirm/{expires}/{signature(registration_id, expires)}"


def is_valid(registration_id: int, expires: int, given: str, now: datetime) -> bool:
    """The link is the site's, for this sign-up, and not expired (pure apart from the key)."""
    return hmac.compare_digest(signature(registration_id, expires), given) and now < datetime.fromtimestamp(expires, timezone.utc)
