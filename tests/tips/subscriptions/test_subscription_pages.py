"""The pages: subscribing from a thing's page and its popup, the reader's subscriptions page
(pause, resume, cancel), the creator's subscriber counts, This month, e-mails and the admin."""

import csv
import datetime as dt
import html
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from flattr_clone.months import month_of
from tests.factories import (
    SubscriptionFactory,
    SubscriptionMonthFactory,
    ThingFactory,
    UserFactory,
    ready_reader,
)
from tests.tips.dashboards.test_operator_permissions import staff_client
from tips.clicks.models import Click
from tips.clicks.services import click_register
from tips.subscriptions.models import Subscription, SubscriptionMonth
from tips.subscriptions.services import subscription_start

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def subscribe(client, thing, months="ongoing", **data):
    return client.post(
        reverse("subscriptions:start", kwargs={"pk": thing.pk}),
        {"months": months, **data},
        follow=True,
    )


# --- Subscribing ------------------------------------------------------------------------


def test_the_thing_page_offers_to_flattr_every_month(client):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)

    page = text(client.get(thing.get_absolute_url()))

    assert "Flattr every month" in page
    for label in ("3 months", "6 months", "12 months", "Until I cancel"):
        assert label in page
    assert "It is flattred now for this month, which counts as the first." in page


def test_a_reader_subscribes_from_the_thing_page(client, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC), tick=False)
    reader, thing = ready_reader(), ThingFactory(title="A weekly letter")
    client.force_login(reader)

    page = subscribe(client, thing, months="6")

    assert page.redirect_chain[-1][0] == thing.get_absolute_url()
    assert (
        "You now flattr “A weekly letter” every month, until June 2026. "
        "It is flattred for this month too."
    ) in text(page)
    subscription = Subscription.objects.get()
    assert (subscription.reader, subscription.months, subscription.last_month) == (
        reader,
        6,
        dt.date(2026, 6, 1),
    )
    assert Click.objects.get().source == Click.Source.SUBSCRIPTION
    # The page now shows the subscription instead of the form.
    assert "You flattr this every month until June 2026." in text(page)
    assert "Manage your subscriptions" in text(page)


def test_after_a_click_the_flattr_counts_as_the_first_month(client):
    reader, thing = ready_reader(), ThingFactory()
    click_register(reader=reader, thing=thing)
    client.force_login(reader)

    assert "Your flattr of this month counts as the first month." in text(
        client.get(thing.get_absolute_url())
    )
    page = subscribe(client, thing, months="3")

    assert "Your flattr of this month counts as the first." in text(page)
    assert Click.objects.count() == 1


def test_the_popup_offers_it_and_subscribing_there_hands_the_new_count_to_the_widget(client):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)
    popup = reverse("tips:popup", kwargs={"pk": thing.pk})
    origin = "https://blog.example"
    assert "Flattr every month" in text(client.get(popup, {"origin": origin}))

    page = subscribe(client, thing, origin=origin)

    assert page.redirect_chain[-1][0] == f"{popup}?origin=https%3A%2F%2Fblog.example"
    body = text(page)
    assert 'id="flattr-handoff"' in body and 'data-total="1"' in body
    assert "You now flattr" in body and "until you cancel" in body
    assert page["Cross-Origin-Opener-Policy"] == "unsafe-none"


def test_the_popup_offers_it_right_after_a_click(client):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)
    origin = "https://blog.example"

    page = client.post(
        reverse("tips:click", kwargs={"pk": thing.pk}), {"origin": origin}, follow=True
    )

    body = text(page)
    assert "Thank you! You flattred" in body
    assert "Flattr every month" in body
    assert "Your flattr of this month counts as the first month." in body


def test_visitors_owners_and_readers_who_cannot_flattr_get_no_form(client):
    thing = ThingFactory()
    assert "Flattr every month" not in text(client.get(thing.get_absolute_url()))
    client.force_login(thing.owner)
    assert "Flattr every month" not in text(client.get(thing.get_absolute_url()))
    client.force_login(UserFactory())  # no budget, no money: the button says what is missing
    assert "Flattr every month" not in text(client.get(thing.get_absolute_url()))


def test_a_visitor_who_subscribes_is_sent_to_log_in_and_nothing_is_stored(client):
    thing = ThingFactory()

    response = client.post(reverse("subscriptions:start", kwargs={"pk": thing.pk}), {})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("months", ["", "1", "24", "ongoing2", "-3"])
def test_a_bad_duration_is_explained_and_nothing_is_stored(client, months):
    reader, thing = ready_reader(), ThingFactory()
    client.force_login(reader)

    page = subscribe(client, thing, months=months)

    assert "Choose 3, 6 or 12 months, or until you cancel." in text(page) or (
        "Select a valid choice." in text(page)
    )
    assert not Subscription.objects.exists()
    assert not Click.objects.exists()


def test_a_refused_click_refuses_the_subscription_with_its_reason(client):
    reader, thing = UserFactory(), ThingFactory()
    from tests.factories import BudgetChangeFactory

    BudgetChangeFactory(user=reader)
    client.force_login(reader)

    page = subscribe(client, thing)

    assert "Your wallet is empty. Top it up to flattr." in text(page)
    assert not Subscription.objects.exists()


def test_subscribing_is_throttled_like_a_click(client, settings):
    settings.CLICK_RATE_LIMIT_PER_HOUR = 1
    reader = ready_reader()
    client.force_login(reader)
    subscribe(client, ThingFactory())

    response = client.post(
        reverse("subscriptions:start", kwargs={"pk": ThingFactory().pk}), {"months": "3"}
    )

    assert response.status_code == 429
    assert Subscription.objects.count() == 1


def test_a_retired_things_popup_offers_nothing(client):
    reader, thing = ready_reader(), ThingFactory()
    subscription_start(reader=reader, thing=thing, months=None)
    thing.retired = True
    thing.save()
    client.force_login(reader)

    page = client.get(reverse("tips:popup", kwargs={"pk": thing.pk}))

    assert page.status_code == 410
    assert "Flattr every month" not in text(page)


# --- The reader's subscriptions page ------------------------------------------------


def test_the_subscriptions_page_requires_login(client):
    response = client.get(reverse("subscriptions:list"))

    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_page_lists_running_and_past_subscriptions_with_what_they_did(client, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC), tick=False)
    reader = ready_reader()
    running = subscription_start(reader=reader, thing=ThingFactory(title="Podcast"), months=None)
    ended = SubscriptionFactory(
        reader=reader,
        thing=ThingFactory(title="Old blog"),
        months=3,
        first_month=dt.date(2020, 1, 1),
    )
    client.force_login(reader)

    page = text(client.get(reverse("subscriptions:list")))

    assert "Your subscriptions" in page
    running_part, past_part = page.split("Ended and cancelled")
    assert "Podcast" in running_part and "Old blog" in past_part
    assert "Next flattr on Feb. 1, 2026." in running_part
    assert "January 2026:</strong>\n    flattred by this subscription." in running_part
    assert "every month from January 2026 until cancelled" in running_part
    assert "Its last month was March 2020." in past_part
    assert "Subscribe again" in past_part
    assert running.subscription.pk != ended.pk


def test_a_refusal_this_month_is_the_readers_notice(client):
    reader = ready_reader()
    subscription = SubscriptionFactory(reader=reader)
    SubscriptionMonthFactory(
        subscription=subscription,
        month=month_of(),
        outcome=SubscriptionMonth.Outcome.REFUSED,
        refusal_code="empty_wallet",
        refusal_message="Your wallet is empty. Top it up to flattr.",
        fix_url="/wallet/",
        fix_label="Top up my wallet",
    )
    client.force_login(reader)

    page = text(client.get(reverse("subscriptions:list")))

    assert "1 of your subscriptions could not flattr in" in page
    assert "not flattred: Your wallet is empty. Top it up to flattr." in page
    assert '<a href="/wallet/">Top up my wallet</a>' in page
    this_month = text(client.get(reverse("tips:this_month")))
    assert "1 of your subscriptions could not flattr this month." in this_month


def test_a_reader_pauses_resumes_and_cancels_from_the_page(client, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC), tick=False)
    reader = ready_reader()
    subscription = subscription_start(
        reader=reader, thing=ThingFactory(title="Show"), months=None
    ).subscription
    client.force_login(reader)

    def post(action):
        return text(
            client.post(
                reverse(f"subscriptions:{action}", kwargs={"pk": subscription.pk}), follow=True
            )
        )

    page = post("pause")
    assert "Your subscription to “Show” is paused: it flattrs nothing until you resume it." in page
    assert "Paused on" in page
    page = post("resume")
    assert "Your subscription to “Show” flattrs it again on Feb. 1, 2026." in page
    page = post("cancel")
    assert "Your subscription to “Show” is cancelled. This month's flattr stays." in page
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.CANCELLED
    page = post("resume")
    assert "This subscription is cancelled." in page


def test_nobody_else_can_touch_a_subscription(client):
    subscription = SubscriptionFactory()
    client.force_login(UserFactory())

    for action in ("pause", "resume", "cancel"):
        response = client.post(reverse(f"subscriptions:{action}", kwargs={"pk": subscription.pk}))
        assert response.status_code == 404
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_changes_need_a_post(client):
    subscription = SubscriptionFactory()
    client.force_login(subscription.reader)

    response = client.get(reverse("subscriptions:cancel", kwargs={"pk": subscription.pk}))

    assert response.status_code == 405


# --- This month, dashboards, exports ----------------------------------------------------


def test_this_month_marks_the_flattrs_a_subscription_made(client):
    reader = ready_reader()
    subscription_start(reader=reader, thing=ThingFactory(title="By subscription"), months=3)
    click_register(reader=reader, thing=ThingFactory(title="By hand"))
    client.force_login(reader)

    page = text(client.get(reverse("tips:this_month")))

    assert "1 of these flattrs was made by your subscriptions." in page
    assert page.count("by your subscription<") == 1
    dashboard = text(client.get(reverse("dashboards:reader")))
    assert dashboard.count("by your subscription<") == 1


def test_creators_see_subscribers_per_thing_on_the_dashboard_and_in_the_export(client):
    creator = UserFactory()
    podcast = ThingFactory(owner=creator, title="Podcast")
    quiet = ThingFactory(owner=creator, title="Quiet")
    for _ in range(2):
        subscription_start(reader=ready_reader(), thing=podcast, months=None)
    paused = SubscriptionFactory(
        thing=podcast, status="paused", paused_at=timezone.now(), reader=UserFactory()
    )
    SubscriptionFactory(thing=quiet, months=3, first_month=dt.date(2020, 1, 1))  # ended
    client.force_login(creator)

    page = client.get(reverse("dashboards:creator")).content.decode()
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("dashboards:clicks_csv")).content.decode()))
    )

    assert 'data-subscribers="2"' in page and 'data-subscribers="0"' in page
    assert rows[0][-1] == "subscribers"
    assert {row[0]: row[-1] for row in rows[1:]} == {"Podcast": "2", "Quiet": "0"}
    assert paused.status == "paused"


# --- E-mails --------------------------------------------------------------------------


def test_the_monthly_summary_says_how_many_subscriptions_flattred(
    django_capture_on_commit_callbacks, time_machine
):
    from tips.payday.services import payday_run

    time_machine.move_to(dt.datetime(2026, 1, 20, tzinfo=dt.UTC), tick=False)
    reader = ready_reader(wallet_cents=3000)
    for thing in ThingFactory.create_batch(3):
        subscription_start(reader=reader, thing=thing, months=None)
    time_machine.move_to(dt.datetime(2026, 2, 1, 2, tzinfo=dt.UTC), tick=False)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        payday_run(month=dt.date(2026, 1, 1))

    [summary] = [m for m in mail.outbox if m.to == [reader.email]]
    assert "In January 2026, 3 subscriptions flattred for you." in summary.body
    assert "/subscriptions/" in summary.body
    assert "3 subscriptions flattred for you" in summary.alternatives[0][0]


def test_no_notice_when_every_subscription_flattred():
    from tips.emails.services import send_monthly_email

    reader = ready_reader()
    subscription_start(reader=reader, thing=ThingFactory(), months=None)

    assert send_monthly_email(user_id=reader.pk, month=month_of(), kind="subscriptions") is False
    assert not mail.outbox


def test_notices_go_to_readers_who_turned_the_summaries_off_but_only_once(
    django_capture_on_commit_callbacks,
):
    from tips.emails.tasks import send_subscription_notices

    reader = ready_reader(monthly_emails=False)
    subscription = SubscriptionFactory(reader=reader)
    SubscriptionMonthFactory(
        subscription=subscription,
        month=month_of(),
        outcome=SubscriptionMonth.Outcome.REFUSED,
        refusal_code="retired",
        refusal_message="This thing is no longer available.",
        notify=True,
    )
    mail.outbox = []

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            send_subscription_notices.delay(month=f"{month_of():%Y-%m}")

    [notice] = mail.outbox
    assert notice.to == [reader.email]
    assert "This thing is no longer available." in notice.body
    assert "This thing is no longer available." in notice.alternatives[0][0]


# --- Admin ---------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["support", "operator"])
def test_operators_see_subscriptions_read_only(client, group):
    subscription = SubscriptionFactory()
    SubscriptionMonthFactory(subscription=subscription)
    staff_client(client, groups=(group,))

    for url in (
        "/admin/tips/subscription/",
        f"/admin/tips/subscription/{subscription.pk}/change/",
        "/admin/tips/subscriptionmonth/",
    ):
        assert client.get(url).status_code == 200, url
    runs = client.get("/admin/tips/subscriptionrun/").status_code
    assert runs == (200 if group == "operator" else 403)
    assert client.get("/admin/tips/subscription/add/").status_code == 403
    response = client.post(f"/admin/tips/subscription/{subscription.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    change = client.get(f"/admin/tips/subscription/{subscription.pk}/change/").content.decode()
    assert 'name="_save"' not in change
    assert Subscription.objects.filter(pk=subscription.pk).exists()


def test_the_subscriptions_page_speaks_french(client, time_machine):
    time_machine.move_to(dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC), tick=False)
    reader = ready_reader()
    subscription = SubscriptionFactory(reader=reader, thing=ThingFactory(title="Podcast"))
    # Stored in English (the reader has no e-mail language), read in the viewer's language.
    SubscriptionMonthFactory(
        subscription=subscription,
        month=month_of(),
        outcome=SubscriptionMonth.Outcome.REFUSED,
        refusal_code="empty_wallet",
        refusal_message="Your wallet is empty. Top it up to flattr.",
        fix_url="/wallet/",
        fix_label="Top up my wallet",
    )
    client.force_login(reader)
    client.cookies["django_language"] = "fr"

    page = text(client.get(reverse("subscriptions:list")))

    assert "Vos abonnements" in page
    assert "janvier 2026\u00a0:</strong>" in page
    refusal = "Votre porte-monnaie est vide. Rechargez-le pour pouvoir flattrer."
    assert f"pas flattré\u00a0: {refusal}" in page
    assert '<a href="/wallet/">Recharger mon porte-monnaie</a>' in page
    assert "Prochain flattr le 1 février 2026." in page
    assert ">Résilier<" in page
