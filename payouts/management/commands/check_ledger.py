import json

from django.core.management.base import BaseCommand, CommandError

from payouts.ledger.checks import ledger_check


class Command(BaseCommand):
    help = "Verify the ledger: balances sum to zero, none negative, caches equal transfers."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    def handle(self, *args, json: bool = False, **options):
        report = ledger_check()
        if json:
            self.stdout.write(
                _dumps({"status": "ok" if report.ok else "failed", **report.as_dict()})
            )
        else:
            self.stdout.write(
                f"accounts={report.accounts} transfers={report.transfers} "
                f"sum={report.total_cents} negative={len(report.negative_accounts)} "
                f"mismatched={len(report.mismatched_accounts)}"
            )
        if not report.ok:
            raise CommandError("ledger check FAILED", returncode=1)
        if not json:
            self.stdout.write(self.style.SUCCESS("ledger ok"))


def _dumps(value) -> str:
    return json.dumps(value, sort_keys=True)
