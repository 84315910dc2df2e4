"""Calendar months in the platform time zone (``TIME_ZONE``). A month is named by its first day."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


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
    """``"2026-10"`` → ``date(2026, 10, 1)``; ValueError with a clear message otherwise."""
    match = _MONTH_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a month; use YYYY-MM, for example 2026-10")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def format_month(month: dt.date) -> str:
    return f"{month:%Y-%m}"
