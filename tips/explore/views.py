"""/explore/: the catalogue of things and creators."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from flattr_clone.http import with_query
from tips.explore.selectors import (
    SORTS,
    Filters,
    Sort,
    creators_by_ids,
    explore_creators,
    explore_things,
    things_by_ids,
)
from tips.things.models import Category

SORT_LABELS = {
    Sort.RELEVANCE: _("Best match"),
    Sort.POPULAR_MONTH: _("Popular this month"),
    Sort.POPULAR_ALL_TIME: _("Popular of all time"),
    Sort.NEW: _("New"),
    Sort.TRENDING: _("Trending this week"),
}
# Languages offered in the filter, named in their own language (any code works in the URL).
LANGUAGE_CHOICES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("pt", "Português"),
    ("nl", "Nederlands"),
    ("sv", "Svenska"),
    ("pl", "Polski"),
    ("ja", "日本語"),
]


@require_GET
def explore(request: HttpRequest) -> HttpResponse:
    filters = Filters.from_params(request.GET)
    show_creators = request.GET.get("show") == "creators"
    results = explore_creators(filters) if show_creators else explore_things(filters)
    # Three queries: the count, the page's ids in order, then the page's rows with counts.
    page = Paginator(results, settings.EXPLORE_PAGE_SIZE).get_page(request.GET.get("page"))
    page_ids = list(page.object_list)
    if show_creators:
        items = [(creator, creator.public_things or 0) for creator in creators_by_ids(page_ids)]
    else:
        items = [
            (thing, thing.this_month or 0, thing.total or 0) for thing in things_by_ids(page_ids)
        ]
    sorts = ([Sort.RELEVANCE] if filters.sort == Sort.RELEVANCE or filters.query else []) + list(
        SORTS
    )
    params = {
        "q": filters.query,
        "category": filters.category,
        "language": filters.language,
        "tag": filters.tag,
        "sort": filters.sort,
        "show": "creators" if show_creators else "",
    }
    kept = {k: v for k, v in params.items() if v}
    context = {
        "filters": filters,
        "show_creators": show_creators,
        "page": page,
        "items": items,
        "sorts": [(value, SORT_LABELS[value]) for value in sorts],
        "categories": Category.choices,
        "language_choices": LANGUAGE_CHOICES,
        "things_url": with_query(request.path, **{k: v for k, v in kept.items() if k != "show"}),
        "creators_url": with_query(request.path, **{**kept, "show": "creators"}),
        "previous_url": with_query(request.path, **kept, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": with_query(request.path, **kept, page=page.next_page_number())
        if page.has_next()
        else "",
    }
    return render(request, "tips/explore.html", context)
