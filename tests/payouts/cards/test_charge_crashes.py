"""A process killed between writing an attempt and calling Stripe, or between Stripe's success
and our webhook, then run again: one payment at Stripe, one credit in the ledger.

Payday runs in a subprocess (the real command) against the fake Stripe server of this process,
and is killed (SIGKILL) at a stage of the charge attempt; ``manage.py charges`` runs next, as
beat would."""

import json
import os
import signal
import subprocess
import sys

import pytest

from payouts.cards.models import Charge, ChargeAttempt
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Transfer
from tests.factories import UserFactory
from tests.fake_stripe.checkout import deliver
from tests.payouts.cards.helpers import intent_event, pay_after_month, save_stripe_card
from tests.payouts.cards.test_cards_stripe import earnings  # earnings + held (new readers)
from tests.tips.payday.faults import ROOT
from tests.tips.payday.helpers import click


def manage(fake, *command, kill_at=""):
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.tips.payday.crash_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "PAYDAY_TEST_KILL": kill_at,
        "LOG_LEVEL": "WARNING",
        "STRIPE_SECRET_KEY": "sk_test_fake",
        "STRIPE_WEBHOOK_SECRET": "whsec_test_platform",
        "STRIPE_API_BASE": fake.url,
    }
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill_at", ["attempt_written:1", "provider_answered:1"])
def test_a_killed_charge_ends_in_one_payment_and_one_credit(client, fake_stripe, kill_at):
    reader = UserFactory()
    save_stripe_card(client, fake_stripe, reader)
    pay_after_month(reader, 1000)
    creators = UserFactory.create_batch(2)
    for creator in creators:
        click(reader, creator)

    killed = manage(fake_stripe, "payday", "--month", "2025-03", kill_at=kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    charge = Charge.objects.get(user=reader)
    attempt = charge.attempts.get()
    assert attempt.status == ChargeAttempt.Status.CREATED and not attempt.payment_intent_id
    made = len(fake_stripe.objects["payment_intents"])
    assert made == (0 if kill_at.startswith("attempt_written") else 1)

    again = manage(fake_stripe, "charges", "--json")
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout.strip().splitlines()[-1]) == {"tried": 1}
    attempt.refresh_from_db()
    assert attempt.status == ChargeAttempt.Status.SUCCEEDED and attempt.payment_intent_id
    assert len(fake_stripe.objects["payment_intents"]) == 1  # one payment at Stripe
    assert charge.attempts.count() == 1
    assert [earnings(c) for c in creators] == [0, 0]  # not before the webhook

    # The webhook, delivered twice as Stripe may: one credit.
    for _ in range(2):
        assert (
            deliver(client, intent_event(fake_stripe, attempt.payment_intent_id)).status_code == 200
        )
    assert sorted(earnings(c) for c in creators) == [450, 450]
    charge.refresh_from_db()
    assert Transfer.objects.filter(kind="top_up", reference=charge.topup.ledger_key).count() == 1
    assert manage(fake_stripe, "charges", "--json").returncode == 0
    assert len(fake_stripe.objects["payment_intents"]) == 1
    assert ledger_check(record=False).ok
