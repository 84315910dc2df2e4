"""Payday: the monthly split of readers' budgets across the creators they clicked."""
