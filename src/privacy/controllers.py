"""API: a reader downloads everything stored about them and erases it; staff erase at a written request."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from src import bounds
from src.accounts import permissions
from src.exceptions import Forbidden
from src.i18n import _
from src.privacy import erase as privacy_erase
from src.privacy.export import export
from src.privacy.schemas import EraseRequest, ErasedOut, StaffEraseRequest, erased_out
from src.timeutil import now_utc
from src.web.guards import requires_login, requires_staff


def export_response(data: dict[str, Any]) -> Response[dict[str, Any]]:
    name = f"libspace-my-data-{now_utc().date().isoformat()}.json"
    return Response(data, headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


class MyDataApi(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    guards = [requires_login]

    @get(
        "/export",
        summary="Everything stored about me as JSON: card, contacts, consent, sign-ups, bookings, consultations (without the counsellor's private notes), survey results, messages",
    )
    async def export(self, request: Request) -> Response[dict[str, Any]]:
        if not permissions.can_export_own_data(request.user):
            raise Forbidden(_("This is for readers with a library card"))
        return export_response(await export(request.user.id))

    @post(
        "/erase",
        summary="Withdraw consent and erase my card (password): future sign-ups, bookings and consultations are cancelled, personal data erased; only anonymous counts remain",
        status_code=200,
    )
    async def erase(self, request: Request, data: JSONBody[EraseRequest]) -> ErasedOut:
        erased = await privacy_erase.erase_self(request.user, data.password)
        return erased_out(_("Your personal data has been erased and your card closed."), erased)


class StaffEraseApi(Controller):
    path = "/api/v1/readers"
    tags = ["readers"]
    guards = [requires_staff]

    @post(
        "/{card_number:str}/erase",
        summary="Erase a reader's personal data at their written request (staff of any branch; the request's reference goes to the audit log)",
        status_code=200,
    )
    async def erase(self, request: Request, card_number: FromPath[bounds.Line], data: JSONBody[StaffEraseRequest]) -> ErasedOut:
        erased = await privacy_erase.erase_by_staff(request.user, card_number, data.request_reference)
        return erased_out(_("The reader's personal data has been erased and the card closed."), erased)
