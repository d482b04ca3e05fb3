"""The audit mechanism itself: one row per change, in the change's transaction, never a secret."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
from piccolo.engine import engine_finder

from src import audit
from src.audit import service as audit_service
from src.audit.tables import AuditEntry
from src.db import write_transaction
from src.timeutil import now_utc


@dataclass(frozen=True)
class Someone:
    id: int
    role: str
    full_name: str


ADMIN = Someone(7, "admin", "Администратор")


def test_diff_keeps_only_what_changed():
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": (2, 3)}
    assert audit.diff(None, {"name": "Зал"}) == {"name": (None, "Зал")}
    assert audit.diff({"name": "Зал"}, None) == {"name": ("Зал", None)}
    assert audit.diff({"a": 1, "b": 2}, {"a": 5, "b": 3}, fields=["b"]) == {"b": (2, 3)}


def test_secrets_are_named_never_shown():
    for field in ("password_hash", "password", "token_hash", "api_token", "private_notes", "secret_key", "salt"):
        assert audit.is_secret(field), field
    for field in ("name", "status", "next_steps", "email"):
        assert not audit.is_secret(field), field


async def test_a_row_in_the_changes_transaction(database):
    async with write_transaction(engine_finder()):
        await audit.record(ADMIN, "update", "zone", 12, branch_id=3, changes={"capacity": (10, 12), "password_hash": ("x", "y")})
    [entry], total = await audit_service.entries(audit_service.Filters(), limit=10)
    assert total == 1
    assert (entry.actor_id, entry.actor_role, entry.actor_name, entry.branch_id) == (7, "admin", "Администратор", 3)
    assert (entry.object_kind, entry.object_id, entry.action) == ("zone", 12, "update")
    assert entry.changes == {"capacity": {"before": 10, "after": 12}, "password_hash": {"redacted": True}}
    raw = await AuditEntry.select(AuditEntry.changes).first()
    assert '"x"' not in raw["changes"] and '"y"' not in raw["changes"]


async def test_private_fields_are_recorded_as_changed_only(database):
    async with write_transaction(engine_finder()):
        await audit.record(ADMIN, "notes", "consultation", 1, changes={"next_steps": ("", "Записаться в кружок")}, private={"next_steps"})
    [entry], _total = await audit_service.entries(audit_service.Filters(), limit=10)
    assert entry.changes == {"next_steps": {"redacted": True}}


async def test_rolled_back_with_the_change(database):
    with pytest.raises(RuntimeError):
        async with write_transaction(engine_finder()):
            await audit.record(ADMIN, "cancel", "booking", 1)
            raise RuntimeError("the change failed")
    assert await AuditEntry.count() == 0


async def test_refused_outside_a_transaction(database):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        await audit.record(ADMIN, "cancel", "booking", 1)


async def test_the_request_actor_or_the_system(database):
    async with write_transaction(engine_finder()):
        await audit.record(None, "run", "job", None)
    token = audit.acting_as(Someone(5, "staff", "Сотрудник"))
    try:
        async with write_transaction(engine_finder()):
            await audit.record(None, "cancel", "booking", 2)
    finally:
        audit.stop_acting(token)
    entries, _total = await audit_service.entries(audit_service.Filters(), limit=10)
    by_object = {entry.object_kind: entry for entry in entries}
    assert (by_object["job"].actor_id, by_object["job"].actor_role) == (None, "system")
    assert (by_object["booking"].actor_id, by_object["booking"].actor_role) == (5, "staff")


async def test_values_become_json(database):
    instant = datetime(2030, 5, 1, 10, 0, tzinfo=timezone.utc)
    async with write_transaction(engine_finder()):
        await audit.record(ADMIN, "update", "branch", 1, changes={"when": (None, instant), "on": (None, date(2030, 5, 1)), "ids": (None, {3, 1}), "long": (None, "я" * 5000)})
    [entry], _total = await audit_service.entries(audit_service.Filters(), limit=10)
    assert entry.changes["when"]["after"] == "2030-05-01T10:00:00+00:00" and entry.changes["on"]["after"] == "2030-05-01"
    assert entry.changes["ids"]["after"] == [1, 3] and len(entry.changes["long"]["after"]) == audit_service.MAX_VALUE_LENGTH + 1


async def test_several_objects_in_one_statement_and_the_filters(database):
    async with write_transaction(engine_finder()):
        await audit.record_many(ADMIN, "cancel", "booking", {1: {"status": ("confirmed", "cancelled")}, 2: {"status": ("pending", "cancelled")}}, branch_id=4)
        await audit.record(Someone(9, "staff", "Другой"), "update", "zone", 1, branch_id=5)
    assert await AuditEntry.count() == 3
    only = lambda **kw: audit_service.entries(audit_service.Filters(**kw), limit=10)  # noqa: E731
    assert (await only(branch_ids=frozenset({4})))[1] == 2
    assert (await only(branch_ids=frozenset()))[1] == 0
    assert (await only(actor_id=9))[1] == 1
    assert (await only(object_kind="booking", object_id=2))[1] == 1
    assert (await only(start=now_utc() + timedelta(minutes=1)))[1] == 0
    assert (await only(end=now_utc() + timedelta(minutes=1)))[1] == 3
    history = await audit_service.of_object("booking", 1)
    assert [item.changes for item in history] == [{"status": {"before": "confirmed", "after": "cancelled"}}]


async def test_forgetting_an_erased_person(database):
    async with write_transaction(engine_finder()):
        await audit.record(Someone(11, "reader", "Анна"), "update", "account", 11, changes={"email": ("a@x.ru", "b@x.ru")})
        assert await audit_service.forget_actor(11) == 1
        assert await audit_service.forget_object("account", 11) == 1
    [entry], _total = await audit_service.entries(audit_service.Filters(), limit=10)
    assert (entry.actor_id, entry.actor_name, entry.changes) == (11, "", {})
