"""What operators see and do about money operations (docs/PRODUCT.md, Reconciliation,
Alerts): the dashboard's reconciliation and margin, resolving a difference with a note (in
the audit log), the audit log itself, and the alerts e-mailed to ADMINS."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from payouts.ledger.checks import ledger_check_or_alert
from payouts.ledger.services import post_transfer, system_account
from payouts.reconciliation.models import Difference
from payouts.reconciliation.services import losses_check, reconcile
from tests.factories import UserFactory
from tests.fake_stripe import checkout as stripe_side
from tests.payouts.holds.helpers import webhook_topup
from tests.tips.dashboards.test_operator_permissions import staff_client

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/operations/"
DIFFERENCES = "/admin/payouts/difference/"


@pytest.fixture
def a_difference(client, fake_stripe):
    topup, session = webhook_topup(client, fake_stripe, UserFactory(), "1000")
    stripe_side.refund(fake_stripe, session["payment_intent"], 400)
    reconcile(day=timezone.now().astimezone(dt.UTC).date())
    client.logout()
    return Difference.objects.get()


def test_the_dashboard_shows_the_reconciliation_differences_and_margin(client, a_difference):
    operator = staff_client(client, groups=("operator",))
    html = operator.get(DASHBOARD).content.decode()
    assert "Reconciliation with Stripe" in html
    assert "1 difference not resolved" in html
    assert a_difference.object_id in html
    assert "Margin by month" in html
    assert "Stripe fees" in html


def test_an_operator_resolves_a_difference_with_a_note_kept_in_the_audit_log(client, a_difference):
    operator = staff_client(client, groups=("operator",))
    post = {"action": "resolve", "_selected_action": [a_difference.pk], "confirm": "yes"}
    # Without a note nothing is resolved.
    response = operator.post(DIFFERENCES, post)
    assert "a note is required" in response.content.decode()
    a_difference.refresh_from_db()
    assert a_difference.resolved_at is None

    operator.post(DIFFERENCES, {**post, "note": "Refund booked by hand: correction #12"})

    a_difference.refresh_from_db()
    assert a_difference.resolved_at is not None
    assert a_difference.note == "Refund booked by hand: correction #12"
    entry = LogEntry.objects.get(object_id=str(a_difference.pk))
    assert "correction #12" in entry.get_change_message()
    log = operator.get("/admin/admin/logentry/").content.decode()
    assert "correction #12" in log


def test_support_can_neither_see_nor_resolve_differences(client, a_difference):
    support = staff_client(client, groups=("support",))
    assert support.get(DIFFERENCES).status_code == 403
    response = support.post(
        DIFFERENCES,
        {"action": "resolve", "_selected_action": [a_difference.pk], "confirm": "yes", "note": "x"},
    )
    assert response.status_code == 403
    a_difference.refresh_from_db()
    assert a_difference.resolved_at is None


def test_a_failed_ledger_check_and_big_losses_e_mail_the_operators(settings, mailoutbox):
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.LOSS_ALERT_CENTS = 1000
    reader = UserFactory()
    post_transfer(
        debit=system_account("losses"),
        credit=system_account("external", "stripe"),
        amount_cents=1500,
        idempotency_key="test:loss",
        kind="loss",
    )
    assert losses_check(day=timezone.now().astimezone(dt.UTC).date()) == 1500
    assert "Losses of" in mailoutbox[-1].subject
    assert reader  # an account exists, the ledger is sound
    assert ledger_check_or_alert().ok
    assert len(mailoutbox) == 1


@pytest.mark.ledger_broken
def test_a_failed_ledger_check_e_mails_the_operators(settings, mailoutbox):
    settings.ADMINS = [("Ops", "ops@example.org")]
    from payouts.ledger.models import Account

    Account.objects.filter(pk=system_account("commission").pk).update(balance_cents=5)
    assert not ledger_check_or_alert(during="in a test").ok
    (mail,) = mailoutbox
    assert mail.subject.endswith("Ledger check failed in a test")
    assert "check_ledger --json" in mail.body
