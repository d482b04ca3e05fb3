"""Who may do what with school visits (src/accounts/permissions.py), without a database."""

from src.accounts.permissions import Principal, can_act_for_school, can_manage_schools, can_request_visits, can_view_visit, visit_side


def p(role, branches=(), school=None, id=1):
    return Principal(id=id, role=role, full_name="x", branch_ids=frozenset(branches), school_id=school)


SCHOOL, BRANCH = 5, 2


def test_only_approved_teachers_request_visits():
    assert can_request_visits(p("teacher", school=SCHOOL))
    assert not can_request_visits(p("teacher"))  # registered, not approved yet
    assert not can_request_visits(p("staff", {BRANCH}))
    assert not can_request_visits(None)


def test_a_visit_is_seen_by_its_school_and_its_branch():
    assert can_view_visit(p("teacher", school=SCHOOL), SCHOOL, BRANCH)
    assert not can_view_visit(p("teacher", school=6), SCHOOL, BRANCH)
    assert can_view_visit(p("staff", {BRANCH}), SCHOOL, BRANCH)
    assert not can_view_visit(p("staff", {3}), SCHOOL, BRANCH)
    assert can_view_visit(p("admin"), SCHOOL, BRANCH)
    assert not can_view_visit(p("reader"), SCHOOL, BRANCH)
    assert can_act_for_school(p("teacher", school=SCHOOL), SCHOOL) and not can_act_for_school(p("teacher"), SCHOOL)


def test_sides_of_a_visit():
    assert visit_side(p("teacher", school=SCHOOL), SCHOOL, BRANCH) == "school"
    assert visit_side(p("staff", {BRANCH}), SCHOOL, BRANCH) == "library"
    assert visit_side(p("admin"), SCHOOL, BRANCH) == "library"
    assert visit_side(p("teacher", school=6), SCHOOL, BRANCH) is None
    assert visit_side(p("staff", {3}), SCHOOL, BRANCH) is None
    assert visit_side(None, SCHOOL, BRANCH) is None


def test_staff_of_any_branch_manage_schools_and_teachers():
    assert can_manage_schools(p("staff", {3})) and can_manage_schools(p("admin"))
    assert not can_manage_schools(p("teacher", school=SCHOOL)) and not can_manage_schools(p("counsellor")) and not can_manage_schools(None)
