"""Stripe's own ledger of the platform's balance: balance transactions and payouts to the
platform's bank (docs/PRODUCT.md, Reconciliation)."""

from __future__ import annotations

from collections.abc import Iterator

import stripe

from payouts.stripe_gateway import client


class BalanceUnavailable(RuntimeError):
    """Stripe could not be asked; the reconciliation is not run (it runs again later)."""


def balance_transactions(*, start: int, end: int) -> Iterator[dict]:
    """Every balance transaction created in [start, end) (Unix times), with its source
    object expanded (the charge, refund, dispute, transfer or reversal it comes from)."""
    try:
        page = client().v1.balance_transactions.list(
            {"created": {"gte": start, "lt": end}, "limit": 100, "expand": ["data.source"]}
        )
        for txn in page.auto_paging_iter():
            yield txn.to_dict()
    except stripe.StripeError as error:
        raise BalanceUnavailable(str(error.user_message or error)) from error


def payouts(*, start: int, end: int) -> Iterator[dict]:
    """Every payout of the platform's balance to its bank created in [start, end)."""
    try:
        page = client().v1.payouts.list({"created": {"gte": start, "lt": end}, "limit": 100})
        for payout in page.auto_paging_iter():
            yield payout.to_dict()
    except stripe.StripeError as error:
        raise BalanceUnavailable(str(error.user_message or error)) from error
