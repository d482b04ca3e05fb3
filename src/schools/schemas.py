"""API shapes for schools, programmes and visits, as msgspec Structs, and their mappers."""

from __future__ import annotations

from datetime import datetime, time

import msgspec

from src import bounds
from src.rooms.service import BranchZones
from src.schools.programmes import ProgrammeInfo
from src.schools.rules import Suggestion
from src.schools.service import VisitView
from src.schools.teachers import SchoolInfo

Instant = bounds.ScheduleLocal


class SchoolOut(msgspec.Struct):
    slug: str
    name: str
    number: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str


def school_out(school: SchoolInfo) -> SchoolOut:
    return SchoolOut(
        slug=school.slug,
        name=school.name,
        number=school.number,
        address=school.address,
        contact_name=school.contact_name,
        contact_phone=school.contact_phone,
        contact_email=school.contact_email,
    )


class ProgrammeHoursOut(msgspec.Struct):
    weekday: int  # 0 = Monday
    starts: time
    ends: time


class ProgrammeOut(msgspec.Struct):
    id: int
    title: str
    description: str
    topic: str
    duration_minutes: int
    grade_min: int
    grade_max: int
    group_min: int
    group_max: int
    lead_days: int
    zone_kinds: list[str]
    branches: list[str]
    hours: list[ProgrammeHoursOut]


def programme_out(programme: ProgrammeInfo, branches: dict[int, BranchZones]) -> ProgrammeOut:
    return ProgrammeOut(
        id=programme.id,
        title=programme.title,
        description=programme.description,
        topic=programme.topic,
        duration_minutes=programme.duration_minutes,
        grade_min=programme.grade_min,
        grade_max=programme.grade_max,
        group_min=programme.group_min,
        group_max=programme.group_max,
        lead_days=programme.lead_days,
        zone_kinds=list(programme.zone_kinds),
        branches=[branches[branch_id].slug for branch_id in programme.branch_ids if branch_id in branches],
        hours=[ProgrammeHoursOut(row.weekday, row.starts, row.ends) for row in programme.hours],
    )


class WindowIn(bounds.Input):
    starts_at: Instant
    ends_at: Instant


class VisitCreate(bounds.Input):
    programme_id: bounds.Id
    branch: bounds.line(64, description="Slug of the branch")
    windows: bounds.items(WindowIn, 3, description="One to three preferred time windows, in order of preference")
    class_name: bounds.line(16, description="Grade and letter, e.g. 8Б or 8B")
    grade: bounds.count(0, 100)
    group_size: bounds.count(0, 1000)
    adults: bounds.count(0, 1000)
    needs: bounds.text(1000) = ""
    note: bounds.text(2000) = ""


class VisitConfirm(bounds.Input):
    zone_id: bounds.Id
    starts_at: Instant


class VisitPropose(bounds.Input):
    starts_at: Instant
    zone_id: bounds.Id | None = None
    note: bounds.text(500) = ""


class VisitReason(bounds.Input):
    reason: bounds.text(500) = ""


class WindowOut(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime


class HistoryOut(msgspec.Struct):
    from_status: str
    to_status: str
    changed_at: datetime
    changed_by: str
    note: str


class VisitOut(msgspec.Struct):
    id: int
    status: str
    school: str
    school_name: str
    programme_id: int
    programme_title: str
    branch: str
    class_name: str
    grade: int
    group_size: int
    adults: int
    needs: str
    note: str
    windows: list[WindowOut]
    zone_id: int | None
    zone_name: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    decline_reason: str
    created_at: datetime
    updated_at: datetime
    history: list[HistoryOut]


def _local(value: datetime | None, visit: VisitView) -> datetime | None:
    return value.astimezone(visit.tz) if value is not None else None


def visit_out(visit: VisitView) -> VisitOut:
    return VisitOut(
        id=visit.id,
        status=visit.status,
        school=visit.school_slug,
        school_name=visit.school_name,
        programme_id=visit.programme_id,
        programme_title=visit.programme_title,
        branch=visit.branch_slug,
        class_name=visit.class_name,
        grade=visit.grade,
        group_size=visit.group_size,
        adults=visit.adults,
        needs=visit.needs,
        note=visit.note,
        windows=[WindowOut(w.starts_at.astimezone(visit.tz), w.ends_at.astimezone(visit.tz)) for w in visit.windows],
        zone_id=visit.zone_id,
        zone_name=visit.zone_name or None,
        starts_at=_local(visit.starts_at, visit),
        ends_at=_local(visit.ends_at, visit),
        decline_reason=visit.decline_reason,
        created_at=visit.created_at,
        updated_at=visit.updated_at,
        history=[HistoryOut(h.from_status, h.to_status, h.changed_at, h.changed_by, h.note) for h in visit.history],
    )


class SuggestionOut(msgspec.Struct):
    zone_id: int
    zone_name: str
    starts_at: datetime
    ends_at: datetime
    in_window: int | None  # which of the school's windows (0-based), or null: another time, to propose
    action: str  # "confirm" or "propose"


def suggestion_out(suggestion: Suggestion, branch: BranchZones) -> SuggestionOut:
    names = {zone.id: zone.name for zone in branch.zones}
    return SuggestionOut(
        zone_id=suggestion.zone_id,
        zone_name=names.get(suggestion.zone_id, ""),
        starts_at=suggestion.starts_at.astimezone(branch.tz),
        ends_at=suggestion.ends_at.astimezone(branch.tz),
        in_window=suggestion.window,
        action="confirm" if suggestion.window is not None else "propose",
    )
