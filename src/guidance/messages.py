"""What the guidance messages say: a consultation cancelled by the counsellor or staff, with their reason."""

from __future__ import annotations

from src.i18n import _
from src.labels import N_
from src.notifications import registry

CONSULTATION_CANCELLED = "consultation_cancelled"
SUBJECTS = {CONSULTATION_CANCELLED: N_("Your career consultation is cancelled")}

registry.register(
    CONSULTATION_CANCELLED,
    lambda payload: _("Your career consultation has been cancelled by the library. You can choose another time at %(url)s.", url=str(payload.get("slots_url", ""))),
)
