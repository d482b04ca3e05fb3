"""Career workshops as career guidance sees them, read from the events domain in one place: upcoming ones
for recommendations, attended ones (checked in) for the career passport.

Events tag workshops with profession type codes and free-text field names ("IT", "медицина"); the names are
matched to profession fields by slug, name or alias (see ``service.field_lookup``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from src.events import rules as event_rules
from src.events.constants import ACTIVE, SCHEDULED
from src.events.tables import Event, Registration
from src.guidance import rules
from src.guidance.constants import TYPES, WORKSHOP_CATEGORY
from src.timeutil import aware


@dataclass(frozen=True, slots=True)
class AttendedWorkshop:
    id: int
    title: str
    branch_id: int
    starts_at: datetime
    types: tuple[str, ...]
    fields: tuple[str, ...]  # profession field slugs where the event's names are known, else the names


def _types(value: str) -> tuple[str, ...]:
    codes = event_rules.split_list(value)
    return tuple(t for t in TYPES if t in codes)


def _fields(value: str, lookup: dict[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(lookup.get(name.casefold(), name) for name in event_rules.split_list(value)))


async def upcoming(since: datetime, until: datetime, lookup: dict[str, str], reader_id: int | None = None) -> list[rules.Workshop]:
    """Scheduled career workshops starting in (since, until] whose sign-up is open (or opens later), minus those
    the reader is already signed up for. ``lookup`` maps folded field names to profession field slugs."""
    rows = await Event.select(
        Event.id, Event.title, Event.branch, Event.starts_at, Event.ends_at, Event.min_age, Event.max_age, Event.capacity, Event.seats_taken,
        Event.waitlist, Event.profession_types, Event.career_fields, Event.registration_opens_at, Event.registration_closes_at,
    ).where((Event.category == WORKSHOP_CATEGORY) & (Event.status == SCHEDULED) & (Event.starts_at > since) & (Event.starts_at <= until))
    mine: set[int] = set()
    if reader_id is not None and rows:
        signed = await Registration.select(Registration.event).where(
            (Registration.reader == reader_id) & Registration.status.is_in(list(ACTIVE)) & Registration.event.is_in([row["id"] for row in rows])
        )
        mine = {row["event"] for row in signed}
    workshops = []
    for row in rows:
        starts_at = aware(row["starts_at"])
        closes = row["registration_closes_at"]
        if row["id"] in mine or (closes is not None and aware(closes) <= since):
            continue
        workshops.append(
            rules.Workshop(
                id=row["id"],
                title=row["title"],
                branch_id=row["branch"],
                starts_at=starts_at,
                ends_at=aware(row["ends_at"]),
                types=frozenset(_types(row["profession_types"])),
                fields=frozenset(slug for slug in _fields(row["career_fields"], lookup) if slug in lookup.values()),
                min_age=row["min_age"],
                max_age=row["max_age"],
                free_seats=event_rules.seats_left(row["capacity"], row["seats_taken"]),
                waitlist=row["waitlist"],
            )
        )
    return workshops


async def attended(reader_id: int, lookup: dict[str, str]) -> list[AttendedWorkshop]:
    """Career workshops the reader was checked in at, newest first."""
    rows = await Registration.select(
        Registration.event, Registration.event.title, Registration.event.branch, Registration.event.starts_at,
        Registration.event.profession_types, Registration.event.career_fields,
    ).where(
        (Registration.reader == reader_id) & Registration.checked_in_at.is_not_null() & (Registration.event.category == WORKSHOP_CATEGORY)
    ).order_by(Registration.event.starts_at, ascending=False)
    return [
        AttendedWorkshop(
            id=row["event"],
            title=row["event.title"],
            branch_id=row["event.branch"],
            starts_at=aware(row["event.starts_at"]),
            types=_types(row["event.profession_types"]),
            fields=_fields(row["event.career_fields"], lookup),
        )
        for row in rows
    ]
