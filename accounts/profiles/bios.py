"""Bios in Markdown, rendered safely: Markdown to HTML, then nh3 keeps only harmless tags.

No script, no style, no event handler, no ``javascript:`` link; every link gets
``rel="nofollow ugc noopener"`` (user-generated content, no ranking passed on).
"""

from __future__ import annotations

import html

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

BIO_MAX_LENGTH = 2000

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


def bio_html(text: str) -> SafeString:
    """The bio as HTML safe to put in any page."""
    if not text.strip():
        return mark_safe("")  # noqa: S308 - empty
    rendered = markdown.markdown(text[:BIO_MAX_LENGTH], output_format="html")
    cleaned = nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def bio_text(text: str, limit: int = 200) -> str:
    """The bio as plain text, for meta descriptions."""
    plain = html.unescape(nh3.clean(markdown.markdown(text[:BIO_MAX_LENGTH]), tags=set()))
    return " ".join(plain.split())[:limit]
