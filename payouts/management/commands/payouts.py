"""``python manage.py payouts [--dry-run] [--json]``: run a payout batch now (docs/PRODUCT.md)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from flattr_clone.money import format_cents
from flattr_clone.progress import follow
from payouts.batches.models import PayoutBatch
from payouts.batches.runs import payout_batch_preview, payout_batch_run
from payouts.batches.selectors import batch_progress
from payouts.batches.services import BatchAlreadyRunning, batch_summary


class Command(BaseCommand):
    help = (
        "Pay every creator whose earnings reach the payout minimum and whose payment account "
        "can receive money; payouts left in flight by an earlier run are sent again first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be paid; change nothing."
        )
        parser.add_argument(
            "--json", action="store_true", help="End with one JSON object (amounts in cents)."
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="With workers running, follow the batch until every payout is settled, with "
            "a progress bar (on stderr); exit non-zero if a payout failed.",
        )

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        if dry_run:
            summary = payout_batch_preview()
        else:
            try:
                summary = payout_batch_run(trigger="manual")
            except BatchAlreadyRunning as error:
                raise CommandError(f"{error}; try again when it has finished.") from error
            if options["wait"]:
                progress = follow(lambda: batch_progress(batch_id=summary.batch), self.stderr)
                summary = batch_summary(PayoutBatch.objects.get(pk=summary.batch))
        data = summary.as_dict()
        if dry_run:
            self.stdout.write(
                f"Dry run: {data['payouts']} payouts would be sent, "
                f"{format_cents(data['amount'])} in total; "
                f"{data['resumed']} payouts in flight would be sent again."
            )
        else:
            self.stdout.write(
                f"Batch {data['batch']}: {data['payouts']} payouts, "
                f"{format_cents(data['amount'])}; {data['paid']} paid, {data['failed']} failed, "
                f"{data['sending']} waiting for a retry; {data['resumed']} resumed from earlier "
                f"runs. Status: {data['status']}."
            )
        if options["json"]:
            self.stdout.write(json.dumps(data))
        if options.get("wait") and not dry_run and progress.failure:
            raise CommandError(f"batch {data['batch']}: {progress.failure}")
