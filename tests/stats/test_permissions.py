from src.accounts.permissions import Principal
from src.stats.permissions import can_view_any_stats, can_view_stats, stats_branch_ids


def p(role, branches=()):
    return Principal(id=1, role=role, full_name="x", branch_ids=frozenset(branches))


def test_staff_read_their_branches_admins_all_others_nothing():
    assert can_view_stats(p("staff", {1}), 1) and not can_view_stats(p("staff", {1}), 2)
    assert can_view_stats(p("admin"), 5)
    for role in ("reader", "counsellor", "teacher"):
        assert not can_view_stats(p(role, {1}), 1) and not can_view_any_stats(p(role, {1}))
    assert not can_view_stats(None, 1) and not can_view_any_stats(None)
    assert stats_branch_ids(p("staff", {2, 3}), [1, 2, 3, 4]) == [2, 3]
    assert stats_branch_ids(p("admin"), [1, 2]) == [1, 2]
    assert stats_branch_ids(p("reader"), [1, 2]) == []
