"""The statements page (printable) and its CSV (docs/PRODUCT.md, Statements)."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from payouts.statements.services import StatementPeriodError, statement_for, statement_period


def _periods() -> list[str]:
    """The periods offered: this year and the last two, and the last twelve months."""
    today = timezone.localdate()
    years = [str(today.year - n) for n in range(3)]
    months = []
    year, month = today.year, today.month
    for _ in range(12):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return years + months


@require_GET
@login_required
def statements_page(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("period") or str(timezone.localdate().year)
    try:
        period = statement_period(text)
    except StatementPeriodError as error:
        return render(
            request,
            "payouts/statement.html",
            {"error": str(error), "periods": _periods(), "chosen": ""},
            status=400,
        )
    return render(
        request,
        "payouts/statement.html",
        {
            "statement": statement_for(user=request.user, period=period),
            "periods": _periods(),
            "chosen": period.label,
        },
    )


@require_GET
@login_required
def statement_csv(request: HttpRequest, period: str) -> HttpResponse:
    try:
        chosen = statement_period(period)
    except StatementPeriodError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    statement = statement_for(user=request.user, period=chosen)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{chosen.label}.csv"'
    response["Cache-Control"] = "private, no-store"
    csv.writer(response).writerows(statement.csv_rows())
    return response
