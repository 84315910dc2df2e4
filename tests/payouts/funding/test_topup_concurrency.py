"""Webhook deliveries racing each other on PostgreSQL: a top-up is credited once."""

import pytest

from payouts.funding.models import TopUp
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.webhooks.events import event_parse
from payouts.webhooks.models import ProviderEvent
from payouts.webhooks.platform import PLATFORM_EVENTS
from payouts.webhooks.services import event_receive
from tests.factories import UserFactory
from tests.payouts.ledger.test_ledger_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def paid_session_event(event_id: str, event_type: str, topup: TopUp) -> dict:
    return {
        "id": event_id,
        "type": event_type,
        "data": {
            "object": {
                "id": topup.session_id,
                "object": "checkout.session",
                "payment_status": "paid",
                "amount_total": topup.amount_cents,
                "currency": "eur",
                "metadata": {"topup": str(topup.pk)},
                "payment_intent": "pi_race",
            }
        },
    }


@pytest.fixture
def topup():
    return TopUp.objects.create(
        user=UserFactory(),
        amount_cents=2500,
        currency="EUR",
        provider="stripe",
        session_id="cs_test_race",
        status="pending",
    )


def test_the_same_event_delivered_by_many_threads_at_once_credits_once(topup):
    event = event_parse(paid_session_event("evt_race", "checkout.session.completed", topup))

    results = run_in_threads(8, lambda i: event_receive(handlers=PLATFORM_EVENTS, event=event))

    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(first for _record, first in results) == [False] * 7 + [True]
    assert ProviderEvent.objects.count() == 1
    assert balance_cents(topup.user, Account.Kind.WALLET) == 2500


def test_different_events_for_one_session_at_once_credit_once(topup):
    kinds = ["checkout.session.completed", "checkout.session.async_payment_succeeded"]

    results = run_in_threads(
        8,
        lambda i: event_receive(
            handlers=PLATFORM_EVENTS,
            event=event_parse(paid_session_event(f"evt_{i}", kinds[i % 2], topup)),
        ),
    )

    assert all(isinstance(r, tuple) for r in results), results
    assert ProviderEvent.objects.count() == 8
    assert Transfer.objects.filter(kind="top_up").count() == 1
    assert balance_cents(topup.user, Account.Kind.WALLET) == 2500
