"""What the guidance messages say (a consultation booked; cancelled, saying by whom, with the library's reason;
next steps; reminders to the reader and to the counsellor), what they are about (the consultation as its reader
sees it) and which reminders readers and counsellors need."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from src.branches import service as branches_service
from src.calendars.ical import instant
from src.guidance import ical as guidance_ical
from src.guidance.tables import Consultation
from src.i18n import _, fmt_day_time
from src.labels import N_
from src.notifications import registry
from src.notifications.registry import About, Reminder

CONSULTATION_CANCELLED = "consultation_cancelled"
CONSULTATION_REMINDER = "consultation_reminder"
CONSULTATION_BOOKED = "consultation_booked"
COUNSELLOR_BOOKED = "consultation_booked_counsellor"
COUNSELLOR_CANCELLED = "consultation_cancelled_counsellor"
NEXT_STEPS = "consultation_next_steps"
COUNSELLOR_REMINDER = "consultation_reminder_counsellor"
BY_READER, BY_LIBRARY = "reader", "library"  # who cancelled, in the payload's "by"
PATHS = {CONSULTATION_BOOKED: "/guidance/consultations", COUNSELLOR_BOOKED: "/guidance/counsellor", NEXT_STEPS: "/guidance/consultations"}
SUBJECTS = {
    CONSULTATION_BOOKED: N_("Your career consultation is booked"),
    COUNSELLOR_BOOKED: N_("A reader booked a consultation with you"),
    COUNSELLOR_CANCELLED: N_("A consultation with you is cancelled"),
    NEXT_STEPS: N_("Your counsellor wrote your next steps"),
    CONSULTATION_CANCELLED: N_("Your career consultation is cancelled"),
    CONSULTATION_REMINDER: N_("Reminder: career consultation with %(title)s"),
    COUNSELLOR_REMINDER: N_("Reminder: a consultation with %(title)s"),
}


async def consultation_about(consultation_id: int, cancelled: bool) -> About:
    """A consultation as its reader sees it (the item of their private feed: never the counsellor's notes)."""
    rows = await guidance_ical.consultation_rows(Consultation.id == consultation_id, date(1970, 1, 1))
    if not rows:
        return About(item=None)
    branch = await branches_service.branch_by_id(rows[0]["branch"])
    item = guidance_ical.consultation_item(rows[0], branch, for_counsellor=False)
    when = fmt_day_time(instant(rows[0]["starts_at"]), ZoneInfo(branch.timezone))
    return About(item=item, when=when, where=item.location, title=rows[0]["counsellor.full_name"])


async def reminders(now: datetime, until: datetime) -> list[Reminder]:
    """The reader's reminder, and the counsellor's (naming the reader)."""
    rows = await Consultation.select(
        Consultation.id, Consultation.reader, Consultation.counsellor, Consultation.created_at, Consultation.starts_at, Consultation.counsellor.full_name,
        Consultation.reader.full_name,
    ).where((Consultation.status == "booked") & (Consultation.starts_at > now) & (Consultation.starts_at <= until))
    return [
        Reminder(
            kind, account, instant(row["starts_at"]), instant(row["created_at"]), key=f"{prefix}-{row['id']}",
            subject=SUBJECTS[kind], subject_vars={"title": title}, payload={"consultation_id": row["id"], "title": title, "reader": row["reader.full_name"]},
        )
        for row in rows
        for kind, account, prefix, title in (
            (CONSULTATION_REMINDER, row["reader"], "consultation", row["counsellor.full_name"]),
            (COUNSELLOR_REMINDER, row["counsellor"], "counselling", row["reader.full_name"]),
        )
    ]


registry.about("consultation_id", consultation_about)
registry.reminders(reminders)
registry.register(
    CONSULTATION_CANCELLED,
    lambda payload: (
        _("You cancelled your career consultation on %(when)s. You can choose another time at %(url)s.", when=payload["when"], url=str(payload.get("slots_url", "")))
        if payload.get("by") == BY_READER
        else _("Your career consultation has been cancelled by the library. You can choose another time at %(url)s.", url=str(payload.get("slots_url", "")))
    ),
    cancelling=True,
)
registry.register(
    COUNSELLOR_REMINDER,
    lambda p: _("A reminder: your career consultation with the reader %(reader)s is on %(when)s.", reader=p.get("reader", ""), when=p["when"]),
    reminder=True,
)
registry.register(
    CONSULTATION_REMINDER,
    lambda p: _("A reminder: your career consultation with %(title)s is on %(when)s.", title=p["title"], when=p["when"]),
    reminder=True,
)
registry.register(
    CONSULTATION_BOOKED,
    lambda p: _("Your career consultation with %(title)s is booked for %(when)s. If you cannot come, cancel it on the page of your consultations.", title=p["title"], when=p["when"]),
)
registry.register(COUNSELLOR_BOOKED, lambda p: _("A reader booked a career consultation with you on %(when)s.", when=p["when"]))
registry.register(
    COUNSELLOR_CANCELLED,
    lambda p: {
        BY_READER: _("The reader cancelled the career consultation with you on %(when)s.", when=p["when"]),
        BY_LIBRARY: _("Library staff cancelled the career consultation with you on %(when)s.", when=p["when"]),
    }.get(str(p.get("by")), _("The career consultation with you on %(when)s is cancelled.", when=p["when"])),
    cancelling=True,
)
registry.register(NEXT_STEPS, lambda p: _("Your counsellor wrote down your next steps after the consultation on %(when)s. Read them on the page of your consultations.", when=p["when"]))
