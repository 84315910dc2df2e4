import csv
import io
import re

import pytest
from django.db.models import Count, Sum
from django.test import override_settings
from django.urls import reverse

from flattr_clone.months import previous_month
from payouts.ledger.models import Transfer
from payouts.ledger.services import earnings_of
from tests.factories import TopUpFactory, UserFactory
from tests.tips.dashboards.helpers import click, last_month, run_payday, set_budget, thing_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_month(django_capture_on_commit_callbacks):
    """Two creators, three readers; two real paydays (the month before last and last month)."""
    alice = UserFactory(handle="alice", display_name="Alice")
    bob = UserFactory(handle="bob", display_name="Bob")
    readers = [UserFactory(handle=f"reader{n}") for n in range(3)]
    essay, poem = thing_of(alice, "essay", "An essay"), thing_of(alice, "poem", "A poem")
    song = thing_of(bob, "song", "A song")
    for reader, budget, wallet in zip(readers, [1000, 500, 333], [5000, 300, 2000], strict=True):
        TopUpFactory(user=reader, amount_cents=wallet)
        set_budget(reader, budget)
    before = previous_month(last_month())
    click(readers[0], essay, before)
    click(readers[0], essay, last_month())
    click(readers[0], poem, last_month())
    click(readers[0], song, last_month())
    click(readers[1], poem, last_month())
    click(readers[2], song, last_month())
    run_payday(before, django_capture_on_commit_callbacks)
    run_payday(last_month(), django_capture_on_commit_callbacks)
    return {"alice": alice, "bob": bob, "readers": readers, "things": [essay, poem, song]}


def ledger_earnings(creator, month):
    """Independent of the dashboard code: the distributions credited to the creator."""
    row = Transfer.objects.filter(
        credit=earnings_of(creator), kind="distribution", reference=f"payday:{month:%Y-%m}"
    ).aggregate(amount=Sum("amount_cents"), readers=Count("debit", distinct=True))
    return row["amount"] or 0, row["readers"]


def test_it_requires_login(client):
    response = client.get(reverse("dashboards:creator"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_table_and_the_chart_show_the_ledger(client, paid_month):
    alice = paid_month["alice"]
    client.force_login(alice)
    html = client.get(reverse("dashboards:creator")).content.decode()

    for month in (last_month(), previous_month(last_month())):
        amount, readers = ledger_earnings(alice, month)
        assert amount > 0
        row = re.search(rf'<tr data-month="{month:%Y-%m}">(.*?)</tr>', html, re.S).group(1)
        assert f'<td class="num">{readers}</td>' in row
        assert f'data-cents="{amount}"' in row
        bar = re.search(rf'data-month="{month:%Y-%m}" data-cents="(\d+)"', html)
        assert int(bar.group(1)) == amount
    # Twelve months in the chart and the table, empty ones as zero.
    assert len(re.findall(r'<g class="chart-bar"', html)) == 12
    assert len(re.findall(r"<tr data-month=", html)) == 12


def test_last_months_shares_follow_the_split(paid_month):
    alice, bob = paid_month["alice"], paid_month["bob"]
    month = last_month()
    # What each reader gave last month (the month before last took reader0's budget once):
    # reader0 budget 1000 of 4000 left → commission (1000 * 1000 + 5000) // 10000 = 100,
    #   net 900 over Alice and Bob = 450 each, no leftover cent;
    # reader1 its whole wallet 300 → commission (300 * 1000 + 5000) // 10000 = 30, net 270,
    #   all to Alice;
    # reader2 budget 333 → commission (333 * 1000 + 5000) // 10000 = 33, net 300, all to Bob.
    assert ledger_earnings(alice, month) == (450 + 270, 2)
    assert ledger_earnings(bob, month) == (450 + 300, 2)


def test_this_months_estimate_sums_the_creators_shares(client, paid_month):
    alice, readers = paid_month["alice"], paid_month["readers"]
    essay, poem, song = paid_month["things"]
    click(readers[0], essay)
    click(readers[0], song)
    click(readers[1], poem)
    revoked = click(readers[2], poem)
    revoked.revoked_at = revoked.created_at
    revoked.save()
    # Wallets after two paydays: reader0 5000-1000-1000, reader1 0 (gave its 300). Reader0
    # would give its budget 1000: commission (1000 * 1000 + 5000) // 10000 = 100, net 900
    # over Alice and Bob = 450 each. Reader1 gives nothing, reader2's click is revoked.
    share0 = 450

    client.force_login(alice)
    response = client.get(reverse("dashboards:creator"))

    estimate = response.context["estimate"]
    assert estimate.amount_cents == share0
    assert estimate.readers == 2  # reader0 and reader1 (whose empty wallet gives nothing)
    assert "€4.50" in response.content.decode()


@override_settings(PAYOUT_MINIMUM_CENTS=100_000)
def test_it_shows_the_balance_and_the_way_to_the_payout_minimum(client, paid_month):
    alice = paid_month["alice"]
    balance = earnings_of(alice).balance_cents
    client.force_login(alice)
    response = client.get(reverse("dashboards:creator"))
    assert response.context["balance_cents"] == balance
    assert response.context["payout_progress"] == balance * 100 // 100_000
    assert f'<progress id="payout-progress" max="100" value="{balance * 100 // 100_000}">' in (
        response.content.decode()
    )
    assert reverse("payouts:payouts") in response.content.decode()


def test_it_counts_clicks_per_thing_this_month_and_all_time(client, paid_month):
    alice, readers = paid_month["alice"], paid_month["readers"]
    essay, poem, _song = paid_month["things"]
    click(readers[1], essay)
    client.force_login(alice)
    rows = {
        row.thing.pk: row for row in client.get(reverse("dashboards:creator")).context["things"]
    }
    assert (rows[essay.pk].this_month, rows[essay.pk].all_time) == (1, 3)
    assert (rows[poem.pk].this_month, rows[poem.pk].all_time) == (0, 2)
    html = client.get(reverse("dashboards:creator")).content.decode()
    assert essay.get_absolute_url() in html  # its page has the embed codes


def test_the_earnings_export_matches_the_ledger(client, paid_month):
    alice = paid_month["alice"]
    client.force_login(alice)
    response = client.get(reverse("dashboards:earnings_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))

    assert rows[0] == ["month", "readers", "amount_cents", "amount_EUR"]
    expected = []
    for month in (previous_month(last_month()), last_month()):
        amount, readers = ledger_earnings(alice, month)
        expected.append([f"{month:%Y-%m}", str(readers), str(amount), f"{amount / 100:.2f}"])
    assert rows[1:] == expected
    total = sum(int(r[2]) for r in rows[1:])
    assert total == earnings_of(alice).balance_cents


def test_the_clicks_export_lists_each_thing(client, paid_month):
    bob, readers = paid_month["bob"], paid_month["readers"]
    song = paid_month["things"][2]
    click(readers[1], song)
    client.force_login(bob)
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("dashboards:clicks_csv")).content.decode()))
    )
    assert rows == [
        ["thing", "url", "this_month", "all_time", "subscribers"],
        ["A song", song.url, "1", "3", "0"],
    ]


def test_a_creator_sees_only_their_own_numbers(client, paid_month):
    alice, bob = paid_month["alice"], paid_month["bob"]
    client.force_login(bob)
    html = client.get(reverse("dashboards:creator")).content.decode()
    assert "An essay" not in html and "A song" in html
    earnings = client.get(reverse("dashboards:earnings_csv")).content.decode()
    bob_amount, _ = ledger_earnings(bob, last_month())
    alice_amount, _ = ledger_earnings(alice, last_month())
    assert f",{bob_amount}," in earnings and f",{alice_amount}," not in earnings
    clicks = client.get(reverse("dashboards:clicks_csv")).content.decode()
    assert "An essay" not in clicks
    # There is no address for someone else's dashboard or export.
    assert client.get(f"/dashboard/creator/{alice.pk}/").status_code == 404
    assert client.get(f"/dashboard/creator/earnings.csv?user={alice.pk}").content.decode() == (
        earnings
    )


def test_exports_require_login(client):
    for name in ("dashboards:earnings_csv", "dashboards:clicks_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_a_thing_title_cannot_inject_a_formula_in_the_export(client):
    creator = UserFactory()
    thing_of(creator, "evil", '=HYPERLINK("http://evil")')
    client.force_login(creator)
    content = client.get(reverse("dashboards:clicks_csv")).content.decode()
    assert "'=HYPERLINK" in content


def test_the_estimate_takes_the_same_few_queries_for_3_or_30_readers(
    django_assert_num_queries,
):
    from tips.dashboards.selectors import creator_estimate

    creator, other = UserFactory(), UserFactory()
    mine, theirs = thing_of(creator, "mine"), thing_of(other, "theirs")

    def add_readers(count):
        for _ in range(count):
            reader = UserFactory()
            TopUpFactory(user=reader, amount_cents=1000)
            set_budget(reader, 500)
            click(reader, mine)
            click(reader, theirs)

    add_readers(3)
    with django_assert_num_queries(4):
        few = creator_estimate(creator=creator)
    add_readers(27)
    with django_assert_num_queries(4):
        many = creator_estimate(creator=creator)
    assert (few.readers, few.amount_cents) == (3, 3 * 225)
    assert (many.readers, many.amount_cents) == (30, 30 * 225)
