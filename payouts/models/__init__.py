from .ledger import Account, LedgerCheck, Transfer
from .wallets import BudgetChange

__all__ = ["Account", "BudgetChange", "LedgerCheck", "Transfer"]
