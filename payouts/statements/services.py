"""Statements (docs/PRODUCT.md, Statements): what a person's money did in a year or a month,
from the ledger alone, exact to the cent.

A creator's part covers their earnings and held earnings together: what readers gave them,
what refunds and disputes took back and won disputes gave back, what was paid out and came
back; with the opening and closing balances and the money held at the end. A reader's part
covers their wallet: paid in, refunded, disputed, given to creators and the commission.
For each part, opening + the sum of its lines = closing, by construction and by test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flattr_clone.months import month_start, next_month
from payouts.ledger.models import Account, Transfer


class StatementPeriodError(ValueError):
    """The period is not a year (YYYY) or a month (YYYY-MM) that has begun."""


@dataclasses.dataclass(frozen=True)
class Period:
    label: str
    start: dt.datetime
    end: dt.datetime


def statement_period(text: str, *, now: dt.datetime | None = None) -> Period:
    """The period ``"2026"`` (a year) or ``"2026-10"`` (a month), in the platform time zone.
    Raises ``StatementPeriodError`` for anything else or a period that has not begun."""
    now = now or timezone.now()
    text = (text or "").strip()
    try:
        if len(text) == 4 and text.isdigit():
            year = int(text)
            start_month, end_month = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        elif len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            start_month = dt.date(int(text[:4]), int(text[5:]), 1)
            end_month = next_month(start_month)
        else:
            raise ValueError(text)
        start, end = month_start(start_month), month_start(end_month)
    except (ValueError, OverflowError):
        raise StatementPeriodError(
            _("A statement is for a year (2026) or a month (2026-10).")
        ) from None
    if start > now or start_month.year < 2000:
        raise StatementPeriodError(_("That period has not begun; there is nothing to state yet."))
    return Period(label=text, start=start, end=end)


# The lines of each part, in order: (code, label, kinds, direction). A transfer into the
# part counts +, out of it −.
CREATOR_LINES = [
    ("earned", _("Earned from readers"), {Transfer.Kind.DISTRIBUTION}),
    (
        "taken_back",
        _("Taken back by refunds and disputes"),
        {Transfer.Kind.REFUND, Transfer.Kind.DISPUTE},
    ),
    ("reinstated", _("Given back by disputes won"), {Transfer.Kind.DISPUTE_WON}),
    ("paid_out", _("Paid out"), {Transfer.Kind.PAYOUT}),
    (
        "returned",
        _("Payouts returned or reversed"),
        {Transfer.Kind.PAYOUT_RETURNED, Transfer.Kind.REVERSAL},
    ),
]
READER_LINES = [
    ("paid_in", _("Paid in"), {Transfer.Kind.TOP_UP}),
    ("refunded", _("Refunded to your card"), {Transfer.Kind.REFUND}),
    ("disputed", _("Taken back by disputes"), {Transfer.Kind.DISPUTE}),
    ("reinstated", _("Given back by disputes won"), {Transfer.Kind.DISPUTE_WON}),
    ("given", _("Given to creators"), {Transfer.Kind.DISTRIBUTION}),
    ("commission", _("Platform commission"), {Transfer.Kind.COMMISSION}),
]


@dataclasses.dataclass
class Part:
    opening_cents: int
    lines: list[dict]
    closing_cents: int
    held_cents: int = 0

    @property
    def movement_cents(self) -> int:
        return sum(line["cents"] for line in self.lines)


@dataclasses.dataclass
class Statement:
    user: object
    period: Period
    creator: Part | None
    reader: Part | None

    def csv_rows(self) -> list[list[str]]:
        rows = [["part", "line", "cents"]]
        for name, part in (("creator", self.creator), ("reader", self.reader)):
            if part is None:
                continue
            rows.append([name, "opening", str(part.opening_cents)])
            rows += [[name, line["code"], str(line["cents"])] for line in part.lines]
            rows.append([name, "closing", str(part.closing_cents)])
            if name == "creator":
                rows.append([name, "held_at_closing", str(part.held_cents)])
        return rows


def _balance_before(account_ids: list[int], at: dt.datetime) -> int:
    rows = Transfer.objects.filter(created_at__lt=at)
    credited = rows.filter(credit_id__in=account_ids).aggregate(s=Sum("amount_cents"))["s"] or 0
    debited = rows.filter(debit_id__in=account_ids).aggregate(s=Sum("amount_cents"))["s"] or 0
    return credited - debited


def _part(accounts: list[Account], period: Period, lines_spec) -> Part:
    ids = [account.pk for account in accounts]
    totals: dict[str, int] = defaultdict(int)
    codes = {kind: code for code, _label, kinds in lines_spec for kind in kinds}
    rows = Transfer.objects.filter(
        Q(debit_id__in=ids) | Q(credit_id__in=ids),
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).values_list("debit_id", "credit_id", "kind", "amount_cents")
    for debit, credit, kind, amount in rows.iterator():
        if debit in ids and credit in ids:
            continue  # inside the part (earnings ↔ held)
        sign = 1 if credit in ids else -1
        totals[codes.get(kind, "other")] += sign * amount
    lines = [
        {"code": code, "label": label, "cents": totals.pop(code, 0)}
        for code, label, _k in lines_spec
    ]
    if totals.get("other"):
        lines.append(
            {"code": "other", "label": _("Corrections and other"), "cents": totals["other"]}
        )
    held = [account.pk for account in accounts if account.kind == Account.Kind.HELD]
    return Part(
        opening_cents=_balance_before(ids, period.start),
        lines=lines,
        closing_cents=_balance_before(ids, period.end),
        held_cents=_balance_before(held, period.end) if held else 0,
    )


def statement_for(*, user, period: Period) -> Statement:
    """The user's statement for ``period``: a creator part if they have earnings, a reader
    part if they have a wallet."""
    accounts = list(Account.objects.filter(user=user))
    creator = [a for a in accounts if a.kind in (Account.Kind.EARNINGS, Account.Kind.HELD)]
    wallet = [a for a in accounts if a.kind == Account.Kind.WALLET]
    return Statement(
        user=user,
        period=period,
        creator=_part(creator, period, CREATOR_LINES) if creator else None,
        reader=_part(wallet, period, READER_LINES) if wallet else None,
    )
