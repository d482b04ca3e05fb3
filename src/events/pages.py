"""Event pages: the catalogue (list and month), one event with sign-up, my sign-ups with tickets; for staff the
event editor (with series), attendee list (print and CSV), walk-in sign-up and the check-in screen."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from src import bounds
from src.csvsafe import write_csv
from src.accounts import families
from src.accounts.permissions import managed_branch_ids
from src.config import get_settings
from src.events import attendance, queries, rules
from src.events import service as events_service
from src.events.constants import CATEGORIES, PROFESSION_TYPES
from src.events.controllers import catalogue_filters
from src.events.service import EventChange, EventInput
from src.exceptions import AppError, FieldError
from src.i18n import _, current_language, ngettext
from src.markup import render_markdown
from src.rooms import service as rooms_service
from src.timeutil import local, now_utc, today_in
from src.web.forms import Form, back_with_errors, safe_next
from src.web.guards import requires_reader, requires_staff
from src.web.templating import errors_by_field, flash, page, qr_svg, render_html

PAGE_SIZE = 20
# The catalogue as anonymous visitors see it is cached whole for a moment: seat counts may lag by that much
# there (never on the event page, and never when signing up, which counts seats under a lock).
CATALOGUE_TTL_SECONDS = 2.0
CATALOGUE_CACHE_SIZE = 512
_catalogue_cache: dict[tuple[str, str, str], tuple[float, str]] = {}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
AgeQuery = Annotated[str, QueryParameter(description="Age", required=False, max_length=3, pattern=bounds.ONE_LINE_PATTERN)]


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 3 else None


def _date_or_none(value: str) -> date | None:
    return bounds.parse_date(value)


def month_weeks(first: date) -> list[list[date | None]]:
    """The month as calendar rows, Monday first; days of other months are None."""
    start = first - timedelta(days=first.weekday())
    weeks = []
    day = start
    while day.month == first.month or day < first:
        weeks.append([d if d.month == first.month else None for d in (day + timedelta(days=i) for i in range(7))])
        day += timedelta(days=7)
    return weeks


def _month_or_today(value: str) -> date:
    return bounds.parse_date(value + "-01" if value else "") or today_in(get_settings().tz).replace(day=1)


class EventPages(Controller):
    include_in_schema = False

    @get("/events")
    async def catalogue(
        self,
        request: Request,
        branch: FromQuery[bounds.Line] = "",
        category: FromQuery[bounds.Line] = "",
        age: AgeQuery = "",
        start: FromQuery[bounds.Line] = "",
        end: FromQuery[bounds.Line] = "",
        free_only: FromQuery[bounds.Line] = "",
        q: FromQuery[bounds.Line] = "",
        view: FromQuery[bounds.Line] = "list",
        month: FromQuery[bounds.Line] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=bounds.INT32_MAX, required=False)] = 1,
    ) -> Template | Response[str]:
        anonymous = request.user is None and not request.session  # nothing personal to show (flash, kept form)
        vision = request.scope.get("vision")
        key = (current_language(), vision.classes if vision else "", request.url.query)
        if anonymous:
            hit = _catalogue_cache.get(key)
            if hit is not None and time.monotonic() - hit[0] < CATALOGUE_TTL_SECONDS:
                return Response(content=hit[1], media_type=MediaType.HTML)
        values = {"branch": branch, "category": category if category in CATEGORIES else "", "age": age, "start": start, "end": end, "free_only": free_only, "q": q[:100]}
        first_day, last_day = _date_or_none(start), _date_or_none(end)
        if first_day and last_day and last_day < first_day:
            last_day = None
        filters = catalogue_filters(
            branch=branch if branch in {b.slug for b in await rooms_service.list_branches()} else "",
            category=values["category"],
            age=_int_or_none(age),
            start=first_day,
            end=last_day,
            free_only=free_only in ("on", "1", "true"),
            q=values["q"],
        )
        query = urlencode({key: value for key, value in values.items() if value})
        context: dict[str, Any] = dict(values=values, query=query, categories=CATEGORIES, branches=await rooms_service.list_branches(), view=view, now=now_utc())
        if view == "month":
            first = _month_or_today(month)
            by_day = await queries.month(filters, first)
            context.update(month=first, by_day=sorted(by_day.items()), next_month=(first + timedelta(days=32)).replace(day=1), previous_month=(first - timedelta(days=1)).replace(day=1),
                           weeks=month_weeks(first), events_on=by_day, today=today_in(get_settings().tz))
        else:
            events, total = await queries.catalogue(filters, page_number, PAGE_SIZE)
            context.update(events=events, total=total, page_number=page_number, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))
        if not anonymous:
            return page(request, "events/catalogue.html", **context)
        html = render_html(request, "events/catalogue.html", **context)
        if len(_catalogue_cache) >= CATALOGUE_CACHE_SIZE:
            _catalogue_cache.pop(next(iter(_catalogue_cache)))
        _catalogue_cache[key] = (time.monotonic(), html)
        return Response(content=html, media_type=MediaType.HTML)

    @get("/events/{event_id:int}")
    async def event(self, request: Request, event_id: FromPath[bounds.Id]) -> Template:
        return await _event_page(request, event_id)

    @post("/events/{event_id:int}/signup", guards=[requires_reader])
    async def sign_up(self, request: Request, event_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        seats = form.int("seats", required=False, minimum=1, maximum=100) or 1
        child_card = form.str("for", 40) or None  # a guardian signs up a linked child
        try:
            result = await events_service.sign_up(request.user, event_id, seats, card_number=child_card)
        except AppError as error:
            if error.status_code not in (403, 409, 422):  # 403: a blocked card, with its reason
                raise
            return back_with_errors(request, error.errors or [FieldError("seats", error.detail)], form.data, to=f"/events/{event_id}")
        if child_card:
            flash(request, _("The child is signed up. The ticket is on your Family page.") if result.status == "confirmed" else _("The seats are taken: the child is number %(n)s on the waitlist.", n=result.waitlist_position))
        elif result.status == "confirmed":
            flash(request, _("You are signed up. Your ticket is in “My sign-ups”."))
        else:
            flash(request, _("The seats are taken: you are number %(n)s on the waitlist. We will tell you when a seat frees up.", n=result.waitlist_position))
        return Redirect(path=f"/events/{event_id}", status_code=303)


    @post("/registrations/{registration_id:int}/confirm", guards=[requires_reader])
    async def confirm_registration(self, request: Request, registration_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        await events_service.confirm_registration(request.user, registration_id)
        flash(request, _("Thank you: your seat is confirmed."))
        return Redirect(path=safe_next(form.data.get("next"), "/me/registrations"), status_code=303)

    @get("/me/registrations", guards=[requires_reader])
    async def mine(self, request: Request) -> Template:
        upcoming, _total = await queries.my_registrations(request.user.id, 1, 100, upcoming=True)
        past, _past_total = await queries.my_registrations(request.user.id, 1, 20, upcoming=False)
        tickets = {row.id: qr_svg(row.ticket_code, scale=5) for row in upcoming if row.status == "confirmed"}
        return page(request, "events/mine.html", upcoming=upcoming, past=past, tickets=tickets, now=now_utc())


async def _event_page(request: Request, event_id: int) -> Template:
    event = await queries.get_event(event_id)
    viewer = request.user
    mine = await queries.registration_of(event, viewer.id) if viewer is not None and viewer.is_reader else None
    manager = viewer is not None and events_service.permissions.can_manage_events(viewer, event.branch_id)
    return page(
        request,
        "events/event.html",
        event=event,
        description=render_markdown(event.description),
        mine=mine,
        ticket=qr_svg(mine.ticket_code, scale=5) if mine and mine.status == "confirmed" else None,
        waiting=await queries.waiting_count(event.id),
        dates=await queries.series_dates(event.series_id),
        window=event.window_state(now_utc()),
        now=now_utc(),
        manager=manager,
        children=[child for child in await families.children_of(viewer.id) if child.status == families.ACTIVE] if viewer is not None and viewer.is_reader else [],
    )


# --- staff --------------------------------------------------------------------------------------------------


async def _managed_branches(request: Request) -> list[rooms_service.BranchZones]:
    branches = await rooms_service.list_branches()
    ids = managed_branch_ids(request.user, {branch.id for branch in branches})
    return [branch for branch in branches if branch.id in ids]


def _repeat_rule(kind: str, count: int | None, starts_at: datetime | None) -> str:
    if kind in ("", "none") or starts_at is None:
        return ""
    count = count or 4
    if kind == "weekly":
        return f"FREQ=WEEKLY;COUNT={count}"
    if kind == "biweekly":
        return f"FREQ=WEEKLY;INTERVAL=2;COUNT={count}"
    if kind == "monthly":
        nth = (starts_at.day - 1) // 7 + 1
        return f"FREQ=MONTHLY;BYDAY=+{nth}{WEEKDAY_CODES[starts_at.weekday()]};COUNT={count}"
    return ""


def _event_form(form: Form, tz: ZoneInfo) -> dict[str, Any]:
    starts_at = form.local_datetime("starts_at", tz, window=bounds.SCHEDULE)
    return dict(
        title=form.str("title", 200),
        category=form.str("category", 32),
        description=form.text("description", 20000),
        zone_id=form.int("zone_id", required=False, minimum=1, maximum=10**9),
        audience=form.str("audience", 200),
        starts_at=starts_at,
        ends_at=form.local_datetime("ends_at", tz, window=bounds.SCHEDULE),
        capacity=form.int("capacity", required=False, minimum=0, maximum=100000),
        seats_per_signup=form.int("seats_per_signup", required=False, minimum=1, maximum=100) or 1,
        min_age=form.int("min_age", required=False, minimum=0, maximum=120),
        max_age=form.int("max_age", required=False, minimum=0, maximum=120),
        registration_opens_at=form.local_datetime("registration_opens_at", tz, required=False, window=bounds.SCHEDULE),
        registration_closes_at=form.local_datetime("registration_closes_at", tz, required=False, window=bounds.SCHEDULE),
        waitlist=form.bool("waitlist"),
        host_name=form.str("host_name", 200),
        host_profession=form.str("host_profession", 200),
        host_organisation=form.str("host_organisation", 200),
        profession_types=[code for code in PROFESSION_TYPES if form.bool(f"pt_{code}")],
        career_fields=rules.split_list(form.str("career_fields", 300)),
        accessibility=form.text("accessibility", 2000),
        confirm_hours_before=form.int("confirm_hours_before", required=False, minimum=1, maximum=168),
    )


def _form_values(event: queries.EventView) -> dict[str, Any]:
    tz = event.timezone
    stamp = lambda moment: local(moment, tz).strftime("%Y-%m-%dT%H:%M") if moment else ""  # noqa: E731
    values: dict[str, Any] = {
        "title": event.title, "category": event.category, "description": event.description, "zone_id": event.zone_id or "",
        "audience": event.audience, "starts_at": stamp(event.starts_at), "ends_at": stamp(event.ends_at),
        "capacity": "" if event.capacity is None else event.capacity, "seats_per_signup": event.seats_per_signup,
        "min_age": "" if event.min_age is None else event.min_age, "max_age": "" if event.max_age is None else event.max_age,
        "registration_opens_at": stamp(event.registration_opens_at),
        "registration_closes_at": stamp(event.registration_closes_at) if event.registration_closes_at != event.starts_at else "",
        "waitlist": event.waitlist, "host_name": event.host_name, "host_profession": event.host_profession,
        "host_organisation": event.host_organisation, "career_fields": ", ".join(event.career_fields), "accessibility": event.accessibility,
        "confirm_hours_before": event.confirm_hours_before or "", "branch": event.branch_slug,
    }
    values.update({f"pt_{code}": code in event.profession_types for code in PROFESSION_TYPES})
    return values


class StaffEventPages(Controller):
    path = "/staff"
    include_in_schema = False
    guards = [requires_staff]

    @get("/events")
    async def list_events(self, request: Request, page_number: Annotated[int, QueryParameter(name="page", ge=1, le=bounds.INT32_MAX, required=False)] = 1) -> Template:
        branches = await _managed_branches(request)
        events, total = await queries.branch_events({b.id for b in branches}, today_in(get_settings().tz), page_number, 50)
        return page(request, "events/staff_list.html", events=events, total=total, branches=branches, page_number=page_number, pages=max((total + 49) // 50, 1))

    @get("/events/new")
    async def new_form(self, request: Request) -> Template:
        return page(request, "events/editor.html", **await self._editor_context(request, {"waitlist": True, "seats_per_signup": 1}, [], None))

    @post("/events/new")
    async def create(self, request: Request) -> Redirect:
        form = await Form.read(request)
        branches = await _managed_branches(request)
        branch = next((b for b in branches if b.slug == form.data.get("branch")), branches[0] if branches else None)
        tz = ZoneInfo(branch.timezone if branch else get_settings().timezone)
        values = _event_form(form, tz)
        errors = list(form.errors)
        ids: list[int] = []
        if not errors:
            recurrence = _repeat_rule(form.data.get("repeat", ""), form.int("repeat_count", required=False, minimum=2, maximum=60), values["starts_at"])
            try:
                ids = await events_service.create_event(request.user, EventInput(branch=form.data.get("branch", ""), recurrence=recurrence, **values))
            except AppError as error:
                if error.status_code not in (409, 422):
                    raise
                errors = error.errors or [FieldError("form", error.detail)]
        if not ids:
            return back_with_errors(request, errors, form.data, to="/staff/events/new")
        flash(request, _("The event is created.") if len(ids) == 1 else _("The series is created: %(n)s dates.", n=len(ids)))
        return Redirect(path=f"/events/{ids[0]}", status_code=303)

    @get("/events/{event_id:int}/edit")
    async def edit_form(self, request: Request, event_id: FromPath[bounds.Id]) -> Template:
        event = await queries.get_event(event_id)
        events_service.require_manager(request.user, event.branch_id)
        return page(request, "events/editor.html", **await self._editor_context(request, _form_values(event), [], event))

    @post("/events/{event_id:int}/edit")
    async def update(self, request: Request, event_id: FromPath[bounds.Id]) -> Redirect:
        event = await queries.get_event(event_id)
        events_service.require_manager(request.user, event.branch_id)
        form = await Form.read(request)
        values = _event_form(form, ZoneInfo(event.timezone))
        errors = list(form.errors)
        told = 0
        if not errors:
            nullable = {"zone_id", "capacity", "min_age", "max_age", "registration_opens_at", "registration_closes_at", "confirm_hours_before"}
            change = EventChange(values={k: v for k, v in values.items() if v is not None}, clear={k for k in nullable if values[k] is None})
            try:
                told = await events_service.update_event(request.user, event_id, change)
            except AppError as error:
                if error.status_code not in (409, 422):
                    raise
                errors = error.errors or [FieldError("form", error.detail)]
        if errors:
            return back_with_errors(request, errors, {**form.data, "branch": event.branch_slug}, to=f"/staff/events/{event_id}/edit")
        flash(request, ngettext("The event is saved; %(num)s person signed up is told what changed.", "The event is saved; %(num)s people signed up are told what changed.", told) if told else _("The event is saved."))
        return Redirect(path=f"/events/{event_id}", status_code=303)

    async def _editor_context(self, request: Request, values: dict, errors: list[FieldError], event: queries.EventView | None) -> dict[str, Any]:
        return dict(
            values=values, errors=errors_by_field(errors), error_list=errors, event=event, branches=await _managed_branches(request),
            categories=CATEGORIES, profession_types=PROFESSION_TYPES,
        )


    @get("/events/{event_id:int}/attendees")
    async def attendees(self, request: Request, event_id: FromPath[bounds.Id]) -> Template:
        event = await queries.get_event(event_id)
        events_service.require_manager(request.user, event.branch_id)
        rows, _total = await queries.attendees(event, include_cancelled=True)
        head_count = None if event.signup_needed else await attendance.get(event.id)
        tz = ZoneInfo(event.timezone)
        first, last = rules.event_day_span(event.starts_at, event.ends_at, tz)
        checkin_open = not event.is_cancelled and first <= now_utc().astimezone(tz).date() <= last
        return page(request, "events/attendees.html", event=event, rows=rows, values={}, errors={}, error_list=[], head_count=head_count,
                    started=now_utc() >= event.starts_at, checkin_open=checkin_open, checkin_result=request.session.pop(CHECKIN_RESULT, None))

    @get("/events/{event_id:int}/attendees.csv")
    async def attendees_csv(self, request: Request, event_id: FromPath[bounds.Id]) -> Response[str]:
        event = await queries.get_event(event_id)
        events_service.require_manager(request.user, event.branch_id)
        rows, _total = await queries.attendees(event, include_cancelled=True)
        text = write_csv(
            ["registration", "full_name", "card_number", "seats", "status", "waitlist_position", "checked_in_at", "no_show", "signed_up_at"],
            [
                [
                    row.registration_id, row.full_name, row.card_number, row.seats, row.status, row.waitlist_position or "",
                    local(row.checked_in_at, event.timezone).isoformat() if row.checked_in_at else "", "yes" if row.no_show else "",
                    local(row.created_at, event.timezone).isoformat(),
                ]
                for row in rows
            ],
        )
        return Response(
            content=text,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="event-{event_id}-attendees.csv"'},
        )

    @post("/events/{event_id:int}/walk-in")
    async def walk_in(self, request: Request, event_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        card = form.str("card_number", 40)
        seats = form.int("seats", required=False, minimum=1, maximum=100) or 1
        try:
            result = await events_service.sign_up(request.user, event_id, seats, card_number=card or "-")
        except AppError as error:
            if error.status_code not in (404, 409, 422):
                raise
            return back_with_errors(request, [FieldError("card_number", error.detail)], {"card_number": card}, to=f"/staff/events/{event_id}/attendees")
        flash(request, _("Signed up: %(status)s", status=_("confirmed") if result.status == "confirmed" else _("waitlist, number %(n)s", n=result.waitlist_position)))
        return Redirect(path=f"/staff/events/{event_id}/attendees", status_code=303)

    @post("/events/{event_id:int}/attendance")
    async def record_attendance(self, request: Request, event_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        values = {name: form.str(name, 12) for name in ("total", "children", "youth")}
        try:
            counts = {name: form.int(name, required=name == "total", minimum=0, maximum=attendance.MAX_HEADCOUNT) or 0 for name in values}
            await attendance.record(request.user, event_id, counts["total"], counts["children"], counts["youth"])
        except AppError as error:
            if error.status_code not in (409, 422):
                raise
            return back_with_errors(request, error.errors or [FieldError("total", error.detail)], values, to=f"/staff/events/{event_id}/attendees")
        flash(request, _("Head count saved"))
        return Redirect(path=f"/staff/events/{event_id}/attendees", status_code=303)

    @get("/checkin")
    async def checkin_form(self, request: Request, event: FromQuery[bounds.OptionalId] = None) -> Template:
        return await _checkin_page(request, event)

    @post("/checkin")
    async def checkin(self, request: Request) -> Redirect:
        """Check a ticket or a card in, then back to the check-in page (or ``next``: the attendee list) saying
        who came; a refresh there checks nobody in twice."""
        form = await Form.read(request)
        event_id = form.int("event", required=False, minimum=1, maximum=10**9)
        code = form.str("code", 60)
        back = safe_next(form.data.get("next"), f"/staff/checkin?event={event_id}" if event_id else "/staff/checkin")
        looks_like_card = code.replace(" ", "").isdigit() and len(code.replace(" ", "")) >= 8
        try:
            if looks_like_card:
                result = await events_service.check_in(request.user, card_number=code, event_id=event_id)
            else:
                result = await events_service.check_in(request.user, code=code, event_id=event_id)
        except AppError as failure:
            if failure.status_code not in (404, 422):
                raise
            return back_with_errors(request, [FieldError("code", failure.detail)], {"code": code}, to=back)
        message = _("Already checked in: %(name)s", name=result.reader_name) if result.already else _("Welcome, %(name)s!", name=result.reader_name)
        if result.seats > 1:
            message += " · " + ngettext("%(num)s seat", "%(num)s seats", result.seats)
        request.session[CHECKIN_RESULT] = message
        return Redirect(path=back, status_code=303)


CHECKIN_RESULT = "checkin_result"


async def _checkin_page(request: Request, event_id: int | None) -> Template:
    branches = await _managed_branches(request)
    today = await queries.events_today({b.id for b in branches})
    chosen = event_id if event_id is not None else (today[0].id if len(today) == 1 else None)
    counts = {}
    for event in today:
        rows, _total = await queries.attendees(event)
        counts[event.id] = (sum(r.seats for r in rows if r.checked_in_at), sum(r.seats for r in rows if r.status == "confirmed"))
    result = request.session.pop(CHECKIN_RESULT, None)
    return page(request, "events/checkin.html", today=today, chosen=chosen, result=result, values={}, errors={}, error_list=[], counts=counts)
