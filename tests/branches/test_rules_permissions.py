"""The pure rules of editing hours and the permissions of running the network."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from src.accounts import permissions as p
from src.branches.admin import branch_errors, weekly_errors
from src.branches.occupancy import Held
from src.branches.rules import HoursRow, Schedule, interval_problems, stranded, weekly_by_day, weekly_rows, within

TZ = ZoneInfo("Asia/Yakutsk")
ADMIN = p.Principal(1, "admin", "A")
STAFF = p.Principal(2, "staff", "S", branch_ids=frozenset({10}))
HEAD = p.Principal(3, "staff", "H", branch_ids=frozenset({10, 11}), head_branch_ids=frozenset({10}))
READER = p.Principal(4, "reader", "R", card_number="280000000001")
TEACHER = p.Principal(5, "teacher", "T", school_id=1)
COUNSELLOR = p.Principal(6, "counsellor", "C")


def test_interval_problems_name_the_interval():
    assert interval_problems("weekly.mon", [(time(10), time(13)), (time(14), time(19))]) == []
    assert interval_problems("weekly.mon", [(time(10), time(13)), (time(13), time(19))]) == []  # half-open
    assert interval_problems("weekly.sat", [(time(19), time(10))]) == [("weekly.sat[0].closes", "inverted")]
    assert interval_problems("weekly.sat", [(time(10), time(10))]) == [("weekly.sat[0].closes", "inverted")]
    assert interval_problems("weekly.tue", [(time(12), time(19)), (time(10), time(13))]) == [("weekly.tue[0].opens", "overlap")]


def test_weekly_errors_are_field_errors():
    errors = weekly_errors({"mon": [(time(10), time(9))], "tue": [(time(10), time(14)), (time(13), time(18))]})
    assert [error.field for error in errors] == ["weekly.mon[0].closes", "weekly.tue[1].opens"]


def test_weekly_rows_and_back():
    weekly = {"mon": [(time(14), time(19)), (time(10), time(13))], "sat": [(time(10), time(16))]}
    rows = weekly_rows(weekly)
    assert rows == (HoursRow(0, time(10), time(13)), HoursRow(0, time(14), time(19)), HoursRow(5, time(10), time(16)))
    back = weekly_by_day(rows)
    assert back["mon"] == [(time(10), time(13)), (time(14), time(19))] and back["sun"] == []


def test_within_and_stranded():
    monday = date(2026, 12, 7)
    old = Schedule(weekly=(HoursRow(0, time(10), time(19)),))
    new = Schedule(weekly=(HoursRow(0, time(10), time(13)), HoursRow(0, time(14), time(19))))
    lunch = Held("booking", 1, datetime.combine(monday, time(12), TZ), datetime.combine(monday, time(14, 30), TZ))
    morning = Held("booking", 2, datetime.combine(monday, time(10), TZ), datetime.combine(monday, time(13), TZ))
    outside_already = Held("booking", 3, datetime.combine(monday, time(20), TZ), datetime.combine(monday, time(21), TZ))
    assert within(old, TZ, lunch.starts_at, lunch.ends_at) and not within(new, TZ, lunch.starts_at, lunch.ends_at)
    assert stranded([lunch, morning, outside_already], lambda _zone: old, lambda _zone: new, TZ) == [lunch]
    assert stranded([morning], lambda _zone: old, lambda _zone: Schedule(), TZ) == [morning]
    assert within(old, TZ, morning.starts_at, morning.starts_at + timedelta(hours=9))


def test_branch_errors():
    fields = {error.field for error in branch_errors({"slug": "Bad Slug", "name": " ", "timezone": "Mars/Base", "email": "x", "website": "ftp://x", "latitude": 91}, creating=True)}
    assert fields == {"slug", "name", "timezone", "email", "website", "latitude"}
    assert branch_errors({"slug": "new-branch", "name": "Новая", "timezone": "Asia/Yakutsk", "website": "https://example.org"}, creating=True) == []
    assert branch_errors({"phone": "+7"}, creating=False) == []


def test_network_administration_is_for_admins():
    assert p.can_administer_network(ADMIN)
    assert not any(p.can_administer_network(who) for who in (STAFF, HEAD, READER, TEACHER, COUNSELLOR, None))


def test_hours_and_zones_for_staff_of_the_branch():
    for check in (p.can_edit_hours, p.can_manage_zones):
        assert check(ADMIN, 99) and check(STAFF, 10) and check(HEAD, 11)
        assert not check(STAFF, 11) and not check(READER, 10) and not check(TEACHER, 10) and not check(COUNSELLOR, 10) and not check(None, 10)


def test_staff_and_programmes_for_admins_and_heads_of_every_branch_named():
    for check in (p.can_manage_staff, p.can_manage_programmes):
        assert check(ADMIN, {10, 99})
        assert check(HEAD, {10}) and not check(HEAD, {10, 11}) and not check(HEAD, {11}) and not check(HEAD, set())
        assert not check(STAFF, {10}) and not check(READER, {10}) and not check(None, {10})
    assert p.is_branch_head(HEAD, 10) and not p.is_branch_head(HEAD, 11) and not p.is_branch_head(ADMIN, 10)


def test_roles_a_manager_may_give():
    assert p.can_give_role(ADMIN, "admin") and p.can_give_role(ADMIN, "counsellor") and not p.can_give_role(ADMIN, "reader")
    assert p.can_give_role(HEAD, "staff") and not p.can_give_role(HEAD, "admin") and not p.can_give_role(HEAD, "counsellor")
    assert not p.can_give_role(STAFF, "staff")
    assert p.can_assign_counsellor(ADMIN, {99}) and p.can_assign_counsellor(HEAD, {10}) and not p.can_assign_counsellor(HEAD, {10, 11})
    assert not p.can_assign_counsellor(HEAD, set()) and not p.can_assign_counsellor(STAFF, {10}) and not p.can_assign_counsellor(COUNSELLOR, {10})
    assert p.can_see_staff_list(ADMIN) and p.can_see_staff_list(HEAD) and not p.can_see_staff_list(STAFF)


def test_audit_scope():
    assert p.audit_scope(ADMIN) is None and p.can_read_audit(ADMIN)
    assert p.audit_scope(HEAD) == frozenset({10}) and p.can_read_audit(HEAD)
    for who in (STAFF, READER, TEACHER, COUNSELLOR, None):
        assert p.audit_scope(who) == frozenset() and not p.can_read_audit(who)
