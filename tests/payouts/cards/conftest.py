from tests.tips.payday.conftest import run_payday  # noqa: F401  (payday as the command runs it)
