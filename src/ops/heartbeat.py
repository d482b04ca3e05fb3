"""The notification worker's heartbeat, kept in the database so that any process on any host can read it.

The worker may run inside ``libspace serve`` or as ``libspace worker`` on another host; ``/readyz`` answers
for the whole installation, so the beat goes where every process can see it. One row per worker, written
after a completed pass and at most every ``BEAT_EVERY``; rows of workers gone for a day are removed.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from src.ops.tables import WorkerBeat

BEAT_EVERY = timedelta(seconds=10)
FORGET_AFTER = timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    """``await beat(now)`` after each completed pass of the worker loop."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or worker_name()
        self.started_at: datetime | None = None
        self.last: datetime | None = None

    async def beat(self, now: datetime) -> bool:
        """Record a completed pass; True when a row was written (not within ``BEAT_EVERY`` of the last)."""
        if self.last is not None and now - self.last < BEAT_EVERY:
            return False
        if self.started_at is None:
            self.started_at = now
            await WorkerBeat.delete().where(WorkerBeat.beat_at < now - FORGET_AFTER)
        await WorkerBeat.insert(WorkerBeat(worker=self.name, started_at=self.started_at, beat_at=now)).on_conflict(
            target=WorkerBeat.worker, action="DO UPDATE", values=[WorkerBeat.beat_at, WorkerBeat.started_at]
        )
        self.last = now
        return True


async def latest_beat() -> datetime | None:
    row = await WorkerBeat.select(WorkerBeat.beat_at).order_by(WorkerBeat.beat_at, ascending=False).first()
    return row["beat_at"] if row else None
