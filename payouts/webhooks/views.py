from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payouts.batches.services import PayoutNotSettledYet
from payouts.funding.topups import (
    TopUpNotPaidYet,
)
from payouts.stripe_gateway import SignatureVerificationError, StripeNotConfigured, verify_event
from payouts.webhooks.connect import connect_event_handle
from payouts.webhooks.services import STRIPE, event_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Receive a Stripe event for the platform account (top-ups, refunds, disputes)."""
    try:
        event = verify_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
        )
    except StripeNotConfigured:
        logger.error("Stripe webhook received but STRIPE_WEBHOOK_SECRET is not set")
        return JsonResponse({"error": "webhook secret not configured"}, status=503)
    except (SignatureVerificationError, ValueError):
        return JsonResponse({"error": "invalid signature"}, status=400)
    if not event.get("id"):
        return JsonResponse({"error": "not an event"}, status=400)
    try:
        record, first = event_receive(provider=STRIPE, event=event)
    except (TopUpNotPaidYet, PayoutNotSettledYet) as error:
        logger.warning(
            "Stripe event %s arrived early, asking for redelivery: %s", event["id"], error
        )
        return JsonResponse({"error": "payment not confirmed yet, retry later"}, status=500)
    return JsonResponse({"received": True, "outcome": record.outcome, "replay": not first})


@csrf_exempt
@require_POST
def connect_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe's Connect webhook endpoint: ``account.updated`` for creators' accounts.

    Only a request signed with STRIPE_CONNECT_WEBHOOK_SECRET is read; each event id
    is applied once.
    """
    try:
        event = verify_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_CONNECT_WEBHOOK_SECRET,
        )
    except StripeNotConfigured:
        return HttpResponse("Connect webhooks are not configured.", status=503)
    except (SignatureVerificationError, ValueError):
        return HttpResponse("Invalid signature.", status=400)
    outcome = connect_event_handle(event)
    logger.info("connect webhook %s %s: %s", event.get("type"), event.get("id"), outcome)
    return HttpResponse(outcome, content_type="text/plain")
