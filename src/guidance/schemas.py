"""API shapes of career guidance, and their mappers.

A consultation has two shapes: :class:`ConsultationOut` for the reader (and anyone who is not its counsellor)
has no field for private notes at all; :class:`CounsellorConsultationOut` adds them for the counsellor.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from zoneinfo import ZoneInfo

import msgspec

from src import bounds
from src.branches.schemas import HourMinute
from src.branches.service import BranchInfo
from src.guidance import content, rules
from src.guidance.availability import ExceptionInput, WindowInput
from src.guidance.consultations import ConsultationView
from src.guidance.service import FieldInfo, Passport, Result
from src.guidance.workshops import AttendedWorkshop
from src.i18n import current_language


class OptionOut(msgspec.Struct):
    value: str
    text: str


class ItemOut(msgspec.Struct):
    id: str
    kind: str  # choice: pick one of two; rated: 0 (not at all) to 4 (very much)
    text: str
    options: list[OptionOut]


class TypeOut(msgspec.Struct):
    code: str
    name: str
    description: str
    examples: str


class SurveyOut(msgspec.Struct):
    version: int
    items: list[ItemOut]
    types: list[TypeOut]
    max_score: int


def survey_out(version: int) -> SurveyOut:
    language = current_language()
    return SurveyOut(
        version=version,
        items=[
            ItemOut(item.id, item.kind, content.item_text(item, language), [OptionOut(o.value, content.option_text(o, language)) for o in item.options])
            for item in content.ITEMS
        ],
        types=[type_out(code) for code in rules.TYPES],
        max_score=rules.MAX_SCORE,
    )


def type_out(code: str) -> TypeOut:
    text = content.type_text(code, current_language())
    return TypeOut(code, text.name, text.description, text.examples)


class ResponseIn(bounds.Input):
    answers: Annotated[dict[bounds.line(64), bounds.line(64) | bounds.Int], msgspec.Meta(description="item id -> option value", max_length=100)]
    save: Annotated[bool, msgspec.Meta(description="Readers' results are saved unless this is false")] = True


class ResultOut(msgspec.Struct):
    id: int | None
    saved: bool
    scores: dict[str, int]
    max_score: int
    top_types: list[str]
    summary: str
    top: list[TypeOut]
    created_at: datetime | None


def result_out(result: Result) -> ResultOut:
    summary, parts = rules.explain(result.scores, result.top_types, current_language())
    return ResultOut(
        id=result.id,
        saved=result.id is not None,
        scores=dict(result.scores),
        max_score=result.max_score,
        top_types=list(result.top_types),
        summary=summary,
        top=[TypeOut(p.type, p.name, p.description, p.examples) for p in parts],
        created_at=result.created_at,
    )


class ReaderOut(msgspec.Struct):
    card_number: str
    full_name: str


class ProfileOut(msgspec.Struct):
    reader: ReaderOut | None
    latest: ResultOut | None
    history: list[ResultOut]


class FieldOut(msgspec.Struct):
    slug: str
    name: str
    description: str
    types: list[str]


def field_out(info: FieldInfo) -> FieldOut:
    return FieldOut(info.slug, info.name(), info.description(), list(info.types))


class SlotOut(msgspec.Struct):
    counsellor_id: int
    counsellor_name: str
    branch: str
    branch_name: str
    starts_at: datetime
    ends_at: datetime


def _local(value: datetime, branch: BranchInfo | None) -> datetime:
    """Instants in the API carry the branch's offset (+09:00 in Blagoveshchensk)."""
    return value.astimezone(ZoneInfo(branch.timezone)) if branch else value


def slot_out(slot: rules.Slot, branches: dict[int, BranchInfo], names: dict[int, str]) -> SlotOut:
    branch = branches[slot.branch_id]
    return SlotOut(slot.counsellor_id, names.get(slot.counsellor_id, ""), branch.slug, branch.name, _local(slot.starts_at, branch), _local(slot.ends_at, branch))


class ConsultationIn(bounds.Input):
    counsellor_id: bounds.Id
    starts_at: bounds.ScheduleLocal
    topic: bounds.text(500) = ""
    card_number: bounds.optional_line(20, description="Staff: book for this reader (their card number); recorded as made by the staff member") = None


class NotesIn(bounds.Input):
    next_steps: bounds.text(5000) | None = None
    private_notes: bounds.text(5000) | None = None


class ConsultationOut(msgspec.Struct):
    """What the reader sees. There is deliberately no private_notes field here."""

    id: int
    counsellor_id: int
    counsellor_name: str
    branch: str
    branch_name: str
    starts_at: datetime
    ends_at: datetime
    status: str
    topic: str
    next_steps: str
    room_reserved: bool
    can_cancel: bool


class CounsellorConsultationOut(ConsultationOut):
    """The counsellor's view: the reader's, plus who the reader is and the private notes."""

    reader_name: str
    private_notes: str


def consultation_out(view: ConsultationView, branches: dict[int, BranchInfo]) -> ConsultationOut:
    branch = branches.get(view.branch_id)
    return ConsultationOut(
        id=view.id,
        counsellor_id=view.counsellor_id,
        counsellor_name=view.counsellor_name,
        branch=branch.slug if branch else "",
        branch_name=branch.name if branch else "",
        starts_at=_local(view.starts_at, branch),
        ends_at=_local(view.ends_at, branch),
        status=view.status,
        topic=view.topic,
        next_steps=view.next_steps,
        room_reserved=view.zone_booking is not None,
        can_cancel=view.reader_may_cancel(),
    )


def counsellor_consultation_out(view: ConsultationView, branches: dict[int, BranchInfo]) -> CounsellorConsultationOut:
    shared = msgspec.structs.asdict(consultation_out(view, branches))
    return CounsellorConsultationOut(**shared, reader_name=view.reader_name, private_notes=view.private_notes)


class RecommendationOut(msgspec.Struct):
    kind: str  # workshop | consultation
    title: str
    why: str
    branch: str
    branch_name: str
    starts_at: datetime
    ends_at: datetime | None
    event_id: int | None = None
    counsellor_id: int | None = None
    free_seats: int | None = None
    url: str = ""


class RecommendationsOut(msgspec.Struct):
    top_types: list[str]
    items: list[RecommendationOut]


def recommendation_out(entry: rules.Ranked, branches: dict[int, BranchInfo], fields: dict[str, FieldInfo], titles: dict[str, str]) -> RecommendationOut:
    language = current_language()
    why = rules.why(entry.reasons, language, lambda slug: fields[slug].name(language) if slug in fields else slug)
    branch = branches.get(entry.item.branch_id)
    slug, name = (branch.slug, branch.name) if branch else ("", "")
    if isinstance(entry.item, rules.Workshop):
        item = entry.item
        return RecommendationOut("workshop", item.title, why, slug, name, _local(item.starts_at, branch), _local(item.ends_at, branch), event_id=item.id, free_seats=item.free_seats, url=f"/events/{item.id}")
    offer = entry.item
    on = offer.starts_at.astimezone(ZoneInfo(branch.timezone)).date() if branch else offer.starts_at.date()
    return RecommendationOut(
        "consultation", titles["consultation"], why, slug, name, _local(offer.starts_at, branch), None, counsellor_id=offer.counsellor_id,
        url=f"/guidance/slots?branch={slug}&start={on.isoformat()}",
    )


class WorkshopOut(msgspec.Struct):
    event_id: int
    title: str
    branch: str
    starts_at: datetime
    types: list[str]
    fields: list[str]


class PassportOut(msgspec.Struct):
    reader: ReaderOut | None
    results: list[ResultOut]
    workshops: list[WorkshopOut]
    consultations: list[ConsultationOut]


def workshop_out(item: AttendedWorkshop, branches: dict[int, BranchInfo]) -> WorkshopOut:
    branch = branches.get(item.branch_id)
    return WorkshopOut(item.id, item.title, branch.slug if branch else "", _local(item.starts_at, branch), list(item.types), list(item.fields))


def passport_out(passport: Passport, branches: dict[int, BranchInfo]) -> PassportOut:
    return PassportOut(
        reader=ReaderOut(passport.reader.card_number, passport.reader.full_name) if passport.reader else None,
        results=[result_out(r) for r in passport.results],
        workshops=[workshop_out(w, branches) for w in passport.workshops],
        consultations=[consultation_out(c, branches) for c in passport.consultations],
    )


class CounsellorOut(msgspec.Struct):
    id: int
    full_name: str


class CancelIn(msgspec.Struct):
    """Why the library cancels (required from the counsellor or staff; the reader receives it)."""

    reason: Annotated[str, msgspec.Meta(max_length=300)] = ""


# --- a counsellor's availability -------------------------------------------------------------------------------

Minutes = Annotated[int, msgspec.Meta(ge=0, le=600)]


class WindowIn(bounds.Input):
    """A weekly window: the counsellor receives at the branch on this weekday; it must lie inside the branch's
    hours that weekday, at one of the counsellor's branches, and not overlap another window of theirs."""

    branch: bounds.line(64, description="Branch slug (one of the counsellor's branches)")
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6, description="0 Monday … 6 Sunday")]
    starts: HourMinute
    ends: HourMinute
    slot_minutes: Annotated[Minutes, msgspec.Meta(description="30, 45 or 60")] = 45
    buffer_minutes: Annotated[Minutes, msgspec.Meta(description="A break after each slot, 0 to 60")] = 15
    valid_from: bounds.ScheduleDate | None = None
    valid_until: bounds.ScheduleDate | None = None

    def service_input(self) -> WindowInput:
        return WindowInput(self.branch, self.weekday, _clock(self.starts), _clock(self.ends), self.slot_minutes, self.buffer_minutes, self.valid_from, self.valid_until)


class ExceptionIn(bounds.Input):
    """One date: ``off`` (away the whole day, or from ``starts`` to ``ends``) or ``extra`` (hours at a branch,
    inside its hours that date)."""

    on: bounds.ScheduleDate
    kind: Annotated[str, msgspec.Meta(description="off | extra", max_length=8)]
    branch: bounds.line(64, description="Branch slug (extra hours only)") = ""
    starts: HourMinute | None = None
    ends: HourMinute | None = None
    slot_minutes: Annotated[Minutes, msgspec.Meta(description="Extra hours: 30, 45 or 60")] = 45
    buffer_minutes: Annotated[Minutes, msgspec.Meta(description="Extra hours: a break after each slot, 0 to 60")] = 15
    note: bounds.line(300) = ""

    def service_input(self) -> ExceptionInput:
        return ExceptionInput(self.on, self.kind, self.branch, _clock(self.starts), _clock(self.ends), self.slot_minutes, self.buffer_minutes, self.note)


def _clock(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def _hhmm(value: time | None) -> str | None:
    return f"{value:%H:%M}" if value is not None else None


class WindowOut(msgspec.Struct):
    id: int
    counsellor_id: int
    branch: str
    branch_name: str
    weekday: int
    starts: str
    ends: str
    slot_minutes: int
    buffer_minutes: int
    valid_from: date | None
    valid_until: date | None


def window_out(view: rules.WeeklyWindow, branches: dict[int, BranchInfo]) -> WindowOut:
    branch = branches[view.branch_id]
    return WindowOut(
        view.id, view.counsellor_id, branch.slug, branch.name, view.weekday, _hhmm(view.starts), _hhmm(view.ends),
        view.slot_minutes, view.buffer_minutes, view.valid_from, view.valid_until,
    )


class ExceptionOut(msgspec.Struct):
    id: int
    counsellor_id: int
    on: date
    kind: str
    branch: str | None
    branch_name: str | None
    starts: str | None
    ends: str | None
    slot_minutes: int
    buffer_minutes: int
    note: str


def exception_out(view: rules.DateException, branches: dict[int, BranchInfo]) -> ExceptionOut:
    branch = branches.get(view.branch_id) if view.branch_id else None
    return ExceptionOut(
        view.id, view.counsellor_id, view.on, view.kind, branch.slug if branch else None, branch.name if branch else None,
        _hhmm(view.starts), _hhmm(view.ends), view.slot_minutes, view.buffer_minutes, view.note,
    )
