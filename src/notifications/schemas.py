"""API shapes of reminder settings and of message preferences (categories, channels, Telegram)."""

from datetime import datetime

import msgspec

from src import bounds


class RemindersOut(msgspec.Struct):
    enabled: bool
    hours: list[int]  # hours before the start, e.g. [24, 2]
    allowed_hours: list[int]


class RemindersIn(bounds.Input):
    enabled: bool
    hours: bounds.items(bounds.count(0, 24 * 366), 10)


class CategoryOut(msgspec.Struct):
    category: str  # "service" (essential: always on), "reminders", "waitlist"
    essential: bool
    email: bool
    telegram: bool


class TelegramOut(msgspec.Struct):
    available: bool  # the library has a bot
    linked: bool
    username: str


class MessagesOut(msgspec.Struct):
    categories: list[CategoryOut]
    telegram: TelegramOut


class ChoiceIn(bounds.Input):
    category: bounds.line(20)  # "reminders" or "waitlist" ("service" cannot be switched off)
    channel: bounds.line(10)  # "email" or "telegram"
    enabled: bool


class MessagesIn(bounds.Input):
    choices: bounds.items(ChoiceIn, 20)


class TelegramLinkOut(msgspec.Struct):
    url: str  # https://t.me/<bot>?start=<one-time code>: open it in Telegram and press Start
    expires_at: datetime
