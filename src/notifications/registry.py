"""Message kinds a domain describes itself: the lead of the e-mail, and a link resolved as it is written.

    registry.register("account.password_reset", lead=lambda payload: _("…"), link=resolve_token_link,
                      gone=N_("This link is no longer valid: …"))

``lead`` is called in the recipient's language. ``link`` (async, optional) turns the payload into a path at
sending time (a one-time token is signed again then, never stored in the outbox); None means the link cannot
be used any more, and ``gone`` is said instead. This module imports nothing of libspace: domains fill it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable


@dataclass(frozen=True, slots=True)
class Kind:
    lead: Callable[[dict[str, Any]], str]
    link: Callable[[dict[str, Any]], Awaitable[str | None]] | None = None
    gone: str = ""  # message id, translated when the message is written


KINDS: dict[str, Kind] = {}


def register(
    kind: str,
    lead: Callable[[dict[str, Any]], str],
    link: Callable[[dict[str, Any]], Awaitable[str | None]] | None = None,
    gone: str = "",
) -> None:
    KINDS[kind] = Kind(lead=lead, link=link, gone=gone)
