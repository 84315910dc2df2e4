"""The leaving pages: your data and leaving (export, withdraw, close) and the download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import DataExport
from flattr_clone.money import format_amount, format_cents
from payouts.ledger.services import earnings_of
from payouts.withdrawals.models import Withdrawal
from payouts.withdrawals.services import WithdrawalError, withdrawal_start
from payouts.withdrawals.tasks import send_withdrawal
from tips.leaving.export import export_request
from tips.leaving.forms import CloseForm, WithdrawForm
from tips.leaving.selectors import months_waiting_for_payday, reserved_cents, withdrawable_now
from tips.leaving.services import account_close
from tips.leaving.tasks import build_export


@login_required
def leaving(request: HttpRequest) -> HttpResponse:
    """Settings, "Your data and leaving": export, withdraw, close."""
    user = request.user
    limit = withdrawable_now(user)
    earnings = earnings_of(user)
    earnings.refresh_from_db(fields=["balance_cents"])
    withdraw_form = WithdrawForm(initial={"amount": format_amount(limit.amount_cents)})
    return render(
        request,
        "leaving/leaving.html",
        {
            "limit": limit,
            "earnings_cents": earnings.balance_cents,
            "exports": DataExport.objects.filter(user=user, expires_at__gt=timezone.now()),
            "waiting_for": months_waiting_for_payday(user),
            "withdrawals": Withdrawal.objects.filter(user=user).prefetch_related("refunds")[:10],
            "withdraw_form_attrs": {"form": withdraw_form},
            "close_form": CloseForm(),
        },
    )


@login_required
def withdraw(request: HttpRequest) -> HttpResponse:
    user = request.user
    limit = withdrawable_now(user)
    form = WithdrawForm(
        request.POST if request.method == "POST" else None,
        initial={"amount": format_amount(limit.amount_cents)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            withdrawal = withdrawal_start(
                user=user,
                amount_cents=form.cleaned_data["amount"],
                reserved_cents=reserved_cents(user),
            )
        except WithdrawalError as error:
            form.add_error("amount", str(error))
        else:
            transaction.on_commit(lambda: send_withdrawal.delay(withdrawal.pk))
            messages.success(
                request,
                _("%(amount)s is on its way back to your card.")
                % {"amount": format_cents(withdrawal.amount_cents)},
            )
            return redirect("leaving")
    return render(
        request,
        "leaving/withdraw.html",
        {"limit": limit, "form": form, "form_attrs": {"form": form}},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    export = export_request(user=request.user)
    transaction.on_commit(lambda: build_export.delay(export.pk))
    messages.success(
        request, _("Your data is being prepared. We will e-mail you a link to download it.")
    )
    return redirect("leaving")


@login_required
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    export = DataExport.objects.filter(token=token, user=request.user).first()
    if export is None or export.is_expired or export.status != DataExport.Status.READY:
        raise Http404(_("This download link has expired or is not yours."))
    response = HttpResponse(bytes(export.content), content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="data-{export.created_at:%Y-%m-%d}.zip"'
    )
    return response


@login_required
def close_account(request: HttpRequest) -> HttpResponse:
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        closing = account_close(user=request.user)
        if closing.status == "waiting":
            messages.info(
                request,
                _(
                    "Your account will close right after the payday of the month that ended: "
                    "your clicks of that month are paid first. We will e-mail you then."
                ),
            )
            return redirect("leaving")
        logout(request)
        return render(request, "leaving/closed.html", {"closing": closing})
    return render(
        request,
        "leaving/close.html",
        {"form": form, "form_attrs": {"form": form}},
        status=400 if request.method == "POST" else 200,
    )
