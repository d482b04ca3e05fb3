"""Fills the mechanisms' registries with every domain's content, once, at start-up (the server, the worker, the
CLI): importing a domain's ``messages.py`` registers its message kinds, what they are about and its reminders.

It also registers the worker's timed jobs (``src/notifications/scheduler.py``). This module sits above the domains (like ``src/demo.py`` and ``src/retention.py``)."""

from datetime import datetime, timedelta

from src import retention
from src.calendars import service as calendars_service
from src.accounts import families as accounts_families  # noqa: F401 - guardians receive copies of their children's messages
from src.accounts import messages as accounts_messages
from src.accounts import staff_admin  # noqa: F401 - the staff invitation
from src.events import messages as events_messages
from src.events import no_shows
from src.events import service as events_service
from src.guidance import messages as guidance_messages
from src.notifications import registry, reminders, scheduler
from src.rooms import messages as rooms_messages
from src.schools import messages as schools_messages

MODULES = (accounts_messages, events_messages, guidance_messages, rooms_messages, schools_messages)


async def _reminders(now: datetime) -> dict[str, int]:
    return {"enqueued": await reminders.schedule(now)}


async def _release_unconfirmed(now: datetime) -> dict[str, int]:
    return {"released": await events_service.release_unconfirmed(now)}


registry.upcoming(calendars_service.upcoming)  # the Telegram bot's /next: the reader's own calendar, coming part
scheduler.register(
    scheduler.Job("reminders", timedelta(minutes=1), _reminders),
    scheduler.Job("confirmation-requests", timedelta(minutes=5), events_messages.confirmation_requests),
    scheduler.Job("release-unconfirmed", timedelta(minutes=5), _release_unconfirmed),
    scheduler.Job("no-shows", timedelta(minutes=15), no_shows.mark),
    scheduler.Job("approval-digest", rooms_messages.DIGEST_EVERY, rooms_messages.approval_digest),
    *retention.jobs(),
)
