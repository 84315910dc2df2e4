"""Handlers of Stripe's Connect webhook (``/webhooks/stripe/connect/``): the state of
creators' connected accounts.

Events are stored under their own provider name, ``stripe_connect``: the Connect
endpoint has its own secret and its own event ids. Each handler's note is the word
the endpoint answers with (``applied``, ``stale``, ``unknown_account``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from payouts.connect.services import connect_deauthorize, connect_state_apply, stripe_account_of
from payouts.stripe_gateway.connect import AccountState, account_state
from payouts.webhooks.events import Event, MalformedEvent
from payouts.webhooks.models import ProviderEvent
from payouts.webhooks.services import EventHandlers, Handled

CONNECT_EVENTS = EventHandlers(provider="stripe_connect")


def _created_at(event: Event) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(event.created, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise MalformedEvent("event.created must be a Unix timestamp") from error


@dataclasses.dataclass(frozen=True)
class AccountUpdate:
    """What ``account.updated`` says: the connected account's state at ``at``."""

    provider_account_id: str
    state: AccountState
    at: dt.datetime


def _account_update(event: Event) -> AccountUpdate:
    remote = event.object
    # Check the types of what ``account_state`` reads before it reads them.
    requirements = remote.fields("requirements")
    for name in ("currently_due", "past_due"):
        requirements.texts(name)
    requirements.text("disabled_reason")
    remote.fields("capabilities")
    return AccountUpdate(
        provider_account_id=remote.text("id"),
        state=account_state(remote.values),
        at=_created_at(event),
    )


@CONNECT_EVENTS.handles("account.updated", parse=_account_update)
def _account_updated(update: AccountUpdate) -> Handled:
    account = stripe_account_of(provider_account_id=update.provider_account_id)
    if account is None:
        return Handled(ProviderEvent.Outcome.UNKNOWN, note="unknown_account")
    applied = connect_state_apply(account=account, state=update.state, at=update.at)
    return Handled(ProviderEvent.Outcome.PROCESSED, note="applied" if applied else "stale")


@dataclasses.dataclass(frozen=True)
class Deauthorization:
    """What ``account.application.deauthorized`` says: which account left, and when."""

    provider_account_id: str
    at: dt.datetime


def _deauthorization(event: Event) -> Deauthorization:
    return Deauthorization(provider_account_id=event.account, at=_created_at(event))


@CONNECT_EVENTS.handles("account.application.deauthorized", parse=_deauthorization)
def _account_deauthorized(deauthorization: Deauthorization) -> Handled:
    if connect_deauthorize(
        provider_account_id=deauthorization.provider_account_id, at=deauthorization.at
    ):
        return Handled(ProviderEvent.Outcome.PROCESSED, note="applied")
    return Handled(ProviderEvent.Outcome.UNKNOWN, note="unknown_account")
