import json

from django.core.management.base import BaseCommand, CommandError

from flattr_clone.money import format_cents
from flattr_clone.months import parse_month
from flattr_clone.progress import follow
from tips.payday.charges import charge_totals
from tips.payday.chunks import run_totals
from tips.payday.selectors import payday_progress
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
        parser.add_argument(
            "--wait",
            action="store_true",
            help="with workers running, follow the run to its end with a progress bar (on "
            "stderr); exit non-zero if it fails",
        )

    def handle(
        self,
        *args,
        month: str,
        dry_run: bool = False,
        json: bool = False,
        wait: bool = False,
        **options,
    ):
        try:
            parsed = parse_month(month)
        except ValueError as error:
            raise CommandError(str(error)) from error
        try:
            if dry_run:
                totals = payday_preview(month=parsed)
            else:
                run = payday_run(month=parsed)
                if wait:
                    progress = follow(lambda: payday_progress(month=parsed), self.stderr)
                    run.refresh_from_db()
                    if progress.failure:
                        raise CommandError(f"payday {month} failed: {progress.failure}")
                totals = run_totals(run)
        except PaydayError as error:
            raise CommandError(str(error)) from error
        # docs/PRODUCT.md, Funding, Totals: prepaid money apart from the month's charges to
        # cards as they stand (a dry run creates none: it shows those that exist).
        charged = charge_totals(parsed)
        if json:
            self.stdout.write(_dumps({**totals.as_dict(), "charged": charged}))
            return
        label = "dry run" if dry_run else totals.status
        self.stdout.write(
            f"payday {totals.month} ({label}): {_count(totals.readers, 'reader')} gave "
            f"{format_cents(totals.given)} to {_count(totals.creators, 'creator')}; commission "
            f"{format_cents(totals.commission)}, distributed {format_cents(totals.distributed)}"
        )
        if charged.get("charges"):
            self.stdout.write(
                f"charged after the month: {format_cents(charged['amount'])} in "
                f"{charged['charges']} charges; collected {format_cents(charged['collected'])}, "
                f"pending {format_cents(charged['pending'])}, not collected "
                f"{format_cents(charged['not_collected'])}"
            )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _dumps(value) -> str:
    return json.dumps(value)
