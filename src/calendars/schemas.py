"""API shapes for private feeds, and the links every calendar-bearing page offers."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlencode

import msgspec

from src import bounds
from src.config import get_settings


class FeedLinks(msgspec.Struct):
    url: str  # https://…/feeds/….ics: download, or paste into a client's "subscribe by URL"
    webcal: str  # webcal://…: opens the system's calendar app and subscribes
    google: str  # adds the subscription to Google Calendar


class PrivateFeedOut(msgspec.Struct):
    kind: str
    links: FeedLinks
    created_at: datetime


class PrivateFeedsOut(msgspec.Struct):
    feeds: list[PrivateFeedOut]


class RegenerateIn(bounds.Input):
    kind: bounds.line(32) | None = None  # one kind of feed, or every feed of the caller when left out


def feed_links(path: str) -> FeedLinks:
    url = f"{get_settings().base_url}{path}"
    webcal = "webcal://" + url.split("://", 1)[1]
    return FeedLinks(url=url, webcal=webcal, google="https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}, quote_via=quote))


def private_path(token: str) -> str:
    return f"/feeds/private/{token}.ics"


def private_feed_out(row: dict) -> PrivateFeedOut:
    return PrivateFeedOut(kind=row["kind"], links=feed_links(private_path(row["token"])), created_at=row["created_at"])
