"""Who may read the statistics: staff of a branch read its figures, administrators the whole network's.

Readers, counsellors and teachers read none (the figures are the library's management information).
"""

from __future__ import annotations

from collections.abc import Iterable

from src.accounts.permissions import Principal, can_manage_branch


def can_view_stats(principal: Principal | None, branch_id: int) -> bool:
    return can_manage_branch(principal, branch_id)


def can_view_any_stats(principal: Principal | None) -> bool:
    return principal is not None and principal.is_staff


def stats_branch_ids(principal: Principal | None, all_branch_ids: Iterable[int]) -> list[int]:
    """The branches whose figures this person may read, of ``all_branch_ids`` (in their order)."""
    return [branch_id for branch_id in all_branch_ids if can_view_stats(principal, branch_id)]
