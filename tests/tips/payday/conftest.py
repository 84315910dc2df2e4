import pytest

from tips.payday.services import payday_run


@pytest.fixture
def run_payday(django_capture_on_commit_callbacks):
    """Run payday the way the command does; the chunk tasks are enqueued on commit, so the
    test transaction hands the callbacks over (and runs those they enqueue) on exit."""

    def run(month, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            payday_run(month=month, **kwargs)
        from tips.payday.models import PaydayRun

        return PaydayRun.objects.get(month=month)

    return run
