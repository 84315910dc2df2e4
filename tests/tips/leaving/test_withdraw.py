"""Withdrawing (PRODUCT.md, "Funding"): the real ``stripe`` library against the local fake,
the reader's own pages, webhooks signed the way Stripe signs them."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from payouts.funding.models import TopUp
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.reconciliation.services import reconcile
from payouts.withdrawals.models import WithdrawalRefund
from payouts.withdrawals.tasks import resend_withdrawals
from tests.factories import BudgetChangeFactory, ClickFactory, UserFactory
from tests.fake_stripe import checkout as stripe_side

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def wallet(user) -> int:
    return balance_cents(user, Account.Kind.WALLET)


def paid_topup(client, fake_stripe, cents: int) -> TopUp:
    response = client.post("/wallet/top-up/", {"custom_amount": f"{cents / 100:.2f}"})
    assert response.status_code == 302
    topup = TopUp.objects.latest("pk")
    session = stripe_side.pay_session(fake_stripe, topup.session_id)
    event = stripe_side.event(fake_stripe, "checkout.session.completed", session)
    assert stripe_side.deliver(client, event).status_code == 200
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PAID
    return topup


@pytest.fixture
def three_topups(client, fake_stripe, reader):
    """10.00, then 20.00, then 5.00 (the newest); a budget of 10.00 and a click this month."""
    topups = [paid_topup(client, fake_stripe, cents) for cents in (1000, 2000, 500)]
    BudgetChangeFactory(user=reader, amount_cents=1000)
    ClickFactory(reader=reader)
    return topups


def withdraw(client, amount: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/settings/leaving/withdraw/", {"amount": amount})


def test_the_page_shows_what_this_months_clicks_keep(client, three_topups, reader):
    page = client.get("/settings/leaving/").content.decode()

    assert wallet(reader) == 3500
    assert 'id="withdrawable">€25.00<' in page.replace("\xa0", "")


def test_withdrawing_refunds_the_newest_top_ups_first_and_keeps_the_budget(
    client, fake_stripe, three_topups, reader, django_capture_on_commit_callbacks
):
    first, second, newest = three_topups

    response = withdraw(client, "25.00", django_capture_on_commit_callbacks)

    assert response.status_code == 302
    calls = fake_stripe.calls("POST", "/v1/refunds")
    assert [(c.params["payment_intent"], c.params["amount"]) for c in calls] == [
        (newest.payment_id, "500"),
        (second.payment_id, "2000"),
    ]
    refunds = list(WithdrawalRefund.objects.order_by("pk"))
    assert [c.idempotency_key for c in calls] == [r.ledger_key for r in refunds]
    assert {r.status for r in refunds} == {WithdrawalRefund.Status.REFUNDED}
    assert wallet(reader) == 1000  # what this month's click needs at payday
    assert [TopUp.objects.get(pk=t.pk).refunded_cents for t in three_topups] == [0, 2000, 500]
    assert stripe_side.charge_of(fake_stripe, second.payment_id)["amount_refunded"] == 2000


def test_stripes_refund_notice_afterwards_books_nothing_twice(
    client, fake_stripe, three_topups, reader, django_capture_on_commit_callbacks
):
    withdraw(client, "25.00", django_capture_on_commit_callbacks)
    second = three_topups[1]
    charge = stripe_side.charge_of(fake_stripe, second.payment_id)

    event = stripe_side.event(fake_stripe, "charge.refunded", dict(charge))
    assert stripe_side.deliver(client, event).status_code == 200

    assert wallet(reader) == 1000
    assert not Transfer.objects.filter(kind=Transfer.Kind.LOSS).exists()


def test_a_part_of_a_top_up_is_refunded_when_less_is_asked(
    client, fake_stripe, three_topups, reader, django_capture_on_commit_callbacks
):
    withdraw(client, "7.50", django_capture_on_commit_callbacks)

    calls = fake_stripe.calls("POST", "/v1/refunds")
    assert [c.params["amount"] for c in calls] == ["500", "250"]
    assert wallet(reader) == 2750


@pytest.mark.parametrize("amount", ["25.01", "0", "-1", "abc", "1.234"])
def test_more_than_allowed_or_a_bad_amount_is_refused_and_nothing_moves(
    client, fake_stripe, three_topups, reader, amount, django_capture_on_commit_callbacks
):
    response = withdraw(client, amount, django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode() or "error" in response.content.decode()
    assert wallet(reader) == 3500
    assert not fake_stripe.calls("POST", "/v1/refunds")
    assert not WithdrawalRefund.objects.exists()


def test_without_clicks_everything_can_be_withdrawn(
    client, fake_stripe, reader, django_capture_on_commit_callbacks
):
    for cents in (1000, 2000):
        paid_topup(client, fake_stripe, cents)
    BudgetChangeFactory(user=reader, amount_cents=1000)

    withdraw(client, "30.00", django_capture_on_commit_callbacks)

    assert wallet(reader) == 0
    assert TopUp.objects.filter(refunded_cents=models_amount()).count() == 2


def models_amount():
    from django.db.models import F

    return F("amount_cents")


def test_a_refund_stripe_refuses_comes_back_to_the_wallet(
    client, fake_stripe, three_topups, reader, django_capture_on_commit_callbacks
):
    fake_stripe.fail_next(
        "POST",
        "/v1/refunds",
        status=400,
        body={"error": {"type": "invalid_request_error", "code": "charge_expired_for_refund"}},
    )

    withdraw(client, "25.00", django_capture_on_commit_callbacks)

    refused, refunded = WithdrawalRefund.objects.order_by("pk")
    assert refused.status == WithdrawalRefund.Status.RETURNED
    assert refunded.status == WithdrawalRefund.Status.REFUNDED
    assert wallet(reader) == 1000 + 500
    assert TopUp.objects.get(pk=three_topups[2].pk).refunded_cents == 0
    page = client.get("/settings/leaving/").content.decode()
    assert "refused by the bank, back in your wallet" in page
    # Reconciliation agrees: Stripe made one refund, the ledger's other one came back.
    report = reconcile(day=timezone.now().astimezone(dt.UTC).date())
    assert report.ok, report.differences


def test_an_unknown_outcome_is_asked_again_with_the_same_key(
    client, fake_stripe, three_topups, reader, django_capture_on_commit_callbacks
):
    fake_stripe.fail_next("POST", "/v1/refunds", after_work=True)
    withdraw(client, "5.00", django_capture_on_commit_callbacks)
    refund = WithdrawalRefund.objects.get()
    assert refund.status == WithdrawalRefund.Status.SENDING
    assert wallet(reader) == 3000  # on its way: neither spendable nor withdrawable twice

    with time_machine.travel(dt.timedelta(minutes=11)):
        assert resend_withdrawals() == 1

    refund.refresh_from_db()
    assert refund.status == WithdrawalRefund.Status.REFUNDED
    charge = stripe_side.charge_of(fake_stripe, three_topups[2].payment_id)
    assert charge["amount_refunded"] == 500  # refunded once, not twice


def ledger(reference: str) -> list[tuple[str, str, int]]:
    return list(
        Transfer.objects.filter(reference=reference)
        .order_by("pk")
        .values_list("idempotency_key", "kind", "amount_cents")
    )


def test_the_keys_are_pinned(
    client, fake_stripe, three_topups, reader, django_capture_on_commit_callbacks
):
    """Contracts that never change: the refund sent, and the one refused."""
    fake_stripe.fail_next(
        "POST",
        "/v1/refunds",
        status=400,
        body={"error": {"type": "invalid_request_error", "code": "charge_expired_for_refund"}},
    )
    withdraw(client, "7.50", django_capture_on_commit_callbacks)
    _first, second, newest = three_topups
    w = WithdrawalRefund.objects.get(topup=newest).withdrawal_id
    n, s = newest.pk, second.pk

    # Booked as refunds of their payments, the shape Stripe's own notice and reconciliation
    # use; a refused one comes back under the withdrawal's key.
    assert ledger(f"topup:{n}") == [
        (f"topup:{n}", "top_up", 500),
        (f"topup:{n}:refund:500", "refund", 500),
        (f"withdrawal:{w}:topup:{n}:returned", "correction", 500),
    ]
    assert ledger(f"topup:{s}") == [
        (f"topup:{s}", "top_up", 2000),
        (f"topup:{s}:refund:250", "refund", 250),
    ]
    assert [c.idempotency_key for c in fake_stripe.calls("POST", "/v1/refunds")] == [
        f"withdrawal:{w}:topup:{s}"
    ]
