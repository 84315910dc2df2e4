"""Calendar months in the platform time zone (``TIME_ZONE``). A month is named by its first day."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

_MONTH_RE = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")  # ASCII digits only


def month_of(moment: dt.datetime | None = None) -> dt.date:
    """The first day of the month ``moment`` (default: now) falls in, in the platform time zone."""
    local = timezone.localtime(moment or timezone.now())
    return local.date().replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_start(month: dt.date) -> dt.datetime:
    """The aware instant the month begins, in the platform time zone."""
    return timezone.make_aware(dt.datetime.combine(month.replace(day=1), dt.time.min))


def month_end(month: dt.date) -> dt.datetime:
    """The aware instant the month ends (exclusive): the start of the next month."""
    return month_start(next_month(month))


def month_last_instant(month: dt.date) -> dt.datetime:
    """The last instant of the month (timestamps have microseconds): what happened at or
    before it happened in the month."""
    return month_end(month) - dt.timedelta(microseconds=1)


def has_ended(month: dt.date, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= month_end(month)


def parse_month(text: str) -> dt.date:
    """``"2026-10"`` → ``date(2026, 10, 1)``; ValueError with a clear message otherwise.

    Only the format is checked here: which months may be paid is payday's rule.
    """
    match = _MONTH_RE.fullmatch(text.strip())
    if not match or match.group(1) == "0000":  # there is no year 0
        raise ValueError(f"{text!r} is not a month; use YYYY-MM, for example 2026-10")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def month_in_reference(reference: str) -> dt.date | None:
    """The month a ledger reference names (``payday:2026-10`` → 2026-10-01), or None when it
    names none. October's payday is posted on November 1st but belongs to October."""
    kind, _, rest = reference.partition(":")
    try:
        return parse_month(rest.split(":", 1)[0]) if kind and rest else None
    except ValueError:
        return None


def format_month(month: dt.date) -> str:
    """``date(2026, 10, 1)`` → ``"2026-10"``: always four digits for the year.

    Not ``f"{month:%Y-%m}"``: on Linux ``%Y`` writes year 1 as "1", which ``parse_month``
    cannot read back. For years 1000 to 9999 both give the same text, so the ledger keys
    built from it (``payday:YYYY-MM:...``) keep their frozen shape.
    """
    return f"{month.year:04d}-{month.month:02d}"
