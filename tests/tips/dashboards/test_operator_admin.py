import re

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse

from payouts.ledger.models import LedgerCheck, Transfer
from tests.factories import TopUpFactory, UserFactory
from tests.tips.dashboards.helpers import click, last_month, run_payday, set_budget, thing_of
from tips.clicks.models import Click

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
DASHBOARD = "/admin/operations/"


@pytest.fixture
def operator():
    staff = UserFactory(email="op@example.com", handle="operator", is_staff=True, is_superuser=True)
    staff.totp_secret = generate_totp_secret()
    TOTP.activate(staff, staff.totp_secret)
    return staff


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_visitors_and_readers_are_kept_out(client):
    assert reverse("account_login") in client.get(DASHBOARD, follow=True).redirect_chain[-1][0]
    client.force_login(UserFactory())
    response = client.get(DASHBOARD, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert client.post(reverse("operator:ledger_check")).status_code == 302
    assert not LedgerCheck.objects.exists()


def test_staff_without_two_factor_are_sent_to_set_it_up(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("mfa_activate_totp")


def test_an_operator_logs_in_with_a_code_and_sees_the_dashboard(client, operator):
    client.post(reverse("account_login"), {"login": operator.email, "password": PASSWORD})
    assert client.get(DASHBOARD).status_code == 302  # the password alone opens nothing
    client.post(reverse("mfa_authenticate"), {"code": current_code(operator.totp_secret)})
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert "Operations dashboard" in response.content.decode()
    # Linked from the admin's index.
    assert f'href="{DASHBOARD}"' in client.get("/admin/").content.decode()


def test_the_monthly_volume_is_the_ledgers(operator_client, django_capture_on_commit_callbacks):
    creators = [UserFactory() for _ in range(3)]
    readers = [UserFactory() for _ in range(4)]
    for n, reader in enumerate(readers):
        TopUpFactory(user=reader, amount_cents=1500)
        set_budget(reader, 777 + n)
        click(reader, thing_of(creators[n % 3], f"t{n}"), last_month())
    click(readers[0], thing_of(creators[1], "extra"), last_month())
    run_payday(last_month(), django_capture_on_commit_callbacks)

    html = operator_client.get(DASHBOARD).content.decode()

    reference = f"payday:{last_month():%Y-%m}"
    money = Transfer.objects.filter(reference=reference).aggregate(
        given=Sum("amount_cents"), readers=Count("debit", distinct=True)
    )
    commission = Transfer.objects.filter(reference=reference, kind="commission").aggregate(
        s=Sum("amount_cents")
    )["s"]
    paid = Transfer.objects.filter(reference=reference, kind="distribution").aggregate(
        c=Count("credit", distinct=True)
    )["c"]
    clicking = Click.objects.filter(month=last_month()).values("reader").distinct().count()
    row = re.search(rf'<tr data-month="{last_month():%Y-%m}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert f'data-cents="{money["given"]}"' in row and money["given"] == 777 + 778 + 779 + 780
    assert f'data-cents="{commission}"' in row
    assert [c.strip() for c in cells[3:]] == [str(money["readers"]), str(paid), str(clicking), "3"]
    assert "done" in html.lower()  # payday status


def test_running_the_ledger_check_keeps_the_result_and_logs_who_did_it(operator_client, operator):
    response = operator_client.post(reverse("operator:ledger_check"), follow=True)
    check = LedgerCheck.objects.get()
    assert check.ok
    assert "Ledger check passed" in response.content.decode()
    assert 'class="check-ok"' in response.content.decode()
    entry = LogEntry.objects.get(user=operator)
    assert entry.action_flag == ADDITION and entry.object_id == str(check.pk)


def test_the_ledger_check_needs_a_post_with_csrf(operator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    assert client.get(reverse("operator:ledger_check")).status_code == 405
    assert client.post(reverse("operator:ledger_check")).status_code == 403
    assert not LedgerCheck.objects.exists()


def test_users_are_found_by_email_or_handle(operator_client):
    UserFactory(email="needle@example.com", handle="haystack_one")
    UserFactory(email="other@example.com", handle="someone")
    for query in ("needle@example", "haystack_one"):
        html = operator_client.get("/admin/accounts/user/", {"q": query}).content.decode()
        assert "needle@example.com" in html and "other@example.com" not in html


def changelist_action(client, action, users, **extra):
    return client.post(
        "/admin/accounts/user/",
        {"action": action, "_selected_action": [u.pk for u in users], **extra},
    )


def test_suspending_asks_for_a_reason_and_logs_it(operator_client, operator):
    creator = UserFactory(email="creator@example.com")

    confirm = changelist_action(operator_client, "suspend_creators", [creator], index=0)
    assert confirm.status_code == 200
    assert 'name="reason"' in confirm.content.decode()
    creator.refresh_from_db()
    assert creator.suspended_at is None

    empty = changelist_action(operator_client, "suspend_creators", [creator], confirm="yes")
    assert "This field is required." in empty.content.decode()
    creator.refresh_from_db()
    assert creator.suspended_at is None

    done = changelist_action(
        operator_client, "suspend_creators", [creator], confirm="yes", reason="Fake clicks"
    )
    assert done.status_code == 302
    creator.refresh_from_db()
    assert creator.is_suspended and creator.suspension_reason == "Fake clicks"
    entry = LogEntry.objects.get(object_id=str(creator.pk), action_flag=CHANGE)
    assert entry.user == operator and "Suspended: Fake clicks" in entry.get_change_message()


def test_lifting_a_suspension_asks_why_and_logs_it(operator_client, operator):
    from accounts.suspensions import user_suspend

    creator = UserFactory()
    user_suspend(user=creator, reason="Fake clicks")
    changelist_action(
        operator_client, "unsuspend_creators", [creator], confirm="yes", reason="Cleared"
    )
    creator.refresh_from_db()
    assert not creator.is_suspended and creator.suspension_reason == ""
    entry = LogEntry.objects.get(object_id=str(creator.pk), action_flag=CHANGE)
    assert "Suspension lifted: Cleared" in entry.get_change_message()


def test_it_shows_the_earnings_held_for_suspended_creators(
    operator_client, django_capture_on_commit_callbacks
):
    from accounts.suspensions import user_suspend

    creator, reader = UserFactory(), UserFactory()
    TopUpFactory(user=reader, amount_cents=1000)
    set_budget(reader, 1000)
    click(reader, thing_of(creator, "p"), last_month())
    run_payday(last_month(), django_capture_on_commit_callbacks)
    html = operator_client.get(DASHBOARD).content.decode()
    assert "€0.00 held for 0 suspended creators." in html

    user_suspend(user=creator, reason="Fake clicks")

    html = operator_client.get(DASHBOARD).content.decode()
    assert "€9.00 held for 1 suspended creator." in html
