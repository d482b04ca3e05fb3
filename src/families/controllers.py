"""API: a guardian links children's cards and sees their sign-ups and tickets; a teenager agrees; staff see a
child's guardians."""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from src import bounds
from src.accounts import families
from src.accounts import service as accounts_service
from src.events import queries as events_queries
from src.events.schemas import RegistrationOut, registration_out
from src.web.guards import requires_reader, requires_staff


class ChildLink(bounds.Input):
    card_number: bounds.line(40, description="The number on the child's card")
    birth_date: bounds.BirthDate


class GuardianAgreement(bounds.Input):
    code: bounds.line(40, description="The agreement code the guardian received when asking for the link")


class ChildOut(msgspec.Struct):
    link_id: int
    card_number: str
    full_name: str
    birth_date: date
    status: str
    agreement_code: str | None = None  # a teenager's link: pass it on; the teenager enters it to agree
    sign_ups: list[RegistrationOut] = []


class GuardiansOut(msgspec.Struct):
    active: int
    pending: int


class GuardianOut(msgspec.Struct):
    link_id: int
    full_name: str
    card_number: str | None
    status: str


async def child_out(child: families.Child, with_sign_ups: bool = True) -> ChildOut:
    sign_ups: list[RegistrationOut] = []
    if with_sign_ups and child.status == families.ACTIVE:
        rows, _total = await events_queries.my_registrations(child.account_id, 1, 100, upcoming=True)
        sign_ups = [registration_out(row, with_event=True) for row in rows]
    return ChildOut(
        link_id=child.link_id, card_number=child.card_number, full_name=child.full_name, birth_date=child.birth_date, status=child.status,
        agreement_code=child.agreement_code or None, sign_ups=sign_ups,
    )


class FamilyApi(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    guards = [requires_reader]

    @get("/children", summary="My linked children with their upcoming sign-ups and tickets")
    async def children(self, request: Request) -> list[ChildOut]:
        return [await child_out(child) for child in await families.children_of(request.user.id)]

    @post(
        "/children",
        summary="Link a child's card (number and birth date): under 14 at once; 14 to 17 pending until the teenager enters the agreement code",
        status_code=201,
    )
    async def link(self, request: Request, data: JSONBody[ChildLink]) -> ChildOut:
        return await child_out(await families.link_child(request.user, data.card_number, data.birth_date), with_sign_ups=False)

    @post("/children/{link_id:int}/unlink", summary="End the link to a child's card", status_code=204)
    async def unlink(self, request: Request, link_id: FromPath[bounds.Id]) -> None:
        await families.unlink(request.user, link_id)

    @get("/guardians", summary="How many guardians are linked to my card, and how many wait for my agreement (no names)")
    async def guardians(self, request: Request) -> GuardiansOut:
        active, pending = await families.guardian_count(request.user.id)
        return GuardiansOut(active=active, pending=pending)

    @post("/guardians/agree", summary="A teenager agrees to a guardian's link with the code the guardian passed on", status_code=204)
    async def agree(self, request: Request, data: JSONBody[GuardianAgreement]) -> None:
        await families.agree(request.user, data.code)

    @post("/guardians/unlink", summary="A teenager (14 to 17) withdraws their agreement: every guardian's link to their card ends (the guardians are told)", status_code=204)
    async def withdraw(self, request: Request) -> None:
        await families.withdraw_agreement(request.user)


class ReaderGuardiansApi(Controller):
    path = "/api/v1/readers"
    tags = ["readers"]
    guards = [requires_staff]

    @get("/{card_number:str}/guardians", summary="The guardians linked to a child's card (staff only)")
    async def guardians(self, request: Request, card_number: FromPath[bounds.Line]) -> list[GuardianOut]:
        card = await accounts_service.find_card(card_number)
        return [GuardianOut(link_id=g.link_id, full_name=g.full_name, card_number=g.card_number, status=g.status) for g in await families.guardians_of(request.user, card.account_id)]

    @post("/{card_number:str}/guardians/{link_id:int}/unlink", summary="End a guardian's link to a child's card (staff at the desk; both sides are told)", status_code=204)
    async def unlink(self, request: Request, card_number: FromPath[bounds.Line], link_id: FromPath[bounds.Id]) -> None:
        card = await accounts_service.find_card(card_number)
        await families.unlink(request.user, link_id, child_id=card.account_id)
