"""Operator alerts (docs/PRODUCT.md, Alerts): e-mailed to ``ADMINS`` at once and logged
CRITICAL, for a failed ledger check, a reconciliation difference, a failed payday or payout
batch and losses above ``LOSS_ALERT_CENTS``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import mail_admins

logger = logging.getLogger("payouts.alerts")


def alert_operators(subject: str, message: str, *, logged: bool = False) -> None:
    """Tell the operators now: a CRITICAL log line (unless the caller ``logged`` one already)
    and an e-mail to ADMINS. Never raises: an alert must not undo the work it reports."""
    if not logged:
        logger.critical("%s: %s", subject, message)
    if not settings.ADMINS:
        return
    try:
        mail_admins(subject, message)
    except Exception:  # noqa: BLE001 - the log line above is the fallback
        logger.exception("could not e-mail the operators about: %s", subject)
