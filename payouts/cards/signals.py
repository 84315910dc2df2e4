"""What the charge attempts tell the rest of the process, for observability. Charges work the
same with no receiver connected.

``charge_attempt_stage`` is sent by ``payouts.cards.charges`` with ``stage`` and
``chunk_number`` (the attempt's number; named like payday's stages so one receiver serves
both), the sender being ``ChargeAttempt``:

- ``"attempt_written"``: the attempt's row is committed; the provider has not been called.
- ``"provider_answered"``: the provider answered; nothing of its answer is stored yet.

The crash tests connect a receiver that kills the process at these points.
"""

from django.dispatch import Signal

charge_attempt_stage = Signal()
