import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from payouts.reconciliation.services import reconcile
from payouts.stripe_gateway import StripeNotConfigured
from payouts.stripe_gateway.balance import BalanceUnavailable


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a day as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Reconcile the ledger with Stripe for one day (UTC): import Stripe's balance "
        "transactions and payouts, book their fees, report every difference (docs/PRODUCT.md, "
        "Reconciliation). Exits 1 when there are differences."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day, YYYY-MM-DD (default: yesterday, UTC)")
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    def handle(self, *args, date: str | None = None, json: bool = False, **options):
        day = _day(date) if date else timezone.now().astimezone(dt.UTC).date() - dt.timedelta(1)
        if day > timezone.now().astimezone(dt.UTC).date():
            raise CommandError(f"{day.isoformat()} has not come yet; nothing to reconcile")
        try:
            report = reconcile(day=day)
        except (StripeNotConfigured, BalanceUnavailable) as error:
            raise CommandError(f"Stripe could not be asked: {error}") from error
        if json:
            self.stdout.write(
                _dumps({"status": "ok" if report.ok else "differences", **report.as_dict()})
            )
        else:
            self.stdout.write(
                f"day={report.day} imported={report.imported} fees_booked={report.fees_booked} "
                f"compared={report.compared} differences={len(report.differences)} "
                f"new={report.new_differences}"
            )
            for item in report.differences:
                self.stdout.write(
                    f"  {item['kind']} {item['object_id']}: stripe={item['stripe']} "
                    f"ledger={item['ledger']}"
                )
        if not report.ok:
            raise CommandError("reconciliation found differences", returncode=1)
        if not json:
            self.stdout.write(self.style.SUCCESS("reconciled"))


def _dumps(value) -> str:
    return json.dumps(value, sort_keys=True)
