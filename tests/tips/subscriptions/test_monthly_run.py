"""The monthly run: on the first day of each month, one click for every running subscription,
through every click rule; refusals are recorded with their reason and told to the reader."""

import datetime as dt

import pytest
from celery import Celery
from celery.schedules import crontab
from django.core import mail
from django.utils import timezone

from flattr_clone.months import month_start
from tests.factories import SubscriptionFactory, ThingFactory, ready_reader
from tips.clicks.models import Click
from tips.clicks.services import click_register, click_revoke
from tips.payday.services import payday_run
from tips.subscriptions.jobs import subscriptions_this_month
from tips.subscriptions.models import Subscription, SubscriptionMonth, SubscriptionRun
from tips.subscriptions.services import subscription_pause, subscription_resume, subscription_start
from tips.things.services import thing_set_retired

pytestmark = pytest.mark.django_db

Outcome = SubscriptionMonth.Outcome


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


JANUARY = dt.date(2026, 1, 1)
FEBRUARY = dt.date(2026, 2, 1)
MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)


@pytest.fixture
def subscribed(time_machine):
    """On 20 January 2026 a ready reader subscribes, until cancelled, to three things."""
    time_machine.move_to(utc(2026, 1, 20, 12), tick=False)
    reader = ready_reader(wallet_cents=5000, budget_cents=1000)
    things = ThingFactory.create_batch(3)
    subscriptions = [
        subscription_start(reader=reader, thing=thing, months=None).subscription for thing in things
    ]
    return reader, things, subscriptions


def subscription_clicks(month):
    return Click.objects.filter(month=month, source=Click.Source.SUBSCRIPTION)


def test_on_the_first_each_running_subscription_flattrs_its_thing(subscribed, month_turns):
    reader, things, _ = subscribed

    run = month_turns(utc(2026, 2, 1, 0, 5))

    assert sorted(c.thing_id for c in subscription_clicks(FEBRUARY)) == sorted(t.pk for t in things)
    assert all(c.reader == reader and c.creator == c.thing.owner for c in Click.objects.all())
    assert run.status == SubscriptionRun.Status.DONE
    assert (run.subscriptions, run.clicked, run.refused) == (3, 3, 0)
    assert SubscriptionMonth.objects.filter(month=FEBRUARY, outcome=Outcome.CLICKED).count() == 3


def test_the_monthly_task_run_twice_clicks_once(subscribed, month_turns, time_machine):
    first = month_turns(utc(2026, 2, 1, 0, 5))
    again = month_turns(utc(2026, 2, 1, 1, 5))
    # And as beat calls it, every hour of the 1st.
    time_machine.move_to(utc(2026, 2, 1, 2, 5), tick=False)
    assert subscriptions_this_month.delay().get() == "done"

    assert subscription_clicks(FEBRUARY).count() == 3
    assert SubscriptionMonth.objects.filter(month=FEBRUARY).count() == 3
    assert again.pk == first.pk and again.clicked == 3
    assert SubscriptionRun.objects.count() == 1


def test_a_run_in_several_chunks_completes_each_once(subscribed, month_turns):
    run = month_turns(utc(2026, 2, 1, 0, 5), chunk_size=1)

    assert (run.chunks_total, run.chunks_done, run.clicked) == (3, 3, 3)
    assert subscription_clicks(FEBRUARY).count() == 3


def test_the_month_turns_in_the_platform_time_zone(settings, subscribed, month_turns):
    settings.TIME_ZONE = "Europe/Paris"

    # 22:30 UTC on 31 January is still January in Paris: nothing to flattr yet.
    january = month_turns(utc(2026, 1, 31, 22, 30))
    assert january.month == JANUARY
    assert not subscription_clicks(FEBRUARY).exists()
    # 23:30 UTC on 31 January is 00:30 on 1 February in Paris: February's clicks.
    february = month_turns(utc(2026, 1, 31, 23, 30))

    assert february.month == FEBRUARY
    assert subscription_clicks(FEBRUARY).count() == 3
    assert {c.created_at for c in subscription_clicks(FEBRUARY)} == {utc(2026, 1, 31, 23, 30)}


def test_beat_asks_every_hour_of_the_first_of_the_month_in_the_platform_time_zone(
    settings, time_machine
):
    entry = settings.CELERY_BEAT_SCHEDULE["subscriptions-first-of-month"]
    assert entry["task"] == subscriptions_this_month.name
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE  # both read TIME_ZONE
    # The same crontab, for an app in Paris time.
    paris = Celery(set_as_current=False)
    paris.conf.timezone = "Europe/Paris"
    schedule = entry["schedule"]
    in_paris = crontab(
        minute=schedule._orig_minute,
        hour=schedule._orig_hour,
        day_of_month=schedule._orig_day_of_month,
        app=paris,
    )
    last_run = dt.datetime(2026, 1, 1, 23, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))

    time_machine.move_to(utc(2026, 1, 31, 22, 6), tick=False)  # 23:06 on 31 January, Paris
    assert not in_paris.is_due(last_run).is_due
    time_machine.move_to(utc(2026, 1, 31, 23, 6), tick=False)  # 00:06 on 1 February, Paris
    assert in_paris.is_due(last_run).is_due
    time_machine.move_to(utc(2026, 2, 1, 22, 6), tick=False)  # 23:06 on 1 February, Paris
    assert in_paris.is_due(dt.datetime(2026, 2, 1, 22, 5, tzinfo=last_run.tzinfo)).is_due
    time_machine.move_to(utc(2026, 2, 1, 23, 6), tick=False)  # 00:06 on 2 February, Paris
    assert not in_paris.is_due(dt.datetime(2026, 2, 1, 23, 5, tzinfo=last_run.tzinfo)).is_due


def test_a_subscription_for_three_months_flattrs_three_months_then_ends(time_machine, month_turns):
    time_machine.move_to(utc(2026, 1, 20, 12), tick=False)
    reader, thing = ready_reader(wallet_cents=5000), ThingFactory(title="A podcast")
    subscription = subscription_start(reader=reader, thing=thing, months=3).subscription

    month_turns(utc(2026, 2, 1, 0, 5))
    month_turns(utc(2026, 3, 1, 0, 5))
    mail.outbox = []
    april = month_turns(utc(2026, 4, 1, 0, 5))

    months = sorted(
        Click.objects.filter(reader=reader, thing=thing).values_list("month", flat=True)
    )
    assert months == [JANUARY, FEBRUARY, MARCH]
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ENDED
    assert (april.ended, april.subscriptions) == (1, 0)
    # The reader is told it ended, with the way back.
    [notice] = mail.outbox
    assert notice.to == [reader.email]
    assert notice.subject == "[Flattr clone] Your subscriptions in April 2026"
    assert "This subscription has ended:" in notice.body
    assert "- A podcast (last flattred in March 2026)" in notice.body
    assert thing.get_absolute_url() in notice.body


def test_a_paused_month_is_skipped_and_not_added_at_the_end(time_machine, month_turns):
    time_machine.move_to(utc(2026, 1, 20, 12), tick=False)
    reader, thing = ready_reader(wallet_cents=5000), ThingFactory()
    subscription = subscription_start(reader=reader, thing=thing, months=3).subscription
    time_machine.move_to(utc(2026, 1, 25), tick=False)
    subscription_pause(reader=reader, subscription=subscription)

    february = month_turns(utc(2026, 2, 1, 0, 5))
    time_machine.move_to(utc(2026, 2, 10), tick=False)
    subscription_resume(reader=reader, subscription=subscription)
    month_turns(utc(2026, 3, 1, 0, 5))
    assert not mail.outbox  # a pause is the reader's own doing: nothing to tell
    month_turns(utc(2026, 4, 1, 0, 5))

    months = sorted(Click.objects.filter(reader=reader).values_list("month", flat=True))
    assert months == [JANUARY, MARCH]  # February skipped, April not added
    assert february.paused == 1
    assert SubscriptionMonth.objects.get(month=FEBRUARY).outcome == Outcome.PAUSED
    [ended] = mail.outbox
    assert "This subscription has ended:" in ended.body


def test_a_retired_thing_is_skipped_and_the_reader_told_once(time_machine, month_turns):
    time_machine.move_to(utc(2026, 1, 20, 12), tick=False)
    reader, thing = ready_reader(wallet_cents=5000), ThingFactory(title="Old post")
    subscription_start(reader=reader, thing=thing, months=None)
    thing_set_retired(thing=thing, retired=True)  # its owner retires it
    mail.outbox = []

    february = month_turns(utc(2026, 2, 1, 0, 5))

    assert not Click.objects.filter(month=FEBRUARY).exists()
    assert february.refused == 1
    entry = SubscriptionMonth.objects.get(month=FEBRUARY)
    assert (entry.outcome, entry.refusal_code, entry.notify) == (Outcome.REFUSED, "retired", True)
    [notice] = mail.outbox
    assert "On the first day of February 2026, 1 of your subscriptions could not flattr:" in (
        notice.body
    )
    assert "- Old post: This thing is no longer available: its creator withdrew it" in notice.body

    # The same reason next month is not e-mailed again (the page still says it).
    month_turns(utc(2026, 3, 1, 0, 5))
    assert len(mail.outbox) == 1
    assert SubscriptionMonth.objects.get(month=MARCH).notify is False
    # Restored, it is flattred again.
    thing_set_retired(thing=thing, retired=False)
    month_turns(utc(2026, 4, 1, 0, 5))
    assert SubscriptionMonth.objects.get(month=APRIL).outcome == Outcome.CLICKED


def test_a_reader_without_money_is_skipped_and_told_where_to_top_up(
    time_machine, month_turns, django_capture_on_commit_callbacks
):
    time_machine.move_to(utc(2026, 1, 20, 12), tick=False)
    # Exactly one month of budget in the wallet: January's payday empties it.
    reader, thing = ready_reader(wallet_cents=1000, budget_cents=1000), ThingFactory()
    subscription_start(reader=reader, thing=thing, months=None)
    month_turns(utc(2026, 2, 1, 0, 5))  # before payday: the wallet still holds January's money
    time_machine.move_to(utc(2026, 2, 1, 2, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        payday_run(month=JANUARY)
    time_machine.move_to(utc(2026, 3, 1, 0, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        payday_run(month=FEBRUARY)  # the wallet is empty: February gives nothing
    mail.outbox = []

    march = month_turns(utc(2026, 3, 1, 0, 5))

    assert sorted(Click.objects.values_list("month", flat=True)) == [JANUARY, FEBRUARY]
    assert march.refused == 1
    entry = SubscriptionMonth.objects.get(month=MARCH)
    assert (entry.refusal_code, entry.fix_url) == ("empty_wallet", "/wallet/")
    assert entry.refusal_message == "Your wallet is empty. Top it up to flattr."
    [notice] = mail.outbox
    assert "Your wallet is empty. Top it up to flattr." in notice.body
    assert "Top up my wallet: http://testserver/wallet/" in notice.body.replace(
        "http://127.0.0.1:8000", "http://testserver"
    )


def test_a_suspended_reader_is_skipped_with_the_reason(subscribed, month_turns):
    reader, _, _ = subscribed
    reader.suspended_at = timezone.now()
    reader.suspension_reason = "Chargebacks"
    reader.save()

    run = month_turns(utc(2026, 2, 1, 0, 5))

    assert run.refused == 3 and not subscription_clicks(FEBRUARY).exists()
    entry = SubscriptionMonth.objects.filter(month=FEBRUARY).first()
    assert entry.refusal_code == "suspended"
    assert "(reason: Chargebacks)" in entry.refusal_message


def test_subscription_clicks_count_toward_the_hourly_click_limit(
    settings, time_machine, month_turns
):
    settings.CLICK_RATE_LIMIT_PER_HOUR = 1
    time_machine.move_to(utc(2026, 1, 20, 12), tick=False)
    reader = ready_reader()
    SubscriptionFactory.create_batch(2, reader=reader, first_month=JANUARY)

    run = month_turns(utc(2026, 2, 1, 0, 5))

    assert (run.clicked, run.refused) == (1, 1)
    refused = SubscriptionMonth.objects.get(outcome=Outcome.REFUSED)
    assert refused.refusal_code == "rate_limited"
    assert refused.refusal_message == (
        "More than 1 flattr was made from your account within an hour, so this one was not made."
    )


def test_the_readers_own_flattr_of_the_month_counts_and_a_revoked_one_stays_revoked(
    time_machine, month_turns
):
    time_machine.move_to(utc(2026, 1, 20, 12), tick=False)
    reader = ready_reader()
    kept, revoked = SubscriptionFactory.create_batch(2, reader=reader, first_month=JANUARY)
    time_machine.move_to(utc(2026, 2, 1, 0, 1), tick=False)
    mine = click_register(reader=reader, thing=kept.thing).click
    taken_back = click_register(reader=reader, thing=revoked.thing).click
    click_revoke(reader=reader, click=taken_back)

    run = month_turns(utc(2026, 2, 1, 0, 5))

    assert (run.already, run.clicked) == (2, 0)
    assert SubscriptionMonth.objects.get(subscription=kept).click == mine
    taken_back.refresh_from_db()
    assert taken_back.revoked_at is not None
    assert Click.objects.count() == 2


def test_a_cancelled_subscription_flattrs_nothing_more(subscribed, month_turns):
    reader, _, subscriptions = subscribed
    from tips.subscriptions.services import subscription_cancel

    subscription_cancel(reader=reader, subscription=subscriptions[0])

    run = month_turns(utc(2026, 2, 1, 0, 5))

    assert run.subscriptions == 2
    assert not subscription_clicks(FEBRUARY).filter(thing=subscriptions[0].thing).exists()


def test_a_subscription_started_this_month_waits_for_next_month(time_machine, month_turns):
    time_machine.move_to(utc(2026, 2, 1, 0, 1), tick=False)
    reader, thing = ready_reader(), ThingFactory()
    subscription_start(reader=reader, thing=thing, months=None)

    run = month_turns(utc(2026, 2, 1, 0, 5))

    assert run.subscriptions == 0
    assert Click.objects.get().created_at == utc(2026, 2, 1, 0, 1)


def test_the_notice_is_in_the_readers_language(subscribed, month_turns):
    reader, things, _ = subscribed
    reader.language = "fr"
    reader.save()
    thing_set_retired(thing=things[0], retired=True)
    mail.outbox = []

    month_turns(utc(2026, 2, 1, 0, 5))

    entry = SubscriptionMonth.objects.get(outcome=Outcome.REFUSED)
    assert entry.refusal_message.startswith("Ce contenu n’est plus disponible")
    [notice] = mail.outbox
    assert notice.subject == "[Flattr clone] Vos abonnements en février 2026"


def test_each_month_starts_its_own_run(subscribed, month_turns):
    month_turns(utc(2026, 2, 1, 0, 5))
    month_turns(utc(2026, 3, 1, 0, 5))

    assert list(SubscriptionRun.objects.order_by("month").values_list("month", flat=True)) == [
        FEBRUARY,
        MARCH,
    ]
    assert month_start(MARCH) == utc(2026, 3, 1)
