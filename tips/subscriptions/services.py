"""Writes for a reader's subscriptions: start, pause, resume, cancel (PRODUCT.md,
"Subscriptions"). The monthly clicks are made by ``tips.subscriptions.runs``.

Each service is keyword-only and takes parsed arguments (the web views and, later, the API
call them). A status change is a compare-and-swap ``UPDATE``: two requests racing on one
subscription cannot both win, and the loser is told what the subscription is now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from flattr_clone.months import month_of
from tips.clicks.models import Click
from tips.clicks.services import ClickResult, click_register
from tips.subscriptions.models import (
    DURATIONS,
    Subscription,
    SubscriptionMonth,
    last_month_of,
)
from tips.subscriptions.selectors import open_subscription, open_subscription_count
from tips.things.models import Thing

Status = Subscription.Status


class SubscriptionRefused(Exception):
    """Nothing was changed; ``message`` says why, in words for the reader."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(str(message))


@dataclasses.dataclass(frozen=True)
class SubscriptionStarted:
    subscription: Subscription
    # This month's click, which starting the subscription made (or found already made).
    click: ClickResult


def max_open_subscriptions() -> int:
    """How many subscriptions a reader may have running at once. Their monthly clicks are made
    within minutes on the first of the month and count toward the reader's hourly click limit
    (``CLICK_RATE_LIMIT_PER_HOUR``) like any click, so no reader may hold more than that limit:
    otherwise their own subscriptions would be refused every month."""
    return settings.CLICK_RATE_LIMIT_PER_HOUR


@transaction.atomic
def subscription_start(
    *, reader, thing: Thing, months: int | None, now: dt.datetime | None = None
) -> SubscriptionStarted:
    """Subscribe ``reader`` to ``thing`` for ``months`` months (3, 6 or 12; None: until
    cancelled), counting the current month as the first: it is flattred now, through
    ``click_register`` (a flattr the reader already made this month counts), and the
    monthly run flattrs the following months on their first day.

    Raises ``ClickRefused`` when the reader cannot flattr the thing now (every click rule
    applies) and ``SubscriptionRefused`` for a bad duration, a subscription to the thing
    that is already running, or too many running subscriptions. Nothing is stored then.
    """
    if months is not None and months not in DURATIONS:
        raise SubscriptionRefused(_("Choose 3, 6 or 12 months, or until you cancel."))
    now = now or timezone.now()
    month = month_of(now)
    # One start at a time per reader: the count of running subscriptions stays exact.
    get_user_model().objects.select_for_update().filter(pk=reader.pk).first()
    # A subscription past its last month frees its place (the monthly run may not have
    # marked it yet).
    Subscription.objects.filter(
        reader=reader, thing=thing, status__in=Subscription.OPEN, last_month__lt=month
    ).update(status=Status.ENDED, ended_at=now)
    existing = open_subscription(reader=reader, thing=thing, month=month)
    if existing is not None:
        if existing.status == Status.PAUSED:
            raise SubscriptionRefused(
                _("Your subscription to this is paused. Resume it on your subscriptions page.")
            )
        raise SubscriptionRefused(_("You already flattr this every month."))
    limit = max_open_subscriptions()
    if open_subscription_count(reader=reader, month=month) >= limit:
        raise SubscriptionRefused(
            ngettext(
                "You already have %(counter)s subscription running, the most a reader can "
                "have. Cancel one first.",
                "You already have %(counter)s subscriptions running, the most a reader can "
                "have. Cancel one first.",
                limit,
            )
            % {"counter": limit}
        )
    result = click_register(reader=reader, thing=thing, now=now, source=Click.Source.SUBSCRIPTION)
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                reader=reader,
                thing=thing,
                months=months,
                first_month=month,
                last_month=last_month_of(month, months),
                created_at=now,
            )
    except IntegrityError as error:
        raise SubscriptionRefused(_("You already flattr this every month.")) from error
    made = result.status in (ClickResult.FLATTRED, ClickResult.RESTORED)
    SubscriptionMonth.objects.create(
        subscription=subscription,
        month=month,
        outcome=SubscriptionMonth.Outcome.CLICKED if made else SubscriptionMonth.Outcome.ALREADY,
        click=result.click,
        created_at=now,
    )
    return SubscriptionStarted(subscription, result)


def _refuse_unless(subscription: Subscription, month: dt.date, wanted: tuple[str, ...]) -> None:
    """Raise ``SubscriptionRefused`` saying what the subscription is, unless its status in
    ``month`` is one of ``wanted``."""
    status = subscription.status_in(month)
    if status in wanted:
        return
    messages = {
        Status.ACTIVE: _("This subscription is running, not paused."),
        Status.PAUSED: _("This subscription is already paused."),
        Status.CANCELLED: _("This subscription is cancelled."),
        Status.ENDED: _("This subscription has ended."),
    }
    raise SubscriptionRefused(messages[status])


def _swap(
    *,
    reader,
    subscription: Subscription,
    now: dt.datetime | None,
    wanted: tuple[str, ...],
    changes: dict,
) -> Subscription:
    """Apply ``changes`` if the subscription is the reader's and, in the current month, in a
    ``wanted`` status; compare-and-swap, so a concurrent change makes this one refuse."""
    if subscription.reader_id != reader.pk:
        raise SubscriptionRefused(_("This is not your subscription."))
    month = month_of(now or timezone.now())
    _refuse_unless(subscription, month, wanted)
    swapped = Subscription.objects.filter(pk=subscription.pk, status__in=wanted).update(**changes)
    subscription.refresh_from_db()
    if not swapped:
        _refuse_unless(subscription, month, wanted)
    return subscription


def subscription_pause(
    *, reader, subscription: Subscription, now: dt.datetime | None = None
) -> Subscription:
    """Pause a running subscription: no flattr on the first day of the months to come until
    it is resumed (those months are skipped, not added at the end). This month's flattr stays;
    the reader can revoke it on This month."""
    now = now or timezone.now()
    return _swap(
        reader=reader,
        subscription=subscription,
        now=now,
        wanted=(Status.ACTIVE,),
        changes={"status": Status.PAUSED, "paused_at": now},
    )


def subscription_resume(
    *, reader, subscription: Subscription, now: dt.datetime | None = None
) -> Subscription:
    """Resume a paused subscription: it flattrs again from the next first of the month. A
    month whose first day fell during the pause stays skipped; the reader can flattr it by
    hand."""
    return _swap(
        reader=reader,
        subscription=subscription,
        now=now,
        wanted=(Status.PAUSED,),
        changes={"status": Status.ACTIVE, "paused_at": None},
    )


def subscription_cancel(
    *, reader, subscription: Subscription, now: dt.datetime | None = None
) -> Subscription:
    """Cancel a running or paused subscription for good: no flattr from next month on. This
    month's flattr stays (revocable on This month until the month ends)."""
    now = now or timezone.now()
    return _swap(
        reader=reader,
        subscription=subscription,
        now=now,
        wanted=Subscription.OPEN,
        changes={"status": Status.CANCELLED, "cancelled_at": now},
    )
