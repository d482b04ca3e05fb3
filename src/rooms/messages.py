"""What the rooms' messages say: a booking received, confirmed, approved, declined or cancelled by staff (with the
reason), changed (by staff or by the reader: rescheduled, extended, ended early), reminders and the staff digest.

The lead is written in the recipient's language; the booking's zone, time and place come with the message
(``booking_id`` in the payload: the calendar file cancels the entry), the reason on its own line.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.engine import engine_finder

from src.accounts.tables import StaffBranch
from src.branches import service as branches_service
from src.calendars.ical import FeedItem, branch_geo, branch_location, instant, page_url, sequence_of, uid
from src.i18n import _, fmt_day_time, fmt_until
from src.labels import N_
from src.db import write_transaction
from src.notifications import registry
from src.notifications import service as notifications
from src.notifications.registry import About, Reminder
from src.rooms.tables import Booking

BOOKING_CANCELLED = "booking_cancelled"
BOOKING_DECLINED = "booking_declined"
BOOKING_RECEIVED = "booking_received"
BOOKING_CONFIRMED = "booking_confirmed"
BOOKING_APPROVED = "booking_approved"
APPROVAL_DIGEST = "booking_approval_digest"
BOOKING_CHANGED = "booking_changed"
DIGEST_EVERY = timedelta(minutes=30)
BOOKING_REMINDER = "booking_reminder"

SUBJECTS = {
    BOOKING_CANCELLED: N_("Your booking is cancelled: %(zone)s"),
    BOOKING_DECLINED: N_("Your booking request is declined: %(zone)s"),
    BOOKING_RECEIVED: N_("Your booking request is received: %(zone)s"),
    BOOKING_CONFIRMED: N_("Your booking is confirmed: %(zone)s"),
    BOOKING_APPROVED: N_("Your booking is approved: %(zone)s"),
    APPROVAL_DIGEST: N_("Booking requests wait for your approval: %(branch)s"),
    BOOKING_CHANGED: N_("Your booking has changed: %(zone)s"),
    BOOKING_REMINDER: N_("Reminder: %(title)s"),
}


def _when(payload: dict[str, Any]) -> str:
    try:
        return fmt_day_time(datetime.fromisoformat(str(payload["starts_at"])), ZoneInfo(str(payload["timezone"])))
    except (KeyError, ValueError):
        return ""


def _until(payload: dict[str, Any]) -> str:
    try:
        return fmt_until(datetime.fromisoformat(str(payload["starts_at"])), datetime.fromisoformat(str(payload["ends_at"])), ZoneInfo(str(payload["timezone"])))
    except (KeyError, ValueError):
        return ""


def payload_of(zone: str, starts_at: datetime, timezone: str, booking_id: int, reason: str, count: int, ends_at: datetime | None = None) -> dict[str, Any]:
    payload = {"booking_id": booking_id, "zone": zone, "starts_at": starts_at.isoformat(), "timezone": timezone, "reason": reason, "count": count}
    return payload | ({"ends_at": ends_at.isoformat()} if ends_at else {})


def changed_lead(p: dict[str, Any]) -> str:
    """Who changed the booking (the reader themself, or staff) and its time now; "waits for approval" when so."""
    values = {"zone": p.get("zone", ""), "when": _when(p), "until": _until(p)}
    text = _("You changed your booking of %(zone)s: it is now on %(when)s, until %(until)s.", **values) if p.get("by_holder") else _(
        "Library staff changed your booking of %(zone)s: it is now on %(when)s, until %(until)s.", **values
    )
    if p.get("pending"):
        text += " " + _("Library staff will approve or decline the new time; we will write to you.")
    return text


registry.register(
    BOOKING_CANCELLED,
    lambda payload: _(
        "Library staff cancelled your booking of %(zone)s on %(when)s (dates cancelled: %(count)s).",
        zone=payload.get("zone", ""), when=_when(payload), count=payload.get("count", 1),
    ) if int(payload.get("count", 1)) > 1 else _("Library staff cancelled your booking of %(zone)s on %(when)s.", zone=payload.get("zone", ""), when=_when(payload)),
    cancelling=True,
)
registry.register(
    BOOKING_DECLINED,
    lambda payload: _("Library staff declined your request to book %(zone)s on %(when)s.", zone=payload.get("zone", ""), when=_when(payload)),
    cancelling=True,
)


async def booking_about(booking_id: int, cancelled: bool) -> About:
    row = await Booking.select(Booking.all_columns(), Booking.zone.name, Booking.zone.branch).where(Booking.id == booking_id).first()
    if row is None:
        return About(item=None)
    branch = await branches_service.branch_by_id(row["zone.branch"])
    starts_at, ends_at = instant(row["starts_at"]), instant(row["ends_at"])
    changed = instant(row["status_changed_at"] or row["created_at"])
    item = FeedItem(
        uid=uid("booking", row["id"]),
        summary=f"{row['zone.name']}: {row['purpose']}" if row["purpose"] else row["zone.name"],
        start=starts_at,
        end=ends_at,
        tz=branch.timezone,
        modified_at=changed,
        created_at=instant(row["created_at"]),
        sequence=sequence_of(instant(row["created_at"]), changed),
        status="CANCELLED" if cancelled or row["status"] in ("cancelled", "declined") else "CONFIRMED",
        location=branch_location(branch, row["zone.name"]),
        geo=branch_geo(branch),
        url=page_url(f"/bookings/{row['id']}"),
    )
    return About(item=item, when=fmt_day_time(starts_at, ZoneInfo(branch.timezone)), where=item.location, title=item.summary, until=fmt_until(starts_at, ends_at, ZoneInfo(branch.timezone)))


async def reminders(now: datetime, until: datetime) -> list[Reminder]:
    rows = await Booking.select(Booking.id, Booking.holder, Booking.created_at, Booking.starts_at, Booking.zone.name).where(
        (Booking.holder_kind == "reader") & (Booking.status == "confirmed") & Booking.holder.is_not_null()
        & (Booking.starts_at > now) & (Booking.starts_at <= until)
    )
    return [
        Reminder(
            BOOKING_REMINDER, row["holder"], instant(row["starts_at"]), instant(row["created_at"]), key=f"booking-{row['id']}",
            subject=SUBJECTS[BOOKING_REMINDER], subject_vars={"title": row["zone.name"]}, payload={"booking_id": row["id"], "title": row["zone.name"]},
        )
        for row in rows
    ]


registry.about("booking_id", booking_about)
registry.reminders(reminders)
registry.register(BOOKING_REMINDER, lambda p: _("A reminder: your booking «%(title)s» is on %(when)s.", title=p["title"], when=p["when"]), reminder=True)
registry.register(
    BOOKING_RECEIVED,
    lambda p: _("We received your request to book %(zone)s on %(when)s. Library staff will approve or decline it; we will write to you.", zone=p.get("zone", ""), when=_when(p)),
)
registry.register(BOOKING_CONFIRMED, lambda p: _("You booked %(zone)s on %(when)s.", zone=p.get("zone", ""), when=_when(p)))
registry.register(BOOKING_APPROVED, lambda p: _("Library staff approved your booking of %(zone)s on %(when)s.", zone=p.get("zone", ""), when=_when(p)))
registry.register(BOOKING_CHANGED, changed_lead)
registry.register(
    APPROVAL_DIGEST,
    lambda p: _("%(count)s new booking requests at %(branch)s wait for approval. Approve or decline them on the approvals page.", count=p.get("count", 0), branch=p.get("branch", "")),
)


async def approval_digest(now: datetime) -> dict[str, int]:
    """The staff of a branch hear of the booking requests that came in during the last half hour, in one message
    (not one each), at most every 30 minutes. Keyed by the half hour: a rerun writes nothing twice."""
    epoch = datetime(2026, 1, 1, tzinfo=timezone.utc)
    slot = epoch + ((now - epoch) // DIGEST_EVERY) * DIGEST_EVERY
    rows = await Booking.select(Booking.id, Booking.zone.branch.as_alias("branch_id")).where(
        (Booking.status == "pending") & (Booking.created_at >= slot - DIGEST_EVERY) & (Booking.created_at < slot)
    )
    waiting: dict[int, int] = {}
    for row in rows:
        waiting[row["branch_id"]] = waiting.get(row["branch_id"], 0) + 1
    written = 0
    async with write_transaction(engine_finder()):
        for branch_id, count in sorted(waiting.items()):
            branch = await branches_service.branch_by_id(branch_id)
            staff = [row["account"] for row in await StaffBranch.select(StaffBranch.account).where(StaffBranch.branch == branch_id)]
            written += await notifications.enqueue(
                APPROVAL_DIGEST, staff, SUBJECTS[APPROVAL_DIGEST], {"branch": branch.name, "count": count, "path": "/staff/approvals"},
                cause=f"{branch_id}:{slot:%Y%m%dT%H%MZ}", subject_vars={"branch": branch.short_name},
            )
    return {"digests": written}
