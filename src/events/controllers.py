"""Events API. Thin handlers: parse, call the service or a query, map to a Struct."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from src import bounds
from src.events import attendance, queries
from src.events import service as events_service
from src.events.constants import CATEGORIES
from src.events.schemas import (
    AttendanceIn,
    AttendanceOut,
    AttendeeOut,
    CancelIn,
    CheckinIn,
    CheckinOut,
    EventCreate,
    EventDetailOut,
    EventOut,
    EventPatch,
    RegistrationCreate,
    RegistrationOut,
    attendee_out,
    checkin_out,
    detail_out,
    event_out,
    registration_out,
    signup_out,
)
from src.config import get_settings
from src.exceptions import Invalid
from src.i18n import _
from src.pagination import Page, PageNumber, PageSize
from src.web.guards import requires_login, requires_reader, requires_staff

AgeQuery = Annotated[int | None, QueryParameter(ge=0, le=120, description="Events suitable for this age")]
TextQuery = Annotated[str, QueryParameter(max_length=100, pattern=bounds.ONE_LINE_PATTERN, description="Words to find in the title, host or description")]


def catalogue_filters(branch: str, category: str, age: int | None, start: date | None, end: date | None, free_only: bool, q: str, profession_type: str = "") -> queries.Filters:
    if category and category not in CATEGORIES:
        raise Invalid.one("category", _("Choose one of the categories: %(list)s", list=", ".join(CATEGORIES)))
    bounds.check(start, bounds.FILTER, "start")
    bounds.check(end, bounds.FILTER, "end")
    if start and end and end < start:
        raise Invalid.one("end", _("The end date cannot be before the start date"))
    return queries.Filters(branch=branch, category=category, age=age, start=start, end=end, free_only=free_only, q=q.strip(), profession_type=profession_type)


async def _detail(request: Request, event_id: int) -> EventDetailOut:
    event = await queries.get_event(event_id)
    mine = await queries.registration_of(event, request.user.id) if request.user is not None and request.user.is_reader else None
    return detail_out(event, await queries.waiting_count(event.id), await queries.series_dates(event.series_id), mine)


class EventApi(Controller):
    path = "/api/v1/events"
    tags = ["events"]

    @get("/", summary="The catalogue of events in every branch, filtered, in date order (upcoming by default)")
    async def list_events(
        self,
        branch: FromQuery[bounds.Line] = "",
        category: FromQuery[bounds.Line] = "",
        age: AgeQuery = None,
        start: FromQuery[bounds.FilterMoment] = None,
        end: FromQuery[bounds.FilterMoment] = None,
        free_only: FromQuery[bool] = False,
        q: TextQuery = "",
        profession_type: FromQuery[bounds.Line] = "",
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[EventOut]:
        tz = get_settings().tz
        filters = catalogue_filters(branch, category, age, bounds.filter_day(start, tz, "start"), bounds.filter_day(end, tz, "end"), free_only, q, profession_type)
        events, total = await queries.catalogue(filters, page, page_size)
        return Page(items=[event_out(event) for event in events], total=total, page=page, page_size=page_size)

    @get("/{event_id:int}", summary="One event: description, seats, waitlist, other dates of its series, and your sign-up")
    async def get_event(self, request: Request, event_id: FromPath[bounds.Id]) -> EventDetailOut:
        return await _detail(request, event_id)

    @post("/", summary="Create an event, or a series from an RRULE (staff of the branch); reserves its zone", status_code=201, guards=[requires_staff])
    async def create_event(self, request: Request, data: JSONBody[EventCreate]) -> EventDetailOut:
        ids = await events_service.create_event(request.user, data.to_input())
        return await _detail(request, ids[0])

    @patch("/{event_id:int}", summary="Change, move or resize one event (one occurrence of a series)", guards=[requires_staff])
    async def update_event(self, request: Request, event_id: FromPath[bounds.Id], data: JSONBody[EventPatch]) -> EventDetailOut:
        await events_service.update_event(request.user, event_id, data.to_change())
        return await _detail(request, event_id)

    @post("/{event_id:int}/cancel", summary="Cancel an event: it stays listed as cancelled and everyone signed up is notified", status_code=200, guards=[requires_staff])
    async def cancel_event(self, request: Request, event_id: FromPath[bounds.Id], data: JSONBody[CancelIn]) -> EventDetailOut:
        await events_service.cancel_event(request.user, event_id, data.reason)
        return await _detail(request, event_id)

    @post("/{event_id:int}/registrations", summary="Sign up (a reader for themself; staff give card_number): confirmed or waitlisted", status_code=201, guards=[requires_login])
    async def sign_up(self, request: Request, event_id: FromPath[bounds.Id], data: JSONBody[RegistrationCreate]) -> RegistrationOut:
        return signup_out(await events_service.sign_up(request.user, event_id, data.seats, data.card_number))

    @post(
        "/{event_id:int}/attendance",
        summary="Enter or correct the head count of an event without sign-up, after it started (staff of the branch)",
        status_code=200,
        guards=[requires_staff],
    )
    async def record_attendance(self, request: Request, event_id: FromPath[bounds.Id], data: JSONBody[AttendanceIn]) -> AttendanceOut:
        done = await attendance.record(request.user, event_id, data.total, data.children, data.youth)
        return AttendanceOut(event_id=done.event_id, total=done.total, children=done.children, youth=done.youth, entered_at=done.entered_at)

    @get("/{event_id:int}/registrations", summary="The attendee list with statuses and waitlist positions (staff of the branch)", guards=[requires_staff])
    async def attendees(self, request: Request, event_id: FromPath[bounds.Id], page: PageNumber = 1, page_size: PageSize = 500) -> Page[AttendeeOut]:
        event = await queries.get_event(event_id)
        events_service.require_manager(request.user, event.branch_id)
        rows, total = await queries.attendees(event, page, page_size)
        return Page(items=[attendee_out(row) for row in rows], total=total, page=page, page_size=page_size)


class RegistrationApi(Controller):
    path = "/api/v1/registrations"
    tags = ["events"]
    guards = [requires_login]

    @post("/{registration_id:int}/cancel", summary="Cancel a sign-up (the reader until the start; staff of the branch); the waitlist moves up", status_code=200)
    async def cancel(self, request: Request, registration_id: FromPath[bounds.Id]) -> RegistrationOut:
        await events_service.cancel_registration(request.user, registration_id)
        return registration_out(await queries.get_registration(registration_id))

    @post("/{registration_id:int}/confirm", summary="Confirm that you are coming (when the seat must be confirmed or it is released)", status_code=200, guards=[requires_reader])
    async def confirm(self, request: Request, registration_id: FromPath[bounds.Id]) -> RegistrationOut:
        await events_service.confirm_registration(request.user, registration_id)
        return registration_out(await queries.get_registration(registration_id))


class MyRegistrationApi(Controller):
    path = "/api/v1/me/registrations"
    tags = ["me"]
    guards = [requires_reader]

    @get("/", summary="My sign-ups with their events, tickets and waitlist positions")
    async def mine(
        self,
        request: Request,
        upcoming: Annotated[bool | None, QueryParameter(description="true: not over yet; false: past; absent: all")] = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[RegistrationOut]:
        rows, total = await queries.my_registrations(request.user.id, page, page_size, upcoming)
        return Page(items=[registration_out(row, with_event=True) for row in rows], total=total, page=page, page_size=page_size)


class CheckinApi(Controller):
    path = "/api/v1/checkins"
    tags = ["events"]
    guards = [requires_staff]

    @post("/", summary="Check in by ticket code (scanned or typed), or by card number with the event", status_code=200)
    async def check_in(self, request: Request, data: JSONBody[CheckinIn]) -> CheckinOut:
        return checkin_out(await events_service.check_in(request.user, code=data.code, card_number=data.card_number, event_id=data.event))
