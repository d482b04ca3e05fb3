"""Reminders before what a reader signed up for, booked, or a career consultation they booked: 24 and 2 hours before unless the reader chose
otherwise (``ReminderSetting``). Each reminder is an outbox row with a key of its own, so scheduling runs as
often as it likes and never enqueues one twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.engine import engine_finder

from src.db import write_transaction
from src.events.tables import Registration
from src.guidance.tables import Consultation
from src.notifications import rules
from src.notifications import service as notifications
from src.notifications.service import N_
from src.notifications.tables import ReminderSetting
from src.rooms.tables import Booking
from src.timeutil import aware, now_utc

HORIZON = timedelta(hours=max(rules.ALLOWED_REMINDER_HOURS))


async def settings_of(account_ids: set[int]) -> dict[int, tuple[int, ...]]:
    """Each account's reminder hours; () for an account that turned reminders off."""
    rows = await ReminderSetting.select().where(ReminderSetting.account.is_in(sorted(account_ids))) if account_ids else []
    chosen = {row["account"]: (rules.parse_hours(row["hours"]) if row["enabled"] else ()) for row in rows}
    return {account: chosen.get(account, rules.DEFAULT_REMINDER_HOURS) for account in account_ids}


def _instant(value) -> datetime:
    return aware(datetime.fromisoformat(value) if isinstance(value, str) else value)


async def schedule(now: datetime | None = None) -> int:
    """Enqueue every reminder due at ``now``; returns how many were new. The key holds the start, so an event
    moved after its reminder went out is reminded of again at its new time."""
    now = now or now_utc()
    signups = await Registration.select(
        Registration.id, Registration.reader, Registration.created_at, Registration.promoted_at,
        Registration.event.id, Registration.event.title, Registration.event.starts_at, Registration.event.branch,
    ).where(
        (Registration.status == "confirmed")
        & (Registration.event.status == "scheduled")
        & (Registration.event.starts_at > now)
        & (Registration.event.starts_at <= now + HORIZON)
    )
    bookings = await Booking.select(
        Booking.id, Booking.holder, Booking.created_at, Booking.starts_at, Booking.purpose, Booking.zone.name
    ).where(
        (Booking.holder_kind == "reader") & (Booking.status == "confirmed") & Booking.holder.is_not_null()
        & (Booking.starts_at > now) & (Booking.starts_at <= now + HORIZON)
    )
    consultations = await Consultation.select(
        Consultation.id, Consultation.reader, Consultation.created_at, Consultation.starts_at, Consultation.counsellor.full_name
    ).where((Consultation.status == "booked") & (Consultation.starts_at > now) & (Consultation.starts_at <= now + HORIZON))
    hours_of = await settings_of({row["reader"] for row in signups} | {row["holder"] for row in bookings} | {row["reader"] for row in consultations})
    added = 0
    async with write_transaction(engine_finder()):
        for row in signups:
            starts_at = _instant(row["event.starts_at"])
            since = _instant(row["promoted_at"] or row["created_at"])
            for hours in hours_of[row["reader"]]:
                if rules.reminder_due(starts_at, hours, hours_of[row["reader"]], since, now):
                    added += await notifications.enqueue(
                        "reminder", [row["reader"]], N_("Reminder: %(title)s"),
                        {"event_id": row["event.id"], "registration_id": row["id"], "title": row["event.title"], "hours": hours},
                        cause=f"event-{row['event.id']}-{starts_at:%Y%m%dT%H%MZ}-{hours}h", subject_vars={"title": row["event.title"]},
                    )
        for row in bookings:
            starts_at = _instant(row["starts_at"])
            for hours in hours_of[row["holder"]]:
                if rules.reminder_due(starts_at, hours, hours_of[row["holder"]], _instant(row["created_at"]), now):
                    title = row["zone.name"]
                    added += await notifications.enqueue(
                        "booking_reminder", [row["holder"]], N_("Reminder: %(title)s"),
                        {"booking_id": row["id"], "title": title, "hours": hours},
                        cause=f"booking-{row['id']}-{starts_at:%Y%m%dT%H%MZ}-{hours}h", subject_vars={"title": title},
                    )
        for row in consultations:
            starts_at = _instant(row["starts_at"])
            for hours in hours_of[row["reader"]]:
                if rules.reminder_due(starts_at, hours, hours_of[row["reader"]], _instant(row["created_at"]), now):
                    title = row["counsellor.full_name"]
                    added += await notifications.enqueue(
                        "consultation_reminder", [row["reader"]], N_("Reminder: career consultation with %(title)s"),
                        {"consultation_id": row["id"], "title": title, "hours": hours},
                        cause=f"consultation-{row['id']}-{starts_at:%Y%m%dT%H%MZ}-{hours}h", subject_vars={"title": title},
                    )
    return added
