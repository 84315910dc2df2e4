"""Writes on user accounts."""

from django.conf import settings

from accounts.models import User


def user_update_preferences(
    *, user: User, display_name: str, monthly_emails: bool, language: str
) -> User:
    """Save the user's public display name, whether they get the monthly summary and the
    language of their e-mails."""
    user.display_name = display_name.strip()
    user.monthly_emails = monthly_emails
    user.language = _known_language(language)
    user.save(update_fields=["display_name", "monthly_emails", "language"])
    return user


def user_remember_language(*, user: User, language: str) -> None:
    """Remember the language a user chose with the site's switcher, for their e-mails."""
    language = _known_language(language)
    if language and language != user.language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


def _known_language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else ""
