"""Feeds for calendar clients (``/feeds/…``), and the caller's private feed addresses (``/api/v1/me/feeds``).

A path parameter followed by ``.ics`` in one segment does not match in Litestar, so each feed takes the whole
segment and strips the suffix. Every feed answers GET and HEAD, with 304 for a client that has it.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, post, route
from litestar.enums import HttpMethod
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from src import bounds
from src.calendars import http
from src.calendars import service as calendars_service
from src.calendars.constants import FEED_KINDS, PRIVATE_CACHE_CONTROL, PUBLIC_CACHE_CONTROL
from src.calendars.schemas import PrivateFeedsOut, RegenerateIn, private_feed_out
from src.config import LANGUAGES, get_settings
from src.events.controllers import AgeQuery, TextQuery, catalogue_filters
from src.exceptions import Invalid, NotFound
from src.i18n import _
from src.web.guards import requires_login

FEED_METHODS = [HttpMethod.GET, HttpMethod.HEAD]
Language = Annotated[str, QueryParameter(max_length=8, pattern=bounds.ONE_LINE_PATTERN, description="ru or en; the feed's language (default: the site's)")]
Download = Annotated[bool, QueryParameter(description="Answer as a file to save rather than to subscribe to")]


def strip_ics(segment: str) -> str:
    if not segment.endswith(".ics") or len(segment) == 4:
        raise NotFound(_("Calendar feeds end in .ics"))
    return segment[:-4]


def _language(lang: str) -> str:

    return lang if lang in LANGUAGES else get_settings().language


async def _answer(request: Request, feed: calendars_service.Feed, download: bool) -> Response:
    current = http.validators(feed.fingerprint.parts, feed.fingerprint.last_modified)
    cache_control = PRIVATE_CACHE_CONTROL if feed.private else PUBLIC_CACHE_CONTROL
    return await http.calendar_response(request, current, feed.build, cache_control, feed.filename, download)


class FeedController(Controller):
    """iCalendar feeds for calendar clients (see docs/calendars.md); listed in the OpenAPI document too."""

    path = "/feeds"
    tags = ["feeds"]
    include_in_schema = True

    @route("/events.ics", http_method=FEED_METHODS, summary="Every branch's events, with the catalogue's filters (iCalendar)")
    async def events(
        self,
        request: Request,
        branch: FromQuery[bounds.Line] = "",
        category: FromQuery[bounds.Line] = "",
        age: AgeQuery = None,
        start: FromQuery[bounds.FilterMoment] = None,
        end: FromQuery[bounds.FilterMoment] = None,
        free_only: FromQuery[bool] = False,
        q: TextQuery = "",
        profession_type: FromQuery[bounds.Line] = "",
        lang: FromQuery[Language] = "",
        download: FromQuery[Download] = False,
    ) -> Response:
        tz = get_settings().tz
        filters = catalogue_filters(branch, category, age, bounds.filter_day(start, tz, "start"), bounds.filter_day(end, tz, "end"), free_only, q, profession_type)
        return await _answer(request, await calendars_service.events_feed(filters, _language(lang)), download)

    @route("/events/{name:str}", http_method=FEED_METHODS, summary="One event (iCalendar): download it, or subscribe to follow its changes")
    async def event(self, request: Request, name: FromPath[bounds.Line], lang: FromQuery[Language] = "", download: FromQuery[Download] = False) -> Response:
        ident = strip_ics(name)
        if not ident.isdigit():
            raise NotFound(_("There is no such event"))
        return await _answer(request, await calendars_service.event_feed(int(ident), _language(lang)), download)

    @route("/branches/{name:str}", http_method=FEED_METHODS, summary="A branch's events and closures (iCalendar)")
    async def branch(self, request: Request, name: FromPath[bounds.Line], lang: FromQuery[Language] = "", download: FromQuery[Download] = False) -> Response:
        return await _answer(request, await calendars_service.branch_feed(strip_ics(name), _language(lang)), download)

    @route("/zones/{name:str}", http_method=FEED_METHODS, summary="A zone's occupancy: busy blocks, no personal data (iCalendar)")
    async def zone(self, request: Request, name: FromPath[bounds.Line], lang: FromQuery[Language] = "", download: FromQuery[Download] = False) -> Response:
        ident = strip_ics(name)
        if not ident.isdigit():
            raise NotFound(_("There is no such zone"))
        return await _answer(request, await calendars_service.zone_feed(int(ident), _language(lang)), download)

    @route("/private/{name:str}", http_method=FEED_METHODS, summary="A private feed behind its owner's secret token (iCalendar)")
    async def private(self, request: Request, name: FromPath[bounds.Line], lang: FromQuery[Language] = "", download: FromQuery[Download] = False) -> Response:
        return await _answer(request, await calendars_service.private_feed(strip_ics(name), lang if lang in LANGUAGES else ""), download)


class MyFeedsApi(Controller):
    path = "/api/v1/me/feeds"
    tags = ["me"]
    guards = [requires_login]

    @get("/", summary="The caller's private calendar feeds (subscribe, webcal:// and Google Calendar links)")
    async def list_feeds(self, request: Request) -> PrivateFeedsOut:
        return PrivateFeedsOut(feeds=[private_feed_out(row) for row in await calendars_service.my_tokens(request.user)])

    @post("/regenerate", summary="Replace the caller's private feed addresses; the old ones stop working", status_code=200)
    async def regenerate(self, request: Request, data: JSONBody[RegenerateIn | None] = None) -> PrivateFeedsOut:
        kind = data.kind if data is not None else None
        if kind is not None and kind not in FEED_KINDS:
            raise Invalid.one("kind", _("Unknown kind of calendar feed"))
        rows = await calendars_service.regenerate(request.user, kind)
        return PrivateFeedsOut(feeds=[private_feed_out(row) for row in rows])
