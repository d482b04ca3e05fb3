"""Read-mostly data (branches, hours, zones) cached per process, invalidated through the database.

Writers call :func:`bump` inside their transaction; every worker re-checks the revision at most once per
``CHECK_SECONDS``, so a change is seen at once by the worker that made it and within a second by the others.
"""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable

from src.config import get_settings
from src.tables import Revision

CHECK_SECONDS = 1.0

_values: dict[tuple[str, Any], tuple[int, Any]] = {}
_revisions: dict[str, tuple[int, float]] = {}


async def _revision(name: str) -> int:
    known = _revisions.get(name)
    now = time.monotonic()
    if known is not None and now - known[1] < CHECK_SECONDS:
        return known[0]
    row = await Revision.select(Revision.value).where(Revision.name == name).first()
    value = row["value"] if row else 0
    _revisions[name] = (value, now)
    return value


async def revision(name: str) -> int:
    """The data set's revision as this process last saw it (re-read at most once per ``CHECK_SECONDS``)."""
    return await _revision(name)


async def cached(name: str, key: Any, loader: Callable[[], Awaitable[Any]]) -> Any:
    if not get_settings().cache_enabled:
        return await loader()
    revision = await _revision(name)
    hit = _values.get((name, key))
    if hit is not None and hit[0] == revision:
        return hit[1]
    value = await loader()
    _values[(name, key)] = (revision, value)
    return value


async def bump(name: str) -> None:
    """Call inside the writing transaction."""
    updated = await Revision.update({Revision.value: Revision.value + 1}).where(Revision.name == name).returning(Revision.value)
    if not updated:
        await Revision.insert(Revision(name=name, value=1))
    clear_local(name)


def clear_local(name: str | None = None) -> None:
    for key in [key for key in _values if name is None or key[0] == name]:
        del _values[key]
    if name is None:
        _revisions.clear()
    else:
        _revisions.pop(name, None)
