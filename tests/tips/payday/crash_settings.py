"""Settings for the payday subprocess in the crash tests: the real settings, one reader per
chunk, and the kill hook (which does nothing unless PAYDAY_TEST_KILL names a point)."""

from flattr_clone.settings import *  # noqa: F403

PAYDAY_CHUNK_SIZE = 1
PAYDAY_FAULT_HOOK = "tests.tips.payday.faults.kill_at"
CELERY_TASK_ALWAYS_EAGER = True
