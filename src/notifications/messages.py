"""One outbox row → one e-mail in the recipient's language, with an .ics invitation when it is about a date.

The message is the same on every attempt (Message-ID and Date come from the row), so a resend after a crash
is the same message, which mail clients and servers recognise.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
from dataclasses import dataclass, replace
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from src import bounds
from src.calendars.ical import FeedMeta, build_calendar
from src.config import get_settings
from src.i18n import _, reset_language, set_language
from src.notifications import registry, rules
from src.notifications.registry import About
from src.notifications.settings import MailSettings
from src.timeutil import aware


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    email: str | None
    full_name: str
    language: str


def unsubscribe_signature(account_id: int) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"reminders-off:{account_id}".encode(), hashlib.sha256).hexdigest()[:32]


def unsubscribe_path(account_id: int) -> str:
    return f"/reminders/off/{account_id}/{unsubscribe_signature(account_id)}"


def category_signature(account_id: int, category: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"unsubscribe:{category}:{account_id}".encode(), hashlib.sha256).hexdigest()[:32]


def category_unsubscribe_path(account_id: int, category: str) -> str:
    """The signed one-click link that switches one category of e-mails off (no login needed)."""
    return f"/unsubscribe/{category}/{account_id}/{category_signature(account_id, category)}"


def _kind(kind: str) -> registry.Kind | None:
    return registry.KINDS.get(kind)


def is_reminder(kind: str) -> bool:
    described = _kind(kind)
    return described is not None and described.reminder


def is_cancelling(kind: str) -> bool:
    described = _kind(kind)
    return described is not None and described.cancelling


async def about(kind: str, payload: dict) -> About:
    """What the message is about, described by the domain that registered the payload's key."""
    for key, resolve in registry.ABOUT.items():
        if payload.get(key) is not None:
            return await resolve(int(payload[key]), is_cancelling(kind))
    return About(item=None, title=str(payload.get("title", "")))


def _lead(kind: str, info: About, payload: dict) -> str:
    described = _kind(kind)
    context = {**payload, "when": info.when or payload.get("when", ""), "until": info.until or payload.get("until", ""), "where": info.where, "title": info.title or str(payload.get("title", ""))}
    return (described.lead(context) if described else "") or context["title"] or str(payload.get("subject", ""))


def render_body(kind: str, info: About, payload: dict, recipient: Recipient) -> str:
    greeting = _("Hello, %(name)s!", name=recipient.full_name) if recipient.full_name else _("Hello!")
    lines = [greeting, "", _lead(kind, info, payload)]
    if payload.get("path") and (info.item is None or get_settings().base_url + str(payload["path"]) != info.item.url):  # unless the item's own link says it
        lines += ["", get_settings().base_url + str(payload["path"])]
    elif payload.get("link_gone"):
        lines += ["", _(str(payload["link_gone"]))]
    if payload.get("reason"):
        lines.append(_("Reason: %(reason)s", reason=payload["reason"]))
    if info.where:
        lines.append(_("Place: %(place)s", place=info.where))
    if info.item is not None and info.item.url:
        lines += ["", info.item.url]
    if info.item is not None:
        lines += ["", _("The attached calendar file updates the entry in your calendar.")]
    lines += ["", "—", _("Municipal libraries of Blagoveshchensk")]
    category = registry.category_of(kind)
    if category and recipient.id:
        base = get_settings().base_url
        lines.append(_("Message settings: %(url)s", url=f"{base}/me/messages"))
        if category == registry.REMINDERS:
            lines.append(_("Stop reminders by e-mail: %(url)s", url=base + category_unsubscribe_path(recipient.id, category)))
        else:
            lines.append(_("Stop these messages by e-mail: %(url)s", url=base + category_unsubscribe_path(recipient.id, category)))
    return "\n".join(lines) + "\n"


URL = re.compile(r"https?://[^\s<>\"]+")


def render_html(text: str, language: str) -> str:
    """The plain text as an HTML alternative that reads well on a phone: paragraphs, tappable links, one column."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        lines = []
        for line in block.split("\n"):
            escaped = html.escape(line)
            lines.append(URL.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', escaped))
        paragraphs.append("<p>" + "<br>".join(lines) + "</p>")
    return (
        f'<!DOCTYPE html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        '<body style="margin:0;padding:16px;font:16px/1.5 sans-serif;max-width:36em">' + "".join(paragraphs) + "</body></html>\n"
    )


def invitation(info: About, method: str, organizer: str, attendee: str) -> bytes:
    assert info.item is not None
    item = replace(info.item, organizer=organizer, attendees=(attendee,))
    return build_calendar(FeedMeta(name=info.title or info.item.summary, method=method), [item])


async def _resolve(row: dict, recipient: Recipient, cache: dict | None) -> tuple[str, dict, About]:
    """The row's kind, its payload with the link of the moment, and what it is about (cached per batch)."""
    payload = row["payload"] if isinstance(row["payload"], dict) else {}
    kind = row["kind"]
    described = _kind(kind)
    if described is not None and described.link is not None:
        path = await described.link(payload)
        payload = {**payload, "path": path or "", "link_gone": "" if path else described.gone}
    key = (kind, payload.get("event_id"), payload.get("booking_id"), payload.get("consultation_id"), recipient.language)
    info = cache.get(key) if cache is not None and key[1:4] != (None, None, None) else None
    if info is None:
        info = await about(kind, payload)
        if cache is not None:
            cache[key] = info
    return kind, payload, info


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """A message for a chat (Telegram): the same content as the e-mail, HTML-escaped, and a button to the page."""

    text: str
    button: str
    url: str


async def compose_chat(row: dict, recipient: Recipient, cache: dict | None = None) -> ChatMessage:
    """The Telegram message of one outbox row, in the recipient's language (the .ics stays in e-mail)."""
    token = set_language(recipient.language or get_settings().language)
    try:
        kind, payload, info = await _resolve(row, recipient, cache)
        lines = [f"<b>{html.escape(bounds.clean_line(row['subject']))}</b>", "", html.escape(_lead(kind, info, payload))]
        if payload.get("link_gone") and not payload.get("path"):
            lines += ["", html.escape(_(str(payload["link_gone"])))]
        if payload.get("reason"):
            lines.append(html.escape(_("Reason: %(reason)s", reason=payload["reason"])))
        if info.where:
            lines.append(html.escape(_("Place: %(place)s", place=info.where)))
        if registry.category_of(kind):
            lines += ["", html.escape(_("Message settings: %(url)s", url=f"{get_settings().base_url}/me/messages"))]
        url = get_settings().base_url + str(payload["path"]) if payload.get("path") else (info.item.url if info.item is not None else "")
        return ChatMessage(text="\n".join(lines), button=_("Open the page") if url else "", url=url)
    finally:
        reset_language(token)


async def compose(row: dict, recipient: Recipient, settings: MailSettings, cache: dict | None = None) -> EmailMessage:
    """The e-mail of one outbox row, in the recipient's language, with the .ics when there is one."""
    assert recipient.email
    token = set_language(recipient.language or get_settings().language)
    try:
        kind, payload, info = await _resolve(row, recipient, cache)
        message = EmailMessage()
        domain = settings.mail_from.rsplit("@", 1)[-1]
        message["Message-ID"] = rules.message_id(row["message_id"], row["id"], domain)
        message["Date"] = format_datetime(aware(row["created_at"]))
        message["From"] = Address(display_name=_("Blagoveshchensk libraries"), addr_spec=settings.mail_from)
        # whatever a name or a title holds, a header gets one line (a CR/LF would make the message fail for ever)
        message["To"] = Address(display_name=bounds.clean_line(recipient.full_name), addr_spec=recipient.email)
        message["Subject"] = bounds.clean_line(row["subject"])
        message["Auto-Submitted"] = "auto-generated"
        category = registry.category_of(kind)
        if category and recipient.id:  # non-essential: one-click unsubscribe (RFC 8058), no login needed
            message["List-Unsubscribe"] = f"<{get_settings().base_url}{category_unsubscribe_path(recipient.id, category)}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text = render_body(kind, info, {**payload, "subject": row["subject"]}, recipient)
        message.set_content(text)
        message.add_alternative(render_html(text, recipient.language or get_settings().language), subtype="html")
        if info.item is not None:
            method = "CANCEL" if info.item.status == "CANCELLED" or is_cancelling(kind) else "REQUEST"
            ics = invitation(info, method, settings.mail_from, recipient.email)
            message.add_alternative(ics, maintype="text", subtype="calendar", params={"method": method, "charset": "utf-8"})
            message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
        described = _kind(kind)
        if described is not None and described.attach is not None:
            for attachment in await described.attach(payload):
                message.add_attachment(attachment.data, maintype=attachment.maintype, subtype=attachment.subtype, filename=attachment.filename)
        message["Content-Language"] = recipient.language or get_settings().language  # after the body: set_content drops Content-*
        return message
    finally:
        reset_language(token)

