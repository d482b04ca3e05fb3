"""Reminder settings and message preferences ("my messages": categories per channel, Telegram): the API, the
pages, and the one-click unsubscribe links of non-essential e-mails (RFC 8058, no login needed)."""

from __future__ import annotations

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from src import bounds
from src.clock import now as clock_now
from src.exceptions import AppError, Conflict, FieldError, Invalid
from src.i18n import _
from src.notifications import preferences, registry, rules, telegram
from src.notifications.schemas import CategoryOut, MessagesIn, MessagesOut, RemindersIn, RemindersOut, TelegramLinkOut, TelegramOut
from src.web.guards import requires_login
from src.web.templating import Confirmation, confirm_page, flash, page


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


# --- my messages: what comes on which channel, and Telegram ---------------------------------------------------

SERVICE = "service"


def category_names() -> dict[str, str]:
    return {SERVICE: _("Service messages: tickets, changes, cancellations, your account"), registry.REMINDERS: _("Reminders"), registry.WAITLIST: _("Waiting-list news")}


async def _messages_out(account_id: int) -> MessagesOut:
    chosen = await preferences.choices(account_id)
    link = await telegram.link_of(account_id)
    categories = [CategoryOut(SERVICE, True, True, True)] + [
        CategoryOut(category, False, chosen[(category, preferences.EMAIL)], chosen[(category, preferences.TELEGRAM)]) for category in registry.CATEGORIES
    ]
    return MessagesOut(categories, TelegramOut(telegram.bot() is not None, link is not None, (link or {}).get("username", "")))


def _valid_choices(data: MessagesIn) -> dict[tuple[str, str], bool]:
    errors = []
    for index, choice in enumerate(data.choices):
        if choice.category == SERVICE:
            errors.append(FieldError(f"choices[{index}].category", _("Service messages cannot be switched off")))
        elif choice.category not in registry.CATEGORIES:
            errors.append(FieldError(f"choices[{index}].category", _("Choose one of: %(values)s", values=", ".join(registry.CATEGORIES))))
        if choice.channel not in preferences.CHANNELS:
            errors.append(FieldError(f"choices[{index}].channel", _("Choose one of: %(values)s", values=", ".join(preferences.CHANNELS))))
    if errors:
        raise Invalid(errors[0].message, errors)
    return {(choice.category, choice.channel): choice.enabled for choice in data.choices}


async def _start_linking(account_id: int) -> telegram.Linking:
    api = telegram.bot()
    if api is None:
        raise Conflict(_("Telegram is not set up in this library"))
    try:
        return await telegram.start_linking(account_id, clock_now(), api)
    except telegram.TelegramError:
        raise AppError(detail=_("Telegram does not answer right now. Please try again in a minute."), status_code=503, headers={"Retry-After": "60"}) from None


class MyMessagesApi(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    guards = [requires_login]

    @get("/messages", summary="What the caller receives on which channel (e-mail, Telegram), and their Telegram link")
    async def show(self, request: Request) -> MessagesOut:
        return await _messages_out(request.user.id)

    @put("/messages", summary="Switch categories of non-essential messages on or off per channel (service messages stay on)")
    async def change(self, request: Request, data: JSONBody[MessagesIn]) -> MessagesOut:
        await preferences.set_choices(request.user.id, _valid_choices(data))
        return await _messages_out(request.user.id)

    @post("/telegram", summary="A one-time deep link that links the caller's Telegram (open it, press Start)")
    async def link_telegram(self, request: Request) -> TelegramLinkOut:
        linking = await _start_linking(request.user.id)
        return TelegramLinkOut(url=linking.url, expires_at=linking.expires_at)

    @delete("/telegram", summary="Unlink the caller's Telegram: no more messages there", status_code=204)
    async def unlink_telegram(self, request: Request) -> None:
        await telegram.unlink(request.user.id)


class MessagePages(Controller):
    include_in_schema = False

    async def _page(self, request: Request, deep_link: str = "") -> Template:
        overview = await _messages_out(request.user.id)
        return page(request, "notifications/messages.html", overview=overview, names=category_names(), deep_link=deep_link)

    @get("/me/messages", guards=[requires_login])
    async def form(self, request: Request) -> Template:
        return await self._page(request)

    @post("/me/messages", guards=[requires_login])
    async def save(self, request: Request) -> Redirect:
        form = await request.form()
        await preferences.set_choices(
            request.user.id, {(category, channel): form.get(f"{category}-{channel}") == "on" for category in registry.CATEGORIES for channel in preferences.CHANNELS}
        )
        flash(request, _("Your message settings are saved"))
        return Redirect(path="/me/messages", status_code=303)

    @post("/me/messages/telegram", guards=[requires_login], status_code=200)
    async def link(self, request: Request) -> Template:
        """The deep link is shown once, on this answer (its code is stored only as a hash)."""
        return await self._page(request, deep_link=(await _start_linking(request.user.id)).url)

    @get("/me/messages/telegram/unlink", guards=[requires_login])
    async def unlink_step(self, request: Request) -> Template:
        """The confirmation step (issue 16, point 6): what unlinking ends, and how to link again."""
        return confirm_page(
            request,
            Confirmation(
                title=_("Unlink Telegram?"),
                subject="",
                what_happens=[
                    _("The library's messages stop coming to Telegram; the ones you chose for e-mail still come by e-mail."),
                    _("You can link Telegram again on this page at any time."),
                ],
                confirm_label=_("Unlink Telegram"),
                back="/me/messages",
            ),
        )

    @post("/me/messages/telegram/unlink", guards=[requires_login])
    async def unlink(self, request: Request) -> Redirect:
        await telegram.unlink(request.user.id)
        flash(request, _("Telegram is unlinked"))
        return Redirect(path="/me/messages", status_code=303)

    @get("/unsubscribe/{category:str}/{account_id:int}/{signature:str}")
    async def confirm_unsubscribe(self, request: Request, category: FromPath[bounds.ShortLine], account_id: FromPath[bounds.Id], signature: FromPath[bounds.Line]) -> Template:
        preferences.check_category_link(account_id, category, signature)
        return page(request, "notifications/unsubscribe.html", done=False, what=category_names()[category])

    @post("/unsubscribe/{category:str}/{account_id:int}/{signature:str}", status_code=200)
    async def unsubscribe(self, request: Request, category: FromPath[bounds.ShortLine], account_id: FromPath[bounds.Id], signature: FromPath[bounds.Line]) -> Template:
        """RFC 8058's one-click unsubscribe: mail clients POST here without a session or a CSRF token."""
        await preferences.unsubscribe_category(account_id, category, signature)
        return page(request, "notifications/unsubscribe.html", done=True, what=category_names()[category])
