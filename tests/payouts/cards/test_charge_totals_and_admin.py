"""What operators see of charges: payday's JSON and the operations dashboard keep prepaid money
apart from money charged after the month (collected, pending, not collected); the charge's
admin page with its attempts and "retry now"; a pending charge never holds back the next
payday."""

import io
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command

from flattr_clone.months import next_month
from payouts.cards.models import Charge
from tests.factories import TopUpFactory, UserFactory
from tests.payouts.cards.helpers import month_charge, pay_after_month, save_sandbox_card
from tests.tips.dashboards.test_operator_admin import operator, operator_client  # noqa: F401
from tests.tips.payday.helpers import MONTH, click, set_budget

pytestmark = pytest.mark.django_db


def world():
    creator = UserFactory()
    prepaid, good, declined = UserFactory(), UserFactory(), UserFactory()
    TopUpFactory(user=prepaid, amount_cents=5000)
    set_budget(prepaid, 2000)
    save_sandbox_card(good)
    pay_after_month(good, 1000)
    save_sandbox_card(declined, "4000000000000002")
    pay_after_month(declined, 700)
    for reader in (prepaid, good, declined):
        click(reader, creator)
    return creator, prepaid, good, declined


def test_payday_json_and_the_dashboard_tell_prepaid_from_charged_money(
    operator_client,  # noqa: F811
    run_payday,
):
    world()
    run_payday(MONTH)
    out = io.StringIO()
    call_command("payday", month="2025-03", json=True, stdout=out)
    totals = json.loads(out.getvalue().strip().splitlines()[-1])
    assert totals["given"] == 2000 and totals["status"] == "done"
    assert totals["charged"] == {
        "charges": 2,
        "amount": 1700,
        "collected": 1000,
        "pending": 700,
        "not_collected": 0,
        "pending_count": 1,
        "not_collected_count": 0,
    }
    html = operator_client.get("/admin/operations/").content.decode()
    assert "Prepaid: €20.00 · charged after the month: €17.00" in html
    assert "pending €7.00" in html


def test_the_charge_admin_shows_attempts_and_retries_now(
    operator_client,  # noqa: F811
    operator,  # noqa: F811
    run_payday,
):
    _creator, _prepaid, _good, declined = world()
    run_payday(MONTH)
    charge = month_charge(declined)
    page = operator_client.get(f"/admin/payouts/charge/{charge.pk}/change/").content.decode()
    assert "card_declined" in page  # the attempt's error code
    assert "Declined" in page
    response = operator_client.post(
        "/admin/payouts/charge/",
        {"action": "retry_now", "_selected_action": [charge.pk], "confirm": "yes"},
        follow=True,
    )
    assert "Charges retried: 1." in response.content.decode()
    charge.refresh_from_db()
    assert charge.attempts.count() == 2 and charge.declines == 2
    assert LogEntry.objects.filter(user=operator, object_id=str(charge.pk)).exists()
    reader = UserFactory(is_staff=True)
    operator_client.force_login(reader)
    refused = operator_client.post(
        "/admin/payouts/charge/",
        {"action": "retry_now", "_selected_action": [charge.pk], "confirm": "yes"},
    )
    assert refused.status_code in (302, 403)
    assert charge.attempts.count() == 2


def test_a_charge_still_being_retried_does_not_hold_back_the_next_payday(run_payday):
    creator, _prepaid, _good, declined = world()
    run_payday(MONTH)
    assert month_charge(declined).status == Charge.Status.PENDING
    click(declined, creator, month=next_month(MONTH))
    assert run_payday(next_month(MONTH)).status == "done"
