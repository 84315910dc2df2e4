"""A suspended reader makes no new click, wherever the click starts (docs/PRODUCT.md: suspension
stops new clicks, not past ones), and is told why and whom to ask."""

import html
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.suspensions import user_suspend, user_unsuspend
from tests.factories import ClickFactory, ThingFactory, UserFactory, ready_reader
from tips.clicks.models import Click
from tips.clicks.services import ClickRefused, click_register, click_revoke
from tips.things.models import Thing

pytestmark = pytest.mark.django_db

SUSPENDED = "Your account is suspended, so you cannot flattr"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def suspended():
    reader = ready_reader()
    user_suspend(user=reader, reason="click farming")
    return reader


def click_form(thing) -> str:
    return f'action="{reverse("tips:click", kwargs={"pk": thing.pk})}"'


def test_the_click_service_refuses_a_suspended_reader(suspended):
    thing = ThingFactory()

    with pytest.raises(ClickRefused) as refused:
        click_register(reader=suspended, thing=thing)

    assert refused.value.blocker.code == "suspended"
    assert "click farming" in str(refused.value.blocker.message)
    assert not Click.objects.exists()


def test_the_click_service_reads_the_suspension_afresh_not_from_a_stale_user():
    reader, thing = ready_reader(), ThingFactory()
    loaded_before = get_user_model().objects.get(pk=reader.pk)
    user_suspend(user=reader, reason="click farming")

    with pytest.raises(ClickRefused):
        click_register(reader=loaded_before, thing=thing)

    assert not Click.objects.exists()


def test_the_this_month_page_tells_a_suspended_reader(client, suspended):
    client.force_login(suspended)

    page = text(client.get(reverse("tips:this_month")))

    assert SUSPENDED in page


def test_the_thing_page_tells_a_suspended_reader_why_and_offers_no_button(client, suspended):
    thing = ThingFactory()
    client.force_login(suspended)

    page = text(client.get(thing.get_absolute_url()))

    assert SUSPENDED in page
    assert "click farming" in page
    assert "Contact the operators to resolve it." in page
    assert click_form(thing) not in page


def test_the_popup_tells_a_suspended_reader_why_and_offers_no_button(client, suspended):
    thing = ThingFactory()
    client.force_login(suspended)

    page = text(client.get(reverse("tips:popup", kwargs={"pk": thing.pk})))

    assert SUSPENDED in page
    assert click_form(thing) not in page


def test_a_click_post_of_a_suspended_reader_records_nothing(client, suspended):
    thing = ThingFactory()
    client.force_login(suspended)

    page = client.post(reverse("tips:click", kwargs={"pk": thing.pk}), follow=True)

    assert SUSPENDED in text(page)
    assert not Click.objects.exists()


def test_an_auto_submit_click_of_a_suspended_reader_creates_nothing(client, suspended):
    UserFactory(handle="carol")
    client.force_login(suspended)
    data = {"creator": "carol", "url": "https://carol.example/p", "title": "Hi"}

    shown = text(client.get(reverse("tips:submit") + "?" + urlencode(data)))
    page = client.post(reverse("tips:submit"), data, follow=True)

    assert SUSPENDED in shown
    assert 'action="/submit/"' not in shown
    assert SUSPENDED in text(page)
    assert not Thing.objects.exists()
    assert not Click.objects.exists()


def test_a_suspended_reader_cannot_restore_a_revoked_click(client, suspended):
    revoked = ClickFactory(reader=suspended)
    click_revoke(reader=suspended, click=revoked)
    client.force_login(suspended)

    page = client.post(reverse("tips:click", kwargs={"pk": revoked.thing_id}), follow=True)

    assert SUSPENDED in text(page)
    revoked.refresh_from_db()
    assert revoked.revoked_at is not None


def test_a_suspended_reader_may_still_revoke_a_click_of_this_month(client, suspended):
    existing = ClickFactory(reader=suspended)
    client.force_login(suspended)

    page = client.post(reverse("tips:revoke", kwargs={"pk": existing.pk}), follow=True)

    assert "You revoked your flattr" in text(page)
    existing.refresh_from_db()
    assert existing.revoked_at is not None


def test_the_message_links_to_the_support_address_when_one_is_set(client, suspended, settings):
    settings.CONTACT_EMAIL = "help@flattr.example"
    client.force_login(suspended)

    page = text(client.get(ThingFactory().get_absolute_url()))

    assert SUSPENDED in page
    assert 'href="mailto:help@flattr.example"' in page


def test_lifting_the_suspension_lets_the_reader_click_again(client, suspended):
    user_unsuspend(user=suspended)
    thing = ThingFactory()

    assert click_register(reader=suspended, thing=thing).status == "flattred"
