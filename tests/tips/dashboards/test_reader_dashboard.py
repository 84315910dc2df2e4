import re

import pytest
from django.urls import reverse

from flattr_clone.months import month_of
from payouts.ledger.models import Transfer
from tests.factories import TopUpFactory, UserFactory
from tests.tips.dashboards.helpers import click, last_month, run_payday, set_budget, thing_of
from tests.tips.payday.helpers import sha_order

pytestmark = pytest.mark.django_db


def test_it_requires_login(client):
    response = client.get(reverse("dashboards:reader"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_past_months_show_what_the_ledger_took_and_to_whom(
    client, django_capture_on_commit_callbacks
):
    alice = UserFactory(display_name="Alice Writer")
    bob = UserFactory(display_name="Bob Singer")
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=2000)
    set_budget(reader, 1001)
    click(reader, thing_of(alice, "a"), last_month())
    click(reader, thing_of(bob, "b"), last_month())
    run_payday(last_month(), django_capture_on_commit_callbacks)
    # Given 1001: commission (1001 * 1000 + 5000) // 10000 = 100; net 901 = 2 * 450 + 1, so
    # the first creator in sha256("YYYY-MM:<reader>:<creator>") order gets the extra cent.
    first, second = sha_order(last_month(), reader.pk, [alice.pk, bob.pk])

    client.force_login(reader)
    response = client.get(reverse("dashboards:reader"))

    [entry] = response.context["history"]
    assert entry.month == last_month()
    taken = sum(
        t.amount_cents
        for t in Transfer.objects.filter(
            debit__user=reader, reference=f"payday:{last_month():%Y-%m}"
        )
    )
    assert entry.given_cents == taken == 1001
    assert entry.commission_cents == 100
    assert {share.creator.pk: share.cents for share in entry.shares} == {first: 451, second: 450}
    html = response.content.decode()
    article = re.search(r'<article class="history-month".*?</article>', html, re.S).group(0)
    assert "You gave €10.01: €1.00 commission and €9.01 to creators." in article
    assert "Alice Writer" in article and "Bob Singer" in article


def test_this_month_shows_the_clicks_with_the_estimate(client):
    creator = UserFactory(display_name="Carol")
    suspended = UserFactory(display_name="Sam")
    suspended.suspended_at = suspended.date_joined
    suspended.save()
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=5000)
    set_budget(reader, 1000)
    click(reader, thing_of(creator, "c", "Carol's post"))
    click(reader, thing_of(suspended, "s", "Sam's post"))

    client.force_login(reader)
    response = client.get(reverse("dashboards:reader"))

    this_month = response.context["this_month"]
    assert this_month.month == month_of()
    assert this_month.estimate.given_cents == 1000
    assert this_month.estimate.commission_cents == 100
    shares = {row.click.creator.pk: row.share_cents for row in this_month.rows}
    assert shares == {creator.pk: 900, suspended.pk: None}
    html = response.content.decode()
    assert "€9.00" in html
    assert "nothing (account suspended)" in html
    # A second thing of the same creator does not show the share twice.
    click(reader, thing_of(creator, "c2", "Carol's other post"))
    response = client.get(reverse("dashboards:reader"))
    carol = [row for row in response.context["this_month"].rows if row.click.creator == creator]
    assert sorted(row.first_for_creator for row in carol) == [False, True]
    assert response.content.decode().count("€9.00") == 1
    assert "counted above" in response.content.decode()
    assert 'id="wallet-prompt"' not in html


def test_it_prompts_to_top_up_when_the_wallet_cannot_cover_the_budget(client):
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=700)
    set_budget(reader, 1000)
    client.force_login(reader)
    html = client.get(reverse("dashboards:reader")).content.decode()
    prompt = re.search(
        r'<p class="dashboard-alert" role="alert" id="wallet-prompt">(.*?)</p>', html, re.S
    )
    assert prompt is not None
    assert "Your wallet holds €7.00, less than your monthly budget of €10.00" in prompt.group(1)
    assert f'href="{reverse("payouts:wallet")}"' in prompt.group(1)


def test_a_reader_sees_only_their_own_history(client, django_capture_on_commit_callbacks):
    creator = UserFactory(display_name="Dora")
    reader, other = UserFactory(), UserFactory()
    for person in (reader, other):
        TopUpFactory(user=person, amount_cents=1000)
        set_budget(person, 500)
    click(other, thing_of(creator, "d"), last_month())
    run_payday(last_month(), django_capture_on_commit_callbacks)
    client.force_login(reader)
    response = client.get(reverse("dashboards:reader"))
    assert response.context["history"] == []
    assert "Dora" not in response.content.decode()
    assert client.get(f"/dashboard/{other.pk}/").status_code == 404


def test_the_nav_links_to_both_dashboards(client):
    client.force_login(UserFactory())
    html = client.get(reverse("dashboards:reader")).content.decode()
    assert f'href="{reverse("dashboards:reader")}" aria-current="page">Dashboard</a>' in html
    assert f'href="{reverse("dashboards:creator")}"' in html
