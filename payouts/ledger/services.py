"""Ledger services: the only way money moves.

``post_transfers`` applies a group of transfers atomically. Each transfer has a
unique idempotency key: posting a key again applies nothing and returns the
transfer stored the first time; the same key with different fields raises
``IdempotencyConflict``. Balances are cached on the accounts and updated in the
same transaction, with rows locked in id order so concurrent postings neither
deadlock nor overdraw (the CHECK constraint is the last line of defence).
Payday writes its chunks through the same ``lock_balances`` + ``write_transfers``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from flattr_clone.db import integer_array
from payouts.ledger.models import Account, Transfer

# Rows per statement on SQLite (bound-parameter limit); PostgreSQL takes arrays instead.
_SQLITE_BATCH = 500


class LedgerError(Exception):
    """A posting was refused; nothing was applied."""


class InsufficientFunds(LedgerError):
    def __init__(self, account: Account, missing_cents: int):
        self.account = account
        self.missing_cents = missing_cents
        super().__init__(f"{account} lacks {missing_cents} cents for this posting")


class IdempotencyConflict(LedgerError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(f"idempotency key {key!r} was already used for a different transfer")


# Transfer kinds, computed once: a payday chunk validates tens of thousands of postings.
_KINDS = frozenset(Transfer.Kind.values)


@dataclasses.dataclass(frozen=True, slots=True)
class Posting:
    """A transfer to post: ``amount_cents`` goes from account ``debit_id`` to ``credit_id``.

    The only input type of the ledger's writer, validated here once: services and payday's
    chunks alike build postings from account ids (bulk callers never load Account objects).
    """

    debit_id: int
    credit_id: int
    amount_cents: int
    idempotency_key: str
    kind: str
    reference: str = ""

    def __post_init__(self) -> None:
        if type(self.amount_cents) is not int or self.amount_cents <= 0:
            raise LedgerError(
                f"amount must be a positive integer of cents, not {self.amount_cents!r}"
            )
        if self.debit_id is None or self.credit_id is None:
            raise LedgerError("both accounts must be saved")
        if self.debit_id == self.credit_id:
            raise LedgerError("debit and credit must be different accounts")
        if not self.idempotency_key or len(self.idempotency_key) > 200:
            raise LedgerError("an idempotency key of 1 to 200 characters is required")
        if len(self.reference) > 200:
            raise LedgerError("a reference has at most 200 characters")
        if self.kind not in _KINDS:
            raise LedgerError(f"unknown transfer kind {self.kind!r}")


# --- Accounts ----------------------------------------------------------------


def user_account(user, kind: str) -> Account:
    """The user's wallet or earnings account, created on first use."""
    if kind not in Account.USER_KINDS:
        raise LedgerError(f"{kind!r} is not a user account kind")
    return _get_or_create_account(kind=kind, user=user, name="")


def wallet_of(user) -> Account:
    return user_account(user, Account.Kind.WALLET)


def earnings_of(user) -> Account:
    return user_account(user, Account.Kind.EARNINGS)


def held_of(user) -> Account:
    """The creator's held earnings (payouts.funding.holds): money not available before its date."""
    return user_account(user, Account.Kind.HELD)


def system_account(kind: str, name: str = "") -> Account:
    """A platform account (commission, losses, in transit) or an external one per provider."""
    if kind in Account.USER_KINDS:
        raise LedgerError(f"{kind!r} accounts belong to users")
    return _get_or_create_account(kind=kind, user=None, name=name)


def _get_or_create_account(*, kind: str, user, name: str) -> Account:
    lookup = {"kind": kind, "user": user, "name": name}
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup)
    except IntegrityError:
        # Someone else created it at the same moment.
        return Account.objects.get(**lookup)


# --- Posting ------------------------------------------------------------------
#
# One write path for every movement of money. ``post_transfers`` (services) and
# payday's chunks (tens of thousands of rows) both lock the accounts in id order,
# then ``write_transfers``: one INSERT ... ON CONFLICT DO NOTHING for the rows and
# one UPDATE for the balances, whatever the number of transfers.


def post_transfer(
    *,
    debit: Account,
    credit: Account,
    amount_cents: int,
    idempotency_key: str,
    kind: str,
    reference: str = "",
    at: datetime | None = None,
) -> Transfer:
    """Post a single transfer. See ``post_transfers``."""
    posting = Posting(debit.pk, credit.pk, amount_cents, idempotency_key, kind, reference)
    return post_transfers([posting], at=at)[0]


@transaction.atomic
def post_transfers(postings: Sequence[Posting], *, at: datetime | None = None) -> list[Transfer]:
    """Apply ``postings`` as one atomic group and return their transfers, in order.

    Keys already in the ledger are not applied again; their stored transfer is
    returned. Raises ``IdempotencyConflict`` when a stored key differs, and
    ``InsufficientFunds`` when a wallet, earnings or other bounded account
    would go below zero; in both cases nothing of the group is applied.
    """
    if not postings:
        return []
    rows = list(postings)
    locked = lock_balances([pk for row in rows for pk in (row.debit_id, row.credit_id)])
    write_transfers(rows, at=at or timezone.now(), locked=locked)
    stored = _stored_transfers(row.idempotency_key for row in rows)
    return [stored[row.idempotency_key] for row in rows]


def lock_balances(account_ids: Iterable[int]) -> dict[int, tuple[str, int]]:
    """Lock the accounts in id order (so concurrent writers never deadlock) and return
    ``{id: (kind, balance_cents)}`` as of the lock.

    ``FOR NO KEY UPDATE``, the lock an UPDATE of the balance takes anyway: it still lets
    other transactions insert transfers that refer to these accounts (their foreign-key
    check takes ``FOR KEY SHARE``, which a plain ``FOR UPDATE`` would block)."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    return {
        pk: (kind, balance)
        for pk, kind, balance in Account.objects.select_for_update(no_key=True)
        .filter(pk__in_array=ids)
        .order_by("pk")
        .values_list("pk", "kind", "balance_cents")
    }


@transaction.atomic
def write_transfers(
    rows: Sequence[Posting],
    *,
    at: datetime,
    locked: dict[int, tuple[str, int]],
    credited_only: Iterable[int] = (),
) -> list[Posting]:
    """Insert ``rows`` and add the inserted ones to the cached balances; returns those rows.

    The caller holds the locks of every account involved (``lock_balances``), except those
    in ``credited_only``: accounts whose balance these rows, taken together, only raise
    (``LedgerError`` if one would go down), which nothing can overdraw, so they are locked
    (in id order, like any lock) only once the rows are in, right before their balances
    change. Payday's chunks name their creators' earnings and held earnings and the
    commission account so (a hold moves on a piece of a share credited by the same rows):
    each chunk holds those shared rows from its balance update to its commit only, and
    chunks on several workers hardly wait for each other.

    A key already in the ledger is skipped and must be the very same transfer
    (``IdempotencyConflict`` otherwise); a bounded account that would go below zero
    raises ``InsufficientFunds``. Either way nothing of ``rows`` is applied.
    """
    if not rows:
        return []
    # Key order: two writers sharing keys wait on each other's index entries in one order.
    ordered = sorted(rows, key=lambda row: row.idempotency_key)
    if len({row.idempotency_key for row in ordered}) != len(ordered):
        raise LedgerError("the same idempotency key appears twice in one group")
    if connection.vendor == "postgresql":
        inserted = _insert_postgresql(ordered, at)
    else:
        inserted = _insert_batched(ordered, at)
    # A key not inserted is in the ledger already: a repeat, or a concurrent writer that
    # committed it first (PostgreSQL waited for it). Either way it must match.
    skipped = [row for row in ordered if row.idempotency_key not in inserted]
    if skipped:
        _check_stored_rows_match(skipped)
    applied = [row for row in ordered if row.idempotency_key in inserted]
    _apply_to_balances(applied, locked, frozenset(credited_only))
    return applied


def _quoted(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def text_array(values: Iterable[str]) -> str:
    """A PostgreSQL array literal of strings, every element quoted (see ``integer_array``)."""
    return (
        "{"
        + ",".join('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
        + "}"
    )


def _insert_postgresql(rows: Sequence[Posting], at: datetime) -> set[str]:
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
                integer_array(row.debit_id for row in rows),
                integer_array(row.credit_id for row in rows),
                integer_array(row.amount_cents for row in rows),
                text_array(row.idempotency_key for row in rows),
                text_array(row.kind for row in rows),
                text_array(row.reference for row in rows),
            ],
        )
        return {key for (key,) in cursor.fetchall()}


def _insert_batched(rows: Sequence[Posting], at: datetime) -> set[str]:
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


def _stored_transfers(keys: Iterable[str]) -> dict[str, Transfer]:
    keys = list(keys)
    found: dict[str, Transfer] = {}
    for start in range(0, len(keys), _SQLITE_BATCH):
        batch = keys[start : start + _SQLITE_BATCH]
        for transfer in Transfer.objects.filter(idempotency_key__in=batch):
            found[transfer.idempotency_key] = transfer
    return found


def _check_stored_rows_match(rows: Sequence[Posting]) -> None:
    """A key already in the ledger is fine only if it is the very same transfer."""
    stored = _stored_transfers(row.idempotency_key for row in rows)
    if len(stored) != len(rows):
        raise LedgerError("a transfer was neither inserted nor found; refusing to continue")
    for row in rows:
        transfer = stored[row.idempotency_key]
        if (
            transfer.debit_id,
            transfer.credit_id,
            transfer.amount_cents,
            transfer.kind,
            transfer.reference,
        ) != (row.debit_id, row.credit_id, row.amount_cents, row.kind, row.reference):
            raise IdempotencyConflict(row.idempotency_key)


def _apply_to_balances(
    rows: Sequence[Posting],
    locked: dict[int, tuple[str, int]],
    credited_only: frozenset[int] = frozenset(),
) -> None:
    """Add the rows' effect to the cached balances, refusing any overdraft.

    The accounts locked up front are updated first; the ``credited_only`` ones are locked and
    updated last, in a statement of their own, so they are held as briefly as possible."""
    deltas: dict[int, int] = defaultdict(int)
    for row in rows:
        deltas[row.debit_id] -= row.amount_cents
        deltas[row.credit_id] += row.amount_cents
    deltas = {pk: delta for pk, delta in deltas.items() if delta}
    if not deltas:
        return
    # A set to test against: a chunk of payday has some ten thousand of each.
    late_ids = {pk for pk in deltas if pk in credited_only and pk not in locked}
    late = sorted(late_ids)
    for pk in late:
        if deltas[pk] < 0:
            raise LedgerError(f"account {pk} was to be credited only")
    early = sorted(pk for pk in deltas if pk not in late_ids)
    for pk in early:
        if pk not in locked:
            raise LedgerError(f"account {pk} was not locked before writing to it")
        kind, balance = locked[pk]
        if balance + deltas[pk] < 0 and kind not in Account.UNBOUNDED_KINDS:
            raise InsufficientFunds(Account.objects.get(pk=pk), -(balance + deltas[pk]))
    try:
        with transaction.atomic():
            _add_to_balances(early, deltas)
            if late:
                # Credits only: no balance can go below zero, nothing to check after the lock.
                lock_balances(late)
                _add_to_balances(late, deltas)
    except IntegrityError as error:
        # The CHECK constraint caught an overdraft the locks above should have prevented.
        raise LedgerError(f"balance constraint refused the posting: {error}") from error


def _add_to_balances(ids: list[int], deltas: dict[int, int]) -> None:
    """One UPDATE adding ``deltas[id]`` to each account of ``ids`` (batched on SQLite)."""
    if not ids:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {_quoted(Account)} AS a SET balance_cents = "  # noqa: S608
                "a.balance_cents + d.delta FROM unnest(%s::bigint[], %s::bigint[]) "
                "AS d(id, delta) WHERE a.id = d.id",
                [integer_array(ids), integer_array(deltas[pk] for pk in ids)],
            )
            return
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
