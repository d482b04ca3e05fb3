"""What the events' messages say, what they are about (the event, as a calendar item) and which reminders the
readers signed up need. Filled into the notification registry when imported (``src/registrations.py``)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import segno
from piccolo.engine import engine_finder

from src.branches import service as branches_service
from src.calendars.ical import FeedItem, branch_geo, branch_location, instant, page_url, sequence_of, uid
from src.db import write_transaction
from src import clock
from src.events import links, rules
from src.events.tables import Event, Registration
from src.i18n import _, fmt_day_time, fmt_until
from src.labels import N_
from src.notifications import registry
from src.notifications import service as notifications
from src.notifications.registry import About, Reminder

EVENT_MOVED = "event_moved"  # rows queued before event_changed existed; nothing writes it now
EVENT_CHANGED = "event_changed"
EVENT_CANCELLED = "event_cancelled"
PROMOTED = "registration_promoted"
RELEASED = "registration_released"
REMINDER = "reminder"
SIGNED_UP = "registration_confirmed"
WAITLISTED = "registration_waitlisted"
CONFIRM_REQUEST = "registration_confirm_request"
CANCELLED_BY_STAFF = "registration_cancelled"  # library staff cancelled a reader's sign-up
REQUEST_AHEAD = timedelta(hours=24)  # ask this long before the seat would be released

SUBJECTS = {
    EVENT_MOVED: N_("Event moved: %(title)s"),
    EVENT_CHANGED: N_("Event changed: %(title)s"),
    EVENT_CANCELLED: N_("Event cancelled: %(title)s"),
    PROMOTED: N_("A seat is yours: %(title)s"),
    RELEASED: N_("Your seat was released: %(title)s"),
    REMINDER: N_("Reminder: %(title)s"),
    SIGNED_UP: N_("You are signed up: %(title)s"),
    WAITLISTED: N_("You are on the waiting list: %(title)s"),
    CONFIRM_REQUEST: N_("Please confirm your seat: %(title)s"),
    CANCELLED_BY_STAFF: N_("Your sign-up is cancelled: %(title)s"),
}


def deadline_words(p: dict) -> str:
    """The "confirm by" instant (stored as ISO with the branch's zone) in words, in the recipient's language."""
    try:
        return when(datetime.fromisoformat(str(p["confirm_by"])), str(p["timezone"]))
    except (KeyError, ValueError):
        return ""


def _please_confirm(p: dict) -> str:
    if not p.get("confirm_by"):
        return ""
    return " " + _("Please confirm that you are coming by %(deadline)s with one click on the link below (no need to log in), or the seat goes to the next person waiting.", deadline=deadline_words(p))


def signed_up_lead(p: dict) -> str:
    text = _("You are signed up for «%(title)s» on %(when)s. Your ticket code is %(code)s: show it, or the attached QR code, at the entrance.", title=p["title"], when=p["when"], code=p.get("ticket_code", ""))
    return text + _please_confirm(p)


async def confirm_link(p: dict) -> str | None:
    """The one-click confirm link while the seat may still be confirmed (signed as the message is written);
    the page of the reader's sign-ups when there is nothing to confirm; None once the deadline has passed."""
    if not p.get("confirm_by"):
        return str(p.get("path") or "/me/registrations")
    try:
        deadline = datetime.fromisoformat(str(p["confirm_by"]))
    except ValueError:
        return None
    if deadline <= clock.now() or p.get("registration_id") is None:
        return None
    return links.confirm_path(int(p["registration_id"]), deadline)


async def ticket_qr(p: dict) -> list[registry.Attachment]:
    """The ticket's QR code as a PNG (the code staff scan at the entrance), while the seat is confirmed."""
    if p.get("registration_id") is None:
        return []
    row = await Registration.select(Registration.ticket_code, Registration.status).where(Registration.id == int(p["registration_id"])).first()
    if row is None or row["status"] != "confirmed":
        return []
    image = io.BytesIO()
    segno.make(row["ticket_code"], error="m").save(image, kind="png", scale=8, border=4)
    return [registry.Attachment(f"ticket-{rules.display_code(row['ticket_code'])}.png", "image", "png", image.getvalue())]


CONFIRM_GONE = N_("The time to confirm this seat has passed.")


# what staff may change that those signed up need to hear of, in the order the message tells it
CHANGES = ("title", "time", "place", "host", "details", "accessibility")


def changes_of(before: dict, after: dict) -> list[str]:
    """Which of CHANGES differ between two event rows (pure): the time, the zone, the title, the host, the
    description, the accessibility notes. Capacity, windows and ages change nothing for those already in."""
    fields = {
        "title": ("title",), "time": ("starts_at", "ends_at"), "place": ("zone",),
        "host": ("host_name", "host_profession", "host_organisation"), "details": ("description",), "accessibility": ("accessibility",),
    }
    return [change for change in CHANGES if any(before.get(name) != after.get(name) for name in fields[change])]


def changed_lead(p: dict) -> str:
    """"«…» has changed", then one sentence per change, in the recipient's language."""
    changes = p.get("changes") or []
    lines = [_("The event «%(title)s» you signed up for has changed.", title=p["title"])]
    if "title" in changes:
        lines.append(_("It used to be called «%(old)s».", old=p.get("old_title", "")))
    if "time" in changes:
        lines.append(_("New time: %(when)s, until %(until)s.", when=p["when"], until=p.get("until", "")))
    if "place" in changes:
        lines.append(_("New place: %(place)s.", place=p.get("where", "")))
    if "host" in changes:
        lines.append(_("It is now led by %(host)s.", host=p.get("host", "")))
    if "details" in changes:
        lines.append(_("The description was updated: read it on the event's page."))
    if "accessibility" in changes:
        lines.append(_("The accessibility notes were updated: read them on the event's page."))
    if "time" not in changes:
        lines.append(_("It is on %(when)s, as before.", when=p["when"]))
    lines.append(_("Your sign-up stays as it is; if you cannot come now, please cancel it so that someone else can."))
    return " ".join(lines)


def when(starts_at: datetime, timezone: str) -> str:
    """The start in words in the branch's zone: "9 декабря, среда, 15:00"."""
    return fmt_day_time(starts_at, ZoneInfo(timezone))


async def event_about(event_id: int, cancelled: bool) -> About:
    row = await Event.select(Event.all_columns(), Event.zone.name.as_alias("zone_name")).where(Event.id == event_id).first()
    if row is None:
        return About(item=None)
    branch = await branches_service.branch_by_id(row["branch"])
    starts_at, ends_at = instant(row["starts_at"]), instant(row["ends_at"])
    item = FeedItem(
        uid=uid("event", row["id"]),
        summary=row["title"],
        start=starts_at,
        end=ends_at,
        tz=branch.timezone,
        modified_at=instant(row["updated_at"]),
        created_at=instant(row["created_at"]),
        sequence=sequence_of(instant(row["created_at"]), instant(row["updated_at"])),
        status="CANCELLED" if cancelled or row["status"] == "cancelled" else "CONFIRMED",
        location=branch_location(branch, row["zone_name"] or ""),
        geo=branch_geo(branch),
        url=page_url(f"/events/{row['id']}"),
    )
    return About(item=item, when=when(starts_at, branch.timezone), where=item.location, title=row["title"], until=fmt_until(starts_at, ends_at, ZoneInfo(branch.timezone)))


async def reminders(now: datetime, until: datetime) -> list[Reminder]:
    rows = await Registration.select(
        Registration.id, Registration.reader, Registration.created_at, Registration.promoted_at,
        Registration.event.id, Registration.event.title, Registration.event.starts_at,
    ).where(
        (Registration.status == "confirmed")
        & (Registration.event.status == "scheduled")
        & (Registration.event.starts_at > now)
        & (Registration.event.starts_at <= until)
    )
    return [
        Reminder(
            REMINDER, row["reader"], instant(row["event.starts_at"]), instant(row["promoted_at"] or row["created_at"]),
            key=f"event-{row['event.id']}", subject=SUBJECTS[REMINDER], subject_vars={"title": row["event.title"]},
            payload={"event_id": row["event.id"], "registration_id": row["id"], "title": row["event.title"]},
        )
        for row in rows
    ]


registry.about("event_id", event_about)
registry.reminders(reminders)
registry.register(EVENT_CHANGED, changed_lead)
registry.register(EVENT_MOVED, lambda p: _("The event «%(title)s» has moved. It is now on %(when)s.", title=p["title"], when=p["when"]))
registry.register(EVENT_CANCELLED, lambda p: _("The event «%(title)s» on %(when)s is cancelled.", title=p["title"], when=p["when"]), cancelling=True)
registry.register(
    PROMOTED,
    lambda p: _("A seat at «%(title)s» on %(when)s is yours now: you were on the waiting list.", title=p["title"], when=p["when"]) + " " + _("Show the attached QR code at the entrance.") + _please_confirm(p),
    link=confirm_link, gone=CONFIRM_GONE, attach=ticket_qr,
)
registry.register(
    RELEASED,
    lambda p: _("Your seat at «%(title)s» on %(when)s was released because it was not confirmed in time.", title=p["title"], when=p["when"]),
    cancelling=True,
)
registry.register(
    CANCELLED_BY_STAFF,
    lambda p: _("Library staff cancelled your sign-up for «%(title)s» on %(when)s. If this is a mistake, please contact the library.", title=p["title"], when=p["when"]),
    cancelling=True,
)
registry.register(REMINDER, lambda p: _("A reminder: «%(title)s» is on %(when)s.", title=p["title"], when=p["when"]), reminder=True)
registry.register(SIGNED_UP, signed_up_lead, link=confirm_link, gone=CONFIRM_GONE, attach=ticket_qr)
registry.register(
    WAITLISTED,
    lambda p: _("«%(title)s» on %(when)s is full, so you are on the waiting list, number %(position)s. If a seat frees up, it is yours and we will write to you.", title=p["title"], when=p["when"], position=p.get("position", "")),
    category=registry.WAITLIST,
)
registry.register(
    CONFIRM_REQUEST,
    lambda p: _("Are you coming to «%(title)s» on %(when)s? Confirm your seat by %(deadline)s with one click on the link below (no need to log in), or it goes to the next person waiting.", title=p["title"], when=p["when"], deadline=deadline_words(p)),
    link=confirm_link, gone=CONFIRM_GONE,
)


async def confirmation_requests(now: datetime) -> dict[str, int]:
    """The "confirm or release" job's first half: a day before an unconfirmed seat would be released, its reader
    is asked to confirm. Keyed by the sign-up and its deadline: asked once, again only if the event moved."""
    rows = await Registration.select(
        Registration.id, Registration.reader, Registration.confirmation_required,
        Registration.event.id, Registration.event.title, Registration.event.starts_at, Registration.event.confirm_hours_before, Registration.event.branch,
    ).where(
        (Registration.status == "confirmed") & Registration.confirmed_at.is_null() & (Registration.event.status == "scheduled")
        & (Registration.event.starts_at > now) & (Registration.event.starts_at <= now + REQUEST_AHEAD + timedelta(hours=169))
        & ((Registration.confirmation_required == True) | Registration.event.confirm_hours_before.is_not_null())  # noqa: E712
    )
    asked = 0
    async with write_transaction(engine_finder()):
        for row in rows:
            deadline = rules.confirm_deadline(instant(row["event.starts_at"]), row["event.confirm_hours_before"], row["confirmation_required"])
            if deadline is None or not now < deadline <= now + REQUEST_AHEAD:
                continue
            branch = await branches_service.branch_by_id(row["event.branch"])
            asked += await notifications.enqueue(
                CONFIRM_REQUEST, [row["reader"]], SUBJECTS[CONFIRM_REQUEST],
                {"event_id": row["event.id"], "registration_id": row["id"], "title": row["event.title"], "confirm_by": deadline.isoformat(), "timezone": branch.timezone, "path": "/me/registrations"},
                cause=f"{row['id']}:{deadline:%Y%m%dT%H%MZ}", subject_vars={"title": row["event.title"]},
            )
    return {"asked": asked}
