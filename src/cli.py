"""The ``libspace`` command: serve, migrate, demo, create-user, import-readers, import-closures, worker."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import Awaitable, Callable, TypeVar

import click

from src.config import ROOT

T = TypeVar("T")


def run_db(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine against the configured database, closing its connections afterwards."""
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

    async def wrapper() -> T:
        from piccolo.engine import engine_finder

        from src.db import close_pools, open_pools

        engine = engine_finder()
        await open_pools(engine)
        try:
            return await work()
        finally:
            await close_pools(engine)

    return asyncio.run(wrapper())


def _fail(error: Exception) -> None:
    from src.exceptions import AppError

    if isinstance(error, AppError):
        click.echo(f"error: {error.detail}", err=True)
        for field_error in error.errors:
            click.echo(f"  {field_error.field}: {field_error.message}", err=True)
        raise SystemExit(2)
    raise error


@click.group(help="libspace: the library space of Blagoveshchensk's municipal libraries.")
def main() -> None:
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")


@main.command(help="Serve the web app and API on granian.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), envvar="LIBSPACE_WORKERS", help="Worker processes (about one per CPU core).")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option("--access-log", is_flag=True, help="Granian's own access log too (libspace logs one line per request anyway).")
def serve(host: str, port: int, workers: int, reload: bool, access_log: bool) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    from src.ops import logs, multiproc
    from src.ops.settings import get_ops_settings

    os.chdir(ROOT)
    multiproc.enable(get_ops_settings().metrics_dir, "serve")  # before any worker imports prometheus_client
    Granian(
        "src.app:create_app",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        reload=reload,
        reload_paths=[ROOT / "src", ROOT / "templates"] if reload else None,
        log_access=access_log,
        log_dictconfig=logs.dict_config(),
        workers_kill_timeout=10,
    ).serve()


@main.command(help="Apply the database migrations (SQLite or PostgreSQL, from LIBSPACE_DATABASE_URL).")
def migrate() -> None:
    async def work() -> None:
        from piccolo.apps.migrations.commands.forwards import run_forwards

        result = await run_forwards(app_name="all", migration_id="all", fake=False)
        if not result.success:
            raise click.ClickException(result.message or "migrations failed")

    run_db(work)


@main.command(help="Load demo data (idempotent): branches, zones, hours, staff, readers.")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no branch yet.")
@click.option("--history/--no-history", default=True, envvar="LIBSPACE_DEMO_HISTORY", show_default=True,
              help="Also a plausible past year (events, sign-ups, bookings, visits, consultations) for the statistics.")
def demo(if_empty: bool, history: bool) -> None:
    from src import demo as demo_data

    summary = run_db(lambda: demo_data.load(if_empty=if_empty, with_history=history))
    click.echo(summary)


@main.command("create-user", help="Create a staff, admin, counsellor or teacher account.")
@click.option("--role", required=True, type=click.Choice(["staff", "admin", "counsellor", "teacher"]))
@click.option("--email", required=True)
@click.option("--branch", "branches", multiple=True, help="Branch slug (repeat for several); staff need one.")
@click.option("--name", default="", help="Full name.")
@click.option("--school", default="", help="School slug; teachers need one.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(role: str, email: str, branches: tuple[str, ...], name: str, school: str, password_stdin: bool) -> None:
    if role == "teacher" and not school.strip():
        raise click.UsageError("a teacher needs --school SLUG (see GET /api/v1/schools or the staff page of schools)")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            raise click.ClickException("the passwords do not match")
    from src.accounts import service as accounts_service

    try:
        account_id = run_db(
            lambda: accounts_service.create_user(
                role=role, email=email, password=password, full_name=name, branch_slugs=list(branches), school_slug=school
            )
        )
    except Exception as error:  # noqa: BLE001 - reported, not swallowed
        _fail(error)
        return
    click.echo(f"created {role} {email} (id {account_id})")


@main.command(
    "import-readers",
    help="Import or update reader cards from CSV: card_number,full_name,birth_date,email,phone,home_branch. "
    "Known card numbers are updated (an empty cell keeps the value), new ones added, nothing is deleted.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Import the good rows even if some rows are bad.")
@click.option("--dry-run", is_flag=True, help="Report what would happen, write nothing.")
def import_readers(file: Path, skip_bad: bool, dry_run: bool) -> None:
    from src.accounts import importer

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException("the file is not UTF-8 text")
    report = run_db(lambda: importer.import_readers(text, skip_bad=skip_bad, dry_run=dry_run))
    for row in report.rows:
        detail = {importer.UPDATED: ", ".join(row.fields), importer.REJECTED: row.reason}.get(row.status, "")
        click.echo(f"{row.status} line {row.line}: {row.card or '-'}" + (f": {detail}" if detail else ""))
    statuses = (importer.ADDED, importer.UPDATED, importer.UNCHANGED, importer.REJECTED)
    click.echo(", ".join(f"{len(report.of(status))} {status}" for status in statuses) + (" (dry run: nothing written)" if dry_run else ""))
    if report.rejected and not report.written and not dry_run:
        click.echo("nothing was imported: fix the rejected rows, or run again with --skip-bad", err=True)
        raise SystemExit(1)


@main.command("release-unconfirmed", help="Confirm or release: hand seats not confirmed by their deadline to the waitlist (idempotent; run it every few minutes).")
def release_unconfirmed() -> None:
    from src.events import service as events_service

    released = run_db(events_service.release_unconfirmed)
    click.echo(f"released {released} unconfirmed sign-ups")


@main.command(help="Send the notification outbox (SMTP from LIBSPACE_SMTP_URL, else .eml files in var/outbox/) and run the timed jobs (see `libspace jobs`).")
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
def worker(once: bool) -> None:
    import asyncio
    import signal

    from src.ops import logs, multiproc
    from src.ops.settings import get_ops_settings

    if not once:
        multiproc.enable(get_ops_settings().metrics_dir, "worker")  # before prometheus_client is imported
    logs.configure()

    from src import registrations  # noqa: F401 - the domains' message kinds and reminders
    from src.notifications import scheduler
    from src.notifications import worker as notification_worker
    from src.notifications.clock import Clock
    from src.notifications.transport import make_transport
    from src.notifications.settings import get_mail_settings
    from src.ops.heartbeat import Heartbeat, worker_name

    async def work() -> None:
        if once:
            clock = Clock()
            await scheduler.run_due(clock.now(), worker_name(), clock.now)
            transport = make_transport(get_mail_settings())
            try:
                stats = await notification_worker.send_job(transport, clock, get_mail_settings())
            finally:
                await transport.close()
            await Heartbeat().beat(clock.now())  # a worker run from a timer also counts for /readyz
            click.echo(f"{stats.sent} sent, {stats.retried} to retry, {stats.failed} given up")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await notification_worker.run(stop)

    run_db(work)


@main.command(help="The worker's timed jobs: how often each runs, its last run and outcome, and its next run (UTC).")
def jobs() -> None:
    from src import registrations  # noqa: F401 - the jobs the domains register
    from src.notifications import scheduler, telegram  # noqa: F401 - telegram: its poller

    def line(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"

    states = run_db(scheduler.states)
    click.echo(f"{'job':<22} {'every':>9}  {'last run':<19}  {'outcome':<8} {'next run':<19}  runs  last note")
    for state in states:
        every = f"{int(state.every.total_seconds() // 60)} min" if state.every else "long poll"
        click.echo(f"{state.name:<22} {every:>9}  {line(state.last_started_at):<19}  {state.last_outcome or '-':<8} {line(state.next_run_at) if state.last_started_at or not state.every else 'at once':<19}  {state.runs:>4}  {state.last_note}")


@main.command(help="Write a consistent backup of the database to FILE while the service runs (SQLite: online backup; PostgreSQL: pg_dump).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    from src.config import get_settings
    from src.ops import backup as backups

    try:
        summary = asyncio.run(backups.backup(get_settings().database_url, file))
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backed up {summary}")


@main.command(help="Restore a backup made by `libspace backup` into the configured database (stop serve and worker first).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(file: Path, force: bool) -> None:
    from src.config import get_settings
    from src.ops import backup as backups

    try:
        summary = asyncio.run(backups.restore(get_settings().database_url, file, force=force))
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {summary}")
    click.echo("next: `libspace migrate` (when the backup is older than this version), then start libspace")


@main.command("import-closures", help="Import closures (holidays, sanitary days) into a branch from an .ics file or URL.")
@click.option("--branch", "branch_slug", required=True, help="Branch slug, e.g. chekhov.")
@click.option("--kind", type=click.Choice(["holiday", "sanitary", "repair", "other"]), default=None, help="Kind of every closure (default: guessed from each title).")
@click.argument("source")
def import_closures(branch_slug: str, kind: str | None, source: str) -> None:
    from src.calendars import imports

    async def work():
        if "://" in source:
            data = await imports.fetch(source)
        else:
            path = Path(source)
            if not path.is_file():
                raise click.ClickException(f"no such file: {source}")
            data = path.read_bytes()
        return await imports.import_closures(branch_slug, data, kind)

    try:
        report = run_db(work)
    except Exception as error:  # noqa: BLE001 - reported, not swallowed
        _fail(error)
        return
    for label, drafts in (("added", report.added), ("already there", report.already), ("in the past, skipped", report.past)):
        for draft in drafts:
            click.echo(f"{label}: {draft.starts_on}..{draft.ends_on} {draft.kind}: {draft.reason}")
    click.echo(f"{len(report.added)} added, {len(report.already)} already there, {len(report.past)} in the past")


if __name__ == "__main__":  # pragma: no cover
    main()
