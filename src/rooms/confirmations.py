"""The rooms' destructive actions in two steps: cancel or end a booking (its holder), cancel or
decline one (staff, with a reason the holder receives), remove a closure.

The confirmation step is the GET of the action's URL; its form posts to the same URL, handled here too.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from src import bounds
from src.accounts.permissions import can_manage_branch
from src.branches.tables import Closure
from src.branches import service as branches_service
from src.exceptions import AppError, Forbidden, Invalid, NotFound
from src.i18n import _, fmt_day, fmt_day_time, fmt_time
from src.labels import label
from src.rooms import bookings
from src.rooms import service as rooms_service
from src.timeutil import local, now_utc
from src.web.forms import Form, NextQuery, back_with_errors, safe_next
from src.web.guards import requires_login, requires_staff
from src.web.templating import Confirmation, confirm_page, flash

ScopeQuery = Annotated[str, QueryParameter(name="scope", required=False, max_length=8, pattern=bounds.ONE_LINE_PATTERN)]


async def describe(booking: bookings.BookingView) -> str:
    """"Коворкинг, Библиотека «Диалог», 9 декабря, среда, 10:00–12:00"."""
    found = (await rooms_service.zone_index()).get(booking.zone_id)
    tz = found[0].tz if found else None
    where = f"{found[1].name}, {found[0].short_name}" if found else _("a zone no longer offered")
    end = local(booking.ends_at, tz) if tz else booking.ends_at
    return f"{where}, {fmt_day_time(booking.starts_at, tz)}–{fmt_time(end)}"


async def _managed_branch(request: Request, slug: str):
    branch = await rooms_service.get_branch(slug)
    if not can_manage_branch(request.user, branch.id):
        raise Forbidden(_("Only staff of this library can see this"))
    return branch


def _scope_fields(scope_: str, back: str) -> dict[str, str]:
    return {"next": back, **({"scope": "rest"} if scope_ == "rest" else {})}


def _confirm_url(request: Request, booking_id: int, action: str, form: Form) -> str:
    query = urlencode({key: form.data[key] for key in ("scope", "next") if form.data.get(key)})
    return f"/staff/bookings/{booking_id}/{action}" + (f"?{query}" if query else "")


class BookingConfirmations(Controller):
    include_in_schema = False

    @get("/me/bookings/{booking_id:int}/cancel", guards=[requires_login])
    async def cancel_mine(self, request: Request, booking_id: FromPath[bounds.Id], scope_: ScopeQuery = "", next_: NextQuery = "") -> Template:
        booking = await bookings.get_booking(request.user, booking_id)
        if not booking.active or booking.ends_at <= now_utc():
            raise NotFound(_("This booking cannot be cancelled any more"))
        back = safe_next(next_ or None, "/me/bookings")
        rest = scope_ == "rest" and booking.series is not None
        return confirm_page(request, Confirmation(
            title=_("Cancel this and the later dates?") if rest else _("Cancel the booking?"),
            subject=await describe(booking),
            what_happens=[_("The zone becomes free for others at this time."), _("This cannot be undone; you can book again while the time is free.")],
            confirm_label=_("Yes, cancel"),
            back=back,
            back_label=_("No, keep it"),
            fields=_scope_fields("rest" if rest else "", back),
        ))

    @get("/me/bookings/{booking_id:int}/end", guards=[requires_login])
    async def end_mine(self, request: Request, booking_id: FromPath[bounds.Id], next_: NextQuery = "") -> Template:
        booking = await bookings.get_booking(request.user, booking_id)
        now = now_utc()
        if not booking.active or not booking.starts_at <= now < booking.ends_at:
            raise NotFound(_("Only a booking in progress can be ended"))
        back = safe_next(next_ or None, "/me/bookings")
        return confirm_page(request, Confirmation(
            title=_("End the booking now?"),
            subject=await describe(booking),
            what_happens=[_("The booking ends now; the rest of the time becomes free for others.")],
            confirm_label=_("Yes, end it now"),
            back=back,
            back_label=_("No, keep it"),
            fields={"next": back},
        ))

    @get("/staff/bookings/{booking_id:int}/cancel", guards=[requires_staff])
    async def cancel_by_staff(self, request: Request, booking_id: FromPath[bounds.Id], scope_: ScopeQuery = "", next_: NextQuery = "") -> Template:
        booking = await bookings.get_booking(request.user, booking_id)
        if not booking.active or booking.ends_at <= now_utc():
            raise NotFound(_("This booking cannot be cancelled any more"))
        back = safe_next(next_ or None, "/staff/approvals")
        rest = scope_ == "rest" and booking.series is not None
        someone_else = booking.holder_id is not None and booking.holder_id != request.user.id
        happens = [_("The zone becomes free for others at this time.")]
        if someone_else:
            happens.insert(0, _("%(name)s receives a message with your reason.", name=booking.holder_name or label(booking.holder_kind)))
        return confirm_page(request, Confirmation(
            title=_("Cancel this and the later dates?") if rest else _("Cancel the booking?"),
            subject=await describe(booking) + (f" · {booking.holder_name}" if booking.holder_name else ""),
            what_happens=happens,
            confirm_label=_("Yes, cancel"),
            back=back,
            back_label=_("No, keep it"),
            reason_label=_("Reason (the person who booked reads it)") if someone_else else _("Reason (optional)"),
            reason_required=someone_else,
            fields=_scope_fields("rest" if rest else "", back),
        ))

    @get("/staff/bookings/{booking_id:int}/decline", guards=[requires_staff])
    async def decline(self, request: Request, booking_id: FromPath[bounds.Id], scope_: ScopeQuery = "", next_: NextQuery = "") -> Template:
        booking = await bookings.get_booking(request.user, booking_id)
        if booking.status != "pending":
            raise NotFound(_("This booking is not waiting for approval"))
        back = safe_next(next_ or None, "/staff/approvals")
        rest = scope_ == "rest" and booking.series is not None
        return confirm_page(request, Confirmation(
            title=_("Decline this and the later dates?") if rest else _("Decline the booking request?"),
            subject=await describe(booking) + (f" · {booking.holder_name}" if booking.holder_name else ""),
            what_happens=[
                _("%(name)s receives a message with your reason.", name=booking.holder_name or label(booking.holder_kind)),
                _("The time stays free for others."),
            ],
            confirm_label=_("Decline"),
            back=back,
            back_label=_("No, go back"),
            reason_label=_("Reason (the person who booked reads it)"),
            reason_required=True,
            fields=_scope_fields("rest" if rest else "", back),
        ))

    @get("/staff/branches/{slug:str}/closures/{closure_id:int}/delete", guards=[requires_staff])
    async def delete_closure(self, request: Request, slug: FromPath[bounds.Line], closure_id: FromPath[bounds.Id]) -> Template:
        branch = await _managed_branch(request, slug)
        row = await Closure.select().where((Closure.id == closure_id) & (Closure.branch == branch.id)).first()
        if row is None:
            raise NotFound(_("There is no such closure"))
        days = fmt_day(row["starts_on"]) if row["starts_on"] == row["ends_on"] else f"{fmt_day(row['starts_on'])} – {fmt_day(row['ends_on'])}"
        back = f"/staff/branches/{branch.slug}/closures"
        return confirm_page(request, Confirmation(
            title=_("Remove the closure?"),
            subject=f"{branch.name}: {label(row['kind'])}, {days}" + (f" ({row['reason']})" if row["reason"] else ""),
            what_happens=[_("The library is open on these days again by its usual hours; readers can book them.")],
            confirm_label=_("Remove"),
            back=back,
            back_label=_("No, keep it"),
        ))

    @post("/me/bookings/{booking_id:int}/cancel", guards=[requires_login])
    async def do_cancel_mine(self, request: Request, booking_id: FromPath[bounds.Id]) -> Redirect:
        """The confirmation step posts here."""
        form = await Form.read(request)
        back = safe_next(form.data.get("next"), "/me/bookings")
        try:
            changed = await bookings.cancel(request.user, booking_id, rest=form.data.get("scope") == "rest")
        except AppError as error:
            if error.status_code not in (409, 422):
                raise
            flash(request, error.errors[0].message if error.errors else error.detail)
            return Redirect(path=back, status_code=303)
        flash(request, _("Cancelled: %(n)s bookings.", n=len(changed)) if len(changed) > 1 else _("The booking is cancelled."))
        return Redirect(path=back, status_code=303)

    @post("/me/bookings/{booking_id:int}/end", guards=[requires_login])
    async def do_end_mine(self, request: Request, booking_id: FromPath[bounds.Id]) -> Redirect:
        form = await Form.read(request)
        try:
            await bookings.end_early(request.user, booking_id)
            flash(request, _("The booking is ended; the rest of the time is free for others."))
        except AppError as error:
            flash(request, error.errors[0].message if error.errors else error.detail)
        return Redirect(path=safe_next(form.data.get("next"), "/me/bookings"), status_code=303)

    @post("/staff/bookings/{booking_id:int}/decline", guards=[requires_staff])
    async def do_decline(self, request: Request, booking_id: FromPath[bounds.Id]) -> Redirect:
        """The confirmation step posts here, with the reason the holder receives."""
        form = await Form.read(request)
        try:
            changed = await bookings.decline(request.user, booking_id, reason=form.text("reason", 300), rest=form.data.get("scope") == "rest")
        except Invalid as invalid:
            return back_with_errors(request, invalid.errors, form.data, to=_confirm_url(request, booking_id, "decline", form))
        flash(request, _("Declined: %(n)s bookings. The reader sees your reason.", n=len(changed)))
        return Redirect(path=safe_next(form.data.get("next"), "/staff/approvals"), status_code=303)

    @post("/staff/bookings/{booking_id:int}/cancel", guards=[requires_staff])
    async def do_cancel_by_staff(self, request: Request, booking_id: FromPath[bounds.Id]) -> Redirect:
        """The confirmation step posts here; someone else's booking needs a reason."""
        form = await Form.read(request)
        try:
            changed = await bookings.cancel(request.user, booking_id, rest=form.data.get("scope") == "rest", reason=form.text("reason", 300))
        except Invalid as invalid:
            return back_with_errors(request, invalid.errors, form.data, to=_confirm_url(request, booking_id, "cancel", form))
        flash(request, _("Cancelled: %(n)s bookings.", n=len(changed)))
        return Redirect(path=safe_next(form.data.get("next"), "/staff/approvals"), status_code=303)

    @post("/staff/branches/{slug:str}/closures/{closure_id:int}/delete", guards=[requires_staff])
    async def do_delete_closure(self, request: Request, slug: FromPath[bounds.Line], closure_id: FromPath[bounds.Id]) -> Redirect:
        branch = await _managed_branch(request, slug)
        await branches_service.delete_closure(request.user, branch, closure_id)
        flash(request, _("The closure is removed."))
        return Redirect(path=f"/staff/branches/{branch.slug}/closures", status_code=303)
