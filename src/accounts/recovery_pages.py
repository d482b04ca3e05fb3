"""Pages to get into an account without its password: activate a card (online or with a desk code), forgot
the password, choose a password with a one-time link; and the personal-data policy."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from src import bounds
from src.accounts import consent, recovery, tokens
from src.accounts.pages import landing_path
from src.exceptions import AppError, FieldError, Invalid
from src.i18n import _, current_language
from src.markup import render_markdown
from src.web.auth import client_address, start_session
from src.web.forms import Form, back_with_errors
from src.web.templating import flash, page

TOKEN_PAGES = ("/activate/{token:str}", "/password/reset/{token:str}", "/password/set/{token:str}")


def _form_failure(request: Request, error: AppError, values: dict) -> Redirect:
    """Back to the form's own address with what was typed and the errors (the error pattern)."""
    if error.status_code not in (422, 429):
        raise error
    return back_with_errors(request, error.errors or [FieldError("form", error.detail)], values)


class RecoveryPages(Controller):
    include_in_schema = False

    @get("/activate")
    async def activate_form(self, request: Request) -> Template:
        return page(request, "accounts/activate.html", values={}, errors={})

    @post("/activate")
    async def activate(self, request: Request) -> Template | Redirect:
        form = await Form.read(request)
        values = {"card_number": form.str("card_number", 40), "birth_date": form.data.get("birth_date", "")[:10], "contact": form.str("contact", 254)}
        birth = form.date("birth_date", required=False)
        try:
            if form.errors:  # a date that does not parse: say so, with whatever else is wrong
                try:
                    await recovery.prepare_activation(values["card_number"], None, values["contact"])
                except Invalid as other:
                    raise Invalid(errors=form.errors + [e for e in other.errors if e.field != "birth_date"]) from None
                raise Invalid(errors=form.errors)
            prepared = await recovery.prepare_activation(values["card_number"], birth, values["contact"], client_address(request))
        except AppError as error:
            return _form_failure(request, error, values)
        response = page(request, "accounts/link_sent.html", what="activation")
        response.background = BackgroundTask(recovery.send_activation, prepared)
        return response

    @get("/activate/code")
    async def code_form(self, request: Request, code: Annotated[str, QueryParameter(required=False, max_length=100)] = "") -> Template | Redirect:
        """A desk code typed by hand (the QR opens /activate/{code} directly)."""
        if code.strip():
            normalized = tokens.normalize(code)
            if normalized is not None:
                return Redirect(path=f"/activate/{normalized}", status_code=303)
            message = _("This link or code is not valid. Check that it is complete, or ask for a new one.")
            return page(request, "accounts/code.html", status_code=422, values={"code": code}, errors={"code": message}, error_list=[FieldError("code", message)])
        return page(request, "accounts/code.html", values={}, errors={})

    @get("/password/forgot")
    async def forgot_form(self, request: Request) -> Template:
        return page(request, "accounts/forgot.html", values={}, errors={})

    @post("/password/forgot")
    async def forgot(self, request: Request) -> Template | Redirect:
        form = await Form.read(request)
        values = {"login": form.str("login", 254)}
        try:
            prepared = await recovery.prepare_reset(values["login"], client_address(request))
        except AppError as error:
            return _form_failure(request, error, values)
        response = page(request, "accounts/link_sent.html", what="reset")
        response.background = BackgroundTask(recovery.send_reset, prepared)
        return response

    @get("/password/reset")
    async def reset_by_query(self, token: Annotated[str, QueryParameter(required=False, max_length=100)] = "") -> Redirect:
        """Links may carry the token as ``?token=``."""
        normalized = tokens.normalize(token)
        return Redirect(path=f"/password/reset/{normalized}" if normalized else "/password/forgot", status_code=303)

    @get(list(TOKEN_PAGES))
    async def set_password_form(self, request: Request, token: FromPath[bounds.Line]) -> Template:
        try:
            view = await recovery.view_token(token, client_address(request))
        except AppError as error:
            return _token_problem(request, error)
        return _set_password_page(request, view)

    @post(list(TOKEN_PAGES))
    async def set_password(self, request: Request, token: FromPath[bounds.Line]) -> Template | Redirect:
        form = await Form.read(request)
        password = form.data.get("password", "")
        consent_given = form.bool("consent_personal_data")
        try:
            view = await recovery.view_token(token, client_address(request))
        except AppError as error:
            return _token_problem(request, error)
        errors: list[FieldError] = []
        if password != form.data.get("password_repeat", ""):
            errors.append(FieldError("password_repeat", _("The passwords do not match")))
        else:
            try:
                principal = await recovery.set_password(token, password, consent_given, client_address(request))
            except AppError as error:
                if error.status_code == 410 or (error.errors and error.errors[0].field == "token"):
                    return _token_problem(request, error)
                if error.status_code != 422:
                    raise
                errors = error.errors or [FieldError("password", error.detail)]
        if errors:
            return back_with_errors(request, errors, {"consent_personal_data": "on" if consent_given else ""})
        await start_session(request, principal)
        flash(request, _("Your card is active. Welcome!") if view.activating else _("Your new password is set. Other devices have been logged out."))
        return Redirect(path=landing_path(principal), status_code=303)

    @get("/privacy")
    async def privacy(self, request: Request) -> Template:
        current = consent.current()
        language = current_language()
        return page(request, "accounts/privacy.html", version=current.version, consent_text=current.consent_text(language), policy=render_markdown(current.policy(language)))


def _token_problem(request: Request, error: AppError) -> Template:
    if error.status_code not in (410, 422, 429):
        raise error
    return page(request, "accounts/token_problem.html", status_code=error.status_code, detail=error.detail)


def _set_password_page(request: Request, view: recovery.TokenView) -> Template:
    current = consent.current()
    return page(
        request,
        "accounts/set_password.html",
        view=view,
        action=request.url.path,
        values={},
        errors={},
        error_list=[],
        consent_text=current.consent_text(current_language()),
        consent_version=current.version,
    )
