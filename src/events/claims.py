"""The write of a sign-up (issue 17, the rush): the seat or the place in the queue, the registration, its audit
entry and its messages, in one short transaction whose lock is held for the statements alone.

Everything that can be decided before is decided before (``service.sign_up``), including the audit entry
and the outbox rows for either outcome (:class:`Claim`); here one outcome is picked and written.

- SQLite: the whole transaction is one hand-off to the connection's thread (``db.write_batch``): ``BEGIN
  IMMEDIATE``, the conditional UPDATE that claims a seat (``CLAIM_SQL``), else the waitlist, the inserts,
  ``COMMIT``, back to back. Writers are serialized, so what it reads is current.
- PostgreSQL: one script in one round trip and one transaction (``db.run_script``, the values as literals):
  a statement locks the event row, then one statement (``SIGN_UP_PG``) places the sign-up and writes all
  four rows; the lock is held inside the server only, for those two statements. The second starts after the
  lock is granted, so its snapshot sees every sign-up committed before: the queue's count and order are
  right and a newcomer never overtakes it. (One statement alone would not do: a statement that waits for a
  row lock re-reads that row only, the rest of what it reads stays as of its start.) Ids are taken under the
  lock, so the queue's order is theirs. ``PLACED_SQL`` then reads what was written.

The database still refuses more confirmed seats than the capacity (a CHECK) and a second active sign-up of a
reader (a partial unique index), whatever happens above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.engine import engine_finder
from piccolo.utils.encoding import dump_json

from src import db
from src.events.constants import CANCELLED, CONFIRMED, NO_SHOW_DAYS, SCHEDULED, WAITLISTED
from src.timeutil import aware

ID = "<id>"  # where the new registration's id goes in a message id (its cause)

# A seat is claimed by one conditional UPDATE: the database counts (``seats_taken``, within ``capacity`` by its
# CHECK). A newcomer is confirmed only while nobody waits (the queue is never overtaken); otherwise the
# sign-up joins the queue, whose order is the ids'.
CLAIM_SQL = f"""UPDATE event SET seats_taken = seats_taken + {{}}
WHERE id = {{}} AND status = '{SCHEDULED}' AND capacity IS NOT NULL AND seats_taken + {{}} <= capacity
  AND NOT EXISTS (SELECT 1 FROM registration WHERE event = {{}} AND status = '{WAITLISTED}')
RETURNING id"""
EVENT_SQL = "SELECT status, capacity, waitlist FROM event WHERE id = {}"
POSITION_SQL = f"SELECT COUNT(*) AS ahead FROM registration WHERE event = {{}} AND status = '{WAITLISTED}' AND id < {{}}"
REGISTRATION_SQL = """INSERT INTO registration (event, reader, seats, status, ticket_code, confirmation_required, confirmed_at, created_by, created_at, cancel_reason)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, '') RETURNING id"""
AUDIT_SQL = """INSERT INTO audit_entry (at, actor_id, actor_role, actor_name, branch_id, object_kind, object_id, action, changes)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})"""
OUTBOX_SQL = """INSERT INTO outbox (message_id, recipient, email, kind, subject, payload, created_at, channel, attempts, last_error)
VALUES ({}, {}, '', {}, {}, {}, {}, {}, 0, '') ON CONFLICT (message_id) DO NOTHING"""

# A no-show, on ``registration r JOIN event x``: a confirmed seat nobody used at an event that took attendance
# and ended between the two instants given (now, and NO_SHOW_DAYS before). The one rule for the sign-up's facts
# below and ``service.no_show_counts``; parameters: True, now, the earlier instant.
NO_SHOW_WHERE = f"""r.status = '{CONFIRMED}' AND r.checked_in_at IS NULL AND x.attendance_taken = {{}}
           AND x.status = '{SCHEDULED}' AND x.ends_at <= {{}} AND x.ends_at > {{}}"""

# What a sign-up checks before writing, in one round trip (issue 17: it was five queries): the event, the
# reader's card, their no-shows (NO_SHOW_WHERE) and an active sign-up of theirs for the event already. One row
# always, the event's or the card's columns None when missing.
FACTS_SQL = f"""SELECT e.id, e.branch, e.title, e.status, e.capacity, e.seats_per_signup, e.min_age, e.max_age, e.starts_at, e.ends_at,
       e.registration_opens_at, e.registration_closes_at, e.confirm_hours_before,
       c.card_number, c.birth_date, c.guardian_consent_at, c.blocked_at, c.blocked_reason,
       EXISTS (SELECT 1 FROM registration r WHERE r.event = e.id AND r.reader = {{}} AND r.status IN ('{CONFIRMED}', '{WAITLISTED}')) AS already,
       (SELECT COUNT(*) FROM registration r JOIN event x ON x.id = r.event
         WHERE r.reader = {{}} AND {NO_SHOW_WHERE}) AS no_shows
FROM (SELECT 1 AS one) AS base
LEFT JOIN event e ON e.id = {{}}
LEFT JOIN reader_card c ON c.account = {{}}"""

LOCK_PG = "SELECT 1 FROM event WHERE id = $1 FOR UPDATE"
_PARAMETER = re.compile(r"\$(\d+)")
# After the script: the sign-up it wrote (by its ticket code) and its place in the queue now; no row of
# registration when it was refused (the event's status says why).
PLACED_SQL = f"""SELECT e.status AS event_status, r.id, r.status,
       (SELECT COUNT(*) FROM registration w WHERE w.event = e.id AND w.status = '{WAITLISTED}' AND w.id < r.id) + 1 AS position
FROM event e LEFT JOIN registration r ON r.ticket_code = {{}} AND r.event = e.id
WHERE e.id = {{}}"""
# $1 event, $2 seats, $3 reader, $4 ticket code, $5 confirmation required, $6 confirmed at, $7 created by,
# $8 now, $9-$12 the audit entry's actor and branch, $13/$14 its changes confirmed/waitlisted, $15/$16 the
# outbox rows confirmed/waitlisted (JSON, payload without registration_id and position).
SIGN_UP_PG = f"""WITH ev AS (
    SELECT status, capacity, seats_taken, waitlist,
           (SELECT count(*) FROM registration WHERE event = $1::int AND status = '{WAITLISTED}') AS waiting
    FROM event WHERE id = $1::int
), placed AS (
    SELECT status AS event_status, waiting + 1 AS position,
           CASE WHEN status <> '{SCHEDULED}' OR capacity IS NULL THEN NULL
                WHEN waiting = 0 AND seats_taken + $2::int <= capacity THEN '{CONFIRMED}'
                WHEN waitlist THEN '{WAITLISTED}' END AS status
    FROM ev
), seat AS (
    UPDATE event SET seats_taken = seats_taken + $2::int WHERE id = $1::int AND (SELECT status FROM placed) = '{CONFIRMED}' RETURNING id
), signed AS (
    INSERT INTO registration (event, reader, seats, status, ticket_code, confirmation_required, confirmed_at, created_by, created_at, cancel_reason)
    SELECT $1::int, $3::int, $2::int, status, $4::text, $5::boolean, $6::timestamptz, $7::int, $8::timestamptz, '' FROM placed WHERE status IS NOT NULL
    RETURNING id, status
), logged AS (
    INSERT INTO audit_entry (at, actor_id, actor_role, actor_name, branch_id, object_kind, object_id, action, changes)
    SELECT $8::timestamptz, $9::int, $10::text, $11::text, $12::int, 'registration', id, 'create', CASE status WHEN '{CONFIRMED}' THEN $13::text ELSE $14::text END
    FROM signed
), queued AS (
    INSERT INTO outbox (message_id, recipient, email, kind, subject, payload, created_at, channel, attempts, last_error)
    SELECT replace(m.message_id, '{ID}', signed.id::text), m.recipient, '', m.kind, m.subject,
           (m.payload || jsonb_build_object('registration_id', signed.id, 'position', CASE WHEN signed.status = '{WAITLISTED}' THEN placed.position END))::json,
           $8::timestamptz, m.channel, 0, ''
    FROM signed CROSS JOIN placed
    CROSS JOIN LATERAL json_to_recordset(CASE signed.status WHEN '{CONFIRMED}' THEN $15::json ELSE $16::json END)
         AS m(message_id text, recipient integer, kind text, subject text, payload jsonb, channel text)
    ON CONFLICT (message_id) DO NOTHING
)
SELECT placed.event_status, signed.id, signed.status, placed.position FROM placed LEFT JOIN signed ON true"""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What was written: a sign-up (``id``, ``status``, ``position`` in the queue or None), or nothing and why
    (``refused``: ``"cancelled"``, or ``"full"`` when no seat is left and the event has no waitlist)."""

    id: int | None = None
    status: str | None = None
    position: int | None = None
    refused: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A sign-up ready to be written, with its audit entry and messages for either outcome (``audit`` and
    ``messages`` by status: the audit entry's columns, the outbox rows' columns with :data:`ID` in their
    message ids and no ``registration_id`` or ``position`` in their payloads)."""

    event_id: int
    reader_id: int
    seats: int
    ticket_code: str
    confirmation_required: bool
    confirmed_at: datetime | None
    created_by: int
    now: datetime
    audit: dict[str, dict[str, Any]]
    messages: dict[str, list[dict[str, Any]]]


async def facts(event_id: int, reader_id: int, now: datetime) -> dict[str, Any]:
    """The row of :data:`FACTS_SQL`, instants aware, ``already`` a bool."""
    row = (await db.fetch(engine_finder(), FACTS_SQL, reader_id, reader_id, True, now, now - timedelta(days=NO_SHOW_DAYS), event_id, reader_id))[0]
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "guardian_consent_at", "blocked_at"):
        if row[name] is not None:
            row[name] = aware(row[name])
    row["already"] = bool(row["already"])
    return row


async def write(claim: Claim) -> Outcome:
    engine = engine_finder()
    if db.is_postgres(engine):
        return await _write_postgres(engine, claim)
    return await db.write_batch(engine, lambda run: _write_sqlite(run, claim))


def _write_sqlite(run: db.SyncRunner, claim: Claim) -> Outcome:
    """In the connection's thread, inside ``BEGIN IMMEDIATE``: no awaiting, no translating here."""
    if run(CLAIM_SQL, claim.seats, claim.event_id, claim.seats, claim.event_id):
        status = CONFIRMED
    else:
        found = run(EVENT_SQL, claim.event_id)
        if not found or found[0]["status"] == CANCELLED or found[0]["capacity"] is None:
            return Outcome(refused="cancelled")
        if not found[0]["waitlist"]:
            return Outcome(refused="full")
        status = WAITLISTED
    registration_id = run(
        REGISTRATION_SQL, claim.event_id, claim.reader_id, claim.seats, status, claim.ticket_code, claim.confirmation_required,
        claim.confirmed_at, claim.created_by, claim.now,
    )[0]["id"]
    position = run(POSITION_SQL, claim.event_id, registration_id)[0]["ahead"] + 1 if status == WAITLISTED else None
    entry = claim.audit[status]
    run(AUDIT_SQL, entry["at"], entry["actor_id"], entry["actor_role"], entry["actor_name"], entry["branch_id"], entry["object_kind"], registration_id, entry["action"], entry["changes"])
    for message in claim.messages[status]:
        payload = dump_json({**message["payload"], "registration_id": registration_id, "position": position})
        run(OUTBOX_SQL, message["message_id"].replace(ID, str(registration_id)), message["recipient"], message["kind"], message["subject"], payload, message["created_at"], message["channel"])
    return Outcome(id=registration_id, status=status, position=position)


async def _write_postgres(engine: Any, claim: Claim) -> Outcome:
    entry = claim.audit[CONFIRMED]  # the same actor and branch either way
    values = (
        claim.event_id, claim.seats, claim.reader_id, claim.ticket_code, claim.confirmation_required, claim.confirmed_at, claim.created_by, claim.now,
        entry["actor_id"], entry["actor_role"], entry["actor_name"], entry["branch_id"],
        claim.audit[CONFIRMED]["changes"], claim.audit[WAITLISTED]["changes"],
        dump_json([_row(message) for message in claim.messages[CONFIRMED]]), dump_json([_row(message) for message in claim.messages[WAITLISTED]]),
    )
    literals = [db.literal(value) for value in values]
    script = LOCK_PG.replace("$1", literals[0]) + ";\n" + _PARAMETER.sub(lambda found: literals[int(found.group(1)) - 1], SIGN_UP_PG)
    await db.run_script(engine, script, writes=(("UPDATE", "event"), ("INSERT", "registration"), ("INSERT", "audit_entry"), ("INSERT", "outbox")))
    rows = await db.fetch(engine, PLACED_SQL, claim.ticket_code, claim.event_id)
    if not rows or rows[0]["id"] is None:
        return Outcome(refused="cancelled" if not rows or rows[0]["event_status"] != SCHEDULED else "full")
    row = rows[0]
    return Outcome(id=row["id"], status=row["status"], position=row["position"] if row["status"] == WAITLISTED else None)


def _row(message: dict[str, Any]) -> dict[str, Any]:
    return {name: message[name] for name in ("message_id", "recipient", "kind", "subject", "payload", "channel")}
