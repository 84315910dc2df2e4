from .ledger import Account, LedgerCheck, Transfer
from .wallets import BudgetChange, ProviderEvent, TopUp

__all__ = ["Account", "BudgetChange", "LedgerCheck", "ProviderEvent", "TopUp", "Transfer"]
