"""Public and readers' pages: home, branches, the week grid of a branch, zones, finding a zone, the booking
form and "my bookings". Staff pages are in staff_pages.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from src import bounds
from src.accounts.permissions import can_book_zone, can_manage_branch
from src.branches import admin as branches_admin
from src.branches.rules import week_start
from src.branches.service import BranchInfo
from src.config import get_settings
from src.exceptions import AppError, FieldError, Forbidden, Invalid, NotFound
from src.i18n import _, fmt_day_time, fmt_time
from src.rooms import availability, bookings
from src.rooms import service as rooms_service
from src.rooms import zones_admin
from src.rooms.exceptions import BookingClash
from src.rooms.rules import Recurrence
from src.rooms.service import ZoneInfo
from src.timeutil import now_utc, today_in
from src.web.forms import Form, back_with_errors, safe_next
from src.web.guards import requires_login
from src.web.templating import errors_by_field, flash, page

# The service names fields as the API does; the booking form has a date and two times instead.
FORM_FIELDS = {
    "starts_at": "start",
    "ends_at": "end",
    "recurrence.count": "count",
    "recurrence.until": "until",
    "recurrence.interval": "interval",
    "recurrence.freq": "repeat",
}


def form_errors(errors: list[FieldError], renamed: dict[str, str] | None = None) -> list[FieldError]:
    names = FORM_FIELDS | (renamed or {})
    return [FieldError(names.get(error.field, error.field), error.message) for error in errors]


def _week(branch):
    today = today_in(branch.timezone)
    monday = week_start(today)
    return today, [branch.schedule.day(monday + timedelta(days=offset)) for offset in range(7)]


def _date(value: str, default: date) -> date:
    return bounds.parse_date(value) or default


def may_book(viewer, branch: BranchInfo, zone: ZoneInfo) -> bool:
    """Whether to offer booking links: to a guest, for zones the public may book once logged in."""
    if viewer is None:
        return zone.bookable_by_readers or zone.bookable_by_schools
    return can_book_zone(viewer, branch.id, zone.bookable_by_readers, zone.bookable_by_schools)


def zone_views(week: availability.BranchWeek, viewer) -> list[dict]:
    """What the week grid template needs for each zone: its rows of cells, and whether the viewer may book."""
    tz = week.branch.tz
    manager = week.manager
    result = []
    for zone_week in week.zones:
        zone = zone_week.zone
        times, rows = availability.grid(zone_week, tz, zone.rules.slot if manager else zone.rules.min_minutes)
        result.append(
            {
                "zone": zone,
                "times": times,
                "rows": rows,
                "can_book": may_book(viewer, week.branch, zone),
            }
        )
    return result


class BranchPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request) -> Template:
        branches = await rooms_service.list_branches()
        return page(request, "home.html", branches=[(branch, branch.schedule.day(today_in(branch.timezone))) for branch in branches])

    @get("/branches")
    async def branches(self, request: Request) -> Template:
        branches = await rooms_service.list_branches()
        return page(request, "rooms/branches.html", branches=[(branch, *_week(branch)) for branch in branches])

    @get("/branches/{slug:str}")
    async def branch(self, request: Request, slug: FromPath[bounds.Line]) -> Template | Redirect:
        from src.events import queries as event_queries  # events build on rooms: imported here, not at the top

        try:
            branch = await rooms_service.get_branch(slug)
        except NotFound:
            current = await branches_admin.current_slug(slug)  # a renamed branch: its old address still leads there
            if current is None:
                raise
            return Redirect(path=f"/branches/{current}", status_code=301)
        today, week = _week(branch)
        coming, _total = await event_queries.catalogue(event_queries.Filters(branch=branch.slug), 1, 4)
        return page(
            request, "rooms/branch.html", branch=branch, today=today, week=week, manager=can_manage_branch(request.user, branch.id),
            open_now=open_now(branch.schedule, now_utc().astimezone(branch.tz)), map_url=map_url(branch), route_url=route_url(branch), coming=coming, now=now_utc(),
        )

    @get("/branches/{slug:str}/week")
    async def week(self, request: Request, slug: FromPath[bounds.Line], start: FromQuery[bounds.Line] = "", zone: FromQuery[bounds.OptionalId] = None) -> Template:
        """The week grid: zones by days; a free cell links to the booking form for that time."""
        branch = await rooms_service.get_branch(slug)
        monday = week_start(_date(start, today_in(branch.tz)))
        week = await availability.branch_week(slug, monday, request.user, zone_ids=[zone] if zone else None)
        return page(
            request,
            "rooms/week.html",
            branch=branch,
            week=week,
            zones=zone_views(week, request.user),
            only_zone=zone,
            previous=monday - timedelta(days=7),
            next=monday + timedelta(days=7),
            this_week=week_start(today_in(branch.tz)),
            today=today_in(branch.tz),
        )

    @get("/zones/{zone_id:int}")
    async def zone(self, request: Request, zone_id: FromPath[bounds.Id]) -> Template:
        branch, zone = await rooms_service.get_zone(zone_id)
        today = today_in(branch.tz)
        start = datetime.combine(today, time(0), tzinfo=branch.tz)
        _branch, _zone, free = await availability.zone_free(zone.id, start, start + timedelta(days=7), request.user)
        days = [zone.schedule.day(today + timedelta(days=offset)) for offset in range(7)]
        return page(
            request,
            "rooms/zone.html",
            branch=branch,
            zone=zone,
            days=days,
            today=today,
            free=free,
            tz=branch.tz,
            can_book=may_book(request.user, branch, zone),
        )

    @get("/zones")
    async def find_zone(
        self,
        request: Request,
        branch: FromQuery[bounds.Line] = "",
        kind: FromQuery[bounds.Line] = "",
        min_capacity: FromQuery[bounds.Line] = "",
        feature: Annotated[list[bounds.line(60)] | None, QueryParameter(max_items=20)] = None,
        on: FromQuery[bounds.Line] = "",
        start: FromQuery[bounds.Line] = "",
        end: FromQuery[bounds.Line] = "",
    ) -> Template:
        """Search every branch at once: capacity, kind, features, and free at a time."""
        form = Form({"branch": branch, "kind": kind, "min_capacity": min_capacity, "on": on, "start": start, "end": end})
        capacity = form.int("min_capacity", required=False, minimum=1, maximum=1000)
        day = form.date("on", required=bool(start or end))
        start_time = form.time("start", required=bool(on))
        end_time = form.time("end", required=bool(on))
        tz = get_settings().tz
        query = availability.ZoneFilter(
            branch=branch or None,
            kind=kind or None,
            min_capacity=capacity,
            features=tuple(feature or ()),
            free_from=datetime.combine(day, start_time, tzinfo=tz) if day and start_time else None,
            free_to=datetime.combine(day, end_time, tzinfo=tz) if day and end_time else None,
        )
        results: list[tuple[BranchInfo, ZoneInfo]] = []
        errors = list(form.errors)
        if not errors:
            try:
                results = await availability.search(query)
            except Invalid as invalid:
                errors = [FieldError({"free_from": "start", "free_to": "end"}.get(e.field, e.field), e.message) for e in invalid.errors]
        return page(
            request,
            "rooms/zones.html",
            status_code=422 if errors else 200,
            branches=await rooms_service.list_branches(),
            kinds=list(await zones_admin.kinds()),  # the built-in kinds and features and those admins added
            features=list(await zones_admin.features()),
            values={**form.data, "features": feature or []},
            errors=errors_by_field(errors),
            error_list=errors,
            results=results,
            searched=bool(request.url.query),
            query=query,
        )


def open_now(schedule, moment: datetime) -> dict:
    """Whether the branch is open at this local moment: until when, or when it opens next (within a week)."""
    for opens, closes in schedule.day(moment.date()).intervals:
        if opens <= moment.time() < closes:
            return {"open": True, "until": closes}
    for offset in range(8):
        day = moment.date() + timedelta(days=offset)
        for opens, _closes in schedule.day(day).intervals:
            if offset or opens > moment.time():
                return {"open": False, "next_day": day if offset else None, "next_time": opens}
    return {"open": False, "next_day": None, "next_time": None}


def map_url(branch: BranchInfo) -> str:
    """The branch on OpenStreetMap: its point when known, else a search for its address."""
    if branch.latitude is not None and branch.longitude is not None:
        return f"https://www.openstreetmap.org/?mlat={branch.latitude:.6f}&mlon={branch.longitude:.6f}#map=17/{branch.latitude:.6f}/{branch.longitude:.6f}"
    return "https://www.openstreetmap.org/search?query=" + quote(f"{branch.address}, Благовещенск")


def route_url(branch: BranchInfo) -> str | None:
    """How to get there: OpenStreetMap's route planner with the branch as the destination (the visitor fills in
    where they start, or lets the browser say); none without the branch's point."""
    if branch.latitude is None or branch.longitude is None:
        return None
    return "https://www.openstreetmap.org/directions?route=" + quote(f";{branch.latitude:.6f},{branch.longitude:.6f}", safe="")


def _form_values(zone: ZoneInfo, tz, start: str, end: str) -> dict[str, str]:
    values = {"zone_id": str(zone.id), "headcount": "1", "interval": "1"}
    try:
        begins = datetime.fromisoformat(start.replace(" ", "+")).astimezone(tz) if start else None
        ends = datetime.fromisoformat(end.replace(" ", "+")).astimezone(tz) if end else None
    except (ValueError, OverflowError):
        return values
    if not (bounds.within(begins, bounds.FILTER) and bounds.within(ends, bounds.FILTER)):
        return values
    if begins:
        values |= {"date": begins.date().isoformat(), "start": begins.strftime("%H:%M")}
    if ends:
        values |= {"end": ends.strftime("%H:%M")}
    return values


async def _booking_form(request: Request, branch: BranchInfo, zone: ZoneInfo, values: dict) -> Template:
    return page(request, "rooms/booking_form.html", branch=branch, zone=zone, values=values, errors={}, error_list=[], conflicts=[], manager=can_manage_branch(request.user, branch.id))


def clash_lines(clash: BookingClash, tz) -> dict[str, list[str]]:
    """The taken times of a clash in words ("9 декабря, среда, 10:00–12:00"), for the form it goes back to."""
    return {"conflicts": [f"{fmt_day_time(c.starts_at, tz)}–{fmt_time(c.ends_at.astimezone(tz))}" for c in clash.clashes]}


def read_booking(form: Form, branch: BranchInfo, zone: ZoneInfo) -> bookings.BookingRequest:
    """The booking form as a request; parse errors are collected on the form."""
    on = form.date("date", window=bounds.SCHEDULE)
    start, end = form.time("start"), form.time("end")
    headcount = form.int("headcount", minimum=0, maximum=10000)
    purpose = form.str("purpose", 300)
    recurrence = None
    if form.bool("repeat"):
        interval = form.int("interval", minimum=1, maximum=52)
        count = form.int("count", required=False, minimum=1, maximum=1000)
        until = form.date("until", required=False, window=bounds.SCHEDULE)
        recurrence = Recurrence(freq="weekly", interval=interval or 1, count=count, until=until)
    tz = branch.tz
    return bookings.BookingRequest(
        zone_id=zone.id,
        starts_at=datetime.combine(on, start, tzinfo=tz) if on and start else datetime.min,
        ends_at=datetime.combine(on, end, tzinfo=tz) if on and end else datetime.min,
        purpose=purpose,
        headcount=headcount if headcount is not None else 1,
        recurrence=recurrence,
        skip_conflicts=form.bool("skip_conflicts"),
        block=form.bool("block"),
        override_hours=form.bool("override_hours"),
        card_number=form.str("card_number", 40) or None,
    )


class BookingPages(Controller):
    include_in_schema = False
    guards = [requires_login]

    @get("/bookings/new")
    async def new_booking(self, request: Request, zone: FromQuery[bounds.Id], start: FromQuery[bounds.Line] = "", end: FromQuery[bounds.Line] = "") -> Template:
        branch, found = await rooms_service.get_zone(zone)
        return await _booking_form(request, branch, found, _form_values(found, branch.tz, start, end))

    @post("/bookings")
    async def create_booking(self, request: Request) -> Redirect:
        form = await Form.read(request)
        zone_id = form.int("zone_id")
        if zone_id is None:
            raise Invalid(errors=form.errors)
        branch, zone = await rooms_service.get_zone(zone_id)
        booking = read_booking(form, branch, zone)
        back = f"/bookings/new?zone={zone.id}"
        if form.errors:
            return back_with_errors(request, form.errors, form.data, to=back)
        try:
            result = await bookings.book(request.user, booking)
        except BookingClash as clash:
            return back_with_errors(request, [FieldError("start", clash.detail)], form.data, to=back, extra=clash_lines(clash, branch.tz))
        except Invalid as invalid:
            return back_with_errors(request, form_errors(invalid.errors) or [FieldError("start", invalid.detail)], form.data, to=back)
        except (Forbidden, NotFound) as refused:  # a reader's card at the desk: unknown, replaced or blocked
            if not booking.card_number:
                raise
            return back_with_errors(request, [FieldError("card_number", refused.detail)], form.data, to=back)
        first = result.bookings[0]
        waiting = first.status == "pending"
        message = _("Booked: %(zone)s.", zone=zone.name) if not waiting else _("Requested: %(zone)s. Staff will confirm it.", zone=zone.name)
        if len(result.bookings) > 1 or result.skipped:
            message += " " + _("%(made)s bookings made, %(skipped)s dates skipped.", made=len(result.bookings), skipped=len(result.skipped))
        flash(request, message)
        if can_manage_branch(request.user, branch.id):
            return Redirect(path=f"/staff/branches/{branch.slug}/schedule?day={first.starts_at.astimezone(branch.tz).date()}", status_code=303)
        return Redirect(path="/me/bookings", status_code=303)

    @get("/me/bookings")
    async def my_bookings(self, request: Request) -> Template:
        now = now_utc()
        views, _total = await bookings.list_bookings(request.user, bookings.BookingQuery(mine=True, start=now - timedelta(days=30)), limit=500, offset=0)
        upcoming = [view for view in views if view.ends_at > now]
        past = [view for view in reversed(views) if view.ends_at <= now]
        from src.calendars import service as calendars_service
        from src.calendars.schemas import private_feed_out

        feeds = [private_feed_out(row) for row in await calendars_service.my_tokens(request.user)]
        return page(request, "rooms/my_bookings.html", upcoming=upcoming, past=past, zones=await rooms_service.zone_index(), now=now,
                    my_feed_webcal=feeds[0].links.webcal if feeds else "")

    @post("/me/bookings/{booking_id:int}/extend")
    async def extend(self, request: Request, booking_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        minutes = form.int("minutes", minimum=1, maximum=24 * 60) or 30
        booking = await bookings.get_booking(request.user, booking_id)
        try:
            await bookings.extend(request.user, booking_id, booking.ends_at + timedelta(minutes=minutes))
            flash(request, _("The booking is extended by %(n)s minutes.", n=minutes))
        except AppError as error:
            flash(request, error.errors[0].message if error.errors else error.detail)
        return Redirect(path=safe_next(form.data.get("next"), "/me/bookings"), status_code=303)
