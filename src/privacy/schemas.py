"""API shapes of "My data" and erasure."""

from __future__ import annotations

from typing import Annotated

import msgspec

from src import bounds
from src.privacy.erase import Erased


class EraseRequest(bounds.Input):
    password: bounds.Secret


class StaffEraseRequest(bounds.Input):
    request_reference: bounds.line(300, description="The number and date of the reader's written request (kept in the audit log)")


class ErasedOut(msgspec.Struct):
    detail: str
    sign_ups_cancelled: int
    bookings_cancelled: int
    consultations_cancelled: Annotated[int, msgspec.Meta(description="Future consultations cancelled; past ones stay, anonymised, for statistics")]


def erased_out(detail: str, erased: Erased) -> ErasedOut:
    return ErasedOut(detail=detail, sign_ups_cancelled=erased.sign_ups, bookings_cancelled=erased.bookings, consultations_cancelled=erased.consultations)
