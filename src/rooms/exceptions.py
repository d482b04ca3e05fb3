"""Rooms errors that carry more than a message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from src.exceptions import Conflict
from src.i18n import _


@dataclass(frozen=True, slots=True)
class Clash:
    """A wanted occurrence (its local date) and the time of a booking that already holds the zone then."""

    on: date
    starts_at: datetime
    ends_at: datetime


class BookingClash(Conflict):
    """409: the zone is taken. Names the clashing times, never who holds them."""

    def __init__(self, clashes: Sequence[Clash]) -> None:
        ordered = sorted(set(clashes), key=lambda clash: (clash.starts_at, clash.on))
        super().__init__(
            detail=_("The zone is already booked at this time"),
            extra={"conflicts": [{"date": clash.on.isoformat(), "starts_at": clash.starts_at, "ends_at": clash.ends_at} for clash in ordered]},
        )
        self.clashes = ordered
