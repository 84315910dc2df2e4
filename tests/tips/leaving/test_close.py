"""Closing an account (PRODUCT.md, "Leaving"): every cent accounted for, no personal data
left in any table, the handle never given again."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.utils import timezone

from accounts.models import User
from flattr_clone.months import month_of, previous_month
from payouts.batches.models import Payout
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import earnings_of
from payouts.withdrawals.models import Withdrawal
from tests.factories import (
    BudgetChangeFactory,
    ClickFactory,
    PaydayRunFactory,
    PaymentAccountFactory,
    ProviderEventFactory,
    SubscriptionFactory,
    ThingFactory,
    TopUpFactory,
    UserFactory,
    give_earnings,
)
from tips.clicks.models import Click
from tips.leaving.services import account_close, finish_waiting_closings
from tips.subscriptions.models import Subscription

pytestmark = pytest.mark.django_db

PERSON = {"email": "zelda.leaver@example.org", "handle": "zelda_leaves", "display_name": "Zelda Q"}


def personal_data_left(needles) -> list[str]:
    """Every (table, column) whose text still contains one of ``needles``."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            for value in model._default_manager.values_list(field.name, flat=True):
                text = json.dumps(value) if not isinstance(value, str) else value
                for needle in needles:
                    if text and needle.lower() in text.lower():
                        found.append(f"{model._meta.label}.{field.name}: {needle}")
    return found


@pytest.fixture
def zelda():
    return UserFactory(**PERSON)


def test_closing_refunds_the_wallet_revokes_the_month_and_erases_the_person(client, zelda):
    TopUpFactory(user=zelda, amount_cents=1500)
    TopUpFactory(user=zelda, amount_cents=700)
    BudgetChangeFactory(user=zelda, amount_cents=1000)
    click = ClickFactory(reader=zelda)
    subscription = SubscriptionFactory(reader=zelda)
    ThingFactory(owner=zelda, title="Zelda Q's diary", url="https://zelda.example/diary")
    client.force_login(zelda)

    response = client.post("/settings/leaving/close/", {"confirm": "on"})

    assert response.status_code == 200
    assert "Your account is closed" in response.content.decode()
    assert Click.objects.get(pk=click.pk).revoked_at is not None
    assert Subscription.objects.get(pk=subscription.pk).status == Subscription.Status.CANCELLED
    assert balance_cents(zelda, Account.Kind.WALLET) == 0
    (withdrawal,) = Withdrawal.objects.filter(user=zelda)
    assert withdrawal.amount_cents == 2200
    assert withdrawal.reason == Withdrawal.Reason.CLOSING
    assert sorted(r.amount_cents for r in withdrawal.refunds.all()) == [700, 1500]
    zelda.refresh_from_db()
    assert not zelda.is_active and zelda.closed_at is not None
    assert zelda.email == f"closed-{zelda.pk}@closed.invalid"
    assert not zelda.has_usable_password()
    assert personal_data_left(PERSON.values()) == []
    assert "Zelda Q's diary" not in json.dumps(personal_data_left(["diary"]))
    # The ledger keeps amounts and keys.
    refunds = Transfer.objects.filter(kind=Transfer.Kind.REFUND, debit__user=zelda)
    assert sorted(refunds.values_list("amount_cents", flat=True)) == [700, 1500]
    assert all(t.reference.startswith("topup:") for t in refunds)
    # The confirmation went out before the address was erased.
    (sent,) = [m for m in mail.outbox if PERSON["email"] in m.to]
    assert "22.00" in sent.body
    # Signed out: the account pages ask for a sign-in again.
    assert client.get("/settings/leaving/").status_code == 302


def test_closing_erases_the_public_profile_avatar_and_feeds(zelda):
    from accounts.models import Avatar
    from tips.feeds.models import Feed

    zelda.bio = "I write about *gardens* in Lyon."
    zelda.links = ["https://zelda.example/about"]
    zelda.save()
    Avatar.objects.create(user=zelda, image=b"RIFF....WEBP", digest="abc")
    Feed.objects.create(owner=zelda, url="https://zelda.example/feed.xml")

    account_close(user=zelda)

    zelda.refresh_from_db()
    assert zelda.bio == "" and zelda.links == []
    assert not Avatar.objects.filter(user=zelda).exists()
    assert not Feed.objects.filter(owner=zelda).exists()
    assert personal_data_left(["gardens in Lyon", "zelda.example/about"]) == []


def test_closing_revokes_the_api_tokens_and_apps(client, zelda):
    from oauth2_provider.models import AccessToken, Application

    from api.models import PersonalAccessToken

    app = Application.objects.create(
        user=zelda,
        name="Zelda's reader",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://zelda.example/cb",
    )
    AccessToken.objects.create(
        user=zelda, application=app, token="zelda-token", expires=timezone.now() + timedelta(days=1)
    )

    account_close(user=zelda)

    assert not Application.objects.filter(pk=app.pk).exists()
    assert not AccessToken.objects.filter(token="zelda-token").exists()
    assert not PersonalAccessToken.objects.filter(user=zelda).exists()
    response = client.get("/rest/v2/user", HTTP_AUTHORIZATION="Bearer zelda-token")
    assert response.status_code == 401


def test_the_handle_of_a_closed_account_is_refused_to_a_new_sign_up(client, zelda):
    account_close(user=zelda)

    response = client.post(
        "/accounts/signup/",
        {
            "email": "someone.else@example.org",
            "handle": "Zelda_Leaves",
            "password1": "a long enough password 1",
            "password2": "a long enough password 1",
        },
    )

    assert "This handle is taken" in response.content.decode()
    assert not User.objects.filter(email="someone.else@example.org").exists()
    assert User.handle_from_email("zelda_leaves@example.net") != "zelda_leaves"


def test_closing_waits_for_the_payday_of_the_month_that_ended(zelda):
    TopUpFactory(user=zelda, amount_cents=2000)
    BudgetChangeFactory(user=zelda, amount_cents=1000)
    last_month = previous_month(month_of())
    ClickFactory(reader=zelda, month=last_month)

    closing = account_close(user=zelda)

    assert closing.status == "waiting" and closing.waiting_for == [last_month]
    zelda.refresh_from_db()
    assert zelda.is_active and zelda.closing_requested_at is not None
    assert balance_cents(zelda, Account.Kind.WALLET) == 2000  # payday still takes its budget
    assert finish_waiting_closings() == 0

    PaydayRunFactory(month=last_month, status="done")
    assert finish_waiting_closings() == 1

    zelda.refresh_from_db()
    assert zelda.closed_at is not None
    assert balance_cents(zelda, Account.Kind.WALLET) == 0


def test_a_creators_available_earnings_are_paid_out_even_below_the_minimum(zelda, settings):
    settings.PAYOUT_MINIMUM_CENTS = 1000
    PaymentAccountFactory(user=zelda)
    give_earnings(zelda, 420)

    closing = account_close(user=zelda)

    assert closing.paid_out_cents == 420
    (payout,) = Payout.objects.filter(user=zelda)
    assert (payout.status, payout.amount_cents) == (Payout.Status.PAID, 420)
    assert earnings_of(zelda).balance_cents == 0


def test_earnings_that_cannot_be_paid_are_kept_on_the_closed_account(zelda):
    give_earnings(zelda, 999)

    closing = account_close(user=zelda)

    assert closing.earnings_kept_cents == 999
    assert earnings_of(zelda).balance_cents == 999
    assert not Payout.objects.filter(user=zelda).exists()


def test_stored_provider_events_lose_the_customer_email(zelda):
    topup = TopUpFactory(user=zelda, amount_cents=1000)
    ProviderEventFactory(
        top_up=topup,
        payload={"data": {"object": {"customer_email": PERSON["email"], "amount": 1000}}},
    )

    account_close(user=zelda)

    assert personal_data_left([PERSON["email"]]) == []


def test_other_readers_clicks_on_a_closed_creators_things_stay_but_earn_nothing(zelda):
    thing = ThingFactory(owner=zelda)
    other = ClickFactory(thing=thing)

    account_close(user=zelda)

    thing.refresh_from_db()
    assert thing.is_retired and thing.retired_at is not None
    assert Click.objects.get(pk=other.pk).revoked_at is None


def test_closing_without_the_box_ticked_is_refused_and_changes_nothing(client, zelda):
    TopUpFactory(user=zelda, amount_cents=1000)
    client.force_login(zelda)

    response = client.post("/settings/leaving/close/", {})

    assert response.status_code == 400
    assert "Tick the box to confirm that you want to close." in response.content.decode()
    zelda.refresh_from_db()
    assert zelda.is_active and zelda.closed_at is None
    assert balance_cents(zelda, Account.Kind.WALLET) == 1000


def test_kept_earnings_are_paid_by_a_later_batch_once_the_closed_account_can_receive(
    zelda, settings, django_capture_on_commit_callbacks
):
    from payouts.batches.runs import payout_batch_run

    give_earnings(zelda, 2500)
    account_close(user=zelda)
    PaymentAccountFactory(user=zelda)

    with django_capture_on_commit_callbacks(execute=True):
        payout_batch_run()

    (payout,) = Payout.objects.filter(user=zelda)
    assert (payout.status, payout.amount_cents) == (Payout.Status.PAID, 2500)
    assert mail.outbox == [m for m in mail.outbox if f"closed-{zelda.pk}" not in str(m.to)]


def test_an_unpaid_top_up_is_closed_so_nothing_is_paid_into_a_closed_wallet(zelda):
    from payouts.funding.models import TopUp

    open_topup = TopUpFactory(user=zelda, amount_cents=1000, status=TopUp.Status.PENDING)

    account_close(user=zelda)

    open_topup.refresh_from_db()
    assert open_topup.status == TopUp.Status.CANCELED


def test_the_names_closed_accounts_get_are_refused_to_new_sign_ups(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "sneaky@example.org",
            "handle": "Closed_99",
            "password1": "a long enough password 1",
            "password2": "a long enough password 1",
        },
    )

    assert "This handle is taken" in response.content.decode()
    assert User.handle_from_email("closed_99@example.org") != "closed_99"
