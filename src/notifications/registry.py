"""What the domains hand the notification mechanism at start-up: their message kinds, what a message is about,
and the reminders they need. This module imports nothing of the domains; each domain's ``messages.py`` fills it
when it is imported (``src/registrations.py`` imports them all, once, in the server, the worker and the CLI).

    registry.register("account.password_reset", lead=lambda payload: _("…"), link=resolve_token_link,
                      gone=N_("This link is no longer valid: …"))
    registry.about("event_id", event_about)          # a payload with "event_id" is about that event
    registry.reminders(event_reminders)               # async (now, until) -> [Reminder, ...]

``lead`` is called in the recipient's language with the payload plus ``when``, ``until``, ``where`` and ``title`` of what
the message is about. ``link`` (async, optional) turns the payload into a path at sending time (a one-time token
is signed again then, never stored in the outbox); None means the link cannot be used any more, and ``gone`` is
said instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable

from src.calendars.ical import FeedItem


@dataclass(frozen=True, slots=True)
class About:
    """What a message is about, as of sending: its calendar item (the .ics) and the lines of its text."""

    item: FeedItem | None
    when: str = ""
    where: str = ""
    title: str = ""
    until: str = ""  # the end's local time ("17:00"), or day and time when it ends another day


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file an e-mail carries besides its calendar file (a ticket's QR code)."""

    filename: str
    maintype: str
    subtype: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Kind:
    lead: Callable[[dict[str, Any]], str]
    link: Callable[[dict[str, Any]], Awaitable[str | None]] | None = None
    gone: str = ""  # message id, translated when the message is written
    reminder: bool = False  # non-essential: an unsubscribe link and List-Unsubscribe (RFC 8058)
    cancelling: bool = False  # its calendar file cancels the entry (METHOD:CANCEL)
    subject: str = ""  # the subject's message id, when the domain keeps it here rather than in its SUBJECTS
    attach: Callable[[dict[str, Any]], Awaitable[list[Attachment]]] | None = None  # files for the e-mail, made as it is written
    category: str = ""  # a person may switch it off per channel (CATEGORIES); "" is essential (service), always on


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder a domain asks for: the account, the start of what it is about, and since when they knew of it
    (no "tomorrow" to someone who signed up an hour ago). ``key`` names the thing: the outbox id is derived from
    it, the start and the hours before, so a reminder goes once, and again only when the start moved."""

    kind: str
    account: int
    starts_at: datetime
    since: datetime
    key: str
    subject: str
    payload: dict[str, Any] = field(default_factory=dict)
    subject_vars: dict[str, Any] = field(default_factory=dict)


# the categories of non-essential messages a person may switch off per channel; every other kind is essential
REMINDERS, WAITLIST = "reminders", "waitlist"
CATEGORIES = (REMINDERS, WAITLIST)

KINDS: dict[str, Kind] = {}
ABOUT: dict[str, Callable[[int, bool], Awaitable[About]]] = {}
REMINDER_SOURCES: list[Callable[[datetime, datetime], Awaitable[list[Reminder]]]] = []
# what a person has coming up, for the bot's /next: async (account, now) -> [(starts_at, one line in words)]
UPCOMING: list[Callable[[int, datetime], Awaitable[list[tuple[datetime, str]]]]] = []
# who else receives a copy of a recipient's messages: {recipient: [(account, subject prefix)]} (a child's guardians)
COPIES: list[Callable[[list[int]], Awaitable[dict[int, list[tuple[int, str]]]]]] = []


def register(
    kind: str,
    lead: Callable[[dict[str, Any]], str],
    link: Callable[[dict[str, Any]], Awaitable[str | None]] | None = None,
    gone: str = "",
    reminder: bool = False,
    cancelling: bool = False,
    subject: str = "",
    attach: Callable[[dict[str, Any]], Awaitable[list[Attachment]]] | None = None,
    category: str = "",
) -> None:
    """``category``: one of CATEGORIES when a person may switch the kind off (a reminder is in REMINDERS)."""
    category = REMINDERS if reminder else category
    assert category in ("", *CATEGORIES), category
    KINDS[kind] = Kind(lead=lead, link=link, gone=gone, reminder=reminder, cancelling=cancelling, subject=subject, attach=attach, category=category)


def category_of(kind: str) -> str:
    """The kind's category, "" when it is essential (unknown kinds too: better one message too many)."""
    described = KINDS.get(kind)
    return described.category if described is not None else ""


def page_link(path: str) -> Callable[[dict[str, Any]], Awaitable[str | None]]:
    """A ``link`` that names a fixed page (the payload's own "path" first), for kinds not about a dated item."""

    async def link(payload: dict[str, Any]) -> str | None:
        return str(payload.get("path") or path)

    return link


def about(payload_key: str, resolve: Callable[[int, bool], Awaitable[About]]) -> None:
    """``resolve(id, cancelled)`` describes the thing a payload with ``payload_key`` is about."""
    ABOUT[payload_key] = resolve


def reminders(source: Callable[[datetime, datetime], Awaitable[list[Reminder]]]) -> None:
    if source not in REMINDER_SOURCES:
        REMINDER_SOURCES.append(source)


def copies(resolve: Callable[[list[int]], Awaitable[dict[int, list[tuple[int, str]]]]]) -> None:
    """``resolve(recipients)`` names the accounts that receive a copy of each recipient's messages."""
    COPIES.append(resolve)


def upcoming(source: Callable[[int, datetime], Awaitable[list[tuple[datetime, str]]]]) -> None:
    """``source(account, now)`` lists what the account has coming up (the bot's ``/next``), in the current language."""
    if source not in UPCOMING:
        UPCOMING.append(source)
