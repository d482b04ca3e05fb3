"""Database engines: SQLite (embedded default) and PostgreSQL, picked from ``LIBSPACE_DATABASE_URL``.

Piccolo's stock SQLite engine opens a fresh connection (a new thread plus PRAGMAs) for every query made
outside a transaction. :class:`PooledSQLiteEngine` keeps a few long-lived connections in WAL mode instead,
and serializes writer transactions inside the process with a lock (``BEGIN IMMEDIATE`` plus the busy
timeout serialize them across processes).

Nothing waits for the database for ever: a PostgreSQL connection from the pool within
``LIBSPACE_DB_POOL_TIMEOUT_SECONDS``, a row or table lock within ``LIBSPACE_DB_LOCK_TIMEOUT_SECONDS``
(``lock_timeout``; on SQLite the writer lock and the busy timeout), a statement within
``LIBSPACE_DB_STATEMENT_TIMEOUT_SECONDS`` (``statement_timeout``). When one of them fires the request gets
503 with ``Retry-After`` (:class:`src.exceptions.DatabaseBusy`, see :func:`busy_error`) and the worker goes on
serving everything else.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import sqlite3
import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, AsyncIterator, Callable
from urllib.parse import unquote, urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from src.config import ROOT, get_settings
from src.exceptions import DatabaseBusy

POOL_SIZE = 4


# Piccolo's SQLite converters (registered when piccolo.engine.sqlite is imported) wrap each one in a type check
# and a decode, and INTEGER goes through Decimal, on every value of every row; these give the same values in a
# fraction of the time (issue 17: a week of bookings is hundreds of them per read).
def _integer_out(value: bytes) -> int:
    try:
        return int(value)
    except ValueError:  # "1.0" and the like, which Piccolo's converter takes too
        return int(Decimal(value.decode()))


def _timestamptz_out(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode()).replace(tzinfo=timezone.utc)


def _boolean_out(value: bytes) -> bool:
    return value == b"1"


sqlite3.register_converter("INTEGER", _integer_out)
sqlite3.register_converter("TIMESTAMPTZ", _timestamptz_out)
sqlite3.register_converter("BOOLEAN", _boolean_out)

# Listeners told of every write statement this process runs: ``listener(verb, table)`` with verb ``INSERT``,
# ``UPDATE`` or ``DELETE`` (src/cache.py forgets its local copies at once; other processes learn of the change
# through the revision the database's triggers bump).
WRITE_LISTENERS: list[Callable[[str, str], None]] = []
_WRITE = re.compile(r'\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def note_write(query: str) -> None:
    if WRITE_LISTENERS and query[:1] not in ("S", "s", "W", "w"):  # SELECT, WITH: reads, the hot case
        found = _WRITE.match(query)
        if found:
            verb = found.group(1).split()[0].upper()
            for listener in WRITE_LISTENERS:
                listener(verb, found.group(2))


def _lock_timeout() -> float:
    return get_settings().db_lock_timeout_seconds


def busy_error(error: BaseException) -> DatabaseBusy | None:
    """The 503 for a database that did not answer in time (a lock, a statement, the pool), else None."""
    if isinstance(error, DatabaseBusy):
        return error
    if isinstance(error, sqlite3.OperationalError) and "locked" in str(error).lower():
        return DatabaseBusy()
    try:
        from asyncpg import exceptions as pg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return None
    if isinstance(error, (pg.LockNotAvailableError, pg.QueryCanceledError, pg.DeadlockDetectedError, pg.TooManyConnectionsError)):
        return DatabaseBusy()
    return None


class DatabaseUrlError(ValueError):
    pass


def parse_database_url(url: str) -> tuple[str, dict[str, Any]]:
    """Return ``("sqlite", {"path": ...})`` or ``("postgres", {asyncpg config})``."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        raw = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not raw:
            raise DatabaseUrlError(f"SQLite URL needs a path, e.g. sqlite:///var/libspace.sqlite: {url!r}")
        path = Path(raw) if raw.startswith("/") else ROOT / raw
        return "sqlite", {"path": str(path)}
    if parts.scheme in ("postgresql", "postgres"):
        config: dict[str, Any] = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 5432,
            "user": unquote(parts.username or "postgres"),
            "database": unquote(parts.path.lstrip("/")) or "libspace",
        }
        if parts.password:
            config["password"] = unquote(parts.password)
        return "postgres", config
    raise DatabaseUrlError(f"Unsupported database URL {url!r}: use sqlite:///path or postgresql://...")


class _Pool:
    """Long-lived aiosqlite connections of one event loop."""

    def __init__(self, engine: "PooledSQLiteEngine") -> None:
        self.engine = engine
        self.idle: list[aiosqlite.Connection] = []
        self.all: list[aiosqlite.Connection] = []
        self.available = asyncio.Semaphore(POOL_SIZE)
        self.write_lock = asyncio.Lock()

    async def acquire(self) -> aiosqlite.Connection:
        await self.available.acquire()
        try:
            if self.idle:
                return self.idle.pop()
            connection = await self.engine.open_connection()
            self.all.append(connection)
            return connection
        except BaseException:
            self.available.release()
            raise

    def release(self, connection: aiosqlite.Connection, broken: bool = False) -> None:
        if broken:
            self.all.remove(connection)
            asyncio.ensure_future(connection.close())
        else:
            self.idle.append(connection)
        self.available.release()

    async def close(self) -> None:
        for connection in self.all:
            try:
                await connection.close()
            except Exception:  # pragma: no cover - closing a dead connection
                pass
        self.all.clear()
        self.idle.clear()


# SQLite's own busy handler (``busy_timeout``) sleeps 1, 2, 5, ... then 100 ms between tries: a writer that
# has waited a while looks again only every 100 ms, and newcomers that try at once take the lock before it (44 s
# waits in the rush of issue 17). A writer of ours asks for the lock itself instead, every fraction of a
# millisecond with jitter, in its connection's thread (the event loop goes on); writers of one process queue
# first on its FIFO lock, so at most one per process asks.
_RETRY_SLEEP = (0.0002, 0.001)


def _begin_immediate(connection: sqlite3.Connection, timeout: float, kind: str = "IMMEDIATE") -> None:
    """``BEGIN IMMEDIATE`` (or EXCLUSIVE), trying again within ``timeout`` seconds while another process writes."""
    deadline = time.monotonic() + timeout
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                connection.execute(f"BEGIN {kind}")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error).lower() and "busy" not in str(error).lower() or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(*_RETRY_SLEEP))
    finally:
        connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


def _batch_in_thread(connection: sqlite3.Connection, work: Callable[["SyncRunner"], Any], timeout: float, begin: bool) -> tuple[Any, list[str]]:
    runner = SyncRunner(connection)
    if not begin:  # inside the caller's transaction
        return work(runner), runner.written
    _begin_immediate(connection, timeout)
    try:
        result = work(runner)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return result, runner.written


class SyncRunner:
    """Runs ``{}``-placeholder SQL on a SQLite connection from its own thread (see :func:`write_batch`)."""

    __slots__ = ("connection", "written")

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.written: list[str] = []

    def __call__(self, sql: str, *args: Any) -> list[dict]:
        query = _compile(sql, "sqlite")
        rows = self.connection.execute(query, args).fetchall()
        if query[:1] not in ("S", "s"):
            self.written.append(query)
        return rows


class PooledTransaction(SQLiteTransaction):
    """A transaction on a pooled connection; writers (IMMEDIATE) queue on one lock per process."""

    __slots__ = ("_pool", "_locked")

    async def __aenter__(self) -> "PooledTransaction":
        if self._parent is not None:
            return self._parent
        self._pool = self.engine.pool()
        self._locked = self.transaction_type != TransactionType.deferred
        if self._locked:
            try:
                await asyncio.wait_for(self._pool.write_lock.acquire(), _lock_timeout())
            except asyncio.TimeoutError:
                raise DatabaseBusy() from None
        try:
            self.connection = await self._pool.acquire()
            try:
                await self.begin()
            except BaseException:
                self._pool.release(self.connection, broken=True)
                raise
        except BaseException:
            if self._locked:
                self._pool.write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def begin(self) -> None:
        if self.transaction_type == TransactionType.deferred:
            await self.connection.execute("BEGIN DEFERRED")
        else:
            await self.connection._execute(_begin_immediate, self.connection._conn, _lock_timeout(), self.transaction_type.value.upper())

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        broken = False
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            broken = True
            try:
                await self.connection.execute("ROLLBACK")
            except Exception:
                pass
            raise
        finally:
            self._pool.release(self.connection, broken=broken)
            if self._locked:
                self._pool.write_lock.release()
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """SQLite with a small pool of long-lived WAL connections per event loop."""

    __slots__ = ("_pools", "_file_identity")

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=_lock_timeout(), **kwargs)
        self._pools: dict[asyncio.AbstractEventLoop, _Pool] = {}
        self._file_identity: tuple[int, int] | None = None

    def file_problem(self) -> str | None:
        """Open connections keep using a database file that was moved, deleted or replaced, and what they write
        then is lost: say so (``/readyz``), so that someone restarts the service or puts the file back."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return "the database file is missing"
        except OSError as error:
            return f"the database file cannot be read ({type(error).__name__})"
        if self._file_identity is not None and (stat.st_dev, stat.st_ino) != self._file_identity:
            return "the database file was replaced since the service started: restart it"
        return None

    async def open_connection(self) -> aiosqlite.Connection:
        connection = aiosqlite.connect(**self.connection_kwargs)
        # A pooled connection must never keep the process alive at exit (granian's SIGTERM, CLI commands):
        # shutdown closes the pool, and the worker thread is a daemon in case a loop dies without it.
        thread = getattr(connection, "_thread", None)
        if thread is not None:
            thread.daemon = True
        await connection
        if self._file_identity is None:
            stat = os.stat(self.path)
            self._file_identity = (stat.st_dev, stat.st_ino)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute(f"PRAGMA busy_timeout = {int(_lock_timeout() * 1000)}")
        return connection

    def pool(self) -> _Pool:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            for old_loop in [old for old in self._pools if old.is_closed()]:
                del self._pools[old_loop]
            pool = self._pools[loop] = _Pool(self)
        return pool

    async def close_pool(self) -> None:
        pool = self._pools.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[aiosqlite.Connection]:
        pool = self.pool()
        connection = await pool.acquire()
        try:
            yield connection
        finally:
            # Autocommit mode: a connection left inside a transaction is not fit to share.
            pool.release(connection, broken=connection.in_transaction)

    async def _run_in_new_connection(self, query: str, args=None, query_type: str = "generic", table=None):
        async with self._connection() as connection:
            rows = await connection.execute_fetchall(query, args or [])  # one hand-off to the connection's thread
        note_write(query)
        return rows

    async def _run_in_existing_connection(self, connection, query: str, args=None, query_type="generic", table=None):
        rows = await connection.execute_fetchall(query, args or [])
        note_write(query)
        return rows

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> PooledTransaction:
        return PooledTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


class _TimedPool:
    """asyncpg's pool, but a connection is waited for at most ``timeout`` seconds (Piccolo asks without one)."""

    def __init__(self, pool: Any, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout

    def acquire(self, *, timeout: float | None = None):
        if timeout is None and self._connected_idle():  # nothing to wait for, and a timeout costs a task per query
            return _TimedAcquire(self._pool.acquire(), release_within=self._timeout)
        return _TimedAcquire(self._pool.acquire(timeout=self._timeout if timeout is None else timeout))

    def _connected_idle(self) -> bool:
        """Whether asyncpg's queue holds a connected connection, which it hands out first and at once (issue 17:
        ``asyncio.wait_for`` around every acquire was a quarter of a small query's CPU). Its private queue: if a
        version of asyncpg has none, every acquire is bounded as before."""
        holders = getattr(getattr(self._pool, "_queue", None), "_queue", None)
        return holders is not None and any(holder.is_connected() for holder in holders)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


class _TimedAcquire:
    """``await pool.acquire()`` and ``async with pool.acquire()``, a timeout answered as DatabaseBusy."""

    def __init__(self, context: Any, release_within: float | None = None) -> None:
        self._context = context
        self._release_within = release_within

    def __await__(self):
        return self._acquire().__await__()

    async def _acquire(self):
        try:
            return self._bounded(await self._context)
        except asyncio.TimeoutError:
            raise DatabaseBusy() from None

    async def __aenter__(self):
        try:
            return self._bounded(await self._context.__aenter__())
        except asyncio.TimeoutError:
            raise DatabaseBusy() from None

    def _bounded(self, connection: Any) -> Any:
        """asyncpg bounds a release by the acquire's timeout: keep it bounded when the acquire had none."""
        holder = getattr(connection, "_holder", None)
        if self._release_within is not None and holder is not None:
            holder._timeout = self._release_within
        return connection

    async def __aexit__(self, *exc):
        return await self._context.__aexit__(*exc)


class BoundedPostgresEngine(PostgresEngine):
    """PostgreSQL with ``lock_timeout`` and ``statement_timeout`` on every connection and a pool wait bound."""

    async def run_querystring(self, querystring: Any, in_pool: bool = True):
        query, query_args = querystring.compile_string(engine_type=self.engine_type)
        transaction = self.current_transaction.get()
        if transaction:
            response = await transaction.connection.fetch(query, *query_args)
        elif in_pool and self.pool:
            response = await self._run_in_pool(query, query_args)
        else:
            response = await self._run_in_new_connection(query, query_args)
        note_write(query)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        response = await super().run_ddl(ddl, in_pool)
        note_write(ddl)
        return response

    async def start_connection_pool(self, **kwargs: Any) -> None:
        await super().start_connection_pool(**kwargs)
        if self.pool is not None and not isinstance(self.pool, _TimedPool):
            self.pool = _TimedPool(self.pool, get_settings().db_pool_timeout_seconds)


def _postgres_settings() -> dict[str, str]:
    settings = get_settings()
    return {
        "lock_timeout": f"{int(settings.db_lock_timeout_seconds * 1000)}ms",
        "statement_timeout": f"{int(settings.db_statement_timeout_seconds * 1000)}ms",
    }


def make_engine(url: str, sqlite_pool: bool = True) -> Engine:
    kind, config = parse_database_url(url)
    if kind == "sqlite":
        Path(config["path"]).parent.mkdir(parents=True, exist_ok=True)
        if not sqlite_pool:  # Piccolo's stock engine: only to measure what the pool is worth
            return SQLiteEngine(path=config["path"], timeout=_lock_timeout())
        return PooledSQLiteEngine(path=config["path"])
    return BoundedPostgresEngine(config={**config, "server_settings": _postgres_settings()}, extensions=())


def is_postgres(engine: Engine) -> bool:
    return engine.engine_type == "postgres"


# --- hot paths: one parametrised SQL string, compiled once per engine, no query builder -----------------------

_compiled: dict[tuple[str, str], str] = {}


def _compile(sql: str, engine_type: str) -> str:
    """``{}`` placeholders (as in Piccolo's ``raw``) as the engine writes them: ``?`` or ``$1, $2, ...``."""
    key = (sql, engine_type)
    found = _compiled.get(key)
    if found is None:
        if engine_type == "postgres":
            parts = sql.split("{}")
            found = parts[0] + "".join(f"${index}{part}" for index, part in enumerate(parts[1:], start=1))
        else:
            found = sql.replace("{}", "?")
        if len(_compiled) > 1000:  # hot paths use a handful; never let odd ones pile up
            _compiled.clear()
        _compiled[key] = found
    return found


def params(count: int) -> str:
    """``{}, {}, ...``: the placeholders of an ``IN (...)`` list of ``count`` values for :func:`fetch`."""
    return ", ".join(["{}"] * count)


async def _execute(engine: Engine, sql: str, args: tuple) -> list[dict]:
    transaction = engine.current_transaction.get()
    if isinstance(engine, PostgresEngine):
        if transaction is not None:
            return [dict(row) for row in await transaction.connection.fetch(sql, *args)]
        if engine.pool is None:  # a command-line run without the pool
            return [dict(row) for row in await engine._run_in_new_connection(sql, list(args))]
        async with engine.pool.acquire() as connection:
            return [dict(row) for row in await connection.fetch(sql, *args)]
    if transaction is not None:
        return list(await engine._run_in_existing_connection(transaction.connection, sql, args))
    return list(await engine._run_in_new_connection(sql, list(args)))


async def fetch(engine: Engine, sql: str, *args: Any) -> list[dict]:
    """Rows of a parametrised SQL string (``{}`` placeholders) as dicts, in the current transaction if any.
    For hot paths where Piccolo's query building is the cost (issue 17); keep the SQL in the domain's queries
    module, portable between both engines or one string per engine."""
    sql = _compile(sql, engine.engine_type)
    rows = await _execute(engine, sql, args)
    if isinstance(engine, PostgresEngine):
        note_write(sql)  # SQLite's path notes it already
    return rows


async def write_batch(engine: "PooledSQLiteEngine", work: Callable[[SyncRunner], Any]) -> Any:
    """SQLite: a whole short write transaction in one hand-off to a pooled connection's thread.

    ``work(run)`` gets ``run(sql, *args) -> rows`` and must not await: ``BEGIN IMMEDIATE``, its statements and
    ``COMMIT`` (``ROLLBACK`` when it raises, the exception then reaching the caller) run back to back, so the
    database's write lock is held for the statements alone, not for the event loop's turns between them
    (issue 17: the rush). Within the caller's transaction, ``work`` runs in it without BEGIN or COMMIT."""
    transaction = engine.current_transaction.get()
    if transaction is not None:
        result, written = await transaction.connection._execute(_batch_in_thread, transaction.connection._conn, work, _lock_timeout(), False)
    else:
        result, written = await _batch_on_pool(engine.pool(), work)
    for query in written:
        note_write(query)
    return result


def literal(value: Any) -> str:
    """A value as a PostgreSQL literal, for a script sent without parameters (:func:`run_script`): None, bools,
    ints, aware datetimes, and text dollar-quoted with a tag that the text cannot close early."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a naive datetime has no place in a timestamptz literal")
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("PostgreSQL text cannot hold NUL")
        tag = "$v$"
        while (value + tag).find(tag) != len(value):  # the first closing tag must be the one we append
            tag = f"$v{random.getrandbits(48):x}$"
        return f"{tag}{value}{tag}"
    raise TypeError(f"no literal for {type(value).__name__}")


async def run_script(engine: PostgresEngine, script: str, writes: tuple[tuple[str, str], ...]) -> None:
    """PostgreSQL: statements without parameters (values through :func:`literal`) in one round trip. Outside
    a transaction they are one transaction of their own (the simple query protocol), each statement with a
    fresh snapshot: a lock taken by the first is held between them inside the server only, never across the
    network or the event loop's turns (issue 17: the sign-up's lock on its event row). ``writes``: the
    ``(verb, table)`` pairs the script may write, told to :data:`WRITE_LISTENERS`."""
    transaction = engine.current_transaction.get()
    if transaction is not None:
        await transaction.connection.execute(script)
    elif engine.pool is None:  # a command-line run without the pool
        connection = await engine.get_new_connection()
        try:
            await connection.execute(script)
        finally:
            await connection.close()
    else:
        async with engine.pool.acquire() as connection:
            await connection.execute(script)
    for verb, table in writes:
        for listener in WRITE_LISTENERS:
            listener(verb, table)


async def _batch_on_pool(pool: _Pool, work: Callable[[SyncRunner], Any]) -> tuple[Any, list[str]]:
    try:
        await asyncio.wait_for(pool.write_lock.acquire(), _lock_timeout())
    except asyncio.TimeoutError:
        raise DatabaseBusy() from None
    try:
        connection = await pool.acquire()
    except BaseException:
        pool.write_lock.release()
        raise

    def give_back(job: asyncio.Future | None = None) -> None:
        if job is not None and not job.cancelled():
            job.exception()  # retrieved: the request that wanted it is gone
        pool.release(connection, broken=connection.in_transaction)
        pool.write_lock.release()

    job = asyncio.ensure_future(connection._execute(_batch_in_thread, connection._conn, work, _lock_timeout(), True))
    try:
        result = await asyncio.shield(job)
    except asyncio.CancelledError:
        if not job.done():  # the thread commits or rolls back all the same: the connection is free after that
            job.add_done_callback(give_back)
            raise
        give_back()
        raise
    except BaseException:
        give_back()
        raise
    give_back()
    return result


def write_transaction(engine: Engine):
    """One serialized writer transaction: ``BEGIN IMMEDIATE`` on SQLite, a plain transaction on PostgreSQL."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def _keep_session(connection: Any) -> None:
    """What a connection going back to the pool needs beyond asyncpg's own clean-up (an open transaction rolled
    back, listeners dropped): nothing. asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE
    ALL; UNLISTEN *; RESET ALL`` with every release, one more round trip for every query made outside a
    transaction (a sign-up made six; issue 17); libspace keeps no session state (no SET, advisory lock,
    cursor or LISTEN outside a transaction: the settings it needs are the connection's own)."""


async def open_pools(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=2, max_size=10, reset=_keep_session)


async def close_pools(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_pool()


def database_file_problem(engine: Engine) -> str | None:
    """For SQLite, whether the database file is still the one the pool opened; PostgreSQL: always None."""
    return engine.file_problem() if isinstance(engine, PooledSQLiteEngine) else None


def pool_stats(engine: Engine) -> tuple[int, int, int]:
    """This process's connections ``(in use, idle, maximum)`` (for /metrics; zeros before the pool opens)."""
    if isinstance(engine, PostgresEngine):
        pool = engine.pool
        if pool is None:
            return 0, 0, 0
        size, idle = pool.get_size(), pool.get_idle_size()
        return size - idle, idle, pool.get_max_size()
    if isinstance(engine, PooledSQLiteEngine):
        try:
            sqlite_pool = engine._pools.get(asyncio.get_running_loop())
        except RuntimeError:
            sqlite_pool = None
        if sqlite_pool is None:
            return 0, 0, POOL_SIZE
        return len(sqlite_pool.all) - len(sqlite_pool.idle), len(sqlite_pool.idle), POOL_SIZE
    return 0, 0, 0
