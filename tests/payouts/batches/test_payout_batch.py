"""Payout batches against the local fake Stripe, through the real ``stripe`` library."""

import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from payouts.batches.models import Payout, PayoutBatch
from payouts.batches.runs import payout_batch_prepare, payout_batch_run
from payouts.batches.services import payout_send
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import system_account
from tests.factories import PaymentAccountFactory, UserFactory, give_earnings
from tests.fake_stripe import connect as fake_connect

pytestmark = pytest.mark.django_db


def stripe_creator(fake_stripe, earnings_cents: int, **user_fields):
    """A creator whose Stripe connected account finished onboarding, with earnings."""
    creator = UserFactory(**user_fields)
    _, account = fake_connect.create_account(
        fake_stripe, {"capabilities": {"transfers": {"requested": "true"}}}, None
    )
    fake_connect.complete_onboarding(fake_stripe, account["id"])
    PaymentAccountFactory(user=creator, provider="stripe", provider_account_id=account["id"])
    if earnings_cents:
        give_earnings(creator, earnings_cents)
    return creator


def earnings(user) -> int:
    return balance_cents(user, "earnings")


def in_transit() -> int:
    return system_account("in_transit").balance_cents


def paid_out(provider: str = "stripe") -> int:
    """Money that left the platform through ``provider`` (minus what came in through it)."""
    return system_account("external", provider).balance_cents


def transfers_at_fake(fake_stripe) -> list[dict]:
    return list(fake_stripe.objects["transfers"].values())


def test_a_clean_batch_pays_each_eligible_creator_their_whole_balance_once(
    fake_stripe, django_capture_on_commit_callbacks
):
    alice = stripe_creator(fake_stripe, 2550)
    bob = stripe_creator(fake_stripe, 1000)

    with django_capture_on_commit_callbacks(execute=True):
        summary = payout_batch_run()

    assert (summary.payouts, summary.paid, summary.failed, summary.amount) == (2, 2, 0, 3550)
    assert summary.status == "done"
    assert earnings(alice) == earnings(bob) == 0
    assert in_transit() == 0
    sent = sorted(
        (t["amount"], t["destination"], t["currency"]) for t in transfers_at_fake(fake_stripe)
    )
    assert sent == sorted(
        [
            (2550, alice.payment_account.provider_account_id, "eur"),
            (1000, bob.payment_account.provider_account_id, "eur"),
        ]
    )
    payout = Payout.objects.get(user=alice)
    assert payout.status == "paid"
    assert payout.provider_transfer_id in fake_stripe.objects["transfers"]
    request = fake_stripe.calls("POST", "/v1/transfers")[0]
    assert request.idempotency_key.startswith("payout-")
    assert request.params["transfer_group"] == f"payout-batch-{summary.batch}"
    assert {
        t.idempotency_key for t in Transfer.objects.filter(reference=f"payout:{payout.pk}")
    } == {
        f"payout:{payout.pk}",
        f"payout:{payout.pk}:paid",
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bob.email])
    assert "is on its way" in mail.outbox[0].subject
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert ledger_check(record=False).ok


def test_creators_below_the_minimum_suspended_flagged_or_without_a_ready_account_are_left_alone(
    fake_stripe, django_capture_on_commit_callbacks, settings
):
    settings.PAYOUT_MINIMUM_CENTS = 1000
    below = stripe_creator(fake_stripe, 999)
    from django.utils import timezone

    suspended = stripe_creator(fake_stripe, 5000, suspended_at=timezone.now())
    flagged = stripe_creator(fake_stripe, 5000)
    flagged.payment_account.payouts_flagged_at = timezone.now()
    flagged.payment_account.save()
    not_ready = stripe_creator(fake_stripe, 5000)
    not_ready.payment_account.status = "information_needed"
    not_ready.payment_account.save()
    no_account = UserFactory()
    give_earnings(no_account, 5000)

    with django_capture_on_commit_callbacks(execute=True):
        summary = payout_batch_run()

    assert summary.payouts == 0
    assert transfers_at_fake(fake_stripe) == []
    assert [earnings(u) for u in (below, suspended, flagged, not_ready, no_account)] == [
        999,
        5000,
        5000,
        5000,
        5000,
    ]
    assert mail.outbox == []


def test_below_the_minimum_earnings_wait_and_are_paid_once_they_accumulate(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 600)
    with django_capture_on_commit_callbacks(execute=True):
        assert payout_batch_run().payouts == 0
    give_earnings(creator, 500, month="2026-11")

    with django_capture_on_commit_callbacks(execute=True):
        summary = payout_batch_run()

    assert (summary.paid, summary.amount) == (1, 1100)
    assert earnings(creator) == 0
    assert paid_out() == 1100


def test_a_server_error_is_retried_with_the_same_key_and_pays_exactly_once(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 4200)
    fake_stripe.fail_next("POST", "/v1/transfers", status=500)

    with django_capture_on_commit_callbacks(execute=True):
        summary = payout_batch_run()

    # The batch left it in flight; the Celery retry (eager here) sent it again.
    assert summary.sending == 1
    payout = Payout.objects.get(user=creator)
    assert payout.status == "paid"
    assert payout.attempts == 2
    keys = [
        r.idempotency_key
        for r in fake_stripe.requests
        if r.method == "POST" and r.path == "/v1/transfers"
    ]
    assert keys == [f"payout-{payout.pk}", f"payout-{payout.pk}"]
    assert len(transfers_at_fake(fake_stripe)) == 1
    assert earnings(creator) == 0
    assert in_transit() == 0
    assert paid_out() == 4200
    assert PayoutBatch.objects.get(pk=summary.batch).status == "done"
    assert len(mail.outbox) == 1


def test_a_timeout_after_stripe_did_the_work_then_a_rerun_still_makes_one_transfer(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 3000)
    fake_stripe.fail_next("POST", "/v1/transfers", after_work=True)

    # The retry task is queued but never runs (the worker died): nothing executes on commit.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = payout_batch_run()

    assert first.sending == 1 and first.status == "sending"
    assert len(queued) == 1
    assert len(transfers_at_fake(fake_stripe)) == 1  # Stripe did it; we never heard back.
    assert earnings(creator) == 0
    assert in_transit() == 3000  # the money is in transit, not lost and not back
    assert ledger_check(record=False).ok

    with django_capture_on_commit_callbacks(execute=True):
        second = payout_batch_run()

    assert second.resumed == 1 and second.payouts == 0
    assert len(transfers_at_fake(fake_stripe)) == 1
    payout = Payout.objects.get(user=creator)
    assert payout.status == "paid"
    assert payout.provider_transfer_id == transfers_at_fake(fake_stripe)[0]["id"]
    assert PayoutBatch.objects.get(pk=first.batch).status == "done"
    assert (earnings(creator), in_transit(), paid_out()) == (0, 0, 3000)


def test_a_crash_between_writing_the_payout_and_calling_stripe_is_finished_by_the_next_run(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 1500)
    # Step one as the batch does it, then the process dies before any provider call.
    payout_batch_prepare(trigger="manual")
    payout = Payout.objects.get(user=creator)
    assert payout.status == "sending"
    assert fake_stripe.calls("POST", "/v1/transfers") == []
    assert (earnings(creator), in_transit()) == (0, 1500)

    with django_capture_on_commit_callbacks(execute=True):
        rerun = payout_batch_run()

    assert rerun.resumed == 1
    assert rerun.payouts == 0  # no second payout: the creator's money was already in flight
    assert Payout.objects.filter(user=creator).count() == 1
    payout.refresh_from_db()
    assert payout.status == "paid"
    assert [r.idempotency_key for r in fake_stripe.calls("POST", "/v1/transfers")] == [
        f"payout-{payout.pk}"
    ]
    assert (earnings(creator), in_transit(), paid_out()) == (0, 0, 1500)


def test_sending_the_same_payout_twice_makes_one_transfer_and_moves_money_once(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 2000)
    payout_batch_prepare(trigger="manual")
    payout = Payout.objects.get(user=creator)

    with django_capture_on_commit_callbacks(execute=True):
        assert payout_send(payout_id=payout.pk) == "paid"
        assert payout_send(payout_id=payout.pk) == "paid"

    assert len(transfers_at_fake(fake_stripe)) == 1
    assert paid_out() == 2000
    assert len(mail.outbox) == 1


def test_no_such_destination_returns_the_money_to_earnings_and_tells_the_creator(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 2500)
    # The connected account disappeared at Stripe.
    del fake_stripe.objects["accounts"][creator.payment_account.provider_account_id]

    with django_capture_on_commit_callbacks(execute=True):
        summary = payout_batch_run()

    assert (summary.paid, summary.failed) == (0, 1)
    payout = Payout.objects.get(user=creator)
    assert payout.status == "failed"
    assert "No such destination" in payout.failure_reason
    assert payout.failure_code == "resource_missing"
    assert (earnings(creator), in_transit(), paid_out()) == (2500, 0, 0)
    assert Transfer.objects.filter(idempotency_key=f"payout:{payout.pk}:returned:1").exists()
    creator.payment_account.refresh_from_db()
    assert creator.payment_account.consecutive_failures == 1
    assert not creator.payment_account.is_flagged
    assert len(mail.outbox) == 1
    assert "could not be sent" in mail.outbox[0].subject
    assert "/payouts/get-paid/" in mail.outbox[0].body


def test_insufficient_platform_balance_fails_the_payout_without_counting_against_the_creator(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 5000)
    fake_stripe.balance_cents = 4999

    with django_capture_on_commit_callbacks(execute=True):
        summary = payout_batch_run()

    payout = Payout.objects.get(user=creator)
    assert (summary.failed, payout.status, payout.failure_code) == (
        1,
        "failed",
        "balance_insufficient",
    )
    assert transfers_at_fake(fake_stripe) == []
    assert (earnings(creator), in_transit(), paid_out()) == (5000, 0, 0)
    creator.payment_account.refresh_from_db()
    assert creator.payment_account.consecutive_failures == 0

    # The operator tops up the platform balance; the next batch pays with a new payout.
    fake_stripe.balance_cents = 100_000
    with django_capture_on_commit_callbacks(execute=True):
        again = payout_batch_run()
    assert again.paid == 1
    assert (earnings(creator), paid_out()) == (0, 5000)


def test_three_failures_in_a_row_flag_the_creator_and_hold_their_payouts(
    fake_stripe, django_capture_on_commit_callbacks, settings
):
    settings.PAYOUT_FAILURES_BEFORE_FLAG = 3
    creator = stripe_creator(fake_stripe, 1200)
    account_id = creator.payment_account.provider_account_id
    fake_connect.restrict(fake_stripe, account_id)  # Stripe refuses, our copy still says ready

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert payout_batch_run().failed == 1

    creator.payment_account.refresh_from_db()
    assert creator.payment_account.is_flagged
    assert "3 payouts failed in a row" in creator.payment_account.flag_reason
    with django_capture_on_commit_callbacks(execute=True):
        held = payout_batch_run()
    assert held.payouts == 0
    assert Payout.objects.filter(user=creator).count() == 3
    assert (earnings(creator), in_transit()) == (1200, 0)
    assert len(mail.outbox) == 3


def test_the_command_prints_a_json_summary_and_dry_run_changes_nothing(
    fake_stripe, django_capture_on_commit_callbacks
):
    creator = stripe_creator(fake_stripe, 1750)
    out = StringIO()
    call_command("payouts", "--dry-run", "--json", stdout=out)
    dry = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (dry["payouts"], dry["amount"], dry["batch"], dry["status"]) == (
        1,
        1750,
        None,
        "dry_run",
    )
    assert Payout.objects.count() == 0 and PayoutBatch.objects.count() == 0
    assert earnings(creator) == 1750

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("payouts", "--json", stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    batch = PayoutBatch.objects.get()
    assert result == {
        "batch": batch.pk,
        "payouts": 1,
        "paid": 1,
        "failed": 0,
        "sending": 0,
        "amount": 1750,
        "resumed": 0,
        "status": "done",
        "dry_run": False,
    }
    assert earnings(creator) == 0


def test_payday_follow_up_task_runs_a_batch_in_the_sandbox(
    settings, django_capture_on_commit_callbacks
):
    from payouts.batches.jobs import payout_batch_after_payday

    settings.PAYMENTS_SANDBOX = True
    assert "payouts.batches.jobs.payout_batch_after_payday" in settings.PAYDAY_FOLLOW_UP_TASKS
    creator = PaymentAccountFactory().user
    give_earnings(creator, 1300)

    with django_capture_on_commit_callbacks(execute=True):
        result = payout_batch_after_payday.delay(month="2026-10").get()

    assert (result["paid"], result["amount"]) == (1, 1300)
    assert PayoutBatch.objects.get().trigger == "payday:2026-10"
    assert Payout.objects.get().provider_transfer_id.startswith("sandbox_tr_")
    assert (earnings(creator), paid_out("sandbox")) == (0, 0)  # funded from sandbox, paid to it
    assert system_account("external", "sandbox").balance_cents == 0
    assert "no real money" in mail.outbox[0].body


def test_sandbox_payouts_are_refused_when_the_sandbox_is_off(
    settings, django_capture_on_commit_callbacks
):
    settings.PAYMENTS_SANDBOX = True
    creator = PaymentAccountFactory().user
    give_earnings(creator, 1300)
    payout_batch_prepare(trigger="manual")
    settings.PAYMENTS_SANDBOX = False

    with django_capture_on_commit_callbacks(execute=True):
        summary = payout_batch_run()

    assert summary.resumed == 1
    payout = Payout.objects.get()
    assert (payout.status, payout.failure_code) == ("failed", "sandbox_off")
    assert earnings(creator) == 1300
    # And no new sandbox payout is even attempted while it is off.
    assert summary.payouts == 0
