"""The staff home (/staff): a day in the person's branches (each zone as a timeline; events, visits and
consultations), what waits for them (bookings to approve, visit requests), and links to everything else."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from src import bounds
from src.accounts.permissions import managed_branch_ids
from src.config import get_settings
from src.events import queries as event_queries
from src.guidance import consultations as guidance_consultations
from src.rooms import bookings
from src.rooms import service as rooms_service
from src.rooms.constants import PENDING
from src.rooms.service import BranchZones
from src.schools import service as visits
from src.schools.constants import OPEN_STATUSES
from src.staff import timeline
from src.timeutil import now_utc, today_in
from src.web.guards import requires_staff
from src.web.templating import page


def midnight(on: date, branch: BranchZones) -> datetime:
    return datetime.combine(on, time(0), tzinfo=branch.tz)


async def day_timeline(principal, branch: BranchZones, on: date) -> timeline.Timeline:
    """Every zone of a branch on one day: its active bookings (events, visits, consultations, blocks, readers)."""
    query = bookings.BookingQuery(branch=branch.slug, start=midnight(on, branch), end=midnight(on + timedelta(days=1), branch))
    views, _total = await bookings.list_bookings(principal, query, limit=500, offset=0)
    rows = [(zone, [(view.starts_at, view.ends_at, view) for view in views if view.zone_id == zone.id and view.active]) for zone in branch.zones]
    return timeline.build(on, branch.tz, rows, branch.schedule.day(on).intervals)


async def waiting_approvals(principal, branches: list[BranchZones]) -> int:
    count = 0
    for branch in branches:
        if branch.zones:
            _views, total = await bookings.list_bookings(principal, bookings.BookingQuery(branch=branch.slug, start=now_utc(), status=PENDING), limit=1, offset=0)
            count += total
    return count


class StaffHome(Controller):
    include_in_schema = False
    guards = [requires_staff]

    @get("/staff")
    async def home(self, request: Request, day: FromQuery[bounds.Line] = "") -> Template:
        principal = request.user
        all_branches = await rooms_service.list_branches()
        mine = managed_branch_ids(principal, {branch.id for branch in all_branches})
        branches = [branch for branch in all_branches if branch.id in mine]
        today = today_in(get_settings().tz)
        on = bounds.parse_date(day) or today
        start = datetime.combine(on, time(0), tzinfo=get_settings().tz)
        _open, waiting_visits = await visits.list_visits(principal, visits.VisitQuery(statuses=list(OPEN_STATUSES)), 1, 0)
        return page(
            request,
            "staff/home.html",
            branches=branches,
            timelines={branch.id: await day_timeline(principal, branch, on) for branch in branches},
            day=on,
            today=today,
            previous=on - timedelta(days=1),
            next=on + timedelta(days=1),
            events=await event_queries.events_on(mine, on),
            consultations=await guidance_consultations.consultations_in_branches(mine, start, start + timedelta(days=1)),
            waiting_bookings=await waiting_approvals(principal, branches),
            waiting_visits=waiting_visits,
            now=now_utc(),
        )
