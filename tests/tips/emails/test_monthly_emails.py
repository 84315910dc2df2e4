import socket
import threading

import pytest
from django.core import mail
from django.db import connection

from tests.factories import TopUpFactory, UserFactory
from tests.tips.dashboards.helpers import click, last_month, run_payday, set_budget, thing_of
from tips.emails.models import MonthlyEmail
from tips.emails.services import MonthlyEmailFailed, send_monthly_email, send_monthly_email_batch
from tips.emails.tasks import send_monthly_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(django_capture_on_commit_callbacks):
    """Last month's payday: two readers gave to two creators; one reader only clicked herself."""
    alice = UserFactory(email="alice@example.com", display_name="Alice")
    bob = UserFactory(email="bob@example.com", display_name="Bob")
    reader = UserFactory(email="reader@example.com", display_name="Rita")
    quiet = UserFactory(email="quiet@example.com", monthly_emails=False)
    for person, budget in ((reader, 1000), (quiet, 500), (alice, 500)):
        TopUpFactory(user=person, amount_cents=3000)
        set_budget(person, budget)
    click(reader, thing_of(alice, "a", "Alice's essay"), last_month())
    click(reader, thing_of(bob, "b", "Bob's song"), last_month())
    click(quiet, thing_of(bob, "b2"), last_month())
    click(alice, thing_of(UserFactory(monthly_emails=False), "x"), last_month())
    mail.outbox = []
    run_payday(last_month(), django_capture_on_commit_callbacks)
    return {"alice": alice, "bob": bob, "reader": reader, "quiet": quiet}


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


def test_payday_sends_each_summary_once(paid):
    # Payday's follow-up task sent them: readers who gave, creators who received, opted in.
    assert recipients() == [
        "alice@example.com",  # as a reader (she gave) and as a creator (she received)
        "alice@example.com",
        "bob@example.com",
        "reader@example.com",
    ]
    assert MonthlyEmail.objects.filter(sent_at__isnull=False).count() == 4


def test_running_the_task_again_sends_nothing_more(paid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_monthly_emails.delay(month=f"{last_month():%Y-%m}")
    with django_capture_on_commit_callbacks(execute=True):
        send_monthly_emails(month=f"{last_month():%Y-%m}")
    assert len(mail.outbox) == 4


def test_opted_out_users_get_nothing(paid):
    assert "quiet@example.com" not in recipients()
    assert not MonthlyEmail.objects.filter(user=paid["quiet"]).exists()


def test_the_reader_summary_says_what_they_gave_and_to_whom(paid):
    reader = paid["reader"]
    [message] = [m for m in mail.outbox if m.to == [reader.email]]
    # Given 1000: commission (1000 * 1000 + 5000) // 10000 = 100; net 900 over Alice and Bob
    # = 450 each, no leftover cent.
    assert message.subject.startswith("[Flattr clone] What you gave in ")
    assert "you gave €10.00" in message.body
    assert "€9.00 went to the creators you clicked and €1.00 was the platform's commission" in (
        message.body
    )
    assert "- Alice: €4.50" in message.body and "- Bob: €4.50" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Alice" in html and "€4.50" in html
    assert "/settings/" in message.body  # where to turn it off


def test_the_creator_summary_says_what_they_received_from_how_many(paid):
    bob = paid["bob"]
    [message] = [m for m in mail.outbox if m.to == [bob.email]]
    # 450 from Rita and 450 from the quiet reader's 500 (net 450, one creator).
    assert "you received €9.00 from 2 readers." in message.body
    assert message.subject.startswith("[Flattr clone] What you received in ")


def test_nothing_is_sent_before_payday_is_done():
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=1000)
    set_budget(reader, 500)
    click(reader, thing_of(UserFactory(), "a"), last_month())
    assert send_monthly_emails(month=f"{last_month():%Y-%m}") == 0
    assert mail.outbox == []


def test_recipients_are_cut_into_batches(paid, settings, django_capture_on_commit_callbacks):
    MonthlyEmail.objects.all().delete()
    mail.outbox = []
    settings.MONTHLY_EMAIL_BATCH_SIZE = 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batches = send_monthly_emails(month=f"{last_month():%Y-%m}")
    assert batches == 4 == len(callbacks)
    assert len(mail.outbox) == 4


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failed_send_is_retried_later_and_then_sent_once(paid, settings):
    MonthlyEmail.objects.all().delete()
    mail.outbox = []
    reader = paid["reader"]
    # A mail server that refuses connections.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        _closed_port(),
        2,
    )
    with pytest.raises(MonthlyEmailFailed) as failed:
        send_monthly_email_batch(month=last_month(), kind="reader", user_ids=[reader.pk])
    assert failed.value.user_ids == [reader.pk]
    assert not MonthlyEmail.objects.filter(user=reader).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for _ in range(2):
        send_monthly_email_batch(month=last_month(), kind="reader", user_ids=[reader.pk])
    assert recipients() == ["reader@example.com"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_email(paid):
    MonthlyEmail.objects.all().delete()
    mail.outbox = []
    reader = paid["reader"]
    barrier = threading.Barrier(4)
    results = []

    def worker():
        barrier.wait()
        try:
            results.append(send_monthly_email(user_id=reader.pk, month=last_month(), kind="reader"))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert recipients() == ["reader@example.com"]


def test_a_celery_worker_registers_the_email_tasks():
    from flattr_clone.celery import app

    app.loader.import_default_modules()  # what a worker does at start
    assert "tips.email_tasks.send_monthly_emails" in app.tasks
    assert "tips.email_tasks.send_monthly_email_batch" in app.tasks


def test_payday_follows_up_with_the_monthly_emails(settings):
    assert "tips.emails.tasks.send_monthly_emails" in settings.PAYDAY_FOLLOW_UP_TASKS


def test_operators_see_which_summaries_were_sent_and_cannot_edit_them(client, paid):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)
    listing = client.get("/admin/tips/monthlyemail/", {"q": "bob@example.com"})
    assert listing.status_code == 200
    html = listing.content.decode()
    assert '<td class="field-kind">Creator summary</td>' in html
    assert '<td class="field-kind">Reader summary</td>' not in html
    row = MonthlyEmail.objects.get(user=paid["bob"])
    assert client.get(f"/admin/tips/monthlyemail/{row.pk}/delete/").status_code == 403
    assert client.get("/admin/tips/monthlyemail/add/").status_code == 403


def test_the_payout_email_comes_after_the_monthly_summary_it_pays(
    settings, django_capture_on_commit_callbacks
):
    from payouts.connect.services import connect_sandbox

    settings.PAYOUT_MINIMUM_CENTS = 100
    maker = UserFactory(email="maker@example.com")
    connect_sandbox(user=maker)
    reader = UserFactory()
    TopUpFactory(user=reader, amount_cents=3000)
    set_budget(reader, 1000)
    click(reader, thing_of(maker, "m"), last_month())
    mail.outbox = []

    run_payday(last_month(), django_capture_on_commit_callbacks)

    to_maker = [message.subject for message in mail.outbox if message.to == [maker.email]]
    assert len(to_maker) == 2, to_maker
    assert "What you received in" in to_maker[0]
    assert "Your payout of" in to_maker[1]


def test_every_summary_carries_a_one_click_unsubscribe_link_and_headers(paid):
    from accounts.emails import Kind, optional_email_headers, unsubscribe_url

    for message in mail.outbox:
        user = next(u for u in paid.values() if u.email == message.to[0])
        assert message.extra_headers == optional_email_headers(user, Kind.MONTHLY)
        assert unsubscribe_url(user, Kind.MONTHLY) in message.body
        assert unsubscribe_url(user, Kind.MONTHLY) in message.alternatives[0][0]
