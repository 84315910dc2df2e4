"""Full-text search of things, for the API (``/rest/v2/things/search``) and /explore/.

On PostgreSQL: a weighted ``tsvector`` over title (A), tags (B) and description (C) with the
``simple`` configuration (no stemming: the same for every language a creator writes in),
served by the GIN index ``tips_thing_search`` (migration tips/0006_api_v2), every word of the
query a prefix (``podc`` finds "podcast"), ranked by ``ts_rank``. On SQLite (the embedded
default): every word must appear in the title, tags or description (case-insensitive), ranked
title hits first, then tags, then description.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from tips.things.models import Thing

# The index's expression, column for column (PostgreSQL only uses the index for the same one).
SEARCH_DOCUMENT_SQL = (
    "(setweight(to_tsvector('simple'::regconfig, COALESCE({t}title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, COALESCE({t}tags, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, COALESCE({t}description, '')), 'C'))"
)
SEARCH_INDEX_NAME = "tips_thing_search"
MAX_QUERY_WORDS = 10

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def query_words(query: str) -> list[str]:
    """The words of a search box's text, lower-cased, at most ``MAX_QUERY_WORDS``."""
    words: list[str] = []
    for word in _WORD_RE.findall(query.lower()):
        if word not in words:
            words.append(word[:50])
    return words[:MAX_QUERY_WORDS]


def public_things() -> QuerySet:
    """Things any listing may show: not hidden, not retired, accepted by their creator (not
    awaiting them after a reader's click on an auto-submit link), their creator active."""
    return Thing.objects.filter(
        hidden=False,
        retired=False,
        awaiting_owner=False,
        owner__is_active=True,
        owner__suspended_at__isnull=True,
    )


def search_things(query: str, *, things: QuerySet | None = None) -> QuerySet:
    """``things`` (default: ``public_things()``) matching every word of ``query``, best first.

    Each result has a ``search_rank`` (float, higher is better). An empty query (no words)
    matches nothing. The result is a queryset: filter, annotate, slice or count it further;
    ``order_by()`` replaces the ranking.
    """
    things = public_things() if things is None else things
    words = query_words(query)
    if not words:
        return things.none()
    if connection.vendor == "postgresql":
        return _search_postgresql(things, words)
    return _search_fallback(things, words)


def _search_postgresql(things: QuerySet, words: list[str]) -> QuerySet:
    document = SEARCH_DOCUMENT_SQL.format(t='"tips_thing".')
    # Each word is \w+ only, so quoting it as a tsquery lexeme is safe; ":*" makes it a prefix.
    tsquery = " & ".join(f"'{word}':*" for word in words)
    match = RawSQL(  # noqa: S611 (no user text in the SQL: the words go as a parameter)
        f"{document} @@ to_tsquery('simple'::regconfig, %s)", [tsquery], BooleanField()
    )
    rank = RawSQL(  # noqa: S611
        f"ts_rank({document}, to_tsquery('simple'::regconfig, %s))", [tsquery], FloatField()
    )
    return (
        things.annotate(search_match=match, search_rank=rank)
        .filter(search_match=True)
        .order_by("-search_rank", "-created_at", "-id")
    )


def _search_fallback(things: QuerySet, words: list[str]) -> QuerySet:
    score = Value(0, output_field=IntegerField())
    for word in words:
        things = things.filter(
            Q(title__icontains=word) | Q(tags__icontains=word) | Q(description__icontains=word)
        )
        score = (
            score
            + Case(When(title__icontains=word, then=3), default=0, output_field=IntegerField())
            + Case(When(tags__icontains=word, then=2), default=0, output_field=IntegerField())
            + Case(
                When(description__icontains=word, then=1), default=0, output_field=IntegerField()
            )
        )
    return things.annotate(
        search_rank=score * Value(1.0, output_field=FloatField()),
    ).order_by(F("search_rank").desc(), "-created_at", "-id")
