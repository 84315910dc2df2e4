"""Settings for the payday (and subscription run) subprocess in the crash tests: the real
settings, one reader (or subscription) per chunk, and the kill receiver (which does nothing
unless PAYDAY_TEST_KILL names a point), connected by a test-only app."""

from flattr_clone.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.tips.payday.crash_app.PaydayCrashConfig"]  # noqa: F405
PAYDAY_CHUNK_SIZE = 1
SUBSCRIPTION_CHUNK_SIZE = 1
CELERY_TASK_ALWAYS_EAGER = True
