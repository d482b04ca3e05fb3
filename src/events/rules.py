"""Pure rules about events and sign-ups: ages, windows, seats and the waitlist, series, tickets, fairness.

No I/O. Every function takes the facts it needs and answers; the service applies them inside its transaction.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from src.accounts.constants import GUARDIAN_CONSENT_UNDER
from src.events.constants import (
    CATEGORIES,
    CONFIRMED,
    MAX_OCCURRENCES,
    MAX_SEATS_PER_SIGNUP,
    MAX_SERIES_DAYS,
    PROBATION_CONFIRM_HOURS,
    PROFESSION_TYPES,
    TICKET_ALPHABET,
    TICKET_LENGTH,
    WAITLISTED,
)
from src.exceptions import FieldError
from src.i18n import _
from src.timeutil import age_on

# --- who may sign up ------------------------------------------------------------------------------------


def age_problem(birth_date: date, guardian_consent: bool, event_day: date, min_age: int | None, max_age: int | None, for_staff: bool = False) -> str | None:
    """Why a reader of this birth date may not attend on ``event_day``, or None. Age counts on the event's date.
    Said to the reader ("you will be 34"), or to the staff member signing them up ("the reader will be 34")."""
    age = age_on(birth_date, event_day)
    if min_age is not None and age < min_age:
        if for_staff:
            return _("This event is for ages %(min)s and up; on the day of the event the reader will be %(age)s", min=min_age, age=age)
        return _("This event is for ages %(min)s and up; on the day of the event you will be %(age)s", min=min_age, age=age)
    if max_age is not None and age > max_age:
        if for_staff:
            return _("This event is for ages up to %(max)s; on the day of the event the reader will be %(age)s", max=max_age, age=age)
        return _("This event is for ages up to %(max)s; on the day of the event you will be %(age)s", max=max_age, age=age)
    if age < GUARDIAN_CONSENT_UNDER and not guardian_consent:
        return _("Readers under %(age)s need a parent's or guardian's consent on file: ask at any branch", age=GUARDIAN_CONSENT_UNDER)
    return None


def registration_window(starts_at: datetime, opens_at: datetime | None, closes_at: datetime | None) -> tuple[datetime | None, datetime]:
    """The sign-up window; with no closing time set it closes when the event starts."""
    return opens_at, closes_at or starts_at


def window_problem(now: datetime, starts_at: datetime, opens_at: datetime | None, closes_at: datetime | None) -> str | None:
    opens, closes = registration_window(starts_at, opens_at, closes_at)
    if opens is not None and now < opens:
        return "not_open"
    if now >= closes:
        return "closed"
    return None


# --- seats and the waitlist -----------------------------------------------------------------------------


def seats_left(capacity: int | None, seats_taken: int) -> int | None:
    return None if capacity is None else max(capacity - seats_taken, 0)


def placement(seats: int, capacity: int, seats_taken: int, waitlist_on: bool, anyone_waiting: bool) -> str | None:
    """``confirmed`` while the seats fit and nobody is queued ahead, else ``waitlisted``; None when full and no waitlist.

    A newcomer never overtakes the queue: with anyone waiting, they join its end even if seats are free
    (those seats are waiting for a group at the head that does not fit yet).
    """
    if not anyone_waiting and seats_taken + seats <= capacity:
        return CONFIRMED
    return WAITLISTED if waitlist_on else None


def to_promote(free_seats: int, queue: list[tuple[int, int]]) -> list[int]:
    """Ids to promote from a waitlist given as ``[(id, seats), ...]`` in queue order.

    First come, first served, and a group is never split: promotion stops at the first sign-up whose seats do
    not fit, so a family at the head is not overtaken by the single readers behind it.
    """
    promoted = []
    for registration_id, seats in queue:
        if seats > free_seats:
            break
        promoted.append(registration_id)
        free_seats -= seats
    return promoted


def seats_problem(seats: int, seats_per_signup: int) -> str | None:
    if seats < 1:
        return _("Sign up for at least one seat")
    if seats > seats_per_signup:
        return _("One sign-up can take at most %(n)s seats for this event", n=seats_per_signup)
    return None


def capacity_problem(capacity: int | None, seats_taken: int) -> str | None:
    if capacity is not None and capacity < seats_taken:
        return _("%(taken)s seats are already confirmed: the capacity cannot be lower than that", taken=seats_taken)
    return None


# --- fairness -------------------------------------------------------------------------------------------


def needs_confirmation(no_shows: int, limit: int) -> bool:
    """Readers with ``limit`` or more no-shows in the counting period confirm each new sign-up."""
    return limit > 0 and no_shows >= limit


def confirm_deadline(starts_at: datetime, event_hours: int | None, probation: bool) -> datetime | None:
    """When an unconfirmed seat is released: the event's "confirm or release" hours, else the probation default."""
    if event_hours is not None:
        return starts_at - timedelta(hours=event_hours)
    if probation:
        return starts_at - timedelta(hours=PROBATION_CONFIRM_HOURS)
    return None


def must_release(now: datetime, deadline: datetime | None, confirmed_at: datetime | None, status: str) -> bool:
    return status == CONFIRMED and deadline is not None and confirmed_at is None and now >= deadline


def is_no_show(status: str, checked_in_at: datetime | None, ends_at: datetime, attendance_taken: bool, now: datetime) -> bool:
    """A confirmed seat at an event that has ended, where staff took attendance, and nobody checked in."""
    return status == CONFIRMED and checked_in_at is None and attendance_taken and ends_at <= now


# --- tickets --------------------------------------------------------------------------------------------


def new_ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


def normalize_code(value: str) -> str:
    """Typed codes forgive case, spaces, dashes and the letters people confuse with digits."""
    cleaned = re.sub(r"[\s-]", "", value or "").upper()
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def display_code(code: str) -> str:
    return "-".join(code[index : index + 4] for index in range(0, len(code), 4))


def event_day_span(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> tuple[date, date]:
    return starts_at.astimezone(tz).date(), (ends_at - timedelta(microseconds=1)).astimezone(tz).date()


def check_in_problem(
    status: str, ticket_event_id: int, expected_event_id: int | None, starts_at: datetime, ends_at: datetime, today: date, tz: ZoneInfo
) -> str | None:
    if expected_event_id is not None and ticket_event_id != expected_event_id:
        return _("This ticket is for another event")
    first, last = event_day_span(starts_at, ends_at, tz)
    if not first <= today <= last:
        return _("This ticket is for another day")
    if status == WAITLISTED:
        return _("This sign-up is still on the waitlist: there is no seat for it")
    if status != CONFIRMED:
        return _("This sign-up was cancelled")
    return None


# --- creating events ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventFacts:
    """What an event is validated on, whatever the source (API, editor form)."""

    title: str
    category: str
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    seats_per_signup: int
    min_age: int | None
    max_age: int | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    profession_types: tuple[str, ...] = ()
    confirm_hours_before: int | None = None


def timing_errors(starts_at: datetime, ends_at: datetime, now: datetime, zone_hours: tuple[tuple[time, time], ...] | None, tz: ZoneInfo) -> list[FieldError]:
    """What staff expect the editor to refuse (issue 16, item 7): an event already over, and one that does not
    fit in its zone's opening hours that day (``zone_hours``: the day's intervals; None when no zone is held)."""
    if ends_at <= now:
        return [FieldError("ends_at", _("This time is already over: choose a time ahead"))]
    if zone_hours is None:
        return []
    begins, finishes = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if not zone_hours:
        return [FieldError("starts_at", _("The zone is closed on that day"))]
    if begins.date() != finishes.date() or not any(opens <= begins.time() and finishes.time() <= closes for opens, closes in zone_hours):
        hours = ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in zone_hours)
        return [FieldError("ends_at", _("The zone is open %(hours)s that day: the event must fit in these hours", hours=hours))]
    return []


def event_errors(facts: EventFacts) -> list[FieldError]:
    errors: list[FieldError] = []
    if len(facts.title.strip()) < 3:
        errors.append(FieldError("title", _("Give the event a title of at least 3 characters")))
    if facts.category not in CATEGORIES:
        errors.append(FieldError("category", _("Choose one of the categories: %(list)s", list=", ".join(CATEGORIES))))
    if facts.starts_at is None:
        errors.append(FieldError("starts_at", _("This field is required")))
    if facts.ends_at is None:
        errors.append(FieldError("ends_at", _("This field is required")))
    if facts.starts_at and facts.ends_at and facts.ends_at <= facts.starts_at:
        errors.append(FieldError("ends_at", _("The event must end after it starts")))
    if facts.capacity is not None:
        if facts.capacity < 1:
            errors.append(FieldError("capacity", _("The capacity must be at least 1 (or leave it empty: no sign-up needed)")))
        if not 1 <= facts.seats_per_signup <= min(MAX_SEATS_PER_SIGNUP, max(facts.capacity, 1)):
            errors.append(FieldError("seats_per_signup", _("Seats per sign-up must be from 1 to %(n)s", n=min(MAX_SEATS_PER_SIGNUP, max(facts.capacity, 1)))))
    for name, value in (("min_age", facts.min_age), ("max_age", facts.max_age)):
        if value is not None and not 0 <= value <= 120:
            errors.append(FieldError(name, _("Enter an age from 0 to 120")))
    if facts.min_age is not None and facts.max_age is not None and facts.min_age > facts.max_age:
        errors.append(FieldError("max_age", _("The upper age cannot be below the lower age")))
    opens, closes = facts.registration_opens_at, facts.registration_closes_at
    if opens and closes and closes <= opens:
        errors.append(FieldError("registration_closes_at", _("Sign-up must close after it opens")))
    if facts.starts_at and closes and closes > facts.starts_at:
        errors.append(FieldError("registration_closes_at", _("Sign-up must close by the start of the event")))
    if facts.starts_at and opens and opens >= facts.starts_at:
        errors.append(FieldError("registration_opens_at", _("Sign-up must open before the event starts")))
    unknown = [code for code in facts.profession_types if code not in PROFESSION_TYPES]
    if unknown:
        errors.append(FieldError("profession_types", _("Unknown profession types: %(list)s", list=", ".join(unknown))))
    if facts.confirm_hours_before is not None and not 1 <= facts.confirm_hours_before <= 168:
        errors.append(FieldError("confirm_hours_before", _("Enter a number of hours from 1 to 168")))
    return errors


def occurrences(recurrence: str, starts_at: datetime, tz: ZoneInfo) -> list[datetime]:
    """The start of every occurrence of an RFC 5545 rule (``FREQ=WEEKLY;INTERVAL=2;COUNT=8``), in local time.

    The rule is read in the branch's zone, so "every Thursday at 16:00" stays at 16:00. It must end (COUNT or
    UNTIL), within a year and MAX_OCCURRENCES. Raises ValueError with a readable reason.
    """
    rule_text = recurrence.strip()
    if rule_text.upper().startswith("RRULE:"):
        rule_text = rule_text[6:]
    upper = rule_text.upper()
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        raise ValueError(_("The repeat rule needs an end: COUNT or UNTIL"))
    local_start = starts_at.astimezone(tz).replace(tzinfo=None)
    try:
        rule = rrulestr(rule_text, dtstart=local_start, ignoretz=True)
    except (ValueError, TypeError) as error:
        raise ValueError(_("The repeat rule is not valid: %(reason)s", reason=str(error))) from None
    limit = local_start + timedelta(days=MAX_SERIES_DAYS)
    result = []
    for moment in rule:
        if moment > limit or len(result) >= MAX_OCCURRENCES:
            raise ValueError(_("A series can have at most %(n)s occurrences within a year", n=MAX_OCCURRENCES))
        result.append(moment.replace(tzinfo=tz))
    if not result:
        raise ValueError(_("The repeat rule gives no dates"))
    return result


def search_text(*parts: str) -> str:
    return " ".join(part for part in parts if part).casefold()


def split_list(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]
