"""Saved-card pages: save (consent first), replace and remove a card; choose how to pay and the
automatic top-up; pay a charge from the link; the sandbox's test pages for both."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flattr_clone.money import format_cents
from flattr_clone.ratelimit import throttled
from payouts.cards.charges import (
    ChargeLinkInvalid,
    charge_pay_start,
    charge_payment_confirmed,
)
from payouts.cards.models import CardSetup, ChargeAttempt
from payouts.cards.providers import SANDBOX_CARDS, CardsUnavailable, SandboxCards
from payouts.cards.services import (
    FundingError,
    auto_top_up_set,
    card_remove,
    card_saved,
    card_setup_check,
    card_setup_start,
    funding_mode_set,
)
from payouts.funding.views import TOP_UP_THROTTLE
from payouts.providers import Provider


def _unavailable(request: HttpRequest) -> HttpResponse:
    messages.error(
        request,
        _("Payments are unavailable right now. Nothing was charged; please try again later."),
    )
    return redirect("payouts:wallet")


@require_POST
@login_required
@throttled(TOP_UP_THROTTLE)
def card_setup(request: HttpRequest) -> HttpResponse:
    """Save (or replace) a card: the consent box must be ticked."""
    try:
        _setup, url = card_setup_start(
            user=request.user, consent=request.POST.get("consent") == "yes"
        )
    except FundingError as error:
        messages.error(request, str(error))
        return redirect("payouts:wallet")
    except CardsUnavailable:
        return _unavailable(request)
    return redirect(url)


@require_GET
@login_required
def card_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Where Stripe sends the reader back: ask Stripe whether a card was saved."""
    setup = get_object_or_404(CardSetup, pk=pk, user=request.user)
    try:
        card = card_setup_check(setup)
    except CardsUnavailable:
        card = None
    if card is not None:
        messages.success(request, _("Card saved: %(card)s.") % {"card": str(card)})
    else:
        messages.info(request, _("No card was saved."))
    return redirect("payouts:wallet")


@require_http_methods(["GET", "POST"])
@login_required
def card_sandbox(request: HttpRequest, session_id: str) -> HttpResponse:
    """The demo's card page: pick a test card that succeeds, declines or asks for
    authentication. It does not exist unless the sandbox is on."""
    if not settings.PAYMENTS_SANDBOX:
        raise Http404
    setup = get_object_or_404(
        CardSetup, provider=Provider.SANDBOX, session_id=session_id, user=request.user
    )
    if request.method == "POST" and setup.status == CardSetup.Status.OPEN:
        number = request.POST.get("card", "")
        if request.POST.get("action") == "save" and number in SANDBOX_CARDS:
            card = card_saved(setup=setup, card=SandboxCards.card_details(number))
            messages.success(request, _("Card saved: %(card)s.") % {"card": str(card)})
        else:
            CardSetup.objects.filter(pk=setup.pk).update(status=CardSetup.Status.CANCELED)
            messages.info(request, _("No card was saved."))
        return redirect("payouts:wallet")
    cards = [(number, label) for number, (_b, label) in SANDBOX_CARDS.items()]
    return render(request, "cards/sandbox_setup.html", {"setup": setup, "cards": cards})


@require_POST
@login_required
def card_remove_view(request: HttpRequest) -> HttpResponse:
    try:
        card = card_remove(user=request.user)
    except CardsUnavailable:
        return _unavailable(request)
    if card is not None:
        messages.info(request, _("Card removed. You use a prepaid wallet from now on."))
    return redirect("payouts:wallet")


@require_POST
@login_required
def funding_mode(request: HttpRequest) -> HttpResponse:
    try:
        funding = funding_mode_set(user=request.user, mode=request.POST.get("mode", ""))
    except FundingError as error:
        messages.error(request, str(error))
        return redirect("payouts:wallet")
    messages.success(
        request,
        _("You now fund your budget with: %(mode)s.") % {"mode": funding.get_mode_display()},
    )
    return redirect("payouts:wallet")


@require_POST
@login_required
def auto_top_up(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("amount_cents", "")
    if not raw.isdigit():
        messages.error(request, _("Choose one of the amounts offered."))
        return redirect("payouts:wallet")
    try:
        funding = auto_top_up_set(user=request.user, amount_cents=int(raw))
    except FundingError as error:
        messages.error(request, str(error))
        return redirect("payouts:wallet")
    if funding.auto_top_up_cents:
        messages.success(
            request,
            _("Automatic top-up on: %(amount)s when your wallet runs low after payday.")
            % {"amount": format_cents(funding.auto_top_up_cents)},
        )
    else:
        messages.info(request, _("Automatic top-up off."))
    return redirect("payouts:wallet")


@require_GET
@login_required
def charge_pay(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The link of the e-mail and the notice: the open payment is canceled and a payment page
    for the exact amount opens."""
    try:
        url = charge_pay_start(user=request.user, charge_id=pk, token=token)
    except ChargeLinkInvalid:
        messages.info(request, _("This payment link is no longer needed."))
        return redirect("payouts:wallet")
    except CardsUnavailable:
        return _unavailable(request)
    return redirect(url)


@require_http_methods(["GET", "POST"])
@login_required
def charge_sandbox(request: HttpRequest, session_id: str) -> HttpResponse:
    """The demo's page where the reader confirms a charge with their (test) bank."""
    if not settings.PAYMENTS_SANDBOX:
        raise Http404
    attempt = get_object_or_404(
        ChargeAttempt.objects.select_related("charge"),
        session_id=session_id,
        charge__provider=Provider.SANDBOX,
        charge__user=request.user,
    )
    charge = attempt.charge
    if request.method == "POST" and attempt.is_open:
        if request.POST.get("action") == "pay":
            charge_payment_confirmed(
                provider=Provider.SANDBOX,
                payment_intent_id=f"sbx_pi_{attempt.pk}",
                amount_cents=charge.amount_cents,
                currency=charge.currency,
                attempt_key=attempt.idempotency_key,
            )
            messages.success(
                request,
                _("Test payment done: %(amount)s paid.")
                % {"amount": format_cents(charge.amount_cents)},
            )
        else:
            ChargeAttempt.objects.filter(
                pk=attempt.pk, status__in=ChargeAttempt.OPEN_STATUSES
            ).update(status=ChargeAttempt.Status.CANCELED)
            messages.info(request, _("Test payment canceled. Nothing was paid."))
        return redirect("payouts:wallet")
    return render(request, "cards/sandbox_pay.html", {"attempt": attempt, "charge": charge})
