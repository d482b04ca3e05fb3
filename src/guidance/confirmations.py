"""Guidance's destructive actions in two steps: cancel a consultation (the reader, or the
counsellor or staff with a reason the reader receives), remove an availability window or exception.

The confirmation step is the GET of the action's URL; its form posts to the same URL, handled here too.
"""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from src import bounds
from src.config import get_settings
from src.exceptions import AppError, FieldError, Forbidden, NotFound
from src.guidance import availability as guidance_availability
from src.guidance import consultations as guidance_consultations
from src.guidance.controllers import branches_by_id
from src.i18n import _, fmt_day, fmt_day_time, fmt_time, weekday_name
from src.web.forms import Form, back_with_errors
from src.web.guards import requires_counsellor, requires_login
from src.web.templating import Confirmation, confirm_page, flash

OptionalInt = Annotated[int | None, QueryParameter(required=False, ge=1, le=2**31 - 1)]


def _counsellor_id(request: Request, counsellor: int | None) -> int:
    if request.user.is_admin and counsellor:
        return counsellor
    if not request.user.is_counsellor:
        raise Forbidden(_("Choose a counsellor"))
    return request.user.id


class GuidanceConfirmations(Controller):
    include_in_schema = False

    @get("/guidance/consultations/{consultation_id:int}/cancel", guards=[requires_login])
    async def cancel_consultation(self, request: Request, consultation_id: FromPath[bounds.Id]) -> Template:
        view = await guidance_consultations.get_consultation(request.user, consultation_id)
        if not view.is_active or view.is_past:
            raise NotFound(_("This consultation cannot be cancelled any more"))
        branch = (await branches_by_id()).get(view.branch_id)
        tz = ZoneInfo(branch.timezone) if branch else None
        own = request.user.id == view.reader_id
        when = f"{fmt_day_time(view.starts_at, tz)}, {branch.short_name if branch else ''}"
        if own:
            subject = _("Consultation with %(name)s, %(when)s", name=view.counsellor_name, when=when)
            happens = [_("The time becomes free for others; the counsellor is told."), _("You can book another time whenever you like.")]
            back = "/guidance/consultations"
        else:
            subject = _("Consultation with %(name)s, %(when)s", name=view.reader_name, when=when)
            happens = [_("%(name)s receives a message with your reason and a link to choose another time.", name=view.reader_name),
                       _("The time and the consultation room become free.")]
            back = f"/guidance/counsellor/consultations/{view.id}"
        return confirm_page(request, Confirmation(
            title=_("Cancel the consultation?"),
            subject=subject,
            what_happens=happens,
            confirm_label=_("Yes, cancel the consultation"),
            back=back,
            back_label=_("No, keep it"),
            reason_label="" if own else _("Reason (the reader reads it)"),
            reason_required=not own,
        ))

    @get("/guidance/counsellor/availability/{window_id:int}/delete", guards=[requires_counsellor])
    async def delete_window(self, request: Request, window_id: FromPath[bounds.Id], counsellor: OptionalInt = None) -> Template:
        weekly, _exceptions = await guidance_availability.availability_of(_counsellor_id(request, counsellor))
        window = next((w for w in weekly if w.id == window_id), None)
        if window is None:
            raise NotFound(_("No such availability window"))
        branch = (await branches_by_id()).get(window.branch_id)
        return confirm_page(request, Confirmation(
            title=_("Remove the weekly window?"),
            subject=f"{weekday_name(window.weekday)}, {fmt_time(window.starts)}–{fmt_time(window.ends)}, {branch.short_name if branch else ''}",
            what_happens=[_("Readers can no longer book the free slots of this window."), _("Consultations already booked stay as they are.")],
            confirm_label=_("Remove"),
            back="/guidance/counsellor/availability",
            back_label=_("No, keep it"),
        ))

    @get("/guidance/counsellor/exceptions/{exception_id:int}/delete", guards=[requires_counsellor])
    async def delete_exception(self, request: Request, exception_id: FromPath[bounds.Id], counsellor: OptionalInt = None) -> Template:
        _weekly, exceptions = await guidance_availability.availability_of(_counsellor_id(request, counsellor))
        found = next((x for x in exceptions if x.id == exception_id), None)
        if found is None:
            raise NotFound(_("No such exception"))
        times = f", {fmt_time(found.starts)}–{fmt_time(found.ends)}" if found.starts and found.ends else ""
        return confirm_page(request, Confirmation(
            title=_("Remove the exception?"),
            subject=fmt_day(found.on) + times + (f" ({found.note})" if found.note else ""),
            what_happens=[_("Your usual weekly hours apply on that day again.") if found.kind == "off" else _("The extra slots of that day disappear; consultations already booked stay.")],
            confirm_label=_("Remove"),
            back="/guidance/counsellor/availability",
            back_label=_("No, keep it"),
        ))

    @post("/guidance/consultations/{consultation_id:int}/cancel", guards=[requires_login])
    async def do_cancel_consultation(self, request: Request, consultation_id: FromPath[bounds.Id]) -> Redirect:
        """The confirmation step posts here; the counsellor or staff give a reason."""
        form = await Form.read(request)
        try:
            view = await guidance_consultations.cancel(request.user, consultation_id, reason=form.text("reason", 300))
        except AppError as error:
            if error.status_code not in (409, 422):
                raise
            return back_with_errors(request, error.errors or [FieldError("reason", error.detail)], form.data, to=f"/guidance/consultations/{consultation_id}/cancel")
        flash(request, _("The consultation is cancelled."))
        if request.user.id == view.reader_id:
            return Redirect(path="/guidance/consultations", status_code=303)
        return Redirect(path=f"/guidance/counsellor?date={view.starts_at.astimezone(get_settings().tz).date().isoformat()}", status_code=303)

    @post("/guidance/counsellor/availability/{window_id:int}/delete", guards=[requires_counsellor])
    async def do_delete_window(self, request: Request, window_id: FromPath[bounds.Id]) -> Redirect:
        await guidance_availability.delete_window(request.user, window_id)
        flash(request, _("The window is removed."))
        return Redirect(path="/guidance/counsellor/availability", status_code=303)

    @post("/guidance/counsellor/exceptions/{exception_id:int}/delete", guards=[requires_counsellor])
    async def do_delete_exception(self, request: Request, exception_id: FromPath[bounds.Id]) -> Redirect:
        await guidance_availability.delete_exception(request.user, exception_id)
        flash(request, _("The exception is removed."))
        return Redirect(path="/guidance/counsellor/availability", status_code=303)
