"""The desk's pages (staff of any branch): find a reader, their card with its history, correct details,
replace a lost card, block and unblock, print a one-time access code with its QR."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from src import bounds
from src.accounts import desk, families, rules
from src.accounts import service as accounts_service
from src.accounts.exceptions import CardReplaced
from src.branches import service as branches_service
from src.exceptions import AppError, FieldError, NotFound
from src.i18n import _
from src.web.forms import Form, back_with_errors
from src.web.guards import requires_staff
from src.web.templating import Confirmation, confirm_page, flash, page, qr_svg


def _actions() -> dict[str, str]:
    """What the card's history calls each audited action."""
    return {
        "register": _("registered online"),
        "import": _("imported from the old library system"),
        "update": _("details corrected"),
        "replace_card": _("card replaced"),
        "block": _("card blocked"),
        "unblock": _("card unblocked"),
        "access_code": _("access code issued"),
        "activate": _("card activated"),
        "reset_password": _("new password set"),
        "import_update": _("updated from the old library system"),
        "link_child": _("linked to a guardian's account"),
        "agree_guardian": _("the teenager agreed to the guardian's link"),
        "unlink_child": _("link to a guardian's account ended"),
        "change_password": _("password changed"),
    }


def _reader_path(card_number: str) -> str:
    return f"/staff/readers/{quote(card_number, safe='')}"


def _failure(request: Request, error: AppError, values: dict, to: str) -> Redirect:
    if error.status_code not in (403, 409, 422):
        raise error
    return back_with_errors(request, error.errors or [FieldError("form", error.detail)], values, to=to)


class DeskPages(Controller):
    path = "/staff/readers"
    include_in_schema = False
    guards = [requires_staff]

    @get("/")
    async def find(self, request: Request, q: FromQuery[bounds.Line] = "", card: FromQuery[bounds.Line] = "") -> Template | Redirect:
        """Search by scanned or typed card, name, e-mail or phone; one card found by its number opens at once."""
        query = (q or card).strip()
        found: list[desk.Found] = []
        if query:
            found = await desk.search(request.user, query)
            if len(found) == 1 and rules.looks_like_card(query.rsplit("/", 1)[-1]) and found[0].retired_number is None:
                return await self._card_page(request, found[0].card)
        return page(
            request, "accounts/reader_lookup.html", q=query, found=found,
            status_code=404 if query and not found else 200,
        )

    @get("/{card_number:str}")
    async def card(self, request: Request, card_number: FromPath[bounds.Line]) -> Template | Redirect:
        try:
            view = await accounts_service.find_card(card_number)
        except CardReplaced as replaced:
            flash(request, replaced.detail)
            return Redirect(path=_reader_path(replaced.extra["replaced_by"]), status_code=303)
        return await self._card_page(request, view)

    async def _card_page(self, request: Request, view: accounts_service.CardView) -> Template:
        branches = await branches_service.list_branches()
        values = {"full_name": view.full_name, "email": view.email or "", "phone": view.phone or "", "home_branch": view.home_branch_slug, "birth_date": view.birth_date.isoformat()}
        return page(
            request, "accounts/desk_reader.html", found=view, history=await desk.history(view), actions=_actions(),
            guardians=await families.guardians_of(request.user, view.account_id), children=await families.children_of(view.account_id),
            branches=[(branch.slug, branch.name) for branch in branches], values=values, errors={},
        )

    @post("/{card_number:str}/edit")
    async def edit(self, request: Request, card_number: FromPath[bounds.Line]) -> Redirect:
        form = await Form.read(request)
        birth = form.date("birth_date", required=False, window=bounds.BIRTH)
        values = {name: form.str(name, 254) for name in ("full_name", "email", "phone", "home_branch")}
        to = _reader_path(card_number)
        if form.errors:
            return back_with_errors(request, list(form.errors), {**values, "birth_date": form.data.get("birth_date", "")}, to=to)
        try:
            await desk.update_reader(request.user, card_number, desk.ReaderChanges(birth_date=birth, **values))
        except AppError as error:
            return _failure(request, error, {**values, "birth_date": form.data.get("birth_date", "")}, to)
        flash(request, _("The reader's details are saved; the reader has been told."))
        return Redirect(path=to, status_code=303)

    @get("/{card_number:str}/replace")
    async def replace_step(self, request: Request, card_number: FromPath[bounds.Line]) -> Template:
        view = await accounts_service.find_card(card_number)
        return confirm_page(
            request,
            Confirmation(
                title=_("Replace the card"),
                subject=_("%(name)s, card %(card)s", name=view.full_name, card=view.card_number),
                what_happens=[
                    _("The reader gets a new card number; the old card stops working and answers \"replaced by …\" at the desk."),
                    _("Sign-ups, bookings, consultations and the history stay with the reader on the new card."),
                    _("The reader receives a message with the new number."),
                ],
                confirm_label=_("Replace the card"),
                back=_reader_path(view.card_number),
                reason_label=_("Why (lost, damaged, …): the reader reads it"),
                reason_required=True,
            ),
        )

    @post("/{card_number:str}/replace")
    async def replace(self, request: Request, card_number: FromPath[bounds.Line]) -> Redirect:
        form = await Form.read(request)
        reason = form.str("reason", desk.REASON_LENGTH)
        try:
            view = await desk.replace_card(request.user, card_number, reason)
        except AppError as error:
            return _failure(request, error, {"reason": reason}, request.url.path)
        flash(request, _("The new card number is %(card)s. Write it on the new card or print it.", card=view.card_number))
        return Redirect(path=_reader_path(view.card_number), status_code=303)

    @get("/{card_number:str}/block")
    async def block_step(self, request: Request, card_number: FromPath[bounds.Line]) -> Template:
        view = await accounts_service.find_card(card_number)
        return confirm_page(
            request,
            Confirmation(
                title=_("Block the card"),
                subject=_("%(name)s, card %(card)s", name=view.full_name, card=view.card_number),
                what_happens=[
                    _("The reader cannot sign up for events, book zones or consultations until the card is unblocked; they see the reason."),
                    _("Existing sign-ups and bookings stay as they are."),
                    _("The reader receives a message with the reason."),
                ],
                confirm_label=_("Block the card"),
                back=_reader_path(view.card_number),
                reason_label=_("Why: the reader reads it"),
                reason_required=True,
            ),
        )

    @post("/{card_number:str}/block")
    async def block(self, request: Request, card_number: FromPath[bounds.Line]) -> Redirect:
        form = await Form.read(request)
        reason = form.str("reason", desk.REASON_LENGTH)
        try:
            await desk.block(request.user, card_number, reason)
        except AppError as error:
            return _failure(request, error, {"reason": reason}, request.url.path)
        flash(request, _("The card is blocked."))
        return Redirect(path=_reader_path(card_number), status_code=303)

    @post("/{card_number:str}/unblock")
    async def unblock(self, request: Request, card_number: FromPath[bounds.Line]) -> Redirect:
        form = await Form.read(request)
        try:
            await desk.unblock(request.user, card_number, form.str("reason", desk.REASON_LENGTH))
        except AppError as error:
            return _failure(request, error, {}, _reader_path(card_number))
        flash(request, _("The card is unblocked."))
        return Redirect(path=_reader_path(card_number), status_code=303)

    @get("/{card_number:str}/guardians/{link_id:int}/unlink")
    async def unlink_step(self, request: Request, card_number: FromPath[bounds.Line], link_id: FromPath[bounds.Id]) -> Template:
        view = await accounts_service.find_card(card_number)
        guardian = next((item for item in await families.guardians_of(request.user, view.account_id) if item.link_id == link_id), None)
        if guardian is None:
            raise NotFound(_("There is no such link"))
        return confirm_page(
            request,
            Confirmation(
                title=_("End the family link"),
                subject=_("%(guardian)s and the card %(card)s of %(name)s", guardian=guardian.full_name, card=view.card_number, name=view.full_name),
                what_happens=[
                    _("The guardian no longer signs the child up, sees their tickets or receives copies of their messages. The child's sign-ups stay."),
                    _("Both are told that the link has ended (the child learns nothing about the guardian)."),
                ],
                confirm_label=_("End the link"),
                back=_reader_path(view.card_number),
            ),
        )

    @post("/{card_number:str}/guardians/{link_id:int}/unlink")
    async def unlink(self, request: Request, card_number: FromPath[bounds.Line], link_id: FromPath[bounds.Id]) -> Redirect:
        view = await accounts_service.find_card(card_number)
        await families.unlink(request.user, link_id, child_id=view.account_id)
        flash(request, _("The family link has ended; both sides have been told."))
        return Redirect(path=_reader_path(view.card_number), status_code=303)

    @post("/{card_number:str}/access-code")
    async def access_code(self, request: Request, card_number: FromPath[bounds.Line]) -> Redirect:
        card, issued = await desk.access_code(request.user, card_number)
        return Redirect(path=f"{_reader_path(card.card_number)}/access-code/{issued.id}", status_code=303)

    @get("/{card_number:str}/access-code/{token_id:int}")
    async def show_code(self, request: Request, card_number: FromPath[bounds.Line], token_id: FromPath[bounds.Id]) -> Template:
        """The slip to print or show: the code, its QR (opens the set-password page with it) and its expiry."""
        view = await accounts_service.find_card(card_number)
        shown = await desk.shown_code(request.user, view, token_id)
        if shown is None:
            raise NotFound(_("This code can no longer be used: issue a new one"))
        code, url, expires_at = shown
        return page(request, "accounts/desk_code.html", found=view, code=code, url=url, expires_at=expires_at, qr=qr_svg(url))
