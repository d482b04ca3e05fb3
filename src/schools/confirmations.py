"""The school visits' destructive actions in two steps: decline a request or a proposed time,
cancel a visit, reject a teacher's registration.

The confirmation step is the GET of the action's URL; its form posts to the same URL, handled here too.
"""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from src import bounds
from src.accounts.permissions import visit_side
from src.exceptions import AppError, FieldError, NotFound
from src.i18n import _, fmt_day_time
from src.schools import service as visits
from src.schools import teachers as teachers_service
from src.schools.constants import CONFIRMED, PROPOSED, TEACHER_PENDING
from src.schools.rules import actions_for
from src.web.forms import Form, NextQuery, back_with_errors, safe_next
from src.web.guards import requires_login, requires_staff
from src.web.templating import Confirmation, confirm_page, flash



def _subject(visit: visits.VisitView) -> str:
    when = f", {fmt_day_time(visit.starts_at, ZoneInfo(visit.timezone))}" if visit.starts_at else ""
    return f"«{visit.programme_title}», {visit.school_name}, {visit.class_name}{when}, {visit.branch_name}"


class VisitConfirmations(Controller):
    include_in_schema = False

    @get("/schools/visits/{visit_id:int}/decline", guards=[requires_login])
    async def decline(self, request: Request, visit_id: FromPath[bounds.Id], next_: NextQuery = "") -> Template:
        visit = await visits.get_visit(request.user, visit_id)
        side = visit_side(request.user, visit.school_id, visit.branch_id)
        if side is None or "decline" not in actions_for(visit.status) or (side == visits.SCHOOL and visit.status != PROPOSED):
            raise NotFound(_("This visit cannot be declined now"))
        back = safe_next(next_ or None, f"/schools/visits/{visit.id}")
        if side == visits.LIBRARY:
            return confirm_page(request, Confirmation(
                title=_("Decline the visit request?"),
                subject=_subject(visit),
                what_happens=[_("The school receives a message with your reason."), _("A zone held for the proposed time becomes free.")],
                confirm_label=_("Decline the request"),
                back=back,
                reason_label=_("Reason (the school reads it)"),
                reason_required=True,
                fields={"next": back},
            ))
        return confirm_page(request, Confirmation(
            title=_("Decline the proposed time?"),
            subject=_subject(visit),
            what_happens=[_("The library is told; the zone it held for this time becomes free."), _("You can request another time afterwards.")],
            confirm_label=_("Decline this time"),
            back=back,
            reason_label=_("Reason (optional; the library reads it)"),
            fields={"next": back},
        ))

    @get("/schools/visits/{visit_id:int}/cancel", guards=[requires_login])
    async def cancel(self, request: Request, visit_id: FromPath[bounds.Id]) -> Template:
        visit = await visits.get_visit(request.user, visit_id)
        side = visit_side(request.user, visit.school_id, visit.branch_id)
        if side is None or "cancel" not in actions_for(visit.status) or visit.is_past or (side == visits.LIBRARY and visit.status != CONFIRMED):
            raise NotFound(_("This visit cannot be cancelled now"))
        library = side == visits.LIBRARY
        return confirm_page(request, Confirmation(
            title=_("Cancel the visit?"),
            subject=_subject(visit),
            what_happens=[
                _("The school receives a message with your reason.") if library else _("The library is told."),
                _("The zone booked for the visit becomes free."),
            ],
            confirm_label=_("Cancel the visit"),
            back=f"/schools/visits/{visit.id}",
            back_label=_("No, keep it"),
            reason_label=_("Reason (the school reads it)") if library else _("Reason (optional; the library reads it)"),
            reason_required=library,
        ))

    @get("/staff/teachers/{account_id:int}/reject", guards=[requires_staff])
    async def reject_teacher(self, request: Request, account_id: FromPath[bounds.Id]) -> Template:
        pending = await teachers_service.list_teachers(request.user, TEACHER_PENDING)
        teacher = next((t for t in pending if t.account_id == account_id), None)
        if teacher is None:
            raise NotFound(_("This registration is not waiting for a decision"))
        return confirm_page(request, Confirmation(
            title=_("Reject the teacher's registration?"),
            subject=f"{teacher.full_name}, {teacher.school.name}" + (f", {teacher.email}" if teacher.email else ""),
            what_happens=[_("They cannot request visits for this school."), _("They are told that the registration was rejected.")],
            confirm_label=_("Reject"),
            back="/staff/schools",
        ))

    @post("/schools/visits/{visit_id:int}/decline", guards=[requires_login])
    async def do_decline(self, request: Request, visit_id: FromPath[bounds.Id]) -> Redirect:
        """Staff decline a request (with the reason the school receives), or the school declines a proposed time."""
        return await _act(request, visit_id, "decline", visits.decline, _("The visit has been declined."))

    @post("/schools/visits/{visit_id:int}/cancel", guards=[requires_login])
    async def do_cancel(self, request: Request, visit_id: FromPath[bounds.Id]) -> Redirect:
        """The school cancels its visit, or staff cancel it with the reason the school receives."""
        return await _act(request, visit_id, "cancel", visits.cancel, _("The visit has been cancelled."))

    @post("/staff/teachers/{account_id:int}/reject", guards=[requires_staff])
    async def do_reject_teacher(self, request: Request, account_id: FromPath[bounds.Id]) -> Redirect:
        await teachers_service.decide_teacher(request.user, account_id, False)
        flash(request, _("The registration has been rejected."))
        return Redirect(path="/staff/schools", status_code=303)


async def _act(request: Request, visit_id: int, action: str, change, done: str) -> Redirect:
    form = await Form.read(request)
    try:
        await change(request.user, visit_id, form.text("reason", 500))
    except AppError as error:
        if error.status_code in (401, 403, 404):
            raise
        query = ("?" + urlencode({"next": form.data["next"]})) if form.data.get("next") else ""
        return back_with_errors(request, error.errors or [FieldError("reason", error.detail)], form.data, to=f"/schools/visits/{visit_id}/{action}{query}")
    flash(request, done)
    return Redirect(path=safe_next(form.data.get("next"), f"/schools/visits/{visit_id}"), status_code=303)
