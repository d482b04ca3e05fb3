"""Group-visit programmes: the catalogue (cached, see src/cache.py) and staff adding one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import time

from piccolo.engine import engine_finder

from src import audit, cache
from src.accounts.permissions import Principal, can_manage_branch
from src.branches import service as branches_service
from src.db import write_transaction
from src.exceptions import FieldError, Forbidden, Invalid, NotFound
from src.i18n import _
from src.rooms import zones_admin
from src.rooms.constants import ZONE_KINDS
from src.schools.constants import GRADE_MAX, GRADE_MIN, MAX_GROUP, TOPICS
from src.schools.rules import ProgrammeHoursRow, ProgrammeRules
from src.schools.tables import Programme, ProgrammeBranch, ProgrammeHours, ProgrammeZoneKind
from src.timeutil import now_utc

CACHE_NAME = "programmes"


@dataclass(frozen=True, slots=True)
class ProgrammeInfo:
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
    branch_ids: tuple[int, ...]
    zone_kinds: tuple[str, ...]
    hours: tuple[ProgrammeHoursRow, ...]

    @property
    def rules(self) -> ProgrammeRules:
        return ProgrammeRules(
            duration_minutes=self.duration_minutes,
            grade_min=self.grade_min,
            grade_max=self.grade_max,
            group_min=self.group_min,
            group_max=self.group_max,
            lead_days=self.lead_days,
            zone_kinds=frozenset(self.zone_kinds),
            hours=self.hours,
        )

    def matches(self, grade: int | None = None, branch_id: int | None = None, topic: str | None = None) -> bool:
        return (
            (grade is None or self.grade_min <= grade <= self.grade_max)
            and (branch_id is None or branch_id in self.branch_ids)
            and (not topic or self.topic == topic)
        )


async def _load() -> tuple[ProgrammeInfo, ...]:
    rows = await Programme.select().where(Programme.is_active == True).order_by(Programme.title)  # noqa: E712
    branches: dict[int, list[int]] = defaultdict(list)
    for row in await ProgrammeBranch.select(ProgrammeBranch.programme, ProgrammeBranch.branch).order_by(ProgrammeBranch.id):
        branches[row["programme"]].append(row["branch"])
    kinds: dict[int, list[str]] = defaultdict(list)
    for row in await ProgrammeZoneKind.select(ProgrammeZoneKind.programme, ProgrammeZoneKind.kind).order_by(ProgrammeZoneKind.id):
        kinds[row["programme"]].append(row["kind"])
    hours: dict[int, list[ProgrammeHoursRow]] = defaultdict(list)
    for row in await ProgrammeHours.select().order_by(ProgrammeHours.weekday, ProgrammeHours.starts):
        hours[row["programme"]].append(ProgrammeHoursRow(row["weekday"], row["starts"], row["ends"]))
    return tuple(
        ProgrammeInfo(
            id=row["id"],
            title=row["title"],
            description=row["description"],
            topic=row["topic"],
            duration_minutes=row["duration_minutes"],
            grade_min=row["grade_min"],
            grade_max=row["grade_max"],
            group_min=row["group_min"],
            group_max=row["group_max"],
            lead_days=row["lead_days"],
            branch_ids=tuple(branches[row["id"]]),
            zone_kinds=tuple(kinds[row["id"]]),
            hours=tuple(hours[row["id"]]),
        )
        for row in rows
    )


async def list_programmes() -> tuple[ProgrammeInfo, ...]:
    return await cache.cached(CACHE_NAME, "all", _load)


async def get_programme(programme_id: int) -> ProgrammeInfo:
    for programme in await list_programmes():
        if programme.id == programme_id:
            return programme
    raise NotFound(_("There is no such programme"))


async def catalogue(grade: int | None = None, branch_slug: str | None = None, topic: str | None = None) -> list[ProgrammeInfo]:
    """Active programmes for a grade, offered at a branch, on a topic (each filter optional)."""
    branch_id = None
    if branch_slug:
        branch_id = (await branches_service.get_branch(branch_slug)).id
    return [programme for programme in await list_programmes() if programme.matches(grade, branch_id, topic)]


# --- staff add a programme ---------------------------------------------------------------------------------


@dataclass
class ProgrammeInput:
    title: str
    description: str
    topic: str
    duration_minutes: int
    grade_min: int
    grade_max: int
    group_min: int
    group_max: int
    lead_days: int
    branches: list[str]
    zone_kinds: list[str]
    hours: list[tuple[int, time, time]]  # weekday (0 = Monday), starts, ends


def programme_errors(data: ProgrammeInput, zone_kinds: set[str] | frozenset[str] = frozenset(ZONE_KINDS)) -> list[FieldError]:
    """``zone_kinds``: the kinds a programme may ask for (the built-in ones and those admins added)."""
    errors: list[FieldError] = []
    if not 3 <= len(data.title.strip()) <= 200:
        errors.append(FieldError("title", _("Give the programme a title of 3 to 200 characters")))
    if data.topic not in TOPICS:
        errors.append(FieldError("topic", _("Choose a topic")))
    if not 15 <= data.duration_minutes <= 240:
        errors.append(FieldError("duration_minutes", _("A visit lasts 15 to 240 minutes")))
    if not GRADE_MIN <= data.grade_min <= data.grade_max <= GRADE_MAX:
        errors.append(FieldError("grade_min", _("Grades run from %(a)s to %(b)s, the first not above the last", a=GRADE_MIN, b=GRADE_MAX)))
    if not 1 <= data.group_min <= data.group_max <= MAX_GROUP:
        errors.append(FieldError("group_min", _("Group sizes run from 1 to %(n)s, the smallest not above the largest", n=MAX_GROUP)))
    if not 0 <= data.lead_days <= 60:
        errors.append(FieldError("lead_days", _("The lead time is 0 to 60 days")))
    if not data.branches:
        errors.append(FieldError("branches", _("Choose at least one branch")))
    if not data.zone_kinds or any(kind not in zone_kinds for kind in data.zone_kinds):
        errors.append(FieldError("zone_kinds", _("Choose at least one kind of zone")))
    if not data.hours:
        errors.append(FieldError("hours", _("Give at least one weekday and the hours the programme can run")))
    for weekday, starts, ends in data.hours:
        if not 0 <= weekday <= 6 or ends <= starts:
            errors.append(FieldError("hours", _("Each interval ends after it starts, on a weekday from Monday to Sunday")))
            break
    return errors


async def create_programme(principal: Principal, data: ProgrammeInput) -> int:
    """Staff add a programme for branches they manage. Nothing is written unless every value is right."""
    errors = programme_errors(data, set(await zones_admin.kinds()))
    branch_ids: list[int] = []
    for slug in data.branches:
        try:
            branch = await branches_service.get_branch(slug)
        except NotFound:
            errors.append(FieldError("branches", _("Unknown library branch: %(slug)s", slug=slug)))
            continue
        if not can_manage_branch(principal, branch.id):
            raise Forbidden(_("You can add programmes only for your own branches"))
        branch_ids.append(branch.id)
    if errors:
        raise Invalid(errors=errors)
    now = now_utc()
    async with write_transaction(engine_finder()):
        programme = Programme(
            title=data.title.strip(),
            description=data.description.strip(),
            topic=data.topic,
            duration_minutes=data.duration_minutes,
            grade_min=data.grade_min,
            grade_max=data.grade_max,
            group_min=data.group_min,
            group_max=data.group_max,
            lead_days=data.lead_days,
            created_at=now,
            updated_at=now,
        )
        await programme.save()
        await ProgrammeBranch.insert(*[ProgrammeBranch(programme=programme.id, branch=branch_id) for branch_id in dict.fromkeys(branch_ids)])
        await ProgrammeZoneKind.insert(*[ProgrammeZoneKind(programme=programme.id, kind=kind) for kind in dict.fromkeys(data.zone_kinds)])
        await ProgrammeHours.insert(*[ProgrammeHours(programme=programme.id, weekday=w, starts=s, ends=e) for w, s, e in data.hours])
        await audit.record(principal, "create", "programme", programme.id, changes=audit.diff(None, {
            "title": programme.title, "topic": programme.topic, "duration_minutes": programme.duration_minutes, "grade_min": programme.grade_min,
            "grade_max": programme.grade_max, "group_min": programme.group_min, "group_max": programme.group_max, "branches": sorted(set(branch_ids)),
            "zone_kinds": list(dict.fromkeys(data.zone_kinds)),
        }))
        await cache.bump(CACHE_NAME)
    return programme.id
