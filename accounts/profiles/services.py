"""Writes for public profiles: bio, links, display name, avatar."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Avatar, User
from accounts.profiles.avatars import avatar_encode
from accounts.profiles.bios import BIO_MAX_LENGTH

MAX_LINKS = 5
LINK_MAX_LENGTH = 300
_url = URLValidator(schemes=["http", "https"])


def clean_links(links: list[str]) -> list[str]:
    """Up to five distinct http(s) addresses, in the given order, empty ones dropped."""
    cleaned: list[str] = []
    for link in (link.strip() for link in links):
        if not link or link in cleaned:
            continue
        if len(link) > LINK_MAX_LENGTH:
            raise ValidationError({"links": _("Use links of 300 characters at most.")})
        try:
            _url(link)
        except ValidationError as error:
            raise ValidationError(
                {"links": _("“%(link)s” is not a web address (http or https).") % {"link": link}}
            ) from error
        cleaned.append(link)
    if len(cleaned) > MAX_LINKS:
        raise ValidationError({"links": _("Give at most 5 links.")})
    return cleaned


def profile_update(*, user: User, display_name: str, bio: str, links: list[str]) -> None:
    """Save the public profile; a ``ValidationError`` by field changes nothing."""
    display_name = " ".join(display_name.split())
    if len(display_name) > 80:
        raise ValidationError({"display_name": _("Use a name of 80 characters at most.")})
    bio = bio.strip()
    if len(bio) > BIO_MAX_LENGTH:
        raise ValidationError({"bio": _("Use a bio of 2000 characters at most.")})
    user.display_name = display_name
    user.bio = bio
    user.links = clean_links(links)
    user.save(update_fields=["display_name", "bio", "links"])


@transaction.atomic
def avatar_set(*, user: User, upload) -> Avatar:
    """Replace the avatar by the re-encoded ``upload`` (``ValidationError`` if refused)."""
    image, digest = avatar_encode(upload)
    avatar, _created = Avatar.objects.update_or_create(
        user=user,
        defaults={"image": image, "digest": digest, "updated_at": timezone.now()},
    )
    user.avatar_digest = digest
    user.save(update_fields=["avatar_digest"])
    return avatar


@transaction.atomic
def avatar_remove(*, user: User) -> None:
    Avatar.objects.filter(user=user).delete()
    user.avatar_digest = ""
    user.save(update_fields=["avatar_digest"])
