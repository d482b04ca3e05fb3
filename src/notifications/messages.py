"""One outbox row → one e-mail in the recipient's language, with an .ics invitation when it is about a date.

The message is the same on every attempt (Message-ID and Date come from the row), so a resend after a crash
is the same message, which mail clients and servers recognise.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from src import bounds
from src.branches import service as branches_service
from src.calendars import sources as feed_sources
from src.calendars.ical import FeedItem, FeedMeta, build_calendar, sequence_of, uid
from src.config import get_settings
from src.events.tables import Event
from src.i18n import _, fmt_datetime, reset_language, set_language
from src.notifications import registry, rules
from src.notifications.settings import MailSettings
from src.rooms.tables import Booking
from src.timeutil import aware, local

CANCELLING = {"event_cancelled", "registration_released", "booking_cancelled"}
REMINDERS = {"reminder", "booking_reminder", "consultation_reminder"}


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    email: str | None
    full_name: str
    language: str


@dataclass(frozen=True, slots=True)
class About:
    """What a message is about, as of sending: its calendar item and the lines of its text."""

    item: FeedItem | None
    when: str = ""
    where: str = ""
    title: str = ""


def unsubscribe_signature(account_id: int) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"reminders-off:{account_id}".encode(), hashlib.sha256).hexdigest()[:32]


def unsubscribe_path(account_id: int) -> str:
    return f"/reminders/off/{account_id}/{unsubscribe_signature(account_id)}"


def _instant(value) -> datetime:
    return aware(datetime.fromisoformat(value) if isinstance(value, str) else value)


async def _event_about(event_id: int, cancelled: bool) -> About:
    row = await Event.select().where(Event.id == event_id).first()
    if row is None:
        return About(item=None)
    branch = await branches_service.branch_by_id(row["branch"])
    starts_at, ends_at = _instant(row["starts_at"]), _instant(row["ends_at"])
    item = FeedItem(
        uid=uid("event", row["id"]),
        summary=row["title"],
        start=starts_at,
        end=ends_at,
        tz=branch.timezone,
        modified_at=_instant(row["updated_at"]),
        created_at=_instant(row["created_at"]),
        sequence=sequence_of(_instant(row["created_at"]), _instant(row["updated_at"])),
        status="CANCELLED" if cancelled or row["status"] == "cancelled" else "CONFIRMED",
        location=feed_sources.branch_location(branch),
        geo=feed_sources.branch_geo(branch),
        url=feed_sources.page_url(f"/events/{row['id']}"),
    )
    return About(item=item, when=fmt_datetime(local(starts_at, branch.timezone), "d MMMM y, HH:mm"), where=item.location, title=row["title"])


async def _booking_about(booking_id: int, cancelled: bool) -> About:
    row = await Booking.select(Booking.all_columns(), Booking.zone.name, Booking.zone.branch).where(Booking.id == booking_id).first()
    if row is None:
        return About(item=None)
    branch = await branches_service.branch_by_id(row["zone.branch"])
    starts_at, ends_at = _instant(row["starts_at"]), _instant(row["ends_at"])
    changed = _instant(row["status_changed_at"] or row["created_at"])
    item = FeedItem(
        uid=uid("booking", row["id"]),
        summary=f"{row['zone.name']}: {row['purpose']}" if row["purpose"] else row["zone.name"],
        start=starts_at,
        end=ends_at,
        tz=branch.timezone,
        modified_at=changed,
        created_at=_instant(row["created_at"]),
        sequence=sequence_of(_instant(row["created_at"]), changed),
        status="CANCELLED" if cancelled or row["status"] in ("cancelled", "declined") else "CONFIRMED",
        location=feed_sources.branch_location(branch, row["zone.name"]),
        geo=feed_sources.branch_geo(branch),
        url=feed_sources.page_url(f"/bookings/{row['id']}"),
    )
    return About(item=item, when=fmt_datetime(local(starts_at, branch.timezone), "d MMMM y, HH:mm"), where=item.location, title=item.summary)


async def _consultation_about(consultation_id: int) -> About:
    """A consultation as its reader sees it (the item of their private feed: never the counsellor's notes)."""
    from src.guidance import ical as guidance_ical
    from src.guidance.tables import Consultation

    rows = await guidance_ical.consultation_rows(Consultation.id == consultation_id, date(1970, 1, 1))
    if not rows:
        return About(item=None)
    branch = await branches_service.branch_by_id(rows[0]["branch"])
    item = guidance_ical.consultation_item(rows[0], branch, for_counsellor=False)
    when = fmt_datetime(local(_instant(rows[0]["starts_at"]), branch.timezone), "d MMMM y, HH:mm")
    return About(item=item, when=when, where=item.location, title=rows[0]["counsellor.full_name"])


async def about(kind: str, payload: dict) -> About:
    cancelled = kind in CANCELLING
    if "event_id" in payload:
        return await _event_about(int(payload["event_id"]), cancelled)
    if "booking_id" in payload:
        return await _booking_about(int(payload["booking_id"]), cancelled)
    if "consultation_id" in payload:
        return await _consultation_about(int(payload["consultation_id"]))
    return About(item=None, title=str(payload.get("title", "")))


def _lead(kind: str, info: About, payload: dict) -> str:
    title = info.title or str(payload.get("title", ""))
    texts = {
        "event_moved": _("The event «%(title)s» has moved. It is now on %(when)s.", title=title, when=info.when),
        "event_cancelled": _("The event «%(title)s» on %(when)s is cancelled.", title=title, when=info.when),
        "registration_promoted": _("A seat at «%(title)s» on %(when)s is yours now: you were on the waiting list.", title=title, when=info.when),
        "registration_released": _("Your seat at «%(title)s» on %(when)s was released because it was not confirmed in time.", title=title, when=info.when),
        "reminder": _("A reminder: «%(title)s» is on %(when)s.", title=title, when=info.when),
        "booking_reminder": _("A reminder: your booking «%(title)s» is on %(when)s.", title=title, when=info.when),
        "consultation_reminder": _("A reminder: your career consultation with %(title)s is on %(when)s.", title=title, when=info.when),
    }
    described = registry.KINDS.get(kind)
    return texts.get(kind) or (described.lead(payload) if described else "") or title or str(payload.get("subject", ""))


def render_body(kind: str, info: About, payload: dict, recipient: Recipient) -> str:
    greeting = _("Hello, %(name)s!", name=recipient.full_name) if recipient.full_name else _("Hello!")
    lines = [greeting, "", _lead(kind, info, payload)]
    if payload.get("path") and (info.item is None or not info.item.url):
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
    if kind in REMINDERS:
        base = get_settings().base_url
        lines.append(_("Reminder settings: %(url)s", url=f"{base}/me/reminders"))
        lines.append(_("Stop all reminders: %(url)s", url=base + unsubscribe_path(recipient.id)))
    return "\n".join(lines) + "\n"


def invitation(info: About, method: str, organizer: str, attendee: str) -> bytes:
    from dataclasses import replace

    assert info.item is not None
    item = replace(info.item, organizer=organizer, attendees=(attendee,))
    return build_calendar(FeedMeta(name=info.title or info.item.summary, method=method), [item])


async def compose(row: dict, recipient: Recipient, settings: MailSettings, cache: dict | None = None) -> EmailMessage:
    """The e-mail of one outbox row, in the recipient's language, with the .ics when there is one."""
    assert recipient.email
    token = set_language(recipient.language or get_settings().language)
    try:
        payload = row["payload"] if isinstance(row["payload"], dict) else {}
        kind = row["kind"]
        described = registry.KINDS.get(kind)
        if described is not None and described.link is not None:
            path = await described.link(payload)
            payload = {**payload, "path": path or "", "link_gone": "" if path else described.gone}
        key = (kind, payload.get("event_id"), payload.get("booking_id"), payload.get("consultation_id"), recipient.language)
        info = cache.get(key) if cache is not None and key[1:4] != (None, None, None) else None
        if info is None:
            info = await about(kind, payload)
            if cache is not None:
                cache[key] = info
        message = EmailMessage()
        domain = settings.mail_from.rsplit("@", 1)[-1]
        message["Message-ID"] = rules.message_id(row["message_id"], row["id"], domain)
        message["Date"] = format_datetime(aware(row["created_at"]))
        message["From"] = Address(display_name=_("Blagoveshchensk libraries"), addr_spec=settings.mail_from)
        # whatever a name or a title holds, a header gets one line (a CR/LF would make the message fail for ever)
        message["To"] = Address(display_name=bounds.clean_line(recipient.full_name), addr_spec=recipient.email)
        message["Subject"] = bounds.clean_line(row["subject"])
        message["Auto-Submitted"] = "auto-generated"
        if kind in REMINDERS:
            message["List-Unsubscribe"] = f"<{get_settings().base_url}{unsubscribe_path(recipient.id)}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(render_body(kind, info, {**payload, "subject": row["subject"]}, recipient))
        if info.item is not None:
            method = "CANCEL" if info.item.status == "CANCELLED" or kind in CANCELLING else "REQUEST"
            ics = invitation(info, method, settings.mail_from, recipient.email)
            message.add_alternative(ics, maintype="text", subtype="calendar", params={"method": method, "charset": "utf-8"})
            message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
        message["Content-Language"] = recipient.language or get_settings().language  # after the body: set_content drops Content-*
        return message
    finally:
        reset_language(token)


from src.accounts import messages as _accounts_messages  # noqa: E402,F401 - fills the registry with the accounts' kinds
