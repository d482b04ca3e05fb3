"""The events' destructive actions in two steps: cancelling a sign-up, cancelling an event; and the one-click
link that confirms a seat from the e-mail (``src/events/links.py``).

The confirmation step is the GET of the action's URL; its form posts to the same URL, handled here too.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from zoneinfo import ZoneInfo

from src import bounds
from src.accounts.permissions import can_cancel_registration
from src.events import links, queries
from src.events import service as events_service
from src.exceptions import AppError, FieldError, Gone, NotFound
from src.i18n import _, fmt_day_time, ngettext
from src.web.forms import Form, NextQuery, back_with_errors, safe_next
from src.web.guards import requires_login, requires_staff
from src.timeutil import now_utc
from src.web.templating import Confirmation, confirm_page, flash, page



def _when(event: queries.EventView) -> str:
    return fmt_day_time(event.starts_at, ZoneInfo(event.timezone))


class EventConfirmations(Controller):
    include_in_schema = False

    @get("/registrations/{registration_id:int}/confirm/{expires:int}/{signature:str}")
    async def confirm_by_link(self, request: Request, registration_id: FromPath[bounds.Id], expires: FromPath[int], signature: FromPath[bounds.Line]) -> Template:
        """The one-click link from the e-mail: no log-in, this sign-up only, until the confirmation deadline."""
        if not links.is_valid(registration_id, expires, signature, now_utc()):
            raise Gone(_("This link has expired or is not valid. Confirm your seat on the page of your sign-ups."))
        registration = await events_service.confirm_by_link(registration_id)
        event = await queries.get_event(registration["event"])
        return page(request, "events/seat_confirmed.html", event=event, when=_when(event))

    @get("/registrations/{registration_id:int}/cancel", guards=[requires_login])
    async def cancel_registration(self, request: Request, registration_id: FromPath[bounds.Id], next_: NextQuery = "") -> Template:
        registration = await queries.get_registration(registration_id)
        event = registration.event or await queries.get_event(registration.event_id)
        if not can_cancel_registration(request.user, registration.reader_id, event.branch_id) or not registration.active:
            raise NotFound(_("There is no such sign-up"))
        own = request.user.id == registration.reader_id
        happens = []
        if registration.status == "confirmed":
            happens.append(_("Your seat is freed; the first person on the waitlist gets it.") if own else _("The reader's seat is freed; the first person on the waitlist gets it."))
        else:
            happens.append(_("You leave the waitlist.") if own else _("The reader leaves the waitlist."))
        happens.append(_("You can sign up again while seats are left.") if own else _("The reader can sign up again while seats are left."))
        back = safe_next(next_ or None, f"/events/{event.id}")
        return confirm_page(request, Confirmation(
            title=_("Cancel the sign-up?"),
            subject=f"«{event.title}», {_when(event)}",
            what_happens=happens,
            confirm_label=_("Yes, cancel the sign-up"),
            back=back,
            back_label=_("No, keep it"),
            fields={"next": back},
        ))

    @get("/staff/events/{event_id:int}/cancel", guards=[requires_staff])
    async def cancel_event(self, request: Request, event_id: FromPath[bounds.Id]) -> Template:
        event = await queries.get_event(event_id)
        events_service.require_manager(request.user, event.branch_id)
        if event.is_cancelled:
            raise NotFound(_("This event is cancelled already"))
        rows, _total = await queries.attendees(event)
        people = sum(1 for row in rows if row.status in ("confirmed", "waitlisted"))
        happens = [
            ngettext("%(num)s person signed up receives a message with your reason.", "%(num)s people signed up receive a message with your reason.", people)
            if people else _("Nobody has signed up yet."),
            _("The event stays in the catalogue marked as cancelled, with the reason."),
        ]
        if event.zone_name:
            happens.append(_("The zone %(zone)s becomes free at that time.", zone=event.zone_name))
        return confirm_page(request, Confirmation(
            title=_("Cancel the event?"),
            subject=f"«{event.title}», {_when(event)}, {event.branch_name}",
            what_happens=happens,
            confirm_label=_("Cancel the event"),
            back=f"/events/{event.id}",
            back_label=_("No, keep it"),
            reason_label=_("Reason (everyone signed up reads it)"),
            reason_required=True,
        ))

    @post("/registrations/{registration_id:int}/cancel", guards=[requires_login])
    async def do_cancel_registration(self, request: Request, registration_id: FromPath[bounds.Id]) -> Redirect:
        """The confirmation step posts here."""
        form = await Form.read(request)
        registration = await queries.get_registration(registration_id)
        back = safe_next(form.data.get("next"), f"/events/{registration.event_id}")
        try:
            await events_service.cancel_registration(request.user, registration_id)
        except AppError as error:
            if error.status_code not in (409, 422):
                raise
            return back_with_errors(request, error.errors or [FieldError("form", error.detail)], form.data, to=back)
        flash(request, _("The sign-up is cancelled."))
        return Redirect(path=back, status_code=303)

    @post("/staff/events/{event_id:int}/cancel", guards=[requires_staff])
    async def do_cancel_event(self, request: Request, event_id: FromPath[bounds.Id]) -> Redirect:
        """The confirmation step posts here, with the reason everyone signed up reads."""
        form = await Form.read(request)
        try:
            await events_service.cancel_event(request.user, event_id, form.text("reason", 300))
        except AppError as error:
            if error.status_code != 422:
                raise
            return back_with_errors(request, error.errors or [FieldError("reason", error.detail)], form.data, to=f"/staff/events/{event_id}/cancel")
        flash(request, _("The event is cancelled; everyone signed up will be notified."))
        return Redirect(path=f"/events/{event_id}", status_code=303)
