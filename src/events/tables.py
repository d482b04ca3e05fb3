"""Events (each occurrence of a series is its own row, with its own seats) and sign-ups for them."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, SmallInt, Text, Timestamptz, Varchar
from piccolo.table import Table

from src.accounts.tables import Account
from src.branches.tables import Branch
from src.rooms.tables import Zone


class EventSeries(Table, tablename="event_series"):
    """The rule a recurring event was created from; its occurrences are ``Event`` rows pointing here."""

    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade, index=True)
    recurrence = Varchar(length=500)
    created_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()


class Event(Table, tablename="event"):
    """One dated event. ``seats_taken`` counts confirmed seats; the database refuses more than ``capacity``.

    ``capacity`` null means no sign-up is needed. ``search_text`` is the case-folded title, host and
    description for the catalogue's text search (SQLite's ``lower()`` folds ASCII only).
    """

    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade)
    zone = ForeignKey(references=Zone, on_delete=OnDelete.set_null, null=True, default=None)
    series = ForeignKey(references=EventSeries, on_delete=OnDelete.set_null, null=True, default=None)
    title = Varchar(length=200)
    description = Text(default="")
    category = Varchar(length=32)
    audience = Varchar(length=200, default="")
    min_age = SmallInt(null=True, default=None)
    max_age = SmallInt(null=True, default=None)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    capacity = Integer(null=True, default=None)
    seats_per_signup = SmallInt(default=1)
    seats_taken = Integer(default=0)
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    waitlist = Boolean(default=True)
    host_name = Varchar(length=200, default="")
    host_profession = Varchar(length=200, default="")
    host_organisation = Varchar(length=200, default="")
    profession_types = Varchar(length=100, default="")  # comma-separated PROFESSION_TYPES codes
    career_fields = Varchar(length=300, default="")  # comma-separated free text ("IT", "медицина")
    accessibility = Text(default="")
    status = Varchar(length=16, default="scheduled")
    cancel_reason = Varchar(length=300, default="")
    cancelled_at = Timestamptz(null=True, default=None)
    confirm_hours_before = SmallInt(null=True, default=None)  # "confirm or release" when set
    attendance_taken = Boolean(default=False)  # set by the first check-in; no-shows count only then
    search_text = Text(default="")
    created_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Registration(Table, tablename="registration"):
    """A reader's sign-up for one event, for ``seats`` seats, confirmed or on the waitlist (in ``id`` order).

    At most one active (confirmed or waitlisted) sign-up per reader and event: a partial unique index.
    """

    event = ForeignKey(references=Event, on_delete=OnDelete.cascade)
    reader = ForeignKey(references=Account, on_delete=OnDelete.cascade)
    seats = SmallInt(default=1)
    status = Varchar(length=16)
    ticket_code = Varchar(length=16, unique=True)
    confirmation_required = Boolean(default=False)  # the reader was over the no-show limit when signing up
    confirmed_at = Timestamptz(null=True, default=None)  # the reader's "I am coming"
    promoted_at = Timestamptz(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)
    checked_in_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    no_show_at = Timestamptz(null=True, default=None)  # marked by the "no-shows" job after the event (src/events/no_shows.py)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Varchar(length=32, default="")
    created_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()


class EventAttendance(Table, tablename="event_attendance"):
    """The head count staff enter after an event without sign-up (an exhibition, an open lecture): how many came,
    and of them how many were children up to 14 and youth 15 to 30 when known (the rest are counted 31 and
    older). One row per event; the database refuses ``children + youth > total`` and negative counts."""

    event = ForeignKey(references=Event, on_delete=OnDelete.cascade, unique=True)
    total = Integer()
    children = Integer(default=0)
    youth = Integer(default=0)
    entered_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    entered_at = Timestamptz()
