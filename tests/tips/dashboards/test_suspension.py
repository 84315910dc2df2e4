import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.suspensions import SuspensionError, user_suspend, user_unsuspend
from flattr_clone.months import month_of
from payouts.ledger.models import Transfer
from payouts.ledger.services import earnings_of
from tests.factories import TopUpFactory, UserFactory
from tests.tips.dashboards.helpers import click, last_month, run_payday, set_budget, thing_of
from tests.tips.payday.expected import expected_split
from tips.dashboards.selectors import creator_estimate

pytestmark = pytest.mark.django_db


def test_a_suspended_creator_gets_nothing_at_payday_and_the_others_share_it(
    django_capture_on_commit_callbacks,
):
    honest = [UserFactory(), UserFactory()]
    cheat = UserFactory()
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=5000)
    set_budget(reader, 1000)
    for creator in [*honest, cheat]:
        click(reader, thing_of(creator, "post"), last_month())
    assert user_suspend(user=cheat, reason="Click farm")

    run_payday(last_month(), django_capture_on_commit_callbacks)

    assert earnings_of(cheat).balance_cents == 0
    assert not Transfer.objects.filter(credit__user=cheat).exists()
    # Given 1000: commission (1000 * 1000 + 5000) // 10000 = 100; net 900 over the two
    # honest creators = 450 each, no leftover cent.
    for creator in honest:
        assert earnings_of(creator).balance_cents == 450


def test_the_creator_estimate_of_a_suspended_creator_is_zero(client):
    cheat, reader = UserFactory(), UserFactory()
    TopUpFactory(user=reader, amount_cents=5000)
    set_budget(reader, 1000)
    click(reader, thing_of(cheat, "post"))
    user_suspend(user=cheat, reason="Click farm")
    client.force_login(cheat)
    response = client.get("/dashboard/creator/")
    assert response.context["estimate"].amount_cents == 0
    assert "Your account is suspended" in response.content.decode()


def test_a_suspension_needs_a_reason_and_keeps_the_first_one():
    creator = UserFactory()
    with pytest.raises(SuspensionError):
        user_suspend(user=creator, reason="  ")
    creator.refresh_from_db()
    assert creator.suspended_at is None
    assert user_suspend(user=creator, reason="first")
    assert not user_suspend(user=creator, reason="second")
    creator.refresh_from_db()
    assert creator.suspension_reason == "first"
    assert user_unsuspend(user=creator)
    assert not user_unsuspend(user=creator)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    readers=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=5000),  # budget
            st.integers(min_value=0, max_value=5000),  # wallet
            st.sets(st.integers(min_value=0, max_value=3), min_size=1),  # creators clicked
        ),
        min_size=1,
        max_size=4,
    ),
    suspended=st.sets(st.integers(min_value=0, max_value=3), max_size=2),
)
def test_the_live_estimate_is_the_sum_of_each_readers_split(readers, suspended):
    """Whatever the budgets, wallets, clicks and suspensions, a creator's estimate is the sum of
    their shares of every reader's money by docs/PRODUCT.md's rule (recomputed independently of
    tips.payday.split), and the readers' estimates add up exactly."""
    creators = [UserFactory() for _ in range(4)]
    things = [thing_of(c, "p") for c in creators]
    for index in suspended:
        user_suspend(user=creators[index], reason="test")
        creators[index].refresh_from_db()
    expected = {c.pk: 0 for c in creators}
    total_given = total_commission = 0
    for budget, wallet, clicked in readers:
        reader = UserFactory()
        if wallet:
            TopUpFactory(user=reader, amount_cents=wallet)
        set_budget(reader, budget)
        for index in clicked:
            click(reader, things[index])
        commission, shares = expected_split(
            month_of(),
            reader.pk,
            min(budget, wallet),
            [creators[i].pk for i in clicked if i not in suspended],
        )
        total_given += commission + sum(shares.values())
        total_commission += commission
        for pk, share in shares.items():
            expected[pk] += share
    estimates = {c.pk: creator_estimate(creator=c).amount_cents for c in creators}
    assert estimates == expected
    assert sum(estimates.values()) + total_commission == total_given
