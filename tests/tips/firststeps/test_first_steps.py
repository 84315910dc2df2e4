"""First steps (issue 18): the reader's checklist with every missing step at once, the
payout-account prompts, the last payout, and suspension notices that say how to resolve it."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from payouts.batches.runs import payout_batch_run
from payouts.connect.services import connect_sandbox
from tests.factories import TopUpFactory, UserFactory, give_earnings
from tests.tips.payday.helpers import click, set_budget

pytestmark = pytest.mark.django_db


def page(client, name: str) -> str:
    return client.get(reverse(name)).content.decode()


def test_a_new_reader_sees_every_missing_step_at_once(client):
    reader = UserFactory()
    EmailAddress.objects.filter(user=reader).update(verified=False)
    client.force_login(reader)

    home = page(client, "home")

    for step in ("verify", "budget", "money", "find"):
        assert f'data-step="{step}" data-done="no"' in home
    assert "4 steps left before your clicks share your budget" in home


def test_done_steps_are_ticked_and_the_list_goes_once_all_are_done(client):
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=1000)
    set_budget(reader, 500)
    client.force_login(reader)

    dashboard = page(client, "dashboards:reader")
    assert 'data-step="budget" data-done="yes"' in dashboard
    assert 'data-step="find" data-done="no"' in dashboard
    assert "One step left" in dashboard

    click(reader, UserFactory())
    assert 'id="setup-checklist"' not in page(client, "dashboards:reader")
    assert 'id="setup-checklist"' not in page(client, "home")


def test_the_find_step_suggests_things_readers_flattred_this_month(client):
    from flattr_clone.months import month_of
    from tips.things.models import Thing

    clicked = click(UserFactory(), UserFactory(), month=month_of())
    Thing.objects.filter(pk=clicked.thing_id).update(title="A much flattred essay")
    client.force_login(UserFactory())

    assert "A much flattred essay" in page(client, "home")


def test_a_creator_with_earnings_and_no_payment_account_is_told_where_to_set_one_up(client):
    creator = UserFactory()
    give_earnings(creator, 500)
    client.force_login(creator)

    dashboard = page(client, "dashboards:creator")

    assert 'id="payout-account-prompt"' in dashboard
    assert reverse("payouts:get_paid") in dashboard
    connect_sandbox(user=creator)
    assert 'id="payout-account-prompt"' not in page(client, "dashboards:creator")


def test_the_first_thing_registered_brings_the_payment_account_prompt(client):
    creator = UserFactory()
    client.force_login(creator)
    data = {"url": "https://me.example.org/first", "title": "First", "description": ""}

    first = client.post(
        reverse("tips:thing_new"), {**data, "language": "", "tags": ""}, follow=True
    )
    second = client.post(
        reverse("tips:thing_new"),
        {**data, "url": "https://me.example.org/second", "language": "", "tags": ""},
        follow=True,
    )

    assert "set up a payment account" in first.content.decode()
    assert "set up a payment account" not in second.content.decode()


def test_the_dashboard_shows_the_last_payout(client, settings):
    settings.PAYOUT_MINIMUM_CENTS = 1000
    creator = UserFactory()
    connect_sandbox(user=creator)
    give_earnings(creator, 1500)
    payout_batch_run()
    client.force_login(creator)

    dashboard = page(client, "dashboards:creator")

    assert "Last payout: €15.00 on" in dashboard
    assert "(Paid)" in dashboard
    assert "€10.00 more and you are paid again" in dashboard


def test_the_monthly_summary_tells_a_creator_without_payment_account(
    django_capture_on_commit_callbacks,
):
    from tests.tips.dashboards.helpers import last_month, run_payday, thing_of

    creator = UserFactory(email="maker@example.com")
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=2000)
    set_budget(reader, 1000)
    from tests.tips.dashboards.helpers import click as click_thing

    click_thing(reader, thing_of(creator, "t"), last_month())
    mail.outbox = []

    run_payday(last_month(), django_capture_on_commit_callbacks)

    (summary,) = [m for m in mail.outbox if m.to == ["maker@example.com"]]
    assert "you have no payment account that can receive money yet" in summary.body
    assert reverse("payouts:get_paid") in summary.body
    assert summary.body.rstrip().endswith("— Flattr clone")


def test_a_suspended_creator_sees_the_reason_and_where_to_write(client, settings):
    settings.CONTACT_EMAIL = "help@platform.example"
    from accounts.suspensions import user_suspend

    creator = UserFactory()
    user_suspend(user=creator, reason="Copied other people's work")
    client.force_login(creator)

    for name in ("dashboards:creator", "payouts:payouts"):
        notice = page(client, name)
        assert "Copied other people&#x27;s work" in notice
        assert 'href="mailto:help@platform.example"' in notice
