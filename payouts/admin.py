"""Django's admin autodiscovery imports this module; each domain registers its own admin."""

import payouts.batches.admin
import payouts.cards.admin
import payouts.connect.admin
import payouts.funding.admin
import payouts.ledger.admin
import payouts.reconciliation.admin
import payouts.webhooks.admin
import payouts.withdrawals.admin  # noqa: F401
