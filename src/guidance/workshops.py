"""Career workshops, as career guidance sees them: read from the events domain (category ``career_workshop``).

Kept apart so that guidance reads events in one place: upcoming workshops for recommendations, attended ones
(check-ins) for the career passport.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from src.guidance import rules


@dataclass(frozen=True, slots=True)
class AttendedWorkshop:
    id: int
    title: str
    branch_id: int
    starts_at: datetime
    types: tuple[str, ...]
    fields: tuple[str, ...]


async def upcoming(since: datetime, until: datetime, field_slugs: dict[str, str]) -> list[rules.Workshop]:
    """Scheduled career workshops starting in [since, until]; ``field_slugs`` maps folded names to slugs."""
    return []


async def attended(reader_id: int) -> list[AttendedWorkshop]:
    return []
