"""Dates as people write them: "December 1, 2026" in English, "1er décembre 2026" in French
(Django's formats cannot write the French ordinal of the first day)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _local(value) -> dt.datetime | dt.date:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def long_date(value) -> str:
    """``{{ payout.created_at|long_date }}``: the day, the full month name and the year."""
    if not value:
        return ""
    value = _local(value)
    if (get_language() or "").startswith("fr"):
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day}\u00a0{date_format(value, 'F Y')}"
    return date_format(value, "F j, Y")


@register.filter
def long_datetime(value) -> str:
    """``{{ topup.created_at|long_datetime }}``: the long date and the time of day."""
    if not value:
        return ""
    value = _local(value)
    return _("%(date)s at %(time)s") % {
        "date": long_date(value),
        "time": time_format(value, "TIME_FORMAT"),
    }
