"""Property test of the withdrawal split (PRODUCT.md, "Funding"): whatever the top-ups, the
reserve and the amount asked, a withdrawal takes exactly the amount, newest top-up first,
never more than a top-up still holds, never what is reserved; anything above the limit is
refused with nothing moved; the money ends at the provider and the ledger stays sound. And
with part of the wallet spent by payday (oldest payment first) and refunds the provider
refuses (back in the wallet), no top-up is refunded more than it still holds and issue 13's
invariant holds throughout: Σ(amount − spent) of the reader's paid top-ups = the wallet."""

import itertools

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payouts.funding.holds import holds_trace_payday
from payouts.funding.models import TopUp
from payouts.funding.topups import topup_complete
from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Account, Transfer
from payouts.ledger.selectors import balance_cents
from payouts.ledger.services import (
    Posting,
    earnings_of,
    lock_balances,
    wallet_of,
    write_transfers,
)
from payouts.withdrawals.models import Withdrawal, WithdrawalRefund
from payouts.withdrawals.services import (
    WithdrawalError,
    refund_send,
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


def unspent(reader) -> int:
    """Issue 13's invariant, the left side: Σ(amount − spent) of the reader's paid top-ups."""
    return sum(
        t.amount_cents - t.spent_cents for t in TopUp.objects.filter(user=reader, status="paid")
    )


def assert_invariant(reader) -> None:
    assert unspent(reader) == balance_cents(reader, Account.Kind.WALLET)


@transaction.atomic
def payday_spends(reader, creator, cents: int) -> None:
    """What payday's chunk does with a share: wallet → earnings, traced to the payments."""
    wallet, earnings = wallet_of(reader).pk, earnings_of(creator).pk
    row = Posting(wallet, earnings, cents, f"prop:{reader.pk}", Transfer.Kind.DISTRIBUTION, "p")
    now = timezone.now()
    applied = write_transfers([row], at=now, locked=lock_balances([wallet, earnings]))
    holds_trace_payday(
        applied,
        readers_by_wallet={wallet: reader.pk},
        creators_by_earnings={earnings: creator.pk},
        now=now,
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
    assert_invariant(reader)
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
            assert_invariant(reader)
    assert ledger_check(record=False).ok


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    amounts=st.lists(st.integers(1, 20_000), min_size=1, max_size=5),
    spent_share=st.floats(0, 1),
    ask_share=st.floats(0, 1),
    refused=st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_spent_money_is_never_refunded_and_refused_refunds_stay_unspent(
    amounts, spent_share, ask_share, refused
):
    reader, creator = UserFactory(), UserFactory()
    topups = [top_up(reader, amount) for amount in amounts]
    total = sum(amounts)
    spent = int(total * spent_share)
    if spent:
        payday_spends(reader, creator, spent)
    assert_invariant(reader)
    wallet = total - spent
    left_in = {t.pk: TopUp.objects.get(pk=t.pk).amount_cents for t in topups}
    for topup in topups:  # payday spends the oldest payment first
        left_in[topup.pk] = max(0, topup.amount_cents - max(0, spent))
        spent -= topup.amount_cents
    ask = int(wallet * ask_share)
    if not ask:
        return

    withdrawal = withdrawal_start(user=reader, amount_cents=ask, reserved_cents=0)
    parts = list(WithdrawalRefund.objects.filter(withdrawal=withdrawal).order_by("pk"))
    expected, left = [], ask
    for topup in reversed(topups):  # the newest first, never more than is left in each
        part = min(left, left_in[topup.pk])
        if part:
            expected.append((topup.pk, part))
        left -= part
    assert [(p.topup_id, p.amount_cents) for p in parts] == expected
    assert_invariant(reader)
    back = 0
    for part, refuse in zip(parts, refused, strict=False):
        with override_settings(PAYMENTS_SANDBOX=not refuse):  # the sandbox off: refused
            status = refund_send(refund_id=part.pk)
        assert status == ("returned" if refuse else "refunded")
        back += part.amount_cents if refuse else 0
        assert_invariant(reader)
    assert balance_cents(reader, Account.Kind.WALLET) == wallet - ask + back

    # Everything in the wallet can still be withdrawn, from what each payment still holds.
    rest = wallet - ask + back
    if rest:
        before = {t.pk: t.amount_cents - t.spent_cents for t in TopUp.objects.filter(user=reader)}
        second = withdrawal_start(user=reader, amount_cents=rest, reserved_cents=0)
        for part in WithdrawalRefund.objects.filter(withdrawal=second):
            assert part.amount_cents <= before[part.topup_id]
        withdrawal_send(withdrawal_id=second.pk)
    assert balance_cents(reader, Account.Kind.WALLET) == 0
    assert_invariant(reader)
    assert ledger_check(record=False).ok
