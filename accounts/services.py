"""Writes on user accounts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User

DISPLAY_NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length


def user_update_preferences(
    *,
    user: User,
    display_name: str,
    monthly_emails: bool,
    language: str,
    public_flattrs: bool | None = None,
) -> User:
    """Save the user's public display name, whether they get the monthly summary and the
    language of their e-mails. Raises ``ValidationError`` (by field) for a display name
    that is too long; nothing is saved then."""
    display_name = display_name.strip()
    if len(display_name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationError({"display_name": _("Use a display name of 80 characters at most.")})
    user.display_name = display_name
    user.monthly_emails = monthly_emails
    user.language = _known_language(language)
    fields = ["display_name", "monthly_emails", "language"]
    if public_flattrs is not None:
        user.public_flattrs = public_flattrs
        fields.append("public_flattrs")
    user.save(update_fields=fields)
    return user


def user_remember_language(*, user: User, language: str) -> None:
    """Remember the language a user chose with the site's switcher, for their e-mails."""
    language = _known_language(language)
    if language and language != user.language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


def _known_language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else ""
