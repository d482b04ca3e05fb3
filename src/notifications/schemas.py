"""API shapes of reminder settings."""

import msgspec

from src import bounds


class RemindersOut(msgspec.Struct):
    enabled: bool
    hours: list[int]  # hours before the start, e.g. [24, 2]
    allowed_hours: list[int]


class RemindersIn(bounds.Input):
    enabled: bool
    hours: bounds.items(bounds.count(0, 24 * 366), 10)
