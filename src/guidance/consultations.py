"""Consultations: book a free slot, cancel, the counsellor's notes, and the consultation room through rooms.

One write transaction per change. Booking takes the counsellor's row lock first on PostgreSQL (SQLite
serializes writers anyway), checks, then inserts; the database's own constraints (see the guidance
migrations) turn any clash that slips past into a 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from datetime import date, datetime, time, timedelta

from piccolo.engine import engine_finder

from src import audit
from src.accounts import permissions as perm
from src.accounts import service as accounts_service
from src.accounts.permissions import Principal
from src.accounts.tables import Account
from src.branches import occupancy
from src.config import get_settings
from src.db import is_postgres, write_transaction
from src.exceptions import AppError, Conflict, FieldError, Forbidden, Invalid, NotFound
from src.guidance import availability, rules
from src.guidance import messages as guidance_messages
from src.guidance.constants import BOOKED, CANCEL_HOURS, CANCELLED, HORIZON_DAYS, LEAD_MINUTES
from src.guidance.tables import Consultation
from src.i18n import _
from src.notifications import service as notifications
from src.rooms import bookings
from src.rooms import rules as room_rules
from src.rooms import service as rooms_service
from src.rooms.constants import HOLDER_STAFF
from src.timeutil import aware, now_utc

CONSULTATION_ROOM = "consultation_room"  # the zone kind a consultation holds when its branch has one
MAX_UPCOMING_PER_READER = 3


def _tx():
    return write_transaction(engine_finder())


@dataclass(frozen=True, slots=True)
class ConsultationView:
    id: int
    counsellor_id: int
    counsellor_name: str
    reader_id: int
    reader_name: str
    branch_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    topic: str
    next_steps: str
    private_notes: str  # never put this into a reader's view: schemas and templates pick by viewer
    zone_booking: int | None
    created_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str = ""

    @property
    def is_past(self) -> bool:
        return self.ends_at <= now_utc()

    @property
    def is_active(self) -> bool:
        return self.status == BOOKED

    def reader_may_cancel(self, now: datetime | None = None) -> bool:
        return self.status == BOOKED and rules.reader_may_cancel(self.starts_at, now or now_utc(), CANCEL_HOURS)


_CONSULTATION_COLUMNS = (
    Consultation.id,
    Consultation.counsellor,
    Consultation.counsellor.full_name,
    Consultation.reader,
    Consultation.reader.full_name,
    Consultation.branch,
    Consultation.starts_at,
    Consultation.ends_at,
    Consultation.status,
    Consultation.topic,
    Consultation.next_steps,
    Consultation.private_notes,
    Consultation.zone_booking,
    Consultation.created_at,
    Consultation.cancelled_at,
    Consultation.cancel_reason,
)


def _consultation(row: dict) -> ConsultationView:
    return ConsultationView(
        id=row["id"],
        counsellor_id=row["counsellor"],
        counsellor_name=row["counsellor.full_name"],
        reader_id=row["reader"],
        reader_name=row["reader.full_name"],
        branch_id=row["branch"],
        starts_at=aware(row["starts_at"]),
        ends_at=aware(row["ends_at"]),
        status=row["status"],
        topic=row["topic"],
        next_steps=row["next_steps"],
        private_notes=row["private_notes"],
        zone_booking=row["zone_booking"],
        created_at=aware(row["created_at"]),
        cancelled_at=aware(row["cancelled_at"]) if row["cancelled_at"] else None,
        cancel_reason=row["cancel_reason"],
    )


async def _load(consultation_id: int) -> ConsultationView | None:
    row = await Consultation.select(*_CONSULTATION_COLUMNS).where(Consultation.id == consultation_id).first()
    return _consultation(row) if row else None


async def get_consultation(principal: Principal | None, consultation_id: int) -> ConsultationView:
    """404 for anyone but its reader, its counsellor and admins: whether it exists is private."""
    found = await _load(consultation_id)
    if found is None or not perm.can_see_consultation(principal, found.reader_id, found.counsellor_id):
        raise NotFound(_("No such consultation"))
    return found


async def consultations_of_reader(reader_id: int) -> list[ConsultationView]:
    rows = await Consultation.select(*_CONSULTATION_COLUMNS).where(Consultation.reader == reader_id).order_by(Consultation.starts_at, ascending=False)
    return [_consultation(row) for row in rows]


async def consultations_of_counsellor(counsellor_id: int, start: datetime, end: datetime) -> list[ConsultationView]:
    rows = await Consultation.select(*_CONSULTATION_COLUMNS).where(
        (Consultation.counsellor == counsellor_id) & (Consultation.starts_at >= start) & (Consultation.starts_at < end)
    ).order_by(Consultation.starts_at)
    return [_consultation(row) for row in rows]


async def consultations_in_branches(branch_ids: set[int], start: datetime, end: datetime) -> list[ConsultationView]:
    """Booked consultations held in these branches between two instants (the staff home's day)."""
    rows = await Consultation.select(*_CONSULTATION_COLUMNS).where(
        Consultation.branch.is_in(list(branch_ids) or [0]) & (Consultation.starts_at >= start) & (Consultation.starts_at < end) & (Consultation.status != CANCELLED)
    ).order_by(Consultation.starts_at)
    return [_consultation(row) for row in rows]


def is_clash(error: BaseException) -> bool:
    text = f"{type(error).__name__} {error}".lower()
    return any(marker in text for marker in ("no_overlap", "slot_key", "exclusionviolation", "uniqueviolation", "unique constraint failed"))


async def _reserve_room(consultation_id: int, branch_id: int, starts_at: datetime, ends_at: datetime, counsellor_id: int, reader_id: int) -> int | None:
    """Hold a consultation room of the branch through the rooms booking service, inside the booking's
    transaction, when the branch has one that is free. The room's grid may be coarser than the slot, so the
    hold is widened to it. No free room is not a reason to refuse the consultation (the counsellor can meet
    the reader elsewhere in the library): it is booked without a room. A savepoint keeps a refused hold from
    spoiling the booking's transaction."""
    branch = await rooms_service.branch_by_id(branch_id)
    for zone in (zone for zone in branch.zones if zone.kind == CONSULTATION_ROOM):
        reservation = bookings.Reservation(
            zone_id=zone.id,
            starts_at=room_rules.snap(starts_at, zone.rules.slot, branch.tz, up=False),
            ends_at=room_rules.snap(ends_at, zone.rules.slot, branch.tz, up=True),
            holder_kind=HOLDER_STAFF,
            holder_id=counsellor_id,
            holder_ref=consultation_id,
            purpose=_("Career consultation"),
            headcount=2,
            actor_id=reader_id,
        )
        savepoint = await engine_finder().current_transaction.get().savepoint()
        try:
            result = await bookings.reserve(reservation)
        except AppError:  # taken, closed or off its hours: try the next room
            await savepoint.rollback_to()
            continue
        await savepoint.release()
        return result.bookings[0].id
    return None


async def _release_room(booking_id: int | None, actor_id: int) -> None:
    if booking_id is not None:
        await bookings.release([booking_id], actor_id, _("The consultation was cancelled"))


async def book(principal: Principal, counsellor_id: int, starts_at: datetime, topic: str = "", now: datetime | None = None, card_number: str | None = None) -> ConsultationView:
    """Book a free slot: 422 outside the counsellor's availability, 409 when taken (by anyone, or the reader
    is busy then). Staff at a desk book for a reader by card number (recorded as made by them)."""
    if card_number:
        if not perm.can_book_for_reader(principal):
            raise Forbidden(_("Only library staff book consultations for a reader"))
        card = await accounts_service.find_card(card_number)
        accounts_service.ensure_usable(card)  # 403 with the reason for a blocked card
        reader_id = card.account_id
    else:
        if not perm.can_book_consultation(principal):
            raise Forbidden(_("Consultations are booked by readers with a card"))
        await accounts_service.ensure_may_book(principal.id)  # 403 with the reason for a blocked card
        reader_id = principal.id
    now = now or now_utc()
    starts_at = await availability.instant_of(counsellor_id, starts_at)  # without an offset: the branch's local time
    topic = topic.strip()
    if len(topic) > 500:
        raise Invalid.one("topic", _("This is too long (at most %(n)s characters)", n=500))
    day = starts_at.date()
    grid = await availability.offered_slots(day - timedelta(days=1), day + timedelta(days=1), None, counsellor_id)
    slot = rules.find_slot(grid, counsellor_id, starts_at)
    if slot is None:
        raise Invalid.one("starts_at", _("The counsellor does not receive at this time: choose one of the free slots"))
    earliest, latest = rules.bookable_window(now, LEAD_MINUTES, HORIZON_DAYS)
    if not earliest <= slot.starts_at <= latest:
        raise Invalid.one("starts_at", _("Book from an hour ahead up to %(days)s days ahead", days=HORIZON_DAYS))
    try:
        async with _tx():
            if is_postgres(engine_finder()):
                await Account.raw("SELECT id FROM account WHERE id = {} FOR UPDATE", counsellor_id)
            busy = await availability.booked_times(slot.starts_at - timedelta(hours=1), slot.ends_at + timedelta(hours=1), counsellor_id)
            if not rules.is_free(slot, busy):
                raise Conflict(_("This slot has just been taken. Please choose another one."), errors=[FieldError("starts_at", _("Taken"))])
            mine = await Consultation.select(Consultation.starts_at, Consultation.ends_at).where(
                (Consultation.reader == reader_id) & (Consultation.status == BOOKED) & (Consultation.ends_at > now)
            )
            if any(aware(r["starts_at"]) < slot.ends_at and aware(r["ends_at"]) > slot.starts_at for r in mine):
                raise Conflict(_("You already have a consultation at this time"), errors=[FieldError("starts_at", _("You are busy then"))])
            if len(mine) >= MAX_UPCOMING_PER_READER:
                raise Conflict(_("You already have %(n)s upcoming consultations. Cancel one to book another.", n=len(mine)))
            row = Consultation(
                counsellor=counsellor_id, reader=reader_id, branch=slot.branch_id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                status=BOOKED, topic=topic, created_at=now_utc(),
            )
            await row.save()
            booking = await _reserve_room(row.id, slot.branch_id, slot.starts_at, slot.ends_at, counsellor_id, reader_id)
            if booking is not None:
                await Consultation.update({Consultation.zone_booking: booking}).where(Consultation.id == row.id)
            await audit.record(
                principal, "create", "consultation", row.id, branch_id=slot.branch_id,
                changes=audit.diff(None, {"counsellor": counsellor_id, "reader": reader_id, "starts_at": slot.starts_at, "ends_at": slot.ends_at, "status": BOOKED, "room_booking": booking}),
            )
            for kind, recipient in ((guidance_messages.CONSULTATION_BOOKED, reader_id), (guidance_messages.COUNSELLOR_BOOKED, counsellor_id)):  # the reader, also when staff booked for them
                await notifications.enqueue(kind, [recipient], guidance_messages.SUBJECTS[kind], {"consultation_id": row.id, "path": guidance_messages.PATHS[kind]}, cause=str(row.id))
    except Conflict:
        raise
    except Exception as error:  # the database's own guard (a writer that bypassed the check above)
        if is_clash(error):
            raise Conflict(_("This slot has just been taken. Please choose another one."), errors=[FieldError("starts_at", _("Taken"))]) from error
        raise
    found = await _load(row.id)
    assert found is not None
    return found


async def cancel(principal: Principal, consultation_id: int, now: datetime | None = None, reason: str = "") -> ConsultationView:
    """The reader (up to the cut-off), the counsellor or an admin cancel; the library's side says why, and the
    reader receives the reason in the same transaction."""
    now = now or now_utc()
    found = await get_consultation(principal, consultation_id)
    if not perm.can_cancel_consultation(principal, found.reader_id, found.counsellor_id):
        raise NotFound(_("No such consultation"))
    by_library = principal.id != found.reader_id
    reason = reason.strip()
    if by_library and not reason:
        raise Invalid.one("reason", _("Say why: the reader receives the reason"))
    if len(reason) > 300:
        raise Invalid.one("reason", _("This is too long (at most %(n)s characters)", n=300))
    if found.status != BOOKED:
        raise Conflict(_("This consultation is already cancelled"))
    if found.starts_at <= now:
        raise Conflict(_("This consultation has already begun"))
    if perm.reader_cancel_cutoff_applies(principal, found.reader_id) and not rules.reader_may_cancel(found.starts_at, now, CANCEL_HOURS):
        raise Conflict(_("It is too late to cancel online: less than %(hours)s hours are left. Please call the library.", hours=CANCEL_HOURS))
    async with _tx():
        updated = await Consultation.update(
            {Consultation.status: CANCELLED, Consultation.cancelled_at: now, Consultation.cancelled_by: principal.id, Consultation.cancel_reason: reason}
        ).where((Consultation.id == consultation_id) & (Consultation.status == BOOKED)).returning(Consultation.id)
        if not updated:
            raise Conflict(_("This consultation is already cancelled"))
        await audit.record(principal, "cancel", "consultation", consultation_id, branch_id=found.branch_id, changes={"status": (BOOKED, CANCELLED), **({"cancel_reason": ("", reason)} if reason else {})})
        await _release_room(found.zone_booking, principal.id)
        by = guidance_messages.BY_LIBRARY if by_library else guidance_messages.BY_READER
        await notifications.enqueue(  # the reader: the library's reason, or a receipt of their own cancellation
            guidance_messages.CONSULTATION_CANCELLED, [found.reader_id], guidance_messages.SUBJECTS[guidance_messages.CONSULTATION_CANCELLED],
            {"consultation_id": consultation_id, "reason": reason, "by": by, "slots_url": get_settings().base_url + "/guidance/slots"}, cause=str(consultation_id),
        )
        if principal.id != found.counsellor_id:
            kind = guidance_messages.COUNSELLOR_CANCELLED
            await notifications.enqueue(kind, [found.counsellor_id], guidance_messages.SUBJECTS[kind], {"consultation_id": consultation_id, "reason": reason, "by": by}, cause=str(consultation_id))
    result = await _load(consultation_id)
    assert result is not None
    return result


async def cancel_upcoming_of(reader_id: int, actor: Principal | None, reason: str) -> list[int]:
    """Every booked consultation of the reader that has not begun (their card erased or closed): cancelled, the
    counsellor's room freed and the counsellor told. Joins the caller's transaction; no permission check.
    Returns the ids."""
    now = now_utc()
    async with _tx():
        rows = await Consultation.select(Consultation.id, Consultation.branch, Consultation.zone_booking, Consultation.counsellor).where(
            (Consultation.reader == reader_id) & (Consultation.status == BOOKED) & (Consultation.starts_at > now)
        )
        for row in rows:
            await Consultation.update(
                {Consultation.status: CANCELLED, Consultation.cancelled_at: now, Consultation.cancelled_by: actor.id if actor else None, Consultation.cancel_reason: reason}
            ).where(Consultation.id == row["id"])
            await audit.record(actor, "cancel", "consultation", row["id"], branch_id=row["branch"], changes={"status": (BOOKED, CANCELLED)})
            if row["zone_booking"] is not None:
                await bookings.release([row["zone_booking"]], actor.id if actor else None, reason)
            kind = guidance_messages.COUNSELLOR_CANCELLED
            await notifications.enqueue(kind, [row["counsellor"]], guidance_messages.SUBJECTS[kind], {"consultation_id": row["id"], "by": guidance_messages.BY_LIBRARY}, cause=str(row["id"]))
    return [row["id"] for row in rows]


async def write_notes(principal: Principal, consultation_id: int, next_steps: str | None, private_notes: str | None) -> ConsultationView:
    """The counsellor's after-session notes: next steps (the reader sees them) and private notes (never)."""
    found = await get_consultation(principal, consultation_id)
    if not perm.can_write_consultation_notes(principal, found.counsellor_id):
        raise Forbidden(_("Only the counsellor of this consultation writes its notes"))
    if found.status != BOOKED:
        raise Conflict(_("This consultation was cancelled"))
    errors = []
    for name, value in (("next_steps", next_steps), ("private_notes", private_notes)):
        if value is not None and len(value) > 5000:
            errors.append(FieldError(name, _("This is too long (at most %(n)s characters)", n=5000)))
    if errors:
        raise Invalid(errors=errors)
    values: dict = {Consultation.notes_updated_at: now_utc()}
    if next_steps is not None:
        values[Consultation.next_steps] = next_steps.strip()
    if private_notes is not None:
        values[Consultation.private_notes] = private_notes.strip()
    async with _tx():
        await Consultation.update(values).where(Consultation.id == consultation_id)
        changes = audit.diff({"next_steps": found.next_steps, "private_notes": found.private_notes}, {name._meta.name: value for name, value in values.items() if name._meta.name != "notes_updated_at"}, fields=[name._meta.name for name in values if name._meta.name != "notes_updated_at"])
        await audit.record(principal, "write_notes", "consultation", consultation_id, branch_id=found.branch_id, changes=changes, private={"next_steps"})
        if next_steps is not None and next_steps.strip() and next_steps.strip() != (found.next_steps or ""):
            kind = guidance_messages.NEXT_STEPS
            await notifications.enqueue(
                kind, [found.reader_id], guidance_messages.SUBJECTS[kind], {"consultation_id": consultation_id, "path": guidance_messages.PATHS[kind]},
                cause=f"{consultation_id}:{now_utc().isoformat()}",
            )
    result = await _load(consultation_id)
    assert result is not None
    return result



def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the end of ``last`` in the library's zone, as instants."""
    tz = get_settings().tz
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)


# --- opening hours change (see src/branches/occupancy.py) ----------------------------------------------------


async def _held_in(branch_id: int, start: datetime) -> list[occupancy.Held]:
    rows = await Consultation.select(Consultation.id, Consultation.starts_at, Consultation.ends_at, Consultation.topic).where(
        (Consultation.branch == branch_id) & (Consultation.status == BOOKED) & (Consultation.ends_at > start)
    )
    return [occupancy.Held("consultation", row["id"], aware(row["starts_at"]), aware(row["ends_at"]), None, row["topic"]) for row in rows]


async def _keep_for_hours(actor: Principal, ids: Sequence[int]) -> None:
    """Kept as exceptions to new hours: their rooms' bookings too (audited)."""
    rows = await Consultation.select(Consultation.id, Consultation.branch, Consultation.zone_booking).where(Consultation.id.is_in(list(ids) or [0]))
    await bookings.keep_outside_hours(actor, [row["zone_booking"] for row in rows if row["zone_booking"] is not None])
    for row in rows:
        await audit.record(actor, "keep_outside_hours", "consultation", row["id"], branch_id=row["branch"], changes={})


async def _cancel_for_hours(actor: Principal, ids: Sequence[int], reason: str) -> None:
    """Cancelled by the library because the hours changed: the reader and the counsellor are told why."""
    now = now_utc()
    rows = await Consultation.select(Consultation.id, Consultation.branch, Consultation.zone_booking, Consultation.reader, Consultation.counsellor).where(
        Consultation.id.is_in(list(ids) or [0]) & (Consultation.status == BOOKED)
    )
    for row in rows:
        await Consultation.update(
            {Consultation.status: CANCELLED, Consultation.cancelled_at: now, Consultation.cancelled_by: actor.id, Consultation.cancel_reason: reason}
        ).where(Consultation.id == row["id"])
        await audit.record(actor, "cancel", "consultation", row["id"], branch_id=row["branch"], changes={"status": (BOOKED, CANCELLED), "cancel_reason": ("", reason)})
        await _release_room(row["zone_booking"], actor.id)
        await notifications.enqueue(
            guidance_messages.CONSULTATION_CANCELLED, [row["reader"]], guidance_messages.SUBJECTS[guidance_messages.CONSULTATION_CANCELLED],
            {"consultation_id": row["id"], "reason": reason, "slots_url": get_settings().base_url + "/guidance/slots"}, cause=str(row["id"]),
        )
        kind = guidance_messages.COUNSELLOR_CANCELLED
        await notifications.enqueue(kind, [row["counsellor"]], guidance_messages.SUBJECTS[kind], {"consultation_id": row["id"], "reason": reason, "by": guidance_messages.BY_LIBRARY}, cause=str(row["id"]))


occupancy.register("consultation", find=_held_in, keep=_keep_for_hours, cancel=_cancel_for_hours)
