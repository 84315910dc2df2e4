"""Creators' pages for getting paid: the "Get paid" onboarding page and the "Payouts" page,
and the signed Connect webhook endpoint."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_POST

from flattr_clone.ratelimit import Throttle, throttled
from payouts.connect.models import PaymentAccount
from payouts.connect.services import (
    NOT_STARTED,
    ConnectError,
    connect_dashboard_link,
    get_paid_state,
    payment_account_of,
    stripe_available,
)
from payouts.connect.services import connect_refresh as connect_connect_refresh
from payouts.connect.services import connect_sandbox as connect_connect_sandbox
from payouts.connect.services import connect_start as connect_connect_start

logger = logging.getLogger(__name__)

# Every onboarding, refresh and dashboard link is a call to Stripe.
CONNECT_LINK_THROTTLE = Throttle(
    scope="connect-link",
    limit_setting="CONNECT_LINK_RATE_LIMIT_PER_HOUR",
    message=ngettext_lazy(
        "You can open your payment account's pages at most %(counter)s time an hour.",
        "You can open your payment account's pages at most %(counter)s times an hour.",
        "counter",
    ),
)


def _absolute(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _external_redirect(url: str) -> HttpResponseRedirect:
    # Stripe's hosted pages live on another origin; the URL comes from Stripe's API.
    return HttpResponseRedirect(url)


@login_required
@require_GET
def get_paid(request: HttpRequest) -> HttpResponse:
    account = payment_account_of(request.user)
    state = get_paid_state(request.user)
    return render(
        request,
        "payouts/get_paid.html",
        {
            "state": state,
            "account": account,
            "Status": PaymentAccount.Status,
            "sandbox": settings.PAYMENTS_SANDBOX,
            "stripe_available": stripe_available(),
            "flagged": account is not None and account.is_flagged,
            "minimum_cents": settings.PAYOUT_MINIMUM_CENTS,
        },
    )


@login_required
@require_POST
@throttled(CONNECT_LINK_THROTTLE)
def connect_start(request: HttpRequest) -> HttpResponse:
    """Create the connected account if needed and send the creator to Stripe's onboarding."""
    return _to_onboarding(request)


@login_required
@require_GET
@throttled(CONNECT_LINK_THROTTLE, methods=["GET"])
def connect_refresh(request: HttpRequest) -> HttpResponse:
    """Stripe's ``refresh_url``: the link expired or was used; make a fresh one."""
    state = get_paid_state(request.user)
    if state == NOT_STARTED or not stripe_available():
        return redirect("payouts:get_paid")
    return _to_onboarding(request)


def _to_onboarding(request: HttpRequest) -> HttpResponse:
    """Send the creator to Stripe's hosted onboarding through a fresh Account Link."""
    try:
        url = connect_connect_start(
            user=request.user,
            refresh_url=_absolute("payouts:connect_refresh"),
            return_url=_absolute("payouts:connect_return"),
        )
    except ConnectError as error:
        messages.error(request, str(error))
        return redirect("payouts:get_paid")
    return _external_redirect(url)


@login_required
@require_GET
def connect_return(request: HttpRequest) -> HttpResponse:
    """Stripe's ``return_url``: the creator left onboarding (finished or not); show the state."""
    account = connect_connect_refresh(user=request.user)
    if account is not None and account.status == PaymentAccount.Status.READY:
        messages.success(request, _("Your payment account is ready: you will be paid."))
    else:
        messages.info(
            request,
            _("Thanks. Your payment account is not ready yet; this page shows what is missing."),
        )
    return redirect("payouts:get_paid")


@login_required
@require_POST
@throttled(CONNECT_LINK_THROTTLE)
def connect_dashboard(request: HttpRequest) -> HttpResponse:
    """Open the creator's Express dashboard on Stripe (bank details, payout schedule)."""
    try:
        url = connect_dashboard_link(user=request.user)
    except ConnectError as error:
        messages.error(request, str(error))
        return redirect("payouts:get_paid")
    return _external_redirect(url)


@login_required
@require_POST
def connect_sandbox(request: HttpRequest) -> HttpResponse:
    """The demo: connect an offline sandbox account, ready at once. Absent outside the demo."""
    if not settings.PAYMENTS_SANDBOX:
        raise Http404("The offline sandbox is not available.")
    connect_connect_sandbox(user=request.user)
    messages.success(request, _("Sandbox payment account connected: you are ready to be paid."))
    return redirect("payouts:get_paid")
