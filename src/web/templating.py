"""The Jinja environment: gettext from the request's language, Babel formatting, shared context."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel import Locale
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from markupsafe import Markup

from src import cache
from src.config import LANGUAGES, TEMPLATES_DIR, get_settings
from src.exceptions import FieldError
from src.labels import label
from src.i18n import current_language, nest_quotes, fmt_ahead, fmt_date, fmt_datetime, fmt_day, fmt_day_time, fmt_duration, fmt_time, translations, weekday_name
from src.timeutil import local
from src.web.forms import take_kept
from src.web.vision import Vision


def _gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


# What Jinja's new-style gettext does (escape-aware ``%`` formatting of the translation), plus «…„…“…» where a
# quoted title lands inside a message's quotes, in one call: Jinja's own chain (``_`` -> ``gettext`` -> the
# callable, each through ``Context.call``) wrapped in ours was a quarter of rendering a page of cards (issue 17).
@pass_context
def _template_gettext(context, message: str, **variables: Any) -> str:
    if not variables:  # most of a page's messages: the same text every time for a language, kept finished
        key = (current_language(), message, context.eval_ctx.autoescape)
        found = _finished.get(key)
        if found is None:
            if len(_finished) >= FINISHED_KEPT:
                _finished.clear()
            found = _finished[key] = _translated(key[0], message, key[2], variables)
        return found
    return _translated(current_language(), message, context.eval_ctx.autoescape, variables)


def _translated(language: str, message: str, autoescape: bool, variables: dict[str, Any]) -> str:
    text = translations(language).gettext(message)
    if autoescape:
        text = Markup(text)
    return nest_quotes(text % variables)


FINISHED_KEPT = 10_000  # the templates' messages without variables, per language: a few hundred
_finished: dict[tuple[str, str, bool], str] = {}


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    text = translations(current_language()).ngettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return nest_quotes(text % variables)


_fragments = cache.Derived(size=256)


@pass_context
def _each(context, name: str, variable: str, items: list) -> Markup:
    """``{% for item in items %}{% include name %}{% endfor %}`` for a partial that needs only its item and the
    language (an event's card), its output kept while ``items`` is the very same list: lists from a per-process
    cache of rows (the catalogue's, a moment long) render once per language, not on every request of every
    logged-in person."""

    def render() -> Markup:
        template = context.environment.get_template(name)
        return Markup("".join(template.render({variable: item}) for item in items))

    return _fragments.get(items, render, name, current_language())


def _local_dt(value: datetime, tz: str | None = None, fmt: str | None = None) -> str:
    """A moment in the given zone: in the one prose style ("9 декабря, среда, 18:00") unless a numeric format is asked."""
    if fmt is None:
        return _day_time(value, tz)
    return fmt_datetime(local(value, tz or get_settings().timezone), fmt)


def _zone(tz: str | ZoneInfo | None) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz or get_settings().timezone)


def _day(value: date | datetime | None, tz: str | ZoneInfo | None = None) -> str:
    """The one date style in prose: "9 декабря, среда" (datetimes in the given zone, else the city's)."""
    if value is None:
        return ""
    return fmt_day(value, _zone(tz) if isinstance(value, datetime) else None)


def _day_time(value: datetime | None, tz: str | ZoneInfo | None = None) -> str:
    """"9 декабря, среда, 18:00"."""
    return fmt_day_time(value, _zone(tz)) if value is not None else ""


@pass_context
def _current(context, href: str, exact: bool = False) -> Markup:
    """``aria-current="page"`` on the link to the page being shown (or to a section it belongs to)."""
    path = str(context.get("path", "")).split("?", 1)[0]
    hit = path == href or (not exact and path.startswith(href.rstrip("/") + "/"))
    return Markup(' aria-current="page"') if hit else Markup("")


@lru_cache(maxsize=16)  # a handful of languages; Babel builds the name from its locale data on each call
def _language_name(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=get_settings().debug,  # else every include of every request looks at its file's mtime
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(gettext=_template_gettext, ngettext=_template_ngettext, _=_template_gettext)
    env.filters.update(
        date=lambda value, fmt="long": fmt_date(value, fmt) if isinstance(value, date) else "",
        datetime=_local_dt,
        time=lambda value, fmt="HH:mm": fmt_time(value, fmt),
        weekday=weekday_name,
        day=_day,
        daytime=_day_time,
        ahead=fmt_ahead,
        hours_ahead=lambda hours: fmt_ahead(timedelta(hours=int(hours))),  # 168 -> "за неделю"
        duration=fmt_duration,
        urlquote=lambda value: quote(str(value), safe=""),
        nest_quotes=nest_quotes,  # «…„…“…» in text put together outside gettext (a confirmation's subject)
    )
    from src.calendars.links import booking_links, event_links, subscription_links, visit_links, consultation_links

    env.globals.update(each=_each, languages=LANGUAGES, current_language=current_language, label=label, current=_current, language_name=_language_name, event_calendar_links=event_links,
                       booking_calendar_links=booking_links, feed_calendar_links=subscription_links, visit_calendar_links=visit_links, consultation_calendar_links=consultation_links)
    return env


def template_engine() -> JinjaTemplateEngine:
    return JinjaTemplateEngine.from_environment(build_environment())


def page_context(request: Request, **context: Any) -> dict[str, Any]:
    """What every page needs: the viewer, the language, the path for the language switch, a flash message,
    the settings of the version for the visually impaired, and a form sent back with its errors (the error
    pattern: :func:`src.web.forms.back_with_errors`), which fills ``values``, ``errors`` and ``error_list``."""
    result = {
        "viewer": request.scope.get("user"),
        "lang": current_language(),
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "flash": request.session.pop("flash", None) if "session" in request.scope else None,
        "vision": request.scope.get("vision") or Vision(),
        "vision_open": bool(request.session.pop("vision_open", None)) if "session" in request.scope else False,
        **context,
    }
    kept = take_kept(request)
    if kept is not None:
        values, errors, extra = kept
        result.update(extra)
        result["values"] = {**(result.get("values") or {}), **values}
        result["errors"] = errors_by_field(errors)
        result["error_list"] = errors
    return result


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Template:
    """Render a page (see :func:`page_context`)."""
    return Template(template_name=name, context=page_context(request, **context), status_code=status_code)


def render_html(request: Request, name: str, **context: Any) -> str:
    """A page rendered to a string, for pages cached whole. Only for pages without forms that need CSRF."""
    template = request.app.template_engine.get_template(name)  # type: ignore[union-attr]
    return template.render(**page_context(request, csrf_input="", **context))


@dataclass
class Confirmation:
    """The confirmation step of a destructive action (the confirmation pattern; see templates/confirm.html).

    The page is the GET of the action's own URL; its form posts to the same URL. ``what_happens`` says in plain
    words what the action will do (who is told, what is freed). ``reason_label`` asks for a reason (staff
    cancellations require one: ``reason_required``), and says who will read it."""

    title: str
    subject: str
    what_happens: list[str]
    confirm_label: str
    back: str
    back_label: str = ""
    reason_label: str = ""
    reason_required: bool = False
    reason_hint: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # hidden fields to carry (next, ...)


def confirm_page(request: Request, confirmation: Confirmation, action: str | None = None) -> Template:
    """Render the confirmation step; errors kept by ``back_with_errors`` appear at its top."""
    return page(request, "confirm.html", confirmation=confirmation, action=action or request.url.path, values={}, errors={})


def flash(request: Request, message: str) -> None:
    request.session["flash"] = message


def errors_by_field(errors: list[FieldError]) -> dict[str, str]:
    result: dict[str, str] = {}
    for error in errors:
        result.setdefault(error.field, error.message)
    return result


def qr_svg(data: str, scale: int = 6) -> Markup:
    import segno

    return Markup(segno.make(data, error="m").svg_inline(scale=scale, dark="#111", light="#fff", omitsize=True, title=data))
