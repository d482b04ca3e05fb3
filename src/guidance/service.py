"""Career guidance: survey results, profession fields, availability, consultations, recommendations, passport.

Every write is one transaction (``write_transaction``); booking takes the counsellor's row lock first on
PostgreSQL (SQLite serializes writers anyway), checks, then inserts; the database's own constraints (see the
guidance migrations) turn any clash that slips past into a 409.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Mapping
from zoneinfo import ZoneInfo

from piccolo.engine import engine_finder

from src import cache
from src.accounts import permissions as perm
from src.accounts.constants import ROLE_COUNSELLOR
from src.accounts.permissions import Principal
from src.accounts.tables import Account, ReaderCard
from src.config import get_settings
from src.db import is_postgres, write_transaction
from src.exceptions import AppError, Conflict, FieldError, Forbidden, Invalid, NotFound
from src.guidance import content, rules, workshops
from src.guidance.constants import (
    BOOKED,
    CANCEL_HOURS,
    CANCELLED,
    CONSULTATION_LOOKAHEAD_DAYS,
    EXCEPTION_EXTRA,
    EXCEPTION_KINDS,
    EXCEPTION_OFF,
    HORIZON_DAYS,
    LEAD_MINUTES,
    MAX_SLOT_SEARCH_DAYS,
    RECOMMENDATION_DAYS,
    SURVEY_VERSION,
    TYPES,
)
from src.guidance.tables import AvailabilityException, Consultation, CounsellorAvailability, ProfessionField, SurveyResponse
from src.i18n import _, current_language
from src.rooms import bookings
from src.rooms import rules as room_rules
from src.rooms import service as rooms_service
from src.rooms.constants import HOLDER_STAFF
from src.timeutil import UTC, aware, now_utc, today_in

CONSULTATION_ROOM = "consultation_room"  # the zone kind a consultation holds when its branch has one
FIELDS_CACHE = "guidance_fields"
AVAILABILITY_CACHE = "guidance_availability"
MAX_UPCOMING_PER_READER = 3


def _tx():
    return write_transaction(engine_finder())


# --- profession fields ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldInfo:
    id: int
    slug: str
    name_ru: str
    name_en: str
    description_ru: str
    description_en: str
    types: tuple[str, ...]
    position: int
    is_active: bool
    aliases: tuple[str, ...] = ()

    def name(self, language: str | None = None) -> str:
        return self.name_en if (language or current_language()) == "en" and self.name_en else self.name_ru

    def description(self, language: str | None = None) -> str:
        return self.description_en if (language or current_language()) == "en" and self.description_en else self.description_ru


@dataclass
class FieldInput:
    slug: str
    name_ru: str
    name_en: str
    description_ru: str = ""
    description_en: str = ""
    types: tuple[str, ...] = ()
    position: int = 0
    is_active: bool = True
    aliases: tuple[str, ...] = ()


def _field_info(row: dict) -> FieldInfo:
    return FieldInfo(
        id=row["id"],
        slug=row["slug"],
        name_ru=row["name_ru"],
        name_en=row["name_en"],
        description_ru=row["description_ru"],
        description_en=row["description_en"],
        types=tuple(t for t in row["types"].split(",") if t),
        position=row["position"],
        is_active=row["is_active"],
        aliases=tuple(a.strip() for a in row["aliases"].split(",") if a.strip()),
    )


async def list_fields(include_inactive: bool = False) -> list[FieldInfo]:
    async def load() -> list[FieldInfo]:
        rows = await ProfessionField.select().order_by(ProfessionField.position).order_by(ProfessionField.name_ru)
        return [_field_info(row) for row in rows]

    fields = await cache.cached(FIELDS_CACHE, "all", load)
    return [f for f in fields if include_inactive or f.is_active]


def field_input_errors(data: FieldInput) -> list[FieldError]:
    errors = []
    if not data.slug or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in data.slug) or data.slug != data.slug.lower():
        errors.append(FieldError("slug", _("Use lower-case Latin letters, digits and hyphens")))
    if len(data.name_ru.strip()) < 2:
        errors.append(FieldError("name_ru", _("Enter the name in Russian")))
    if len(data.name_en.strip()) < 2:
        errors.append(FieldError("name_en", _("Enter the name in English")))
    if not data.types:
        errors.append(FieldError("types", _("Choose at least one profession type")))
    elif any(t not in TYPES for t in data.types):
        errors.append(FieldError("types", _("Choose from: %(values)s", values=", ".join(TYPES))))
    return errors


async def save_field(principal: Principal, data: FieldInput, field_id: int | None = None) -> FieldInfo:
    if not perm.can_manage_profession_fields(principal):
        raise Forbidden(_("Profession fields are managed by library staff"))
    errors = field_input_errors(data)
    if errors:
        raise Invalid(errors=errors)
    values = {
        ProfessionField.slug: data.slug,
        ProfessionField.name_ru: data.name_ru.strip(),
        ProfessionField.name_en: data.name_en.strip(),
        ProfessionField.description_ru: data.description_ru.strip(),
        ProfessionField.description_en: data.description_en.strip(),
        ProfessionField.types: ",".join(t for t in TYPES if t in data.types),
        ProfessionField.aliases: ", ".join(a.strip() for a in data.aliases if a.strip())[:300],
        ProfessionField.position: data.position,
        ProfessionField.is_active: data.is_active,
        ProfessionField.updated_at: now_utc(),
    }
    async with _tx():
        clash = await ProfessionField.select(ProfessionField.id).where(ProfessionField.slug == data.slug).first()
        if clash and clash["id"] != field_id:
            raise Conflict(_("A field with this code already exists"), errors=[FieldError("slug", _("This code is taken"))])
        if field_id is None:
            row = ProfessionField(**{column._meta.name: value for column, value in values.items()})
            await row.save()
            field_id = row.id
        else:
            updated = await ProfessionField.update(values).where(ProfessionField.id == field_id).returning(ProfessionField.id)
            if not updated:
                raise NotFound(_("No such profession field"))
        await cache.bump(FIELDS_CACHE)
    return next(f for f in await list_fields(include_inactive=True) if f.id == field_id)


def field_lookup(fields: list[FieldInfo]) -> dict[str, str]:
    """Folded slugs, names (both languages) and aliases to slugs: events tag workshops with free-text names."""
    lookup: dict[str, str] = {}
    for f in fields:
        for key in (f.slug, f.name_ru, f.name_en, *f.aliases):
            if key:
                lookup[key.strip().casefold()] = f.slug
    return lookup


# --- the survey ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    id: int | None
    reader_id: int | None
    scores: dict[str, int]
    top_types: tuple[str, ...]
    created_at: datetime | None
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def max_score(self) -> int:
        return rules.MAX_SCORE


def evaluate(answers: Mapping[str, object]) -> Result:
    """Score answers without saving them (anyone may try the survey). 422 lists every item at fault."""
    errors = rules.answer_errors(answers)
    if errors:
        raise Invalid(_("Some questions are not answered or have answers that do not exist"), errors=errors)
    scores = rules.score(answers)
    normalized = {key: rules.normalize_answer(value) or "" for key, value in answers.items()}
    return Result(None, None, scores, rules.top_types(scores), None, normalized)


async def save_response(principal: Principal, answers: Mapping[str, object]) -> Result:
    if not principal.is_reader:
        raise Forbidden(_("Saving results needs a reader card"))
    result = evaluate(answers)
    now = now_utc()
    async with _tx():
        row = SurveyResponse(
            reader=principal.id, survey_version=SURVEY_VERSION, answers=result.answers, scores=result.scores, top_types=",".join(result.top_types), created_at=now
        )
        await row.save()
    return Result(row.id, principal.id, result.scores, result.top_types, now, result.answers)


def _json(value) -> dict:
    if isinstance(value, str):
        import json

        return json.loads(value)
    return dict(value)


def _result(row: dict) -> Result:
    scores = {t: int(_json(row["scores"]).get(t, 0)) for t in TYPES}
    return Result(row["id"], row["reader"], scores, tuple(t for t in row["top_types"].split(",") if t), aware(row["created_at"]), _json(row["answers"]))


async def results_of(reader_id: int) -> list[Result]:
    """Saved results, newest first."""
    rows = await SurveyResponse.select().where(SurveyResponse.reader == reader_id).order_by(SurveyResponse.created_at, ascending=False).order_by(SurveyResponse.id, ascending=False)
    return [_result(row) for row in rows]


async def latest_result(reader_id: int) -> Result | None:
    row = await SurveyResponse.select().where(SurveyResponse.reader == reader_id).order_by(SurveyResponse.created_at, ascending=False).order_by(SurveyResponse.id, ascending=False).first()
    return _result(row) if row else None


async def is_counsellor_of(counsellor_id: int, reader_id: int) -> bool:
    """A counsellor who has or had a consultation with the reader (cancelled ones count not)."""
    return await Consultation.exists().where(
        (Consultation.counsellor == counsellor_id) & (Consultation.reader == reader_id) & (Consultation.status == BOOKED)
    )


async def may_view_guidance(principal: Principal | None, reader_id: int) -> bool:
    if principal is None:
        return False
    counsellor = principal.is_counsellor and await is_counsellor_of(principal.id, reader_id)
    return perm.can_view_guidance_of(principal, reader_id, counsellor)


async def get_result(principal: Principal | None, result_id: int) -> Result:
    """One saved result; someone else's is 404: whether it exists is private."""
    row = await SurveyResponse.select().where(SurveyResponse.id == result_id).first()
    if row is None or not await may_view_guidance(principal, row["reader"]):
        raise NotFound(_("No such survey result"))
    return _result(row)


@dataclass(frozen=True, slots=True)
class ReaderRef:
    account_id: int
    full_name: str
    card_number: str
    birth_date: date
    home_branch_id: int


async def reader_by_card(card_number: str) -> ReaderRef:
    row = await ReaderCard.select(
        ReaderCard.account, ReaderCard.account.full_name, ReaderCard.card_number, ReaderCard.birth_date, ReaderCard.home_branch
    ).where(ReaderCard.card_number == card_number.strip()).first()
    if row is None:
        raise NotFound(_("No reader card with number %(number)s", number=card_number))
    return ReaderRef(row["account"], row["account.full_name"], row["card_number"], row["birth_date"], row["home_branch"])


async def reader_ref(account_id: int) -> ReaderRef | None:
    row = await ReaderCard.select(
        ReaderCard.account, ReaderCard.account.full_name, ReaderCard.card_number, ReaderCard.birth_date, ReaderCard.home_branch
    ).where(ReaderCard.account == account_id).first()
    return ReaderRef(row["account"], row["account.full_name"], row["card_number"], row["birth_date"], row["home_branch"]) if row else None


async def profile_for(principal: Principal, card_number: str | None = None) -> tuple[ReaderRef | None, list[Result]]:
    """The caller's results, or (card given) a reader's for their counsellors and admins: 403 for others."""
    if card_number is None:
        return await reader_ref(principal.id), await results_of(principal.id)
    reader = await reader_by_card(card_number)
    if not await may_view_guidance(principal, reader.account_id):
        raise Forbidden(_("Only the reader, their counsellors and administrators see these results"))
    return reader, await results_of(reader.account_id)


# --- availability --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CounsellorInfo:
    id: int
    full_name: str


WindowView = rules.WeeklyWindow
ExceptionView = rules.DateException


async def counsellors() -> list[CounsellorInfo]:
    rows = await Account.select(Account.id, Account.full_name).where((Account.role == ROLE_COUNSELLOR) & (Account.is_active == True)).order_by(Account.full_name)  # noqa: E712
    return [CounsellorInfo(row["id"], row["full_name"]) for row in rows]


async def _availability_rows() -> tuple[list[WindowView], list[ExceptionView]]:
    """All weekly windows and the exceptions from a week ago on; cached, bumped on every change."""
    since = today_in(get_settings().tz) - timedelta(days=7)

    async def load():
        weekly = await CounsellorAvailability.select().order_by(CounsellorAvailability.weekday).order_by(CounsellorAvailability.starts)
        exceptions = await AvailabilityException.select().where(AvailabilityException.on >= since).order_by(AvailabilityException.on)
        return (
            [WindowView(r["counsellor"], r["branch"], r["weekday"], r["starts"], r["ends"], r["slot_minutes"], r["buffer_minutes"], r["valid_from"], r["valid_until"], r["id"]) for r in weekly],
            [ExceptionView(r["counsellor"], r["on"], r["kind"], r["branch"], r["starts"], r["ends"], r["slot_minutes"], r["buffer_minutes"], r["note"], r["id"]) for r in exceptions],
        )

    return await cache.cached(AVAILABILITY_CACHE, ("all", since), load)


async def availability_of(counsellor_id: int) -> tuple[list[WindowView], list[ExceptionView]]:
    weekly, exceptions = await _availability_rows()
    return [w for w in weekly if w.counsellor_id == counsellor_id], [e for e in exceptions if e.counsellor_id == counsellor_id]


async def _branch_id(branch_slug: str, field_name: str = "branch") -> int:
    for branch in await rooms_service.list_branches():
        if branch.slug == branch_slug:
            return branch.id
    raise Invalid.one(field_name, _("Unknown library branch: %(slug)s", slug=branch_slug))


async def _check_counsellor(principal: Principal, counsellor_id: int) -> None:
    if not perm.can_manage_availability_of(principal, counsellor_id):
        raise Forbidden(_("Only the counsellor themself or an administrator changes this availability"))
    if not await Account.exists().where((Account.id == counsellor_id) & (Account.role == ROLE_COUNSELLOR)):
        raise NotFound(_("No such counsellor"))


@dataclass
class WindowInput:
    branch: str
    weekday: int | None
    starts: time | None
    ends: time | None
    slot_minutes: int | None = 45
    buffer_minutes: int | None = 15
    valid_from: date | None = None
    valid_until: date | None = None


async def add_window(principal: Principal, counsellor_id: int, data: WindowInput) -> WindowView:
    await _check_counsellor(principal, counsellor_id)
    errors = rules.window_errors(data.starts, data.ends, data.slot_minutes, data.buffer_minutes)
    if data.weekday is None or not 0 <= data.weekday <= 6:
        errors.append(FieldError("weekday", _("Choose a day of the week")))
    if data.valid_from and data.valid_until and data.valid_until < data.valid_from:
        errors.append(FieldError("valid_until", _("The end date must not be before the start date")))
    branch_id = None
    try:
        branch_id = await _branch_id(data.branch)
    except Invalid as error:
        errors += error.errors
    if errors:
        raise Invalid(errors=errors)
    async with _tx():
        own = await CounsellorAvailability.select().where(
            (CounsellorAvailability.counsellor == counsellor_id) & (CounsellorAvailability.weekday == data.weekday)
        )
        for other in own:
            if other["starts"] < data.ends and data.starts < other["ends"] and _periods_overlap(other["valid_from"], other["valid_until"], data.valid_from, data.valid_until):
                raise Conflict(_("This overlaps another window of yours on the same day"), errors=[FieldError("starts", _("Overlaps another window"))])
        row = CounsellorAvailability(
            counsellor=counsellor_id, branch=branch_id, weekday=data.weekday, starts=data.starts, ends=data.ends,
            slot_minutes=data.slot_minutes, buffer_minutes=data.buffer_minutes, valid_from=data.valid_from, valid_until=data.valid_until, created_at=now_utc(),
        )
        await row.save()
        await cache.bump(AVAILABILITY_CACHE)
    weekly, _exceptions = await availability_of(counsellor_id)
    return next(w for w in weekly if w.id == row.id)


def _periods_overlap(a_from: date | None, a_until: date | None, b_from: date | None, b_until: date | None) -> bool:
    return (a_until is None or b_from is None or b_from <= a_until) and (b_until is None or a_from is None or a_from <= b_until)


async def _delete_owned(principal: Principal, table, row_id: int, missing: str) -> None:
    row = await table.select(table.counsellor).where(table.id == row_id).first()
    if row is None:
        raise NotFound(missing)
    await _check_counsellor(principal, row["counsellor"])
    async with _tx():
        await table.delete().where(table.id == row_id)
        await cache.bump(AVAILABILITY_CACHE)


async def delete_window(principal: Principal, window_id: int) -> None:
    await _delete_owned(principal, CounsellorAvailability, window_id, _("No such availability window"))


@dataclass
class ExceptionInput:
    on: date | None
    kind: str
    branch: str = ""
    starts: time | None = None
    ends: time | None = None
    slot_minutes: int | None = 45
    buffer_minutes: int | None = 15
    note: str = ""


async def add_exception(principal: Principal, counsellor_id: int, data: ExceptionInput) -> ExceptionView:
    await _check_counsellor(principal, counsellor_id)
    errors: list[FieldError] = []
    if data.on is None:
        errors.append(FieldError("on", _("Enter the date")))
    elif data.on < today_in(get_settings().tz):
        errors.append(FieldError("on", _("The date is in the past")))
    if data.kind not in EXCEPTION_KINDS:
        errors.append(FieldError("kind", _("Choose: day off or extra hours")))
    branch_id = None
    if data.kind == EXCEPTION_EXTRA:
        errors += rules.window_errors(data.starts, data.ends, data.slot_minutes, data.buffer_minutes)
        try:
            branch_id = await _branch_id(data.branch)
        except Invalid as error:
            errors += error.errors
    elif data.kind == EXCEPTION_OFF and (data.starts is None) != (data.ends is None):
        errors.append(FieldError("ends", _("Give both times, or neither for the whole day")))
    elif data.kind == EXCEPTION_OFF and data.starts and data.ends and data.ends <= data.starts:
        errors.append(FieldError("ends", _("The end time must be after the start time")))
    if errors:
        raise Invalid(errors=errors)
    async with _tx():
        row = AvailabilityException(
            counsellor=counsellor_id, on=data.on, kind=data.kind, branch=branch_id, starts=data.starts, ends=data.ends,
            slot_minutes=data.slot_minutes or 45, buffer_minutes=data.buffer_minutes or 0, note=data.note.strip()[:300], created_at=now_utc(),
        )
        await row.save()
        await cache.bump(AVAILABILITY_CACHE)
    _weekly, exceptions = await availability_of(counsellor_id)
    return next(e for e in exceptions if e.id == row.id)


async def delete_exception(principal: Principal, exception_id: int) -> None:
    await _delete_owned(principal, AvailabilityException, exception_id, _("No such exception"))


# --- slots ---------------------------------------------------------------------------------------------


async def _places() -> dict[int, rules.Place]:
    return {
        branch.id: rules.Place(ZoneInfo(branch.timezone), branch.schedule)
        for branch in await rooms_service.list_branches()
    }


async def _busy(start: datetime, end: datetime, counsellor_id: int | None = None) -> list[rules.Busy]:
    query = Consultation.select(Consultation.counsellor, Consultation.starts_at, Consultation.ends_at).where(
        (Consultation.status == BOOKED) & (Consultation.starts_at < end) & (Consultation.starts_at > start - timedelta(hours=3))
    )
    if counsellor_id is not None:
        query = query.where(Consultation.counsellor == counsellor_id)
    return [rules.Busy(row["counsellor"], aware(row["starts_at"]), aware(row["ends_at"])) for row in await query]


async def _grid(start: date, end: date, branch_id: int | None, counsellor_id: int | None) -> list[rules.Slot]:
    weekly, exceptions = await _availability_rows()
    windows = [w for w in weekly if (counsellor_id is None or w.counsellor_id == counsellor_id) and (branch_id is None or w.branch_id == branch_id)]
    dated = [
        e
        for e in exceptions
        if start <= e.on <= end and (counsellor_id is None or e.counsellor_id == counsellor_id) and (branch_id is None or e.kind == EXCEPTION_OFF or e.branch_id == branch_id)
    ]
    return rules.grid_slots(windows, dated, start, end, await _places())


async def slots(start: date, end: date, branch_slug: str | None = None, counsellor_id: int | None = None, now: datetime | None = None) -> list[rules.Slot]:
    """Free slots from ``start`` to ``end`` (dates, inclusive), optionally of one branch or counsellor."""
    if end < start:
        raise Invalid.one("end", _("The end must not be before the start"))
    if (end - start).days > MAX_SLOT_SEARCH_DAYS:
        raise Invalid.one("end", _("Ask for at most %(days)s days at a time", days=MAX_SLOT_SEARCH_DAYS))
    branch_id = await _branch_id(branch_slug) if branch_slug else None
    grid = await _grid(start, end, branch_id, counsellor_id)
    if not grid:
        return []
    busy = await _busy(grid[0].starts_at, grid[-1].ends_at + timedelta(hours=1), counsellor_id)
    return rules.free_slots(grid, busy, now or now_utc(), LEAD_MINUTES, HORIZON_DAYS)


# --- consultations -------------------------------------------------------------------------------------


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


def _is_clash(error: BaseException) -> bool:
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


async def book(principal: Principal, counsellor_id: int, starts_at: datetime, topic: str = "", now: datetime | None = None) -> ConsultationView:
    """Book a free slot: 422 outside the counsellor's availability, 409 when taken (by anyone, or the reader
    is busy then)."""
    if not perm.can_book_consultation(principal):
        raise Forbidden(_("Consultations are booked by readers with a card"))
    now = now or now_utc()
    starts_at = aware(starts_at).astimezone(UTC)
    topic = topic.strip()
    if len(topic) > 500:
        raise Invalid.one("topic", _("This is too long (at most %(n)s characters)", n=500))
    day = starts_at.date()
    grid = await _grid(day - timedelta(days=1), day + timedelta(days=1), None, counsellor_id)
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
            busy = await _busy(slot.starts_at - timedelta(hours=1), slot.ends_at + timedelta(hours=1), counsellor_id)
            if not rules.is_free(slot, busy):
                raise Conflict(_("This slot has just been taken. Please choose another one."), errors=[FieldError("starts_at", _("Taken"))])
            mine = await Consultation.select(Consultation.starts_at, Consultation.ends_at).where(
                (Consultation.reader == principal.id) & (Consultation.status == BOOKED) & (Consultation.ends_at > now)
            )
            if any(aware(r["starts_at"]) < slot.ends_at and aware(r["ends_at"]) > slot.starts_at for r in mine):
                raise Conflict(_("You already have a consultation at this time"), errors=[FieldError("starts_at", _("You are busy then"))])
            if len(mine) >= MAX_UPCOMING_PER_READER:
                raise Conflict(_("You already have %(n)s upcoming consultations. Cancel one to book another.", n=len(mine)))
            row = Consultation(
                counsellor=counsellor_id, reader=principal.id, branch=slot.branch_id, starts_at=slot.starts_at, ends_at=slot.ends_at,
                status=BOOKED, topic=topic, created_at=now_utc(),
            )
            await row.save()
            booking = await _reserve_room(row.id, slot.branch_id, slot.starts_at, slot.ends_at, counsellor_id, principal.id)
            if booking is not None:
                await Consultation.update({Consultation.zone_booking: booking}).where(Consultation.id == row.id)
    except Conflict:
        raise
    except Exception as error:  # the database's own guard (a writer that bypassed the check above)
        if _is_clash(error):
            raise Conflict(_("This slot has just been taken. Please choose another one."), errors=[FieldError("starts_at", _("Taken"))]) from error
        raise
    found = await _load(row.id)
    assert found is not None
    return found


async def cancel(principal: Principal, consultation_id: int, now: datetime | None = None) -> ConsultationView:
    now = now or now_utc()
    found = await get_consultation(principal, consultation_id)
    if not perm.can_cancel_consultation(principal, found.reader_id, found.counsellor_id):
        raise NotFound(_("No such consultation"))
    if found.status != BOOKED:
        raise Conflict(_("This consultation is already cancelled"))
    if found.starts_at <= now:
        raise Conflict(_("This consultation has already begun"))
    if perm.reader_cancel_cutoff_applies(principal, found.reader_id) and not rules.reader_may_cancel(found.starts_at, now, CANCEL_HOURS):
        raise Conflict(_("It is too late to cancel online: less than %(hours)s hours are left. Please call the library.", hours=CANCEL_HOURS))
    async with _tx():
        updated = await Consultation.update(
            {Consultation.status: CANCELLED, Consultation.cancelled_at: now, Consultation.cancelled_by: principal.id}
        ).where((Consultation.id == consultation_id) & (Consultation.status == BOOKED)).returning(Consultation.id)
        if not updated:
            raise Conflict(_("This consultation is already cancelled"))
        await _release_room(found.zone_booking, principal.id)
    result = await _load(consultation_id)
    assert result is not None
    return result


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
    result = await _load(consultation_id)
    assert result is not None
    return result


# --- recommendations and the passport ------------------------------------------------------------------


async def _offers(now: datetime) -> list[rules.ConsultationOffer]:
    """The earliest free slot per branch in the next weeks."""
    today = now.astimezone(get_settings().tz).date()
    found = await slots(today, today + timedelta(days=CONSULTATION_LOOKAHEAD_DAYS), now=now)
    first: dict[int, rules.Slot] = {}
    for slot in found:
        first.setdefault(slot.branch_id, slot)
    return [rules.ConsultationOffer(slot.branch_id, slot.counsellor_id, slot.starts_at) for slot in first.values()]


async def recommendations(principal: Principal, now: datetime | None = None, limit: int = 20) -> tuple[Result | None, list[rules.Ranked]]:
    now = now or now_utc()
    reader = await reader_ref(principal.id)
    latest = await latest_result(principal.id)
    fields = await list_fields()
    field_types = {f.slug: frozenset(f.types) for f in fields}
    upcoming = await workshops.upcoming(now, now + timedelta(days=RECOMMENDATION_DAYS), field_lookup(fields), principal.id)
    facts = rules.ReaderFacts(
        birth_date=reader.birth_date if reader else None,
        home_branch_id=reader.home_branch_id if reader else None,
        scores=latest.scores if latest else None,
        top=latest.top_types if latest else (),
    )
    ranked = rules.rank(upcoming, await _offers(now), facts, field_types, now, get_settings().tz)
    return latest, ranked[:limit]


@dataclass(frozen=True, slots=True)
class Passport:
    reader: ReaderRef | None
    results: list[Result]
    workshops: list[workshops.AttendedWorkshop]
    consultations: list[ConsultationView]  # held (past, not cancelled), newest first


async def passport(principal: Principal, card_number: str | None = None) -> Passport:
    reader, results = await profile_for(principal, card_number)
    reader_id = reader.account_id if reader else principal.id
    now = now_utc()
    held = [c for c in await consultations_of_reader(reader_id) if c.status == BOOKED and c.starts_at <= now]
    return Passport(reader, results, await workshops.attended(reader_id, field_lookup(await list_fields(include_inactive=True))), held)


def survey_language() -> str:
    return content.pick(current_language())


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the end of ``last`` in the library's zone, as instants."""
    tz = get_settings().tz
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)


async def slot_at(counsellor_id: int, starts_at: datetime, now: datetime | None = None) -> rules.Slot | None:
    """The counsellor's free slot starting at this instant, if there is one."""
    starts_at = aware(starts_at).astimezone(UTC)
    day = starts_at.date()
    found = await slots(day - timedelta(days=1), day + timedelta(days=1), None, counsellor_id, now=now)
    return rules.find_slot(found, counsellor_id, starts_at)
