"""Hypothesis: real payday runs on random worlds end in exactly docs/PRODUCT.md's balances."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payouts.ledger.checks import ledger_check
from payouts.ledger.models import Transfer
from tests.factories import TopUpFactory, UserFactory
from tests.tips.payday.expected import Reader, expected_payday
from tests.tips.payday.helpers import (
    MONTH,
    click,
    commission_total,
    earnings,
    set_budget,
    wallet,
)
from tips.payday.models import PaydayRun

pytestmark = pytest.mark.django_db

world = st.fixed_dictionaries(
    {
        "creators": st.integers(min_value=1, max_value=5),
        "suspended": st.sets(st.integers(min_value=0, max_value=4), max_size=2),
        "readers": st.lists(
            st.fixed_dictionaries(
                {
                    "budget": st.integers(min_value=0, max_value=5000),
                    "wallet": st.integers(min_value=0, max_value=5000),
                    "clicks": st.lists(st.integers(min_value=-1, max_value=4), max_size=6),
                }
            ),
            min_size=1,
            max_size=4,
        ),
        "chunk_size": st.integers(min_value=1, max_value=3),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=world)
def test_payday_moves_exactly_what_the_rule_says(spec, run_payday):
    with transaction.atomic():
        creators = UserFactory.create_batch(spec["creators"])
        ineligible = set()
        for index in spec["suspended"]:
            if index < len(creators):
                creators[index].suspended_at = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
                creators[index].save()
                ineligible.add(creators[index].pk)
        readers = []
        for reader_spec in spec["readers"]:
            reader = UserFactory()
            if reader_spec["wallet"]:
                TopUpFactory(user=reader, amount_cents=reader_spec["wallet"])
            set_budget(reader, reader_spec["budget"])
            clicked = []
            for target in reader_spec["clicks"]:
                # -1 is the reader's own thing; indexes past the creators are skipped.
                owner = reader if target == -1 else creators[target % len(creators)]
                click(reader, owner)
                clicked.append(owner.pk)
            readers.append(Reader(reader.pk, reader_spec["budget"], reader_spec["wallet"], clicked))

        run = run_payday(MONTH, chunk_size=spec["chunk_size"])

        with_clicks = [r for r in readers if r.clicked]
        wallets, earned, commission = expected_payday(MONTH, with_clicks, ineligible)
        User = get_user_model()
        for reader in readers:
            assert wallet(User(pk=reader.pk)) == wallets.get(reader.pk, reader.wallet)
        for creator in creators:
            assert earnings(creator) == earned.get(creator.pk, 0)
        assert commission_total() == commission
        assert run.status == PaydayRun.Status.DONE
        assert run.given_cents == commission + sum(earned.values())
        assert run.commission_cents == commission
        assert run.distributed_cents == sum(earned.values())
        assert run.creators == len([pk for pk, cents in earned.items() if cents])
        shares = Transfer.objects.filter(reference="payday:2025-03", kind="distribution")
        for transfer in shares.select_related("debit", "credit"):
            reader_pk, creator_pk = transfer.idempotency_key.split(":")[2:]
            assert (transfer.debit.user_id, transfer.credit.user_id) == (
                int(reader_pk),
                int(creator_pk),
            )
        assert ledger_check(record=False).ok
        transaction.set_rollback(True)
