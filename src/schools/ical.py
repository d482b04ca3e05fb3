"""School visits as calendar items: a school's private feed (its teachers) and a branch schedule (its staff).

No pupils' personal data ever reaches a feed: only the programme, the school, the class's name and how many
pupils and adults come. The request's note and accessibility needs stay on the visit page.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from src.calendars import ical
from src.calendars.ical import FeedItem
from src.calendars.ical import branch_geo, branch_location, page_url
from src.calendars.ical import instant
from src.i18n import _, ngettext
from src.rooms.service import BranchZones
from src.schools.constants import CANCELLED, CONFIRMED, DECLINED, HOLDER_KIND, PROPOSED

FEED_STATUSES = (PROPOSED, CONFIRMED, CANCELLED, DECLINED)  # a requested visit has no time yet
ENDED_STATUSES = (CANCELLED, DECLINED)


async def visit_rows(condition, since: date) -> list[dict]:
    """Visits matching ``condition`` that have (or had) a time, ending on or after ``since``.

    A declined visit loses its time and zone; its last zone booking (released, kept by the rooms service)
    still knows them, so the feed can tell clients to drop it. Each row gets ``changes`` (the length of its
    status history: the SEQUENCE)."""
    from piccolo.query.functions.aggregate import Count

    from src.rooms.tables import Booking
    from src.schools.tables import VisitRequest, VisitStatusChange

    rows = await VisitRequest.select(
        VisitRequest.id, VisitRequest.status, VisitRequest.branch, VisitRequest.zone, VisitRequest.starts_at, VisitRequest.ends_at,
        VisitRequest.class_name, VisitRequest.group_size, VisitRequest.adults, VisitRequest.created_at, VisitRequest.updated_at,
        VisitRequest.school.name, VisitRequest.programme.title,
    ).where(condition & VisitRequest.status.is_in(list(FEED_STATUSES))).order_by(VisitRequest.id)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    undated = [row["id"] for row in rows if row["starts_at"] is None]
    last_hold: dict[int, dict] = {}
    if undated:
        for booking in await Booking.select(Booking.holder_ref, Booking.zone, Booking.starts_at, Booking.ends_at).where(
            (Booking.holder_kind == HOLDER_KIND) & Booking.holder_ref.is_in(undated)
        ).order_by(Booking.id):
            last_hold[booking["holder_ref"]] = booking  # the latest wins
    counts = {row["visit"]: row["n"] for row in await VisitStatusChange.select(VisitStatusChange.visit, Count(alias="n")).where(
        VisitStatusChange.visit.is_in(ids)
    ).group_by(VisitStatusChange.visit)}
    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.utc)
    result = []
    for row in rows:
        if row["starts_at"] is None:
            hold = last_hold.get(row["id"])
            if hold is None:
                continue  # never had a time: nothing a calendar ever showed
            row = {**row, "zone": row["zone"] or hold["zone"], "starts_at": hold["starts_at"], "ends_at": hold["ends_at"]}
        if instant(row["ends_at"]) < start:
            continue
        result.append({**row, "changes": counts.get(row["id"], 0)})
    return result


def fingerprint(rows: list[dict]) -> tuple[tuple, datetime | None]:
    """The rows themselves (a school has few visits): any change of time, status, names or zone moves it."""
    import hashlib

    digest = hashlib.sha256(repr([sorted((k, str(v)) for k, v in row.items()) for row in rows]).encode()).hexdigest()
    latest = max([instant(row["updated_at"]) for row in rows], default=None)
    return ("visits", len(rows), digest), latest


def visit_item(row: dict, branch: BranchZones, for_staff: bool) -> FeedItem:
    """One visit: TENTATIVE while proposed, CONFIRMED, or CANCELLED (declined or cancelled)."""
    zone_name = next((zone.name for zone in branch.zones if zone.id == row["zone"]), "") if row["zone"] else ""
    programme, school = row["programme.title"], row["school.name"]
    status = {PROPOSED: "TENTATIVE", CONFIRMED: "CONFIRMED"}.get(row["status"], "CANCELLED")
    if for_staff:
        summary = _("School visit: %(programme)s — %(school)s", programme=programme, school=school)
    else:
        summary = _("%(programme)s · %(branch)s", programme=programme, branch=branch.short_name)
    if row["status"] == PROPOSED:
        summary = _("(proposed) ") + summary
    pupils = ngettext("%(num)s pupil", "%(num)s pupils", row["group_size"])
    adults = ngettext("%(num)s adult", "%(num)s adults", row["adults"])
    lines = [
        _("Programme: %(programme)s", programme=programme),
        _("School: %(school)s, class %(class_name)s (%(pupils)s, %(adults)s)", school=school, class_name=row["class_name"], pupils=pupils, adults=adults),
    ]
    if row["status"] == PROPOSED:
        lines.insert(0, _("The library proposes this time; the school has not accepted it yet."))
    elif status == "CANCELLED":
        lines.insert(0, _("This visit is cancelled."))
    created, modified = instant(row["created_at"]), instant(row["updated_at"])
    return FeedItem(
        uid=ical.uid("visit", row["id"]),
        summary=summary,
        start=instant(row["starts_at"]),
        end=instant(row["ends_at"]),
        tz=branch.timezone,
        modified_at=modified,
        created_at=created,
        sequence=row["changes"],
        status=status,
        description="\n".join(lines),
        location=branch_location(branch, zone_name),
        geo=branch_geo(branch),
        url=page_url(f"/schools/visits/{row['id']}"),
    )


def visit_items(rows: list[dict], branches: dict[int, BranchZones], for_staff: bool, now: datetime) -> list[FeedItem]:
    items = []
    for row in rows:
        branch = branches.get(row["branch"])
        if branch is None:
            continue
        if row["status"] in ENDED_STATUSES and not ical.keep_cancelled(instant(row["updated_at"]), now):
            continue
        items.append(visit_item(row, branch, for_staff))
    return items
