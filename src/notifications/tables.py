"""The notification outbox: one row per message to send, written inside the transaction of the change."""

from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from src.accounts.tables import Account


class Outbox(Table, tablename="outbox"):
    """A message for one account or one e-mail address; ``sent_at`` stays empty until a worker delivers it."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    email = Varchar(length=254, default="")
    kind = Varchar(length=64)
    payload = JSON(default="{}")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    last_error = Text(default="")
    message_id = Varchar(length=200, default="")
