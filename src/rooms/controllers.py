"""Branches API. Thin handlers: a service call and a mapper."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath, FromQuery

from src import cache
from src.config import get_settings
from src.pagination import Page, PageNumber, PageSize, paginate
from src.rooms import service as rooms_service
from src.rooms.schemas import BranchOut, branch_out
from src.timeutil import today_in


class BranchApi(Controller):
    path = "/api/v1/branches"
    tags = ["branches"]

    @get("/", summary="All branches with address, time zone, hours (today and this week) and zones")
    async def list_branches(self, page: PageNumber = 1, page_size: PageSize = 50) -> Page[BranchOut]:
        today = today_in(get_settings().tz)

        async def build() -> list[BranchOut]:
            return [branch_out(branch) for branch in await rooms_service.list_branches()]

        items = await cache.cached(rooms_service.CACHE_NAME, ("api", today), build)
        return paginate(items, page, page_size)

    @get("/{slug:str}", summary="One branch by slug")
    async def get_branch(self, slug: FromPath[str]) -> BranchOut:
        return branch_out(await rooms_service.get_branch(slug))
