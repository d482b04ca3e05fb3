"""The Jinja environment: gettext from the request's language, Babel formatting, shared context."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from markupsafe import Markup

from src.config import LANGUAGES, TEMPLATES_DIR, get_settings
from src.exceptions import FieldError
from src.labels import label
from src.i18n import current_language, fmt_date, fmt_datetime, fmt_time, translations, weekday_name
from src.timeutil import local


def _gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


def _local_dt(value: datetime, tz: str | None = None, fmt: str = "d MMMM, HH:mm") -> str:
    return fmt_datetime(local(value, tz or get_settings().timezone), fmt)


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        date=lambda value, fmt="long": fmt_date(value, fmt) if isinstance(value, date) else "",
        datetime=_local_dt,
        time=lambda value, fmt="HH:mm": fmt_time(value, fmt),
        weekday=weekday_name,
        urlquote=lambda value: quote(str(value), safe=""),
    )
    from src.calendars.links import booking_links, event_links, subscription_links, visit_links, consultation_links

    env.globals.update(languages=LANGUAGES, current_language=current_language, label=label, event_calendar_links=event_links,
                       booking_calendar_links=booking_links, feed_calendar_links=subscription_links, visit_calendar_links=visit_links, consultation_calendar_links=consultation_links)
    return env


def template_engine() -> JinjaTemplateEngine:
    return JinjaTemplateEngine.from_environment(build_environment())


def page_context(request: Request, **context: Any) -> dict[str, Any]:
    """What every page needs: the viewer, the language, the path for the language switch, a flash message."""
    return {
        "viewer": request.scope.get("user"),
        "lang": current_language(),
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "flash": request.session.pop("flash", None) if "session" in request.scope else None,
        **context,
    }


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Template:
    """Render a page (see :func:`page_context`)."""
    return Template(template_name=name, context=page_context(request, **context), status_code=status_code)


def render_html(request: Request, name: str, **context: Any) -> str:
    """A page rendered to a string, for pages cached whole. Only for pages without forms that need CSRF."""
    template = request.app.template_engine.get_template(name)  # type: ignore[union-attr]
    return template.render(**page_context(request, csrf_input="", **context))


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
