"""Hypothesis properties of the split (tips.payday.split) against docs/PRODUCT.md."""

import datetime as dt
import hashlib

from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from tips.payday.split import amount_given, commission_of, leftover_order, split_given, split_reader

months = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 1)).map(
    lambda day: day.replace(day=1)
)
pks = st.integers(min_value=1, max_value=10**9)


@given(
    month=months,
    reader_pk=pks,
    given_cents=st.integers(min_value=0, max_value=10**7),
    creators=st.sets(pks, min_size=0, max_size=40),
    rate=st.integers(min_value=0, max_value=10000),
)
def test_the_split_is_exact_even_and_follows_the_sha256_order(
    month, reader_pk, given_cents, creators, rate
):
    creators.discard(reader_pk)
    split = split_given(
        month=month,
        reader_pk=reader_pk,
        given_cents=given_cents,
        creator_pks=creators,
        rate_basis_points=rate,
    )

    if not creators or given_cents == 0:
        assert (split.given_cents, split.commission_cents, split.shares) == (0, 0, {})
        return
    assert split.given_cents == given_cents
    assert split.commission_cents == (given_cents * rate + 5000) // 10000
    assert split.given_cents == split.commission_cents + sum(split.shares.values())
    everyone = [split.shares.get(pk, 0) for pk in creators]
    assert max(everyone) - min(everyone) <= 1
    assert 0 not in split.shares.values()
    # The leftover cents go one each to the first creators by ascending sha256 hex digest.
    net = given_cents - split.commission_cents
    order = sorted(
        creators,
        key=lambda pk: hashlib.sha256(f"{month:%Y-%m}:{reader_pk}:{pk}".encode()).hexdigest(),
    )
    leftover = net % len(creators)
    assert [split.shares.get(pk, 0) for pk in order] == [
        net // len(creators) + (1 if index < leftover else 0) for index in range(len(order))
    ]


@given(given_cents=st.integers(min_value=0, max_value=10**9))
def test_the_commission_rounds_half_up(given_cents):
    exact_tenths = given_cents * 1000  # in 1/10000 of a cent
    commission = commission_of(given_cents, 1000)
    assert abs(commission * 10000 - exact_tenths) <= 5000
    if exact_tenths % 10000 == 5000:
        assert commission * 10000 > exact_tenths


def test_a_leftover_order_example_matches_a_hand_computed_digest():
    month = dt.date(2026, 10, 1)
    digests = {
        pk: hashlib.sha256(f"2026-10:7:{pk}".encode()).hexdigest() for pk in (3, 11, 12, 200)
    }
    assert leftover_order(month, 7, [12, 3, 200, 11, 3]) == sorted(digests, key=digests.get)


@given(
    budget=st.integers(min_value=0, max_value=10**7),
    wallet=st.integers(min_value=0, max_value=10**7),
)
def test_a_reader_gives_the_smaller_of_budget_and_wallet_never_more(budget, wallet):
    given_cents = amount_given(budget_cents=budget, wallet_cents=wallet)

    assert 0 <= given_cents <= budget
    assert given_cents <= wallet
    assert given_cents in (budget, wallet)


@given(
    month=months,
    reader_pk=pks,
    budget=st.integers(min_value=0, max_value=10**6),
    wallet=st.integers(min_value=0, max_value=10**6),
    creators=st.sets(pks, min_size=0, max_size=20),
)
@override_settings(COMMISSION_RATE_BASIS_POINTS=1000)
def test_a_readers_split_takes_the_platform_rate_and_conserves_every_cent(
    month, reader_pk, budget, wallet, creators
):
    creators.discard(reader_pk)
    split = split_reader(
        month=month,
        reader_pk=reader_pk,
        budget_cents=budget,
        wallet_cents=wallet,
        creator_pks=creators,
    )

    if not creators or min(budget, wallet) == 0:
        assert (split.given_cents, split.commission_cents, split.shares) == (0, 0, {})
        return
    given_cents = min(budget, wallet)
    assert split.given_cents == given_cents
    # 10% rounded half up, written out independently of commission_of.
    tenth, remainder = divmod(given_cents, 10)
    assert split.commission_cents == tenth + (1 if remainder >= 5 else 0)
    assert split.commission_cents + sum(split.shares.values()) == given_cents
