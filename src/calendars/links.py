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


def booking_links(booking, pair, private_webcal: str = "") -> CalendarLinks:
    """For a booking in a list (``src.rooms.bookings.BookingView`` and its (branch, zone) pair): the download
    needs the log-in; the subscription is the person's private feed, which holds all their bookings."""
    from src.config import get_settings

    branch, zone = pair if pair else (None, None)
    title = zone.name if zone else ""
    if booking.purpose:
        title = f"{title}: {booking.purpose}" if title else booking.purpose
    place = f"{branch.name}, {branch.address}" if branch else ""
    return CalendarLinks(
        download=f"{get_settings().base_url}/me/bookings/{booking.id}/calendar.ics",
        webcal=private_webcal,
        google=google_template(title, booking.starts_at, booking.ends_at, branch.timezone if branch else get_settings().timezone, location=place),
    )


def subscription_links(path: str) -> CalendarLinks:
    """For a whole feed (a branch's events, a zone's occupancy): Google subscribes by the webcal address."""
    links = feed_links(path)
    return CalendarLinks(download=links.url + "?download=true", webcal=links.webcal, google=links.google)


def visit_links(visit, private_webcal: str = "") -> CalendarLinks:
    """For a school visit with a time (``src.schools.service.VisitView``): the download needs the log-in; the
    subscription is the viewer's private feed (the school's visits, or the staff member's branches)."""
    from src.config import get_settings

    place = visit.branch_name + (f", {visit.zone_name}" if visit.zone_name else "")
    return CalendarLinks(
        download=f"{get_settings().base_url}/schools/visits/{visit.id}/calendar.ics",
        webcal=private_webcal,
        google=google_template(f"{visit.programme_title} — {visit.school_name}", visit.starts_at, visit.ends_at, visit.timezone,
                               details=f"{get_settings().base_url}/schools/visits/{visit.id}", location=place),
    )


async def private_webcal(principal) -> str:
    """The webcal:// address of the person's private feed (created on first use), or "" for nobody."""
    from src.calendars import service as calendars_service

    if principal is None:
        return ""
    rows = await calendars_service.my_tokens(principal)
    return feed_links(f"/feeds/private/{rows[0]['token']}.ics").webcal if rows else ""


def consultation_links(consultation, branch, title: str, private_webcal: str = "") -> CalendarLinks:
    """For a consultation (``src.guidance.consultations.ConsultationView`` and its branch)."""
    from src.config import get_settings

    place = f"{branch.name}, {branch.address}" if branch else ""
    return CalendarLinks(
        download=f"{get_settings().base_url}/guidance/consultations/{consultation.id}/calendar.ics",
        webcal=private_webcal,
        google=google_template(title, consultation.starts_at, consultation.ends_at, branch.timezone if branch else get_settings().timezone, location=place),
    )
