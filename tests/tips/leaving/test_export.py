"""The data export: a zip of JSON and CSV that holds what the tables and the ledger hold,
built by a task, e-mailed as a link that only its owner can open, until it expires."""

import csv
import datetime as dt
import io
import json
import re
import zipfile

import pytest
import time_machine
from django.core import mail

from accounts.models import DataExport
from payouts.ledger.models import Account, Transfer
from tests.factories import (
    BudgetChangeFactory,
    ClickFactory,
    SubscriptionFactory,
    ThingFactory,
    TopUpFactory,
    UserFactory,
    give_earnings,
)
from tips.leaving.tasks import delete_expired_exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(client):
    user = UserFactory(email="ada@example.org", handle="ada", display_name="Ada L.")
    client.force_login(user)
    return user


def request_export(client, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/settings/leaving/export/").status_code == 302
    (message,) = [m for m in mail.outbox if "ada@example.org" in m.to]
    return re.search(r"http://\S+/settings/leaving/export/\S+/", message.body).group(0)


def test_the_zip_holds_what_the_tables_and_the_ledger_hold(
    client, ada, django_capture_on_commit_callbacks
):
    TopUpFactory(user=ada, amount_cents=2500)
    BudgetChangeFactory(user=ada, amount_cents=1000)
    click = ClickFactory(reader=ada)
    thing = ThingFactory(owner=ada, title="Ada's notes")
    ClickFactory(thing=thing)
    SubscriptionFactory(reader=ada)
    give_earnings(ada, 300)

    url = request_export(client, django_capture_on_commit_callbacks)
    response = client.get(url.split("127.0.0.1:8000")[-1])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = {name: archive.read(name).decode() for name in archive.namelist()}
    profile = json.loads(data["profile.json"])[0]
    assert (profile["email"], profile["handle"], profile["display_name"]) == (
        "ada@example.org",
        "ada",
        "Ada L.",
    )
    assert [t["title"] for t in json.loads(data["things.json"])] == ["Ada's notes"]
    assert [c["id"] for c in json.loads(data["clicks_given.json"])] == [click.pk]
    assert len(json.loads(data["clicks_received.json"])) == 1
    assert len(json.loads(data["subscriptions.json"])) == 1
    assert [t["amount_cents"] for t in json.loads(data["top_ups.json"])] == [2500]
    assert [b["amount_cents"] for b in json.loads(data["budget_changes.json"])] == [1000]
    ledger = json.loads(data["ledger.json"])
    mine = Transfer.objects.filter(debit__user=ada) | Transfer.objects.filter(credit__user=ada)
    assert sorted(line["id"] for line in ledger) == sorted(mine.values_list("pk", flat=True))
    by_account = {}
    for line in ledger:
        by_account[line["account"]] = by_account.get(line["account"], 0) + line["amount_cents"]
    for account in Account.objects.filter(user=ada):
        assert by_account[account.kind] == account.balance_cents
    rows = list(csv.DictReader(io.StringIO(data["ledger.csv"])))
    assert len(rows) == len(ledger)
    assert "statements.json" in data and "payouts.csv" in data


def test_only_the_owner_can_download_and_only_until_it_expires(
    client, ada, django_capture_on_commit_callbacks
):
    path = request_export(client, django_capture_on_commit_callbacks).split("127.0.0.1:8000")[-1]

    client.force_login(UserFactory())
    assert client.get(path).status_code == 404

    client.force_login(ada)
    with time_machine.travel(dt.timedelta(hours=73)):
        assert client.get(path).status_code == 404
        assert delete_expired_exports() == 1
    assert not DataExport.objects.exists()
