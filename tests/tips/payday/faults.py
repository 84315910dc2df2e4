"""Crash injection for payday: receivers of ``tips.payday.signals.payday_chunk_stage``, which
payday sends at fixed points of each chunk. Production code knows nothing of them. The monthly
subscription run sends the same stages (``tips.subscriptions.signals.subscription_chunk_stage``):
pass it as ``signal`` to crash that run instead.

``kill_at`` sends SIGKILL to its own process at the stage named by the environment
(``PAYDAY_TEST_KILL=chunk_written:2``): no Python cleanup, no rollback by us; PostgreSQL sees
the connection drop, exactly as with a machine that dies. The payday subprocess of the crash
tests connects it at start-up (``crash_settings`` installs ``crash_app``). ``raising_at``
raises inside the chunk's transaction; ``blocking_first_chunk`` holds the first chunk open
until a test releases it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from celery import shared_task
from django.dispatch import Signal

from tips.payday.signals import payday_chunk_stage


class InjectedCrash(RuntimeError):
    pass


ROOT = Path(__file__).resolve().parents[3]


def command_in_subprocess(*command: str, kill_at: str = "") -> subprocess.CompletedProcess:
    """``python manage.py <command>`` in a new process on the test database, with
    ``crash_settings`` (one item per chunk) and the kill receiver armed at ``kill_at``."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.tips.payday.crash_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "PAYDAY_TEST_KILL": kill_at,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextlib.contextmanager
def connected(receiver: Callable, signal: Signal = payday_chunk_stage) -> Iterator[None]:
    """``receiver`` hears every chunk stage inside the block (in every thread)."""
    signal.connect(receiver, weak=False)
    try:
        yield
    finally:
        signal.disconnect(receiver)


def kill_at(sender, *, stage: str, chunk_number: int, **kwargs) -> None:
    if os.environ.get("PAYDAY_TEST_KILL") == f"{stage}:{chunk_number}":
        os.kill(os.getpid(), signal.SIGKILL)


def raising_at(
    point: str, signal: Signal = payday_chunk_stage
) -> contextlib.AbstractContextManager[None]:
    """Inside the block, payday (or the run ``signal`` belongs to) raises ``InjectedCrash`` at
    ``point`` (``chunk_written:3``)."""

    def crash(sender, *, stage: str, chunk_number: int, **kwargs) -> None:
        if f"{stage}:{chunk_number}" == point:
            raise InjectedCrash(f"injected crash at {stage} of chunk {chunk_number}")

    return connected(crash, signal)


entered = threading.Event()
release = threading.Event()


def block_in_first_chunk(sender, *, stage: str, chunk_number: int, **kwargs) -> None:
    if stage == "chunk_written" and chunk_number == 1:
        entered.set()
        release.wait(timeout=30)


@contextlib.contextmanager
def blocking_first_chunk() -> Iterator[None]:
    """Inside the block, the first chunk waits in its transaction (once written) until
    ``release`` is set; ``entered`` is set when it gets there. Leaving the block releases it."""
    entered.clear()
    release.clear()
    with connected(block_in_first_chunk):
        try:
            yield
        finally:
            release.set()


follow_ups: list[dict] = []


@shared_task
def remember_follow_up(*, month: str) -> None:
    """A follow-up task (as PAYDAY_FOLLOW_UP_TASKS names them) that notes when it ran."""
    from tips.payday.models import PaydayRun

    follow_ups.append(
        {"month": month, "status": PaydayRun.objects.get(month=month[:7] + "-01").status}
    )
