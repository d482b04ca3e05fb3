from src.accounts.permissions import Principal, can_manage_branch, can_view_reader, managed_branch_ids, can_view_guidance_of


def p(role, branches=(), id=1):
    return Principal(id=id, role=role, full_name="x", branch_ids=frozenset(branches))


def test_staff_manage_only_their_branches():
    assert can_manage_branch(p("staff", {1, 2}), 2)
    assert not can_manage_branch(p("staff", {1}), 3)
    assert can_manage_branch(p("admin"), 3)
    assert not can_manage_branch(p("reader"), 1)
    assert not can_manage_branch(None, 1)
    assert managed_branch_ids(p("staff", {1, 9}), {1, 2, 3}) == {1}
    assert managed_branch_ids(p("admin"), {1, 2}) == {1, 2}
    assert managed_branch_ids(p("counsellor"), {1, 2}) == set()


def test_reader_data_only_for_owner_and_staff():
    assert can_view_reader(p("reader", id=5), 5)
    assert not can_view_reader(p("reader", id=6), 5)
    assert can_view_reader(p("staff", {1}, id=7), 5)
    assert not can_view_reader(p("teacher", id=8), 5)
    assert not can_view_reader(None, 5)


def test_guidance_results_for_reader_their_counsellor_and_admins():
    assert can_view_guidance_of(p("reader", id=5), 5, False)
    assert can_view_guidance_of(p("counsellor", id=2), 5, True)
    assert not can_view_guidance_of(p("counsellor", id=2), 5, False)
    assert not can_view_guidance_of(p("staff", {1}, id=3), 5, False)
    assert can_view_guidance_of(p("admin", id=4), 5, False)
