"""Events as calendar items: one VEVENT per event, a series as one RRULE with its exceptions. Pure."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable

from src.calendars import ical
from src.calendars.ical import FeedItem, Occurrence
from src.calendars.ical import branch_geo, branch_location, page_url
from src.calendars.ical import instant
from src.i18n import _, current_language
from src.labels import label
from src.rooms.service import BranchZones

EVENT_FEED_COLUMNS = (
    "id", "branch", "zone", "series", "title", "description", "category", "audience", "starts_at", "ends_at",
    "host_name", "host_organisation", "status", "cancel_reason", "cancelled_at", "created_at", "updated_at", "capacity",
)


def description(row: dict) -> str:
    parts = [ical.plain_text(row["description"] or "")]
    if row["host_name"]:
        host = row["host_name"] + (f", {row['host_organisation']}" if row["host_organisation"] else "")
        parts.append(_("Host: %(host)s", host=host))
    if row["audience"]:
        parts.append(_("For: %(audience)s", audience=row["audience"]))
    if row["capacity"] is not None:
        parts.append(_("Sign-up needed: %(url)s", url=page_url(f"/events/{row['id']}")))
    if row["status"] == "cancelled":
        parts.insert(0, _("Cancelled: %(reason)s", reason=row["cancel_reason"] or "—"))
    return "\n\n".join(part for part in parts if part)


def event_item(row: dict, branch: BranchZones, status: str | None = None, summary_prefix: str = "") -> FeedItem:
    """One event row (the columns of EVENT_FEED_COLUMNS) as a VEVENT of its branch's zone; memoized per
    language, row version and branch details, so a feed rebuilt after one change maps one event anew."""
    key = (current_language(), row["id"], row["updated_at"], row["status"], status, summary_prefix,
           branch.id, branch.name, branch.address, branch.timezone, branch.latitude, branch.longitude, row["zone"] and tuple((z.id, z.name) for z in branch.zones))
    item = _items.get(key)
    if item is None:
        if len(_items) > ITEMS_KEPT:
            _items.clear()
        item = _items[key] = _event_item(row, branch, status, summary_prefix)
    return item


_items: dict[tuple, FeedItem] = {}
ITEMS_KEPT = 100_000


def _event_item(row: dict, branch: BranchZones, status: str | None, summary_prefix: str) -> FeedItem:
    zone_name = next((zone.name for zone in branch.zones if zone.id == row["zone"]), "") if row["zone"] else ""
    created, modified = instant(row["created_at"]), instant(row["updated_at"])
    return FeedItem(
        uid=ical.uid("event", row["id"]),
        summary=summary_prefix + row["title"],
        start=instant(row["starts_at"]),
        end=instant(row["ends_at"]),
        tz=branch.timezone,
        modified_at=modified,
        created_at=created,
        sequence=ical.sequence_of(created, modified),
        status=status or ("CANCELLED" if row["status"] == "cancelled" else "CONFIRMED"),
        description=description(row),
        location=branch_location(branch, zone_name),
        geo=branch_geo(branch),
        url=page_url(f"/events/{row['id']}"),
        categories=(label(row["category"], "category"),),
    )


def event_items(rows: Iterable[dict], branches: dict[int, BranchZones], series_rules: dict[int, str], complete_series: set[int], now: datetime) -> list[FeedItem]:
    """Events for a feed. A series whose every occurrence is here becomes one RRULE (with EXDATEs for the
    cancelled and missing dates and RECURRENCE-ID overrides for the changed ones); the rest stand alone.
    Cancelled events stay as STATUS:CANCELLED for 30 days after cancellation."""
    by_series: dict[int, list[dict]] = defaultdict(list)
    items: list[FeedItem] = []
    for row in rows:
        branch = branches.get(row["branch"])
        if branch is None:
            continue
        if row["series"] is not None and row["series"] in complete_series and row["series"] in series_rules:
            by_series[row["series"]].append(row)
            continue
        cancelled_at = instant(row["cancelled_at"]) if row["cancelled_at"] else None
        if row["status"] == "cancelled" and not ical.keep_cancelled(cancelled_at, now):
            continue
        items.append(event_item(row, branch))
    for series_id, members in by_series.items():
        members.sort(key=lambda row: row["id"])
        branch = branches[members[0]["branch"]]
        if all(row["status"] == "cancelled" for row in members):
            items += [event_item(row, branch) for row in members if ical.keep_cancelled(instant(row["cancelled_at"]) if row["cancelled_at"] else None, now)]
            continue
        first = members[0]
        base = ical.replace(event_item(first, branch, status="CONFIRMED"), uid=ical.uid("series", series_id))
        occurrences = [
            Occurrence(id=row["id"], start=instant(row["starts_at"]), end=instant(row["ends_at"]), summary=row["title"],
                       modified_at=instant(row["updated_at"]), cancelled=row["status"] == "cancelled")
            for row in members
        ]
        by_id = {row["id"]: row for row in members}
        items += ical.series_items(base, series_rules[series_id], occurrences, lambda occurrence: event_item(by_id[occurrence.id], branch))
    return items
