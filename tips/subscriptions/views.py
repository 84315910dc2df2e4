"""A reader's subscriptions page, and the forms that start, pause, resume and cancel one.
Views parse, call one service, and go back where the reader was."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from flattr_clone.http import safe_next, with_query
from flattr_clone.months import month_of
from tips.clicks.ratelimit import click_allowed
from tips.clicks.services import ClickRefused, ClickResult
from tips.embeds.views import click_rate_limited, expect_handoff, keeps_opener
from tips.subscriptions.forms import SubscribeForm
from tips.subscriptions.models import Subscription
from tips.subscriptions.selectors import reader_subscriptions
from tips.subscriptions.services import (
    SubscriptionRefused,
    subscription_cancel,
    subscription_pause,
    subscription_resume,
    subscription_start,
)
from tips.things.canonical import web_origin
from tips.things.models import Thing


@require_GET
@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    context = {"subscriptions": reader_subscriptions(reader=request.user)}
    return render(request, "subscriptions/list.html", context)


def _month_name(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def _started_message(subscription: Subscription, result: ClickResult) -> str:
    title = subscription.thing.title
    if subscription.last_month is None:
        text = _("You now flattr “%(title)s” every month, until you cancel.") % {"title": title}
    else:
        text = _("You now flattr “%(title)s” every month, until %(last)s.") % {
            "title": title,
            "last": _month_name(subscription.last_month),
        }
    if result.status == ClickResult.ALREADY:
        return text + " " + _("Your flattr of this month counts as the first.")
    return text + " " + _("It is flattred for this month too.")


@keeps_opener
@require_POST
def subscription_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Subscribe to a thing from its page or its popup (``origin``): this month's flattr is made
    now, like a click of the button, under the same rate limit."""
    thing = get_object_or_404(Thing.objects.select_related("owner"), pk=pk)
    origin = web_origin(request.POST.get("origin"))
    if origin:
        back_url = with_query(reverse("tips:popup", kwargs={"pk": thing.pk}), origin=origin)
    else:
        back_url = safe_next(request, thing.get_absolute_url())
    if not request.user.is_authenticated:
        return redirect_to_login(back_url)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["months"]))
        return redirect(back_url)
    if not click_allowed(request.user):
        return click_rate_limited(request)
    try:
        started = subscription_start(
            reader=request.user, thing=thing, months=form.cleaned_data["months"]
        )
    except ClickRefused as refused:
        messages.error(request, refused.blocker.message)
        return redirect(back_url)
    except SubscriptionRefused as refused:
        messages.error(request, refused.message)
        return redirect(back_url)
    messages.success(request, _started_message(started.subscription, started.click))
    if origin and started.click.status != ClickResult.ALREADY:
        # A new flattr: the popup hands the count to the widget, as after the button.
        return redirect(expect_handoff(request, thing, origin, started.click.status))
    return redirect(back_url)


def _change(request: HttpRequest, pk: int, service, done) -> HttpResponse:
    """Apply ``service`` (pause, resume, cancel) to one of the reader's subscriptions; say
    ``done(subscription)`` or why nothing changed, and go back."""
    subscription = get_object_or_404(
        Subscription.objects.select_related("thing"), pk=pk, reader=request.user
    )
    next_url = safe_next(request, reverse("subscriptions:list"))
    try:
        service(reader=request.user, subscription=subscription)
    except SubscriptionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done(subscription))
    return redirect(next_url)


@require_POST
@login_required
def subscription_pause_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        subscription_pause,
        lambda subscription: (
            _("Your subscription to “%(title)s” is paused: it flattrs nothing until you resume it.")
            % {"title": subscription.thing.title}
        ),
    )


@require_POST
@login_required
def subscription_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    def done(subscription: Subscription) -> str:
        upcoming = subscription.next_click_month(month_of())
        if upcoming is None:  # its last month is this one
            return _("Your subscription to “%(title)s” is running again.") % {
                "title": subscription.thing.title
            }
        return _("Your subscription to “%(title)s” flattrs it again on %(date)s.") % {
            "title": subscription.thing.title,
            "date": date_format(upcoming, "DATE_FORMAT"),
        }

    return _change(request, pk, subscription_resume, done)


@require_POST
@login_required
def subscription_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _change(
        request,
        pk,
        subscription_cancel,
        lambda subscription: (
            _("Your subscription to “%(title)s” is cancelled. This month's flattr stays.")
            % {"title": subscription.thing.title}
        ),
    )
