"""API shapes of reminder settings."""

import msgspec


class RemindersOut(msgspec.Struct):
    enabled: bool
    hours: list[int]  # hours before the start, e.g. [24, 2]
    allowed_hours: list[int]


class RemindersIn(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool
    hours: list[int]
