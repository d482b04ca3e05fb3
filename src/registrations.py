"""Fills the mechanisms' registries with every domain's content, once, at start-up (the server, the worker, the
CLI): importing a domain's ``messages.py`` registers its message kinds, what they are about and its reminders.

This module sits above the domains (like ``src/demo.py`` and ``src/retention.py``)."""

from src.accounts import families as accounts_families  # noqa: F401 - guardians receive copies of their children's messages
from src.accounts import messages as accounts_messages  # noqa: F401
from src.events import messages as events_messages  # noqa: F401
from src.guidance import messages as guidance_messages  # noqa: F401
from src.rooms import messages as rooms_messages  # noqa: F401
