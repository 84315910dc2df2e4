"""Starting, pausing, resuming and cancelling a subscription (PRODUCT.md, "Subscriptions")."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from flattr_clone.months import month_of, next_month
from tests.factories import (
    ClickFactory,
    SubscriptionFactory,
    ThingFactory,
    UserFactory,
    ready_reader,
)
from tips.clicks.models import Click
from tips.clicks.services import ClickRefused, ClickResult, click_register, click_revoke
from tips.subscriptions.models import Subscription, SubscriptionMonth
from tips.subscriptions.services import (
    SubscriptionRefused,
    subscription_cancel,
    subscription_pause,
    subscription_resume,
    subscription_start,
)

pytestmark = pytest.mark.django_db

JANUARY_20 = dt.datetime(2026, 1, 20, 12, 0, tzinfo=dt.UTC)


@time_machine.travel(JANUARY_20, tick=False)
def test_subscribing_flattrs_the_thing_now_and_counts_this_month_as_the_first():
    reader, thing = ready_reader(), ThingFactory()

    started = subscription_start(reader=reader, thing=thing, months=3)

    subscription = started.subscription
    assert (subscription.first_month, subscription.last_month) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 1),
    )
    assert subscription.status == Subscription.Status.ACTIVE
    click = Click.objects.get(reader=reader, thing=thing)
    assert click.month == dt.date(2026, 1, 1)
    assert click.source == Click.Source.SUBSCRIPTION
    assert started.click.status == ClickResult.FLATTRED
    entry = SubscriptionMonth.objects.get(subscription=subscription)
    assert (entry.month, entry.outcome, entry.click) == (
        dt.date(2026, 1, 1),
        SubscriptionMonth.Outcome.CLICKED,
        click,
    )


@time_machine.travel(JANUARY_20, tick=False)
@pytest.mark.parametrize(("months", "last"), [(6, dt.date(2026, 6, 1)), (12, dt.date(2026, 12, 1))])
def test_six_and_twelve_months_end_five_and_eleven_months_later(months, last):
    subscription = subscription_start(
        reader=ready_reader(), thing=ThingFactory(), months=months
    ).subscription

    assert subscription.last_month == last


def test_until_cancelled_has_no_last_month():
    subscription = subscription_start(
        reader=ready_reader(), thing=ThingFactory(), months=None
    ).subscription

    assert subscription.last_month is None
    assert subscription.next_click_month(month_of()) == next_month(month_of())


def test_a_flattr_the_reader_already_made_this_month_counts_as_the_first_month():
    reader, thing = ready_reader(), ThingFactory()
    mine = click_register(reader=reader, thing=thing).click

    started = subscription_start(reader=reader, thing=thing, months=3)

    assert started.click.status == ClickResult.ALREADY
    assert list(Click.objects.filter(reader=reader, thing=thing)) == [mine]
    assert mine.source == Click.Source.BUTTON
    entry = SubscriptionMonth.objects.get()
    assert (entry.outcome, entry.click) == (SubscriptionMonth.Outcome.ALREADY, mine)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: (UserFactory(), ThingFactory()), "empty_wallet"),
        (lambda: (ready_reader(), ThingFactory(retired=True)), "retired"),
    ],
    ids=["no money", "retired thing"],
)
def test_a_reader_who_cannot_flattr_the_thing_now_cannot_subscribe(make, code):
    reader, thing = make()
    if code == "empty_wallet":
        from tests.factories import BudgetChangeFactory

        BudgetChangeFactory(user=reader)

    with pytest.raises(ClickRefused) as refused:
        subscription_start(reader=reader, thing=thing, months=None)

    assert refused.value.blocker.code == code
    assert not Subscription.objects.exists()
    assert not Click.objects.exists()


def test_a_creator_cannot_subscribe_to_their_own_thing():
    creator = ready_reader()

    with pytest.raises(ClickRefused) as refused:
        subscription_start(reader=creator, thing=ThingFactory(owner=creator), months=3)

    assert refused.value.blocker.code == "own_thing"
    assert not Subscription.objects.exists()


def test_subscribing_twice_to_one_thing_is_refused_and_changes_nothing():
    reader, thing = ready_reader(), ThingFactory()
    subscription_start(reader=reader, thing=thing, months=3)

    with pytest.raises(SubscriptionRefused) as refused:
        subscription_start(reader=reader, thing=thing, months=12)

    assert refused.value.message == "You already flattr this every month."
    assert Subscription.objects.get().months == 3


def test_a_paused_subscription_is_resumed_not_started_again():
    reader, thing = ready_reader(), ThingFactory()
    subscription = subscription_start(reader=reader, thing=thing, months=None).subscription
    subscription_pause(reader=reader, subscription=subscription)

    with pytest.raises(SubscriptionRefused, match="paused. Resume it"):
        subscription_start(reader=reader, thing=thing, months=None)


@pytest.mark.parametrize("months", [0, 1, 2, 4, 24, -3])
def test_only_3_6_or_12_months_or_until_cancelled(months):
    with pytest.raises(SubscriptionRefused, match="Choose 3, 6 or 12 months"):
        subscription_start(reader=ready_reader(), thing=ThingFactory(), months=months)

    assert not Subscription.objects.exists()
    assert not Click.objects.exists()


def test_a_reader_holds_no_more_subscriptions_than_the_hourly_click_limit(settings):
    settings.CLICK_RATE_LIMIT_PER_HOUR = 2
    reader = ready_reader()
    for thing in ThingFactory.create_batch(2):
        subscription_start(reader=reader, thing=thing, months=None)

    with pytest.raises(SubscriptionRefused, match="2 subscriptions running, the most"):
        subscription_start(reader=reader, thing=ThingFactory(), months=None)

    assert Subscription.objects.count() == 2
    # A cancelled one frees its place.
    subscription_cancel(reader=reader, subscription=Subscription.objects.first())
    subscription_start(reader=reader, thing=ThingFactory(), months=None)


def test_subscribing_again_after_a_subscription_ended_starts_a_new_one():
    reader, thing = ready_reader(), ThingFactory()
    old = SubscriptionFactory(reader=reader, thing=thing, months=3, first_month=dt.date(2020, 1, 1))

    new = subscription_start(reader=reader, thing=thing, months=6).subscription

    old.refresh_from_db()
    assert old.status == Subscription.Status.ENDED
    assert new.status == Subscription.Status.ACTIVE and new.pk != old.pk


def test_pause_resume_and_cancel():
    reader = ready_reader()
    subscription = subscription_start(reader=reader, thing=ThingFactory(), months=None).subscription

    subscription_pause(reader=reader, subscription=subscription)
    assert subscription.status == Subscription.Status.PAUSED
    assert subscription.paused_at is not None
    assert subscription.next_click_month(month_of()) is None

    subscription_resume(reader=reader, subscription=subscription)
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.paused_at is None

    subscription_cancel(reader=reader, subscription=subscription)
    assert subscription.status == Subscription.Status.CANCELLED
    assert subscription.cancelled_at is not None
    # This month's flattr stays, and the reader may still revoke it.
    click = Click.objects.get()
    assert click.revoked_at is None
    click_revoke(reader=reader, click=click)


@pytest.mark.parametrize(
    ("status", "service", "message"),
    [
        ("active", subscription_resume, "This subscription is running, not paused."),
        ("paused", subscription_pause, "This subscription is already paused."),
        ("cancelled", subscription_pause, "This subscription is cancelled."),
        ("cancelled", subscription_resume, "This subscription is cancelled."),
        ("cancelled", subscription_cancel, "This subscription is cancelled."),
    ],
)
def test_a_change_that_does_not_fit_the_status_is_refused(status, service, message):
    subscription = SubscriptionFactory(
        status=status,
        paused_at=timezone.now() if status == "paused" else None,
        cancelled_at=timezone.now() if status == "cancelled" else None,
    )

    with pytest.raises(SubscriptionRefused) as refused:
        service(reader=subscription.reader, subscription=subscription)

    assert refused.value.message == message
    subscription.refresh_from_db()
    assert subscription.status == status


@pytest.mark.parametrize("service", [subscription_pause, subscription_resume, subscription_cancel])
def test_a_subscription_past_its_last_month_has_ended(service):
    subscription = SubscriptionFactory(months=3, first_month=dt.date(2020, 1, 1))

    with pytest.raises(SubscriptionRefused, match="This subscription has ended."):
        service(reader=subscription.reader, subscription=subscription)

    assert subscription.status_in(month_of()) == Subscription.Status.ENDED


def test_nobody_changes_someone_elses_subscription():
    subscription = SubscriptionFactory()

    with pytest.raises(SubscriptionRefused, match="not your subscription"):
        subscription_cancel(reader=UserFactory(), subscription=subscription)

    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_a_stale_copy_loses_the_race_and_is_told_the_new_status():
    subscription = SubscriptionFactory()
    stale = Subscription.objects.get(pk=subscription.pk)
    subscription_cancel(reader=subscription.reader, subscription=subscription)

    with pytest.raises(SubscriptionRefused, match="This subscription is cancelled."):
        subscription_pause(reader=stale.reader, subscription=stale)

    stale.refresh_from_db()
    assert stale.status == Subscription.Status.CANCELLED


def test_the_database_allows_one_running_subscription_per_reader_and_thing():
    from django.db import IntegrityError, transaction

    first = SubscriptionFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriptionFactory(
            reader=first.reader, thing=first.thing, status="paused", paused_at=timezone.now()
        )
    # A cancelled one beside it is history, not a second running subscription.
    SubscriptionFactory(
        reader=first.reader, thing=first.thing, status="cancelled", cancelled_at=timezone.now()
    )


def test_a_revoked_flattr_is_restored_by_subscribing():
    reader, thing = ready_reader(), ThingFactory()
    click_revoke(reader=reader, click=click_register(reader=reader, thing=thing).click)

    started = subscription_start(reader=reader, thing=thing, months=3)

    assert started.click.status == ClickResult.RESTORED
    assert Click.objects.get().revoked_at is None
    assert SubscriptionMonth.objects.get().outcome == SubscriptionMonth.Outcome.CLICKED


def test_clicks_made_by_the_button_are_marked_as_such():
    click = click_register(reader=ready_reader(), thing=ThingFactory()).click

    assert click.source == Click.Source.BUTTON
    assert ClickFactory().source == Click.Source.BUTTON
