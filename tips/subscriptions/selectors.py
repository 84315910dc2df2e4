"""Reads about subscriptions: a reader's, a thing's subscribers, and what to tell readers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, Subquery

from flattr_clone.months import month_of, previous_month
from tips.clicks.models import Click
from tips.subscriptions.models import Subscription, SubscriptionMonth

Status = Subscription.Status


def _open_in(month: dt.date) -> Q:
    """Subscriptions running (or paused) in ``month``: not cancelled, not past their end."""
    return Q(status__in=Subscription.OPEN) & (Q(last_month__isnull=True) | Q(last_month__gte=month))


def open_subscription(*, reader, thing, month: dt.date | None = None) -> Subscription | None:
    """The reader's running or paused subscription to ``thing``, if any."""
    if reader is None or not reader.is_authenticated:
        return None
    return (
        Subscription.objects.filter(_open_in(month or month_of()), reader=reader, thing=thing)
        .order_by("-pk")
        .first()
    )


def open_subscription_count(*, reader, month: dt.date | None = None) -> int:
    return Subscription.objects.filter(_open_in(month or month_of()), reader=reader).count()


def subscriber_counts(*, thing_ids: Iterable[int], month: dt.date | None = None) -> dict[int, int]:
    """``{thing id: subscribers}``: readers whose subscription to the thing is running in
    ``month`` (default: now), paused ones not counted: those who flattr it every month."""
    month = month or month_of()
    rows = (
        Subscription.objects.filter(
            Q(last_month__isnull=True) | Q(last_month__gte=month),
            status=Status.ACTIVE,
            thing_id__in=list(thing_ids),
        )
        .values("thing_id")
        .annotate(subscribers=Count("reader", distinct=True))
        .order_by()
    )
    return {row["thing_id"]: row["subscribers"] for row in rows}


def subscription_click_count(*, reader, month: dt.date) -> int:
    """How many of ``reader``'s flattrs in ``month`` (not revoked) their subscriptions made."""
    return Click.objects.filter(
        reader=reader, month=month, revoked_at__isnull=True, source=Click.Source.SUBSCRIPTION
    ).count()


@dataclasses.dataclass(frozen=True)
class SubscriptionRow:
    subscription: Subscription
    status: str  # as the reader sees it this month (``Subscription.status_in``)
    next_click_month: dt.date | None
    # What it did in its latest month (this month's refusal is the reader's notice).
    latest: SubscriptionMonth | None

    @property
    def refused_this_month(self) -> bool:
        return (
            self.latest is not None
            and self.latest.outcome == SubscriptionMonth.Outcome.REFUSED
            and self.latest.month == month_of()
        )


@dataclasses.dataclass(frozen=True)
class ReaderSubscriptions:
    month: dt.date
    running: list[SubscriptionRow]  # active and paused, newest first
    past: list[SubscriptionRow]  # ended and cancelled, newest first

    @property
    def refused_this_month(self) -> list[SubscriptionRow]:
        return [row for row in self.running + self.past if row.refused_this_month]


def reader_subscriptions(*, reader, month: dt.date | None = None) -> ReaderSubscriptions:
    """Every subscription of ``reader``, running ones first, each with its latest month. Two
    queries, however many months the subscriptions have lived."""
    month = month or month_of()
    latest_entry = (
        SubscriptionMonth.objects.filter(subscription=OuterRef("pk"))
        .order_by("-month", "-pk")
        .values("pk")[:1]
    )
    subscriptions = list(
        Subscription.objects.filter(reader=reader)
        .select_related("thing__owner")
        .annotate(latest_entry_id=Subquery(latest_entry))
        .order_by("-created_at", "-pk")
    )
    entries = SubscriptionMonth.objects.in_bulk(
        [s.latest_entry_id for s in subscriptions if s.latest_entry_id]
    )
    latest = {entry.subscription_id: entry for entry in entries.values()}
    running, past = [], []
    for subscription in subscriptions:
        status = subscription.status_in(month)
        row = SubscriptionRow(
            subscription,
            status,
            subscription.next_click_month(month),
            latest.get(subscription.pk),
        )
        (running if status in Subscription.OPEN else past).append(row)
    return ReaderSubscriptions(month, running, past)


def refused_this_month_count(*, reader, month: dt.date | None = None) -> int:
    """How many of the reader's subscriptions could not flattr this month (or ``month``)."""
    return SubscriptionMonth.objects.filter(
        subscription__reader=reader,
        month=month or month_of(),
        outcome=SubscriptionMonth.Outcome.REFUSED,
    ).count()


# --- What the monthly notice tells a reader ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class SubscriptionNotices:
    month: dt.date
    # Refused in ``month`` for a reason the reader was not told about the month before.
    skipped: list[SubscriptionMonth]
    # Whose last month was the month before ``month``: they ended on its last day.
    ended: list[Subscription]

    def __bool__(self) -> bool:
        return bool(self.skipped or self.ended)


def subscription_notices(*, reader, month: dt.date) -> SubscriptionNotices:
    """What ``reader`` should be told about their subscriptions in ``month``."""
    skipped = list(
        SubscriptionMonth.objects.filter(
            subscription__reader=reader,
            month=month,
            outcome=SubscriptionMonth.Outcome.REFUSED,
            notify=True,
        )
        .select_related("subscription__thing")
        .order_by("subscription__thing__title", "pk")
    )
    ended = list(
        Subscription.objects.filter(
            reader=reader,
            status__in=[*Subscription.OPEN, Status.ENDED],
            last_month=previous_month(month),
        )
        .select_related("thing")
        .order_by("thing__title", "pk")
    )
    return SubscriptionNotices(month, skipped, ended)


def subscription_notice_recipients(*, month: dt.date) -> list[int]:
    """Ids of the active readers with something to be told about their subscriptions in
    ``month`` (see ``subscription_notices``), ascending."""
    readers = get_user_model().objects.filter(is_active=True).exclude(email="")
    skipped = readers.filter(
        subscriptions__month_entries__month=month,
        subscriptions__month_entries__outcome=SubscriptionMonth.Outcome.REFUSED,
        subscriptions__month_entries__notify=True,
    ).values_list("pk", flat=True)
    ended = readers.filter(
        subscriptions__status__in=[*Subscription.OPEN, Status.ENDED],
        subscriptions__last_month=previous_month(month),
    ).values_list("pk", flat=True)
    return sorted(set(skipped) | set(ended))
