"""Claims, operator reassignment, and the two attacks of the issue replayed
(docs/PRODUCT.md, Ownership)."""

import datetime as dt
import html

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse

from flattr_clone.months import month_of
from tests.factories import (
    ClickFactory,
    PaydayRunFactory,
    ThingFactory,
    UserFactory,
    ready_reader,
)
from tips.clicks.models import Click
from tips.ownership.services import site_add, site_apply_check, thing_transfer
from tips.sites.models import OwnershipChange, Site
from tips.sites.verification import WELL_KNOWN_PATH
from tips.things.models import Thing

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def dana_site(local_http, loopback_sites):
    """dana's site dana.example, reachable, with her token in place (not checked yet)."""
    loopback_sites("dana.example")
    dana = UserFactory(handle="dana", email="dana@example.org")
    site = site_add(owner=dana, address=f"dana.example:{local_http.port}")
    local_http.route(WELL_KNOWN_PATH, body=site.token)
    return site


def test_verifying_a_site_claims_things_others_registered_on_it(
    dana_site, django_capture_on_commit_callbacks
):
    eli = UserFactory(handle="eli", email="eli@example.org")
    stolen = ThingFactory(owner=eli, url="https://dana.example/essay")
    elsewhere = ThingFactory(owner=eli, url="https://eli.example/own")
    paid_month = dt.date(2020, 1, 1)
    PaydayRunFactory(month=paid_month)
    paid = ClickFactory(thing=stolen, month=paid_month)
    this_month = ClickFactory(thing=stolen, month=month_of())

    with django_capture_on_commit_callbacks(execute=True):
        site_apply_check(site_id=dana_site.pk)

    stolen.refresh_from_db()
    assert stolen.owner == dana_site.owner
    assert Thing.objects.get(pk=elsewhere.pk).owner == eli
    # The paid month stays where it was paid; this month's click follows the new owner.
    assert Click.objects.get(pk=paid.pk).creator == eli
    assert Click.objects.get(pk=this_month.pk).creator == dana_site.owner
    change = OwnershipChange.objects.get()
    assert (
        change.from_owner,
        change.to_owner,
        change.reason,
        change.site,
        change.clicks_moved,
    ) == (
        eli,
        dana_site.owner,
        OwnershipChange.Reason.CLAIM,
        dana_site,
        1,
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["dana@example.org", "eli@example.org"]


@pytest.fixture
def admin_client(client):
    operator = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(operator, generate_totp_secret())
    client.force_login(operator)
    return client


def test_an_operator_reassigns_a_thing_with_a_reason_in_the_admin(
    admin_client, django_capture_on_commit_callbacks
):
    thing = ThingFactory(url="https://x.example/a")
    click = ClickFactory(thing=thing)
    UserFactory(handle="rightful")

    page = admin_client.get(reverse("admin:tips_thing_change", args=[thing.pk]))
    assert reverse("admin:tips_thing_reassign", args=[thing.pk]) in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            reverse("admin:tips_thing_reassign", args=[thing.pk]),
            {"to_handle": "@rightful", "reason": "Proof sent by e-mail, ticket 12"},
        )

    assert answer.status_code == 302
    thing.refresh_from_db()
    assert thing.owner.handle == "rightful"
    assert Click.objects.get(pk=click.pk).creator == thing.owner
    change = OwnershipChange.objects.get()
    assert change.reason == "operator" and change.note == "Proof sent by e-mail, ticket 12"
    assert len(mail.outbox) == 2
    history = admin_client.get(reverse("admin:tips_ownershipchange_changelist"))
    assert thing.title in text(history)
    assert "Proof sent by e-mail" in text(
        admin_client.get(reverse("admin:tips_thing_change", args=[thing.pk]))
    )


def test_the_operator_group_may_reassign_and_support_may_only_read_the_history(client):
    from tests.tips.dashboards.test_operator_permissions import staff_client

    thing = ThingFactory()
    UserFactory(handle="rightful")
    reassign = reverse("admin:tips_thing_reassign", args=[thing.pk])

    staff_client(client, groups=("support",))
    assert client.get(reverse("admin:tips_ownershipchange_changelist")).status_code == 200
    assert client.get(reverse("admin:tips_site_changelist")).status_code == 200
    assert reassign not in text(client.get(reverse("admin:tips_thing_change", args=[thing.pk])))
    client.post(reassign, {"to_handle": "rightful", "reason": "no"})
    thing.refresh_from_db()
    assert thing.owner.handle != "rightful"

    staff_client(client, groups=("operator",))
    assert reassign in text(client.get(reverse("admin:tips_thing_change", args=[thing.pk])))
    client.post(reassign, {"to_handle": "rightful", "reason": "Proof by e-mail"})
    thing.refresh_from_db()
    assert thing.owner.handle == "rightful"


def test_an_operator_cannot_edit_the_owner_field_directly(admin_client):
    thing = ThingFactory()
    page = admin_client.get(reverse("admin:tips_thing_change", args=[thing.pk]))
    assert 'name="owner"' not in page.content.decode()


def test_a_transfer_to_the_same_owner_is_refused():
    thing = ThingFactory()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        thing_transfer(thing=thing, to_owner=thing.owner, reason="operator")
    assert not OwnershipChange.objects.exists()


# --- The attacks of the issue ------------------------------------------------------------


def test_attack_a_page_of_danas_site_registered_by_eli_never_gets_a_click_through_danas_link(
    client,
):
    # eli registered a page of dana's site; a click through dana's own auto-submit link
    # used to go to eli.
    dana = UserFactory(handle="dana")
    eli = UserFactory(handle="eli")
    ThingFactory(owner=eli, url="https://dana.example/essay")
    client.force_login(ready_reader())
    link = {"creator": "dana", "url": "https://dana.example/essay", "title": "Essay"}

    answer = client.post(reverse("tips:submit"), link)

    assert answer.status_code == 400
    assert "names @dana" in text(answer) and "@eli" in text(answer)
    assert not Click.objects.exists()
    assert not Thing.objects.filter(owner=dana).exists()


def test_once_dana_verified_her_site_eli_cannot_register_a_page_of_it(dana_site, client):
    site_apply_check(site_id=dana_site.pk)
    client.force_login(UserFactory(handle="eli"))

    answer = client.post(
        reverse("tips:thing_new"), {"url": "http://dana.example/new-post/", "title": "Mine"}
    )

    assert "a site another creator verified" in text(answer)
    assert not Thing.objects.exists()


def test_attack_an_auto_submit_link_cannot_put_an_attackers_url_on_a_creators_profile(client):
    # /submit/?creator=dana_writes&url=https://attacker.example/... used to put the thing on
    # dana's public profile.
    dana = UserFactory(handle="dana_writes")
    client.force_login(ready_reader())
    link = {"creator": "dana_writes", "url": "https://attacker.example/scam", "title": "Scam"}

    client.post(reverse("tips:submit"), link)

    thing = Thing.objects.get()
    assert thing.owner == dana and thing.awaiting_owner
    profile = client.get(reverse("tips:profile", args=["dana_writes"]))
    assert reverse("tips:thing", args=[thing.pk]) not in text(profile)
    # dana sees it on "My things", created by a reader's click, and can retire or report it.
    client.force_login(dana)
    mine = text(client.get(reverse("tips:my_things")))
    assert "Scam" in mine and "Created by a reader's click" in mine
    client.post(reverse("tips:thing_answer", args=[thing.pk]), {"action": "report"})
    thing.refresh_from_db()
    assert thing.is_retired and thing.reported_at is not None and thing.retired_at is not None
    # A retired thing earns nothing from then on: the next click is refused.
    client.force_login(ready_reader())
    client.post(reverse("tips:click", args=[thing.pk]))
    assert Click.objects.filter(thing=thing).count() == 1


def test_an_auto_submit_link_on_a_site_someone_else_verified_creates_nothing(dana_site, client):
    site_apply_check(site_id=dana_site.pk)
    UserFactory(handle="eli")
    client.force_login(ready_reader())
    link = {"creator": "eli", "url": "https://dana.example/post", "title": "Post"}

    shown = client.get(reverse("tips:submit"), link)
    clicked = client.post(reverse("tips:submit"), link)

    assert shown.status_code == clicked.status_code == 400
    assert "a site another creator verified" in text(clicked)
    assert not Thing.objects.exists() and not Click.objects.exists()


def test_a_creator_accepts_a_thing_a_readers_click_created(client):
    dana = UserFactory(handle="dana")
    thing = ThingFactory(owner=dana, awaiting_owner=True, title="Fan page")
    client.force_login(dana)

    client.post(reverse("tips:thing_answer", args=[thing.pk]), {"action": "accept"})

    assert "Fan page" in text(client.get(reverse("tips:profile", args=["dana"])))


def test_a_creator_cannot_answer_for_someone_elses_thing(client):
    thing = ThingFactory(awaiting_owner=True)
    client.force_login(UserFactory())
    answer = client.post(reverse("tips:thing_answer", args=[thing.pk]), {"action": "retire"})
    assert answer.status_code == 404
    thing.refresh_from_db()
    assert not thing.is_retired


def test_verified_things_say_so_on_the_thing_page_widget_popup_and_profile(dana_site, client):
    site_apply_check(site_id=dana_site.pk)
    dana_site.refresh_from_db()
    thing = ThingFactory(owner=dana_site.owner, url="https://dana.example/essay")
    other = ThingFactory(owner=dana_site.owner, url="https://video.example/watch?v=1")

    page = text(client.get(reverse("tips:thing", args=[thing.pk])))
    assert "Verified owner:" in page and dana_site.owner.name in page
    widget = text(client.get(reverse("tips:widget", args=[thing.pk])))
    assert "(verified owner)</title>" in widget
    popup = text(client.get(reverse("tips:popup", args=[thing.pk])))
    assert "Verified owner:" in popup
    profile = text(client.get(reverse("tips:profile", args=["dana"])))
    assert "Verified sites" in profile and "dana.example" in profile

    # A thing on a site nobody verified is allowed, and labelled where readers click.
    assert "Unverified" in text(client.get(reverse("tips:thing", args=[other.pk])))
    assert "(unverified)</title>" in text(client.get(reverse("tips:widget", args=[other.pk])))


def test_the_sites_pages_add_check_and_remove_a_site(
    dana_site, client, django_capture_on_commit_callbacks
):
    client.force_login(dana_site.owner)
    listing = text(client.get(reverse("tips:sites")))
    assert "dana.example" in listing
    detail = text(client.get(reverse("tips:site", args=[dana_site.pk])))
    assert dana_site.token in detail and "flattr-verification" in detail

    with django_capture_on_commit_callbacks(execute=True):  # eager Celery: checked at commit
        client.post(reverse("tips:site_check", args=[dana_site.pk]))

    assert Site.objects.get(pk=dana_site.pk).status == Site.Status.VERIFIED
    client.post(reverse("tips:site_remove", args=[dana_site.pk]))
    assert not Site.objects.exists()


def test_adding_a_site_explains_a_bad_address(client):
    client.force_login(UserFactory())
    answer = client.post(reverse("tips:sites"), {"address": "ftp://nope"})
    assert "http:// or https://" in text(answer)
    answer = client.post(reverse("tips:sites"), {"address": "10.0.0.1"})
    assert "domain name" in text(answer)
    assert not Site.objects.exists()


def test_someone_elses_site_page_is_not_found(dana_site, client):
    client.force_login(UserFactory())
    assert client.get(reverse("tips:site", args=[dana_site.pk])).status_code == 404
    assert client.post(reverse("tips:site_check", args=[dana_site.pk])).status_code == 404


def test_bidi_overrides_are_refused_in_titles_and_display_names(client):
    user = UserFactory()
    client.force_login(user)
    answer = client.post(
        reverse("tips:thing_new"), {"url": "https://me.example/a", "title": "evil\u202egnp.exe"}
    )
    assert "text-direction overrides" in text(answer)
    assert not Thing.objects.exists()


def test_a_display_name_with_a_bidi_override_is_refused_and_nothing_changes(client):
    user = UserFactory(display_name="Ada")
    client.force_login(user)

    answer = client.post(
        reverse("account_settings"), {"display_name": "Ada\u202eTSIL", "monthly_emails": "on"}
    )

    assert "text-direction overrides" in text(answer)
    user.refresh_from_db()
    assert user.display_name == "Ada"
