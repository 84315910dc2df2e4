"""Wallet pages: balance, budget, top-ups and history; the sandbox's test payment page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from flattr_clone.money import format_amount, format_cents
from flattr_clone.months import month_in_reference, month_of
from flattr_clone.ratelimit import Throttle, throttled
from payouts.funding.budgets import BudgetError, budget_set
from payouts.funding.forms import BudgetForm, TopUpForm
from payouts.funding.models import TopUp
from payouts.funding.selectors import (
    budget_in_effect,
    top_ups_waiting,
    wallet_history,
)
from payouts.funding.topups import (
    topup_abandon,
    topup_cancel,
    topup_complete,
    topup_start,
)
from payouts.funding.velocity import topup_refusal
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.providers import Provider, TopUpUnavailable

HISTORY_PER_PAGE = 25

TOP_UP_THROTTLE = Throttle(
    scope="top-up",
    limit_setting="TOP_UP_RATE_LIMIT_PER_HOUR",
    message=ngettext_lazy(
        "You can start at most %(counter)s top-up an hour.",
        "You can start at most %(counter)s top-ups an hour.",
        "counter",
    ),
)
BUDGET_THROTTLE = Throttle(
    scope="budget",
    limit_setting="BUDGET_CHANGE_RATE_LIMIT_PER_HOUR",
    message=ngettext_lazy(
        "You can change your budget at most %(counter)s time an hour.",
        "You can change your budget at most %(counter)s times an hour.",
        "counter",
    ),
)


def _history_rows(user, page_number) -> tuple:
    page = Paginator(wallet_history(user), HISTORY_PER_PAGE).get_page(page_number)
    rows = []
    for transfer in page.object_list:
        incoming = (
            transfer.credit.kind == Account.Kind.WALLET and transfer.credit.user_id == user.pk
        )
        other = transfer.debit if incoming else transfer.credit
        rows.append(
            {
                "transfer": transfer,
                "label": _describe(transfer, other),
                "signed_cents": transfer.amount_cents if incoming else -transfer.amount_cents,
                # The month the line belongs to: a payday's own month, else when it happened.
                "month": month_in_reference(transfer.reference) or month_of(transfer.created_at),
            }
        )
    # Grouped by the month each line belongs to, newest first (stable: time order within one).
    rows.sort(key=lambda row: row["month"], reverse=True)
    return page, rows


def _describe(transfer: Transfer, other: Account) -> str:
    if transfer.kind == Transfer.Kind.DISTRIBUTION and other.user_id:
        return _("Monthly distribution to %(name)s") % {"name": other.user.name}
    if transfer.kind == Transfer.Kind.COMMISSION:
        return _("Platform commission")
    if transfer.kind == Transfer.Kind.DISPUTE:
        return _("Payment disputed")
    return str(transfer.get_kind_display())


def _wallet_page(
    request: HttpRequest,
    *,
    budget_form: BudgetForm | None = None,
    topup_form: TopUpForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    change = budget_in_effect(user)
    budget = change.amount_cents if change else None
    if budget_form is None:
        initial = {"amount": format_amount(budget)} if budget is not None else {}
        budget_form = BudgetForm(initial=initial)
    page, rows = _history_rows(user, request.GET.get("page"))
    context = {
        "balance_cents": balance_cents(user, Account.Kind.WALLET),
        "budget_cents": budget,
        "budget_form": budget_form,
        "topup_form": topup_form or TopUpForm(),
        "presets": settings.TOP_UP_PRESETS_CENTS,
        "top_up_min_cents": settings.TOP_UP_MIN_CENTS,
        "top_up_max_cents": settings.TOP_UP_MAX_CENTS,
        "budget_min_cents": settings.BUDGET_MIN_CENTS,
        "budget_max_cents": settings.BUDGET_MAX_CENTS,
        "waiting": top_ups_waiting(user)[:5],
        "page": page,
        "rows": rows,
    }
    return render(request, "payouts/wallet.html", context, status=status)


@require_GET
@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    return _wallet_page(request)


@require_POST
@login_required
@throttled(BUDGET_THROTTLE)
def budget_update(request: HttpRequest) -> HttpResponse:
    form = BudgetForm(request.POST)
    if not form.is_valid():
        return _wallet_page(request, budget_form=form, status=400)
    try:
        budget_set(user=request.user, amount_cents=form.cleaned_data["amount"])
    except BudgetError as error:
        form.add_error("amount", str(error))
        return _wallet_page(request, budget_form=form, status=400)
    messages.success(
        request,
        _("Your monthly budget is now %(amount)s.")
        % {"amount": format_cents(form.cleaned_data["amount"])},
    )
    return redirect("payouts:wallet")


@require_POST
@login_required
@throttled(TOP_UP_THROTTLE)
def topup_create(request: HttpRequest) -> HttpResponse:
    form = TopUpForm(request.POST)
    if not form.is_valid():
        return _wallet_page(request, topup_form=form, status=400)
    refused = topup_refusal(request, amount_cents=form.cleaned_data["amount_cents"])
    if refused:
        messages.error(request, refused)
        return _wallet_page(request, topup_form=form, status=429)
    try:
        _topup, url = topup_start(user=request.user, amount_cents=form.cleaned_data["amount_cents"])
    except TopUpUnavailable:
        messages.error(
            request,
            _("Payments are unavailable right now. Nothing was charged; please try again later."),
        )
        return redirect("payouts:wallet")
    return redirect(url)


@require_GET
@login_required
def topup_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the provider sends the reader back. It shows the state; it never credits."""
    topup = get_object_or_404(TopUp, pk=pk, user=request.user)
    return render(request, "payouts/topup_status.html", {"topup": topup})


def _cancel(request: HttpRequest, topup: TopUp) -> bool:
    """Close an open top-up; False (with a message) when the provider cannot be reached."""
    try:
        topup_cancel(user=request.user, topup_id=topup.pk)
    except TopUpUnavailable:
        messages.error(
            request,
            _(
                "The payment provider cannot be reached, so the payment page is still open. "
                "Please try again in a moment."
            ),
        )
        return False
    return True


@require_POST
@login_required
def topup_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The reader gives up a top-up waiting for payment."""
    topup = get_object_or_404(TopUp, pk=pk, user=request.user)
    if _cancel(request, topup):
        topup.refresh_from_db()
        if topup.status == TopUp.Status.PAID:
            messages.success(
                request, _("This top-up was paid in the meantime: it is in your wallet.")
            )
        else:
            messages.info(request, _("Top-up canceled. Nothing was charged."))
    return redirect("payouts:wallet")


@require_POST
@login_required
@throttled(TOP_UP_THROTTLE)
def topup_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the same amount again: a top-up that failed, expired or was canceled, or one
    still open (its payment page is closed first, so it cannot be paid twice)."""
    topup = get_object_or_404(TopUp, pk=pk, user=request.user)
    if topup.status == TopUp.Status.PAID:
        return redirect("payouts:topup_status", pk=topup.pk)
    refused = topup_refusal(request, amount_cents=topup.amount_cents, replacing=topup)
    if refused:
        messages.error(request, refused)
        return redirect("payouts:wallet")
    if topup.is_open and not _cancel(request, topup):
        return redirect("payouts:topup_status", pk=topup.pk)
    try:
        _new, url = topup_start(user=request.user, amount_cents=topup.amount_cents)
    except TopUpUnavailable:
        messages.error(
            request,
            _("Payments are unavailable right now. Nothing was charged; please try again later."),
        )
        return redirect("payouts:wallet")
    return redirect(url)


@require_http_methods(["GET", "POST"])
@login_required
def sandbox_checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    """The demo's test payment page. It does not exist unless the sandbox is on."""
    if not settings.PAYMENTS_SANDBOX:
        raise Http404
    topup = get_object_or_404(
        TopUp, provider=Provider.SANDBOX, session_id=session_id, user=request.user
    )
    if request.method == "POST" and topup.status == TopUp.Status.PENDING:
        if request.POST.get("action") == "pay":
            topup_complete(
                provider=Provider.SANDBOX,
                session_id=topup.session_id,
                amount_cents=topup.amount_cents,
                currency=topup.currency,
                payment_id=topup.session_id,
            )
            messages.success(
                request,
                _("Test payment done: %(amount)s added to your wallet.")
                % {"amount": format_cents(topup.amount_cents)},
            )
        else:
            topup_abandon(
                provider=Provider.SANDBOX,
                session_id=topup.session_id,
                status=TopUp.Status.CANCELED,
                reason="canceled on the sandbox page",
            )
            messages.info(request, _("Test payment canceled. Nothing was added."))
        return redirect("payouts:wallet")
    return render(request, "payouts/sandbox_checkout.html", {"topup": topup})
