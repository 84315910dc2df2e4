"""Hypothesis over mixed populations: prepaid readers, readers who pay after the month, prepaid
readers with an automatic top-up; payments that succeed, are declined then succeed, need
authentication (paid from the link), fail for good, or succeed twice. Every reader's split is
exactly docs/PRODUCT.md's, no creator is credited money not collected, no card is charged twice
for one charge without a refund, and check_ledger passes after every step."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payouts.cards.charges import charge_pay_start, charge_payment_confirmed, charges_due
from payouts.cards.models import Charge, ChargeAttempt
from payouts.cards.services import auto_top_up_set
from payouts.ledger.checks import ledger_check
from payouts.providers import Provider
from tests.factories import TopUpFactory, UserFactory
from tests.payouts.cards.helpers import pay_after_month, save_sandbox_card
from tests.tips.payday.expected import Reader, expected_payday, expected_split
from tests.tips.payday.helpers import MONTH, click, commission_total, earnings, set_budget, wallet

pytestmark = pytest.mark.django_db

GOOD, DECLINED, AUTH = "4242424242424242", "4000000000000002", "4000002760003184"
CARD_OF = {"succeed": GOOD, "decline_then_succeed": DECLINED, "auth": AUTH, "fail": DECLINED}
CARD_OF["twice"] = GOOD

population = st.lists(
    st.fixed_dictionaries(
        {
            "mode": st.sampled_from(["prepaid", "after", "auto"]),
            "budget": st.integers(min_value=500, max_value=3000),
            "wallet": st.integers(min_value=0, max_value=4000),
            "clicks": st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=4),
            "outcome": st.sampled_from(list(CARD_OF)),
        }
    ),
    min_size=1,
    max_size=5,
)


def assert_ledger_ok(step: str) -> None:
    report = ledger_check(record=False)
    assert report.ok, f"after {step}: {report.as_dict()}"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=population)
def test_mixed_populations_pay_exactly_what_was_collected(
    people, run_payday, django_capture_on_commit_callbacks
):
    with transaction.atomic(), override_settings(CHARGE_RETRY_DAYS=[1]):
        _run(people, run_payday, django_capture_on_commit_callbacks)
        transaction.set_rollback(True)


def _run(people, run_payday, capture):
    creators = UserFactory.create_batch(4)
    readers = []
    for spec in people:
        reader = UserFactory()
        spec = dict(spec, pk=reader.pk, user=reader)
        if spec["mode"] == "after":
            save_sandbox_card(reader, CARD_OF[spec["outcome"]])
            pay_after_month(reader, spec["budget"])
            spec["wallet"] = 0
        else:
            if spec["wallet"]:
                TopUpFactory(user=reader, amount_cents=spec["wallet"])
            set_budget(reader, spec["budget"])
            if spec["mode"] == "auto":
                save_sandbox_card(reader, CARD_OF[spec["outcome"]])
                auto_top_up_set(user=reader, amount_cents=2500)
        spec["clicked"] = [creators[i].pk for i in spec["clicks"]]
        for pk in sorted(set(spec["clicks"])):
            click(reader, creators[pk])
        readers.append(spec)

    run_payday(MONTH)
    assert_ledger_ok("payday")

    later = timezone.now()
    charged = [(s, Charge.objects.filter(user=s["user"]).first()) for s in readers]
    charged = [(s, charge) for s, charge in charged if charge is not None]
    with capture(execute=True):
        for spec, _charge in charged:
            if spec["outcome"] == "decline_then_succeed":
                save_sandbox_card(spec["user"], GOOD)
        assert_ledger_ok("cards replaced")
        # The retry day: declined charges are tried again (the replaced cards now succeed).
        charges_due(now=later + dt.timedelta(days=2))
    assert_ledger_ok("the retries")
    for spec, charge in charged:
        outcome = spec["outcome"]
        charge.refresh_from_db()
        with capture(execute=True):
            if outcome == "auth":
                charge_pay_start(user=spec["user"], charge_id=charge.pk, token=charge.action_token)
                attempt = charge.attempts.get(status=ChargeAttempt.Status.CREATED)
                _confirm(charge, attempt)
            elif outcome == "twice":
                extra = ChargeAttempt.objects.create(
                    charge=charge, number=99, via="checkout", status="canceled"
                )
                _confirm(charge, extra)
        assert_ledger_ok(f"{outcome} of {charge}")

    # The expected money: prepaid readers as payday's rule says; charged readers' splits only
    # when collected (with given = budget).
    prepaid = [
        Reader(s["pk"], s["budget"], s["wallet"], s["clicked"])
        for s in readers
        if s["mode"] != "after"
    ]
    wallets, earned, commission = expected_payday(MONTH, prepaid, set())
    for spec in readers:
        if spec["mode"] != "after":
            continue
        charge = Charge.objects.get(user=spec["user"], kind=Charge.Kind.MONTH)
        collected = spec["outcome"] != "fail"
        assert charge.status == (Charge.Status.SUCCEEDED if collected else Charge.Status.FAILED)
        if collected:
            cut, shares = expected_split(MONTH, spec["pk"], spec["budget"], spec["clicked"])
            commission += cut
            for pk, cents in shares.items():
                earned[pk] = earned.get(pk, 0) + cents
    for spec in readers:
        if spec["mode"] == "auto":
            topped = spec["outcome"] != "fail" and spec["outcome"] != "decline_then_succeed"
            if wallets[spec["pk"]] >= spec["budget"]:
                topped = False
            if spec["outcome"] == "decline_then_succeed" and wallets[spec["pk"]] < spec["budget"]:
                topped = True  # the card was replaced, the retry succeeded
            assert wallet(spec["user"]) == wallets[spec["pk"]] + (2500 if topped else 0)
        elif spec["mode"] == "prepaid":
            assert wallet(spec["user"]) == wallets[spec["pk"]]
        else:
            assert wallet(spec["user"]) == 0
    assert {c.pk: earnings(c) for c in creators} == {c.pk: earned.get(c.pk, 0) for c in creators}
    assert commission_total() == commission
    for charge in Charge.objects.all():
        statuses = list(charge.attempts.values_list("status", "refund_id"))
        assert sum(1 for status, _r in statuses if status == "succeeded") <= 1
        assert all(refund for status, refund in statuses if status == "refunded")
        if charge.status == Charge.Status.SUCCEEDED:
            assert sum(1 for status, _r in statuses if status == "succeeded") == 1


def _confirm(charge, attempt):
    charge_payment_confirmed(
        provider=Provider.SANDBOX,
        payment_intent_id=f"sbx_pi_{attempt.pk}",
        amount_cents=charge.amount_cents,
        currency=charge.currency,
        attempt_key=attempt.idempotency_key,
    )
