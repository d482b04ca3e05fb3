"""Bookable zones of the branches, their features, and bookings of zones."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from src.branches.tables import Branch

# accounts.tables imports the branches, not this module, but bookings still name Account lazily so that the table
# modules can be imported in any order.
ACCOUNT = LazyTableReference(table_class_name="Account", module_path="src.accounts.tables")


class Zone(Table, tablename="zone"):
    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200)
    kind = Varchar(length=32)
    capacity = Integer(default=1)
    description = Text(default="")
    photo_url = Varchar(length=500, default="")
    bookable_by_readers = Boolean(default=False)
    bookable_by_schools = Boolean(default=False)
    slot_minutes = SmallInt(default=30)
    min_minutes = SmallInt(default=30)
    max_minutes = SmallInt(default=240)
    lead_minutes = Integer(default=60)
    horizon_days = SmallInt(default=60)
    buffer_before_minutes = SmallInt(default=0)
    buffer_after_minutes = SmallInt(default=0)
    weekly_quota_minutes = Integer(null=True, default=None)
    requires_approval = Boolean(default=False)
    min_age = SmallInt(null=True, default=None)  # readers younger than this may not book it
    is_active = Boolean(default=True)
    updated_at = Timestamptz()


class ZoneFeature(Table, tablename="zone_feature"):
    zone = ForeignKey(references=Zone, on_delete=OnDelete.cascade, index=True)
    feature = Varchar(length=40, index=True)


class Booking(Table, tablename="booking"):
    """A zone held for a time by a reader, staff, an event or a school visit, or blocked by staff.

    ``blocked_from``/``blocked_until`` are the booking widened by the zone's set-up and clean-up buffers. The one
    invariant, kept by the database itself (see the migrations): the blocked ranges of two active (pending or
    confirmed) bookings of one zone never overlap. Times are UTC; ``series`` groups the occurrences of a
    recurring booking.
    """

    zone = ForeignKey(references=Zone, on_delete=OnDelete.cascade, null=False)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    blocked_from = Timestamptz()
    blocked_until = Timestamptz()
    status = Varchar(length=16)
    holder_kind = Varchar(length=16)
    holder = ForeignKey(references=ACCOUNT, on_delete=OnDelete.set_null, null=True, default=None)
    holder_ref = Integer(null=True, default=None)  # the id of the event or school visit that holds the zone
    purpose = Varchar(length=300, default="")
    headcount = Integer(default=1)
    series = Varchar(length=32, null=True, default=None)
    override_hours = Boolean(default=False)
    override_by = ForeignKey(references=ACCOUNT, on_delete=OnDelete.set_null, null=True, default=None)
    created_by = ForeignKey(references=ACCOUNT, on_delete=OnDelete.set_null, null=True, default=None)
    status_changed_by = ForeignKey(references=ACCOUNT, on_delete=OnDelete.set_null, null=True, default=None)
    status_changed_at = Timestamptz(null=True, default=None)
    reason = Varchar(length=300, default="")
    created_at = Timestamptz()


class ZoneKind(Table, tablename="zone_kind"):
    """A kind of zone an admin added to the built-in ones (src/rooms/constants.py), named in both languages."""

    code = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    name_en = Varchar(length=100, default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class Feature(Table, tablename="feature"):
    """A zone feature an admin added to the built-in ones (projector, computers, …), named in both languages."""

    code = Varchar(length=40, unique=True)
    name = Varchar(length=100)
    name_en = Varchar(length=100, default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()
