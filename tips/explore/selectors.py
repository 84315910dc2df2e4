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
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from flattr_clone.months import month_of
from tips.clicks.models import Click
from tips.sites.selectors import VERIFIED_STATUSES
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


class Ordered:
    """What the paginator pages: ``count()`` on the filtered rows alone (no click is joined to
    count them), slices read only the ordered ids."""

    ordered = True  # what Paginator checks (an unordered list would page inconsistently)

    def __init__(self, rows: QuerySet, matching: QuerySet):
        self.rows, self.matching = rows, matching

    def count(self) -> int:
        return self.matching.count()

    def __len__(self) -> int:  # pragma: no cover - Paginator uses count()
        return self.count()

    def __getitem__(self, index):
        return list(self.rows.values_list("pk", flat=True)[index])


def _clicks(relation: str, condition: Q) -> FilteredRelation:
    """The relation's active clicks meeting ``condition``, joined on that condition only (a
    LEFT JOIN on this month's clicks, not on every click ever made)."""
    return FilteredRelation(
        relation, condition=Q(**{f"{relation}__revoked_at__isnull": True}) & condition
    )


def explore_things(filters: Filters) -> Ordered:
    """Public things (not the creators' profile things) matching ``filters``, in order."""
    things = public_things().filter(is_profile=False)
    if query_words(filters.query):
        things = search_things(filters.query, things=things)
    things = _filter_things(things, filters)
    if filters.sort == Sort.TRENDING:
        week_ago = _windows(timezone.now())[1]
        recent = Click.objects.filter(
            thing=OuterRef("pk"), revoked_at__isnull=True, created_at__gte=week_ago
        )
        return Ordered(_ordered_things(things, filters), things.filter(Exists(recent)))
    return Ordered(_ordered_things(things, filters), things)


def _ordered_things(things: QuerySet, filters: Filters) -> QuerySet:
    month, week_ago, month_ago = _windows(timezone.now())
    if filters.sort == Sort.NEW:
        return things.order_by("-created_at", "-id")
    if filters.sort == Sort.RELEVANCE:
        return things  # search_things' order
    if filters.sort == Sort.POPULAR_ALL_TIME:
        return things.annotate(counted=_clicks("clicks", Q()), score=Count("counted")).order_by(
            "-score", "-created_at", "-id"
        )
    if filters.sort == Sort.TRENDING:
        # This week's pace against the last 30 days': 30 x week − 7 x month is above zero
        # when the thing gets more clicks a day this week than over the month.
        return (
            things.annotate(
                recent=_clicks("clicks", Q(clicks__created_at__gte=month_ago)),
                month30=Count("recent"),
                week=Count("recent", filter=Q(recent__created_at__gte=week_ago)),
            )
            .annotate(score=F("week") * TRENDING_MONTH_DAYS - F("month30") * TRENDING_WEEK_DAYS)
            .filter(week__gt=0)
            .order_by("-score", "-week", "-created_at", "-id")
        )
    return things.annotate(
        counted=_clicks("clicks", Q(clicks__month=month)), score=Count("counted")
    ).order_by("-score", "-created_at", "-id")


# A thing is marked verified when a verified site of its owner covers its canonical URL
# (tips.sites.selectors.owner_verification), checked here inside the page's one query.
_OWNER_VERIFIED_SQL = """EXISTS (SELECT 1 FROM tips_site s WHERE s.owner_id = tips_thing.owner_id
 AND s.status IN (%s, %s) AND (
  tips_thing.url LIKE 'https://' || s.host
    || CASE WHEN s.port IS NULL THEN '' ELSE ':' || CAST(s.port AS TEXT) END
    || CASE WHEN s.path_prefix = '' THEN '/' ELSE s.path_prefix END || '%%'
  OR tips_thing.url LIKE 'http://' || s.host
    || CASE WHEN s.port IS NULL THEN '' ELSE ':' || CAST(s.port AS TEXT) END
    || CASE WHEN s.path_prefix = '' THEN '/' ELSE s.path_prefix END || '%%'))"""


def things_by_ids(ids: list[int]) -> list[Thing]:
    """The page's things (and owners) in the order of ``ids``, each with ``this_month`` and
    ``total`` counts: one query, the counts as subqueries over these rows only."""
    if not ids:
        return []
    month = month_of()
    clicks = Click.objects.filter(thing=OuterRef("pk"), revoked_at__isnull=True)
    rows = (
        Thing.objects.filter(pk__in=ids)
        .select_related("owner")
        .annotate(
            this_month=_count(clicks.filter(month=month)),
            total=_count(clicks),
            owner_verified=RawSQL(  # noqa: S611 (no user text: the statuses are parameters)
                _OWNER_VERIFIED_SQL, [str(v) for v in VERIFIED_STATUSES], BooleanField()
            ),
        )
    )
    by_id = {thing.pk: thing for thing in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def _count(clicks: QuerySet) -> Subquery:
    return Subquery(
        clicks.order_by().values("thing").annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField(),
    )


def explore_creators(filters: Filters) -> Ordered:
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
    if filters.sort == Sort.TRENDING:
        week_ago = _windows(timezone.now())[1]
        recent = Click.objects.filter(
            creator=OuterRef("pk"), revoked_at__isnull=True, created_at__gte=week_ago
        )
        return Ordered(_ordered_creators(creators, filters), creators.filter(Exists(recent)))
    return Ordered(_ordered_creators(creators, filters), creators)


def _ordered_creators(creators: QuerySet, filters: Filters) -> QuerySet:
    month, week_ago, month_ago = _windows(timezone.now())
    if filters.sort == Sort.NEW:
        return creators.order_by("-date_joined", "-id")
    if filters.sort == Sort.TRENDING:
        return (
            creators.annotate(
                recent=_clicks("clicks_received", Q(clicks_received__created_at__gte=month_ago)),
                month30=Count("recent"),
                week=Count("recent", filter=Q(recent__created_at__gte=week_ago)),
            )
            .filter(week__gt=0)
            .annotate(score=F("week") * TRENDING_MONTH_DAYS - F("month30") * TRENDING_WEEK_DAYS)
            .order_by("-score", "-week", "-id")
        )
    condition = Q() if filters.sort == Sort.POPULAR_ALL_TIME else Q(clicks_received__month=month)
    return creators.annotate(
        counted=_clicks("clicks_received", condition), score=Count("counted")
    ).order_by("-score", "-date_joined", "-id")


def creators_by_ids(ids: list[int]) -> list:
    """The page's creators in the order of ``ids``, each with ``public_things``: one query."""
    if not ids:
        return []
    things = (
        public_things()
        .filter(owner=OuterRef("pk"), is_profile=False)
        .order_by()
        .values("owner")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(public_things=Subquery(things, output_field=IntegerField()))
    )
    by_id = {creator.pk: creator for creator in rows}
    return [by_id[pk] for pk in ids if pk in by_id]
