import datetime as dt

import pytest

from tips.subscriptions.models import SubscriptionRun
from tips.subscriptions.runs import subscriptions_run


@pytest.fixture
def month_turns(time_machine, django_capture_on_commit_callbacks):
    """Move the clock (time-machine) to ``at`` and run the month's subscriptions as beat does
    on the 1st. The chunk tasks and the notice e-mails are enqueued on commit, so the test
    transaction hands the callbacks over (and those they enqueue) on exit. Returns the run."""

    def turn(at: dt.datetime, **kwargs) -> SubscriptionRun:
        time_machine.move_to(at, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            run = subscriptions_run(**kwargs)
        return SubscriptionRun.objects.get(pk=run.pk)

    return turn
