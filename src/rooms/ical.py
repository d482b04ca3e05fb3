"""Bookings as calendar items. A zone's occupancy shows busy blocks with no personal data (an event that holds
the zone is named: events are public); a staff member's schedule also shows what each booking is for. Pure."""

from __future__ import annotations


from src.branches.service import BranchInfo
from src.calendars import ical
from src.calendars.ical import FeedItem
from src.calendars.ical import branch_geo, branch_location, page_url
from src.calendars.ical import instant
from src.i18n import _

BOOKING_FEED_COLUMNS = ("id", "zone", "starts_at", "ends_at", "status", "holder_kind", "holder_ref", "purpose", "created_at", "status_changed_at")


def booking_item(row: dict, branch: BranchInfo, zone_name: str, event_titles: dict[int, str], detailed: bool) -> FeedItem:
    """``detailed``: staff see the purpose; the public occupancy feed says only "busy" (or the public event)."""
    created = instant(row["created_at"])
    modified = instant(row["status_changed_at"]) if row["status_changed_at"] else created
    if row["holder_kind"] == "event" and row["holder_ref"] in event_titles:
        summary = event_titles[row["holder_ref"]]
        url = page_url(f"/events/{row['holder_ref']}")
    else:
        summary = (f"{zone_name}: {row['purpose']}" if detailed and row["purpose"] else _("%(zone)s: busy", zone=zone_name))
        url = page_url(f"/branches/{branch.slug}#zone-{row['zone']}")
    status = {"pending": "TENTATIVE", "confirmed": "CONFIRMED"}.get(row["status"], "CANCELLED")
    return FeedItem(
        uid=ical.uid("booking", row["id"]),
        summary=summary,
        start=instant(row["starts_at"]),
        end=instant(row["ends_at"]),
        tz=branch.timezone,
        modified_at=modified,
        created_at=created,
        sequence=ical.sequence_of(created, modified),
        status=status,
        location=branch_location(branch, zone_name),
        geo=branch_geo(branch),
        url=url,
    )
