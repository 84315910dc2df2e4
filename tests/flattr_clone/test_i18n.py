import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FRENCH_TITLE = "Soutenez les personnes dont vous aimez le travail"


def test_the_home_page_speaks_french_to_a_french_browser(client):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<html lang="fr"' in page
    assert FRENCH_TITLE in page
    assert "Comment ça marche" in page


def test_the_language_switcher_remembers_the_choice(client):
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    assert FRENCH_TITLE in client.get("/").content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Support the people whose work you enjoy" in client.get("/").content.decode()


def test_allauth_pages_are_translated_too(client):
    client.cookies["django_language"] = "fr"

    page = client.get(reverse("account_login")).content.decode()

    assert "Mot de passe" in page
