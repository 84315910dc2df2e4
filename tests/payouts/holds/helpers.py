"""Building blocks for the money-operations tests: Stripe top-ups completed the way the
signed webhook completes them, payday run as the command runs it."""

from __future__ import annotations

import datetime as dt
import itertools

from django.test import override_settings

from payouts.funding.models import TopUp
from payouts.funding.topups import topup_complete, topup_dispute, topup_refund
from payouts.ledger.models import Account
from tests.factories import UserFactory

_ids = itertools.count(1)


def stripe_topup(user, cents: int) -> TopUp:
    """A top-up paid by card through Stripe: the row ``topup_start`` writes, then the
    ``topup_complete`` call of the ``checkout.session.completed`` webhook."""
    n = next(_ids)
    topup = TopUp.objects.create(
        user=user,
        amount_cents=cents,
        currency="EUR",
        provider="stripe",
        status=TopUp.Status.PENDING,
        session_id=f"cs_test_holds{n}_{user.pk}",
    )
    with override_settings(TOP_UP_MIN_CENTS=1, TOP_UP_MAX_CENTS=10**12):
        return topup_complete(
            provider="stripe",
            session_id=topup.session_id,
            amount_cents=cents,
            currency="eur",
            payment_id=f"pi_test_holds{n}_{user.pk}",
        )


def dispute(topup: TopUp, cents: int | None = None, dispute_id: str | None = None):
    return topup_dispute(
        provider="stripe",
        payment_id=topup.payment_id,
        dispute_id=dispute_id or f"dp_{topup.pk}",
        amount_cents=topup.amount_cents if cents is None else cents,
    )


def refund(topup: TopUp, total_cents: int):
    return topup_refund(
        provider="stripe", payment_id=topup.payment_id, refunded_total_cents=total_cents
    )


def balance(user, kind: str) -> int:
    return (
        Account.objects.filter(kind=kind, user=user).values_list("balance_cents", flat=True).first()
        or 0
    )


def system(kind: str, name: str = "") -> int:
    return (
        Account.objects.filter(kind=kind, name=name, user=None)
        .values_list("balance_cents", flat=True)
        .first()
        or 0
    )


def old_reader(**fields):
    """A reader whose account is a year old, with two earlier paid card payments."""
    reader = UserFactory(date_joined=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), **fields)
    return reader


def webhook_topup(
    client, fake_stripe, user, preset: str = "1000", *, card: str | None = None
) -> tuple[TopUp, dict]:
    """A reader tops up on Stripe's page; the signed ``checkout.session.completed`` arrives."""
    from tests.fake_stripe import checkout as stripe_side

    client.force_login(user)
    response = client.post("/wallet/top-up/", {"preset": preset})
    assert response.status_code == 302
    topup = TopUp.objects.latest("pk")
    session = stripe_side.pay_session(fake_stripe, topup.session_id, card=card)
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)
    assert stripe_side.deliver(client, event).status_code == 200
    topup.refresh_from_db()
    return topup, session


def send(client, fake_stripe, event_type: str, obj: dict):
    from tests.fake_stripe import checkout as stripe_side

    response = stripe_side.deliver(client, stripe_side.event(fake_stripe, event_type, obj))
    assert response.status_code == 200, response.content
    return response
