"""Schools and their teachers, group-visit programmes, visit requests with their windows and status history."""

from piccolo.columns import Boolean, ForeignKey, OnDelete, SmallInt, Text, Time, Timestamptz, Varchar
from piccolo.table import Table

from src.accounts.tables import Account
from src.branches.tables import Branch
from src.rooms.tables import Booking, Zone


class School(Table, tablename="school"):
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=300)
    number = Varchar(length=20, default="")
    address = Varchar(length=300, default="")
    contact_name = Varchar(length=200, default="")
    contact_phone = Varchar(length=32, default="")
    contact_email = Varchar(length=254, default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class Teacher(Table, tablename="teacher"):
    """A teacher account coordinates visits for one school once staff approve it (invited ones are approved)."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, unique=True)
    school = ForeignKey(references=School, on_delete=OnDelete.cascade, index=True)
    status = Varchar(length=16)
    invited_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    decided_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class TeacherInvitation(Table, tablename="teacher_invitation"):
    """Staff invite a teacher by e-mail; only a SHA-256 of the token is kept."""

    email = Varchar(length=254, index=True)
    full_name = Varchar(length=200, default="")
    school = ForeignKey(references=School, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)


class Programme(Table, tablename="programme"):
    """A group-visit programme: what a class gets, for whom, how long, and when it can run."""

    title = Varchar(length=200)
    description = Text(default="")
    topic = Varchar(length=32, index=True)
    duration_minutes = SmallInt()
    grade_min = SmallInt()
    grade_max = SmallInt()
    group_min = SmallInt()
    group_max = SmallInt()
    lead_days = SmallInt(default=7)
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ProgrammeBranch(Table, tablename="programme_branch"):
    programme = ForeignKey(references=Programme, on_delete=OnDelete.cascade, index=True)
    branch = ForeignKey(references=Branch, on_delete=OnDelete.cascade, index=True)


class ProgrammeZoneKind(Table, tablename="programme_zone_kind"):
    programme = ForeignKey(references=Programme, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=32)


class ProgrammeHours(Table, tablename="programme_hours"):
    """One interval on a weekday (0 = Monday), in the branch's local time, inside which a visit may run."""

    programme = ForeignKey(references=Programme, on_delete=OnDelete.cascade, index=True)
    weekday = SmallInt()
    starts = Time()
    ends = Time()


class VisitRequest(Table, tablename="visit_request"):
    """A class's visit: requested with windows, then proposed, confirmed into a zone, declined or cancelled."""

    school = ForeignKey(references=School, on_delete=OnDelete.restrict, index=True)
    programme = ForeignKey(references=Programme, on_delete=OnDelete.restrict)
    branch = ForeignKey(references=Branch, on_delete=OnDelete.restrict, index=True)
    requested_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    class_name = Varchar(length=16)
    grade = SmallInt()
    group_size = SmallInt()
    adults = SmallInt()
    needs = Text(default="")
    note = Text(default="")
    status = Varchar(length=16, index=True)
    zone = ForeignKey(references=Zone, on_delete=OnDelete.set_null, null=True, default=None)
    starts_at = Timestamptz(null=True, default=None)
    ends_at = Timestamptz(null=True, default=None)
    booking = ForeignKey(references=Booking, on_delete=OnDelete.set_null, null=True, default=None)  # the zone held for it
    decline_reason = Varchar(length=500, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class VisitWindow(Table, tablename="visit_window"):
    """One of the one to three time windows the school prefers, in order of preference."""

    visit = ForeignKey(references=VisitRequest, on_delete=OnDelete.cascade, index=True)
    position = SmallInt()
    starts_at = Timestamptz()
    ends_at = Timestamptz()


class VisitStatusChange(Table, tablename="visit_status_change"):
    visit = ForeignKey(references=VisitRequest, on_delete=OnDelete.cascade, index=True)
    from_status = Varchar(length=16, default="")
    to_status = Varchar(length=16)
    changed_by = ForeignKey(references=Account, on_delete=OnDelete.set_null, null=True, default=None)
    changed_at = Timestamptz()
    note = Varchar(length=500, default="")
