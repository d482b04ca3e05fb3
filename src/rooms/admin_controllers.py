"""The zones' administration API: create, edit, deactivate and reactivate zones (admins and staff of the branch),
and the lists of zone kinds and features (admins add to them). Thin handlers."""

from __future__ import annotations

from litestar import Controller, Request, get, patch, post, put
from litestar.params import FromPath, JSONBody

from src import bounds
from src.branches import admin as branches_admin
from src.branches.schemas import HoursIn, HoursOut, hours_out
from src.rooms import zones_admin
from src.rooms.zones_schemas import CodeIn, CodeList, CodePatch, CodeOut, ZoneAdminOut, ZoneCreate, ZonePatch, zone_admin_out
from src.web.guards import requires_admin, requires_staff


class ZoneAdminApi(Controller):
    """The base of ``ZoneApi`` (same path): the public reads are there."""

    path = "/api/v1/zones"
    tags = ["zones"]

    @post("/", summary="Create a zone with its features and booking rules (admins and staff of its branch)", status_code=201, guards=[requires_staff])
    async def create_zone(self, request: Request, data: JSONBody[ZoneCreate]) -> ZoneAdminOut:
        zone_id = await zones_admin.create_zone(request.user, data.branch, data.values())
        return zone_admin_out(await zones_admin.zone_row(zone_id))

    @patch("/{zone_id:int}", summary="Change a zone; a rule change applies to new bookings only", guards=[requires_staff])
    async def update_zone(self, request: Request, zone_id: FromPath[bounds.Id], data: JSONBody[ZonePatch]) -> ZoneAdminOut:
        await zones_admin.update_zone(request.user, zone_id, data.values())
        return zone_admin_out(await zones_admin.zone_row(zone_id))

    @post("/{zone_id:int}/deactivate", summary="Take a zone out of search and booking; its past bookings and statistics stay", status_code=200, guards=[requires_staff])
    async def deactivate_zone(self, request: Request, zone_id: FromPath[bounds.Id]) -> ZoneAdminOut:
        await zones_admin.set_zone_active(request.user, zone_id, False)
        return zone_admin_out(await zones_admin.zone_row(zone_id))

    @post("/{zone_id:int}/reactivate", summary="Offer a deactivated zone again", status_code=200, guards=[requires_staff])
    async def reactivate_zone(self, request: Request, zone_id: FromPath[bounds.Id]) -> ZoneAdminOut:
        await zones_admin.set_zone_active(request.user, zone_id, True)
        return zone_admin_out(await zones_admin.zone_row(zone_id))


    @get("/{zone_id:int}/hours", summary="A zone's own weekly hours (empty: it keeps its branch's)")
    async def get_zone_hours(self, zone_id: FromPath[bounds.Id]) -> HoursOut:
        zone = await zones_admin.zone_row(zone_id)
        return hours_out(await branches_admin.get_weekly(zone["branch_slug"], zone_id))

    @put(
        "/{zone_id:int}/hours",
        summary="Give a zone its own weekly hours inside its branch's (all days empty: back to the branch's); 409 with `affected` as for a branch",
        guards=[requires_staff],
    )
    async def put_zone_hours(self, request: Request, zone_id: FromPath[bounds.Id], data: JSONBody[HoursIn]) -> HoursOut:
        zone = await zones_admin.zone_row(zone_id)
        change = await branches_admin.set_weekly(request.user, zone["branch_slug"], data.intervals(), data.on_conflict, data.reason, zone_id=zone_id)
        return hours_out(await branches_admin.get_weekly(zone["branch_slug"], zone_id), change)


def _codes(names: dict[str, str]) -> list[CodeOut]:
    return [CodeOut(code, name) for code, name in names.items()]


class ZoneListsApi(Controller):
    path = "/api/v1"
    tags = ["zones"]

    @get("/zone-kinds", summary="Kinds of zones: the built-in ones and those admins added")
    async def list_kinds(self) -> CodeList:
        return _codes(await zones_admin.kinds())

    @post("/zone-kinds", summary="Add a kind of zone, named in Russian and English (administrators)", status_code=201, guards=[requires_admin])
    async def add_kind(self, request: Request, data: JSONBody[CodeIn]) -> CodeList:
        await zones_admin.add_kind(request.user, data.code, data.name, data.name_en)
        return _codes(await zones_admin.kinds())

    @patch("/zone-kinds/{code:str}", summary="Rename a kind an admin added, or deactivate it (zones that have it keep it) (administrators)", guards=[requires_admin])
    async def update_kind(self, request: Request, code: FromPath[bounds.ShortLine], data: JSONBody[CodePatch]) -> CodeList:
        await zones_admin.update_kind(request.user, code, data.values())
        return _codes(await zones_admin.kinds())

    @get("/zone-features", summary="Zone features: the built-in ones and those admins added")
    async def list_features(self) -> CodeList:
        return _codes(await zones_admin.features())

    @post("/zone-features", summary="Add a zone feature, named in Russian and English (administrators)", status_code=201, guards=[requires_admin])
    async def add_feature(self, request: Request, data: JSONBody[CodeIn]) -> CodeList:
        await zones_admin.add_feature(request.user, data.code, data.name, data.name_en)
        return _codes(await zones_admin.features())

    @patch("/zone-features/{code:str}", summary="Rename a feature an admin added, or deactivate it (zones that have it keep it) (administrators)", guards=[requires_admin])
    async def update_feature(self, request: Request, code: FromPath[bounds.ShortLine], data: JSONBody[CodePatch]) -> CodeList:
        await zones_admin.update_feature(request.user, code, data.values())
        return _codes(await zones_admin.features())
