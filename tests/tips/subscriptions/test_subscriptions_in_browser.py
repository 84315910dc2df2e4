"""In Debian's chromium: a reader subscribes from the widget's popup on a creator's blog, the
month turns (the clock moved with time-machine), the subscription's click is there, and the
next payday pays the creator."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from payouts.batches.models import Payout
from payouts.ledger.models import Transfer
from payouts.ledger.selectors import balance_cents
from tests.browser import blog_with_widget, log_in, static_site
from tests.factories import PaymentAccountFactory, ThingFactory, UserFactory, ready_reader
from tips.clicks.models import Click
from tips.payday.jobs import payday_previous_month
from tips.subscriptions.jobs import subscriptions_this_month
from tips.subscriptions.models import Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_a_reader_subscribes_in_the_popup_and_the_creator_is_paid_the_next_month(
    live_server, settings, page, time_machine
):
    settings.SITE_URL = platform = live_server.url
    time_machine.move_to(utc(2026, 3, 25, 10), tick=True)
    creator = UserFactory(display_name="Casey")
    PaymentAccountFactory(user=creator)
    thing = ThingFactory(owner=creator, title="A weekly podcast")
    # Budget 20.00: 2.00 commission, 18.00 for the one creator, above the payout minimum.
    reader = ready_reader(wallet_cents=10000, budget_cents=2000)
    log_in(page.context, reader, platform)

    with static_site() as blog:
        blog.pages["/"] = blog_with_widget(platform, thing)
        page.goto(blog.url + "/")
        widget = page.frame_locator("iframe").locator("#flattr-widget")
        expect(widget.locator("[data-count]")).to_have_text("0")
        with page.expect_popup() as opened:
            widget.click()
        popup = opened.value
        popup.get_by_text("Flattr every month").click()
        popup.get_by_label("Until I cancel").check()
        popup.get_by_role("button", name="Subscribe").click()

        expect(
            popup.get_by_text(
                "You now flattr “A weekly podcast” every month, until you cancel. "
                "It is flattred for this month too."
            )
        ).to_be_visible()
        expect(popup.get_by_text("You flattr this every month until you cancel.")).to_be_visible()
        # The popup handed the new count to the widget, as after the button.
        expect(widget.locator("[data-count]")).to_have_text("1")

    subscription = Subscription.objects.get(reader=reader, thing=thing)
    assert subscription.status == Subscription.Status.ACTIVE
    assert list(Click.objects.values_list("month", "source")) == [
        (dt.date(2026, 3, 1), Click.Source.SUBSCRIPTION)
    ]

    # The month turns: beat runs the subscriptions at 00:05 on the 1st, payday at 02:00.
    time_machine.move_to(utc(2026, 4, 1, 0, 5), tick=True)
    assert subscriptions_this_month.delay().get() == "done"
    time_machine.move_to(utc(2026, 4, 1, 2, 0), tick=True)
    assert payday_previous_month.delay().get() == "done"

    april = Click.objects.get(month=dt.date(2026, 4, 1))
    assert (april.reader, april.thing, april.source) == (reader, thing, Click.Source.SUBSCRIPTION)
    page.goto(platform + "/month/")
    expect(page.get_by_role("link", name="A weekly podcast")).to_be_visible()
    expect(page.get_by_text("by your subscription", exact=True)).to_be_visible()
    expect(page.get_by_text("1 of these flattrs was made by your subscriptions.")).to_be_visible()
    page.goto(platform + "/subscriptions/")
    expect(page.get_by_text("flattred by this subscription.")).to_be_visible()
    expect(page.get_by_text("Next flattr on May 1, 2026.")).to_be_visible()

    # The next payday (April's, on 1 May) pays the creator for the subscription's click.
    time_machine.move_to(utc(2026, 5, 1, 2, 0), tick=True)
    assert payday_previous_month.delay().get() == "done"

    share = Transfer.objects.get(idempotency_key=f"payday:2026-04:{reader.pk}:{creator.pk}")
    assert share.amount_cents == 1800
    paid = Payout.objects.filter(user=creator, status=Payout.Status.PAID).order_by("pk")
    assert [payout.amount_cents for payout in paid] == [1800, 1800]  # March's, then April's
    assert balance_cents(creator, "earnings") == 0
    assert balance_cents(reader, "wallet") == 10000 - 2 * 2000
