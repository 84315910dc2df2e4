"""Operators see batches and payouts, retry failed payouts and clear flags, with a confirmation
step and an admin log entry."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from payouts.batches.models import Payout
from payouts.batches.runs import payout_batch_run
from payouts.connect.models import PaymentAccount
from payouts.ledger.selectors import balance_cents
from tests.factories import UserFactory
from tests.payouts.batches.test_payout_batch import stripe_creator

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    return staff


def failed_payout(fake_stripe, capture, cents=2500):
    creator = stripe_creator(fake_stripe, cents)
    fake_stripe.balance_cents = 0
    with capture(execute=True):
        payout_batch_run()
    fake_stripe.balance_cents = 1_000_000
    payout = Payout.objects.get(user=creator)
    assert payout.status == "failed"
    return creator, payout


def test_operators_see_payouts_with_states_reasons_and_provider_ids(
    client, operator, fake_stripe, django_capture_on_commit_callbacks
):
    creator, payout = failed_payout(fake_stripe, django_capture_on_commit_callbacks)

    listing = client.get("/admin/payouts/payout/").content.decode()
    batch = client.get(f"/admin/payouts/payoutbatch/{payout.batch_id}/change/").content.decode()
    detail = client.get(f"/admin/payouts/payout/{payout.pk}/change/").content.decode()

    assert creator.email in listing or creator.name in listing
    assert "balance_insufficient" in listing
    assert "balance_insufficient" in batch
    assert "insufficient available funds" in detail
    assert 'name="amount_cents"' not in detail  # money is read-only


def test_retrying_a_failed_payout_asks_for_confirmation_then_pays_and_logs_it(
    client, operator, fake_stripe, django_capture_on_commit_callbacks
):
    creator, payout = failed_payout(fake_stripe, django_capture_on_commit_callbacks)
    form = {"action": "retry_failed", "_selected_action": [payout.pk]}

    confirmation = client.post("/admin/payouts/payout/", form)
    assert confirmation.status_code == 200
    assert "Yes, I am sure" in confirmation.content.decode()
    assert Payout.objects.count() == 1  # nothing happened yet

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/admin/payouts/payout/", {**form, "confirm": "yes"}, follow=True)

    assert "1 paid" in done.content.decode()
    retried = Payout.objects.exclude(pk=payout.pk).get()
    assert (retried.status, retried.amount_cents) == ("paid", 2500)
    assert retried.batch.trigger == "retry"
    assert balance_cents(creator, "earnings") == 0
    assert len(fake_stripe.objects["transfers"]) == 1
    entry = LogEntry.objects.get(object_id=str(retried.pk))
    assert entry.user == operator and "Retry of a failed payout" in entry.get_change_message()


def test_clearing_a_flag_asks_for_confirmation_and_lets_the_next_batch_pay(
    client, operator, fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 1800)
    PaymentAccount.objects.filter(user=creator).update(
        payouts_flagged_at=timezone.now(),
        flag_reason="3 payouts failed in a row",
        consecutive_failures=3,
    )
    account = PaymentAccount.objects.get(user=creator)
    form = {"action": "clear_flags", "_selected_action": [account.pk]}

    flagged_list = client.get("/admin/payouts/paymentaccount/?flagged=yes").content.decode()
    assert account.provider_account_id in flagged_list
    confirmation = client.post("/admin/payouts/paymentaccount/", form)
    assert "3 payouts failed in a row" in confirmation.content.decode()
    assert PaymentAccount.objects.get(pk=account.pk).is_flagged

    client.post("/admin/payouts/paymentaccount/", {**form, "confirm": "yes"})

    account.refresh_from_db()
    assert not account.is_flagged and account.consecutive_failures == 0
    assert (
        "Payout flag cleared"
        in LogEntry.objects.get(object_id=str(account.pk)).get_change_message()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert payout_batch_run().paid == 1


def test_nobody_edits_payouts_by_hand(
    client, operator, fake_stripe, django_capture_on_commit_callbacks
):
    _, payout = failed_payout(fake_stripe, django_capture_on_commit_callbacks)

    response = client.post(
        f"/admin/payouts/payout/{payout.pk}/change/", {"amount_cents": 1, "status": "paid"}
    )

    assert response.status_code == 403
    payout.refresh_from_db()
    assert (payout.amount_cents, payout.status) == (2500, "failed")
