"""Reconciliation with Stripe (docs/PRODUCT.md, Reconciliation; Fees): the fake Stripe server
keeps balance transactions as Stripe does; whatever one side has and the other has not is
reported once, fees are booked once."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from payouts.batches.runs import payout_batch_run
from payouts.ledger.models import Transfer
from payouts.ledger.services import post_transfer, system_account
from payouts.reconciliation.models import Difference, StripeBalanceTransaction, StripePayout
from payouts.reconciliation.services import margin_by_month, reconcile
from tests.factories import UserFactory
from tests.fake_stripe import balance as stripe_balance
from tests.fake_stripe import checkout as stripe_side
from tests.fake_stripe import connect as fake_connect
from tests.payouts.batches.test_payout_batch import stripe_creator
from tests.payouts.holds.helpers import send, system, webhook_topup

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Ops", "ops@example.org")]


def today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def test_a_clean_day_reconciles_and_books_every_fee_once(client, fake_stripe, admins, mailoutbox):
    reader = UserFactory()
    topup, session = webhook_topup(client, fake_stripe, reader, "2500")
    stripe_side.refund(fake_stripe, session["payment_intent"], 500)
    send(
        client,
        fake_stripe,
        "charge.refunded",
        stripe_side.charge_of(fake_stripe, session["payment_intent"]),
    )
    dispute = stripe_side.dispute(fake_stripe, session["payment_intent"], 1000)
    send(client, fake_stripe, "charge.dispute.created", dispute)
    stripe_creator(fake_stripe, 1500)
    assert payout_batch_run().paid == 1
    stripe_balance.connect_fee(fake_stripe, 200)
    stripe_balance.platform_payout(fake_stripe, 300)

    report = reconcile(day=today())

    assert report.ok, report.differences
    # 1.5% + 0.25 on 25.00 = 0.63 (card), 15.00 (dispute), 2.00 (Connect).
    assert report.fees_booked_cents == 63 + 1500 + 200
    assert system("fees") == -(63 + 1500 + 200)
    assert StripePayout.objects.get().amount_cents == 300
    assert not mailoutbox
    again = reconcile(day=today())
    assert again.ok and again.fees_booked == 0
    assert Transfer.objects.filter(kind="fee").count() == 3


def test_a_refund_stripe_made_and_the_ledger_missed_is_reported_once(
    client, fake_stripe, admins, mailoutbox
):
    topup, session = webhook_topup(client, fake_stripe, UserFactory(), "1000")
    stripe_side.refund(fake_stripe, session["payment_intent"], 400)  # the webhook was lost

    first = reconcile(day=today())
    second = reconcile(day=today())

    assert first.differences == [
        {"kind": "refunded", "object_id": session["payment_intent"], "stripe": 400, "ledger": 0}
    ]
    assert (first.new_differences, second.new_differences) == (1, 0)
    assert Difference.objects.count() == 1
    assert len(mailoutbox) == 1
    assert session["payment_intent"] in mailoutbox[0].body
    assert mailoutbox[0].to == ["ops@example.org"]


def test_a_refund_the_ledger_booked_and_stripe_never_made_is_reported(client, fake_stripe):
    topup, session = webhook_topup(client, fake_stripe, UserFactory(), "1000")
    charge = dict(stripe_side.charge_of(fake_stripe, session["payment_intent"]))
    charge["amount_refunded"] = 300  # an event Stripe never really sent
    send(client, fake_stripe, "charge.refunded", charge)

    report = reconcile(day=today())

    assert report.differences == [
        {"kind": "refunded", "object_id": session["payment_intent"], "stripe": 0, "ledger": 300}
    ]


def test_a_transfer_the_ledger_does_not_have_and_a_payout_stripe_does_not_have(fake_stripe):
    creator = stripe_creator(fake_stripe, 1500)
    account = creator.payment_account.provider_account_id
    # Someone made a transfer from the dashboard: no payout of ours.
    status, stray = fake_connect.create_transfer(
        fake_stripe, {"amount": "700", "currency": "eur", "destination": account}, None
    )
    assert status == 200
    assert payout_batch_run().paid == 1
    payout = creator.payouts.get()
    # Stripe's record of our payout's transfer is lost (the fake forgets it).
    for txn_id, txn in list(fake_stripe.objects["balance_transactions"].items()):
        if txn["source"] == payout.provider_transfer_id:
            del fake_stripe.objects["balance_transactions"][txn_id]

    report = reconcile(day=today())

    assert sorted(report.differences, key=lambda d: d["ledger"]) == [
        {"kind": "payout_sent", "object_id": stray["id"], "stripe": 700, "ledger": 0},
        {
            "kind": "payout_sent",
            "object_id": payout.provider_transfer_id,
            "stripe": 0,
            "ledger": 1500,
        },
    ]
    reconcile(day=today())
    assert Difference.objects.count() == 2


def test_a_fee_only_stripe_has_is_booked_once_and_one_only_the_ledger_has_is_reported(fake_stripe):
    stripe_balance.connect_fee(fake_stripe, 250)
    reconcile(day=today())
    reconcile(day=today())
    assert Transfer.objects.filter(kind="fee").get().amount_cents == 250
    post_transfer(
        debit=system_account("fees"),
        credit=system_account("external", "stripe"),
        amount_cents=99,
        idempotency_key="fee:txn_never_at_stripe",
        kind="fee",
    )

    report = reconcile(day=today())

    assert report.differences == [
        {"kind": "fee", "object_id": "txn_never_at_stripe", "stripe": 0, "ledger": 99}
    ]


def test_a_charge_of_a_payment_we_never_heard_of_is_reported(fake_stripe, client):
    topup, session = webhook_topup(client, fake_stripe, UserFactory(), "1000")
    # A charge made outside the platform (the dashboard, another integration).
    stranger = fake_stripe.store(
        "charges",
        {"id": "ch_stranger", "object": "charge", "amount": 600, "payment_intent": "pi_stranger"},
    )
    stripe_balance.record(fake_stripe, type_="charge", amount=600, source=stranger["id"], fee=34)

    report = reconcile(day=today())

    assert report.differences == [
        {"kind": "paid", "object_id": "pi_stranger", "stripe": 600, "ledger": 0}
    ]
    assert StripeBalanceTransaction.objects.filter(type="charge").count() == 2


def test_the_command_reports_as_json_and_fails_on_differences(client, fake_stripe):
    topup, session = webhook_topup(client, fake_stripe, UserFactory(), "1000")
    out = StringIO()
    call_command("reconcile", "--date", today().isoformat(), "--json", stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["status"] == "ok" and result["fees_booked_cents"] == 40

    stripe_side.refund(fake_stripe, session["payment_intent"], 1000)
    with pytest.raises(CommandError, match="differences"):
        call_command("reconcile", "--date", today().isoformat(), stdout=StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reconcile", "--date", "yesterday")


def test_the_margin_is_commission_minus_fees_minus_losses(client, fake_stripe):
    post_transfer(
        debit=system_account("external", "sandbox"),
        credit=system_account("commission"),
        amount_cents=1000,
        idempotency_key="test:commission",
        kind="commission",
    )
    stripe_balance.connect_fee(fake_stripe, 300)
    reconcile(day=today())
    (month,) = margin_by_month()
    assert (month["commission"], month["fees"], month["losses"], month["margin"]) == (
        1000,
        300,
        0,
        700,
    )
