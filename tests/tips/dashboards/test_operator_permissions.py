"""Operator pages and actions need their own permission: staff without it get 403 and
nothing happens. The "support" and "operator" groups come with the migrations."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounts.suspensions import user_suspend
from flattr_clone.months import format_month, month_of, previous_month
from payouts.batches.models import Payout
from payouts.connect.models import PaymentAccount
from payouts.ledger.models import LedgerCheck
from tests.factories import PaymentAccountFactory, PayoutFactory, TopUpFactory, UserFactory
from tips.payday.models import PaydayRun

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/operations/"
LEDGER_CHECK = "/admin/operations/ledger-check/"
RUN_PAYDAY = "/admin/tips/paydayrun/start/"


def staff_client(client, *permissions: str, groups: tuple[str, ...] = ()):
    """``client`` logged in as staff with two-factor authentication, in ``groups`` and with
    ``permissions`` ("app_label.codename"), nothing more."""
    staff = UserFactory(is_staff=True)
    TOTP.activate(staff, generate_totp_secret())
    for name in groups:
        staff.groups.add(Group.objects.get(name=name))
    for permission in permissions:
        app_label, codename = permission.split(".")
        staff.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    client.force_login(staff)
    return client


def assert_forbidden(response) -> None:
    assert response.status_code == 403
    assert "Operations dashboard" not in response.content.decode()


def flagged_account() -> PaymentAccount:
    account = PaymentAccountFactory()
    PaymentAccount.objects.filter(pk=account.pk).update(
        payouts_flagged_at=timezone.now(), flag_reason="3 payouts failed in a row"
    )
    return account


def failed_payout() -> Payout:
    return PayoutFactory(status=Payout.Status.FAILED)


def post_action(client, changelist: str, action: str, objects, **extra):
    return client.post(
        changelist,
        {"action": action, "_selected_action": [o.pk for o in objects], "index": 0, **extra},
    )


# --- Staff without permissions ----------------------------------------------------------


def test_staff_without_permission_get_403_on_the_dashboard_and_the_ledger_check(client):
    staff_client(client)

    assert_forbidden(client.get(DASHBOARD))
    assert_forbidden(client.post(LEDGER_CHECK))

    assert not LedgerCheck.objects.exists()
    assert not LogEntry.objects.exists()


def test_staff_who_may_see_the_dashboard_cannot_run_the_ledger_check_without_its_permission(
    client,
):
    staff_client(client, "tips.view_operations_dashboard")

    page = client.get(DASHBOARD)
    assert page.status_code == 200
    assert "Run the ledger check now" not in page.content.decode()

    assert_forbidden(client.post(LEDGER_CHECK))
    assert not LedgerCheck.objects.exists()


def test_staff_without_permission_cannot_run_payday(client):
    staff_client(client, "tips.view_paydayrun")

    listing = client.get("/admin/tips/paydayrun/").content.decode()
    assert "Run payday" not in listing and RUN_PAYDAY not in listing
    assert_forbidden(client.get(RUN_PAYDAY))
    assert_forbidden(client.post(RUN_PAYDAY, {"month": "2025-03", "confirm": "1"}))
    assert not PaydayRun.objects.exists()


def test_staff_who_may_see_payouts_cannot_retry_them_without_its_permission(client):
    payout = failed_payout()
    staff_client(client, "payouts.view_payout")

    listing = client.get("/admin/payouts/payout/").content.decode()
    assert "retry_failed" not in listing
    for extra in ({}, {"confirm": "yes"}):
        response = post_action(client, "/admin/payouts/payout/", "retry_failed", [payout], **extra)
        assert_forbidden(response)

    assert list(Payout.objects.values_list("pk", "status")) == [(payout.pk, "failed")]
    assert not LogEntry.objects.exists()


def test_the_right_to_edit_payouts_is_not_the_right_to_retry_them(client):
    payout = failed_payout()
    staff_client(client, "payouts.view_payout", "payouts.change_payout")

    response = post_action(
        client, "/admin/payouts/payout/", "retry_failed", [payout], confirm="yes"
    )

    assert_forbidden(response)
    assert Payout.objects.count() == 1


def test_staff_who_may_see_payment_accounts_cannot_clear_flags_without_its_permission(client):
    account = flagged_account()
    staff_client(client, "payouts.view_paymentaccount", "payouts.change_paymentaccount")

    response = post_action(
        client, "/admin/payouts/paymentaccount/", "clear_flags", [account], confirm="yes"
    )

    assert_forbidden(response)
    account.refresh_from_db()
    assert account.is_flagged
    assert not LogEntry.objects.exists()


def test_the_right_to_edit_users_is_not_the_right_to_suspend_them(client):
    creator = UserFactory()
    staff_client(client, "accounts.view_user", "accounts.change_user")

    response = post_action(
        client, "/admin/accounts/user/", "suspend_creators", [creator], confirm="yes", reason="x"
    )

    assert_forbidden(response)
    creator.refresh_from_db()
    assert not creator.is_suspended
    assert not LogEntry.objects.exists()


def test_the_admin_index_links_the_dashboard_only_for_those_who_may_see_it(client):
    staff_client(client, "accounts.view_user")

    html = client.get("/admin/").content.decode()

    assert f'href="{DASHBOARD}"' not in html
    assert "/admin/accounts/user/" in html
    assert "/admin/payouts/" not in html


# --- The groups -------------------------------------------------------------------------


def codenames(group: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group).permissions.select_related("content_type")
    }


SUPPORT = {
    "accounts.view_user",
    "accounts.suspend_user",
    "tips.view_thing",
    "tips.view_click",
    "tips.view_subscription",
    "tips.view_subscriptionmonth",
    "payouts.view_payout",
    "payouts.view_payoutbatch",
    "payouts.view_paymentaccount",
    "payouts.view_topup",
    # Ownership (issue 11, migration tips/0007_ownership): verified sites and the history.
    "tips.view_site",
    "tips.view_ownershipchange",
}
MONEY_OPERATIONS = {
    "tips.view_operations_dashboard",
    "tips.run_payday",
    "payouts.retry_payout",
    "payouts.clear_payout_flag",
    "payouts.run_ledger_check",
}


def test_the_migrations_create_the_support_and_operator_groups():
    support, operator = codenames("support"), codenames("operator")

    assert support == SUPPORT
    assert operator >= SUPPORT | MONEY_OPERATIONS
    # Operators see the money's records too; neither group edits or deletes anything.
    assert {
        "payouts.view_transfer",
        "payouts.view_ledgercheck",
        "tips.view_paydayrun",
        "tips.view_subscriptionrun",
    } <= operator
    assert not any(c.split(".")[1].startswith(("add_", "change_", "delete_")) for c in operator)


def test_support_sees_users_things_clicks_payouts_and_top_ups_and_suspends(client):
    TopUpFactory()
    payout = failed_payout()
    account = flagged_account()
    creator = UserFactory()
    staff_client(client, groups=("support",))

    for page in (
        "/admin/accounts/user/",
        "/admin/tips/thing/",
        "/admin/tips/click/",
        "/admin/payouts/payout/",
        "/admin/payouts/payoutbatch/",
        "/admin/payouts/paymentaccount/",
        "/admin/payouts/topup/",
    ):
        assert client.get(page).status_code == 200, page
    done = post_action(
        client,
        "/admin/accounts/user/",
        "suspend_creators",
        [creator],
        confirm="yes",
        reason="Fake clicks",
    )
    assert done.status_code == 302
    creator.refresh_from_db()
    assert creator.is_suspended

    # ...and nothing that moves money or reads the ledger.
    assert_forbidden(client.get(DASHBOARD))
    assert_forbidden(client.post(LEDGER_CHECK))
    assert_forbidden(client.post(RUN_PAYDAY, {"month": "2025-03", "confirm": "1"}))
    assert_forbidden(
        post_action(client, "/admin/payouts/payout/", "retry_failed", [payout], confirm="yes")
    )
    assert_forbidden(
        post_action(
            client, "/admin/payouts/paymentaccount/", "clear_flags", [account], confirm="yes"
        )
    )
    assert client.get("/admin/payouts/transfer/").status_code == 403
    assert f'href="{DASHBOARD}"' not in client.get("/admin/").content.decode()
    assert not LedgerCheck.objects.exists() and not PaydayRun.objects.exists()
    assert Payout.objects.count() == 1
    account.refresh_from_db()
    assert account.is_flagged


def test_an_operator_runs_the_money_operations(client):
    payout = failed_payout()
    account = flagged_account()
    suspended = UserFactory()
    user_suspend(user=suspended, reason="Fake clicks")
    staff_client(client, groups=("operator",))

    assert f'href="{DASHBOARD}"' in client.get("/admin/").content.decode()
    dashboard = client.get(DASHBOARD)
    assert dashboard.status_code == 200
    assert "Run the ledger check now" in dashboard.content.decode()
    checked = client.post(LEDGER_CHECK, follow=True)
    assert "Ledger check passed" in checked.content.decode()
    assert LedgerCheck.objects.count() == 1

    assert "Run payday" in client.get("/admin/tips/paydayrun/").content.decode()
    # The month that just ended: on an empty platform it is the first month payday accepts.
    last_month = format_month(previous_month(month_of()))
    preview = client.post(RUN_PAYDAY, {"month": last_month})
    assert preview.status_code == 200 and 'name="confirm"' in preview.content.decode()

    retry = post_action(client, "/admin/payouts/payout/", "retry_failed", [payout])
    assert retry.status_code == 200 and "Yes, I am sure" in retry.content.decode()

    cleared = post_action(
        client, "/admin/payouts/paymentaccount/", "clear_flags", [account], confirm="yes"
    )
    assert cleared.status_code == 302
    account.refresh_from_db()
    assert not account.is_flagged

    lifted = post_action(
        client,
        "/admin/accounts/user/",
        "unsuspend_creators",
        [suspended],
        confirm="yes",
        reason="Cleared",
    )
    assert lifted.status_code == 302
    suspended.refresh_from_db()
    assert not suspended.is_suspended
