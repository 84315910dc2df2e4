"""The hourly ledger self-check (beat)."""

from __future__ import annotations

from celery import shared_task

from payouts.ledger.checks import ledger_check_or_alert


@shared_task(name="payouts.tasks.check_ledger")
def check_ledger() -> dict:
    """Run the ledger self-check (beat: hourly). A failure is logged CRITICAL with the
    report, so the operators' log alerting sees it; the report is also kept in the admin."""
    report = ledger_check_or_alert()
    return {"status": "ok" if report.ok else "failed", **report.as_dict()}
