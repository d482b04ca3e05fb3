"""The network of branches: each branch, its weekly opening hours, date exceptions and closures.

The base every domain stands on; it imports no domain. Hours and closure rows may name one zone of the branch
(a zone's own hours inside the branch's): ``Zone`` lives in src/rooms/, so it is referenced lazily by name.
"""

from piccolo.columns import Boolean, Date, ForeignKey, OnDelete, Real, SmallInt, Text, Time, Timestamptz, Varchar
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

ZONE = LazyTableReference(table_class_name="Zone", module_path="src.rooms.tables")


class Branch(Table, tablename="branch"):
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    short_name = Varchar(length=100, default="")
    address = Varchar(length=300, default="")
    timezone = Varchar(length=64, default="Asia/Yakutsk")
    phone = Varchar(length=40, default="")
    email = Varchar(length=254, default="")
    website = Varchar(length=500, default="")
    photo_url = Varchar(length=500, default="")
    description = Text(default="")
    accessibility = Text(default="")
    directions = Text(default="")  # how to get there: stops and routes, the entrance (at most 2000 characters)
    latitude = Real(null=True, default=None)
    longitude = Real(null=True, default=None)
    is_active = Boolean(default=True)
    updated_at = Timestamptz()


class WeeklyHours(Table, tablename="weekly_hours"):
    """One opening interval on a weekday (0 = Monday); a zone's rows override its branch's."""

    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade, index=True)
    zone = ForeignKey(references=ZONE, on_delete=OnDelete.cascade, null=True, default=None)
    weekday = SmallInt()
    opens = Time()
    closes = Time()


class DateHours(Table, tablename="date_hours"):
    """Hours for one date that replace the weekly pattern; no interval (opens null) means closed."""

    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade, index=True)
    zone = ForeignKey(references=ZONE, on_delete=OnDelete.cascade, null=True, default=None)
    on = Date()
    opens = Time(null=True, default=None)
    closes = Time(null=True, default=None)
    note = Varchar(length=300, default="")


class Closure(Table, tablename="closure"):
    """Whole days closed to readers (holiday, sanitary day, repairs), inclusive of both ends."""

    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade, index=True)
    zone = ForeignKey(references=ZONE, on_delete=OnDelete.cascade, null=True, default=None)
    starts_on = Date()
    ends_on = Date()
    kind = Varchar(length=20, default="other")
    reason = Varchar(length=300, default="")
    created_at = Timestamptz()


class BranchSlug(Table, tablename="branch_slug"):
    """A slug a branch was known by: once used, a slug keeps leading to its branch (old URLs redirect)."""

    slug = Varchar(length=64, unique=True)
    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade, index=True)
    retired_at = Timestamptz()
