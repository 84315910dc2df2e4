from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from payouts.connect.models import PaymentAccount
from payouts.connect.services import _apply_state
from payouts.providers import Provider
from payouts.webhooks.models import ProviderEvent

# ProviderEvent.provider of the events received on the Connect endpoint.
CONNECT_EVENTS = "stripe_connect"


# --- Webhooks ----------------------------------------------------------------------


def _record_event_once(event: dict, *, provider: str) -> ProviderEvent | None:
    """The stored event the first time this event id is seen; None for a replay."""
    obj = (event.get("data") or {}).get("object") or {}
    try:
        with transaction.atomic():
            return ProviderEvent.objects.create(
                provider=provider,
                event_id=event["id"],
                event_type=str(event.get("type", ""))[:100],
                object_id=str(obj.get("id") or "")[:255],
                outcome=ProviderEvent.Outcome.PROCESSED,
                payload=event,
            )
    except IntegrityError:
        return None


@transaction.atomic
def connect_event_handle(event: dict) -> str:
    """Apply one verified Connect webhook event; returns what was done (for logs and tests).

    The event id is stored in the same transaction as its effect, so an event is
    applied exactly once, and a failure leaves it to Stripe's next delivery.
    """
    stored = _record_event_once(event, provider=CONNECT_EVENTS)
    if stored is None:
        return "replay"
    outcome = _connect_event_apply(event)
    if outcome in ("ignored", "unknown_account"):
        stored.outcome = (
            ProviderEvent.Outcome.IGNORED if outcome == "ignored" else ProviderEvent.Outcome.UNKNOWN
        )
        stored.note = outcome
        stored.save(update_fields=["outcome", "note"])
    return outcome


def _connect_event_apply(event: dict) -> str:
    kind = event.get("type")
    obj = (event.get("data") or {}).get("object") or {}
    at = dt.datetime.fromtimestamp(int(event.get("created") or 0), tz=dt.UTC)
    if kind == "account.updated":
        account = PaymentAccount.objects.filter(
            provider=Provider.STRIPE, provider_account_id=obj.get("id", "")
        ).first()
        if account is None:
            return "unknown_account"
        return "applied" if _apply_state(account, obj, at=at) else "stale"
    if kind == "account.application.deauthorized":
        updated = (
            PaymentAccount.objects.filter(
                provider=Provider.STRIPE, provider_account_id=event.get("account") or ""
            )
            .filter(Q(synced_at__isnull=True) | Q(synced_at__lte=at))
            .update(
                status=PaymentAccount.Status.RESTRICTED,
                disabled_reason="deauthorized",
                synced_at=at,
                updated_at=timezone.now(),
            )
        )
        return "applied" if updated else "unknown_account"
    return "ignored"
