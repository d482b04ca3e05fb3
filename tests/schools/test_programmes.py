"""Staff add group-visit programmes for the branches they manage; the catalogue filters them."""

from datetime import time

import pytest

from src.exceptions import Forbidden, Invalid
from src.schools import programmes


async def test_staff_add_a_programme_for_their_branches(people):
    data = programmes.ProgrammeInput(
        title="Квест «Тайны Амура»", description="Командная игра по залам библиотеки", topic="local_studies", duration_minutes=60,
        grade_min=4, grade_max=7, group_min=10, group_max=25, lead_days=5, branches=["chekhov"], zone_kinds=["reading_hall", "conference_hall"],
        hours=[(2, time(11), time(16)), (3, time(11), time(16))],
    )
    programme_id = await programmes.create_programme(people.staff, data)
    found = await programmes.catalogue(grade=5, branch_slug="chekhov", topic="local_studies")
    assert [p.id for p in found] == [programme_id] and found[0].rules.zone_kinds == frozenset({"reading_hall", "conference_hall"})
    with pytest.raises(Forbidden):
        await programmes.create_programme(people.staff, programmes.ProgrammeInput(**{**data.__dict__, "branches": ["dialog"]}))
    bad = programmes.ProgrammeInput(**{**data.__dict__, "title": "", "grade_min": 9, "grade_max": 3, "zone_kinds": ["garage"], "hours": [(2, time(16), time(11))]})
    with pytest.raises(Invalid) as error:
        await programmes.create_programme(people.staff, bad)
    assert {e.field for e in error.value.errors} == {"title", "grade_min", "zone_kinds", "hours"}
