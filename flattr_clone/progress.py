"""Following a long run from a command (``payday --wait``, ``payouts --wait``): a progress
bar of parts done out of the total and the money moved, until the run ends."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import TextIO

from flattr_clone.money import format_cents


@dataclasses.dataclass(frozen=True)
class Progress:
    done: int
    total: int
    unit: str  # what is counted ("chunks", "payouts")
    moved_cents: int
    finished: bool
    failure: str = ""  # why the run failed, if it did


def progress_bar(progress: Progress, width: int = 30) -> str:
    """``[##########----------] 5/10 chunks, €1,234.00 moved``"""
    filled = width if not progress.total else width * progress.done // progress.total
    return (
        f"[{'#' * filled}{'-' * (width - filled)}] {progress.done}/{progress.total} "
        f"{progress.unit}, {format_cents(progress.moved_cents, language='en')} moved"
    )


def follow(
    poll: Callable[[], Progress],
    out: TextIO,
    *,
    interval: float = 1.0,
    quiet_after: float = 30.0,
) -> Progress:
    """Call ``poll`` every ``interval`` seconds until the run it reads has finished, writing
    the bar each time it changes (on one line on a terminal). After ``quiet_after`` seconds
    without any change, say once that workers must be running for the run to move."""
    last_line, last_change, warned = "", time.monotonic(), False
    terminal = getattr(out, "isatty", lambda: False)()
    while True:
        progress = poll()
        line = progress_bar(progress)
        if line != last_line:
            out.write(("\r" + line) if terminal else line + "\n")
            out.flush()
            last_line, last_change = line, time.monotonic()
        if progress.finished:
            if terminal:
                out.write("\n")
            return progress
        if not warned and time.monotonic() - last_change > quiet_after:
            out.write(
                ("\n" if terminal else "") + "No progress for a while: are Celery workers running "
                "(celery -A flattr_clone worker)? Still waiting; Ctrl-C stops waiting, "
                "not the run.\n"
            )
            warned = True
        time.sleep(interval)
