import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.factories import ThingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    operator = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(operator, generate_totp_secret())
    client.force_login(operator)
    return client


def admin_save(client, thing, *, retired: bool):
    fields = {
        "owner": thing.owner_id,
        "url": thing.url,
        "title": thing.title,
        "description": thing.description,
        "language": thing.language,
        "tags": thing.tags,
        "category": thing.category,
    }
    if retired:
        fields["retired"] = "on"  # an unchecked box is simply absent from the form
    response = client.post(reverse("admin:tips_thing_change", args=[thing.pk]), fields)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_an_operator_retiring_a_thing_in_the_admin_shows_at_once_on_widget_and_badge(
    operator_client,
):
    thing = ThingFactory()
    widget = reverse("tips:widget", kwargs={"pk": thing.pk})
    badge = reverse("tips:badge", kwargs={"pk": thing.pk})
    assert operator_client.get(widget).status_code == 200  # the card is now cached

    admin_save(operator_client, thing, retired=True)

    assert operator_client.get(widget).status_code == 410
    assert operator_client.get(badge).status_code == 410

    admin_save(operator_client, thing, retired=False)

    assert operator_client.get(widget).status_code == 200
    assert operator_client.get(badge).status_code == 200
