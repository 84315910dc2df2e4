"""Operators: the ledger is read-only in the admin; the self-check runs as a task and command."""

import json
import logging

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory

from payouts.funding.models import BudgetChange, TopUp
from payouts.ledger.models import Account, LedgerCheck, Transfer
from payouts.ledger.services import post_transfer, system_account, wallet_of
from payouts.ledger.tasks import check_ledger
from payouts.webhooks.models import ProviderEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fund(user, cents=500):
    post_transfer(
        debit=system_account(Account.Kind.EXTERNAL, "sandbox"),
        credit=wallet_of(user),
        amount_cents=cents,
        idempotency_key=f"fund:{user.pk}",
        kind="top_up",
    )


@pytest.mark.parametrize(
    "model", [Account, Transfer, LedgerCheck, BudgetChange, TopUp, ProviderEvent]
)
def test_money_records_cannot_be_added_changed_or_deleted_in_the_admin_even_by_a_superuser(
    model,
):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[model]

    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_transfers_are_searchable_by_user_key_and_reference():
    reader = UserFactory(email="ada@example.com", handle="ada")
    fund(reader)
    fund(UserFactory())
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[Transfer]

    for term in ("ada@example.com", "ada", f"fund:{reader.pk}"):
        found, _ = model_admin.get_search_results(request, Transfer.objects.all(), term)
        assert [t.idempotency_key for t in found] == [f"fund:{reader.pk}"]


def test_the_task_records_a_sound_ledger_as_ok():
    fund(UserFactory())

    result = check_ledger()

    assert result["status"] == "ok"
    assert LedgerCheck.objects.get().ok


@pytest.mark.ledger_broken
def test_the_task_logs_a_broken_ledger_loudly(caplog):
    reader = UserFactory()
    fund(reader)
    Account.objects.filter(pk=wallet_of(reader).pk).update(balance_cents=9999)

    with caplog.at_level(logging.CRITICAL, logger="payouts.ledger"):
        result = check_ledger()

    assert result["status"] == "failed"
    assert not LedgerCheck.objects.get().ok
    (record,) = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert "LEDGER CHECK FAILED" in record.getMessage()
    assert "9999" in record.getMessage()


def test_the_task_runs_hourly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["check-ledger-hourly"]

    assert entry["task"] == check_ledger.name
    assert entry["schedule"] == 3600


def test_check_ledger_json_reports_ok_after_top_ups(capsys):
    fund(UserFactory(), 1234)

    call_command("check_ledger", "--json")

    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["status"] == "ok"
    assert report["total_cents"] == 0
    assert report["transfers"] == 1
