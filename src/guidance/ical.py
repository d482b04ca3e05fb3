"""Career consultations as calendar items: in the reader's private feed, and in the counsellor's.

Only the time, the place, the counsellor (for the reader) or the reader (for their counsellor) and the topic the
reader gave. The counsellor's private notes and the next steps are never selected, let alone written.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from src.branches.service import BranchInfo
from src.calendars import ical
from src.calendars.ical import FeedItem
from src.calendars.ical import branch_geo, branch_location, page_url
from src.calendars.ical import instant
from src.guidance.constants import CANCELLED
from src.i18n import _

FEED_COLUMNS = ("id", "counsellor", "reader", "branch", "starts_at", "ends_at", "status", "topic", "created_at", "cancelled_at")


async def consultation_rows(condition, since: date) -> list[dict]:
    """Consultations matching ``condition`` that end on or after ``since`` (no notes among the columns)."""
    from src.guidance.tables import Consultation

    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.utc)
    return await Consultation.select(
        *[getattr(Consultation, name) for name in FEED_COLUMNS], Consultation.counsellor.full_name, Consultation.reader.full_name
    ).where(condition & (Consultation.ends_at >= start)).order_by(Consultation.starts_at, Consultation.id)


def fingerprint(rows: list[dict]) -> tuple[tuple, datetime | None]:
    import hashlib

    digest = hashlib.sha256(repr([sorted((k, str(v)) for k, v in row.items()) for row in rows]).encode()).hexdigest()
    latest = max([instant(row["cancelled_at"] or row["created_at"]) for row in rows], default=None)
    return ("consultations", len(rows), digest), latest


def consultation_item(row: dict, branch: BranchInfo, for_counsellor: bool) -> FeedItem:
    created = instant(row["created_at"])
    modified = instant(row["cancelled_at"]) if row["cancelled_at"] else created
    cancelled = row["status"] == CANCELLED
    if for_counsellor:
        summary = _("Consultation: %(reader)s", reader=row["reader.full_name"])
        url = page_url(f"/guidance/counsellor/consultations/{row['id']}")
    else:
        summary = _("Career consultation with %(counsellor)s", counsellor=row["counsellor.full_name"])
        url = page_url("/guidance/consultations")
    lines = []
    if cancelled:
        lines.append(_("This consultation is cancelled."))
    if row["topic"]:
        lines.append(_("Topic: %(topic)s", topic=row["topic"]))
    return FeedItem(
        uid=ical.uid("consultation", row["id"]),
        summary=summary,
        start=instant(row["starts_at"]),
        end=instant(row["ends_at"]),
        tz=branch.timezone,
        modified_at=modified,
        created_at=created,
        sequence=ical.sequence_of(created, modified),
        status="CANCELLED" if cancelled else "CONFIRMED",
        description="\n".join(lines),
        location=branch_location(branch),
        geo=branch_geo(branch),
        url=url,
    )


def consultation_items(rows: list[dict], branches: dict[int, BranchInfo], for_counsellor: bool, now: datetime) -> list[FeedItem]:
    items = []
    for row in rows:
        branch = branches.get(row["branch"])
        if branch is None:
            continue
        if row["status"] == CANCELLED and not ical.keep_cancelled(instant(row["cancelled_at"]) if row["cancelled_at"] else None, now):
            continue
        items.append(consultation_item(row, branch, for_counsellor))
    return items
