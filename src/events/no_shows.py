"""The "no-shows" job: after an event where staff took attendance (someone was checked in), each confirmed seat
nobody came for is marked (``Registration.no_show_at``, audited) and its reader is told, kindly, with what it
means for them: at ``LIBSPACE_NO_SHOW_LIMIT`` no-shows in 90 days each new sign-up must be confirmed.

Runs through the worker's scheduler (``src/registrations.py``), idempotently: a sign-up is marked once, and
its message is keyed by the sign-up. Only events that ended in the last two days are looked at, so a first run
does not write to people about events long past.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from piccolo.engine import engine_finder

from src import audit
from src.branches import service as branches_service
from src.config import get_settings
from src.db import write_transaction
from src.events import rules
from src.events.constants import CONFIRMED, SCHEDULED
from src.events.tables import Registration
from src.i18n import _, fmt_day_time
from src.labels import N_
from src.notifications import registry
from src.notifications import service as notifications
from src.timeutil import aware

NO_SHOW = "registration_no_show"
SUBJECT = N_("We missed you: %(title)s")
LOOK_BACK = timedelta(days=2)


def lead(p: dict) -> str:
    try:
        when = fmt_day_time(datetime.fromisoformat(str(p["starts_at"])), ZoneInfo(str(p["timezone"])))
    except (KeyError, ValueError):
        when = ""
    text = _(
        "We missed you at «%(title)s» on %(when)s: a seat was kept for you, and nobody came with your ticket. If you cannot come "
        "another time, please cancel your sign-up beforehand, so that someone on the waiting list gets the seat.",
        title=p.get("title", ""), when=when,
    )
    if int(p.get("limit") or 0) and int(p.get("count") or 0) >= int(p["limit"]):
        text += " " + _("Events missed in the last 90 days: %(count)s. Until there are fewer, please confirm each new sign-up the day before the event.", count=p["count"])
    return text


registry.register(NO_SHOW, lead, subject=SUBJECT)


async def mark(now: datetime) -> dict[str, int]:
    from src.events.service import no_show_counts  # the service imports this domain's messages; read at run time

    rows = await Registration.select(
        Registration.id, Registration.reader, Registration.event.id, Registration.event.title, Registration.event.branch,
        Registration.event.starts_at, Registration.event.ends_at, Registration.checked_in_at, Registration.status, Registration.event.attendance_taken,
    ).where(
        (Registration.status == CONFIRMED) & Registration.checked_in_at.is_null() & Registration.no_show_at.is_null()
        & (Registration.event.attendance_taken == True)  # noqa: E712
        & (Registration.event.status == SCHEDULED) & (Registration.event.ends_at <= now) & (Registration.event.ends_at > now - LOOK_BACK)
    ).order_by(Registration.id)
    rows = [row for row in rows if rules.is_no_show(row["status"], row["checked_in_at"], aware(row["event.ends_at"]), row["event.attendance_taken"], now)]
    marked = 0
    limit = get_settings().no_show_limit
    async with write_transaction(engine_finder()):
        done = {
            row["id"] for row in await Registration.update({Registration.no_show_at: now}).where(
                Registration.id.is_in([row["id"] for row in rows] or [0]) & Registration.no_show_at.is_null()
            ).returning(Registration.id)
        }
        for branch_id in sorted({row["event.branch"] for row in rows if row["id"] in done}):
            await audit.record_many(None, "no_show", "registration", {row["id"]: {"no_show_at": (None, now)} for row in rows if row["id"] in done and row["event.branch"] == branch_id}, branch_id=branch_id)
        counts = await no_show_counts(sorted({row["reader"] for row in rows if row["id"] in done}), now)
        for row in rows:
            if row["id"] not in done:
                continue
            branch = await branches_service.branch_by_id(row["event.branch"])
            marked += await notifications.enqueue(
                NO_SHOW, [row["reader"]], SUBJECT,
                {"missed_event": row["event.id"], "registration_id": row["id"], "title": row["event.title"], "starts_at": aware(row["event.starts_at"]).isoformat(),
                 "timezone": branch.timezone, "count": counts.get(row["reader"], 0), "limit": limit, "path": f"/events/{row['event.id']}"},
                cause=str(row["id"]), subject_vars={"title": row["event.title"]},
            )
    return {"marked": len(done), "told": marked}
