"""Reminder settings: the API, the page, and the one-click stop link of reminder e-mails."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from src import bounds
from src.exceptions import Invalid
from src.i18n import _
from src.notifications import preferences, rules
from src.notifications.schemas import RemindersIn, RemindersOut
from src.web.guards import requires_login
from src.web.templating import flash, page


def _valid_hours(hours: list[int]) -> tuple[int, ...]:
    if any(value not in rules.ALLOWED_REMINDER_HOURS for value in hours):
        raise Invalid.one("hours", _("Reminders can be %(values)s hours before", values=", ".join(map(str, rules.ALLOWED_REMINDER_HOURS))))
    return tuple(sorted(set(hours), reverse=True))


def _out(enabled: bool, hours: tuple[int, ...]) -> RemindersOut:
    return RemindersOut(enabled=enabled, hours=list(hours), allowed_hours=list(rules.ALLOWED_REMINDER_HOURS))


class MyRemindersApi(Controller):
    path = "/api/v1/me/reminders"
    tags = ["me"]
    guards = [requires_login]

    @get("/", summary="The caller's reminders: on or off, and how many hours before")
    async def show(self, request: Request) -> RemindersOut:
        return _out(*await preferences.reminder_hours(request.user.id))

    @put("/", summary="Change the caller's reminders")
    async def change(self, request: Request, data: JSONBody[RemindersIn]) -> RemindersOut:
        hours = _valid_hours(data.hours)
        await preferences.set_reminders(request.user.id, data.enabled, hours)
        return _out(data.enabled, hours)


class ReminderPages(Controller):
    include_in_schema = False

    @get("/me/reminders", guards=[requires_login])
    async def form(self, request: Request) -> Template:
        enabled, hours = await preferences.reminder_hours(request.user.id)
        return page(request, "notifications/reminders.html", enabled=enabled, hours=hours, allowed=rules.ALLOWED_REMINDER_HOURS)

    @post("/me/reminders", guards=[requires_login])
    async def save(self, request: Request) -> Redirect:
        form = await request.form()
        hours = tuple(int(value) for value in form.getall("hours", []) if str(value).isdigit() and int(value) in rules.ALLOWED_REMINDER_HOURS) if hasattr(form, "getall") else ()
        await preferences.set_reminders(request.user.id, form.get("enabled") == "on", hours)
        flash(request, _("Your reminder settings are saved"))
        return Redirect(path="/me/reminders", status_code=303)

    @get("/reminders/off/{account_id:int}/{signature:str}")
    async def confirm_off(self, request: Request, account_id: FromPath[bounds.Id], signature: FromPath[bounds.Line]) -> Template:
        preferences.check_unsubscribe(account_id, signature)
        return page(request, "notifications/unsubscribe.html", done=False)

    @post("/reminders/off/{account_id:int}/{signature:str}", status_code=200)
    async def turn_off(self, request: Request, account_id: FromPath[bounds.Id], signature: FromPath[bounds.Line]) -> Template:
        """Also RFC 8058's one-click unsubscribe: mail clients POST here without a session or a CSRF token."""
        await preferences.unsubscribe(account_id, signature)
        return page(request, "notifications/unsubscribe.html", done=True)
