"""Verifying a site by file, meta tag or DNS, against real servers on loopback; re-checks with
a grace period and e-mails (docs/PRODUCT.md, Ownership)."""

import datetime as dt
import ssl

import pytest
import trustme
from django.core import mail
from django.utils import timezone

from tests.factories import UserFactory
from tests.local_http import LocalHTTPServer
from tips.ownership.services import site_add, site_apply_check
from tips.ownership.tasks import check_site, recheck_verified_sites
from tips.sites.models import Site
from tips.sites.verification import WELL_KNOWN_PATH

pytestmark = pytest.mark.django_db


def add_site(local_http, host="dana.example", owner=None, prefix=""):
    owner = owner or UserFactory(handle="dana")
    return site_add(owner=owner, address=f"{host}:{local_http.port}{prefix}")


def test_a_token_is_32_random_bytes_in_hex_one_per_creator_and_site(local_http):
    a = add_site(local_http)
    b = add_site(local_http, host="other.example", owner=a.owner)
    assert len(a.token) == 64 and int(a.token, 16) >= 0
    assert a.token != b.token


def test_the_well_known_file_verifies_a_site(local_http, loopback_sites):
    loopback_sites("dana.example")
    site = add_site(local_http)
    local_http.route(WELL_KNOWN_PATH, body=f"{site.token}\n")

    assert check_site(site.pk) == "verified"

    site.refresh_from_db()
    assert site.method == Site.Method.FILE and site.verified_at is not None
    assert site.last_result["file"] == "ok"


def test_the_meta_tag_on_the_prefix_page_verifies_a_site(local_http, loopback_sites):
    loopback_sites("dana.example")
    site = add_site(local_http, prefix="/~dana/")
    local_http.route(
        "/~dana/",
        body=f'<html><head><meta name="flattr-verification" content="{site.token}"></head></html>',
        headers={"Content-Type": "text/html; charset=utf-8"},
    )

    site = site_apply_check(site_id=site.pk)

    assert site.status == Site.Status.VERIFIED and site.method == Site.Method.META
    assert site.last_result["file"] == "none"  # no such file: said, then the next proof


def test_a_dns_txt_record_verifies_a_site(local_http, loopback_sites, local_dns):
    loopback_sites("dana.example")
    site = add_site(local_http)
    local_dns["dana.example"] = ["v=spf1 -all", f"flattr-verification={site.token}"]

    site = site_apply_check(site_id=site.pk)

    assert site.status == Site.Status.VERIFIED and site.method == Site.Method.DNS


def test_a_wrong_token_anywhere_verifies_nothing_and_says_so(local_http, loopback_sites, local_dns):
    loopback_sites("dana.example")
    site = add_site(local_http)
    local_http.route(WELL_KNOWN_PATH, body="0" * 64)
    local_http.route("/", body='<meta name="flattr-verification" content="nope">')
    local_dns["dana.example"] = ["flattr-verification=" + "1" * 64]

    site = site_apply_check(site_id=site.pk)

    assert site.status == Site.Status.PENDING
    assert site.last_result == {"file": "missing", "meta": "missing", "dns": "missing"}


def test_a_site_on_a_private_address_is_never_fetched(local_http, settings, local_dns):
    # No test-only setting: dana.example resolves to a private address and is refused.
    settings.FETCHER_ALLOW_LOOPBACK_HOSTS = []
    settings.FETCHER_TEST_RESOLVE = {"dana.example": "192.168.0.10"}
    site = add_site(local_http)
    local_http.route(WELL_KNOWN_PATH, body=site.token)

    site = site_apply_check(site_id=site.pk)

    assert site.status == Site.Status.PENDING
    assert site.last_result["file"] == site.last_result["meta"] == "BlockedAddress"
    assert local_http.requests == []


def test_in_production_the_checks_use_https_only(local_http, loopback_sites, settings):
    settings.SITE_CHECKS_ALLOW_HTTP = False  # production: no plain-http fallback
    loopback_sites("dana.example")
    site = add_site(local_http)
    local_http.route(WELL_KNOWN_PATH, body=site.token)  # served over plain http only

    site = site_apply_check(site_id=site.pk)

    assert site.status == Site.Status.PENDING
    assert site.last_result["file"] == "NetworkError"


def test_https_checks_verify_the_certificate(loopback_sites, settings, tmp_path):
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("secure.example").configure_cert(context)
    server = LocalHTTPServer(ssl_context=context).start()
    try:
        loopback_sites("secure.example")
        site = add_site(server, host="secure.example")
        server.route(WELL_KNOWN_PATH, body=site.token)

        settings.FETCHER_CA_FILE = None  # an authority nobody trusts: refused
        assert site_apply_check(site_id=site.pk).status == Site.Status.PENDING

        ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
        settings.FETCHER_CA_FILE = str(tmp_path / "ca.pem")
        assert site_apply_check(site_id=site.pk).status == Site.Status.VERIFIED
    finally:
        server.stop()


def test_a_failing_site_keeps_its_verification_for_the_grace_period_then_lapses(
    local_http, loopback_sites, settings, django_capture_on_commit_callbacks
):
    settings.SITE_VERIFICATION_GRACE_DAYS = 14
    loopback_sites("dana.example")
    site = add_site(local_http)
    local_http.route(WELL_KNOWN_PATH, body=site.token)
    start = timezone.now()
    site_apply_check(site_id=site.pk, now=start)
    del local_http.routes[WELL_KNOWN_PATH]  # the token is gone

    with django_capture_on_commit_callbacks(execute=True):
        site = site_apply_check(site_id=site.pk, now=start + dt.timedelta(days=1))
    assert site.status == Site.Status.FAILING and site.is_verified
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [site.owner.email]
    assert "failed" in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        site = site_apply_check(site_id=site.pk, now=start + dt.timedelta(days=14))
    assert site.status == Site.Status.FAILING  # 13 days into the grace period
    assert len(mail.outbox) == 1  # told once, at the first failure

    with django_capture_on_commit_callbacks(execute=True):
        site = site_apply_check(site_id=site.pk, now=start + dt.timedelta(days=15, minutes=1))
    assert site.status == Site.Status.LAPSED and not site.is_verified
    assert len(mail.outbox) == 2 and "lapsed" in mail.outbox[1].subject


def test_a_failing_site_that_passes_again_is_verified_again(local_http, loopback_sites):
    loopback_sites("dana.example")
    site = add_site(local_http)
    local_http.route(WELL_KNOWN_PATH, body=site.token)
    first = site_apply_check(site_id=site.pk)
    Site.objects.filter(pk=site.pk).update(status=Site.Status.FAILING, failing_since=timezone.now())

    site = site_apply_check(site_id=site.pk)

    assert site.status == Site.Status.VERIFIED and site.failing_since is None
    assert site.verified_at == first.verified_at


def test_the_periodic_recheck_checks_sites_not_checked_for_a_day(local_http, loopback_sites):
    loopback_sites("dana.example")
    site = add_site(local_http)
    local_http.route(WELL_KNOWN_PATH, body=site.token)
    site_apply_check(site_id=site.pk)
    assert recheck_verified_sites() == 0  # just checked

    Site.objects.filter(pk=site.pk).update(last_checked_at=timezone.now() - dt.timedelta(days=1))
    assert recheck_verified_sites() == 1
    site.refresh_from_db()
    assert site.last_checked_at > timezone.now() - dt.timedelta(minutes=1)


def test_the_recheck_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["recheck-verified-sites"]
    assert entry["task"] == "tips.ownership.tasks.recheck_verified_sites"


def test_nobody_verifies_a_site_someone_else_verified(local_http, loopback_sites):
    loopback_sites("dana.example")
    dana_site = add_site(local_http)
    local_http.route(WELL_KNOWN_PATH, body=dana_site.token)
    site_apply_check(site_id=dana_site.pk)

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        add_site(local_http, owner=UserFactory(handle="eli"), prefix="/blog/")
    assert "Another creator already verified this site." in str(refused.value)
