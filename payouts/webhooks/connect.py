"""Handlers of Stripe's Connect webhook (``/webhooks/stripe/connect/``): the state of
creators' connected accounts.

Events are stored under their own provider name, ``stripe_connect``: the Connect
endpoint has its own secret and its own event ids. Each handler's note is the word
the endpoint answers with (``applied``, ``stale``, ``unknown_account``).
"""

from __future__ import annotations

import datetime as dt

from payouts.connect.services import connect_deauthorize, connect_state_apply, stripe_account_of
from payouts.stripe_gateway.connect import account_state
from payouts.webhooks.models import ProviderEvent
from payouts.webhooks.services import EventHandlers, Handled

CONNECT_EVENTS = EventHandlers(provider="stripe_connect")


def _created_at(event: dict) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(event.get("created") or 0), tz=dt.UTC)


@CONNECT_EVENTS.handles("account.updated")
def _account_updated(event: dict) -> Handled:
    remote = (event.get("data") or {}).get("object") or {}
    account = stripe_account_of(provider_account_id=str(remote.get("id") or ""))
    if account is None:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note="unknown_account")
    applied = connect_state_apply(
        account=account, state=account_state(remote), at=_created_at(event)
    )
    return Handled(ProviderEvent.Outcome.PROCESSED, note="applied" if applied else "stale")


@CONNECT_EVENTS.handles("account.application.deauthorized")
def _account_deauthorized(event: dict) -> Handled:
    if connect_deauthorize(
        provider_account_id=str(event.get("account") or ""), at=_created_at(event)
    ):
        return Handled(ProviderEvent.Outcome.PROCESSED, note="applied")
    return Handled(ProviderEvent.Outcome.UNKNOWN, note="unknown_account")
