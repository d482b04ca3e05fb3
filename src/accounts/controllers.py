"""People API: register a reader card, get a token, who am I, staff look-up by card number."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from src import bounds
from src.accounts import desk, recovery
from src.accounts import service as accounts_service
from src.accounts.schemas import (
    AccessCodeOut,
    AcceptedOut,
    ActivateRequest,
    CardBlock,
    CardReplace,
    CardUnblock,
    ReaderHit,
    ReaderPatch,
    ReaderSearchOut,
    CardOut,
    MeOut,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    ReaderCreate,
    RegistrationAccepted,
    TokenOut,
    TokenRequest,
    card_out,
    registration_accepted_message,
)
from src.accounts.service import AlreadyRegistered, ReaderInput
from src.branches import service as branches_service
from src.i18n import _
from src.web.auth import bearer_token, client_address
from src.web.guards import requires_login, requires_staff


class ReaderApi(Controller):
    path = "/api/v1/readers"
    tags = ["readers"]

    @post(
        "/",
        summary="Register a reader and issue one card valid in every branch",
        description="Without an e-mail: 201 with the card. With an e-mail: 202, and the card number arrives by e-mail "
        "(an address that already has an account gets a message instead, and the answer is the same).",
        status_code=201,
        responses={202: ResponseSpec(data_container=RegistrationAccepted, description="Check the mailbox")},
    )
    async def register(self, request: Request, data: JSONBody[ReaderCreate]) -> Response[CardOut | RegistrationAccepted]:
        try:
            card = await self._register(request, data)
        except AlreadyRegistered:
            card = None
        if data.email:
            return Response(RegistrationAccepted(detail=registration_accepted_message()), status_code=202)
        assert card is not None
        return Response(card_out(card), status_code=201)

    async def _register(self, request: Request, data: ReaderCreate):
        return await accounts_service.register_reader(
            ReaderInput(
                full_name=data.full_name,
                birth_date=data.birth_date,
                home_branch=data.home_branch,
                password=data.password,
                consent_personal_data=data.consent_personal_data,
                email=data.email,
                phone=data.phone,
                guardian_name=data.guardian_name,
                guardian_consent=data.guardian_consent,
                language=request.scope["state"].get("language", ""),
            ),
            client=client_address(request),
        )

    @get(
        "/",
        summary="Desk search: a reader by card number (also a replaced one), e-mail, phone or part of the name (staff of any branch)",
        guards=[requires_staff],
    )
    async def search(self, request: Request, q: FromQuery[bounds.Line] = "") -> ReaderSearchOut:
        found = await desk.search(request.user, q)
        return ReaderSearchOut(items=[ReaderHit(card=card_out(hit.card), found_by_replaced_number=hit.retired_number) for hit in found])

    @get(
        "/{card_number:str}",
        summary="Find a reader by card number (staff of any branch)",
        description="403 with `replaced_by` for the number of a replaced card.",
        guards=[requires_staff],
    )
    async def find(self, card_number: FromPath[bounds.Line]) -> CardOut:
        return card_out(await accounts_service.find_card(card_number))

    @patch(
        "/{card_number:str}",
        summary="Correct a reader's name, e-mail, phone, home branch or birth date (staff of any branch; audit-logged, the reader is told)",
        guards=[requires_staff],
    )
    async def update(self, request: Request, card_number: FromPath[bounds.Line], data: JSONBody[ReaderPatch]) -> CardOut:
        changes = desk.ReaderChanges(full_name=data.full_name, email=data.email, phone=data.phone, home_branch=data.home_branch, birth_date=data.birth_date)
        return card_out(await desk.update_reader(request.user, card_number, changes))

    @post(
        "/{card_number:str}/replace",
        summary="Replace a lost or damaged card: a new number; the old one answers \"replaced by …\"; sign-ups, bookings, consultations and history stay with the reader",
        status_code=200,
        guards=[requires_staff],
    )
    async def replace(self, request: Request, card_number: FromPath[bounds.Line], data: JSONBody[CardReplace]) -> CardOut:
        return card_out(await desk.replace_card(request.user, card_number, data.reason, data.new_card_number))

    @post(
        "/{card_number:str}/block",
        summary="Block a card with a reason: sign-ups, bookings and consultations answer 403 with it until unblocked",
        status_code=200,
        guards=[requires_staff],
    )
    async def block(self, request: Request, card_number: FromPath[bounds.Line], data: JSONBody[CardBlock]) -> CardOut:
        return card_out(await desk.block(request.user, card_number, data.reason))

    @post("/{card_number:str}/unblock", summary="Unblock a card", status_code=200, guards=[requires_staff])
    async def unblock(self, request: Request, card_number: FromPath[bounds.Line], data: JSONBody[CardUnblock]) -> CardOut:
        return card_out(await desk.unblock(request.user, card_number, data.reason))

    @post(
        "/{card_number:str}/access-code",
        summary="A one-time access code (valid 7 days) to activate the card or set a new password; earlier links and codes stop working",
        status_code=201,
        guards=[requires_staff],
    )
    async def access_code(self, request: Request, card_number: FromPath[bounds.Line]) -> AccessCodeOut:
        card, issued = await desk.access_code(request.user, card_number)
        return AccessCodeOut(card_number=card.card_number, code=issued.display, url=desk.code_url(issued), expires_at=issued.expires_at)


class AuthApi(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/token", summary="Exchange a card number or e-mail and password for a bearer token", status_code=200)
    async def token(self, request: Request, data: JSONBody[TokenRequest]) -> TokenOut:
        principal = await accounts_service.authenticate(data.login, data.password, client=client_address(request), device=request.headers.get("user-agent", ""))
        token, expires_at = await accounts_service.issue_token(principal)
        return TokenOut(access_token=token, expires_at=expires_at)

    @post(
        "/activate",
        summary="Activate an imported card: card number, birth date and the e-mail or phone on file; a one-time link goes to the e-mail",
        description="Always 202 for well-formed input, whether or not anything matched (nothing about the card or address is revealed). "
        "422 for malformed input, 429 when tried too often for this card or from this address.",
        status_code=202,
    )
    async def activate(self, request: Request, data: JSONBody[ActivateRequest]) -> Response[AcceptedOut]:
        prepared = await recovery.prepare_activation(data.card_number, data.birth_date, data.contact, client_address(request))
        return Response(
            AcceptedOut(detail=_("If these details match a card with an e-mail address, a link to activate it has been sent there.")),
            status_code=202,
            background=BackgroundTask(recovery.send_activation, prepared),
        )

    @post(
        "/password-reset",
        summary="Ask for a password-reset link by e-mail (single use, valid one hour)",
        description="Always 202 for a well-formed e-mail or card number, whether or not there is such an account; 429 when tried too often.",
        status_code=202,
    )
    async def password_reset(self, request: Request, data: JSONBody[PasswordResetRequest]) -> Response[AcceptedOut]:
        prepared = await recovery.prepare_reset(data.login, client_address(request))
        return Response(
            AcceptedOut(detail=_("If there is an account with this e-mail or card, a link to choose a new password has been sent to its e-mail.")),
            status_code=202,
            background=BackgroundTask(recovery.send_reset, prepared),
        )

    @post(
        "/password-reset/confirm",
        summary="Choose a password with the token of an activation or reset link, or a desk code; ends every other session and token",
        description="Answers a bearer token for this client. 422 for a weak password or a token that is not ours, 410 for a used, expired "
        "or replaced one.",
        status_code=200,
    )
    async def password_reset_confirm(self, request: Request, data: JSONBody[PasswordResetConfirm]) -> TokenOut:
        principal = await recovery.set_password(data.token, data.password, data.consent_personal_data, client_address(request))
        token, expires_at = await accounts_service.issue_token(principal)
        return TokenOut(access_token=token, expires_at=expires_at)

    @post("/logout", summary="Revoke the bearer token of this request", status_code=204, guards=[requires_login])
    async def logout(self, request: Request) -> None:
        await accounts_service.revoke_token(bearer_token(request))


class MeApi(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    guards = [requires_login]

    @get("/", summary="The caller: role, branches and reader card")
    async def me(self, request: Request) -> MeOut:
        principal = request.user
        card = None
        if principal.card_number:  # the guardian's data is for staff only, not on the child's own card
            card = msgspec.structs.replace(card_out(await accounts_service.get_card(principal.id)), guardian_name="")
        slugs = [branch.slug for branch in await branches_service.list_branches() if branch.id in principal.branch_ids]
        return MeOut(
            id=principal.id,
            role=principal.role,
            full_name=principal.full_name,
            email=principal.email,
            language=principal.language,
            branches=slugs,
            card=card,
        )

    @post("/password", summary="Change the password; every token and session of the account stops working (this one too)", status_code=204)
    async def change_password(self, request: Request, data: JSONBody[PasswordChange]) -> None:
        await accounts_service.change_password(request.user, data.current_password, data.new_password)


