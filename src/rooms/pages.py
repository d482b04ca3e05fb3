"""Public pages: home and the branches of the library space."""

from __future__ import annotations

from datetime import timedelta

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from src.rooms import service as rooms_service
from src.rooms.rules import week_start
from src.timeutil import today_in
from src.web.templating import page


def _week(branch):
    today = today_in(branch.timezone)
    monday = week_start(today)
    return today, [branch.schedule.day(monday + timedelta(days=offset)) for offset in range(7)]


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
    async def branch(self, request: Request, slug: FromPath[str]) -> Template:
        branch = await rooms_service.get_branch(slug)
        today, week = _week(branch)
        return page(request, "rooms/branch.html", branch=branch, today=today, week=week)
