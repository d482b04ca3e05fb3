"""Pages of the frame itself: the accessibility statement, the switch of the version for the visually impaired,
the web app manifest and the favicon."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter
from litestar.response import File, Redirect, Template

from src.config import STATIC_DIR, get_settings
from src.i18n import _, current_language
from src.web.forms import NextQuery, safe_next
from src.web.templating import page
from src.web.vision import Vision, vision_cookie

Choice = Annotated[str, QueryParameter(required=False, max_length=16)]
ICON_SIZES = (192, 512)


class SitePages(Controller):
    include_in_schema = False

    @get("/accessibility")
    async def statement(self, request: Request) -> Template:
        return page(request, "site/accessibility.html")

    @get("/accessibility/settings")
    async def vision_settings(
        self,
        request: Request,
        on: Choice = "",
        off: Choice = "",
        font: Choice = "",
        scheme: Choice = "",
        images: Choice = "",
        spacing: Choice = "",
        layout: Choice = "",
        next_: NextQuery = "/",
    ) -> Redirect:
        """A link (no form, no JavaScript): switch the version on or off, or change one of its settings."""
        current = request.scope.get("vision") or Vision()
        if off:
            chosen = Vision()
        else:
            chosen = current.changed({"font": font, "scheme": scheme, "images": images, "spacing": spacing, "layout": layout})
        if chosen.on:
            request.session["vision_open"] = True  # the next page shows the settings unfolded
        response = Redirect(path=safe_next(next_), status_code=303)
        response.set_cookie(vision_cookie(chosen, get_settings().secure_cookies))
        return response

    @get("/manifest.webmanifest", cache_control=None)
    async def manifest(self) -> Response[dict]:
        # "any" and "maskable" apart (browsers advise against "any maskable"): a maskable icon is cropped to the
        # launcher's shape, so its art keeps a safe zone; shown as it is, that padding looks too small.
        icons = [{"src": f"/static/icons/icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"} for size in ICON_SIZES]
        icons.append({"src": "/static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"})
        icons += [{"src": f"/static/icons/maskable-{size}.png", "sizes": f"{size}x{size}", "type": "image/png", "purpose": "maskable"} for size in ICON_SIZES]
        body = {
            "name": _("Library space of Blagoveshchensk"),
            "short_name": _("Libraries"),
            "description": _("Events, zones, career guidance and school visits in the city libraries"),
            "lang": current_language(),
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#fafaf7",
            "theme_color": "#0b5cab",
            "icons": icons,
        }
        return Response(content=body, media_type="application/manifest+json")

    @get("/favicon.ico", cache_control=None)
    async def favicon(self) -> File:
        return File(path=STATIC_DIR / "favicon.ico", media_type="image/vnd.microsoft.icon", content_disposition_type="inline")

