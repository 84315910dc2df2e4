"""Property tests: whatever sequence of top-ups, refunds, disputes, spending and replays
happens, money is conserved, no wallet goes negative, and every balance equals its transfers
and what a simple model of the rules predicts."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payouts.funding.models import TopUp
from payouts.funding.topups import topup_complete, topup_dispute, topup_refund
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import (
    InsufficientFunds,
    earnings_of,
    post_transfer,
    system_account,
    wallet_of,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

READERS, CREATORS = 3, 2
_sessions = itertools.count()

amounts = st.integers(min_value=1, max_value=20_000)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("top_up"), st.integers(0, READERS - 1), amounts),
        st.tuples(st.just("refund"), st.integers(0, 9), amounts),
        st.tuples(st.just("dispute"), st.integers(0, 9), st.integers(0, 2)),
        st.tuples(
            st.just("spend"), st.integers(0, READERS - 1), st.integers(0, CREATORS - 1), amounts
        ),
        st.tuples(st.just("replay")),
    ),
    max_size=25,
)


class Model:
    """What the rules say should happen, in plain integers."""

    def __init__(self, readers, creators):
        self.wallets = [balance_cents(r, Account.Kind.WALLET) for r in readers]
        self.earnings = [balance_cents(c, Account.Kind.EARNINGS) for c in creators]
        self.losses = 0
        self.refunded: dict[int, int] = {}
        self.disputed: set[tuple[int, int]] = set()

    def take_back(self, reader, amount):
        from_wallet = min(amount, self.wallets[reader])
        self.wallets[reader] -= from_wallet
        self.losses -= amount - from_wallet


@pytest.fixture
def people():
    return [UserFactory() for _ in range(READERS)], [UserFactory() for _ in range(CREATORS)]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_sequence_of_money_movements_keeps_the_ledger_sound(people, ops):
    # The same people across examples (creating users is slow); each example starts
    # its model from the balances the earlier examples left.
    readers, creators = people
    example = next(_sessions)
    losses_before = system_account(Account.Kind.LOSSES).balance_cents
    model = Model(readers, creators)
    topups: list[tuple[TopUp, int]] = []  # (top-up, reader index)

    def apply(op):
        kind = op[0]
        if kind == "top_up":
            _, reader, amount = op
            session = f"sbx_prop_{next(_sessions)}"
            topup = TopUp.objects.create(
                user=readers[reader],
                amount_cents=amount,
                currency="EUR",
                provider="sandbox",
                session_id=session,
                status="pending",
            )
            call = dict(
                provider="sandbox",
                session_id=session,
                payment_id=session,
                amount_cents=amount,
                currency="EUR",
            )
            topup_complete(**call)
            replays.append(lambda: topup_complete(**call))
            topups.append((topup, reader))
            model.wallets[reader] += amount
        elif kind == "refund" and topups:
            _, index, amount = op
            topup, reader = topups[index % len(topups)]
            before = model.refunded.get(topup.pk, 0)
            total = min(before + amount, topup.amount_cents)
            call = dict(provider="sandbox", payment_id=topup.session_id, refunded_total_cents=total)
            topup_refund(**call)
            replays.append(lambda: topup_refund(**call))
            model.refunded[topup.pk] = total
            model.take_back(reader, total - before)
        elif kind == "dispute" and topups:
            _, index, dispute = op
            topup, reader = topups[index % len(topups)]
            call = dict(
                provider="sandbox",
                payment_id=topup.session_id,
                dispute_id=f"dp_{dispute}",
                amount_cents=topup.amount_cents,
            )
            topup_dispute(**call)
            replays.append(lambda: topup_dispute(**call))
            if (topup.pk, dispute) not in model.disputed:
                model.disputed.add((topup.pk, dispute))
                model.take_back(reader, topup.amount_cents)
        elif kind == "spend":
            _, reader, creator, amount = op
            call = dict(
                debit=wallet_of(readers[reader]),
                credit=earnings_of(creators[creator]),
                amount_cents=amount,
                idempotency_key=f"spend:{example}:{reader}:{creator}:{amount}",
                kind="distribution",
            )
            try:
                post_transfer(**call)
            except InsufficientFunds:
                assert amount > model.wallets[reader]
            else:
                # The same key again is a replay of an earlier spend: applied once.
                key = (reader, creator, amount)
                if key not in spent:
                    spent.add(key)
                    model.wallets[reader] -= amount
                    model.earnings[creator] += amount
                replays.append(lambda: post_transfer(**call))

    spent: set = set()
    replays: list = []
    for op in ops:
        if op[0] == "replay":
            if replays:
                replays[-1]()  # the last movement delivered again: it changes nothing
        else:
            apply(op)

        report = ledger_check(record=False)
        assert report.ok, report.as_dict()
        for i, reader in enumerate(readers):
            assert balance_cents(reader, Account.Kind.WALLET) == model.wallets[i] >= 0
        for i, creator in enumerate(creators):
            assert balance_cents(creator, Account.Kind.EARNINGS) == model.earnings[i]
        losses = system_account(Account.Kind.LOSSES).balance_cents - losses_before
        assert losses == model.losses <= 0
