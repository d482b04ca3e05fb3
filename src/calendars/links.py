"""The three calendar links every dated page offers: download the .ics, subscribe (webcal://) so later
changes follow, and add to Google Calendar (its "create event" form, filled in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode

from src.calendars.schemas import feed_links


@dataclass(frozen=True, slots=True)
class CalendarLinks:
    download: str
    webcal: str
    google: str


def google_template(title: str, starts_at: datetime, ends_at: datetime, tz: str, details: str = "", location: str = "") -> str:
    def utc(value: datetime) -> str:
        return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    query = {"action": "TEMPLATE", "text": title, "dates": f"{utc(starts_at)}/{utc(ends_at)}", "ctz": tz, "details": details, "location": location}
    return "https://calendar.google.com/calendar/render?" + urlencode({key: value for key, value in query.items() if value})


def event_links(event) -> CalendarLinks:
    """For an event page (``src.events.queries.EventView``)."""
    links = feed_links(f"/feeds/events/{event.id}.ics")
    place = event.branch_name + (f", {event.zone_name}" if event.zone_name else "")
    return CalendarLinks(
        download=links.url + "?download=true",
        webcal=links.webcal,
        google=google_template(event.title, event.starts_at, event.ends_at, event.timezone, details=links.url.replace("/feeds/events/", "/events/").removesuffix(".ics"), location=place),
    )
