"""The notification worker's heartbeat: ``/readyz`` asks whether any worker completed a pass lately."""

from piccolo.columns import Timestamptz, Varchar
from piccolo.table import Table


class WorkerBeat(Table, tablename="worker_beat"):
    """One row per running worker (``host:pid``), written after each completed pass (at most every few seconds)."""

    worker = Varchar(length=200, unique=True)
    started_at = Timestamptz()
    beat_at = Timestamptz(index=True)
