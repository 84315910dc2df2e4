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
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import connect
from .batches import next_batch_at
from .ledger import balance_cents
from .models import Account, PaymentAccount, Payout
from .stripe_gateway import SignatureVerificationError, StripeNotConfigured, verify_event

logger = logging.getLogger(__name__)


def _absolute(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _external_redirect(url: str) -> HttpResponseRedirect:
    # Stripe's hosted pages live on another origin; the URL comes from Stripe's API.
    return HttpResponseRedirect(url)


@login_required
@require_GET
def get_paid(request: HttpRequest) -> HttpResponse:
    account = connect.payment_account_of(request.user)
    state = connect.get_paid_state(request.user)
    return render(
        request,
        "payouts/get_paid.html",
        {
            "state": state,
            "account": account,
            "Status": PaymentAccount.Status,
            "sandbox": settings.PAYMENTS_SANDBOX,
            "stripe_available": connect.stripe_available(),
            "flagged": account is not None and account.is_flagged,
            "minimum_cents": settings.PAYOUT_MINIMUM_CENTS,
        },
    )


@login_required
@require_POST
def connect_start(request: HttpRequest) -> HttpResponse:
    """Create the connected account if needed and send the creator to Stripe's onboarding."""
    return _to_onboarding(request)


@login_required
@require_GET
def connect_refresh(request: HttpRequest) -> HttpResponse:
    """Stripe's ``refresh_url``: the link expired or was used; make a fresh one."""
    state = connect.get_paid_state(request.user)
    if state == connect.NOT_STARTED or not connect.stripe_available():
        return redirect("payouts:get_paid")
    return _to_onboarding(request)


def _to_onboarding(request: HttpRequest) -> HttpResponse:
    """Send the creator to Stripe's hosted onboarding through a fresh Account Link."""
    try:
        url = connect.connect_start(
            user=request.user,
            refresh_url=_absolute("payouts:connect_refresh"),
            return_url=_absolute("payouts:connect_return"),
        )
    except connect.ConnectError as error:
        messages.error(request, str(error))
        return redirect("payouts:get_paid")
    return _external_redirect(url)


@login_required
@require_GET
def connect_return(request: HttpRequest) -> HttpResponse:
    """Stripe's ``return_url``: the creator left onboarding (finished or not); show the state."""
    account = connect.connect_refresh(user=request.user)
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
def connect_dashboard(request: HttpRequest) -> HttpResponse:
    """Open the creator's Express dashboard on Stripe (bank details, payout schedule)."""
    try:
        url = connect.connect_dashboard_link(user=request.user)
    except connect.ConnectError as error:
        messages.error(request, str(error))
        return redirect("payouts:get_paid")
    return _external_redirect(url)


@login_required
@require_POST
def connect_sandbox(request: HttpRequest) -> HttpResponse:
    """The demo: connect an offline sandbox account, ready at once. Absent outside the demo."""
    if not settings.PAYMENTS_SANDBOX:
        raise Http404("The offline sandbox is not available.")
    connect.connect_sandbox(user=request.user)
    messages.success(request, _("Sandbox payment account connected: you are ready to be paid."))
    return redirect("payouts:get_paid")


@login_required
@require_GET
def payouts_page(request: HttpRequest) -> HttpResponse:
    """The creator's earnings balance, progress toward the minimum, next batch and history."""
    balance = balance_cents(request.user, Account.Kind.EARNINGS)
    minimum = max(settings.PAYOUT_MINIMUM_CENTS, 1)
    progress = min(100, balance * 100 // minimum)
    return render(
        request,
        "payouts/payouts.html",
        {
            "balance_cents": balance,
            "minimum_cents": minimum,
            "missing_cents": max(0, minimum - balance),
            "progress": progress,
            "next_batch_at": next_batch_at(),
            "state": connect.get_paid_state(request.user),
            "account": connect.payment_account_of(request.user),
            "payouts": Payout.objects.filter(user=request.user).order_by("-created_at", "-pk")[
                :100
            ],
            "Status": Payout.Status,
            "suspended": request.user.is_suspended,
        },
    )


@csrf_exempt
@require_POST
def connect_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's Connect webhook endpoint: ``account.updated`` for creators' accounts.

    Only a request signed with STRIPE_CONNECT_WEBHOOK_SECRET is read; each event id
    is applied once.
    """
    try:
        event = verify_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_CONNECT_WEBHOOK_SECRET,
        )
    except StripeNotConfigured:
        return HttpResponse("Connect webhooks are not configured.", status=503)
    except (SignatureVerificationError, ValueError):
        return HttpResponse("Invalid signature.", status=400)
    outcome = connect.connect_event_handle(event)
    logger.info("connect webhook %s %s: %s", event.get("type"), event.get("id"), outcome)
    return HttpResponse(outcome, content_type="text/plain")
