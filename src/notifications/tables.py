"""The outbox: notifications written in the transaction of the change that causes them, sent later."""

from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from src.accounts.tables import Account


class Outbox(Table, tablename="outbox"):
    """One message to one account, or to an e-mail address when there is no account yet. ``message_id`` is derived from its cause, so a cause enqueues it once."""

    message_id = Varchar(length=200, unique=True)
    recipient = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    email = Varchar(length=254, default="")  # for people without an account yet (a teacher's invitation)
    kind = Varchar(length=40)
    subject = Varchar(length=300)
    payload = JSON(default="{}")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    last_error = Text(default="")
