"""Career guidance: profession fields, saved survey results, counsellors' availability, consultations.

The invariant "a counsellor is never double-booked, nor a reader at the same time" is kept by the database
itself (see the guidance migrations): an exclusion constraint per counsellor and per reader on PostgreSQL,
unique indexes and overlap triggers on SQLite. Times are UTC.
"""

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, OnDelete, SmallInt, Text, Time, Timestamptz, Varchar
from piccolo.table import Table

from src.accounts.tables import Account
from src.branches.tables import Branch


class ProfessionField(Table, tablename="profession_field"):
    """A field of work (IT, medicine, ...) that staff manage; ``types`` lists the Klimov types it belongs to."""

    slug = Varchar(length=64, unique=True)
    name_ru = Varchar(length=120)
    name_en = Varchar(length=120)
    description_ru = Text(default="")
    description_en = Text(default="")
    types = Varchar(length=100, default="")  # comma-separated type codes
    aliases = Varchar(length=300, default="")  # comma-separated other names events use for it ("медиа, блогинг")
    position = SmallInt(default=0)
    is_active = Boolean(default=True)
    updated_at = Timestamptz()


class SurveyResponse(Table, tablename="survey_response"):
    """A saved survey result of a reader (tries without an account are scored but never stored)."""

    reader = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=False)
    survey_version = SmallInt(default=1)
    answers = JSON()
    scores = JSON()
    top_types = Varchar(length=100)
    created_at = Timestamptz()


class CounsellorAvailability(Table, tablename="counsellor_availability"):
    """A weekly window (0 = Monday) in which a counsellor receives at a branch, cut into slots."""

    counsellor = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=False, index=True)
    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade, null=False, index=True)
    weekday = SmallInt()
    starts = Time()
    ends = Time()
    slot_minutes = SmallInt(default=45)
    buffer_minutes = SmallInt(default=15)
    valid_from = Date(null=True, default=None)
    valid_until = Date(null=True, default=None)
    created_at = Timestamptz()


class AvailabilityException(Table, tablename="availability_exception"):
    """One date that differs from the weekly pattern: ``off`` (away all day, or from ``starts`` to ``ends``)
    or ``extra`` (additional hours at ``branch``)."""

    counsellor = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=False, index=True)
    on = Date()
    kind = Varchar(length=8)
    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade, null=True, default=None)
    starts = Time(null=True, default=None)
    ends = Time(null=True, default=None)
    slot_minutes = SmallInt(default=45)
    buffer_minutes = SmallInt(default=15)
    note = Varchar(length=300, default="")
    created_at = Timestamptz()


class Consultation(Table, tablename="consultation"):
    """A 1:1 career consultation. ``private_notes`` are the counsellor's and never reach the reader."""

    counsellor = ForeignKey(references=Account, on_delete=OnDelete.restrict, null=False)
    reader = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=False)
    branch = ForeignKey(references=Branch, on_delete=OnDelete.restrict, null=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    status = Varchar(length=16)
    topic = Varchar(length=500, default="")
    zone_booking = Integer(null=True, default=None)  # the rooms booking that holds a consultation room
    next_steps = Text(default="")
    private_notes = Text(default="")
    notes_updated_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancelled_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    cancel_reason = Varchar(length=300, default="")  # when the counsellor or staff cancel: the reader reads it
    created_at = Timestamptz()
