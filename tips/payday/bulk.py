"""Set-based ledger writes for payday: the same ``payouts_transfer`` rows and cached balances
that ``payouts.ledger.post_transfers`` would write, with the same invariants, in a handful of
statements per chunk instead of a few per transfer.

The caller holds the row locks of every account involved (``lock_balances``, in id order, as
the ledger does) and has checked that no bounded account is overdrawn; the balance CHECK
constraint remains the last line of defence.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, connection, transaction

from payouts.ledger import IdempotencyConflict, InsufficientFunds, LedgerError
from payouts.models import Account, Transfer

# Rows per statement on SQLite (bound-parameter limit); PostgreSQL takes arrays instead.
_SQLITE_BATCH = 500


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """A transfer to write; accounts are ids (the bulk path never loads Account objects)."""

    debit_id: int
    credit_id: int
    amount_cents: int
    idempotency_key: str
    kind: str
    reference: str


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def lock_balances(account_ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """Lock the accounts in id order (as the ledger does, so nothing deadlocks) and return
    ``{id: (kind, balance_cents)}`` as of the lock."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    return {
        pk: (kind, balance)
        for pk, kind, balance in Account.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "kind", "balance_cents")
    }


@transaction.atomic
def write_transfers(
    rows: Sequence[Row], *, at: datetime, locked: dict[int, tuple[str, int]]
) -> list[Row]:
    """Insert ``rows`` (keys already in the ledger are skipped, and must match) and add the
    inserted ones to the cached balances. Returns the rows applied by this call."""
    if not rows:
        return []
    for row in rows:
        if type(row.amount_cents) is not int or row.amount_cents <= 0:
            raise LedgerError(f"amount must be a positive integer of cents: {row}")
        if row.debit_id == row.credit_id:
            raise LedgerError(f"debit and credit must be different accounts: {row}")
    # Key order: two writers sharing keys wait on each other's index entries in one order.
    ordered = sorted(rows, key=lambda row: row.idempotency_key)
    if len({row.idempotency_key for row in ordered}) != len(ordered):
        raise LedgerError("the same idempotency key appears twice in one group")
    if connection.vendor == "postgresql":
        inserted = _insert_postgresql(ordered, at)
    else:
        inserted = _insert_batched(ordered, at)
    skipped = [row for row in ordered if row.idempotency_key not in inserted]
    if skipped:
        _check_stored_rows_match(skipped)
    applied = [row for row in ordered if row.idempotency_key in inserted]
    _apply_to_balances(applied, locked)
    return applied


def _insert_postgresql(rows: Sequence[Row], at: datetime) -> set[str]:
    """One INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING RETURNING."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_quoted(Transfer)} (debit_id, credit_id, amount_cents, "  # noqa: S608
            "idempotency_key, kind, reference, created_at) "
            "SELECT d, c, a, k, t, r, %s FROM unnest("
            "%s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[]"
            ") AS u(d, c, a, k, t, r) "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
            [
                at,
                [row.debit_id for row in rows],
                [row.credit_id for row in rows],
                [row.amount_cents for row in rows],
                [row.idempotency_key for row in rows],
                [row.kind for row in rows],
                [row.reference for row in rows],
            ],
        )
        return {key for (key,) in cursor.fetchall()}


def _insert_batched(rows: Sequence[Row], at: datetime) -> set[str]:
    """Multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING, in batches (SQLite)."""
    inserted: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _SQLITE_BATCH):
            batch = rows[start : start + _SQLITE_BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            params: list = []
            for row in batch:
                params += [
                    row.debit_id,
                    row.credit_id,
                    row.amount_cents,
                    row.idempotency_key,
                    row.kind,
                    row.reference,
                    at,
                ]
            cursor.execute(
                f"INSERT INTO {_quoted(Transfer)} (debit_id, credit_id, amount_cents, "  # noqa: S608
                f"idempotency_key, kind, reference, created_at) VALUES {values} "
                "ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
                params,
            )
            inserted.update(key for (key,) in cursor.fetchall())
    return inserted


def _check_stored_rows_match(rows: Sequence[Row]) -> None:
    """A key already in the ledger is fine only if it is the very same transfer."""
    wanted = {row.idempotency_key: row for row in rows}
    stored = Transfer.objects.filter(idempotency_key__in=list(wanted)).values_list(
        "idempotency_key", "debit_id", "credit_id", "amount_cents", "kind", "reference"
    )
    found = 0
    for key, debit_id, credit_id, amount, kind, reference in stored:
        found += 1
        row = wanted[key]
        if (debit_id, credit_id, amount, kind, reference) != (
            row.debit_id,
            row.credit_id,
            row.amount_cents,
            row.kind,
            row.reference,
        ):
            raise IdempotencyConflict(key)
    if found != len(wanted):
        raise LedgerError("a transfer was neither inserted nor found; refusing to continue")


def _apply_to_balances(rows: Sequence[Row], locked: dict[int, tuple[str, int]]) -> None:
    deltas: dict[int, int] = defaultdict(int)
    for row in rows:
        deltas[row.debit_id] -= row.amount_cents
        deltas[row.credit_id] += row.amount_cents
    deltas = {pk: delta for pk, delta in deltas.items() if delta}
    if not deltas:
        return
    for pk, delta in deltas.items():
        if pk not in locked:
            raise LedgerError(f"account {pk} was not locked before writing to it")
        kind, balance = locked[pk]
        if balance + delta < 0 and kind not in Account.UNBOUNDED_KINDS:
            raise InsufficientFunds(Account(pk=pk, kind=kind), -(balance + delta))
    ids = sorted(deltas)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {_quoted(Account)} AS a SET balance_cents = "  # noqa: S608
                    "a.balance_cents + d.delta FROM unnest(%s::bigint[], %s::bigint[]) "
                    "AS d(id, delta) WHERE a.id = d.id",
                    [ids, [deltas[pk] for pk in ids]],
                )
            else:
                for start in range(0, len(ids), _SQLITE_BATCH):
                    batch = ids[start : start + _SQLITE_BATCH]
                    cases = " ".join(["WHEN %s THEN %s"] * len(batch))
                    params: list = []
                    for pk in batch:
                        params += [pk, deltas[pk]]
                    placeholders = ", ".join(["%s"] * len(batch))
                    cursor.execute(
                        f"UPDATE {_quoted(Account)} SET balance_cents = balance_cents + "  # noqa: S608
                        f"(CASE id {cases} END) WHERE id IN ({placeholders})",
                        params + batch,
                    )
    except IntegrityError as error:
        raise LedgerError(f"balance constraint refused the payday postings: {error}") from error
