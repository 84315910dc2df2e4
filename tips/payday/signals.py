"""What payday tells the rest of the process while it runs, for observability (timing the
stages of a chunk, logging, metrics). Payday works the same with no receiver connected.

``payday_chunk_stage`` is sent by ``tips.payday.chunks`` with ``stage`` and ``chunk_number``
(the chunk's ``number`` within its run), the sender being ``PaydayChunk``:

- ``"chunk_written"``: inside the chunk's transaction, once its transfers and records are
  written and before the chunk is marked done. A receiver that raises rolls the whole chunk
  back, and the run is left failed and resumable.
- ``"chunk_committed"``: right after that transaction committed.

The crash tests connect receivers here that kill or fail the process at these points
(tests/tips/payday/faults.py).
"""

from django.dispatch import Signal

payday_chunk_stage = Signal()
