"""Versioned terms and privacy policy (accepted at sign-up, again on a new version) and the
optional e-mails' one-click unsubscribe links and headers."""

import datetime as dt
import re
import time

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.emails import Kind, optional_email_headers, unsubscribe_url
from accounts.legal import publish_next_version
from accounts.models import Consent, LegalDocument, User
from payouts.batches.emails import send_payout_email
from tests.factories import PaymentAccountFactory, PayoutFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents():
    return [
        publish_next_version(kind="terms", title="Terms of service", body="Be kind.\n\nPay."),
        publish_next_version(kind="privacy", title="Privacy policy", body="We keep little."),
    ]


SIGNUP = {
    "email": "new@example.org",
    "handle": "newcomer",
    "password1": "a long enough password 1",
    "password2": "a long enough password 1",
}


def test_signing_up_needs_the_documents_accepted_and_records_the_versions(client, documents):
    refused = client.post("/accounts/signup/", SIGNUP)
    assert "Accept the terms of service and the privacy policy." in refused.content.decode()
    assert not User.objects.filter(email="new@example.org").exists()

    client.post("/accounts/signup/", {**SIGNUP, "accept_documents": "on"})

    user = User.objects.get(email="new@example.org")
    assert {c.document for c in Consent.objects.filter(user=user)} == set(documents)
    assert all(c.accepted_at for c in Consent.objects.filter(user=user))


def test_the_documents_are_public_pages(client, documents):
    page = client.get("/legal/terms/").content.decode()
    assert "Be kind." in page and "Version 1" in page
    assert client.get("/legal/privacy/").status_code == 200
    assert client.get("/legal/nonsense/").status_code == 404


def test_a_new_version_must_be_accepted_before_any_other_page(client, documents):
    user = UserFactory()
    Consent.objects.bulk_create([Consent(user=user, document=d) for d in documents])
    client.force_login(user)
    assert client.get("/wallet/").status_code == 200

    new = publish_next_version(kind="terms", title="Terms of service", body="Be kinder.")

    response = client.get("/wallet/")
    assert response.status_code == 302
    assert response["Location"] == "/legal/accept/?next=%2Fwallet%2F"
    page = client.get(response["Location"]).content.decode()
    assert "version 2" in page
    assert client.post("/legal/accept/", {"next": "/wallet/"}).status_code == 200  # unticked
    assert not Consent.objects.filter(user=user, document=new).exists()
    assert client.get("/legal/terms/").status_code == 200  # the document stays readable
    assert client.get("/settings/leaving/").status_code == 200  # and the way out

    done = client.post("/legal/accept/", {"accept": "on", "next": "/wallet/"})

    assert done["Location"] == "/wallet/"
    assert Consent.objects.filter(user=user, document=new).exists()
    assert client.get("/wallet/").status_code == 200


def test_a_draft_asks_nothing(client, documents):
    user = UserFactory()
    Consent.objects.bulk_create([Consent(user=user, document=d) for d in documents])
    LegalDocument.objects.create(kind="terms", version=2, title="Draft", body="Soon.")
    client.force_login(user)

    assert client.get("/wallet/").status_code == 200
    assert "Soon." not in client.get("/legal/terms/").content.decode()


def test_a_version_published_for_later_is_asked_for_from_its_time_on(client, documents):
    user = UserFactory()
    Consent.objects.bulk_create([Consent(user=user, document=d) for d in documents])
    client.force_login(user)
    start = timezone.now()
    LegalDocument.objects.create(
        kind="terms",
        version=2,
        title="Terms of service",
        body="From tomorrow.",
        published_at=start + dt.timedelta(days=1),
    )

    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        assert client.get("/wallet/").status_code == 200
    with time_machine.travel(start + dt.timedelta(days=1, seconds=1), tick=False):
        response = client.get("/wallet/")

    assert response.status_code == 302
    assert response["Location"].startswith("/legal/accept/")


def test_once_accepted_the_terms_check_reads_nothing_from_the_database(
    client, documents, django_assert_num_queries
):
    user = UserFactory()
    Consent.objects.bulk_create([Consent(user=user, document=d) for d in documents])
    client.force_login(user)
    client.get("/healthz")  # not the check: opens the session
    assert client.get("/wallet/").status_code == 200  # the check reads once, then remembers

    from accounts.legal import must_accept

    request = client.get("/wallet/").wsgi_request
    with django_assert_num_queries(0):
        assert not must_accept(user, request.session)


def test_each_process_keeps_the_current_versions_a_few_seconds(
    client, documents, settings, monkeypatch
):
    from accounts import legal

    settings.EMBED_LOCAL_CACHE_SECONDS = 5
    user = UserFactory()
    Consent.objects.bulk_create([Consent(user=user, document=d) for d in documents])
    client.force_login(user)
    assert client.get("/wallet/").status_code == 200

    # Published here: this process forgets its copy at once.
    publish_next_version(kind="terms", title="Terms of service", body="Be kinder.")
    assert client.get("/wallet/").status_code == 302
    assert client.post("/legal/accept/", {"accept": "on", "next": "/"}).status_code == 302
    assert client.get("/wallet/").status_code == 200

    # Published by another process (no signal here; the shared entry is gone): asked for
    # once this process's copy is older than EMBED_LOCAL_CACHE_SECONDS, not before.
    LegalDocument.objects.bulk_create(
        [
            LegalDocument(
                kind="privacy",
                version=2,
                title="Privacy",
                body="Less.",
                published_at=timezone.now(),
            )
        ]
    )
    cache.delete(legal.CURRENT_IDS_KEY)
    assert client.get("/wallet/").status_code == 200
    later = time.monotonic() + 6
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert client.get("/wallet/").status_code == 302


def test_the_email_choices_page_saves_each_kind(client):
    user = UserFactory(monthly_emails=True, payout_emails=True, news_emails=False)
    client.force_login(user)

    client.post("/settings/emails/", {"payout_emails": "on", "news_emails": "on"})

    user.refresh_from_db()
    assert (user.monthly_emails, user.payout_emails, user.news_emails) == (False, True, True)


def test_the_one_click_link_turns_off_one_kind_without_signing_in():
    user = UserFactory(monthly_emails=True, payout_emails=True)
    path = unsubscribe_url(user, Kind.MONTHLY).split("127.0.0.1:8000")[-1]
    anonymous = Client(enforce_csrf_checks=True)

    page = anonymous.get(path)
    assert "Monthly summaries" in page.content.decode()
    user.refresh_from_db()
    assert user.monthly_emails  # looking at the link (a mail scanner) changes nothing

    # RFC 8058: the mail program posts with no cookie and no CSRF token.
    response = anonymous.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.monthly_emails, user.payout_emails) == (False, True)


def test_a_forged_or_altered_link_does_nothing(client):
    user = UserFactory(monthly_emails=True)
    token = unsubscribe_url(user, Kind.MONTHLY).rstrip("/").rsplit("/", 1)[-1]

    assert client.post(f"/email/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert client.post("/email/unsubscribe/not-a-token/").status_code == 404
    user.refresh_from_db()
    assert user.monthly_emails


def test_the_payout_notice_carries_the_headers_and_the_link():
    creator = UserFactory()
    PaymentAccountFactory(user=creator)
    payout = PayoutFactory(user=creator, status="paid")

    send_payout_email(payout_id=payout.pk)

    (message,) = mail.outbox
    headers = optional_email_headers(creator, Kind.PAYOUTS)
    assert message.extra_headers == headers
    link = re.search(r"<(.+)>", headers["List-Unsubscribe"]).group(1)
    assert link in message.body
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_creator_who_turned_payout_notices_off_gets_none():
    creator = UserFactory(payout_emails=False)
    PaymentAccountFactory(user=creator)
    payout = PayoutFactory(user=creator, status="paid")

    send_payout_email(payout_id=payout.pk)

    assert mail.outbox == []


def test_an_operator_publishes_a_new_version_in_the_admin_and_users_must_accept_it(client):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    old = publish_next_version(kind="terms", title="Terms of service", body="Be kind.")
    operator = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(operator, generate_totp_secret())
    Consent.objects.create(user=operator, document=old)
    client.force_login(operator)
    published = client.get(f"/admin/accounts/legaldocument/{old.pk}/change/").content.decode()
    assert 'name="body"' not in published  # what people accepted is read-only

    response = client.post(
        "/admin/accounts/legaldocument/add/",
        {
            "kind": "terms",
            "title": "Terms of service",
            "body": "Be kinder.",
            "published_at_0": timezone.now().strftime("%Y-%m-%d"),
            "published_at_1": timezone.now().strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    new = LegalDocument.objects.get(kind="terms", version=2)
    reader = UserFactory()
    Consent.objects.create(user=reader, document=old)
    client.force_login(reader)
    assert client.get("/wallet/")["Location"].startswith("/legal/accept/")
    assert "Be kinder." in client.get("/legal/terms/").content.decode()
    assert new.body == "Be kinder."


def test_product_news_goes_only_to_those_who_chose_it_with_the_way_out(tmp_path):
    import json as json_module
    from io import StringIO

    from django.core.management import call_command

    wants = UserFactory(news_emails=True)
    UserFactory(news_emails=False)
    news = tmp_path / "news.txt"
    news.write_text("We ship withdrawals.", encoding="utf-8")
    out = StringIO()

    call_command("send_product_news", subject="News", file=str(news), json=True, stdout=out)

    assert json_module.loads(out.getvalue().splitlines()[-1]) == {
        "recipients": 1,
        "status": "sent",
    }
    (message,) = mail.outbox
    assert message.to == [wants.email]
    assert message.extra_headers == optional_email_headers(wants, Kind.NEWS)
    assert unsubscribe_url(wants, Kind.NEWS) in message.body
