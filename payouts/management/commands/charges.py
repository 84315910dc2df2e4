"""``python manage.py charges [--json]``: try the charges to saved cards that are due now
(declines on their schedule, attempts whose answer was lost), as beat does every 15 minutes."""

import json

from django.core.management.base import BaseCommand

from payouts.cards.charges import charges_due


class Command(BaseCommand):
    help = (
        "Try the charges to saved cards that are due: declined ones on their schedule, and "
        "attempts whose answer was lost (the provider is asked first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object last")

    def handle(self, *args, json: bool = False, **options):
        tried = charges_due()
        if json:
            self.stdout.write(_dumps({"tried": tried}))
            return
        self.stdout.write(f"charges tried: {tried}")


def _dumps(value) -> str:
    return json.dumps(value)
