"""Readers see where their money went; operators start a payday after its dry run."""

import datetime as dt
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse

from flattr_clone.months import month_start
from tests.factories import TopUpFactory, UserFactory
from tests.tips.payday.helpers import MONTH, click, set_budget, sha_order, wallet
from tips.payday.models import PaydayRun
from tips.payday.selectors import reader_history, reader_month

APRIL = dt.date(2025, 4, 1)


def reader_and_creators():
    reader = UserFactory(display_name="Rita Reader")
    TopUpFactory(user=reader, amount_cents=1000)
    set_budget(reader, 205)
    creators = [UserFactory(display_name=name) for name in ("Ada Author", "Bo Blogger", "Cy Coder")]
    for creator in creators:
        click(reader, creator)
    return reader, creators


@pytest.mark.django_db
def test_the_history_requires_login(client):
    response = client.get(reverse("tips:history"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_the_history_shows_each_month_given_the_commission_and_every_share(client, run_payday):
    reader, creators = reader_and_creators()
    run_payday(MONTH)
    client.force_login(reader)

    page = client.get(reverse("tips:history")).content.decode()

    assert "March 2025" in page
    assert "€2.05" in page and "€0.21" in page and "€1.84" in page
    # 184 = 62 + 61 + 61; the extra cent to the first creator in the sha256 order.
    first = sha_order(MONTH, reader.pk, [c.pk for c in creators])[0]
    names = {c.pk: c.display_name for c in creators}
    assert re.search(rf"{names[first]}</a></td><td class=\"amount\">€0.62", page)
    assert page.count("€0.61") == 2
    assert reverse("tips:this_month") in page


@pytest.mark.django_db
def test_the_history_shows_only_the_readers_own_money(client, run_payday):
    reader, creators = reader_and_creators()
    run_payday(MONTH)
    client.force_login(creators[0])

    page = client.get(reverse("tips:history")).content.decode()

    assert "March 2025" not in page
    assert "No payday yet" in page


@pytest.mark.django_db
def test_the_reader_history_reads_each_month_from_the_record_and_the_ledger(run_payday):
    reader, creators = reader_and_creators()
    run_payday(MONTH)
    click(reader, creators[0], month=APRIL)
    set_budget(reader, 100, at=month_start(APRIL))
    run_payday(APRIL)

    april, march = reader_history(reader=reader)

    assert (april.month, april.budget_cents, april.given_cents, april.commission_cents) == (
        APRIL,
        100,
        100,
        10,
    )
    assert [(s.creator, s.cents) for s in april.shares] == [(creators[0], 90)]
    assert (march.month, march.budget_cents, march.given_cents, march.commission_cents) == (
        MONTH,
        205,
        205,
        21,
    )
    first = sha_order(MONTH, reader.pk, [c.pk for c in creators])[0]
    assert [s.cents for s in march.shares] == [62, 61, 61]
    assert march.shares[0].creator.pk == first
    assert march.distributed_cents == 184
    assert reader_history(reader=reader, limit=1) == [april]
    assert reader_month(reader=reader, month=MONTH) == march
    assert reader_month(reader=reader, month=dt.date(2025, 5, 1)).given_cents == 0
    assert reader_history(reader=creators[0]) == []


@pytest.mark.django_db
def test_a_payday_that_gave_nothing_shows_everywhere_as_nothing_given(client, run_payday):
    reader, creators = reader_and_creators()
    run_payday(MONTH)
    click(reader, creators[1], month=APRIL)
    set_budget(reader, 0, at=month_start(APRIL))
    mail.outbox = []
    run_payday(APRIL)
    client.force_login(reader)

    [april] = reader_history(reader=reader, month=APRIL)
    history = client.get(reverse("tips:history")).content.decode()
    dashboard = client.get(reverse("dashboards:reader")).content.decode()

    assert (april.budget_cents, april.given_cents, april.shares) == (0, 0, [])
    assert "April 2025" in history and "March 2025" in history
    assert history.count("Nothing was given this month") == 1
    article = re.search(
        r'<article class="history-month" data-month="2025-04">.*?</article>', dashboard, re.S
    ).group(0)
    assert "Nothing was given this month" in article
    assert "You gave" not in article
    assert "You gave €2.05: €0.21 commission and €1.84 to creators." in dashboard
    assert reader.email not in [m.to[0] for m in mail.outbox]


@pytest.fixture
def operator(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    return staff


@pytest.mark.django_db
def test_an_operator_starts_a_payday_only_after_seeing_its_dry_run(
    client, operator, django_capture_on_commit_callbacks
):
    reader, creators = reader_and_creators()
    start = reverse("admin:tips_paydayrun_start")

    preview = client.post(start, {"month": "2025-03"})

    page = preview.content.decode()
    assert "Dry run of the payday of 2025-03" in page
    assert "€2.05" in page and "€0.21" in page and "€1.84" in page
    assert not PaydayRun.objects.exists()
    assert wallet(reader) == 1000

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(start, {"month": "2025-03", "confirm": "1"})

    run = PaydayRun.objects.get(month=MONTH)
    assert confirmed["Location"] == reverse("admin:tips_paydayrun_change", args=[run.pk])
    assert run.status == PaydayRun.Status.DONE
    assert wallet(reader) == 1000 - 205
    assert LogEntry.objects.filter(object_id=str(run.pk), user=operator).exists()
    listing = client.get(reverse("admin:tips_paydayrun_changelist")).content.decode()
    assert "2025-03" in listing and "1/1 (100%)" in listing


@pytest.mark.django_db
def test_the_admin_refuses_a_bad_or_unended_month_with_the_reason(client, operator):
    start = reverse("admin:tips_paydayrun_start")

    bad = client.post(start, {"month": "2025-13"}).content.decode()
    current = client.post(start, {"month": "2999-01"}).content.decode()

    assert "is not a month; use YYYY-MM" in bad
    assert "has not ended yet" in current
    assert not PaydayRun.objects.exists()


@pytest.mark.django_db
def test_staff_who_are_not_superusers_cannot_start_a_payday(client):
    staff = UserFactory(is_staff=True)
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)

    response = client.post(reverse("admin:tips_paydayrun_start"), {"month": "2025-03"})

    assert response.status_code == 403
    assert not PaydayRun.objects.exists()
