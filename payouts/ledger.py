"""Ledger services: the only way money moves.

``post_transfers`` applies a group of transfers atomically. Each transfer has a
unique idempotency key: posting a key again applies nothing and returns the
transfer stored the first time; the same key with different fields raises
``IdempotencyConflict``. Balances are cached on the accounts and updated in the
same transaction, with rows locked in id order so concurrent postings neither
deadlock nor overdraw (the CHECK constraint is the last line of defence).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import Account, LedgerCheck, Transfer

# Rows per INSERT statement: stays under SQLite's bound-parameter limit.
_INSERT_BATCH = 1000


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


@dataclasses.dataclass(frozen=True)
class Posting:
    """A transfer to post: ``amount_cents`` goes from ``debit`` to ``credit``."""

    debit: Account
    credit: Account
    amount_cents: int
    idempotency_key: str
    kind: str
    reference: str = ""

    def __post_init__(self) -> None:
        if type(self.amount_cents) is not int or self.amount_cents <= 0:
            raise LedgerError(
                f"amount must be a positive integer of cents, not {self.amount_cents!r}"
            )
        if self.debit.pk is None or self.credit.pk is None:
            raise LedgerError("both accounts must be saved")
        if self.debit.pk == self.credit.pk:
            raise LedgerError("debit and credit must be different accounts")
        if not self.idempotency_key or len(self.idempotency_key) > 200:
            raise LedgerError("an idempotency key of 1 to 200 characters is required")
        if len(self.reference) > 200:
            raise LedgerError("a reference has at most 200 characters")
        if self.kind not in Transfer.Kind.values:
            raise LedgerError(f"unknown transfer kind {self.kind!r}")

    def matches(self, transfer: Transfer) -> bool:
        return (
            transfer.debit_id == self.debit.pk
            and transfer.credit_id == self.credit.pk
            and transfer.amount_cents == self.amount_cents
            and transfer.kind == self.kind
            and transfer.reference == self.reference
        )


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


def balance_cents(user, kind: str) -> int:
    """The cached balance of a user's account; 0 when it does not exist yet."""
    value = (
        Account.objects.filter(kind=kind, user=user).values_list("balance_cents", flat=True).first()
    )
    return value or 0


# --- Posting ------------------------------------------------------------------


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
    posting = Posting(debit, credit, amount_cents, idempotency_key, kind, reference)
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
    keys = [p.idempotency_key for p in postings]
    if len(set(keys)) != len(keys):
        raise LedgerError("the same idempotency key appears twice in one group")
    at = at or timezone.now()

    stored = _stored_transfers(keys)
    _check_matches(postings, stored)
    fresh = [p for p in postings if p.idempotency_key not in stored]

    # Insert in key order: two groups sharing keys then wait on each other's unique-index
    # entries in the same order and cannot deadlock.
    ordered = sorted(fresh, key=lambda p: p.idempotency_key)
    inserted = _insert_ignoring_conflicts(ordered, at) if ordered else {}
    raced = [p for p in fresh if p.idempotency_key not in inserted]
    if raced:
        # A concurrent transaction committed these keys first; they must match.
        late = _stored_transfers([p.idempotency_key for p in raced])
        _check_matches(raced, late)
        stored.update(late)

    applied = [p for p in fresh if p.idempotency_key in inserted]
    _apply_to_balances(applied)

    by_key = dict(stored)
    if inserted:
        new = Transfer.objects.in_bulk(list(inserted.values()))
        by_key.update({key: new[transfer_id] for key, transfer_id in inserted.items()})
    return [by_key[key] for key in keys]


def _stored_transfers(keys: Iterable[str]) -> dict[str, Transfer]:
    keys = list(keys)
    found: dict[str, Transfer] = {}
    for start in range(0, len(keys), _INSERT_BATCH):
        batch = keys[start : start + _INSERT_BATCH]
        for transfer in Transfer.objects.filter(idempotency_key__in=batch):
            found[transfer.idempotency_key] = transfer
    return found


def _check_matches(postings: Iterable[Posting], stored: dict[str, Transfer]) -> None:
    for posting in postings:
        transfer = stored.get(posting.idempotency_key)
        if transfer is not None and not posting.matches(transfer):
            raise IdempotencyConflict(posting.idempotency_key)


def _insert_ignoring_conflicts(postings: Sequence[Posting], at: datetime) -> dict[str, int]:
    """INSERT ... ON CONFLICT DO NOTHING; returns {key: id} of the rows this call inserted.

    Under a concurrent insert of the same key, PostgreSQL waits for the other
    transaction and skips the row if it committed, so a key is applied once.
    """
    table = connection.ops.quote_name(Transfer._meta.db_table)
    inserted: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(postings), _INSERT_BATCH):
            batch = postings[start : start + _INSERT_BATCH]
            rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(batch))
            params: list = []
            for p in batch:
                params += [
                    p.debit.pk,
                    p.credit.pk,
                    p.amount_cents,
                    p.idempotency_key,
                    p.kind,
                    p.reference,
                    at,
                ]
            cursor.execute(
                f"INSERT INTO {table} (debit_id, credit_id, amount_cents, idempotency_key, kind, "  # noqa: S608
                f"reference, created_at) VALUES {rows} "
                "ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key",
                params,
            )
            for transfer_id, key in cursor.fetchall():
                inserted[key] = transfer_id
    return inserted


def _apply_to_balances(postings: Sequence[Posting]) -> None:
    """Add the postings' effect to the cached balances, refusing any overdraft."""
    if not postings:
        return
    deltas: dict[int, int] = defaultdict(int)
    for p in postings:
        deltas[p.debit.pk] -= p.amount_cents
        deltas[p.credit.pk] += p.amount_cents
    deltas = {pk: d for pk, d in deltas.items() if d}
    if not deltas:
        return
    ids = sorted(deltas)
    # Lock in id order so two groups touching the same accounts never deadlock.
    locked = {
        a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    for pk in ids:
        account = locked[pk]
        new_balance = account.balance_cents + deltas[pk]
        if new_balance < 0 and account.kind not in Account.UNBOUNDED_KINDS:
            raise InsufficientFunds(account, -new_balance)
    table = connection.ops.quote_name(Account._meta.db_table)
    for start in range(0, len(ids), _INSERT_BATCH):
        batch = ids[start : start + _INSERT_BATCH]
        cases = " ".join(["WHEN %s THEN %s"] * len(batch))
        params: list = []
        for pk in batch:
            params += [pk, deltas[pk]]
        placeholders = ", ".join(["%s"] * len(batch))
        with connection.cursor() as cursor:
            try:
                with transaction.atomic():
                    cursor.execute(
                        f"UPDATE {table} SET balance_cents = balance_cents + "  # noqa: S608
                        f"(CASE id {cases} END) WHERE id IN ({placeholders})",
                        params + batch,
                    )
            except IntegrityError as error:
                # The CHECK constraint caught an overdraft the lock above should have prevented.
                raise LedgerError(f"balance constraint refused the posting: {error}") from error


# --- Self-check ----------------------------------------------------------------


@dataclasses.dataclass
class LedgerReport:
    ok: bool
    accounts: int
    transfers: int
    total_cents: int
    negative_accounts: list[dict]
    mismatched_accounts: list[dict]

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def ledger_check(*, record: bool = True) -> LedgerReport:
    """Verify PRODUCT.md's invariants: balances sum to zero, no bounded account is negative,
    and every cached balance equals the sum of its transfers."""
    negative, mismatched = [], []
    total = 0
    count = 0
    transfers = 0
    for pk, kind, cached, credited, debited, credit_count in _balances_snapshot():
        count += 1
        total += cached
        transfers += credit_count
        computed = credited - debited
        if computed != cached:
            mismatched.append({"account": pk, "cached": cached, "transfers": computed})
        if cached < 0 and kind not in Account.UNBOUNDED_KINDS:
            negative.append({"account": pk, "kind": kind, "balance": cached})
    report = LedgerReport(
        ok=total == 0 and not negative and not mismatched,
        accounts=count,
        transfers=transfers,
        total_cents=total,
        negative_accounts=negative,
        mismatched_accounts=mismatched,
    )
    if record:
        LedgerCheck.objects.create(ok=report.ok, report=report.as_dict())
    return report


def _balances_snapshot() -> list[tuple[int, str, int, int, int, int]]:
    """Per account: (id, kind, cached balance, sum credited, sum debited, transfers credited).

    ONE statement, so PostgreSQL reads it from one snapshot: separate queries for
    credits, debits and cached balances would see transfers committed in between
    and report a broken ledger while payday or a webhook is posting.
    """
    accounts = connection.ops.quote_name(Account._meta.db_table)
    transfers = connection.ops.quote_name(Transfer._meta.db_table)
    sql = (
        f"SELECT a.id, a.kind, a.balance_cents, COALESCE(c.total, 0), COALESCE(d.total, 0), "  # noqa: S608
        f"COALESCE(c.n, 0) FROM {accounts} a "
        f"LEFT JOIN (SELECT credit_id AS account_id, SUM(amount_cents) AS total, COUNT(*) AS n "
        f"FROM {transfers} GROUP BY credit_id) c ON c.account_id = a.id "
        f"LEFT JOIN (SELECT debit_id AS account_id, SUM(amount_cents) AS total "
        f"FROM {transfers} GROUP BY debit_id) d ON d.account_id = a.id "
        "ORDER BY a.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [
            (pk, kind, int(cached), int(credited), int(debited), int(n))
            for pk, kind, cached, credited, debited, n in cursor.fetchall()
        ]
