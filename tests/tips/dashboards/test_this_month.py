import html

import pytest
from django.urls import reverse
from django.utils import timezone

from flattr_clone.months import month_of, previous_month
from tests.factories import ClickFactory, ThingFactory, UserFactory, ready_reader
from tips.payday.estimates import month_estimate

pytestmark = pytest.mark.django_db


def test_it_lists_the_months_clicks_with_revoke_buttons(client):
    reader = ready_reader()
    current = ClickFactory(reader=reader, thing=ThingFactory(title="Fresh song"))
    ClickFactory(
        reader=reader, thing=ThingFactory(title="Old song"), month=previous_month(month_of())
    )
    client.force_login(reader)

    page = html.unescape(client.get(reverse("tips:this_month")).content.decode())

    assert "Fresh song" in page and current.creator.name in page
    assert "Old song" not in page
    assert reverse("tips:revoke", kwargs={"pk": current.pk}) in page


def test_the_estimate_splits_min_of_budget_and_wallet_like_payday(settings):
    settings.COMMISSION_RATE_BASIS_POINTS = 1000
    reader = ready_reader(wallet_cents=700, budget_cents=1000)  # given = 700
    creators = UserFactory.create_batch(3)
    for creator in creators:
        ClickFactory(reader=reader, thing=ThingFactory(owner=creator))
    ClickFactory(reader=reader, thing=ThingFactory(owner=creators[0]))  # same creator twice
    suspended = UserFactory(suspended_at=timezone.now())
    ClickFactory(reader=reader, thing=ThingFactory(owner=suspended))
    ClickFactory(reader=reader, revoked_at=timezone.now())

    estimate = month_estimate(reader, month_of())

    # Given min(1000, 700) = 700: commission (700 * 1000 + 5000) // 10000 = 70; net 630 over
    # the three eligible creators (the suspended one and the revoked click left out) = 210
    # each, no leftover cent.
    assert estimate.given_cents == 700
    assert estimate.commission_cents == 70
    assert {c.pk: cents for c, cents in estimate.shares} == {c.pk: 210 for c in creators}
    assert sum(cents for _, cents in estimate.shares) == 630
    assert estimate.excluded == [suspended]


def test_the_page_shows_the_estimated_shares_in_money(client):
    reader = ready_reader(wallet_cents=1000, budget_cents=1000)
    creator = UserFactory(display_name="Grace")
    ClickFactory(reader=reader, thing=ThingFactory(owner=creator))
    client.force_login(reader)

    page = html.unescape(client.get(reverse("tips:this_month")).content.decode())

    assert "you would give €10.00" in page
    assert "€9.00" in page  # Grace's share after the 10% commission
    assert "€1.00" in page


def test_nothing_would_move_without_clicks(client):
    reader = ready_reader()
    client.force_login(reader)
    page = client.get(reverse("tips:this_month")).content.decode()
    assert "Nothing would move" in page
