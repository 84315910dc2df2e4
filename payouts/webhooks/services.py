"""Signed provider events, each stored once and applied once, by the handler of its type.

Every webhook endpoint has its own ``EventHandlers``: the provider name its events are
stored under (``ProviderEvent``, unique on provider and event id) and, per event type, a
handler in two steps: ``parse`` reads what it needs from the event (typed, raising
``MalformedEvent``) and ``apply`` calls typed services with it. ``event_receive`` is the
one writer of ``ProviderEvent``: it parses before it stores anything, then stores the
event in the same transaction as the effect of its handler, so a malformed event stores
nothing, a replayed event does nothing and a crash moves nothing and records nothing
(the provider delivers it again).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from payouts.funding.models import TopUp
from payouts.webhooks.events import Event
from payouts.webhooks.models import ProviderEvent


@dataclasses.dataclass
class Handled:
    """What a handler did with an event, as stored on its ``ProviderEvent``."""

    outcome: str
    top_up: TopUp | None = None
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Handler:
    """The handler of one event type: ``parse`` reads the event (and raises
    ``MalformedEvent``), ``apply`` acts on what it read."""

    parse: Callable[[Event], Any]
    apply: Callable[[Any], Handled]


class EventHandlers:
    """The handlers of one webhook endpoint, by event type.

    ``provider`` is the ``ProviderEvent.provider`` of the endpoint's events: two
    endpoints never share event ids or handlers.
    """

    def __init__(self, *, provider: str) -> None:
        self.provider = provider
        self._by_type: dict[str, Handler] = {}

    def handles(
        self, *event_types: str, parse: Callable[[Event], Any]
    ) -> Callable[[Callable[[Any], Handled]], Callable[[Any], Handled]]:
        """Register the decorated function as what ``event_types`` do, once ``parse`` has
        read them."""

        def register(apply: Callable[[Any], Handled]) -> Callable[[Any], Handled]:
            for event_type in event_types:
                # A second handler would silently replace the first one.
                if event_type in self._by_type:
                    raise ImproperlyConfigured(
                        f"{event_type!r} already has a {self.provider} handler"
                    )
                self._by_type[event_type] = Handler(parse=parse, apply=apply)
            return apply

        return register

    def handler_for(self, event_type: str) -> Handler | None:
        return self._by_type.get(event_type)


@transaction.atomic
def event_receive(*, handlers: EventHandlers, event: Event) -> tuple[ProviderEvent, bool]:
    """Record a verified provider event and apply it, once; returns (record, first time).

    Raises ``MalformedEvent``, having stored nothing, when the handler of the event's type
    cannot read it. The record and the effect of its handler commit together; an
    exception in the handler stores nothing. An event id seen before returns its record
    and applies nothing. An event of a type without a handler is recorded as ignored.
    """
    handler = handlers.handler_for(event.type)
    subject = handler.parse(event) if handler is not None else None
    try:
        with transaction.atomic():
            record = ProviderEvent.objects.create(
                provider=handlers.provider,
                event_id=event.id,
                event_type=event.type[:100],
                object_id=event.object_id[:255],
                outcome=ProviderEvent.Outcome.IGNORED,
                payload=event.payload,
            )
    except IntegrityError:
        # Stored already (a replay, or a concurrent delivery that committed first).
        return ProviderEvent.objects.get(provider=handlers.provider, event_id=event.id), False
    if handler is None:
        return record, True
    handled = handler.apply(subject)
    record.outcome = handled.outcome
    record.top_up = handled.top_up
    record.note = handled.note[:255]
    record.save(update_fields=["outcome", "top_up", "note"])
    return record, True
