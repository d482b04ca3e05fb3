"""One-time account tokens: activation and password-reset links, desk access codes, staff invitations.

    issued = await tokens.issue(account_id, tokens.RESET)    # in the caller's write transaction (or its own)
    issued.token, issued.display, issued.path, issued.expires_at   # hand it over once: a link, a printed slip
    info = await tokens.check(token)                         # read-only: may it still be used? (for a form)
    info = await tokens.consume(token)                       # in the caller's write transaction: once only

- **Signed, hashed at rest.** A token is ``HMAC-SHA256(secret key, purpose:salt)`` written in Crockford base32
  (links 32 characters, 160 bits; desk codes 16 characters, 80 bits, shown as ``XXXX-XXXX-XXXX-XXXX`` and
  typed without caring for case, hyphens, O/0 or I/L/1). The row keeps the SHA-256 of the token (to find it)
  and the random salt; a copy of the database alone can neither use nor forge a token, and a found row is
  accepted only if the token is the signature of its salt. A message queued for sending carries the token's
  id, and the link is signed again when the message is written (:func:`open_path`).
- **Single use.** :func:`consume` claims the row with one conditional update: of two concurrent uses one wins,
  the other is told the token is used. Using a token also revokes every other open token of the account.
- **One open token per account.** An e-mailed link (activation, reset) replaces the account's earlier
  e-mailed links; a desk code or an invitation, handed out by staff, replaces every open token. An older
  token then answers 410 "a newer one was issued", so the person knows to look for the newest message.
- **Lifetimes.** Reset links 1 hour, activation links 24 hours, desk codes and invitations 7 days.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.engine import engine_finder

from src.accounts.tables import AccountToken
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import FieldError, Gone, Invalid
from src.i18n import _
from src.timeutil import aware, now_utc

ACTIVATION = "activation"  # an imported card's first password, by e-mail
RESET = "reset"  # a forgotten password, by e-mail
DESK = "desk"  # an access code staff print or show at the desk (activation or reset)
INVITATION = "invitation"  # a new staff member sets their own password
PURPOSES = (ACTIVATION, RESET, DESK, INVITATION)

LIFETIMES = {
    ACTIVATION: timedelta(hours=24),
    RESET: timedelta(hours=1),
    DESK: timedelta(days=7),
    INVITATION: timedelta(days=7),
}
PATHS = {
    ACTIVATION: "/activate/{token}",
    DESK: "/activate/{token}",
    RESET: "/password/reset/{token}",
    INVITATION: "/password/set/{token}",
}
_EMAILED = (ACTIVATION, RESET)
_REPLACES = {ACTIVATION: _EMAILED, RESET: _EMAILED, DESK: PURPOSES, INVITATION: PURPOSES}

# why an open token stopped being usable before its time
SUPERSEDED = "superseded"  # a newer token was issued
OTHER_USED = "other_used"  # another token of the account was used
PASSWORD_CHANGED = "password"  # the password was changed while logged in
CARD_BLOCKED = "blocked"
CLOSED = "closed"  # the account was erased or closed
REVOKE_REASONS = (SUPERSEDED, OTHER_USED, PASSWORD_CHANGED, CARD_BLOCKED, CLOSED)

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
LINK_LENGTH = 32
CODE_LENGTH = 16
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True, slots=True)
class Issued:
    id: int
    account_id: int
    purpose: str
    token: str
    expires_at: datetime

    @property
    def display(self) -> str:
        """A desk code in groups of four for reading aloud and typing; links as they are."""
        return display(self.token)

    @property
    def path(self) -> str:
        return path_of(self.purpose, self.token)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    account_id: int
    purpose: str
    created_at: datetime
    created_by: int | None
    expires_at: datetime


def _encode(digest: bytes, length: int) -> str:
    number = int.from_bytes(digest, "big")
    chars = []
    for _index in range(length):
        number, digit = divmod(number, 32)
        chars.append(ALPHABET[digit])
    return "".join(chars)


def _length(purpose: str) -> int:
    return CODE_LENGTH if purpose == DESK else LINK_LENGTH


def sign(purpose: str, salt: str) -> str:
    """The token of a row: the secret key's signature of its purpose and salt."""
    key = get_settings().secret_key.encode()
    return _encode(hmac.new(key, f"account-token:{purpose}:{salt}".encode(), hashlib.sha256).digest(), _length(purpose))


def normalize(text: str) -> str | None:
    """What a person typed or a link carried, as a token; None when it cannot be one."""
    cleaned = "".join(char for char in (text or "").upper() if char.isalnum()).translate(_TYPOS)
    if len(cleaned) not in (CODE_LENGTH, LINK_LENGTH) or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def display(token: str) -> str:
    if len(token) == CODE_LENGTH:
        return "-".join(token[index : index + 4] for index in range(0, CODE_LENGTH, 4))
    return token


def path_of(purpose: str, token: str) -> str:
    return PATHS[purpose].format(token=token)


def _tx():
    return write_transaction(engine_finder())


async def revoke_open(account_id: int, reason: str, purposes: tuple[str, ...] = PURPOSES, except_id: int | None = None, now: datetime | None = None) -> int:
    """Close the account's open tokens (of these purposes); returns how many. Joins the caller's transaction."""
    now = now or now_utc()
    where = (
        (AccountToken.account == account_id)
        & AccountToken.purpose.is_in(list(purposes))
        & AccountToken.used_at.is_null()
        & AccountToken.revoked_at.is_null()
        & (AccountToken.expires_at > now)
    )
    if except_id is not None:
        where &= AccountToken.id != except_id
    rows = await AccountToken.update({AccountToken.revoked_at: now, AccountToken.revoked_reason: reason}).where(where).returning(AccountToken.id)
    return len(rows)


async def issue(account_id: int, purpose: str, created_by: int | None = None, ttl: timedelta | None = None, now: datetime | None = None) -> Issued:
    """A new token for the account; earlier open ones it replaces stop working (see the module's rules)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    now = now or now_utc()
    salt = secrets.token_hex(16)
    token = sign(purpose, salt)
    expires_at = now + (ttl or LIFETIMES[purpose])
    async with _tx():
        await revoke_open(account_id, SUPERSEDED, _REPLACES[purpose], now=now)
        rows = await AccountToken.insert(
            AccountToken(
                account=account_id,
                purpose=purpose,
                token_hash=token_hash(token),
                salt=salt,
                created_by=created_by,
                created_at=now,
                expires_at=expires_at,
            )
        ).returning(AccountToken.id)
    return Issued(id=rows[0]["id"], account_id=account_id, purpose=purpose, token=token, expires_at=expires_at)


def _unknown() -> Invalid:
    message = _("This link or code is not valid. Check that it is complete, or ask for a new one.")
    return Invalid(detail=message, errors=[FieldError("token", message)])


def _closed(row: dict, now: datetime) -> Gone | None:
    """Why a found token may not be used any more (``reason`` in the answer: used, superseded, revoked,
    expired); None if it may."""
    if row["used_at"] is not None:
        reason, message = "used", _("This link or code has already been used. If you need to set a password again, ask for a new one.")
    elif row["revoked_at"] is not None and row["revoked_reason"] == SUPERSEDED:
        reason, message = "superseded", _("A newer link or code was issued after this one: use the newest one.")
    elif row["revoked_at"] is not None:
        reason, message = "revoked", _("This link or code is no longer valid. Ask for a new one.")
    elif aware(row["expires_at"]) <= now:
        reason, message = "expired", _("This link or code has expired. Ask for a new one.")
    else:
        return None
    return Gone(detail=message, errors=[FieldError("token", message)], extra={"reason": reason})


async def _find(token: str, purposes: tuple[str, ...]) -> dict:
    normalized = normalize(token)
    if normalized is None:
        raise _unknown()
    row = await AccountToken.select().where(AccountToken.token_hash == token_hash(normalized)).first()
    if row is None or row["purpose"] not in purposes or not hmac.compare_digest(sign(row["purpose"], row["salt"]), normalized):
        raise _unknown()
    return row


def _info(row: dict) -> TokenInfo:
    return TokenInfo(
        id=row["id"],
        account_id=row["account"],
        purpose=row["purpose"],
        created_at=aware(row["created_at"]),
        created_by=row["created_by"],
        expires_at=aware(row["expires_at"]),
    )


async def check(token: str, purposes: tuple[str, ...] = PURPOSES, now: datetime | None = None) -> TokenInfo:
    """The token's account and purpose if it may be used now; else 422 (not a token of ours) or 410 (why not)."""
    row = await _find(token, purposes)
    problem = _closed(row, now or now_utc())
    if problem is not None:
        raise problem
    return _info(row)


async def consume(token: str, purposes: tuple[str, ...] = PURPOSES, now: datetime | None = None) -> TokenInfo:
    """Use the token once, and close the account's other open tokens. Joins the caller's transaction: if it
    rolls back, the token stays usable."""
    now = now or now_utc()
    row = await _find(token, purposes)
    async with _tx():
        claimed = await AccountToken.update({AccountToken.used_at: now}).where(
            (AccountToken.id == row["id"])
            & AccountToken.used_at.is_null()
            & AccountToken.revoked_at.is_null()
            & (AccountToken.expires_at > now)
        ).returning(AccountToken.id)
        if not claimed:
            fresh = await AccountToken.select().where(AccountToken.id == row["id"]).first()
            raise _closed(fresh or row, now) or _unknown()
        await revoke_open(row["account"], OTHER_USED, except_id=row["id"], now=now)
    return _info(row)


async def open_tokens(account_id: int, now: datetime | None = None) -> list[TokenInfo]:
    """The account's tokens that could still be used (for the desk: "a code was issued on …, valid until …")."""
    now = now or now_utc()
    rows = await AccountToken.select().where(
        (AccountToken.account == account_id) & AccountToken.used_at.is_null() & AccountToken.revoked_at.is_null() & (AccountToken.expires_at > now)
    ).order_by(AccountToken.id)
    return [_info(row) for row in rows]


async def open_path(token_id: int, now: datetime | None = None) -> str | None:
    """The link path of a queued message's token, signed again as the message is written; None when the
    token can no longer be used (the message then says so instead of carrying a dead link)."""
    row = await AccountToken.select().where(AccountToken.id == token_id).first()
    if row is None or _closed(row, now or now_utc()) is not None:
        return None
    return path_of(row["purpose"], sign(row["purpose"], row["salt"]))
