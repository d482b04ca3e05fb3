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


def test_who_may_book_a_zone():
    from src.accounts.permissions import can_book_zone

    assert can_book_zone(p("staff", {1}), 1, False, False)  # staff book any zone of their own branch
    assert not can_book_zone(p("staff", {2}), 1, True, True)  # but not another branch's, even if open to readers
    assert can_book_zone(p("admin"), 1, False, False)
    assert can_book_zone(p("reader"), 1, True, False) and not can_book_zone(p("reader"), 1, False, True)
    assert can_book_zone(p("teacher"), 1, False, True) and not can_book_zone(p("teacher"), 1, True, False)
    assert not can_book_zone(p("counsellor"), 1, True, True)
    assert not can_book_zone(None, 1, True, True)


def test_who_may_change_a_booking():
    from src.accounts.permissions import can_change_booking

    assert can_change_booking(p("reader", id=5), 5, 1)
    assert not can_change_booking(p("reader", id=6), 5, 1)
    assert not can_change_booking(p("reader", id=6), None, 1)
    assert can_change_booking(p("staff", {1}, id=7), 5, 1)
    assert not can_change_booking(p("staff", {2}, id=7), 5, 1)
    assert can_change_booking(p("admin", id=8), None, 1)
    assert not can_change_booking(None, 5, 1)


def test_private_feed_kinds_by_role():
    from src.accounts.permissions import private_feed_kinds

    assert private_feed_kinds(p("reader")) == ["reader"]
    assert private_feed_kinds(p("counsellor")) == ["reader"]
    assert private_feed_kinds(Principal(id=1, role="teacher", full_name="x", school_id=5)) == ["school"]
    assert private_feed_kinds(p("teacher")) == []  # not approved yet: no school, so no school feed
    assert private_feed_kinds(p("staff", {1})) == ["staff"]
    assert private_feed_kinds(p("admin")) == ["staff"]
    assert private_feed_kinds(None) == []


def test_closures_are_imported_by_who_manages_the_branch():
    from src.accounts.permissions import can_import_closures

    assert can_import_closures(p("staff", {1}), 1)
    assert not can_import_closures(p("staff", {1}), 2)
    assert can_import_closures(p("admin"), 2)
    assert not can_import_closures(p("reader"), 1)


def test_guidance_rules_for_fields_availability_and_consultations():
    from src.accounts import permissions as perm

    assert perm.can_manage_profession_fields(p("staff", {1})) and perm.can_manage_profession_fields(p("admin"))
    assert not perm.can_manage_profession_fields(p("counsellor")) and not perm.can_manage_profession_fields(None)
    assert perm.can_manage_availability_of(p("counsellor", id=2), 2)
    assert not perm.can_manage_availability_of(p("counsellor", id=2), 3)
    assert perm.can_manage_availability_of(p("admin", id=9), 3)
    assert not perm.can_manage_availability_of(p("staff", {1}, id=3), 3)
    assert perm.can_book_consultation(p("reader")) and not perm.can_book_consultation(p("counsellor"))
    assert not perm.can_book_consultation(None)
    # consultation of reader 5 with counsellor 2
    assert perm.can_see_consultation(p("reader", id=5), 5, 2) and perm.can_see_consultation(p("counsellor", id=2), 5, 2)
    assert not perm.can_see_consultation(p("reader", id=6), 5, 2) and not perm.can_see_consultation(p("counsellor", id=3), 5, 2)
    assert perm.can_see_consultation(p("admin", id=9), 5, 2) and not perm.can_see_consultation(None, 5, 2)
    assert perm.can_write_consultation_notes(p("counsellor", id=2), 2) and perm.can_write_consultation_notes(p("admin", id=9), 2)
    assert not perm.can_write_consultation_notes(p("reader", id=2), 2)  # a reader whose id happens to match is still no counsellor
    assert not perm.can_read_private_notes(p("reader", id=5), 2) and not perm.can_read_private_notes(p("counsellor", id=3), 2)
    assert perm.can_cancel_consultation(p("reader", id=5), 5, 2) and not perm.can_cancel_consultation(p("reader", id=6), 5, 2)
    assert perm.reader_cancel_cutoff_applies(p("reader", id=5), 5)
    assert not perm.reader_cancel_cutoff_applies(p("counsellor", id=2), 5)


def test_the_desk_is_for_staff_of_any_branch():
    from src.accounts.permissions import can_block_card, can_edit_reader, can_issue_access_code, can_replace_card

    for check in (can_edit_reader, can_replace_card, can_block_card, can_issue_access_code):
        assert check(p("staff", {3})) and check(p("admin"))  # the card is valid city-wide: any branch's desk
        assert not check(p("reader")) and not check(p("counsellor")) and not check(p("teacher")) and not check(None)


def test_erasure_by_the_reader_or_staff_and_export_by_readers():
    from src.accounts.permissions import can_erase_reader, can_export_own_data

    assert can_erase_reader(p("reader", id=5), 5)
    assert not can_erase_reader(p("reader", id=6), 5)
    assert can_erase_reader(p("staff", {1}, id=7), 5)  # at the reader's written request
    assert not can_erase_reader(p("counsellor", id=8), 5) and not can_erase_reader(None, 5)
    assert can_export_own_data(p("reader")) and not can_export_own_data(p("staff", {1})) and not can_export_own_data(None)


def test_families_links_by_readers_guardians_for_staff_only():
    from src.accounts.permissions import can_link_children, can_see_guardians, can_unlink_guardian

    assert can_link_children(p("reader")) and not can_link_children(p("staff", {1})) and not can_link_children(None)
    assert can_unlink_guardian(p("reader", id=1), 1, 2) and can_unlink_guardian(p("reader", id=2), 1, 2)
    assert can_unlink_guardian(p("staff", {4}, id=9), 1, 2) and not can_unlink_guardian(p("reader", id=3), 1, 2)
    assert can_see_guardians(p("staff", {1}), 2) and not can_see_guardians(p("reader", id=2), 2) and not can_see_guardians(None, 2)


def test_staff_of_any_branch_book_consultations_for_a_reader():
    from src.accounts.permissions import can_book_for_reader

    assert can_book_for_reader(p("staff", {2})) and can_book_for_reader(p("admin"))
    assert not can_book_for_reader(p("reader")) and not can_book_for_reader(p("counsellor")) and not can_book_for_reader(None)
