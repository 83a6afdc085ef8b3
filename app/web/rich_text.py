"""A diagram's instructions as a page shows them: Markdown made into HTML, then sanitized.

Whoever deploys a diagram writes its ``instructionsForEndUser``; every agent who opens the task
reads it. So that text is never trusted as HTML: Markdown is parsed with raw HTML turned off
(``<script>`` or ``<img onerror=...>`` in the text comes out as visible text), and what Markdown
makes goes through nh3 (Ammonia) with a short allow-list of tags, no attributes but a link's
``href`` and ``title``, and only http, https, mailto and tel links. The sanitizer is the second
wall: it would hold even if the Markdown parser let something through.
"""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # commonmark with tables and strikethrough; html off; a single newline breaks the line, as the
    # plain-text instructions written so far expect.
    return MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False}).enable(
        ["table", "strikethrough"]
    )


def markdown_to_safe_html(text: str | None) -> Markup:
    """Render Markdown text as sanitized HTML, safe to put into a page.

    >>> markdown_to_safe_html('**Call** the customer <img src=x onerror=alert(1)>')
    Markup('<p><strong>Call</strong> the customer &lt;img src=x onerror=alert(1)&gt;</p>')
    """
    if not text:
        return Markup("")
    html = _markdown().render(text)
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean.strip())


def init_app(app) -> None:
    app.jinja_env.filters["markdown"] = markdown_to_safe_html
