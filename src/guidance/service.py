"""Career guidance: profession fields, survey results and who may see them, recommendations, the passport.

Availability and slot search are in availability.py, consultations in consultations.py. Every write is one
transaction (``write_transaction``).
"""

from __future__ import annotations

import asyncio

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Mapping

from piccolo.engine import engine_finder

from src import cache
from src.accounts import permissions as perm
from src.accounts.permissions import Principal
from src.accounts.tables import ReaderCard
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import Conflict, FieldError, Forbidden, Invalid, NotFound
from src.guidance import availability as guidance_availability
from src.guidance import consultations as guidance_consultations
from src.guidance import content, rules, workshops
from src.guidance.constants import BOOKED, CONSULTATION_LOOKAHEAD_DAYS, RECOMMENDATION_DAYS, SURVEY_VERSION, TYPES
from src.guidance.tables import Consultation, ProfessionField, SurveyResponse
from src.i18n import _, current_language
from src.timeutil import aware, now_utc

FIELDS_CACHE = "guidance_fields"


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


# --- recommendations and the passport ------------------------------------------------------------------


async def _offers(now: datetime) -> list[rules.ConsultationOffer]:
    """The earliest free slot per branch in the next weeks."""
    today = now.astimezone(get_settings().tz).date()
    found = await guidance_availability.slots(today, today + timedelta(days=CONSULTATION_LOOKAHEAD_DAYS), now=now)
    first: dict[int, rules.Slot] = {}
    for slot in found:
        first.setdefault(slot.branch_id, slot)
    return [rules.ConsultationOffer(slot.branch_id, slot.counsellor_id, slot.starts_at) for slot in first.values()]


async def recommendations(principal: Principal, now: datetime | None = None, limit: int = 20) -> tuple[Result | None, list[rules.Ranked]]:
    """The reader's best next steps: workshops and consultation offers, ranked (the reads run side by side)."""
    now = now or now_utc()
    tz = get_settings().tz
    until = now + timedelta(days=RECOMMENDATION_DAYS)
    reader, latest, fields = await asyncio.gather(reader_ref(principal.id), latest_result(principal.id), list_fields())
    ages = rules.age_bounds(reader.birth_date if reader else None, now.astimezone(tz).date(), until.astimezone(tz).date())
    upcoming, offers, booked = await asyncio.gather(
        workshops.upcoming(now, until, field_lookup(fields), principal.id, ages), _offers(now), upcoming_consultations(principal.id, now)
    )
    if booked:
        offers = []  # a consultation is booked already: no more offers to book one
    facts = rules.ReaderFacts(
        birth_date=reader.birth_date if reader else None,
        home_branch_id=reader.home_branch_id if reader else None,
        scores=latest.scores if latest else None,
        top=latest.top_types if latest else (),
    )
    ranked = rules.rank(upcoming, offers, facts, {f.slug: frozenset(f.types) for f in fields}, now, tz)
    return latest, ranked[:limit]


async def upcoming_consultations(reader_id: int, now: datetime | None = None) -> list[guidance_consultations.ConsultationView]:
    """The reader's booked consultations still ahead, soonest first."""
    now = now or now_utc()
    return sorted((c for c in await guidance_consultations.consultations_of_reader(reader_id) if c.status == BOOKED and c.ends_at > now), key=lambda c: c.starts_at)


@dataclass(frozen=True, slots=True)
class Passport:
    reader: ReaderRef | None
    results: list[Result]
    workshops: list[workshops.AttendedWorkshop]
    consultations: list[guidance_consultations.ConsultationView]  # held (past, not cancelled), newest first


async def passport(principal: Principal, card_number: str | None = None) -> Passport:
    reader, results = await profile_for(principal, card_number)
    reader_id = reader.account_id if reader else principal.id
    now = now_utc()
    held = [c for c in await guidance_consultations.consultations_of_reader(reader_id) if c.status == BOOKED and c.starts_at <= now]
    return Passport(reader, results, await workshops.attended(reader_id, field_lookup(await list_fields(include_inactive=True))), held)


def survey_language() -> str:
    return content.pick(current_language())
