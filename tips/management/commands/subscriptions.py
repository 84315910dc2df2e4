import json

from django.core.management.base import BaseCommand

from flattr_clone.months import format_month
from tips.subscriptions.runs import subscriptions_run


class Command(BaseCommand):
    help = (
        "Make (or resume) this month's subscription clicks, as celery beat does on the first "
        "day of each month. Running it again after the run is done changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    def handle(self, *args, json: bool = False, **options):
        run = subscriptions_run()
        totals = {
            "month": format_month(run.month),
            "subscriptions": run.subscriptions,
            "clicked": run.clicked,
            "already": run.already,
            "paused": run.paused,
            "refused": run.refused,
            "ended": run.ended,
            "status": run.status,
        }
        if json:
            self.stdout.write(_dumps(totals))
            return
        self.stdout.write(
            f"subscriptions {totals['month']} ({run.status}): {run.subscriptions} planned, "
            f"{run.clicked} flattred, {run.already} already flattred, {run.paused} paused, "
            f"{run.refused} refused; {run.ended} ended"
        )


def _dumps(value) -> str:
    return json.dumps(value)
