"""Branches, zones and bookings API. Thin handlers: a service call and a mapper."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.response import Redirect
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from src import bounds
from src import cache
from src.branches import admin as branches_admin
from src.branches.controllers import BranchAdminApi
from src.branches.rules import week_start
from src.branches.service import CACHE_NAME
from src.config import get_settings
from src.exceptions import Invalid, NotFound
from src.i18n import _
from src.pagination import Page, PageNumber, PageSize, offset, paginate
from src.rooms import availability, bookings
from src.rooms.admin_controllers import ZoneAdminApi
from src.rooms import service as rooms_service
from src.rooms.constants import BOOKING_STATUSES
from src.rooms.schemas import (
    AvailabilityOut,
    BookingCreate,
    BookingCreated,
    BookingOut,
    BookingsChanged,
    BranchOut,
    BranchWeekOut,
    DeclineIn,
    ExtendIn,
    RescheduleIn,
    ScopeIn,
    ZoneOut,
    booking_created,
    booking_out,
    branch_out,
    branch_week_out,
    intervals_out,
    parse_instant,
    recurrence_in,
    zone_out,
)
from src.timeutil import now_utc, today_in
from src.web.guards import requires_login

Instant = bounds.optional_line(40, description="ISO 8601 date or date-time; without an offset, the branch's local time")


class BranchApi(BranchAdminApi):
    """Reading branches with their zones; the administration's handlers (same path) come from the base class."""

    path = "/api/v1/branches"
    tags = ["branches"]

    @get("/", summary="All branches with address, time zone, hours (today and this week) and zones")
    async def list_branches(self, page: PageNumber = 1, page_size: PageSize = 50) -> Page[BranchOut]:
        today = today_in(get_settings().tz)

        async def build() -> list[BranchOut]:
            return [branch_out(branch) for branch in await rooms_service.list_branches()]

        items = await cache.cached(CACHE_NAME, ("api", today), build)
        return paginate(items, page, page_size)

    @get("/{slug:str}", summary="One branch by slug")
    async def get_branch(self, slug: FromPath[bounds.Line]) -> BranchOut | Redirect:
        try:
            return branch_out(await rooms_service.get_branch(slug))
        except NotFound:
            current = await branches_admin.current_slug(slug)
            if current is None:
                raise
            return Redirect(path=f"/api/v1/branches/{current}", status_code=301)

    @get("/{slug:str}/week", summary="The week grid of a branch: every zone by day, free and busy times")
    async def week(
        self, request: Request, slug: FromPath[bounds.Line], start: FromQuery[bounds.optional_line(40, description="First day (default: this Monday): a date, or a date-time with an offset (its day in the branch); 1970 to 2100")] = None
    ) -> BranchWeekOut:
        branch = await rooms_service.get_branch(slug)
        first = bounds.filter_day(start, branch.tz, "start") or week_start(today_in(branch.tz))
        week = await availability.branch_week(slug, first, request.user)
        return _week_answers.get(week, lambda: branch_week_out(week))  # a kept grid's answer is built once


_week_answers = cache.Derived(size=256)


class ZoneApi(ZoneAdminApi):
    """Reading zones; the administration's handlers (same path) come from the base class."""

    path = "/api/v1/zones"
    tags = ["zones"]

    @get("/", summary="Zones of every branch: filter by branch, kind, capacity, features and a free time")
    async def list_zones(
        self,
        branch: FromQuery[bounds.OptionalLine] = None,
        kind: FromQuery[bounds.OptionalLine] = None,
        min_capacity: FromQuery[bounds.optional_count(1)] = None,
        feature: Annotated[list[bounds.line(60)] | None, QueryParameter(max_items=20, description="Repeat for several; all must be present")] = None,
        free_from: Instant = None,
        free_to: Instant = None,
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[ZoneOut]:
        tz = get_settings().tz
        query = availability.ZoneFilter(
            branch=branch,
            kind=kind,
            min_capacity=min_capacity,
            features=tuple(feature or ()),
            free_from=parse_instant(free_from, tz, "free_from") if free_from else None,
            free_to=parse_instant(free_to, tz, "free_to") if free_to else None,
        )
        return paginate([zone_out(branch, zone) for branch, zone in await availability.search(query)], page, page_size)

    @get("/{zone_id:int}", summary="One zone with its features, who may book it and its booking rules")
    async def get_zone(self, zone_id: FromPath[bounds.Id]) -> ZoneOut:
        return zone_out(*await rooms_service.get_zone(zone_id))

    @get("/{zone_id:int}/availability", summary="Free intervals of a zone (hours minus closures, bookings and buffers)")
    async def availability(self, request: Request, zone_id: FromPath[bounds.Id], start: Instant = None, end: Instant = None) -> AvailabilityOut:
        branch, _zone = await rooms_service.get_zone(zone_id)
        tz = branch.tz
        first = parse_instant(start, tz, "start") if start else now_utc().astimezone(tz)
        last = parse_instant(end, tz, "end", end_of_day=True) if end else first + timedelta(days=7)
        branch, zone, free = await availability.zone_free(zone_id, first, last, request.user)
        return AvailabilityOut(zone_id=zone.id, start=first.astimezone(tz), end=last.astimezone(tz), free=intervals_out(free, tz))


async def _out(view: bookings.BookingView) -> BookingOut:
    return booking_out(view, await rooms_service.branch_by_id(view.branch_id))


async def _changed(views: list[bookings.BookingView]) -> BookingsChanged:
    return BookingsChanged(bookings=[await _out(view) for view in views])


def _rest(scope: str) -> bool:
    if scope not in ("one", "rest"):
        raise Invalid.one("scope", _("Choose one (this booking) or rest (this and the later ones of its series)"))
    return scope == "rest"


class BookingApi(Controller):
    path = "/api/v1/bookings"
    tags = ["bookings"]
    guards = [requires_login]

    @post("/", summary="Book a zone, once or as a recurring series", status_code=201)
    async def create(self, request: Request, data: JSONBody[BookingCreate]) -> BookingCreated:
        result = await bookings.book(
            request.user,
            bookings.BookingRequest(
                zone_id=data.zone_id,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                purpose=data.purpose,
                headcount=data.headcount,
                recurrence=recurrence_in(data.recurrence),
                skip_conflicts=data.skip_conflicts,
                block=data.block,
                override_hours=data.override_hours,
                card_number=data.card_number,
            ),
        )
        return booking_created(result, await rooms_service.branch_by_id(result.bookings[0].branch_id))

    @get("/", summary="Bookings: staff see their branches' by zone and period; readers their own")
    async def list_bookings(
        self,
        request: Request,
        zone_id: FromQuery[bounds.OptionalId] = None,
        branch: FromQuery[bounds.OptionalLine] = None,
        start: Instant = None,
        end: Instant = None,
        status: FromQuery[bounds.OptionalLine] = None,
        mine: Annotated[bool, QueryParameter(description="Only the bookings I hold (staff too)")] = False,
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[BookingOut]:
        tz = get_settings().tz
        if status is not None and status not in BOOKING_STATUSES:
            raise Invalid.one("status", _("Status is one of: %(values)s", values=", ".join(BOOKING_STATUSES)))
        query = bookings.BookingQuery(
            zone_id=zone_id,
            branch=branch,
            start=parse_instant(start, tz, "start") if start else None,
            end=parse_instant(end, tz, "end", end_of_day=True) if end else None,
            status=status,
            mine=mine,
        )
        views, total = await bookings.list_bookings(request.user, query, limit=page_size, offset=offset(page, page_size))
        return Page(items=[await _out(view) for view in views], total=total, page=page, page_size=page_size)

    @get("/{booking_id:int}", summary="One booking (its holder, or staff of its branch)")
    async def get_booking(self, request: Request, booking_id: FromPath[bounds.Id]) -> BookingOut:
        return await _out(await bookings.get_booking(request.user, booking_id))

    @post("/{booking_id:int}/cancel", summary="Cancel a booking, or it and the rest of its series", status_code=200)
    async def cancel(self, request: Request, booking_id: FromPath[bounds.Id], data: JSONBody[ScopeIn | None] = None) -> BookingsChanged:
        data = data or ScopeIn()
        return await _changed(await bookings.cancel(request.user, booking_id, rest=_rest(data.scope), reason=data.reason))

    @post("/{booking_id:int}/approve", summary="Approve a pending booking (staff of its branch)", status_code=200)
    async def approve(self, request: Request, booking_id: FromPath[bounds.Id], data: JSONBody[ScopeIn | None] = None) -> BookingsChanged:
        data = data or ScopeIn()
        return await _changed(await bookings.approve(request.user, booking_id, rest=_rest(data.scope), note=data.reason))

    @post("/{booking_id:int}/decline", summary="Decline a pending booking with a reason (staff of its branch)", status_code=200)
    async def decline(self, request: Request, booking_id: FromPath[bounds.Id], data: JSONBody[DeclineIn]) -> BookingsChanged:
        return await _changed(await bookings.decline(request.user, booking_id, reason=data.reason, rest=_rest(data.scope)))

    @post("/{booking_id:int}/reschedule", summary="Move a booking that has not started, with every check of a new one", status_code=200)
    async def reschedule(self, request: Request, booking_id: FromPath[bounds.Id], data: JSONBody[RescheduleIn]) -> BookingOut:
        return await _out(await bookings.reschedule(request.user, booking_id, data.starts_at, data.ends_at))

    @post("/{booking_id:int}/extend", summary="Make a booking in progress last longer while the zone is free", status_code=200)
    async def extend(self, request: Request, booking_id: FromPath[bounds.Id], data: JSONBody[ExtendIn]) -> BookingOut:
        return await _out(await bookings.extend(request.user, booking_id, data.ends_at))

    @post("/{booking_id:int}/end", summary="End a booking in progress now, freeing the rest of it", status_code=200)
    async def end(self, request: Request, booking_id: FromPath[bounds.Id]) -> BookingOut:
        return await _out(await bookings.end_early(request.user, booking_id))
