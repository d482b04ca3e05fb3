"""Drop-in attendance: the head count staff enter after an event without sign-up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from src.audit.tables import AuditEntry
from src.events import attendance
from src.events.tables import EventAttendance
from src.exceptions import Conflict, Forbidden, Invalid
from tests.conftest import bearer, post_form
from tests.events.conftest import new_event, principal, soon


def test_count_problems():
    assert attendance.count_problems(10, 3, 7) == []
    assert [e.field for e in attendance.count_problems(10, 4, 7)] == ["total"]
    assert [e.field for e in attendance.count_problems(-1, 0, 0)] == ["total"]
    assert [e.field for e in attendance.count_problems(5, 0, -2)] == ["youth"]


async def _exhibition(staff, **overrides) -> tuple[int, object]:
    starts = soon(days=2)
    event_id = await new_event(staff, title="Выставка", category="exhibition", capacity=None, min_age=None, max_age=None, starts_at=starts, **overrides)
    return event_id, starts


async def test_record_and_correct(staff, frozen_clock):
    event_id, starts = await _exhibition(staff)
    with pytest.raises(Invalid):  # not started yet
        await attendance.record(staff, event_id, 10)
    frozen_clock.move_to(starts + timedelta(hours=3))
    done = await attendance.record(staff, event_id, 40, children=12, youth=8)
    assert (done.total, done.children, done.youth) == (40, 12, 8)
    await attendance.record(staff, event_id, 45, children=12, youth=8)
    rows = await EventAttendance.select().where(EventAttendance.event == event_id)
    assert [(row["total"], row["children"], row["youth"]) for row in rows] == [(45, 12, 8)]
    entries = await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_kind == "event_attendance").order_by(AuditEntry.id)
    assert [entry["action"] for entry in entries] == ["create", "update"]


async def test_refusals(staff, frozen_clock):
    event_id, starts = await _exhibition(staff)
    signup_event = await new_event(staff, starts_at=starts)
    frozen_clock.move_to(starts + timedelta(hours=1))
    with pytest.raises(Invalid):
        await attendance.record(staff, event_id, 3, children=2, youth=2)
    with pytest.raises(Invalid):
        await attendance.record(staff, signup_event, 3)
    other = await principal("staff.dialog@libspace.local")
    with pytest.raises(Forbidden):
        await attendance.record(other, event_id, 3)


async def test_database_refuses_more_children_than_people(staff, frozen_clock):
    event_id, starts = await _exhibition(staff)
    frozen_clock.move_to(starts + timedelta(hours=1))
    await attendance.record(staff, event_id, 5)
    with pytest.raises(Exception):
        await EventAttendance.update({EventAttendance.children: 6}).where(EventAttendance.event == event_id)


async def test_cancelled_event(staff, frozen_clock):
    from src.events import service

    event_id, starts = await _exhibition(staff)
    await service.cancel_event(staff, event_id, "Болезнь лектора")
    frozen_clock.move_to(starts + timedelta(hours=1))
    with pytest.raises(Conflict):
        await attendance.record(staff, event_id, 3)


async def test_api(client, staff, frozen_clock):
    event_id, starts = await _exhibition(staff)
    frozen_clock.move_to(starts + timedelta(hours=2))
    url = f"/api/v1/events/{event_id}/attendance"
    headers = await bearer(client, "staff.chekhov@libspace.local")
    response = await client.post(url, json={"total": 30, "children": 10, "youth": 5}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 30
    response = await client.post(url, json={"total": 3, "children": 10}, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "total"
    other = await bearer(client, "staff.dialog@libspace.local")
    assert (await client.post(url, json={"total": 3}, headers=other)).status_code == 403
    reader = await bearer(client, "reader@libspace.local")
    assert (await client.post(url, json={"total": 3}, headers=reader)).status_code == 403


async def test_page_form(client, staff, frozen_clock):
    event_id, starts = await _exhibition(staff)
    frozen_clock.move_to(starts + timedelta(hours=2))
    response = await post_form(client, "/login", {"login": "staff.chekhov@libspace.local", "password": "libspace-demo"})
    assert response.status_code == 303, response.text
    page_url = f"/staff/events/{event_id}/attendees"
    response = await post_form(client, page_url, {"total": "12", "children": "20", "youth": ""}, action=f"/staff/events/{event_id}/attendance")
    assert response.status_code == 303 and response.headers["location"].startswith(page_url)  # back to the form with its errors
    assert 'aria-invalid="true"' in (await client.get(response.headers["location"])).text
    response = await post_form(client, page_url, {"total": "12", "children": "4", "youth": "3"}, action=f"/staff/events/{event_id}/attendance")
    assert response.status_code == 303
    assert "12" in (await client.get(page_url)).text
    assert (await attendance.get(event_id)).youth == 3
