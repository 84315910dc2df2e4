"""Django finds an app's models here; each model lives in the sub-package of its domain.

Code imports a model from its own sub-package (``payouts.ledger.models``), never from here.
"""

from payouts.batches.models import Payout, PayoutBatch
from payouts.connect.models import PaymentAccount
from payouts.funding.models import BudgetChange, Dispute, Hold, TopUp
from payouts.ledger.models import Account, LedgerCheck, Transfer
from payouts.reconciliation.models import (
    Difference,
    ReconciliationRun,
    StripeBalanceTransaction,
    StripePayout,
)
from payouts.webhooks.models import ProviderEvent

__all__ = [
    "Account",
    "BudgetChange",
    "Difference",
    "ReconciliationRun",
    "StripeBalanceTransaction",
    "StripePayout",
    "Dispute",
    "Hold",
    "LedgerCheck",
    "PaymentAccount",
    "Payout",
    "PayoutBatch",
    "ProviderEvent",
    "TopUp",
    "Transfer",
]
