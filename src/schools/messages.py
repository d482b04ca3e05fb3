"""What the school visits' messages say, always with the programme, the date and local time in words, the
branch, its address and the zone (the place line and the attached .ics come from the visit itself).

The kind names what happened (``visit.confirmed``), never the web action that did it (``confirm``): the subject
and the text are chosen by kind, so no action name can leak into a message."""

from __future__ import annotations

import dataclasses

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from src.calendars.ical import instant
from src.i18n import _, fmt_day_time
from src.labels import N_
from src.notifications import registry
from src.notifications.registry import About
from src.rooms import service as rooms_service
from src.schools import ical as school_ical

REQUESTED = "visit.requested"
RECEIVED = "visit.received"  # the teacher's receipt of their own request
CONFIRMED = "visit.confirmed"
PROPOSED = "visit.proposed"
ACCEPTED = "visit.accepted"
DECLINED = "visit.declined"
CANCELLED = "visit.cancelled"
KIND_OF_ACTION = {"requested": REQUESTED, "received": RECEIVED, "confirm": CONFIRMED, "propose": PROPOSED, "accept": ACCEPTED, "decline": DECLINED, "cancel": CANCELLED}

SUBJECTS = {
    REQUESTED: N_("New school visit request: %(school)s, %(class_name)s, %(programme)s"),
    RECEIVED: N_("Your school visit request is received: %(programme)s"),
    CONFIRMED: N_("School visit confirmed: %(programme)s"),
    PROPOSED: N_("The library proposes another time for %(programme)s"),
    ACCEPTED: N_("The school accepted the proposed time: %(programme)s"),
    DECLINED: N_("School visit declined: %(programme)s"),
    CANCELLED: N_("School visit cancelled: %(programme)s"),
}

TEACHER_REGISTERED = "teacher.registered"
TEACHER_APPROVED = "teacher.approved"
TEACHER_REJECTED = "teacher.rejected"
TEACHER_INVITED = "teacher.invited"
SUBJECTS.update({
    TEACHER_REGISTERED: N_("Your registration as a teacher of %(school)s is waiting for the library's approval"),
    TEACHER_APPROVED: N_("Your teacher account has been approved"),
    TEACHER_REJECTED: N_("Your teacher registration was not approved"),
    TEACHER_INVITED: N_("Invitation to coordinate school visits for %(school)s"),
})


def _when(payload: dict[str, Any]) -> str:
    if payload.get("when"):
        return str(payload["when"])
    try:
        return fmt_day_time(datetime.fromisoformat(str(payload["starts_at"])), ZoneInfo(str(payload["timezone"])))
    except (KeyError, ValueError, TypeError):
        return ""


def _lead(headline: str, p: dict[str, Any]) -> str:
    when = _when(p)
    lines = [headline]
    lines.append(_("Programme: %(programme)s", programme=p.get("programme", "")))
    lines.append(_("Class: %(school)s, %(class_name)s", school=p.get("school_name", ""), class_name=p.get("class_name", "")))
    lines.append(_("When: %(when)s", when=when) if when else _("When: the library has not set a time yet"))
    if p.get("zone"):
        lines.append(_("Zone: %(zone)s", zone=p["zone"]))
    return "\n".join(lines)


async def visit_about(visit_id: int, cancelled: bool) -> About:
    from src.schools.tables import VisitRequest

    rows = await school_ical.visit_rows(VisitRequest.id == visit_id, date(1970, 1, 1))
    if not rows:
        return About(item=None)
    branch = await rooms_service.branch_by_id(rows[0]["branch"])
    item = school_ical.visit_item(rows[0], branch, for_staff=False)
    when = fmt_day_time(instant(rows[0]["starts_at"]), ZoneInfo(branch.timezone))
    return About(item=item, when=when, where=item.location, title=rows[0]["programme.title"])


registry.about("visit_id", visit_about)
registry.register(REQUESTED, lambda p: _lead(_("%(school)s asks for a visit to «%(programme)s».", school=p.get("school_name", ""), programme=p.get("programme", "")), p))
registry.register(
    RECEIVED,
    lambda p: _lead(_("The library received your request for a visit to «%(programme)s». Library staff will confirm it or propose another time; we will write to you.", programme=p.get("programme", "")), p),
)
registry.register(CONFIRMED, lambda p: _lead(_("The library confirmed the visit to «%(programme)s».", programme=p.get("programme", "")), p))
registry.register(PROPOSED, lambda p: _lead(_("The library proposes another time for the visit to «%(programme)s». Accept it or decline on the visit's page.", programme=p.get("programme", "")), p))
registry.register(ACCEPTED, lambda p: _lead(_("The school accepted the proposed time for «%(programme)s».", programme=p.get("programme", "")), p))
registry.register(DECLINED, lambda p: _lead(_("The visit to «%(programme)s» is declined.", programme=p.get("programme", "")), p), cancelling=True)
registry.register(CANCELLED, lambda p: _lead(_("The visit to «%(programme)s» is cancelled.", programme=p.get("programme", "")), p), cancelling=True)
registry.register(TEACHER_REGISTERED, lambda p: _("Your registration as a teacher of %(school)s is received. Library staff will check it; we will write to you.", school=p.get("school_name", "")))
registry.register(TEACHER_APPROVED, lambda p: _("Your teacher account is approved: you can now ask for school visits online."))
registry.register(TEACHER_REJECTED, lambda p: _("Your registration as a teacher was not approved. Ask the library if you think this is a mistake."))
registry.register(TEACHER_INVITED, lambda p: _("%(name)s invites you to coordinate school visits to the library for %(school)s. Open the link below to join.", name=p.get("invited_by", ""), school=p.get("school_name", "")))
for _kind in (TEACHER_REGISTERED, TEACHER_APPROVED):  # the teacher's page of their school's visits
    registry.KINDS[_kind] = dataclasses.replace(registry.KINDS[_kind], link=registry.page_link("/schools"))

