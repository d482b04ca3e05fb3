"""The audit log: who changed what, when, in the change's own transaction.

A mechanism below the domains (it imports none). A domain records a state change inside the write
transaction that makes it, so the entry and the change commit or roll back together::

    from src import audit

    async with write_transaction(engine_finder()):
        ...  # the change
        await audit.record(principal, "cancel", "booking", booking.id, branch_id=branch.id,
                           changes={"status": (CONFIRMED, CANCELLED)})

``actor`` is the principal acting (anything with ``id``, ``role`` and ``full_name``); ``None`` means whoever
the current request acts for (set by the auth middleware), else the system (command line, worker).
``changes`` maps a field to its ``(before, after)`` values; :func:`diff` builds it from two mappings.
Secrets never reach the log: password hashes, tokens, secrets and counsellors' private notes are recorded
as changed without their values (:func:`is_secret`).
"""

from src.audit.service import Actor, ActorRef, acting_as, current_actor, diff, entry_values, insert_statement, is_secret, record, record_many, stop_acting

__all__ = ["Actor", "ActorRef", "acting_as", "current_actor", "diff", "entry_values", "insert_statement", "is_secret", "record", "record_many", "stop_acting"]
