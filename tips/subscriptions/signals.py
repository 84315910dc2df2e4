"""What the monthly subscription run tells the rest of the process while it runs, for
observability. The run works the same with no receiver connected.

``subscription_chunk_stage`` is sent by ``tips.subscriptions.runs`` with ``stage`` and
``chunk_number`` (the chunk's ``number`` within its run), the sender being
``SubscriptionChunk``, at the same two points as payday's ``payday_chunk_stage``:

- ``"chunk_written"``: inside the chunk's transaction, once its clicks and month rows are
  written and before the chunk is marked done. A receiver that raises rolls the whole chunk
  back, and the run is left failed and resumable.
- ``"chunk_committed"``: right after that transaction committed.

The crash tests connect receivers here (tests/tips/subscriptions/faults.py).
"""

from django.dispatch import Signal

subscription_chunk_stage = Signal()
