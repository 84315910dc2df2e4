"""The signed Stripe webhooks: the only CSRF-exempt views, trusted because they are signed.

Each verified event goes to ``event_receive`` with its endpoint's handlers
(``payouts.webhooks.platform`` or ``payouts.webhooks.connect``), which stores it once.

Both endpoints answer 400 with a JSON ``{"error": "malformed event: ..."}`` naming the
field when a correctly signed body is not an event of the shape its handler reads (not
a JSON object, no ``id``, ``type`` or ``data.object``, an amount that is not a whole
number of cents...): nothing is stored and no money moves.

Answers of the platform endpoint (JSON):
- 400 when the signature is missing, forged or stale: nothing is stored;
- 503 when no webhook secret is configured (Stripe retries once it is);
- 200 for every genuine event, including ones about sessions or payments the
  platform does not know: the signature proves Stripe sent them, so they are not
  attacks, and retrying cannot make them known (e.g. a session made by another
  integration on the same Stripe account). They are recorded as ``unknown`` for
  operators to see in the admin, and move no money;
- 500 when a refund, dispute or reversal arrives before the payment or payout it
  reverses is settled (Stripe does not promise order): nothing is stored and Stripe
  delivers it again later.

The Connect endpoint answers in plain text with what was done: ``applied``,
``stale`` (an older state than the one stored), ``unknown_account``, ``ignored``
(a type it does not handle) or ``replay``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payouts.batches.services import PayoutNotSettledYet
from payouts.funding.topups import TopUpNotPaidYet
from payouts.stripe_gateway import SignatureVerificationError, StripeNotConfigured, verify_event
from payouts.webhooks.connect import CONNECT_EVENTS
from payouts.webhooks.events import MalformedEvent, event_parse
from payouts.webhooks.models import ProviderEvent
from payouts.webhooks.platform import PLATFORM_EVENTS
from payouts.webhooks.services import event_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Receive a Stripe event for the platform account (top-ups, refunds, disputes)."""
    try:
        body = verify_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
        )
    except StripeNotConfigured:
        logger.error("Stripe webhook received but STRIPE_WEBHOOK_SECRET is not set")
        return JsonResponse({"error": "webhook secret not configured"}, status=503)
    except (SignatureVerificationError, ValueError):
        return JsonResponse({"error": "invalid signature"}, status=400)
    try:
        event = event_parse(body)
        record, first = event_receive(handlers=PLATFORM_EVENTS, event=event)
    except MalformedEvent as error:
        return _malformed(error)
    except (TopUpNotPaidYet, PayoutNotSettledYet) as error:
        logger.warning("Stripe event %s arrived early, asking for redelivery: %s", event.id, error)
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
        body = verify_event(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_CONNECT_WEBHOOK_SECRET,
        )
    except StripeNotConfigured:
        return HttpResponse("Connect webhooks are not configured.", status=503)
    except (SignatureVerificationError, ValueError):
        return HttpResponse("Invalid signature.", status=400)
    try:
        event = event_parse(body)
        record, first = event_receive(handlers=CONNECT_EVENTS, event=event)
    except MalformedEvent as error:
        return _malformed(error)
    outcome = _connect_answer(record, first=first)
    logger.info("connect webhook %s %s: %s", event.type, event.id, outcome)
    return HttpResponse(outcome, content_type="text/plain")


def _malformed(error: MalformedEvent) -> HttpResponse:
    """Signed, so not an attack; but retrying the same body cannot help: say what is wrong."""
    logger.error("Signed webhook body refused: %s", error)
    return JsonResponse({"error": f"malformed event: {error}"}, status=400)


def _connect_answer(record: ProviderEvent, *, first: bool) -> str:
    if not first:
        return "replay"
    if record.outcome == ProviderEvent.Outcome.IGNORED:
        return "ignored"
    # The handler's word: applied, stale or unknown_account.
    return record.note
