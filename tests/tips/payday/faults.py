"""Test-only crash injection for payday, plugged in through ``settings.PAYDAY_FAULT_HOOK``.

``kill_at`` sends SIGKILL to its own process at the stage named by the environment
(``PAYDAY_TEST_KILL=chunk_written:2``): no Python cleanup, no rollback by us; PostgreSQL sees
the connection drop, exactly as with a machine that dies. ``raise_at`` raises inside the
chunk's transaction; ``block_in_first_chunk`` holds a chunk open until a test releases it.
"""

from __future__ import annotations

import os
import signal
import threading

from celery import shared_task
from django.conf import settings


class InjectedCrash(RuntimeError):
    pass


def kill_at(*, stage: str, chunk_number: int) -> None:
    if os.environ.get("PAYDAY_TEST_KILL") == f"{stage}:{chunk_number}":
        os.kill(os.getpid(), signal.SIGKILL)


def raise_at(*, stage: str, chunk_number: int) -> None:
    if getattr(settings, "PAYDAY_TEST_RAISE", "") == f"{stage}:{chunk_number}":
        raise InjectedCrash(f"injected crash at {stage} of chunk {chunk_number}")


entered = threading.Event()
release = threading.Event()


def block_in_first_chunk(*, stage: str, chunk_number: int) -> None:
    if stage == "chunk_written" and chunk_number == 1:
        entered.set()
        release.wait(timeout=30)


follow_ups: list[dict] = []


@shared_task
def remember_follow_up(*, month: str) -> None:
    """A follow-up task (as PAYDAY_FOLLOW_UP_TASKS names them) that notes when it ran."""
    from tips.payday.models import PaydayRun

    follow_ups.append(
        {"month": month, "status": PaydayRun.objects.get(month=month[:7] + "-01").status}
    )
