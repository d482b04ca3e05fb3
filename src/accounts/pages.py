"""Pages about people: register, log in and out, my card, change password, staff landing and card look-up."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from src import bounds
from src.accounts import consent
from src.accounts import service as accounts_service
from src.accounts.schemas import registration_accepted_message
from src.accounts.service import AlreadyRegistered, ReaderInput
from src.branches import service as branches_service
from src.config import LANGUAGES, get_settings
from src.exceptions import AppError, FieldError, Invalid, NotFound
from src.i18n import _, current_language
from src.web.auth import client_address, end_session, language_cookie, session_token, start_session
from src.web.forms import Form, back_with_errors, safe_next
from src.web.guards import requires_login, requires_reader
from src.web.templating import flash, page, qr_svg


def _consent_context() -> dict:
    current = consent.current()
    return {"consent_text": current.consent_text(current_language()), "consent_version": current.version}


def landing_path(principal) -> str:
    """Each role's own home after logging in (issue 16, item 14)."""
    if principal.is_staff:
        return "/staff"
    if principal.is_counsellor:
        return "/guidance/counsellor"  # today's consultations
    if principal.is_teacher:
        return "/schools"  # the school's visits
    if principal.is_reader:
        return "/me/card"  # the card and the next sign-ups
    return "/"


class AccountPages(Controller):
    include_in_schema = False

    @get("/register")
    async def register_form(self, request: Request) -> Template:
        return page(request, "accounts/register.html", branches=await branches_service.list_branches(), values={}, errors={}, **_consent_context())

    @post("/register")
    async def register(self, request: Request) -> Redirect:
        form = await Form.read(request)
        values = form.data
        birth = form.date("birth_date", window=bounds.BIRTH)
        data = ReaderInput(
            full_name=form.str("full_name", 200),
            birth_date=birth,  # type: ignore[arg-type]
            home_branch=form.str("home_branch", 64),
            password=values.get("password", ""),
            consent_personal_data=form.bool("consent_personal_data"),
            email=form.str("email", 254) or None,
            phone=form.str("phone", 32) or None,
            guardian_name=form.str("guardian_name", 200),
            guardian_consent=form.bool("guardian_consent"),
            language=request.scope["state"].get("language", ""),
        )
        errors: list[FieldError] = list(form.errors)
        if values.get("password", "") != values.get("password_repeat", ""):
            errors.append(FieldError("password_repeat", _("The passwords do not match")))
        card = None
        registered = False
        if not errors:
            try:
                card = await accounts_service.register_reader(data, client=client_address(request))
                registered = True
            except AlreadyRegistered:
                registered = True  # the owner is told by e-mail; this page must look exactly like a new card's
            except AppError as error:
                errors = error.errors or [FieldError("form", error.detail)]
        if registered and data.email:
            return page(request, "accounts/registered.html", message=registration_accepted_message())
        if card is None:
            return back_with_errors(request, errors, values, to="/register")
        principal = await accounts_service.load_principal(card.account_id)
        await start_session(request, principal)
        flash(request, _("Welcome! Your reader card is ready. It is valid in every city library."))
        return Redirect(path="/me/card", status_code=303)

    @get("/login")
    async def login_form(self, request: Request, next_: Annotated[str, QueryParameter(name="next", required=False, max_length=2000, pattern=bounds.ONE_LINE_PATTERN)] = "") -> Template:
        return page(request, "accounts/login.html", next=safe_next(next_ or None, ""), values={}, errors={})

    @post("/login")
    async def login(self, request: Request) -> Redirect:
        form = await Form.read(request)
        login = form.str("login", 254)
        try:
            principal = await accounts_service.authenticate(login, form.data.get("password", ""), client=client_address(request), device=request.headers.get("user-agent", ""))
        except AppError as error:
            if error.status_code not in (401, 429):
                raise
            target = safe_next(form.data.get("next"), "")
            return back_with_errors(request, [FieldError("login", error.detail)], {"login": login}, to="/login" + (f"?next={quote(target, safe='')}" if target else ""))
        await start_session(request, principal)
        return Redirect(path=safe_next(form.data.get("next"), landing_path(principal)), status_code=303)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        await end_session(request)
        return Redirect(path="/", status_code=303)

    @get("/me/card", guards=[requires_reader])
    async def my_card(self, request: Request) -> Template:
        from src.events import queries as event_queries  # events build on accounts: imported here, not at the top

        card = await accounts_service.get_card(request.user.id)
        coming, _total = await event_queries.my_registrations(request.user.id, 1, 3, upcoming=True)
        return page(request, "accounts/card.html", card=card, qr=qr_svg(card.card_number), coming=[r for r in coming if r.status != "cancelled"])

    @get("/me/password", guards=[requires_login])
    async def password_form(self, request: Request) -> Template:
        return page(request, "accounts/password.html", errors={})

    @post("/me/password", guards=[requires_login])
    async def change_password(self, request: Request) -> Redirect:
        form = await Form.read(request)
        errors: list[FieldError] = []
        if form.data.get("new_password", "") != form.data.get("new_password_repeat", ""):
            errors.append(FieldError("new_password_repeat", _("The passwords do not match")))
        else:
            try:
                await accounts_service.change_password(
                    request.user, form.data.get("current_password", ""), form.data.get("new_password", ""), keep=session_token(request)
                )
            except Invalid as error:
                errors = error.errors
        if errors:
            return back_with_errors(request, errors, {}, to="/me/password")
        flash(request, _("Your password has been changed. Other devices have been logged out."))
        return Redirect(path=landing_path(request.user), status_code=303)

    @get("/lang/{code:str}")
    async def switch_language(
        self, code: FromPath[bounds.line(8)], next_: Annotated[str, QueryParameter(name="next", required=False, max_length=2000, pattern=bounds.ONE_LINE_PATTERN)] = "/"
    ) -> Redirect:
        """A link anyone may follow: only the cookie changes (a GET changes nothing stored)."""
        if code not in LANGUAGES:
            raise NotFound()
        response = Redirect(path=safe_next(next_), status_code=303)
        response.set_cookie(language_cookie(code, get_settings().secure_cookies))
        return response

    @post("/lang/{code:str}")
    async def save_language(self, request: Request, code: FromPath[bounds.line(8)]) -> Redirect:
        """The header's switch for a logged-in person (a form with CSRF): also the language of their e-mails."""
        if code not in LANGUAGES:
            raise NotFound()
        form = await Form.read(request)
        if request.user is not None:
            await accounts_service.set_language(request.user.id, code)
        response = Redirect(path=safe_next(form.str("next", 2000)), status_code=303)
        response.set_cookie(language_cookie(code, get_settings().secure_cookies))
        return response
