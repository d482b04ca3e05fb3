"""Who may do what: every permission check in libspace is one of these pure functions of a principal.

Roles: ``admin`` acts in every branch; ``staff`` in the branches they are assigned to (a branch head, a flag on
the assignment, also manages that branch's staff and programmes and reads its audit log); ``counsellor`` runs
career guidance; ``teacher`` coordinates one school; ``reader`` holds the city-wide card.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from src.accounts.constants import ROLE_ADMIN, ROLE_COUNSELLOR, ROLE_READER, ROLE_STAFF, ROLE_TEACHER


@dataclass(frozen=True, slots=True)
class Principal:
    id: int
    role: str
    full_name: str
    email: str | None = None
    language: str = ""
    branch_ids: frozenset[int] = field(default_factory=frozenset)
    head_branch_ids: frozenset[int] = field(default_factory=frozenset)  # branches this staff member heads
    card_number: str | None = None
    school_id: int | None = None
    auth_version: int = 1

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def is_staff(self) -> bool:
        """Library staff of some branch (admins included)."""
        return self.role in (ROLE_STAFF, ROLE_ADMIN)

    @property
    def is_reader(self) -> bool:
        return self.role == ROLE_READER

    @property
    def is_counsellor(self) -> bool:
        return self.role == ROLE_COUNSELLOR

    @property
    def is_teacher(self) -> bool:
        return self.role == ROLE_TEACHER


def can_manage_branch(principal: Principal | None, branch_id: int) -> bool:
    """Schedule zones, approve bookings, edit hours and closures, run events of this branch."""
    if principal is None:
        return False
    return principal.is_admin or (principal.role == ROLE_STAFF and branch_id in principal.branch_ids)


def managed_branch_ids(principal: Principal | None, all_branch_ids: set[int]) -> set[int]:
    if principal is None:
        return set()
    if principal.is_admin:
        return set(all_branch_ids)
    if principal.role == ROLE_STAFF:
        return set(principal.branch_ids) & set(all_branch_ids)
    return set()


def can_book_zone(principal: Principal | None, branch_id: int, open_to_readers: bool, open_to_schools: bool) -> bool:
    """Staff of the branch book any of its zones; readers the zones open to readers; teachers those open to
    schools. Other staff, counsellors and guests may not (events and consultations reserve through services)."""
    if principal is None:
        return False
    if can_manage_branch(principal, branch_id):
        return True
    if principal.is_reader:
        return open_to_readers
    if principal.is_teacher:
        return open_to_schools
    return False


def can_change_booking(principal: Principal | None, holder_id: int | None, branch_id: int) -> bool:
    """See, cancel, move, extend or end a booking: its holder, or staff of the zone's branch."""
    if principal is None:
        return False
    return (holder_id is not None and principal.id == holder_id) or can_manage_branch(principal, branch_id)


def can_look_up_readers(principal: Principal | None) -> bool:
    """Staff at any branch find a reader by card: the card is valid city-wide."""
    return principal is not None and principal.is_staff


def can_edit_reader(principal: Principal | None) -> bool:
    """Correct a reader's name, contacts, home branch, birth date at the desk: staff of any branch."""
    return can_look_up_readers(principal)


def can_replace_card(principal: Principal | None) -> bool:
    """Give a reader a new card number for a lost or damaged card: staff of any branch."""
    return can_look_up_readers(principal)


def can_block_card(principal: Principal | None) -> bool:
    """Block and unblock a card with a reason: staff of any branch (the card is one for the whole city)."""
    return can_look_up_readers(principal)


def can_issue_access_code(principal: Principal | None) -> bool:
    """Print or show a one-time access code (activation, forgotten password): staff of any branch."""
    return can_look_up_readers(principal)


def can_erase_reader(principal: Principal | None, reader_account_id: int) -> bool:
    """Withdraw consent and erase the card's personal data: the reader themself, or staff of any branch at the
    reader's written request."""
    if principal is None:
        return False
    return principal.id == reader_account_id or can_look_up_readers(principal)


def can_export_own_data(principal: Principal | None) -> bool:
    """"My data": a reader downloads everything stored about them."""
    return principal is not None and principal.is_reader


def can_link_children(principal: Principal | None) -> bool:
    """A guardian links their children's cards to their own reader account."""
    return principal is not None and principal.is_reader


def can_unlink_guardian(principal: Principal | None, guardian_id: int, child_id: int) -> bool:
    """End a family link: the guardian, the child (a teenager withdrawing agreement), or staff of any branch."""
    if principal is None:
        return False
    return principal.id in (guardian_id, child_id) or can_look_up_readers(principal)


def can_see_guardians(principal: Principal | None, child_id: int) -> bool:
    """Who a child's guardians are: staff only (the child's card never shows the guardian's data to others)."""
    return can_look_up_readers(principal)


def can_book_for_reader(principal: Principal | None) -> bool:
    """At the desk, staff of any branch book a consultation for a reader by card (recorded as made by them)."""
    return can_look_up_readers(principal)


def can_view_reader(principal: Principal | None, reader_account_id: int) -> bool:
    """Personal data: the reader themself, or staff who serve readers."""
    if principal is None:
        return False
    return principal.id == reader_account_id or can_look_up_readers(principal)


def can_view_guidance_of(principal: Principal | None, reader_account_id: int, is_counsellor_of_reader: bool) -> bool:
    """Survey results and consultations: the reader, their counsellors, admins."""
    if principal is None:
        return False
    return principal.id == reader_account_id or principal.is_admin or (principal.is_counsellor and is_counsellor_of_reader)


def can_create_users(principal: Principal | None) -> bool:
    return principal is not None and principal.is_admin


def can_act_for_school(principal: Principal | None, school_id: int) -> bool:
    if principal is None:
        return False
    return principal.is_admin or (principal.is_teacher and principal.school_id == school_id)


def private_feed_kinds(principal: Principal | None) -> list[str]:
    """The private calendars an account may subscribe to: a reader's own sign-ups and consultations, a
    counsellor's consultations, a school's visits (its teacher), a staff member's branch schedule."""
    from src.calendars.constants import FEED_READER, FEED_SCHOOL, FEED_STAFF

    if principal is None:
        return []
    if principal.is_reader or principal.is_counsellor:
        return [FEED_READER]
    if principal.is_teacher:
        return [FEED_SCHOOL] if principal.school_id is not None else []  # once staff approve them
    if principal.is_staff:
        return [FEED_STAFF]
    return []


def can_import_closures(principal: Principal | None, branch_id: int) -> bool:
    """Closures (holidays, sanitary days) are part of a branch's schedule: whoever manages the branch."""
    return can_manage_branch(principal, branch_id)


def is_reader(principal: Principal | None) -> bool:
    return principal is not None and principal.role == ROLE_READER


def is_teacher(principal: Principal | None) -> bool:
    return principal is not None and principal.role == ROLE_TEACHER


# --- events -----------------------------------------------------------------------------------------------


def can_manage_events(principal: Principal | None, branch_id: int) -> bool:
    """Create, edit, move and cancel events, see attendee lists and check people in: staff of the branch."""
    return can_manage_branch(principal, branch_id)


def can_sign_up_self(principal: Principal | None) -> bool:
    """Sign-ups are on the one reader card."""
    return principal is not None and principal.is_reader and principal.card_number is not None


def can_sign_up_others(principal: Principal | None, branch_id: int) -> bool:
    """Walk-in readers are signed up by card number by staff of the event's branch."""
    return can_manage_branch(principal, branch_id)


def can_record_attendance(principal: Principal | None, branch_id: int) -> bool:
    """The head count of a drop-in event is entered by staff of the event's branch."""
    return can_manage_branch(principal, branch_id)


def can_cancel_registration(principal: Principal | None, reader_account_id: int, branch_id: int) -> bool:
    if principal is None:
        return False
    return principal.id == reader_account_id or can_manage_branch(principal, branch_id)


# --- school visits -----------------------------------------------------------------------------------------


def can_request_visits(principal: Principal | None) -> bool:
    """An approved teacher (their principal carries the school) asks for visits for their school."""
    return principal is not None and principal.is_teacher and principal.school_id is not None


def can_view_visit(principal: Principal | None, school_id: int, branch_id: int) -> bool:
    """The visiting school's teachers, and staff of the branch it visits."""
    return can_act_for_school(principal, school_id) or can_manage_branch(principal, branch_id)


def visit_side(principal: Principal | None, school_id: int, branch_id: int) -> str | None:
    """Which side of a visit the principal acts for: ``"library"`` (confirm, propose, decline with a reason) or
    ``"school"`` (accept or decline a proposal, cancel); None if neither. Admins act for the library."""
    if can_manage_branch(principal, branch_id):
        return "library"
    if principal is not None and principal.is_teacher and principal.school_id == school_id:
        return "school"
    return None


def can_manage_schools(principal: Principal | None) -> bool:
    """See the city's schools, add one, approve or invite teachers: library staff of any branch."""
    return principal is not None and principal.is_staff


# --- career guidance -----------------------------------------------------------------------------------


def can_manage_profession_fields(principal: Principal | None) -> bool:
    """The list of profession fields is the library's: staff and admins keep it."""
    return principal is not None and principal.is_staff


def can_manage_availability_of(principal: Principal | None, counsellor_id: int) -> bool:
    """A counsellor publishes their own availability; admins may do it for any counsellor."""
    if principal is None:
        return False
    return principal.is_admin or (principal.is_counsellor and principal.id == counsellor_id)


def can_book_consultation(principal: Principal | None) -> bool:
    """Consultations are for readers with a card."""
    return principal is not None and principal.is_reader


def can_see_consultation(principal: Principal | None, reader_id: int, counsellor_id: int) -> bool:
    """The reader, the counsellor of that consultation, admins."""
    if principal is None:
        return False
    return principal.id in (reader_id, counsellor_id) or principal.is_admin


def can_write_consultation_notes(principal: Principal | None, counsellor_id: int) -> bool:
    """Next steps and private notes: the counsellor who holds the consultation, or an admin."""
    if principal is None:
        return False
    return principal.is_admin or (principal.is_counsellor and principal.id == counsellor_id)


def can_read_private_notes(principal: Principal | None, counsellor_id: int) -> bool:
    """Private notes never reach the reader: only the consultation's counsellor and admins see them."""
    return can_write_consultation_notes(principal, counsellor_id)


def can_cancel_consultation(principal: Principal | None, reader_id: int, counsellor_id: int) -> bool:
    """The reader (within the cut-off), the counsellor, admins."""
    return can_see_consultation(principal, reader_id, counsellor_id)


def reader_cancel_cutoff_applies(principal: Principal | None, reader_id: int) -> bool:
    """The cancellation cut-off binds the reader; the counsellor and admins may cancel until the start."""
    return principal is not None and principal.id == reader_id and not principal.is_admin


# --- running the network (branches, hours, zones, staff, audit) ------------------------------------------------


def can_administer_network(principal: Principal | None) -> bool:
    """Create, edit, deactivate and reactivate branches; keep the lists of zone kinds and features; invite staff
    to any branch and give any role: admins only."""
    return principal is not None and principal.is_admin


def is_branch_head(principal: Principal | None, branch_id: int) -> bool:
    return principal is not None and principal.role == ROLE_STAFF and branch_id in principal.head_branch_ids


def can_edit_hours(principal: Principal | None, branch_id: int) -> bool:
    """The weekly hours, date exceptions and closures of a branch: admins and staff of the branch."""
    return can_manage_branch(principal, branch_id)


def can_manage_zones(principal: Principal | None, branch_id: int) -> bool:
    """Create, edit and deactivate the zones of a branch and their booking rules: admins and staff of the branch."""
    return can_manage_branch(principal, branch_id)


def can_manage_staff(principal: Principal | None, branch_ids: set[int] | frozenset[int]) -> bool:
    """Invite staff to these branches, change or end their assignments, deactivate them: admins, or the head of
    every one of these branches (a head cannot reach into another branch)."""
    if principal is None:
        return False
    if principal.is_admin:
        return True
    return principal.role == ROLE_STAFF and bool(branch_ids) and set(branch_ids) <= set(principal.head_branch_ids)


def can_give_role(principal: Principal | None, role: str) -> bool:
    """Admins give any staff-side role; a branch head only makes staff of their branch (never an admin)."""
    if principal is None:
        return False
    if principal.is_admin:
        return role in (ROLE_ADMIN, ROLE_STAFF, ROLE_COUNSELLOR)
    return role == ROLE_STAFF and bool(principal.head_branch_ids)


def can_assign_counsellor(principal: Principal | None, branch_ids: set[int] | frozenset[int]) -> bool:
    """Give a counsellor these branches to receive at, or take them away: admins, or the head of every one of
    these branches (a head changes nothing else about a counsellor)."""
    if principal is None:
        return False
    if principal.is_admin:
        return True
    return principal.role == ROLE_STAFF and bool(branch_ids) and set(branch_ids) <= set(principal.head_branch_ids)


def can_see_staff_list(principal: Principal | None) -> bool:
    return principal is not None and (principal.is_admin or bool(principal.head_branch_ids))


def can_manage_programmes(principal: Principal | None, branch_ids: set[int] | frozenset[int]) -> bool:
    """The programmes a branch offers schools: admins, or heads of each of the programme's branches."""
    return can_manage_staff(principal, branch_ids)


def audit_scope(principal: Principal | None) -> frozenset[int] | None:
    """The branches whose audit entries the principal reads: None = all of them (admins); a branch head their
    branches; anybody else nothing (an empty set, see :func:`can_read_audit`)."""
    if principal is None:
        return frozenset()
    if principal.is_admin:
        return None
    if principal.role == ROLE_STAFF:
        return frozenset(principal.head_branch_ids)
    return frozenset()


def can_read_audit(principal: Principal | None) -> bool:
    return audit_scope(principal) != frozenset()
