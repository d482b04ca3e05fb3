"""Litestar guards: small functions of (connection, handler) that raise. The rules are in permissions.py.

They are coroutines: Litestar runs a plain function guard in a worker thread (``sync_to_thread``), a hand-off
that cost more than the rest of a small guarded read (issue 17)."""

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from src.exceptions import Forbidden, NotAuthenticated
from src.i18n import _


def _logged_in(connection: ASGIConnection) -> None:
    if connection.user is None:
        raise NotAuthenticated(_("Please log in"))


async def requires_login(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    _logged_in(connection)


async def requires_staff(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    _logged_in(connection)
    if not connection.user.is_staff:
        raise Forbidden(_("This is for library staff"))


async def requires_reader(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    _logged_in(connection)
    if not connection.user.is_reader:
        raise Forbidden(_("This is for readers with a library card"))


async def requires_admin(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    _logged_in(connection)
    if not connection.user.is_admin:
        raise Forbidden(_("This is for administrators"))


async def requires_counsellor(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """Career counsellors (and admins, who may act for them)."""
    _logged_in(connection)
    if not (connection.user.is_counsellor or connection.user.is_admin):
        raise Forbidden(_("This is for career counsellors"))
