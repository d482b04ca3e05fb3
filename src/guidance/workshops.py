"""Career workshops as career guidance sees them, read from the events domain in one place: upcoming ones
for recommendations, attended ones (checked in) for the career passport.

Events tag workshops with profession type codes and free-text field names ("IT", "медицина"); the names are
matched to profession fields by slug, name or alias (see ``service.field_lookup``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

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


@lru_cache(maxsize=1024)
def _types(value: str) -> tuple[str, ...]:
    """Type codes of a tag string, in the order of TYPES (the same few strings recur on many events)."""
    codes = event_rules.split_list(value)
    return tuple(t for t in TYPES if t in codes)


@lru_cache(maxsize=4096)
def _names(value: str) -> tuple[str, ...]:
    return tuple(name.casefold() for name in event_rules.split_list(value))


def _fields(value: str, lookup: dict[str, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(lookup.get(name, name) for name in _names(value)))


async def upcoming(
    since: datetime, until: datetime, lookup: dict[str, str], reader_id: int | None = None, ages: tuple[int, int] | None = None
) -> list[rules.Workshop]:
    """Scheduled career workshops starting in (since, until] whose sign-up is open (or opens later), that have a
    seat or a waitlist, minus those the reader is already signed up for. ``lookup`` maps folded field names to
    profession field slugs; ``ages`` (the reader's youngest and oldest age in the period) leaves out, in the
    database, workshops for other ages (rules.age_eligible decides exactly, on each workshop's date)."""
    where = (
        (Event.category == WORKSHOP_CATEGORY) & (Event.status == SCHEDULED) & (Event.starts_at > since) & (Event.starts_at <= until)
        & (Event.capacity.is_null() | (Event.seats_taken < Event.capacity) | (Event.waitlist == True))  # noqa: E712
        & (Event.registration_closes_at.is_null() | (Event.registration_closes_at > since))
    )
    if ages is not None:
        where &= (Event.min_age.is_null() | (Event.min_age <= ages[1])) & (Event.max_age.is_null() | (Event.max_age >= ages[0]))
    rows = await Event.select(
        Event.id, Event.title, Event.branch, Event.starts_at, Event.ends_at, Event.min_age, Event.max_age, Event.capacity, Event.seats_taken,
        Event.waitlist, Event.profession_types, Event.career_fields,
    ).where(where)
    mine: set[int] = set()
    if reader_id is not None and rows:
        signed = await Registration.select(Registration.event).where((Registration.reader == reader_id) & Registration.status.is_in(list(ACTIVE)))
        mine = {row["event"] for row in signed}
    known = set(lookup.values())
    workshops = []
    for row in rows:
        if row["id"] in mine:
            continue
        workshops.append(
            rules.Workshop(
                id=row["id"],
                title=row["title"],
                branch_id=row["branch"],
                starts_at=aware(row["starts_at"]),
                ends_at=aware(row["ends_at"]),
                types=frozenset(_types(row["profession_types"])),
                fields=frozenset(slug for slug in _fields(row["career_fields"], lookup) if slug in known),
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
