"""Reads for the first steps: every step a reader still lacks, all at once, and whether a
creator's earnings are waiting for a payment account."""

from __future__ import annotations

import dataclasses

from allauth.account.models import EmailAddress
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from flattr_clone.months import month_of
from payouts.connect.services import payout_account_ready
from payouts.funding.selectors import budget_in_effect
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from tips.clicks.models import Click
from tips.things.models import Thing


@dataclasses.dataclass(frozen=True)
class SetupStep:
    code: str
    title: str
    help: str
    url: str
    link_label: str
    done: bool


@dataclasses.dataclass(frozen=True)
class ReaderSetup:
    steps: list[SetupStep]
    # A few things readers flattred this month, for the "find creators" step.
    suggestions: list[Thing]

    @property
    def done(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def missing(self) -> int:
        return sum(not step.done for step in self.steps)


def popular_things(*, limit: int = 3, exclude_reader=None) -> list[Thing]:
    """The things most flattred this month (still available, by creators who can receive
    money), for a reader who looks for creators."""
    things = (
        Thing.objects.filter(
            hidden=False, retired=False, owner__is_active=True, owner__suspended_at__isnull=True
        )
        .annotate(
            month_clicks=Count(
                "clicks", filter=Q(clicks__month=month_of(), clicks__revoked_at__isnull=True)
            )
        )
        .filter(month_clicks__gt=0)
        .select_related("owner")
        .order_by("-month_clicks", "-pk")
    )
    if exclude_reader is not None:
        things = things.exclude(owner=exclude_reader)
    return list(things[:limit])


def reader_setup(*, reader) -> ReaderSetup:
    """The reader's setup checklist: verified e-mail, a monthly budget, money in the wallet
    and a first click. Every step is listed with whether it is done, so the reader sees all
    that is missing at once (the click blocker names only the first)."""
    wallet_url = reverse("payouts:wallet")
    budget = budget_in_effect(reader)
    funded = (
        balance_cents(reader, Account.Kind.WALLET) > 0
        or Transfer.objects.filter(
            kind=Transfer.Kind.TOP_UP, credit__kind=Account.Kind.WALLET, credit__user=reader
        ).exists()
    )
    steps = [
        SetupStep(
            "verify",
            _("Verify your e-mail address"),
            _("Follow the link we sent you by e-mail."),
            reverse("account_email"),
            _("E-mail addresses"),
            EmailAddress.objects.filter(user=reader, verified=True).exists(),
        ),
        SetupStep(
            "budget",
            _("Choose a monthly budget"),
            _("What you give each month, shared between everyone you flattr."),
            wallet_url + "#budget-title",
            _("Set my budget"),
            budget is not None and budget.amount_cents > 0,
        ),
        SetupStep(
            "money",
            _("Add money to your wallet"),
            _("Payday takes your budget from it at the end of each month."),
            wallet_url + "#topup-title",
            _("Top up my wallet"),
            funded,
        ),
        SetupStep(
            "find",
            _("Flattr something you enjoy"),
            _("Look for the flattr button on the sites you read, or start with one below."),
            "",
            "",
            Click.objects.filter(reader=reader).exists(),
        ),
    ]
    suggestions = [] if steps[-1].done else popular_things(exclude_reader=reader)
    return ReaderSetup(steps, suggestions)


def payout_account_missing(*, creator) -> bool:
    """The creator has earned money (or holds some) and has no payment account that can
    receive it: their earnings wait, so they should be told where to set one up."""
    if payout_account_ready(creator):
        return False
    return (
        balance_cents(creator, Account.Kind.EARNINGS) > 0
        or Transfer.objects.filter(
            credit__kind=Account.Kind.EARNINGS, credit__user=creator
        ).exists()
    )
