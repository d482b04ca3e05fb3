"""Feeds (fingerprint, then build only when needed) and private feed tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Awaitable, Callable

from piccolo.engine import engine_finder
from piccolo.query.functions.aggregate import Count, Max

from src.accounts.permissions import Principal, private_feed_kinds
from src.calendars import sources
from src.calendars.constants import FEED_KINDS, FEED_READER, FEED_SCHOOL, FEED_STAFF, TOKEN_BYTES
from src.calendars.ical import FeedItem, FeedMeta, build_calendar
from src.calendars.sources import EPOCH, Fingerprint
from src.calendars.tables import FeedToken
from src.config import get_settings
from src.db import write_transaction
from src.exceptions import NotFound
from src.i18n import _, reset_language, set_language
from src.rooms import service as rooms_service
from src.rooms.service import BranchInfo
from src.rooms.tables import Closure
from src.timeutil import aware, now_utc, today_in


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed ready to answer: its fingerprint now, and how to build it when the client does not have it."""

    fingerprint: Fingerprint
    build: Callable[[], Awaitable[bytes]]
    filename: str
    private: bool = False


def _latest(*values: datetime | str | None) -> datetime:
    """The newest of some instants (an aggregate comes back as text from SQLite)."""
    return max([aware(datetime.fromisoformat(v) if isinstance(v, str) else v) for v in values if v is not None] or [EPOCH])


def _in_language(language: str, work: Callable[[], Awaitable[bytes]]) -> Callable[[], Awaitable[bytes]]:
    async def run() -> bytes:
        token = set_language(language)
        try:
            return await work()
        finally:
            reset_language(token)

    return run


async def _closure_stats(branch_ids: list[int], since: date, zone_id: int | None = None) -> tuple[int, datetime | None]:
    if not branch_ids:
        return 0, None
    query = Closure.select(Count(alias="n"), Max(Closure.created_at, alias="latest")).where(
        Closure.branch.is_in(branch_ids) & (Closure.ends_on >= since)
    )
    if zone_id is None:
        query = query.where(Closure.zone.is_null())
    else:
        query = query.where(Closure.zone.is_null() | (Closure.zone == zone_id))
    row = (await query)[0]
    return row["n"], row["latest"]


# ---- public feeds -------------------------------------------------------------------------------------


async def branch_feed(slug: str, language: str) -> Feed:
    """One branch: its events (when the events issue lands) and its closures, shown as free time."""
    branch = await rooms_service.get_branch(slug)
    since = sources.feed_since(today_in(branch.timezone))
    count, latest = await _closure_stats([branch.id], since)
    fingerprint = Fingerprint(
        parts=("branch", branch.id, language, get_settings().base_url, since, await sources.closures_fingerprint(), count),
        last_modified=_latest(latest),
    )

    async def build() -> bytes:
        items = [sources.closure_item(row, branch, busy=False) for row in await sources.closure_rows([branch.id], since)]
        meta = FeedMeta(
            name=_("%(branch)s: events", branch=branch.short_name),
            description=_("Events and closures of %(branch)s, %(address)s", branch=branch.name, address=branch.address),
            url=sources.page_url(f"/branches/{branch.slug}"),
            tz=branch.timezone,
            language=language,
        )
        return build_calendar(meta, items)

    return Feed(fingerprint, _in_language(language, build), filename=f"{branch.slug}.ics")


async def _zone(zone_id: int) -> tuple[BranchInfo, str]:
    for branch in await rooms_service.list_branches():
        for zone in branch.zones:
            if zone.id == zone_id:
                return branch, zone.name
    raise NotFound(_("There is no such zone"))


async def zone_feed(zone_id: int, language: str) -> Feed:
    """One zone's occupancy: busy blocks only, no personal data (closures now; bookings with the rooms issue)."""
    branch, zone_name = await _zone(zone_id)
    since = sources.feed_since(today_in(branch.timezone))
    count, latest = await _closure_stats([branch.id], since, zone_id)
    fingerprint = Fingerprint(
        parts=("zone", zone_id, language, get_settings().base_url, since, await sources.closures_fingerprint(), count),
        last_modified=_latest(latest),
    )

    async def build() -> bytes:
        items = [sources.closure_item(row, branch, busy=True) for row in await sources.closure_rows([branch.id], since, zone_id)]
        meta = FeedMeta(
            name=_("%(zone)s, %(branch)s: occupancy", zone=zone_name, branch=branch.short_name),
            description=_("When %(zone)s in %(branch)s is taken or closed", zone=zone_name, branch=branch.name),
            url=sources.page_url(f"/branches/{branch.slug}#zone-{zone_id}"),
            tz=branch.timezone,
            language=language,
        )
        return build_calendar(meta, items)

    return Feed(fingerprint, _in_language(language, build), filename=f"zone-{zone_id}.ics")


# ---- private feeds ------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


async def my_tokens(principal: Principal) -> list[dict]:
    """The caller's active feed tokens, one per kind, created on first use."""
    wanted = private_feed_kinds(principal)
    async with write_transaction(engine_finder()):
        rows = await FeedToken.select().where((FeedToken.account == principal.id) & FeedToken.revoked_at.is_null()).order_by(FeedToken.id)
        have = {row["kind"] for row in rows}
        missing = [kind for kind in wanted if kind not in have]
        if missing:
            now = now_utc()
            await FeedToken.insert(*[FeedToken(account=principal.id, kind=kind, token=new_token(), created_at=now) for kind in missing])
            rows = await FeedToken.select().where((FeedToken.account == principal.id) & FeedToken.revoked_at.is_null()).order_by(FeedToken.id)
    return [row for row in rows if row["kind"] in wanted]


async def regenerate(principal: Principal, kind: str | None = None) -> list[dict]:
    """Revoke the caller's tokens (of one kind, or all) and issue new ones; the old URLs answer 404 from now on."""
    async with write_transaction(engine_finder()):
        query = FeedToken.update({FeedToken.revoked_at: now_utc()}).where((FeedToken.account == principal.id) & FeedToken.revoked_at.is_null())
        if kind is not None:
            query = query.where(FeedToken.kind == kind)
        await query
    return await my_tokens(principal)


async def _token_owner(token: str) -> tuple[dict, Principal]:
    from src.accounts import service as accounts_service

    row = None
    if 20 <= len(token) <= 64:
        row = await FeedToken.select().where((FeedToken.token == token) & FeedToken.revoked_at.is_null()).first()
    principal = await accounts_service.load_principal(row["account"]) if row else None
    if row is None or principal is None or row["kind"] not in FEED_KINDS:
        raise NotFound(_("There is no such calendar. Its address may have been replaced by a new one."))
    return row, principal


async def private_feed(token: str, language: str) -> Feed:
    """A private feed: a staff member's branch schedule now; sign-ups, consultations and visits as they land."""
    row, principal = await _token_owner(token)
    language = language or principal.language or get_settings().language
    branches = await rooms_service.list_branches()
    mine = [branch for branch in branches if row["kind"] == FEED_STAFF and (principal.is_admin or branch.id in principal.branch_ids)]
    today = today_in(get_settings().tz)
    since = sources.feed_since(today)
    count, latest = await _closure_stats([branch.id for branch in mine], since)
    fingerprint = Fingerprint(
        parts=("private", row["id"], language, get_settings().base_url, since, await sources.closures_fingerprint(), count),
        last_modified=_latest(latest, row["created_at"]),
    )

    async def build() -> bytes:
        by_id = {branch.id: branch for branch in mine}
        items: list[FeedItem] = []
        if mine:
            items += [sources.closure_item(r, by_id[r["branch"]], busy=False) for r in await sources.closure_rows(list(by_id), since)]
        names = {
            FEED_READER: _("My library plans"),
            FEED_SCHOOL: _("School visits to the library"),
            FEED_STAFF: _("My branches' schedule"),
        }
        meta = FeedMeta(name=names[row["kind"]], tz=get_settings().timezone, language=language, url=sources.page_url("/"))
        return build_calendar(meta, items)

    return Feed(fingerprint, _in_language(language, build), filename="libspace.ics", private=True)
