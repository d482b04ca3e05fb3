"""Pages: "My data" (consent, download, erase), and the desk's erasure at a written request."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from src import bounds
from src.accounts import consent
from src.accounts import service as accounts_service
from src.exceptions import AppError, FieldError
from src.i18n import _
from src.privacy import erase as privacy_erase
from src.privacy.controllers import export_response
from src.privacy.export import export
from src.web.auth import end_session
from src.web.forms import Form, back_with_errors
from src.web.guards import requires_reader, requires_staff
from src.web.templating import Confirmation, confirm_page, flash, page


def _what_erasure_does() -> list[str]:
    return [
        _("Your future sign-ups, zone bookings and consultations are cancelled; people on waiting lists get the seats."),
        _("Your name, e-mail, phone, birth date and card number are erased everywhere, and the card is closed for good."),
        _("For the library's statistics only an anonymous remainder stays: the year of birth (for the age group), the home library and the dates of past visits, with nothing that names you."),
        _("This cannot be undone: for a new card, register again."),
    ]


class MyDataPages(Controller):
    path = "/me/data"
    include_in_schema = False
    guards = [requires_reader]

    @get("/")
    async def overview(self, request: Request) -> Template:
        card = await accounts_service.get_card(request.user.id)
        return page(request, "privacy/my_data.html", card=card, current_version=consent.current().version)

    @get("/export")
    async def download(self, request: Request) -> Response[dict[str, Any]]:
        return export_response(await export(request.user.id))

    @get("/erase")
    async def erase_form(self, request: Request) -> Template:
        return page(request, "privacy/erase.html", what_happens=_what_erasure_does(), values={}, errors={})

    @post("/erase")
    async def erase(self, request: Request) -> Redirect:
        form = await Form.read(request)
        if not form.bool("confirm"):
            return back_with_errors(request, [FieldError("confirm", _("Tick the box to confirm that you want to erase your data"))], {}, to="/me/data/erase")
        try:
            await privacy_erase.erase_self(request.user, form.data.get("password", ""))
        except AppError as error:
            if error.status_code != 422:
                raise
            return back_with_errors(request, error.errors or [FieldError("password", error.detail)], {"confirm": "on"}, to="/me/data/erase")
        await end_session(request)
        request.set_session({})  # a new, empty session just to carry the goodbye
        flash(request, _("Your personal data has been erased and your card closed. Thank you for being our reader."))
        return Redirect(path="/", status_code=303)


class StaffErasePages(Controller):
    path = "/staff/readers"
    include_in_schema = False
    guards = [requires_staff]

    @get("/{card_number:str}/erase")
    async def erase_step(self, request: Request, card_number: FromPath[bounds.Line]) -> Template:
        view = await accounts_service.find_card(card_number)
        return confirm_page(
            request,
            Confirmation(
                title=_("Erase the reader's personal data"),
                subject=_("%(name)s, card %(card)s", name=view.full_name, card=view.card_number),
                what_happens=_what_erasure_does(),
                confirm_label=_("Erase the data"),
                back=f"/staff/readers/{view.card_number}",
                reason_label=_("The number and date of the reader's written request"),
                reason_required=True,
            ),
        )

    @post("/{card_number:str}/erase")
    async def erase(self, request: Request, card_number: FromPath[bounds.Line]) -> Redirect:
        form = await Form.read(request)
        reference = form.str("reason", 300)
        try:
            await privacy_erase.erase_by_staff(request.user, card_number, reference)
        except AppError as error:
            if error.status_code != 422:
                raise
            return back_with_errors(request, [FieldError("reason", message.message) for message in error.errors] or [FieldError("reason", error.detail)], {"reason": reference}, to=request.url.path)
        flash(request, _("The reader's personal data has been erased and the card closed."))
        return Redirect(path="/staff/readers", status_code=303)
