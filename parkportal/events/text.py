"""An event's description: Markdown written by staff, shown as sanitised HTML.

markdown-it-py turns the text into HTML (raw HTML in the source is escaped, not passed through), and nh3 keeps
only the tags and attributes a description needs, so no script, style or event handler can reach the page.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code", "pre", "hr", "table",
        "thead", "tbody", "tr", "th", "td"}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}


@cache
def _parser() -> MarkdownIt:
    """CommonMark with tables; HTML in the source is escaped; links get only safe schemes."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(source: str) -> Markup:
    """The Markdown ``source`` as HTML that is safe to put on a page."""
    html = _parser().render(source or "")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def plain(source: str, length: int = 120) -> str:
    """A one-line plain-text preview of the description."""
    text = nh3.clean(_parser().render(source or ""), tags=set())
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"
