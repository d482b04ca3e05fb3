from src.accounts.permissions import Principal, can_cancel_registration, can_manage_events, can_sign_up_others, can_sign_up_self


def p(role, branches=(), id=1, card="280000000018"):
    return Principal(id=id, role=role, full_name="x", branch_ids=frozenset(branches), card_number=card if role == "reader" else None)


def test_events_are_managed_by_staff_of_their_branch():
    assert can_manage_events(p("staff", {1}), 1) and not can_manage_events(p("staff", {1}), 2)
    assert can_manage_events(p("admin"), 7) and not can_manage_events(p("reader"), 1) and not can_manage_events(None, 1)


def test_sign_up_self_needs_a_card_and_others_need_the_branch():
    assert can_sign_up_self(p("reader")) and not can_sign_up_self(p("reader", card=None).__class__(id=1, role="reader", full_name="x"))
    assert not can_sign_up_self(p("staff", {1})) and not can_sign_up_self(None)
    assert can_sign_up_others(p("staff", {1}), 1) and not can_sign_up_others(p("staff", {1}), 2) and not can_sign_up_others(p("reader"), 1)


def test_cancel_own_sign_up_or_as_staff_of_the_branch():
    assert can_cancel_registration(p("reader", id=5), 5, 1)
    assert not can_cancel_registration(p("reader", id=6), 5, 1)
    assert can_cancel_registration(p("staff", {1}, id=9), 5, 1) and not can_cancel_registration(p("staff", {2}, id=9), 5, 1)
    assert not can_cancel_registration(None, 5, 1)


def test_head_counts_are_entered_by_staff_of_the_branch():
    from src.accounts.permissions import can_record_attendance

    assert can_record_attendance(p("staff", {1}), 1) and not can_record_attendance(p("staff", {1}), 2)
    assert can_record_attendance(p("admin"), 3) and not can_record_attendance(p("reader"), 1) and not can_record_attendance(p("counsellor"), 1)
    assert not can_record_attendance(None, 1)
