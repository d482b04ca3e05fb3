"""The outbox: notifications written in the transaction of the change that causes them, sent later."""

from piccolo.columns import JSON, BigInt, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
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
    # the worker's columns: when to try again, whose claim it is until when, and when it was given up
    next_attempt_at = Timestamptz(null=True, default=None)
    lease_until = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)
    channel = Varchar(length=10, default="email")  # "email" or "telegram": one row per channel the person chose


class ReminderSetting(Table, tablename="reminder_setting"):
    """A reader's reminders: how many hours before (``"24,2"``), or none at all. No row: the defaults."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, unique=True)
    hours = Varchar(length=40, default="24,2")
    enabled = Boolean(default=True)
    updated_at = Timestamptz()


class JobRun(Table, tablename="job_run"):
    """One timed job of the worker's scheduler: when it runs next, whose lease it is under, how it last went.

    A worker runs a job only after moving its ``lease_until`` forward in one UPDATE whose WHERE says "due and
    not leased": the database lets one of several racing workers (processes, hosts) win each run."""

    name = Varchar(length=60, unique=True)
    next_run_at = Timestamptz(null=True, default=None)
    lease_until = Timestamptz(null=True, default=None)
    holder = Varchar(length=120, default="")
    last_started_at = Timestamptz(null=True, default=None)
    last_finished_at = Timestamptz(null=True, default=None)
    last_outcome = Varchar(length=20, default="")
    last_note = Text(default="")
    runs = Integer(default=0)
    cursor = BigInt(default=0)  # a position in an outside stream: the next Telegram update to ask for


class MessagePreference(Table, tablename="message_preference"):
    """A person's choice for one category of messages (``reminders``, ``waitlist``) on one channel (``email``,
    ``telegram``). No row: on. Essential (service) messages have no category and cannot be switched off."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    category = Varchar(length=20)
    channel = Varchar(length=10)
    enabled = Boolean(default=True)
    updated_at = Timestamptz()


class TelegramLink(Table, tablename="telegram_link"):
    """The Telegram chat an account receives its messages in (bound by the bot's ``/start <code>``)."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, unique=True)
    chat_id = BigInt(unique=True)
    username = Varchar(length=64, default="")
    linked_at = Timestamptz()


class TelegramCode(Table, tablename="telegram_code"):
    """A one-time code of a deep link ``t.me/<bot>?start=<code>``: its SHA-256, whose it is, until when."""

    code_hash = Varchar(length=64, unique=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    expires_at = Timestamptz()
