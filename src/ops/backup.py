"""``libspace backup FILE`` and ``libspace restore FILE``: a consistent snapshot while the service runs.

SQLite: the online backup API copies the whole database in one read transaction (writers go on, in WAL
mode), into a temporary file that is checked and then renamed, so FILE is either a whole backup or absent.
PostgreSQL: ``pg_dump --format=custom`` (found on PATH; its major version must be at least the server's),
which reads one snapshot; restore pipes ``pg_restore``'s script into ``psql --single-transaction``, so a
restore that fails changes nothing. Restore refuses a database that holds any row unless ``force``, and
refuses a database that other sessions have open (stop the service first).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from src.db import parse_database_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SKIPPED_TABLES = ("migration",)  # Piccolo's own record of migrations: present in a freshly migrated database


class BackupError(Exception):
    """What went wrong, in words for the person at the console."""


@dataclass
class Summary:
    engine: str
    path: Path
    tables: int
    rows: int | None  # None: not counted (pg_dump reads its own snapshot)

    def __str__(self) -> str:
        rows = "" if self.rows is None else f", {self.rows} rows"
        return f"{self.engine}: {self.tables} tables{rows}; {self.path} ({self.path.stat().st_size:,} bytes)"


def _kind(url: str) -> tuple[str, dict[str, Any]]:
    try:
        return parse_database_url(url)
    except ValueError as error:
        raise BackupError(str(error)) from None


def _file_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgres"
    raise BackupError(f"{path} is not a libspace backup (neither an SQLite database nor a pg_dump custom-format file)")


async def backup(url: str, target: Path) -> Summary:
    kind, config = _kind(url)
    if target.is_dir():
        raise BackupError(f"{target} is a folder: give the name of the backup file")
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        return await asyncio.to_thread(_sqlite_backup, Path(config["path"]), target)
    return await _pg_backup(config, target)


async def restore(url: str, source: Path, force: bool = False) -> Summary:
    kind, config = _kind(url)
    if not source.is_file():
        raise BackupError(f"no such file: {source}")
    made_by = _file_kind(source)
    if made_by != kind:
        names = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
        raise BackupError(f"{source} is a {names[made_by]} backup, but LIBSPACE_DATABASE_URL names a {names[kind]} database")
    if kind == "sqlite":
        return await asyncio.to_thread(_sqlite_restore, source, Path(config["path"]), force)
    return await _pg_restore(config, source, force)


# --- SQLite --------------------------------------------------------------------------------------------


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    ]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _sqlite_summary(path: Path, connection: sqlite3.Connection) -> Summary:
    counts = _sqlite_counts(connection)
    return Summary("SQLite", path, len(counts), sum(count for name, count in counts.items() if name not in SKIPPED_TABLES))


def _sqlite_backup(source: Path, target: Path) -> Summary:
    if not source.is_file():
        raise BackupError(f"the database file {source} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    live = sqlite3.connect(source, timeout=30)  # only read; a read-only open of a WAL database can fail
    copy = sqlite3.connect(partial)
    try:
        live.backup(copy)  # every page in one step: one read transaction, one consistent snapshot
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        problem = copy.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"the copy does not check out ({problem}); the database itself may be damaged")
        summary = _sqlite_summary(target, copy)
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        live.close()
    copy.close()
    os.replace(partial, target)
    return summary


def _sqlite_restore(source: Path, target: Path, force: bool) -> Summary:
    backup_db = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        problem = backup_db.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"{source} does not check out ({problem})")
        if "migration" not in _sqlite_counts(backup_db):
            raise BackupError(f"{source} is an SQLite database, but not a libspace backup (no migration table)")
        target.parent.mkdir(parents=True, exist_ok=True)
        live = sqlite3.connect(target, timeout=0.5, isolation_level=None)
        try:
            try:  # the lock also proves that no running libspace holds the database open
                live.execute("PRAGMA locking_mode = EXCLUSIVE")
                live.execute("BEGIN EXCLUSIVE")
                live.execute("COMMIT")
            except sqlite3.OperationalError:
                raise BackupError(f"{target} is open in another process: stop libspace (serve and worker) before restoring") from None
            rows = {name: count for name, count in _sqlite_counts(live).items() if name not in SKIPPED_TABLES and count}
            if rows and not force:
                raise BackupError(_refusal(target, rows))
            backup_db.backup(live)
            live.execute("PRAGMA journal_mode = WAL")
            return _sqlite_summary(target, live)
        finally:
            live.close()
    finally:
        backup_db.close()


def _refusal(where: Any, rows: dict[str, int]) -> str:
    listed = ", ".join(f"{name} {count}" for name, count in sorted(rows.items(), key=lambda item: -item[1])[:5])
    return f"{where} is not empty ({listed}{', ...' if len(rows) > 5 else ''}): restore with --force to replace everything in it"


# --- PostgreSQL ----------------------------------------------------------------------------------------


def _pg_env(config: dict[str, Any]) -> dict[str, str]:
    """The connection for pg_dump, pg_restore and psql, in their own variables (no password in argv)."""
    env = {**os.environ, "PGHOST": str(config["host"]), "PGPORT": str(config["port"]), "PGUSER": config["user"], "PGDATABASE": config["database"]}
    if config.get("password"):
        env["PGPASSWORD"] = config["password"]
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools of your server's major version "
            f"(Debian: apt-get install postgresql-client)"
        )
    return found


async def _run(command: list[str], env: dict[str, str], stdin: Any = None) -> tuple[int, bytes, bytes]:
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdin=stdin, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    return process.returncode or 0, out, err


async def _tool_major(path: str) -> int:
    code, out, _err = await _run([path, "--version"], dict(os.environ))
    match = re.search(rb"(\d+)(?:\.\d+)?", out)
    if code or not match:
        raise BackupError(f"{path} --version did not answer as a PostgreSQL tool does")
    return int(match.group(1))


async def _connect(config: dict[str, Any]):
    import asyncpg

    try:
        return await asyncpg.connect(**config, timeout=10)
    except asyncpg.InvalidCatalogNameError:
        raise BackupError(f"the database {config['database']!r} does not exist: create it first (createdb {config['database']})") from None
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError) as error:
        raise BackupError(f"cannot connect to PostgreSQL at {config['host']}:{config['port']}: {error}") from None


async def _pg_counts(connection) -> dict[str, int]:
    names = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    counts = {}
    for row in names:
        counts[row["tablename"]] = await connection.fetchval(f'SELECT count(*) FROM "{row["tablename"]}"')
    return counts


async def _pg_summary(config: dict[str, Any], path: Path) -> Summary:
    connection = await _connect(config)
    try:
        counts = await _pg_counts(connection)
    finally:
        await connection.close()
    return Summary("PostgreSQL", path, len(counts), sum(count for name, count in counts.items() if name not in SKIPPED_TABLES))


async def _check_versions(tool: str, connection) -> None:
    server = connection.get_server_version().major
    client = await _tool_major(tool)
    if client < server:
        raise BackupError(
            f"{Path(tool).name} is version {client} but the server runs PostgreSQL {server}: install postgresql-client-{server} "
            f"and put its bin folder first on PATH (Debian: /usr/lib/postgresql/{server}/bin)"
        )


async def _pg_backup(config: dict[str, Any], target: Path) -> Summary:
    pg_dump = _tool("pg_dump")
    connection = await _connect(config)
    try:
        await _check_versions(pg_dump, connection)
        counts = {row["tablename"]: 0 for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    finally:
        await connection.close()
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    code, _out, err = await _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"], _pg_env(config))
    if code:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {err.decode(errors='replace').strip()}")
    os.replace(partial, target)
    return Summary("PostgreSQL", target, len(counts), None)


async def _pg_restore(config: dict[str, Any], source: Path, force: bool) -> Summary:
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    env = _pg_env(config)
    code, _out, err = await _run([pg_restore, "--list", str(source)], env)
    if code:
        raise BackupError(f"pg_restore cannot read {source}: {err.decode(errors='replace').strip()}")
    connection = await _connect(config)
    try:
        others = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        if others:
            raise BackupError(f"{others} other session(s) use the database {config['database']!r}: stop libspace (serve and worker) before restoring")
        counts = await _pg_counts(connection)
        rows = {name: count for name, count in counts.items() if name not in SKIPPED_TABLES and count}
        if rows and not force:
            raise BackupError(_refusal(f"the database {config['database']!r}", rows))
        existing = list(counts)
        # functions of our own (the triggers' bodies, e.g. the principals' revision), not those of extensions
        functions = [row[0] for row in await connection.fetch(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema()"
            " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
        )]
    finally:
        await connection.close()

    code, script, err = await _run([pg_restore, "--no-owner", "--no-privileges", "--file=-", str(source)], env)
    if code:
        raise BackupError(f"pg_restore failed: {err.decode(errors='replace').strip()}")
    drops = "".join(f'DROP TABLE IF EXISTS "{name}" CASCADE;\n' for name in existing)
    drops += "".join(f"DROP FUNCTION IF EXISTS {signature} CASCADE;\n" for signature in functions)
    # One transaction: the old tables go and the backup comes in together, or nothing changes at all.
    process = await asyncio.create_subprocess_exec(
        psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", "--output=/dev/null",
        env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    _out, err = await process.communicate(drops.encode() + script)
    if process.returncode:
        raise BackupError(f"the restore failed and changed nothing: {err.decode(errors='replace').strip()[-2000:]}")
    return await _pg_summary(config, source)
