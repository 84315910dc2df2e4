"""Outgoing webhooks (Integrations): on each click on a creator's things and after each
payday, a signed HTTP POST to the creator's address, delivered by Celery with retries and
backoff, at least once, through the SSRF-safe fetcher (``flattr_clone.fetcher``).

Signature header, like Stripe's: ``Flattr-Signature: t=<unix time>,v1=<hex>`` where ``hex``
is HMAC-SHA256 of ``"<t>.<body>"`` with the endpoint's secret. Every event has an ``id``
(also in ``Flattr-Event-Id``) that stays the same across retries: receivers drop repeats."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint
from flattr_clone.fetcher import BadURL, BlockedAddress, FetchError, fetch

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_SECONDS = [10, 60, 300, 1800, 3600, 3 * 3600, 6 * 3600]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def endpoint_save(*, user, url: str) -> WebhookEndpoint:
    """Set ``user``'s webhook address (a new signing secret the first time)."""
    endpoint, created = WebhookEndpoint.objects.get_or_create(
        user=user, defaults={"url": url, "secret": new_secret()}
    )
    if not created and endpoint.url != url:
        endpoint.url = url
        endpoint.save(update_fields=["url"])
    return endpoint


def endpoint_delete(*, user) -> None:
    WebhookEndpoint.objects.filter(user=user).delete()


def event_queue(*, user, event_type: str, data: dict, event_id: str | None = None) -> None:
    """Record an event for ``user``'s endpoint (if any) and send it once the transaction
    commits. ``event_id`` makes a repeated call a no-op (one event per id)."""
    endpoint = WebhookEndpoint.objects.filter(user=user).first()
    if endpoint is None:
        return
    event_id = event_id or f"evt_{uuid.uuid4().hex}"
    body = {"id": event_id, "type": event_type, "created": int(time.time()), "data": data}
    delivery, created = WebhookDelivery.objects.get_or_create(
        event_id=event_id,
        defaults={"endpoint": endpoint, "event_type": event_type, "payload": body},
    )
    if created:
        transaction.on_commit(lambda: webhook_deliver.delay(delivery.pk))


def _attempt(delivery_pk: int) -> tuple[str, int]:
    """Send a delivery once: ("delivered" | "failed" | "retry" | "nothing to do", attempts)."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_pk).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return "nothing to do", 0
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "Flattr-Event-Id": delivery.event_id,
        "Flattr-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }
    delivery.attempts += 1
    permanent = False
    try:
        response = fetch(delivery.endpoint.url, method="POST", body=body, headers=headers)
    except (BadURL, BlockedAddress) as error:
        delivery.last_status_code, delivery.last_error, permanent = None, str(error.message), True
    except FetchError as error:
        delivery.last_status_code, delivery.last_error = None, str(error.message)
    else:
        delivery.last_status_code = response.status
        if response.ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            delivery.save()
            return "delivered", delivery.attempts
        delivery.last_error = f"HTTP {response.status}"
    if permanent or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.save()
        logger.warning("webhook %s failed: %s", delivery.event_id, delivery.last_error)
        return "failed", delivery.attempts
    delivery.save()
    return "retry", delivery.attempts


@shared_task(bind=True, name="api.tasks.webhook_deliver", max_retries=MAX_ATTEMPTS - 1)
def webhook_deliver(self, delivery_pk: int) -> str:
    """Deliver one event; on a failure, Celery tries again later, waiting longer each time
    (``BACKOFF_SECONDS``), up to ``MAX_ATTEMPTS``. Without a worker (eager: the demo, tests)
    the attempts follow each other at once."""
    outcome, attempts = _attempt(delivery_pk)
    if outcome != "retry":
        return outcome
    if self.request.is_eager:
        while outcome == "retry":
            outcome, attempts = _attempt(delivery_pk)
        return outcome
    countdown = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)]
    raise self.retry(countdown=countdown)
