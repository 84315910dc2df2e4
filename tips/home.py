from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flattr_clone.months import month_of
from tips.payday.split import split_given

# The home page's worked example: a 10.00 budget shared by three creators.
EXAMPLE_BUDGET_CENTS = 1000


EXAMPLE_CREATORS = 3


def home(request: HttpRequest) -> HttpResponse:
    rate = settings.COMMISSION_RATE_BASIS_POINTS
    # The same function payday uses, so the example can never disagree with it.
    example = split_given(
        month=month_of(),
        reader_pk=0,
        given_cents=EXAMPLE_BUDGET_CENTS,
        creator_pks=range(1, EXAMPLE_CREATORS + 1),
        rate_basis_points=rate,
    )
    return render(
        request,
        "home.html",
        {
            "commission_percent": Decimal(rate) / 100,
            "example": example,
            "example_creators": EXAMPLE_CREATORS,
            "example_share_cents": min(example.shares.values()),
        },
    )
