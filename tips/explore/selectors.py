"""The catalogue (/explore/): things and creators, filtered, sorted, searched, paginated.

A page costs at most three queries whatever the catalogue's size (bench/explore_bench.py):
the count of matches, the page itself (ordered in the database), and the counts of the
page's rows. Search is the one full-text search of ``tips.things.search``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from flattr_clone.months import month_of
from tips.clicks.models import Click
from tips.things.models import Category, Thing
from tips.things.search import public_things, query_words, search_things


class Sort:
    POPULAR_MONTH = "popular"
    POPULAR_ALL_TIME = "alltime"
    NEW = "new"
    TRENDING = "trending"
    RELEVANCE = "relevance"


SORTS = (Sort.POPULAR_MONTH, Sort.POPULAR_ALL_TIME, Sort.NEW, Sort.TRENDING)
TRENDING_WEEK_DAYS = 7
TRENDING_MONTH_DAYS = 30
_LANGUAGE_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$")


@dataclass(frozen=True)
class Filters:
    query: str = ""
    category: str = ""
    language: str = ""
    tag: str = ""
    sort: str = ""

    @classmethod
    def from_params(cls, params) -> Filters:
        """Filters from a query string; anything unknown is ignored, never an error."""
        category = params.get("category", "")
        language = params.get("language", "").strip()
        sort = params.get("sort", "")
        query = " ".join(params.get("q", "").split())[:200]
        if sort not in (*SORTS, Sort.RELEVANCE):
            sort = Sort.RELEVANCE if query_words(query) else Sort.POPULAR_MONTH
        if sort == Sort.RELEVANCE and not query_words(query):
            sort = Sort.POPULAR_MONTH
        return cls(
            query=query,
            category=category if category in Category.values else "",
            language=language.lower() if _LANGUAGE_RE.match(language) else "",
            tag=" ".join(params.get("tag", "").replace(",", " ").split())[:50],
            sort=sort,
        )


def _language_q(prefix: str, language: str) -> Q:
    """``fr`` matches fr, fr-FR, fr-CA; ``fr-ca`` only itself."""
    return Q(**{f"{prefix}language__iexact": language}) | Q(
        **{f"{prefix}language__istartswith": f"{language}-"}
    )


def _tag_q(prefix: str, tag: str) -> Q:
    # Tags are stored comma-separated (", " between them, see tips.things.services).
    return Q(**{f"{prefix}tags__iregex": rf"(^|,)\s*{re.escape(tag)}\s*(,|$)"})


def _filter_things(things: QuerySet, filters: Filters, prefix: str = "") -> QuerySet:
    if filters.category:
        things = things.filter(**{f"{prefix}category": filters.category})
    if filters.language:
        things = things.filter(_language_q(prefix, filters.language))
    if filters.tag:
        things = things.filter(_tag_q(prefix, filters.tag))
    return things


def _windows(now: dt.datetime) -> tuple[dt.date, dt.datetime, dt.datetime]:
    return (
        month_of(now),
        now - dt.timedelta(days=TRENDING_WEEK_DAYS),
        now - dt.timedelta(days=TRENDING_MONTH_DAYS),
    )


def explore_things(filters: Filters) -> QuerySet:
    """Public things (not the creators' profile things) matching ``filters``, in order."""
    things = Thing.objects.filter(is_profile=False)
    things = public_things() & things
    if query_words(filters.query):
        things = search_things(filters.query, things=things)
    things = _filter_things(things, filters).select_related("owner")
    month, week_ago, month_ago = _windows(timezone.now())
    active = Q(clicks__revoked_at__isnull=True)
    if filters.sort == Sort.NEW:
        return things.order_by("-created_at", "-id")
    if filters.sort == Sort.POPULAR_ALL_TIME:
        return things.annotate(score=Count("clicks", filter=active)).order_by(
            "-score", "-created_at", "-id"
        )
    if filters.sort == Sort.TRENDING:
        # This week's pace against the last 30 days': 30 x week − 7 x month is above zero
        # when the thing gets more clicks a day this week than over the month.
        return (
            things.annotate(
                week=Count("clicks", filter=active & Q(clicks__created_at__gte=week_ago)),
                month30=Count("clicks", filter=active & Q(clicks__created_at__gte=month_ago)),
            )
            .annotate(score=F("week") * TRENDING_MONTH_DAYS - F("month30") * TRENDING_WEEK_DAYS)
            .filter(week__gt=0)
            .order_by("-score", "-week", "-created_at", "-id")
        )
    if filters.sort == Sort.RELEVANCE:
        return things  # search_things' order
    return things.annotate(score=Count("clicks", filter=active & Q(clicks__month=month))).order_by(
        "-score", "-created_at", "-id"
    )


def thing_counts(things: list[Thing]) -> dict[int, tuple[int, int]]:
    """``{thing id: (this month, all time)}`` for a page of things, in one query."""
    if not things:
        return {}
    month = month_of()
    rows = (
        Click.objects.filter(thing_id__in=[t.pk for t in things], revoked_at__isnull=True)
        .values("thing_id")
        .annotate(total=Count("id"), this_month=Count("id", filter=Q(month=month)))
    )
    return {row["thing_id"]: (row["this_month"], row["total"]) for row in rows}


def explore_creators(filters: Filters) -> QuerySet:
    """Active, unsuspended creators with at least one public thing matching the filters."""
    matching = _filter_things(
        public_things().filter(is_profile=False, owner=OuterRef("pk")), filters
    )
    creators = get_user_model().objects.filter(
        Exists(matching), is_active=True, suspended_at__isnull=True
    )
    for word in query_words(filters.query):
        creators = creators.filter(
            Q(handle__icontains=word) | Q(display_name__icontains=word) | Q(bio__icontains=word)
        )
    month, week_ago, month_ago = _windows(timezone.now())
    active = Q(clicks_received__revoked_at__isnull=True)
    if filters.sort == Sort.NEW:
        return creators.order_by("-date_joined", "-id")
    if filters.sort == Sort.POPULAR_ALL_TIME:
        score = Count("clicks_received", filter=active)
    elif filters.sort == Sort.TRENDING:
        creators = creators.annotate(
            week=Count(
                "clicks_received", filter=active & Q(clicks_received__created_at__gte=week_ago)
            ),
            month30=Count(
                "clicks_received", filter=active & Q(clicks_received__created_at__gte=month_ago)
            ),
        ).filter(week__gt=0)
        return creators.annotate(
            score=F("week") * TRENDING_MONTH_DAYS - F("month30") * TRENDING_WEEK_DAYS
        ).order_by("-score", "-week", "-id")
    else:
        score = Count("clicks_received", filter=active & Q(clicks_received__month=month))
    return creators.annotate(score=score).order_by("-score", "-date_joined", "-id")


def creator_thing_counts(creators: list) -> dict[int, int]:
    """``{creator id: public things}`` for a page of creators, in one query."""
    if not creators:
        return {}
    return dict(
        public_things()
        .filter(owner_id__in=[c.pk for c in creators], is_profile=False)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
