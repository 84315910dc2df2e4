"""Payday's ledger keys and references (docs/PRODUCT.md, "Contracts that never change").

Every payday transfer of month M carries the reference ``payday:YYYY-MM`` and one of
two idempotency keys. A re-run after a crash finds the work done only through these
keys, so their shapes are frozen: tests pin them character by character
(tests/tips/payday/test_ledger_checks_and_keys.py). Everything that builds or reads them
calls this module.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from flattr_clone.months import format_month, month_end, parse_month

PAYDAY_PREFIX = "payday:"


def payday_reference(month: dt.date) -> str:
    """``payday:2026-10``: the reference of every transfer of that month's payday."""
    return f"{PAYDAY_PREFIX}{format_month(month)}"


def month_of_reference(reference: str) -> dt.date:
    """The month a payday reference names (``payday:2026-10`` → 2026-10-01)."""
    return parse_month(reference.removeprefix(PAYDAY_PREFIX))


def share_key(month: dt.date, reader_pk: int, creator_pk: int, *, reference: str = "") -> str:
    """``payday:2026-10:<reader>:<creator>``: a creator's share of a reader's money.
    ``reference``: ``payday_reference(month)``, when the caller has it already (a chunk builds
    a hundred thousand keys of one month)."""
    return f"{reference or payday_reference(month)}:{reader_pk}:{creator_pk}"


def commission_key(month: dt.date, reader_pk: int) -> str:
    """``payday:2026-10:<reader>:commission``: the platform's commission on it."""
    return f"{payday_reference(month)}:{reader_pk}:commission"


def payday_transfers(month: dt.date) -> Q:
    """The filter of the transfers of ``month``'s payday: its reference, and a time bound that
    the ledger's BRIN index on ``created_at`` turns into a scan of the pages written since
    (the reference is not indexed: it is shared by every row of a payday). Payday only runs
    once the month has ended, so the bound never leaves one of its transfers out."""
    return Q(reference=payday_reference(month), created_at__gte=month_end(month))
