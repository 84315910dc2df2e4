"""A brand-new account has a lower hourly click limit (docs/PRODUCT.md, First payouts and
velocity); each limit reached is listed for operators."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import LimitHit
from tests.factories import ThingFactory, ready_reader
from tips.clicks.models import Click

pytestmark = pytest.mark.django_db


def test_a_new_account_gets_the_lower_click_limit_an_older_one_does_not(client, settings):
    settings.CLICK_RATE_LIMIT_PER_HOUR = 5
    settings.CLICK_RATE_LIMIT_PER_HOUR_NEW_ACCOUNT = 2
    settings.VELOCITY_NEW_ACCOUNT_DAYS = 7
    new = ready_reader()
    old = ready_reader(date_joined=timezone.now() - dt.timedelta(days=8))
    things = ThingFactory.create_batch(4)

    client.force_login(new)
    statuses = [client.post(reverse("tips:click", kwargs={"pk": t.pk})).status_code for t in things]
    refused = client.post(reverse("tips:click", kwargs={"pk": things[3].pk}))
    client.force_login(old)
    old_statuses = [
        client.post(reverse("tips:click", kwargs={"pk": t.pk})).status_code for t in things
    ]

    assert statuses[2:] == [429, 429]
    assert "You can flattr at most 2 times an hour." in html.unescape(refused.content.decode())
    assert Click.objects.filter(reader=new).count() == 2
    assert 429 not in old_statuses
    assert Click.objects.filter(reader=old).count() == 4
    hit = LimitHit.objects.get()  # one row for the window, not one per refused click
    assert (hit.kind, hit.user) == (LimitHit.Kind.CLICK_NEW_ACCOUNT_HOUR, new)
