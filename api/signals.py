"""The events webhooks tell creators about: a click on one of their things, a finished payday."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from api.models import WebhookEndpoint
from api.objects import mini_thing, mini_user, unix
from api.webhooks import event_queue
from flattr_clone.db import PreparedQuery
from flattr_clone.months import format_month
from tips.clicks.models import Click
from tips.clicks.signals import click_made
from tips.dashboards.selectors import creator_earnings_by_month
from tips.payday.models import PaydayRun

# Compiled once per process: every click asks it.
_HAS_WEBHOOK = PreparedQuery(
    lambda *, pk: WebhookEndpoint.objects.filter(user_id=pk).order_by().values_list("pk")[:1],
    pk=-7_777_777_777,
)


@receiver(click_made, dispatch_uid="api.webhooks.click")
def on_click_made(sender, click: Click, **kwargs) -> None:
    # Every click comes through here: most creators have no webhook, so ask that first (one
    # query by id) before reading the creator, the thing and the reader for the event.
    if not _HAS_WEBHOOK.rows(pk=click.creator_id):
        return
    event_queue(
        user=click.creator,
        event_type="flattr.created",
        event_id=f"evt_flattr_{click.pk}",
        data={
            "thing": mini_thing(click.thing),
            "month": format_month(click.month),
            "created_at": unix(click.created_at),
            "source": click.source,
            # The reader, only when they made their flattrs public.
            "owner": mini_user(click.reader) if click.reader.public_flattrs else None,
        },
    )


@receiver(post_save, sender=PaydayRun, dispatch_uid="api.webhooks.payday")
def payday_finished(sender, instance: PaydayRun, raw: bool = False, **kwargs) -> None:
    if raw or instance.status != PaydayRun.Status.DONE:
        return
    run_pk, month = instance.pk, instance.month

    def tell_creators():
        for endpoint in WebhookEndpoint.objects.select_related("user"):
            (earned,) = creator_earnings_by_month(creator=endpoint.user, months=[month])
            if not earned.amount_cents:
                continue
            event_queue(
                user=endpoint.user,
                event_type="payday.completed",
                event_id=f"evt_payday_{run_pk}_{endpoint.pk}",
                data={
                    "month": format_month(month),
                    "earned_cents": earned.amount_cents,
                    "readers": earned.readers,
                },
            )

    transaction.on_commit(tell_creators)
