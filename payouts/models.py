"""Django finds an app's models here; each model lives in the sub-package of its domain.

Code imports a model from its own sub-package (``payouts.ledger.models``), never from here.
"""

from payouts.batches.models import Payout, PayoutBatch
from payouts.cards.models import (
    CardSetup,
    Charge,
    ChargeAttempt,
    PaymentCustomer,
    SavedCard,
)
from payouts.connect.models import PaymentAccount
from payouts.funding.models import BudgetChange, Dispute, Hold, ReaderFunding, TopUp
from payouts.ledger.models import Account, LedgerCheck, Transfer
from payouts.reconciliation.models import (
    Difference,
    ReconciliationRun,
    StripeBalanceTransaction,
    StripePayout,
)
from payouts.webhooks.models import ProviderEvent
from payouts.withdrawals.models import Withdrawal, WithdrawalRefund

__all__ = [
    "Account",
    "BudgetChange",
    "CardSetup",
    "Charge",
    "ChargeAttempt",
    "Difference",
    "ReconciliationRun",
    "StripeBalanceTransaction",
    "StripePayout",
    "Dispute",
    "Hold",
    "LedgerCheck",
    "PaymentAccount",
    "PaymentCustomer",
    "Payout",
    "PayoutBatch",
    "ProviderEvent",
    "ReaderFunding",
    "SavedCard",
    "TopUp",
    "Transfer",
    "Withdrawal",
    "WithdrawalRefund",
]
