"""A test-only app for the subprocesses of the crash tests: once Django is ready, it connects
``faults.kill_at`` to the chunk stages of payday and of the monthly subscription run.
Installed by ``crash_settings`` only."""

from django.apps import AppConfig


class PaydayCrashConfig(AppConfig):
    name = "tests.tips.payday"
    label = "payday_crash_tests"

    def ready(self) -> None:
        from payouts.cards.signals import charge_attempt_stage
        from tests.tips.payday.faults import kill_at
        from tips.payday.signals import payday_chunk_stage
        from tips.subscriptions.signals import subscription_chunk_stage

        payday_chunk_stage.connect(kill_at, dispatch_uid="payday-crash-tests-kill-at")
        subscription_chunk_stage.connect(kill_at, dispatch_uid="subscription-crash-tests-kill-at")
        charge_attempt_stage.connect(kill_at, dispatch_uid="charge-crash-tests-kill-at")
