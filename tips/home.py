"""The home page: what the platform does, with a worked example of the monthly split."""

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flattr_clone.months import month_of
from tips.firststeps.selectors import reader_setup
from tips.payday.split import commission_rate_basis_points, split_reader

# The home page's worked example: a 10.00 budget shared by three creators.
EXAMPLE_BUDGET_CENTS = 1000
EXAMPLE_CREATORS = 3


def home(request: HttpRequest) -> HttpResponse:
    # The same function payday uses, so the example can never disagree with it.
    example = split_reader(
        month=month_of(),
        reader_pk=0,
        budget_cents=EXAMPLE_BUDGET_CENTS,
        wallet_cents=EXAMPLE_BUDGET_CENTS,
        creator_pks=range(1, EXAMPLE_CREATORS + 1),
    )
    return render(
        request,
        "home.html",
        {
            "commission_percent": Decimal(commission_rate_basis_points()) / 100,
            "example": example,
            "example_creators": EXAMPLE_CREATORS,
            "example_share_cents": min(example.shares.values()),
            "setup": reader_setup(reader=request.user) if request.user.is_authenticated else None,
        },
    )
