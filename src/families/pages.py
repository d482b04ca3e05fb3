"""The "Family" page: a guardian's children with their tickets, linking a card; a teenager's agreement."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from src import bounds
from src.accounts import families
from src.exceptions import AppError, FieldError
from src.families.controllers import child_out
from src.i18n import _
from src.web.forms import Form, back_with_errors
from src.web.guards import requires_reader
from src.web.templating import Confirmation, confirm_page, flash, page, qr_svg


class FamilyPages(Controller):
    path = "/me/family"
    include_in_schema = False
    guards = [requires_reader]

    @get("/")
    async def family(self, request: Request) -> Template:
        children = [await child_out(child) for child in await families.children_of(request.user.id)]
        tickets = {sign_up.ticket_code: qr_svg(sign_up.ticket_code, scale=4) for child in children for sign_up in child.sign_ups if sign_up.ticket_code and sign_up.status == "confirmed"}
        active, pending = await families.guardian_count(request.user.id)
        may_withdraw = bool(active or pending) and await families.may_withdraw(request.user.id)
        return page(
            request, "families/family.html", children=children, tickets=tickets, guardians_active=active, guardians_pending=pending, may_withdraw=may_withdraw,
            values={}, errors={},
        )

    @post("/link")
    async def link(self, request: Request) -> Redirect:
        form = await Form.read(request)
        birth = form.date("birth_date", required=False, window=bounds.BIRTH)
        values = {"card_number": form.str("card_number", 40), "birth_date": form.data.get("birth_date", "")[:10]}
        if form.errors:
            return back_with_errors(request, list(form.errors), values, to="/me/family")
        try:
            child = await families.link_child(request.user, values["card_number"], birth)
        except AppError as error:
            if error.status_code not in (403, 404, 409, 422):
                raise
            return back_with_errors(request, error.errors or [FieldError("card_number", error.detail)], values, to="/me/family")
        if child.status == families.PENDING:
            flash(request, _("Give %(name)s this code: %(code)s. The link starts once they enter it on their Family page.", name=child.full_name, code=child.agreement_code))
        else:
            flash(request, _("%(name)s's card is linked to your account.", name=child.full_name))
        return Redirect(path="/me/family", status_code=303)

    @post("/agree")
    async def agree(self, request: Request) -> Redirect:
        form = await Form.read(request)
        code = form.str("code", 40)
        try:
            await families.agree(request.user, code)
        except AppError as error:
            if error.status_code != 422:
                raise
            return back_with_errors(request, error.errors, {"code": code}, to="/me/family")
        flash(request, _("Your guardian is linked to your card."))
        return Redirect(path="/me/family", status_code=303)

    @get("/{link_id:int}/unlink")
    async def unlink_step(self, request: Request, link_id: FromPath[bounds.Id]) -> Template:
        name = await families.link_child_name(request.user, link_id)  # 404 for a link that is not this guardian's
        return confirm_page(
            request,
            Confirmation(
                title=_("Unlink the child's card"),
                subject=name,
                what_happens=[_("You will no longer sign the child up, see their tickets or receive their messages. Their sign-ups stay.")],
                confirm_label=_("Unlink"),
                back="/me/family",
            ),
        )

    @post("/{link_id:int}/unlink")
    async def unlink(self, request: Request, link_id: FromPath[bounds.Id]) -> Redirect:
        await families.unlink(request.user, link_id)
        flash(request, _("The card is unlinked."))
        return Redirect(path="/me/family", status_code=303)

    @get("/guardians/unlink")
    async def withdraw_step(self, request: Request) -> Template:
        return confirm_page(
            request,
            Confirmation(
                title=_("End the links to my card"),
                subject="",
                what_happens=[
                    _("Your parents or guardians will no longer sign you up, see your tickets or receive copies of your messages. Your sign-ups stay."),
                    _("They receive a message that the link has ended."),
                ],
                confirm_label=_("End the links"),
                back="/me/family",
            ),
        )

    @post("/guardians/unlink")
    async def withdraw(self, request: Request) -> Redirect:
        await families.withdraw_agreement(request.user)
        flash(request, _("Your card is no longer linked to a guardian's account."))
        return Redirect(path="/me/family", status_code=303)
