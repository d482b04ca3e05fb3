"""What the rooms' messages say: staff cancelled or declined a booking, with their reason.

The lead is written in the recipient's language; the booking's zone, time and place come with the message
(``booking_id`` in the payload: the calendar file cancels the entry), the reason on its own line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from src.i18n import _, fmt_day_time
from src.labels import N_
from src.notifications import registry

BOOKING_CANCELLED = "booking_cancelled"
BOOKING_DECLINED = "booking_declined"

SUBJECTS = {
    BOOKING_CANCELLED: N_("Your booking is cancelled: %(zone)s"),
    BOOKING_DECLINED: N_("Your booking request is declined: %(zone)s"),
}


def _when(payload: dict[str, Any]) -> str:
    try:
        return fmt_day_time(datetime.fromisoformat(str(payload["starts_at"])), ZoneInfo(str(payload["timezone"])))
    except (KeyError, ValueError):
        return ""


def payload_of(zone: str, starts_at: datetime, timezone: str, booking_id: int, reason: str, count: int) -> dict[str, Any]:
    return {"booking_id": booking_id, "zone": zone, "starts_at": starts_at.isoformat(), "timezone": timezone, "reason": reason, "count": count}


registry.register(
    BOOKING_CANCELLED,
    lambda payload: _(
        "Library staff cancelled your booking of %(zone)s on %(when)s (dates cancelled: %(count)s).",
        zone=payload.get("zone", ""), when=_when(payload), count=payload.get("count", 1),
    ) if int(payload.get("count", 1)) > 1 else _("Library staff cancelled your booking of %(zone)s on %(when)s.", zone=payload.get("zone", ""), when=_when(payload)),
)
registry.register(
    BOOKING_DECLINED,
    lambda payload: _("Library staff declined your request to book %(zone)s on %(when)s.", zone=payload.get("zone", ""), when=_when(payload)),
)
