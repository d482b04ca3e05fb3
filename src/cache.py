"""Read-mostly data (branches, hours, zones) cached per process, invalidated through the database.

Writers call :func:`bump` inside their transaction; every worker re-checks the revision at most once per
``CHECK_SECONDS``, so a change is seen at once by the worker that made it and within a second by the others.

Where the writers are many and spread over the domains (the principal behind a session or token: accounts,
roles, staff branches, cards, teachers; bookings, written by rooms, events and school visits), the database
bumps the revision itself with triggers (the migrations 2026-12-01T23:50:00 and 2026-12-02T04:00:00), and
:func:`watch` names the tables whose writes in *this* process forget the local copies at once. :class:`Keyed`
is a bounded map for one such data set (principals by token hash; zones' free times and week grids).
:class:`Derived` keeps what is built from such a kept object (an answer, a rendered fragment) while that very
object is the one asked about.
"""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable

from src import db
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
    for keyed in _keyed:
        if name is None or keyed.name == name:
            keyed.values.clear()
            keyed.revision = None  # a load under way now is not kept
    if name is None:
        _revisions.clear()
    else:
        _revisions.pop(name, None)


class Keyed:
    """A per-process map of at most ``size`` values of the data set ``name`` (oldest forgotten first), all
    forgotten when its revision moves. Misses (``None``) are not kept."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self.values: dict[Any, Any] = {}
        self.revision: int | None = None
        _keyed.append(self)

    async def get(self, key: Any, loader: Callable[[], Awaitable[Any]]) -> Any:
        if not get_settings().cache_enabled:
            return await loader()
        revision = await _revision(self.name)
        if revision != self.revision:
            self.values.clear()
            self.revision = revision
        found = self.values.get(key)
        if found is not None:
            return found
        value = await loader()
        if value is not None and self.revision == revision:
            if len(self.values) >= self.size:
                del self.values[next(iter(self.values))]
            self.values[key] = value
        return value

    def forget(self, key: Any) -> None:
        """Drop one value (one that has gone stale for a reason of its own, e.g. the moment it was computed for)."""
        self.values.pop(key, None)


class Recent:
    """A per-process map of at most ``size`` values that may be up to ``max_age`` seconds old (by the clock
    libspace runs on), for figures that are allowed to be (the statistics: "at most a minute old"). Forgotten
    by :func:`clear_local` and by this process's writes to the tables :func:`watch` names for ``name``."""

    def __init__(self, name: str, size: int, max_age: float) -> None:
        self.name = name
        self.size = size
        self.max_age = max_age
        self.values: dict[Any, tuple[float, Any]] = {}
        self.revision: int | None = None
        _keyed.append(self)  # type: ignore[arg-type]

    async def get(self, key: Any, loader: Callable[[], Awaitable[Any]]) -> Any:
        from src import clock

        now = clock.now().timestamp()
        found = self.values.get(key) if get_settings().cache_enabled else None
        if found is not None and 0 <= now - found[0] < self.max_age:
            return found[1]
        self.revision = 0
        value = await loader()
        if self.revision == 0 and get_settings().cache_enabled:  # not forgotten meanwhile
            if key not in self.values and len(self.values) >= self.size:
                del self.values[next(iter(self.values))]
            self.values[key] = (now, value)
        return value


class Derived:
    """What is built from a kept object (a cached list of rows, a computed grid): kept while that very object is
    the one asked about, so it is as fresh as the object's own cache. At most ``size`` (oldest forgotten first);
    each entry holds its object, so that the object's id is not reused while it is kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: dict[tuple, tuple[Any, Any]] = {}

    def get(self, source: Any, build: Callable[[], Any], *key: Any) -> Any:
        found = self.values.get((id(source), *key))
        if found is not None and found[0] is source:
            return found[1]
        value = build()
        if len(self.values) >= self.size:
            del self.values[next(iter(self.values))]
        self.values[(id(source), *key)] = (source, value)
        return value


_keyed: list[Keyed] = []
_watched: dict[tuple[str, str], set[str]] = {}


def watch(name: str, table: str, *verbs: str) -> None:
    """Writes (``INSERT``, ``UPDATE``, ``DELETE``) to ``table`` in this process forget the data set ``name``'s
    local copies at once (its revision is bumped in the database by a trigger, for the other processes)."""
    for verb in verbs:
        _watched.setdefault((verb, table), set()).add(name)


def _written(verb: str, table: str) -> None:
    for name in _watched.get((verb, table), ()):
        clear_local(name)


db.WRITE_LISTENERS.append(_written)
