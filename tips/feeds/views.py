"""A creator's feeds page: add a feed, see how polling goes, approve suggested entries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tips.feeds.forms import FeedForm
from tips.feeds.models import Feed, FeedEntry
from tips.feeds.services import entry_approve, entry_reject, feed_add, feed_remove
from tips.feeds.tasks import poll_feed


@login_required
@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest) -> HttpResponse:
    form = FeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feed = feed_add(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            poll_feed.delay(feed.pk)
            messages.success(request, _("The feed is added; we read it now and then every hour."))
            return redirect("tips:feeds")
    context = {
        "form": form,
        "feeds": Feed.objects.filter(owner=request.user),
        "suggestions": FeedEntry.objects.filter(
            feed__owner=request.user, status=FeedEntry.Status.SUGGESTED
        ).select_related("feed")[:100],
        "recent": FeedEntry.objects.filter(feed__owner=request.user)
        .exclude(status=FeedEntry.Status.SUGGESTED)
        .select_related("feed", "thing")[:20],
    }
    return render(request, "tips/feeds.html", context)


@require_POST
@login_required
def feed_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(Feed, pk=pk, owner=request.user)
    feed_remove(feed=feed)
    messages.success(request, _("The feed is removed; the things it registered stay."))
    return redirect("tips:feeds")


@require_POST
@login_required
def feed_poll_view(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(Feed, pk=pk, owner=request.user)
    poll_feed.delay(feed.pk)
    messages.success(request, _("We are reading the feed."))
    return redirect("tips:feeds")


@require_POST
@login_required
def entry_decide(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(
        FeedEntry, pk=pk, feed__owner=request.user, status=FeedEntry.Status.SUGGESTED
    )
    if request.POST.get("decision") == "approve":
        entry = entry_approve(entry=entry)
        if entry.status == FeedEntry.Status.REGISTERED:
            messages.success(request, _("“%(title)s” is registered.") % {"title": entry.title})
        else:
            messages.error(
                request,
                _("“%(title)s” could not be registered: %(reason)s")
                % {"title": entry.title, "reason": entry.reason},
            )
    else:
        entry_reject(entry=entry)
        messages.success(request, _("“%(title)s” will not be registered.") % {"title": entry.title})
    return redirect("tips:feeds")
