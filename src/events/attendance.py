"""Drop-in attendance: the head count staff enter after an event without sign-up (an exhibition, an open lecture).

Events with sign-up count their visitors from check-ins and walk-in sign-ups; an event without sign-up leaves no
trace unless somebody counts the people who came. The count (total, and of them children up to 14 and youth 15
to 30 when known) can be entered once the event has started and corrected later; each entry is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from src import audit
from src.accounts import permissions
from src.accounts.permissions import Principal
from src.events.constants import CANCELLED
from src.events.service import _locked_event as locked_event  # this domain's own helpers
from src.events.service import _tx as transaction
from src.events.tables import EventAttendance
from src.exceptions import Conflict, FieldError, Forbidden, Invalid
from src.i18n import _
from src.timeutil import aware, now_utc

MAX_HEADCOUNT = 100_000


@dataclass(frozen=True, slots=True)
class Attendance:
    event_id: int
    total: int
    children: int
    youth: int
    entered_at: datetime


def count_problems(total: int, children: int, youth: int) -> list[FieldError]:
    """What is wrong with a head count (pure): negative or huge numbers, or more children and youth than people."""
    errors = [
        FieldError(name, _("Enter a whole number from 0 to %(n)s", n=MAX_HEADCOUNT))
        for name, value in (("total", total), ("children", children), ("youth", youth))
        if not 0 <= value <= MAX_HEADCOUNT
    ]
    if not errors and children + youth > total:
        errors.append(FieldError("total", _("Children and youth together cannot be more than the total")))
    return errors


async def get(event_id: int) -> Attendance | None:
    row = await EventAttendance.select().where(EventAttendance.event == event_id).first()
    if row is None:
        return None
    return Attendance(event_id=event_id, total=row["total"], children=row["children"], youth=row["youth"], entered_at=aware(row["entered_at"]))


async def record(principal: Principal, event_id: int, total: int, children: int = 0, youth: int = 0) -> Attendance:
    """Enter or correct the head count of an event without sign-up (staff of its branch, once it has started)."""
    errors = count_problems(total, children, youth)
    if errors:
        raise Invalid(detail=errors[0].message, errors=errors)
    now = now_utc()
    async with transaction():
        event = await locked_event(event_id)
        if not permissions.can_record_attendance(principal, event["branch"]):
            raise Forbidden(_("This is for staff of the event's branch"))
        if event["status"] == CANCELLED:
            raise Conflict(_("This event is cancelled"))
        if event["capacity"] is not None:
            raise Invalid.one("event", _("This event has sign-up: its visitors are counted by check-in"))
        if now < event["starts_at"]:
            raise Invalid.one("event", _("The head count can be entered once the event has started"))
        before = await EventAttendance.select().where(EventAttendance.event == event_id).first()
        values = {"total": total, "children": children, "youth": youth}
        if before is None:
            row = EventAttendance(event=event_id, entered_by=principal.id, entered_at=now, **values)
            await row.save()
            await audit.record(principal, "create", "event_attendance", row.id, branch_id=event["branch"], changes=audit.diff(None, {"event": event_id, **values}))
        else:
            await EventAttendance.update({**{getattr(EventAttendance, k): v for k, v in values.items()}, EventAttendance.entered_by: principal.id, EventAttendance.entered_at: now}).where(
                EventAttendance.id == before["id"]
            )
            await audit.record(principal, "update", "event_attendance", before["id"], branch_id=event["branch"], changes=audit.diff(before, values, fields=list(values)))
    return Attendance(event_id=event_id, entered_at=now, **values)
