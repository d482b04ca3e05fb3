"""Litestar guards: small functions of (connection, handler) that raise. The rules are in permissions.py."""

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from src.exceptions import Forbidden, NotAuthenticated
from src.i18n import _


def requires_login(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    if connection.user is None:
        raise NotAuthenticated(_("Please log in"))


def requires_staff(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    requires_login(connection, handler)
    if not connection.user.is_staff:
        raise Forbidden(_("This is for library staff"))


def requires_reader(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    requires_login(connection, handler)
    if not connection.user.is_reader:
        raise Forbidden(_("This is for readers with a library card"))


def requires_admin(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    requires_login(connection, handler)
    if not connection.user.is_admin:
        raise Forbidden(_("This is for administrators"))


def requires_counsellor(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Career counsellors (and admins, who may act for them)."""
    requires_login(connection, handler)
    if not (connection.user.is_counsellor or connection.user.is_admin):
        raise Forbidden(_("This is for career counsellors"))
