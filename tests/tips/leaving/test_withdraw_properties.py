"""Property test of the withdrawal split (PRODUCT.md, "Funding"): whatever the top-ups, the
reserve and the amount asked, a withdrawal takes exactly the amount, newest top-up first,
never more than a top-up still holds, never what is reserved; anything above the limit is
refused with nothing moved; the money ends at the provider and the ledger stays sound."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payouts.funding.models import TopUp
from payouts.funding.topups import topup_complete
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account
from payouts.ledger.selectors import balance_cents
from payouts.withdrawals.models import Withdrawal, WithdrawalRefund
from payouts.withdrawals.services import (
    WithdrawalError,
    withdrawal_send,
    withdrawal_start,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

_sessions = itertools.count()


def top_up(user, amount: int) -> TopUp:
    session = f"sbx_withdraw_prop_{next(_sessions)}"
    TopUp.objects.create(
        user=user,
        amount_cents=amount,
        currency="EUR",
        provider="sandbox",
        session_id=session,
        status="pending",
    )
    return topup_complete(
        provider="sandbox",
        session_id=session,
        payment_id=session,
        amount_cents=amount,
        currency="EUR",
    )


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    amounts=st.lists(st.integers(1, 20_000), min_size=1, max_size=6),
    reserve_share=st.floats(0, 1.2),
    ask_share=st.floats(0, 1.3),
    twice=st.booleans(),
)
def test_a_withdrawal_takes_exactly_the_amount_newest_top_up_first(
    amounts, reserve_share, ask_share, twice
):
    reader = UserFactory()
    topups = [top_up(reader, amount) for amount in amounts]
    total = sum(amounts)
    reserved = int(total * reserve_share)
    limit = max(0, total - reserved)
    ask = max(1, int(total * ask_share))

    if ask > limit:
        with pytest.raises(WithdrawalError):
            withdrawal_start(user=reader, amount_cents=ask, reserved_cents=reserved)
        assert balance_cents(reader, Account.Kind.WALLET) == total
        assert not Withdrawal.objects.filter(user=reader).exists()
        assert all(TopUp.objects.get(pk=t.pk).refunded_cents == 0 for t in topups)
        return

    withdrawal = withdrawal_start(user=reader, amount_cents=ask, reserved_cents=reserved)
    withdrawal_send(withdrawal_id=withdrawal.pk)

    expected, left = {}, ask
    for topup in reversed(topups):  # the newest first
        part = min(left, topup.amount_cents)
        if part:
            expected[topup.pk] = part
        left -= part
    parts = dict(
        WithdrawalRefund.objects.filter(withdrawal=withdrawal).values_list(
            "topup_id", "amount_cents"
        )
    )
    assert parts == expected
    assert set(
        WithdrawalRefund.objects.filter(withdrawal=withdrawal).values_list("status", flat=True)
    ) == {WithdrawalRefund.Status.REFUNDED}
    assert balance_cents(reader, Account.Kind.WALLET) == total - ask
    assert {t.pk: TopUp.objects.get(pk=t.pk).refunded_cents for t in topups} == {
        t.pk: expected.get(t.pk, 0) for t in topups
    }

    if twice:
        # What is left over the reserve can be taken too, and not a cent more.
        rest = total - ask - reserved
        with pytest.raises(WithdrawalError):
            withdrawal_start(user=reader, amount_cents=max(rest, 0) + 1, reserved_cents=reserved)
        if rest > 0:
            withdrawal_send(
                withdrawal_id=withdrawal_start(
                    user=reader, amount_cents=rest, reserved_cents=reserved
                ).pk
            )
            assert balance_cents(reader, Account.Kind.WALLET) == min(reserved, total)
    assert ledger_check(record=False).ok
