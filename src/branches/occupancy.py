"""What the domains hold in a branch's time, so that an hours change never strands it silently.

The branches are the base and import no domain; bookings, events, visits and consultations live above them.
Each domain that holds time in a branch registers here (at import) how to find its future items in a branch and
how to keep or cancel them::

    occupancy.register("booking", find=..., keep=..., cancel=...)

``find(branch_id, start)`` returns the active items that end after ``start``; ``keep(actor, ids)`` marks them
as exceptions to the hours (they stay valid outside them); ``cancel(actor, ids, reason)`` cancels them with a
message to each person concerned and an audit row each. Both run inside the caller's write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable, Sequence


@dataclass(frozen=True, slots=True)
class Held:
    kind: str  # booking, event, visit, consultation
    id: int
    starts_at: datetime
    ends_at: datetime
    zone_id: int | None = None  # the zone it holds, whose own hours apply; None: the branch's
    label: str = ""  # what staff see in the list (a zone, a title)


Find = Callable[[int, datetime], Awaitable[list[Held]]]
Keep = Callable[[Any, Sequence[int]], Awaitable[None]]
Cancel = Callable[[Any, Sequence[int], str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Holder:
    find: Find
    keep: Keep
    cancel: Cancel


HOLDERS: dict[str, Holder] = {}


def register(kind: str, find: Find, keep: Keep, cancel: Cancel) -> None:
    HOLDERS[kind] = Holder(find=find, keep=keep, cancel=cancel)


def set_cancel(kind: str, cancel: Cancel) -> None:
    """A domain above the one that reports ``kind`` cancels it (events and school visits are found through the
    zone bookings that hold their rooms, but cancelled by their own domains, which tell their people)."""
    HOLDERS[kind] = Holder(find=HOLDERS[kind].find, keep=HOLDERS[kind].keep, cancel=cancel)


def extend(kind: str, find: Find, keep: Keep) -> None:
    """Another domain reports more items of ``kind`` and keeps them its own way (events without a zone hold no
    room booking: the events domain finds and keeps them itself); ``cancel`` stays as it is."""
    first = HOLDERS[kind]

    async def find_both(branch_id: int, start: datetime) -> list[Held]:
        return await first.find(branch_id, start) + await find(branch_id, start)

    async def keep_both(actor: Any, ids: Sequence[int]) -> None:
        await first.keep(actor, ids)
        await keep(actor, ids)

    HOLDERS[kind] = Holder(find=find_both, keep=keep_both, cancel=first.cancel)


async def held(branch_id: int, start: datetime) -> list[Held]:
    """Everything the registered domains hold in the branch that ends after ``start``."""
    result: list[Held] = []
    for holder in HOLDERS.values():
        result += await holder.find(branch_id, start)
    return sorted(result, key=lambda item: (item.starts_at, item.kind, item.id))
