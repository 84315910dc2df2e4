"""The reader's payday history page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from flattr_clone.months import month_of
from tips.payday.selectors import reader_history


@require_GET
@login_required
def history(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "tips/history.html",
        {"months": reader_history(reader=request.user), "current_month": month_of()},
    )
