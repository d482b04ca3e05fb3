"""Private feed tokens: the secret part of a private calendar URL."""

from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from src.accounts.tables import Account


class FeedToken(Table, tablename="feed_token"):
    """One private feed of one account. ``token`` is 32 random bytes, URL-safe base64; revoked tokens stay
    (with ``revoked_at``) so an old URL answers 404 rather than ever being issued again."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)
    token = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
