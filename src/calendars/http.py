"""Conditional GET for calendar feeds: ETag, Last-Modified, 304, HEAD, Cache-Control.

Litestar does not answer 304 or HEAD by itself. A feed is identified by a cheap *fingerprint* (the data's
revision or newest change and count, the query, the format version, the day): the ETag is a hash of it, so a
client's ``If-None-Match`` is answered before anything is built, and a built body is kept per fingerprint.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Awaitable, Callable

from litestar import Request, Response

from src.calendars.constants import FEED_FORMAT

MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8" itself
CACHE_ENTRIES = 128


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str
    last_modified: datetime


def validators(fingerprint: tuple, last_modified: datetime) -> Validators:
    """The ETag hashes the fingerprint and the newest change (to the microsecond); Last-Modified is whole seconds."""
    last_modified = last_modified.astimezone(timezone.utc)
    digest = hashlib.sha256(repr((FEED_FORMAT, fingerprint, last_modified.isoformat())).encode()).hexdigest()[:32]
    return Validators(etag=f'"{digest}"', last_modified=last_modified.replace(microsecond=0))


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(timezone.utc), usegmt=True)


def not_modified(if_none_match: str | None, if_modified_since: str | None, current: Validators) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison); otherwise If-Modified-Since."""
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return "*" in tags or any(tag.removeprefix("W/") == current.etag for tag in tags)
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return current.last_modified <= since
    return False


class BodyCache:
    """Built feeds by ETag, least recently used dropped first; per process."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self.entries = entries
        self._bodies: OrderedDict[str, bytes] = OrderedDict()

    def get(self, etag: str) -> bytes | None:
        body = self._bodies.get(etag)
        if body is not None:
            self._bodies.move_to_end(etag)
        return body

    def put(self, etag: str, body: bytes) -> None:
        self._bodies[etag] = body
        self._bodies.move_to_end(etag)
        while len(self._bodies) > self.entries:
            self._bodies.popitem(last=False)

    def clear(self) -> None:
        self._bodies.clear()


bodies = BodyCache()


async def calendar_response(
    request: Request,
    current: Validators,
    build: Callable[[], Awaitable[bytes]],
    cache_control: str,
    filename: str,
    download: bool = False,
) -> Response:
    """200 with the feed (built once per fingerprint), 304 when the client has it, and HEAD without a body."""
    headers = {
        "ETag": current.etag,
        "Last-Modified": http_date(current.last_modified),
        "Cache-Control": cache_control,
    }
    if not_modified(request.headers.get("if-none-match"), request.headers.get("if-modified-since"), current):
        return Response(content=b"", status_code=304, headers=headers, media_type=MEDIA_TYPE)
    body = bodies.get(current.etag)
    if body is None:
        body = await build()
        bodies.put(current.etag, body)
    disposition = "attachment" if download else "inline"
    headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(content=b"", status_code=200, headers=headers, media_type=MEDIA_TYPE)
    return Response(content=body, status_code=200, headers=headers, media_type=MEDIA_TYPE)
