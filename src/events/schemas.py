"""API shapes for events, sign-ups and check-in, as msgspec Structs, and their mappers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from src import bounds
from src.events import rules
from src.events.queries import Attendee, EventView, RegistrationView
from src.events.service import CheckInResult, EventChange, EventInput, SignUpResult
from src.markup import render_markdown

Aware = bounds.ScheduleAt
Str200 = bounds.Line
Text = bounds.text(20000)
Age = bounds.count(0, 120)
ProfessionTypes = bounds.items(bounds.line(32), 10)
CareerFields = bounds.items(bounds.line(60), 30)


class EventCreate(bounds.Input):
    title: Str200
    category: bounds.line(32, description="career_workshop, local_history, reading_club, master_class, lecture, exhibition, family, other")
    branch: bounds.line(64, description="Branch slug")
    starts_at: Aware
    ends_at: Aware
    description: Text = ""
    zone_id: bounds.Id | None = None
    audience: Str200 = ""
    capacity: bounds.count(0, 100000) | None = msgspec.field(default=None)
    seats_per_signup: bounds.count(1, 100) = 1
    min_age: Age | None = None
    max_age: Age | None = None
    registration_opens_at: Aware | None = None
    registration_closes_at: Aware | None = None
    waitlist: bool = True
    recurrence: bounds.line(500, description="RFC 5545 RRULE, e.g. FREQ=WEEKLY;INTERVAL=2;COUNT=6") | None = None
    host_name: Str200 = ""
    host_profession: Str200 = ""
    host_organisation: Str200 = ""
    profession_types: ProfessionTypes = msgspec.field(default_factory=list)
    career_fields: CareerFields = msgspec.field(default_factory=list)
    accessibility: Text = ""
    confirm_hours_before: bounds.count(1, 168) | None = None

    def to_input(self) -> EventInput:
        return EventInput(
            title=self.title, category=self.category, branch=self.branch, starts_at=self.starts_at, ends_at=self.ends_at,
            description=self.description, zone_id=self.zone_id, audience=self.audience, capacity=self.capacity,
            seats_per_signup=self.seats_per_signup, min_age=self.min_age, max_age=self.max_age,
            registration_opens_at=self.registration_opens_at, registration_closes_at=self.registration_closes_at,
            waitlist=self.waitlist, recurrence=self.recurrence or "", host_name=self.host_name, host_profession=self.host_profession,
            host_organisation=self.host_organisation, profession_types=list(self.profession_types), career_fields=list(self.career_fields),
            accessibility=self.accessibility, confirm_hours_before=self.confirm_hours_before,
        )


NULLABLE = {"zone_id", "capacity", "min_age", "max_age", "registration_opens_at", "registration_closes_at", "confirm_hours_before"}


class EventPatch(bounds.Input):
    """Only the fields given change; ``null`` clears a nullable field. Moving = new ``starts_at``/``ends_at``."""

    title: Str200 | msgspec.UnsetType = msgspec.UNSET
    description: Text | msgspec.UnsetType = msgspec.UNSET
    category: bounds.line(32) | msgspec.UnsetType = msgspec.UNSET
    audience: Str200 | msgspec.UnsetType = msgspec.UNSET
    zone_id: bounds.Id | None | msgspec.UnsetType = msgspec.UNSET
    starts_at: Aware | msgspec.UnsetType = msgspec.UNSET
    ends_at: Aware | msgspec.UnsetType = msgspec.UNSET
    capacity: bounds.count(0, 100000) | None | msgspec.UnsetType = msgspec.UNSET
    seats_per_signup: bounds.count(1, 100) | msgspec.UnsetType = msgspec.UNSET
    min_age: Age | None | msgspec.UnsetType = msgspec.UNSET
    max_age: Age | None | msgspec.UnsetType = msgspec.UNSET
    registration_opens_at: Aware | None | msgspec.UnsetType = msgspec.UNSET
    registration_closes_at: Aware | None | msgspec.UnsetType = msgspec.UNSET
    waitlist: bool | msgspec.UnsetType = msgspec.UNSET
    host_name: Str200 | msgspec.UnsetType = msgspec.UNSET
    host_profession: Str200 | msgspec.UnsetType = msgspec.UNSET
    host_organisation: Str200 | msgspec.UnsetType = msgspec.UNSET
    profession_types: ProfessionTypes | msgspec.UnsetType = msgspec.UNSET
    career_fields: CareerFields | msgspec.UnsetType = msgspec.UNSET
    accessibility: Text | msgspec.UnsetType = msgspec.UNSET
    confirm_hours_before: bounds.count(1, 168) | None | msgspec.UnsetType = msgspec.UNSET

    def to_change(self) -> EventChange:
        values: dict[str, Any] = {}
        clear: set[str] = set()
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if value is msgspec.UNSET:
                continue
            if value is None and name in NULLABLE:
                clear.add(name)
            else:
                values[name] = value
        return EventChange(values=values, clear=clear)


class CancelIn(bounds.Input):
    reason: bounds.text(300) = ""


class HostOut(msgspec.Struct):
    name: str
    profession: str
    organisation: str


class EventOut(msgspec.Struct):
    id: int
    title: str
    category: str
    audience: str
    branch: str
    branch_name: str
    zone_id: int | None
    zone_name: str
    starts_at: datetime
    ends_at: datetime
    status: str
    signup_needed: bool
    capacity: int | None
    seats_left: int | None
    seats_per_signup: int
    waitlist: bool
    min_age: int | None
    max_age: int | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime
    profession_types: list[str]
    career_fields: list[str]
    host: HostOut
    series_id: int | None
    url: str


class OccurrenceOut(msgspec.Struct):
    id: int
    starts_at: datetime
    status: str


class RegistrationOut(msgspec.Struct):
    id: int
    event_id: int
    status: str
    seats: int
    waitlist_position: int | None
    ticket_code: str | None
    confirmation_required: bool
    confirm_by: datetime | None = None
    checked_in_at: datetime | None = None
    cancel_reason: str = ""
    event: EventOut | None = None


class EventDetailOut(msgspec.Struct):
    id: int  # the event's id at the top level like every resource; ``event`` keeps the older nested shape
    event: EventOut
    description: str
    description_html: str
    accessibility: str
    cancel_reason: str
    confirm_hours_before: int | None
    waitlist_count: int
    occurrences: list[OccurrenceOut]
    my_registration: RegistrationOut | None = None


class RegistrationCreate(bounds.Input):
    seats: bounds.count(1, 100) = 1
    card_number: bounds.line(40, description="Staff only: the walk-in reader's card") | None = None


class AttendanceIn(bounds.Input):
    total: bounds.count(0, 100_000, description="Everyone who came")
    children: bounds.count(0, 100_000, description="Of them, children up to 14 (when known)") = 0
    youth: bounds.count(0, 100_000, description="Of them, youth 15 to 30 (when known)") = 0


class AttendanceOut(msgspec.Struct):
    event_id: int
    total: int
    children: int
    youth: int
    entered_at: datetime


class AttendeeOut(msgspec.Struct):
    id: int  # the registration's id; ``registration_id`` is the older name, kept
    registration_id: int
    full_name: str
    card_number: str
    seats: int
    status: str
    waitlist_position: int | None
    checked_in_at: datetime | None
    no_show: bool
    created_at: datetime


class CheckinIn(bounds.Input):
    code: bounds.line(40) | None = None
    card_number: bounds.line(40) | None = None
    event: bounds.Id | None = None


class CheckinOut(msgspec.Struct):
    id: int  # the registration's id; ``registration_id`` is the older name, kept
    registration_id: int
    event_id: int
    full_name: str
    card_number: str
    seats: int
    checked_in_at: datetime
    already_checked_in: bool


def event_out(event: EventView) -> EventOut:
    return EventOut(
        id=event.id, title=event.title, category=event.category, audience=event.audience, branch=event.branch_slug,
        branch_name=event.branch_name, zone_id=event.zone_id, zone_name=event.zone_name, starts_at=event.starts_at,
        ends_at=event.ends_at, status=event.status, signup_needed=event.signup_needed, capacity=event.capacity,
        seats_left=event.seats_left, seats_per_signup=event.seats_per_signup, waitlist=event.waitlist, min_age=event.min_age,
        max_age=event.max_age, registration_opens_at=event.registration_opens_at, registration_closes_at=event.registration_closes_at,
        profession_types=event.profession_types, career_fields=event.career_fields,
        host=HostOut(name=event.host_name, profession=event.host_profession, organisation=event.host_organisation),
        series_id=event.series_id, url=f"/events/{event.id}",
    )


def registration_out(registration: RegistrationView, with_event: bool = False) -> RegistrationOut:
    return RegistrationOut(
        id=registration.id, event_id=registration.event_id, status=registration.status, seats=registration.seats,
        waitlist_position=registration.waitlist_position,
        ticket_code=registration.ticket if registration.status == "confirmed" else None,
        confirmation_required=registration.confirmation_required, confirm_by=registration.confirm_by,
        checked_in_at=registration.checked_in_at, cancel_reason=registration.cancel_reason,
        event=event_out(registration.event) if with_event and registration.event else None,
    )


def signup_out(result: SignUpResult) -> RegistrationOut:
    return RegistrationOut(
        id=result.id, event_id=result.event_id, status=result.status, seats=result.seats, waitlist_position=result.waitlist_position,
        ticket_code=rules.display_code(result.ticket_code) if result.status == "confirmed" else None,
        confirmation_required=result.confirmation_required,
    )


def detail_out(event: EventView, waiting: int, occurrences: list[tuple[int, datetime, str]], mine: RegistrationView | None) -> EventDetailOut:
    return EventDetailOut(
        id=event.id, event=event_out(event), description=event.description, description_html=str(render_markdown(event.description)),
        accessibility=event.accessibility, cancel_reason=event.cancel_reason, confirm_hours_before=event.confirm_hours_before,
        waitlist_count=waiting, occurrences=[OccurrenceOut(id=i, starts_at=s, status=st) for i, s, st in occurrences],
        my_registration=registration_out(mine) if mine else None,
    )


def attendee_out(attendee: Attendee) -> AttendeeOut:
    return AttendeeOut(
        id=attendee.registration_id, registration_id=attendee.registration_id, full_name=attendee.full_name, card_number=attendee.card_number, seats=attendee.seats,
        status=attendee.status, waitlist_position=attendee.waitlist_position, checked_in_at=attendee.checked_in_at,
        no_show=attendee.no_show, created_at=attendee.created_at,
    )


def checkin_out(result: CheckInResult) -> CheckinOut:
    return CheckinOut(
        id=result.registration_id, registration_id=result.registration_id, event_id=result.event_id, full_name=result.reader_name, card_number=result.card_number,
        seats=result.seats, checked_in_at=result.checked_in_at, already_checked_in=result.already,
    )
