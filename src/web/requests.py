"""The request class of the app: a JSON body nested too deeply is the client's error (422), not a crash."""

from __future__ import annotations

from typing import Any

from litestar import Request

from src.exceptions import Invalid
from src.i18n import _


class BoundedRequest(Request):
    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            # msgspec stops at the interpreter's recursion limit; nothing this API takes is nested that deep
            raise Invalid.one("body", _("The request body is nested too deeply")) from None
