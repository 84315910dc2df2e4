"""The transfer table has only the indexes its queries use (docs/PRODUCT.md, "The ledger's
indexes"), and those queries still use them. The BRIN index's plan needs a table of real
size: bench/payday_bench.py prints it (--explain)."""

import pytest
from django.db import connection

from payouts.ledger.models import Transfer

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'payouts_transfer'"
        )
        return dict(cursor.fetchall())


def test_the_transfer_table_has_exactly_the_indexes_its_queries_use():
    indexes = _indexes()
    assert sorted(indexes) == [
        "ledger_transfer_credit_time",
        "ledger_transfer_debit_time",
        "ledger_transfer_time_brin",
        "payouts_transfer_idempotency_key_key",
        "payouts_transfer_pkey",
    ]
    assert "USING brin (created_at)" in indexes["ledger_transfer_time_brin"]
    assert "UNIQUE" in indexes["payouts_transfer_idempotency_key_key"]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Few rows in a test database: make the planner show which index it can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_an_accounts_transfers_are_found_through_its_account_and_time_index():
    assert "ledger_transfer_credit_time" in _plan(Transfer.objects.filter(credit_id=1))
    assert "ledger_transfer_debit_time" in _plan(Transfer.objects.filter(debit_id=1))
    assert "payouts_transfer_idempotency_key_key" in _plan(
        Transfer.objects.filter(idempotency_key__in=["payday:2026-10:1:2"])
    )
