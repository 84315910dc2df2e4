import json

from django.core.management.base import BaseCommand, CommandError

from flattr_clone.money import format_cents
from flattr_clone.months import parse_month
from tips.payday.chunks import run_totals
from tips.payday.services import PaydayError, payday_preview, payday_run


class Command(BaseCommand):
    help = (
        "Run (or resume) the payday of a month that has ended: split each reader's budget "
        "across the creators they clicked. --dry-run shows the totals and moves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month to close, as YYYY-MM")
        parser.add_argument("--dry-run", action="store_true", help="compute, move nothing")
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    def handle(self, *args, month: str, dry_run: bool = False, json: bool = False, **options):
        try:
            parsed = parse_month(month)
        except ValueError as error:
            raise CommandError(str(error)) from error
        try:
            if dry_run:
                totals = payday_preview(month=parsed)
            else:
                totals = run_totals(payday_run(month=parsed))
        except PaydayError as error:
            raise CommandError(str(error)) from error
        if json:
            self.stdout.write(_dumps(totals.as_dict()))
            return
        label = "dry run" if dry_run else totals.status
        self.stdout.write(
            f"payday {totals.month} ({label}): {totals.readers} readers gave "
            f"{format_cents(totals.given)} to {totals.creators} creators; commission "
            f"{format_cents(totals.commission)}, distributed {format_cents(totals.distributed)}"
        )


def _dumps(value) -> str:
    return json.dumps(value)
