"""People: accounts with a role, reader cards, staff branches, API tokens, login attempts."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from src.branches.tables import Branch


class Account(Table, tablename="account"):
    role = Varchar(length=16, index=True)
    email = Varchar(length=254, null=True, default=None, unique=True)
    phone = Varchar(length=32, null=True, default=None)
    full_name = Varchar(length=200)
    password_hash = Varchar(length=255, default="")
    language = Varchar(length=5, default="")
    auth_version = Integer(default=1)
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ReaderCard(Table, tablename="reader_card"):
    """The one electronic reader card, valid in every branch."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, unique=True)
    card_number = Varchar(length=20, unique=True)
    birth_date = Date()
    home_branch = ForeignKey(references=Branch, on_delete=OnDelete.restrict)
    consent_at = Timestamptz()
    consent_version = Varchar(length=32, default="")  # "" = on paper, to the old library system
    guardian_name = Varchar(length=200, default="")
    guardian_consent_at = Timestamptz(null=True, default=None)
    imported_at = Timestamptz(null=True, default=None)
    blocked_at = Timestamptz(null=True, default=None)
    blocked_reason = Varchar(length=300, default="")
    blocked_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    search_name = Varchar(length=200, default="", index=True)
    erased_at = Timestamptz(null=True, default=None)  # personal data erased (152-FZ): only the birth year and home branch remain  # the name case-folded, for the desk's search (SQLite folds only ASCII)


class RetiredCard(Table, tablename="retired_card"):
    """A card number no longer in use: a lost or damaged card replaced by a new number. The desk answers
    "replaced by …" for it; everything the reader did stays with their account, which now has the new number."""

    card_number = Varchar(length=20, unique=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    reason = Varchar(length=300, default="")
    retired_at = Timestamptz()
    retired_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)


class StaffBranch(Table, tablename="staff_branch"):
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade)
    is_head = Boolean(default=False)  # the branch head: manages the branch's staff and programmes too


class ApiToken(Table, tablename="api_token"):
    """Bearer tokens and page sessions (see src/accounts/sessions.py); only a SHA-256 of the secret is stored."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16, default="api")  # api: a bearer token; session: a page session (its secret is in the cookie)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class LoginAttempt(Table, tablename="login_attempt"):
    """Failed log-ins, by login and by client address, for rate limiting across workers."""

    key = Varchar(length=300, index=True)
    at = Timestamptz(index=True)


class AccountToken(Table, tablename="account_token"):
    """A one-time token of an account: an activation or password-reset link, a desk access code, a staff
    invitation (see ``src/accounts/tokens.py``). The token itself is never stored: only its SHA-256 (to find
    the row) and the random salt it was signed from with the secret key."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    purpose = Varchar(length=16)
    token_hash = Varchar(length=64, unique=True)
    salt = Varchar(length=32)
    created_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=16, default="")


class Guardianship(Table, tablename="guardianship"):
    """A guardian's account linked to a child's card: under 14 at once, 14 to 17 once the teenager agrees
    (``agreed_at``). The guardian signs the child up, sees their tickets and receives copies of their messages."""

    guardian = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    child = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=16)  # pending (waiting for the teenager) or active
    created_at = Timestamptz()
    agreed_at = Timestamptz(null=True, default=None)
    agreement_hash = Varchar(length=64, default="")  # SHA-256 of the code the guardian passes to a teenager
    created_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)


class LoginDevice(Table, tablename="login_device"):
    """The devices an account has logged in from, to tell its owner of a log-in from a new one. ``fingerprint``
    is a SHA-256 of the account and the browser and system named by the User-Agent without version numbers (a
    browser update is no new device); nothing else about the device or the address is kept."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    fingerprint = Varchar(length=64, unique=True)
    first_seen_at = Timestamptz()

