"""The ledger self-check (docs/PRODUCT.md, Money): money is conserved, no bounded account is
negative, and every cached balance equals the sum of its transfers."""

from __future__ import annotations

import dataclasses
import logging
import time

from django.db import connection

from payouts.ledger.alerts import alert_operators
from payouts.ledger.models import Account, LedgerCheck, Transfer

# Operators alert on CRITICAL records of this logger.
logger = logging.getLogger("payouts.ledger")


@dataclasses.dataclass
class LedgerReport:
    ok: bool
    accounts: int
    transfers: int
    total_cents: int
    negative_accounts: list[dict]
    mismatched_accounts: list[dict]
    duration_ms: int = 0
    # The stored LedgerCheck when the check was recorded (not part of the report itself).
    record: LedgerCheck | None = dataclasses.field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.name != "record"
        }


def ledger_check(*, record: bool = True) -> LedgerReport:
    """Verify docs/PRODUCT.md's invariants: balances sum to zero, no bounded account is negative,
    and every cached balance equals the sum of its transfers."""
    started = time.monotonic()
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
    report.duration_ms = int((time.monotonic() - started) * 1000)
    if record:
        report.record = LedgerCheck.objects.create(
            ok=report.ok, report=report.as_dict(), duration_ms=report.duration_ms
        )
    return report


def ledger_check_or_alert(*, during: str = "") -> LedgerReport:
    """Run and record the self-check; a broken ledger is logged CRITICAL with its report, so
    the operators' log alerting sees it. ``during`` says what was about to happen or just
    happened (e.g. "before payday 2026-10")."""
    report = ledger_check()
    if not report.ok:
        logger.critical(
            "LEDGER CHECK FAILED%s: money invariants do not hold: %s",
            f" {during}" if during else "",
            report.as_dict(),
        )
        alert_operators(
            f"Ledger check failed{f' {during}' if during else ''}",
            f"The money invariants do not hold: {report.as_dict()}\n"
            "Run python manage.py check_ledger --json.",
            logged=True,
        )
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
