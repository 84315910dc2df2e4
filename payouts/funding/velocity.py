"""Limits on starting top-ups (docs/PRODUCT.md, First payouts and velocity): per client IP
a day, and for a new account (VELOCITY_NEW_ACCOUNT_DAYS) a number a day and an amount over
those first days. Checked before anything is written; each limit reached is recorded."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.limits import DAY_SECONDS, limit_check, limit_hit_record
from accounts.models import LimitHit
from flattr_clone.money import format_cents
from flattr_clone.ratelimit import client_ip
from payouts.funding.models import TopUp

NOTHING = gettext_lazy("Nothing was charged.")


def is_new_account(user, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return user.date_joined > now - dt.timedelta(days=settings.VELOCITY_NEW_ACCOUNT_DAYS)


def topup_refusal(request, *, amount_cents: int, replacing: TopUp | None = None) -> str:
    """The message refusing a top-up of ``amount_cents`` the request's user starts (or
    restarts: ``replacing``), or '' when it may start. Counts the attempt."""
    user = request.user
    ip = client_ip(request)
    new = is_new_account(user)
    if new:
        # The amount first: a top-up refused for its size is not counted as started.
        started = TopUp.objects.filter(
            user=user,
            status__in=[TopUp.Status.CREATED, TopUp.Status.PENDING, TopUp.Status.PAID],
        )
        if replacing is not None:
            started = started.exclude(pk=replacing.pk)
        so_far = started.aggregate(total=Sum("amount_cents"))["total"] or 0
        if so_far + amount_cents > settings.TOP_UP_NEW_ACCOUNT_MAX_CENTS:
            limit_hit_record(
                LimitHit.Kind.TOP_UP_NEW_ACCOUNT_AMOUNT,
                key=str(user.pk),
                user=user,
                ip=ip,
                detail=f"{so_far} + {amount_cents} > {settings.TOP_UP_NEW_ACCOUNT_MAX_CENTS}",
                window_seconds=DAY_SECONDS,
            )
            left = max(settings.TOP_UP_NEW_ACCOUNT_MAX_CENTS - so_far, 0)
            return _(
                "During its first %(days)s days an account can add at most %(max)s; you can "
                "still add %(left)s. %(nothing)s"
            ) % {
                "days": settings.VELOCITY_NEW_ACCOUNT_DAYS,
                "max": format_cents(settings.TOP_UP_NEW_ACCOUNT_MAX_CENTS),
                "left": format_cents(left),
                "nothing": NOTHING,
            }
        verdict = limit_check(
            LimitHit.Kind.TOP_UP_NEW_ACCOUNT_DAY,
            key=str(user.pk),
            limit=settings.TOP_UP_NEW_ACCOUNT_PER_DAY,
            window_seconds=DAY_SECONDS,
            user=user,
            ip=ip,
        )
        if not verdict.allowed:
            return _(
                "During its first %(days)s days an account can start at most %(count)s "
                "top-ups a day. Please try again tomorrow. %(nothing)s"
            ) % {
                "days": settings.VELOCITY_NEW_ACCOUNT_DAYS,
                "count": settings.TOP_UP_NEW_ACCOUNT_PER_DAY,
                "nothing": NOTHING,
            }
    verdict = limit_check(
        LimitHit.Kind.TOP_UP_IP_DAY,
        key=ip,
        limit=settings.TOP_UP_PER_IP_PER_DAY,
        window_seconds=DAY_SECONDS,
        user=user,
        ip=ip,
    )
    if not verdict.allowed:
        return _(
            "Too many top-ups were started from your network today. Please try again "
            "tomorrow. %(nothing)s"
        ) % {"nothing": NOTHING}
    return ""
