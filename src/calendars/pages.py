"""Staff pages of the calendars domain: import closures from an .ics file or address."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from src import bounds
from src.accounts.permissions import can_import_closures
from src.branches import service as branches_service
from src.branches.constants import CLOSURE_KINDS
from src.calendars import imports
from src.calendars import service as calendars_service
from src.calendars.schemas import private_feed_out
from src.exceptions import AppError, FieldError, Forbidden
from src.i18n import _
from src.web.guards import requires_login, requires_staff
from src.web.templating import Confirmation, confirm_page, flash, page


async def _managed_branch(request: Request, slug: str):
    branch = await branches_service.get_branch(slug)
    if not can_import_closures(request.user, branch.id):
        raise Forbidden(_("You do not manage this branch"))
    return branch


class CalendarStaffPages(Controller):
    path = "/staff/branches"
    include_in_schema = False
    guards = [requires_staff]

    @get("/{slug:str}/closures/import")
    async def import_form(self, request: Request, slug: FromPath[bounds.Line]) -> Template:
        branch = await _managed_branch(request, slug)
        return page(request, "calendars/import_closures.html", branch=branch, kinds=CLOSURE_KINDS, values={}, errors=[], report=None)

    @post("/{slug:str}/closures/import")
    async def import_closures(self, request: Request, slug: FromPath[bounds.Line]) -> Template:
        branch = await _managed_branch(request, slug)
        form = await request.form()
        url = str(form.get("url") or "").strip()
        kind = str(form.get("kind") or "") or None
        upload = form.get("file")
        report = None
        errors: list[FieldError] = []
        status = 200
        try:
            if isinstance(upload, UploadFile) and upload.filename:
                data = await upload.read()
            elif url:
                data = await imports.fetch(url)
            else:
                raise AppError(detail=_("Choose a file or give an address"), errors=[FieldError("file", _("Choose a file or give an address"))], status_code=422)
            report = await imports.import_closures(branch.slug, data, kind)
        except AppError as error:
            errors = error.errors or [FieldError("file", error.detail)]
            status = error.status_code
        response = page(
            request,
            "calendars/import_closures.html",
            status_code=status,
            branch=branch,
            kinds=CLOSURE_KINDS,
            values={"url": url, "kind": kind or ""},
            errors=errors,
            report=report,
        )
        if status == 429:
            response.headers["Retry-After"] = "30"
        return response


class MyFeedPages(Controller):
    """The private calendar addresses of the logged-in person, and a button that replaces them."""

    path = "/me/feeds"
    include_in_schema = False
    guards = [requires_login]

    @get("/")
    async def show(self, request: Request) -> Template:
        feeds = [private_feed_out(row) for row in await calendars_service.my_tokens(request.user)]
        return page(request, "calendars/my_feeds.html", feeds=feeds)

    @get("/regenerate")
    async def regenerate_confirm(self, request: Request) -> Template:
        """The confirmation step: the old addresses stop working at once."""
        return confirm_page(request, Confirmation(
            title=_("Replace your calendar addresses?"),
            subject=_("Your private calendar addresses"),
            what_happens=[_("The old addresses stop working at once: calendars subscribed to them stop updating."),
                          _("Subscribe again with the new address in every calendar app you use.")],
            confirm_label=_("Replace the addresses"),
            back="/me/feeds",
            back_label=_("No, keep them"),
        ))

    @post("/regenerate")
    async def regenerate(self, request: Request) -> Redirect:
        await calendars_service.regenerate(request.user)
        flash(request, _("New addresses are ready. The old ones no longer work: subscribe again with the new one."))
        return Redirect(path="/me/feeds", status_code=303)


class MyBookingCalendar(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/me/bookings/{booking_id:int}/calendar.ics")
    async def booking(self, request: Request, booking_id: FromPath[bounds.Id]) -> Response:
        """One booking as an .ics to save, for its holder or staff of its branch."""
        body = await calendars_service.booking_calendar(request.user, booking_id)
        return Response(content=body, media_type="text/calendar", headers={"Content-Disposition": f'attachment; filename="booking-{booking_id}.ics"'})


class VisitCalendar(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/schools/visits/{visit_id:int}/calendar.ics")
    async def visit(self, request: Request, visit_id: FromPath[bounds.Id]) -> Response:
        """One school visit as an .ics to save: the school's teachers and the branch's staff; 404 otherwise."""
        body = await calendars_service.visit_calendar(request.user, visit_id)
        return Response(content=body, media_type="text/calendar", headers={"Content-Disposition": f'attachment; filename="visit-{visit_id}.ics"'})


class ConsultationCalendar(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/guidance/consultations/{consultation_id:int}/calendar.ics")
    async def consultation(self, request: Request, consultation_id: FromPath[bounds.Id]) -> Response:
        """One consultation as an .ics to save: its reader, its counsellor, admins; 404 otherwise."""
        body = await calendars_service.consultation_calendar(request.user, consultation_id)
        return Response(content=body, media_type="text/calendar", headers={"Content-Disposition": f'attachment; filename="consultation-{consultation_id}.ics"'})
