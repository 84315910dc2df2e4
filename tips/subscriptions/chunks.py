"""One chunk of the monthly subscription run, and the completion of a run.

A chunk is one transaction: its clicks, its ``SubscriptionMonth`` rows and its "done" mark
commit together, so a crash anywhere leaves each chunk fully applied or not at all. The
unique constraints (one click per reader, thing and month; one row per subscription and
month) make a chunk processed twice click nothing twice even if its "done" mark were lost.
A refused click is recorded with its reason (the reader's notice) and the chunk goes on.
The chunk that completes last marks the run done and enqueues
``SUBSCRIPTIONS_FOLLOW_UP_TASKS`` (the notice e-mails).
"""

from __future__ import annotations

import collections
import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from flattr_clone.months import format_month, month_of
from tips.clicks.models import Click
from tips.clicks.ratelimit import click_allowed
from tips.clicks.selectors import Blocker
from tips.clicks.services import ClickRefused, ClickResult, click_register
from tips.subscriptions.models import (
    Subscription,
    SubscriptionChunk,
    SubscriptionMonth,
    SubscriptionRun,
)
from tips.subscriptions.signals import subscription_chunk_stage

logger = logging.getLogger(__name__)

Outcome = SubscriptionMonth.Outcome


class SubscriptionRunError(Exception):
    """The run could not make this chunk's clicks; nothing of the chunk was stored."""


def _record_failure(month: dt.date, error: BaseException) -> None:
    """Keep the error on the run for operators; the run stays resumable within its month."""
    SubscriptionRun.objects.filter(month=month).exclude(status=SubscriptionRun.Status.DONE).update(
        status=SubscriptionRun.Status.FAILED, last_error=f"{type(error).__name__}: {error}"[:2000]
    )


# --- One chunk -----------------------------------------------------------------------


def subscription_chunk_process(*, chunk_id: int) -> bool:
    """Make the clicks of one chunk in one transaction; False when it was already done (or is
    being done by another worker right now)."""
    try:
        return _process_chunk(chunk_id)
    except Exception as error:
        run_month = (
            SubscriptionChunk.objects.filter(pk=chunk_id)
            .values_list("run__month", flat=True)
            .first()
        )
        if run_month is not None:
            _record_failure(run_month, error)
        raise


@transaction.atomic
def _process_chunk(chunk_id: int) -> bool:
    chunk = (
        SubscriptionChunk.objects.select_for_update(skip_locked=True)
        .filter(pk=chunk_id, done_at__isnull=True)
        .select_related("run")
        .first()
    )
    if chunk is None:
        return False
    month = chunk.run.month
    now = timezone.now()
    if month_of(now) != month:
        raise SubscriptionRunError(
            f"the month {format_month(month)} has ended: its subscription clicks can no "
            "longer be made"
        )
    subscriptions = (
        Subscription.objects.filter(
            Q(last_month__isnull=True) | Q(last_month__gte=month),
            pk__gte=chunk.first_subscription_id,
            pk__lte=chunk.last_subscription_id,
            status__in=Subscription.OPEN,
            first_month__lt=month,
        )
        .exclude(month_entries__month=month)
        .select_related("reader", "thing__owner")
        .order_by("pk")
    )
    outcomes: collections.Counter[str] = collections.Counter()
    for subscription in subscriptions:
        outcomes[subscription_month_make(subscription=subscription, month=month, now=now)] += 1
    subscription_chunk_stage.send(
        sender=SubscriptionChunk, stage="chunk_written", chunk_number=chunk.number
    )
    chunk.done_at = now
    chunk.save(update_fields=["done_at"])
    SubscriptionRun.objects.filter(pk=chunk.run_id).update(
        chunks_done=F("chunks_done") + 1,
        clicked=F("clicked") + outcomes[Outcome.CLICKED],
        already=F("already") + outcomes[Outcome.ALREADY],
        paused=F("paused") + outcomes[Outcome.PAUSED],
        refused=F("refused") + outcomes[Outcome.REFUSED],
    )
    # The UPDATE holds the run's row lock until commit: whoever sees every chunk done is last.
    run = SubscriptionRun.objects.get(pk=chunk.run_id)
    if run.chunks_done == run.chunks_total:
        run_finish(run, now)
    number = chunk.number
    transaction.on_commit(
        lambda: subscription_chunk_stage.send(
            sender=SubscriptionChunk, stage="chunk_committed", chunk_number=number
        )
    )
    return True


def subscription_month_make(*, subscription: Subscription, month: dt.date, now: dt.datetime) -> str:
    """Decide ``subscription``'s ``month`` and write its row (with the click, if one is made);
    returns the outcome. Runs inside the chunk's transaction.

    Paused: skipped. Already flattred by the reader this month (even if they revoked that
    flattr since: a subscription never restores what the reader took back): nothing to do.
    Otherwise the click goes through the reader's hourly click limit and ``click_register``;
    a refusal is kept with its reason, in the reader's language, for their notice.
    """
    reader, thing = subscription.reader, subscription.thing
    row = SubscriptionMonth(subscription=subscription, month=month, created_at=now)
    existing = Click.objects.filter(reader=reader, thing=thing, month=month).first()
    if subscription.status == Subscription.Status.PAUSED:
        row.outcome = Outcome.PAUSED
    elif existing is not None:
        row.outcome, row.click = Outcome.ALREADY, existing
    else:
        with translation.override(reader.language or settings.LANGUAGE_CODE):
            blocker, result = _click(reader, thing, now)
            if blocker is not None:
                row.outcome = Outcome.REFUSED
                row.refusal_code = blocker.code
                row.refusal_message = str(blocker.message)
                row.fix_url = blocker.fix_url
                row.fix_label = str(blocker.fix_label)
                row.notify = reader.is_active and _is_new_refusal(subscription, month, blocker)
            else:
                made = result.status != ClickResult.ALREADY
                row.outcome = Outcome.CLICKED if made else Outcome.ALREADY
                row.click = result.click
    row.save()
    return row.outcome


def _click(reader, thing, now: dt.datetime) -> tuple[Blocker | None, ClickResult | None]:
    """The subscription's click, under every click rule: an open account, the reader's hourly
    click limit, then ``click_register``'s own."""
    if not reader.is_active:
        return Blocker("account_closed", _("Your account is closed.")), None
    if not click_allowed(reader):
        limit = settings.CLICK_RATE_LIMIT_PER_HOUR
        message = ngettext(
            "More than %(counter)s flattr was made from your account within an hour, so this "
            "one was not made.",
            "More than %(counter)s flattrs were made from your account within an hour, so this "
            "one was not made.",
            limit,
        ) % {"counter": limit}
        return Blocker("rate_limited", message), None
    try:
        return None, click_register(
            reader=reader, thing=thing, now=now, source=Click.Source.SUBSCRIPTION
        )
    except ClickRefused as refused:
        return refused.blocker, None


def _is_new_refusal(subscription: Subscription, month: dt.date, blocker: Blocker) -> bool:
    """The reader is e-mailed about a refusal unless the month before was refused for the same
    reason: an empty wallet or a retired thing is told once, not every month."""
    previous = (
        SubscriptionMonth.objects.filter(subscription=subscription, month__lt=month)
        .order_by("-month")
        .values_list("outcome", "refusal_code")
        .first()
    )
    return previous != (Outcome.REFUSED, blocker.code)


# --- Completion ----------------------------------------------------------------------


def run_finish(run: SubscriptionRun, now: dt.datetime) -> None:
    """Mark the run done and, once that commits, enqueue the follow-up tasks (dotted paths in
    ``SUBSCRIPTIONS_FOLLOW_UP_TASKS``, called with ``month="YYYY-MM"``)."""
    run.status = SubscriptionRun.Status.DONE
    run.finished_at = now
    run.last_error = ""
    run.save(update_fields=["status", "finished_at", "last_error"])
    month = format_month(run.month)
    logger.info(
        "subscriptions %s done: %s flattred, %s already, %s paused, %s refused, %s ended",
        month,
        run.clicked,
        run.already,
        run.paused,
        run.refused,
        run.ended,
    )

    def follow_up() -> None:
        for path in settings.SUBSCRIPTIONS_FOLLOW_UP_TASKS:
            import_string(path).delay(month=month)

    transaction.on_commit(follow_up)
