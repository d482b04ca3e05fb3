"""What goes into feeds, read from each domain and turned into :class:`FeedItem`s.

Every source answers two questions: a cheap *fingerprint* of its data (for ETags and the 304 path, no rows
loaded) and the *items* themselves. Domains that have not landed yet contribute nothing; each one is added
here as it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from src import cache
from src.calendars.constants import FEED_PAST_DAYS
from src.calendars.ical import FeedItem, uid
from src.config import get_settings
from src.i18n import _
from src.labels import label
from src.rooms import service as rooms_service
from src.rooms.service import BranchInfo
from src.rooms.tables import Closure

EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)  # Last-Modified of a feed with no data at all


@dataclass(frozen=True, slots=True)
class Fingerprint:
    parts: tuple
    last_modified: datetime


def page_url(path: str) -> str:
    return f"{get_settings().base_url}{path}"


def branch_location(branch: BranchInfo, zone_name: str = "") -> str:
    """LOCATION: the branch's name and address (and the zone), what a map search in a client needs."""
    place = f"{branch.name} ({zone_name})" if zone_name else branch.name
    return f"{place}, {branch.address}" if branch.address else place


def branch_geo(branch: BranchInfo) -> tuple[float, float] | None:
    if branch.latitude is None or branch.longitude is None:
        return None
    return (round(branch.latitude, 6), round(branch.longitude, 6))


def feed_since(today: date) -> date:
    return today - timedelta(days=FEED_PAST_DAYS)


# ---- closures ---------------------------------------------------------------------------------------


async def closures_fingerprint() -> tuple:
    """Closures change only through writers that bump the branches revision (src/cache.py)."""
    return ("closures", await cache.revision(rooms_service.CACHE_NAME))


async def closure_rows(branch_ids: list[int], since: date, zone_id: int | None = None) -> list[dict]:
    query = Closure.select().where(Closure.branch.is_in(branch_ids) & (Closure.ends_on >= since))
    if zone_id is None:
        query = query.where(Closure.zone.is_null())
    else:
        query = query.where(Closure.zone.is_null() | (Closure.zone == zone_id))
    return await query.order_by(Closure.starts_on)


def closure_item(row: dict, branch: BranchInfo, busy: bool) -> FeedItem:
    """A closure as an all-day block (DTEND is the day after the last closed day, RFC 5545 §3.6.1)."""
    reason = row["reason"] or label(row["kind"])
    return FeedItem(
        uid=uid("closure", row["id"]),
        summary=_("Closed: %(reason)s", reason=reason) + f" · {branch.short_name}",
        start=row["starts_on"],
        end=row["ends_on"] + timedelta(days=1),
        modified_at=row["created_at"],
        created_at=row["created_at"],
        description=_("%(branch)s is closed to readers: %(reason)s.", branch=branch.name, reason=reason),
        location=branch_location(branch),
        geo=branch_geo(branch),
        url=page_url(f"/branches/{branch.slug}"),
        categories=(label(row["kind"]),),
        busy=busy,
    )
