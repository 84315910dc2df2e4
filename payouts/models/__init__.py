from .batches import PaymentAccount, Payout, PayoutBatch, Provider  # noqa: F401
from .ledger import Account, LedgerCheck, Transfer
from .wallets import BudgetChange, ProviderEvent, TopUp

__all__ = ["Account", "BudgetChange", "LedgerCheck", "ProviderEvent", "TopUp", "Transfer"]
