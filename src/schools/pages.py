"""Pages for school visits: the programme catalogue, the request form, the school's dashboard, one visit;
for staff the request queue with suggested zones and times, and the schools and teachers page; teacher sign-up
and invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from src import bounds
from src.accounts import service as accounts_service
from src.accounts.permissions import can_request_visits, managed_branch_ids, visit_side
from src.config import get_settings
from src.exceptions import AppError, FieldError, Invalid, NotFound
from src.i18n import _
from src.rooms import service as rooms_service
from src.rooms.service import BranchZones
from src.schools import programmes as programmes_service
from src.schools import service as visits
from src.schools import teachers as teachers_service
from src.schools.constants import ACTIVE_STATUSES, CONFIRMED, GRADE_MAX, GRADE_MIN, MAX_WINDOWS, OPEN_STATUSES, PROPOSED, TEACHER_PENDING, TOPICS, VISIT_STATUSES
from src.schools.rules import Window, actions_for, parse_class_name
from src.web.auth import start_session
from src.web.forms import Form, back_with_errors, safe_next
from src.web.guards import requires_login, requires_staff
from src.web.templating import errors_by_field, flash, page

QUEUE_PAGE = 20


def _windows(form: Form, branch: BranchZones | None) -> list[Window]:
    """Up to three windows from ``w{i}_date``, ``w{i}_from``, ``w{i}_to`` in the branch's local time; the
    first is required, the others only when their date is given."""
    tz = branch.tz if branch else get_settings().tz
    result = []
    for index in range(MAX_WINDOWS):
        if index and not form.data.get(f"w{index}_date", "").strip():
            continue
        on = form.date(f"w{index}_date", window=bounds.SCHEDULE)
        start, end = form.time(f"w{index}_from"), form.time(f"w{index}_to")
        if on and start and end:
            result.append(Window(datetime.combine(on, start, tzinfo=tz), datetime.combine(on, end, tzinfo=tz)))
    return result


def _form_field(field: str) -> str:
    """Service fields to form fields: ``windows[1].ends_at`` -> ``w1_to``."""
    if field.startswith("windows["):
        index = field[len("windows[") : field.index("]")]
        return f"w{index}_to" if field.endswith("ends_at") else f"w{index}_date"
    return {"windows": "w0_date", "grade": "class_name"}.get(field, field)  # the page asks the class once: its grade is read from it


def _instant(form: Form, tz: Any, name: str = "starts_at") -> datetime | None:
    """An ISO instant from a suggestion button, or a date (``{name}_date``) and a time (``{name}_time``)."""
    raw = form.data.get(name, "").strip()
    if raw:
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            form.errors.append(FieldError(name, _("Enter a date and a time")))
            return None
        value = value if value.tzinfo else value.replace(tzinfo=tz)
        return form.within(name, value, bounds.SCHEDULE)
    on = form.date(f"{name}_date", window=bounds.SCHEDULE)
    at = form.time(f"{name}_time")
    return datetime.combine(on, at, tzinfo=tz) if on and at else None


async def _catalogue_context(grade: int | None, branch: str | None, topic: str | None) -> dict[str, Any]:
    branches = await rooms_service.list_branches()
    by_id = {b.id: b for b in branches}
    found = await programmes_service.catalogue(grade, branch or None, topic or None)
    return {"programmes": found, "branches": branches, "branch_by_id": by_id, "topics": TOPICS, "grades": range(GRADE_MIN, GRADE_MAX + 1),
            "filters": {"grade": grade, "branch": branch or "", "topic": topic or ""}}


class SchoolPages(Controller):
    path = "/schools"
    include_in_schema = False

    @get("/")
    async def dashboard(self, request: Request) -> Template | Redirect:
        """The school's visits for its teachers; everybody else gets the catalogue."""
        user = request.user
        if user is None or not user.is_teacher:
            return Redirect(path="/schools/programmes", status_code=303)
        teacher = await teachers_service.teacher_of(user.id)
        if not can_request_visits(user):
            return page(request, "schools/pending.html", teacher=teacher)
        items, _total = await visits.list_visits(user, visits.VisitQuery(), limit=200, offset=0)
        open_ = [v for v in items if v.status in OPEN_STATUSES]
        upcoming = sorted((v for v in items if v.status == CONFIRMED and not v.is_past), key=lambda v: v.starts_at)
        closed = [v for v in items if v not in open_ and v not in upcoming]
        from src.calendars.links import private_webcal

        return page(request, "schools/dashboard.html", teacher=teacher, open_visits=open_, upcoming=upcoming, closed=closed,
                    my_feed_webcal=await private_webcal(user) if upcoming else "")

    @get("/programmes")
    async def programmes(
        self,
        request: Request,
        grade: Annotated[int | None, QueryParameter(ge=GRADE_MIN, le=GRADE_MAX, required=False)] = None,
        branch: FromQuery[bounds.Line] = "",
        topic: FromQuery[bounds.Line] = "",
    ) -> Template:
        return page(request, "schools/programmes.html", **await _catalogue_context(grade, branch, topic))

    @get("/visits/new", guards=[requires_login])
    async def request_form(self, request: Request, programme: FromQuery[bounds.Id], branch: FromQuery[bounds.Line] = "") -> Template:
        found = await programmes_service.get_programme(programme)
        branches = [b for b in await rooms_service.list_branches() if b.id in found.branch_ids]
        hours = found.hours
        starts = min((h.starts for h in hours), default=None)
        ends = max((h.ends for h in hours), default=None)
        window = {"w0_from": starts.strftime("%H:%M"), "w0_to": ends.strftime("%H:%M")} if starts and ends else {}  # inside the programme's hours
        return page(
            request, "schools/request.html", programme=found, branches=branches, values={"branch": branch, "adults": "2", **window}, errors={}, error_list=[],
            can_request=can_request_visits(request.user), windows=range(MAX_WINDOWS),
        )

    @post("/visits", guards=[requires_login])
    async def request_visit(self, request: Request) -> Redirect:
        form = await Form.read(request)
        programme = await programmes_service.get_programme(form.int("programme_id") or 0)
        branch = None
        try:
            branch = await rooms_service.get_branch(form.str("branch", 64))
        except AppError:
            form.errors.append(FieldError("branch", _("Choose a branch")))
        data = visits.VisitInput(
            programme_id=programme.id,
            branch=branch.slug if branch else "",
            windows=_windows(form, branch),
            class_name=form.str("class_name", 16),
            grade=_grade_of(form),
            group_size=form.int("group_size", minimum=0, maximum=99) or 0,
            adults=form.int("adults", minimum=0, maximum=99) or 0,
            needs=form.text("needs", 1000),
            note=form.text("note", 2000),
        )
        errors = list(form.errors)
        if not errors:
            try:
                visit = await visits.request_visit(request.user, data)
            except Invalid as error:
                errors = error.errors
            else:
                flash(request, _("Your request has been sent to the library. You will see its answer here."))
                return Redirect(path=f"/schools/visits/{visit.id}", status_code=303)
        errors = [FieldError(_form_field(e.field), e.message) for e in errors]
        return back_with_errors(request, errors, form.data, to=f"/schools/visits/new?programme={programme.id}")

    @get("/visits/{visit_id:int}", guards=[requires_login])
    async def visit(self, request: Request, visit_id: FromPath[bounds.Id]) -> Template:
        return await _visit_page(request, visit_id)

    @post("/visits/{visit_id:int}/{action:str}", guards=[requires_login])
    async def act(self, request: Request, visit_id: FromPath[bounds.Id], action: FromPath[bounds.Line]) -> Redirect:
        """The buttons of a visit's page: confirm, propose, accept (decline and cancel have their confirmation
        steps, ``confirmations.py``). Errors go back to the visit's page."""
        form = await Form.read(request)
        target = safe_next(form.data.get("next"), f"/schools/visits/{visit_id}")
        try:
            visit = await visits.get_visit(request.user, visit_id)
            user = request.user
            if action == "confirm":
                starts_at = _instant(form, visit.tz)
                zone_id = form.int("zone_id")
                _raise_form_errors(form)
                await visits.confirm(user, visit_id, zone_id or 0, starts_at)  # type: ignore[arg-type]
                message = _("The visit is confirmed and the zone is booked.")
            elif action == "propose":
                starts_at = _instant(form, visit.tz)
                zone_id = form.int("zone_id", required=False)
                _raise_form_errors(form)
                await visits.propose(user, visit_id, starts_at, zone_id, form.text("note", 500))  # type: ignore[arg-type]
                message = _("The new time has been proposed to the school.")
            elif action == "accept":
                await visits.accept(user, visit_id)
                message = _("You accepted the proposed time: the visit is confirmed.")
            else:
                raise NotFound(_("Page not found"))
        except AppError as error:
            if error.status_code in (401, 403, 404):
                raise
            return back_with_errors(request, error.errors or [FieldError("form", error.detail)], form.data, to=f"/schools/visits/{visit_id}")
        flash(request, message)
        return Redirect(path=target, status_code=303)

    # --- teachers sign up, or accept an invitation ---

    @get("/register")
    async def register_form(self, request: Request) -> Template:
        return page(request, "schools/register.html", schools=await teachers_service.list_schools(), values={}, errors={})

    @post("/register")
    async def register(self, request: Request) -> Redirect:
        form = await Form.read(request)
        errors = _password_repeat_errors(form)
        if not errors:
            try:
                account_id = await teachers_service.register_teacher(
                    teachers_service.TeacherInput(
                        full_name=form.str("full_name", 200),
                        email=form.str("email", 254),
                        password=form.data.get("password", ""),
                        school=form.str("school", 64),
                        phone=form.str("phone", 32) or None,
                        language=request.scope["state"].get("language", ""),
                    )
                )
            except AppError as error:
                errors = error.errors or [FieldError("email", error.detail)]
            else:
                await _log_in(request, account_id)
                return Redirect(path="/schools", status_code=303)
        return back_with_errors(request, errors, form.data, to="/schools/register")

    @get("/join/{token:str}")
    async def join_form(self, request: Request, token: FromPath[bounds.Line]) -> Template:
        invite = await teachers_service.invitation(token)
        return page(request, "schools/join.html", invite=invite, token=token, values={"full_name": invite.full_name}, errors={})

    @post("/join/{token:str}")
    async def join(self, request: Request, token: FromPath[bounds.Line]) -> Redirect:
        invite = await teachers_service.invitation(token)
        form = await Form.read(request)
        errors = _password_repeat_errors(form)
        if not errors:
            try:
                account_id = await teachers_service.accept_invitation(token, form.str("full_name", 200), form.data.get("password", ""), request.scope["state"].get("language", ""))
            except AppError as error:
                errors = error.errors or [FieldError("full_name", error.detail)]
            else:
                await _log_in(request, account_id)
                flash(request, _("Welcome! You can now request visits for your school."))
                return Redirect(path="/schools", status_code=303)
        return back_with_errors(request, errors, {"full_name": form.data.get("full_name", "")}, to=f"/schools/join/{quote(token, safe='')}")


def _grade_of(form: Form) -> int:
    """The grade: from the class ("8Б" is grade 8; the class is asked once), or a grade field where a form has one."""
    if form.data.get("grade", "").strip():
        return form.int("grade", minimum=GRADE_MIN, maximum=GRADE_MAX) or 0
    parsed = parse_class_name(form.data.get("class_name", ""))
    return parsed[0] if parsed else 0


def _password_repeat_errors(form: Form) -> list[FieldError]:
    if form.data.get("password", "") != form.data.get("password_repeat", ""):
        return [FieldError("password_repeat", _("The passwords do not match"))]
    return []


def _raise_form_errors(form: Form) -> None:
    if form.errors:
        raise Invalid(errors=form.errors)


async def _log_in(request: Request, account_id: int) -> None:
    principal = await accounts_service.load_principal(account_id)
    assert principal is not None
    await start_session(request, principal)


async def _visit_page(request: Request, visit_id: int, status_code: int = 200, **context: Any) -> Template:
    visit = await visits.get_visit(request.user, visit_id)
    branch = await rooms_service.branch_by_id(visit.branch_id)
    side = visit_side(request.user, visit.school_id, visit.branch_id)
    suggestions = await visits.suggest_for(visit) if side == visits.LIBRARY else []
    programme = await programmes_service.get_programme(visit.programme_id)
    zones = [zone for zone in branch.zones if zone.kind in programme.zone_kinds]
    errors = context.pop("action_errors", [])
    from src.calendars.links import private_webcal

    with_links = visit.status in (CONFIRMED, PROPOSED) and visit.starts_at is not None and not visit.is_past
    return page(
        request, "schools/visit.html", status_code=status_code, visit=visit, branch=branch, side=side, actions=actions_for(visit.status),
        my_feed_webcal=await private_webcal(request.user) if with_links else "", with_calendar_links=with_links,
        suggestions=suggestions, zones=zones, zone_names={z.id: z.name for z in branch.zones}, programme=programme,
        values=context.pop("values", {}), errors=errors_by_field(errors), error_list=errors, **context,
    )


class StaffSchoolPages(Controller):
    path = "/staff"
    include_in_schema = False
    guards = [requires_staff]

    @get("/visits")
    async def queue(self, request: Request, status: FromQuery[bounds.Line] = "open", branch: FromQuery[bounds.Line] = "", page_number: Annotated[int, QueryParameter(name="page", ge=1, le=bounds.INT32_MAX)] = 1) -> Template:
        """Open requests, oldest first, each with suggested free zones and times; or the confirmed, or all."""
        statuses = {"open": list(OPEN_STATUSES), "confirmed": [CONFIRMED], "active": list(ACTIVE_STATUSES), "all": []}.get(status)
        if statuses is None:
            statuses = [status] if status in VISIT_STATUSES else list(OPEN_STATUSES)
        query = visits.VisitQuery(statuses=statuses, branch=branch or None, oldest_first=True)
        items, total = await visits.list_visits(request.user, query, QUEUE_PAGE, (page_number - 1) * QUEUE_PAGE)
        suggestions = {visit.id: (await visits.suggest_for(visit, limit=4)) for visit in items}
        all_branches = await rooms_service.list_branches()
        mine = managed_branch_ids(request.user, {b.id for b in all_branches})
        branches = {b.id: b for b in all_branches}
        return page(
            request, "schools/queue.html", visits=items, total=total, suggestions=suggestions, branches=branches,
            zone_names={zone.id: zone.name for b in all_branches for zone in b.zones},
            my_branches=[b for b in all_branches if b.id in mine], status=status, branch=branch, page_number=page_number,
            pages=max(1, -(-total // QUEUE_PAGE)),
        )

    @get("/schools")
    async def schools(self, request: Request) -> Template:
        return await _schools_page(request)

    @post("/schools")
    async def add_school(self, request: Request) -> Redirect:
        form = await Form.read(request)
        data = teachers_service.SchoolInput(
            slug=form.str("slug", 64), name=form.str("name", 300), number=form.str("number", 20), address=form.str("address", 300),
            contact_name=form.str("contact_name", 200), contact_phone=form.str("contact_phone", 32), contact_email=form.str("contact_email", 254),
        )
        try:
            school = await teachers_service.create_school(request.user, data)
        except (Invalid, AppError) as error:
            if error.status_code not in (409, 422):
                raise
            return back_with_errors(request, error.errors or [FieldError("slug", error.detail)], form.data, to="/staff/schools", extra={"form_name": "school"})
        flash(request, _("School %(name)s added.", name=school.name))
        return Redirect(path="/staff/schools", status_code=303)

    @post("/schools/invite")
    async def invite(self, request: Request) -> Redirect:
        form = await Form.read(request)
        try:
            await teachers_service.invite_teacher(request.user, form.str("email", 254), form.str("school", 64), form.str("full_name", 200))
        except AppError as error:
            if error.status_code not in (409, 422):
                raise
            return back_with_errors(request, error.errors or [FieldError("email", error.detail)], form.data, to="/staff/schools", extra={"form_name": "invite"})
        flash(request, _("The invitation has been sent to %(email)s.", email=form.str("email", 254)))
        return Redirect(path="/staff/schools", status_code=303)

    @post("/teachers/{account_id:int}/approve")
    async def approve_teacher(self, request: Request, account_id: FromPath[bounds.Id]) -> Redirect:
        teacher = await teachers_service.decide_teacher(request.user, account_id, True)
        flash(request, _("%(name)s can now request visits for their school.", name=teacher.full_name))
        return Redirect(path="/staff/schools", status_code=303)


async def _schools_page(request: Request, status_code: int = 200, **context: Any) -> Template:
    school_errors = context.pop("school_errors", [])
    invite_errors = context.pop("invite_errors", [])
    return page(
        request, "schools/staff_schools.html", status_code=status_code, schools=await teachers_service.list_schools(),
        pending=await teachers_service.list_teachers(request.user, TEACHER_PENDING),
        school_values=context.pop("school_values", {}), school_errors=errors_by_field(school_errors),
        invite_values=context.pop("invite_values", {}), invite_errors=errors_by_field(invite_errors),
        error_list=school_errors + invite_errors, **context,
    )
