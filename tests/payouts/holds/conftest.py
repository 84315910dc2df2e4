import pytest

from tips.payday.services import payday_run


@pytest.fixture
def run_payday(django_capture_on_commit_callbacks):
    """Payday as the command runs it (its chunk tasks run when the test hands over the
    on-commit callbacks)."""

    def run(month, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            payday_run(month=month, **kwargs)

    return run
