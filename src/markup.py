"""Markdown written by staff, rendered to HTML that is safe to show: markdown-it (raw HTML off) then nh3."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table").enable("strikethrough")

TAGS = {"p", "br", "strong", "em", "del", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td"}


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> Markup:
    html = _md.render(text or "")
    # headings shift down one level: the page's own title is the only h1
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="nofollow noopener noreferrer",
    )
    return Markup(clean)

