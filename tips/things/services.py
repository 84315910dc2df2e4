"""Writes for things: register, edit, retire and bring back."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flattr_clone.control_characters import has_forbidden_characters
from tips.sites.selectors import verified_by_someone_else
from tips.things.canonical import InvalidURL, canonical_url, url_identity
from tips.things.cards import forget_thing_card
from tips.things.models import Category, Thing

_LANGUAGE_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$")

# Length limits of a thing's text fields, in characters; the forms use the same ones.
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
TAGS_MAX_LENGTH = 300


def _clean_tags(tags: str) -> str:
    if len(tags) > TAGS_MAX_LENGTH:
        raise ValidationError({"tags": _("Use fewer tags (300 characters at most).")})
    seen: list[str] = []
    for tag in (t.strip() for t in tags.split(",")):
        if tag and tag.lower() not in (s.lower() for s in seen):
            seen.append(tag[:50])
    cleaned = ", ".join(seen)
    if len(cleaned) > TAGS_MAX_LENGTH:
        raise ValidationError({"tags": _("Use fewer tags (300 characters at most).")})
    return cleaned


def _clean_image(image: str) -> str:
    image = image.strip()
    if not image:
        return ""
    try:
        return canonical_url(image)
    except InvalidURL as error:
        raise ValidationError({"image": error.message}) from error


def _clean_fields(
    *,
    title: str,
    description: str,
    language: str,
    tags: str,
    category: str = Category.REST,
    image: str = "",
    hidden: bool = False,
) -> dict:
    if category not in Category.values:
        raise ValidationError({"category": _("Choose one of the categories.")})
    if has_forbidden_characters(title):
        raise ValidationError(
            {"title": _("Remove the control characters and text-direction overrides.")}
        )
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Give your thing a title.")})
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError({"title": _("Use a title of 200 characters at most.")})
    description = description.strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError({"description": _("Use a description of 5000 characters at most.")})
    language = language.strip()
    if language and not _LANGUAGE_RE.match(language):
        raise ValidationError({"language": _("Use a language code such as en, fr or pt-BR.")})
    return {
        "title": title,
        "description": description,
        "language": language,
        "tags": _clean_tags(tags),
        "category": category,
        "image": _clean_image(image),
        "hidden": bool(hidden),
    }


def url_taken_error(url: str, owner) -> ValidationError:
    thing = Thing.objects.filter(url_key=url_identity(url)).first()
    if thing is not None and thing.owner_id == owner.pk:
        return ValidationError({"url": _("You already registered this address.")})
    return ValidationError({"url": _("Another creator already registered this address.")})


def url_claim_error(url: str, owner) -> ValidationError | None:
    """Why ``owner`` cannot register ``url`` (canonical), or None: the address is taken, or
    on a site another creator verified (docs/PRODUCT.md, Ownership)."""
    if Thing.objects.filter(url_key=url_identity(url)).exists():
        return url_taken_error(url, owner)
    site = verified_by_someone_else(url, owner)
    if site is not None:
        return ValidationError(
            {
                "url": _(
                    "This address is on %(site)s, a site another creator verified: only they "
                    "can register it."
                )
                % {"site": site.address}
            }
        )
    return None


@transaction.atomic
def thing_create(
    *,
    owner,
    url: str,
    title: str,
    description: str = "",
    language: str = "",
    tags: str = "",
    category: str = Category.REST,
    image: str = "",
    hidden: bool = False,
) -> Thing:
    """Register a thing for ``owner`` at the canonical form of ``url``.

    Raises ``ValidationError`` (by field) for a bad address, a bad field, or an
    address any creator already registered; nothing is written then.
    """
    try:
        canonical = canonical_url(url)
    except InvalidURL as error:
        raise ValidationError({"url": error.message}) from error
    fields = _clean_fields(
        title=title,
        description=description,
        language=language,
        tags=tags,
        category=category,
        image=image,
        hidden=hidden,
    )
    error = url_claim_error(canonical, owner)
    if error is not None:
        raise error
    try:
        with transaction.atomic():
            return Thing.objects.create(owner=owner, url=canonical, **fields)
    except IntegrityError as error:
        # Someone registered the same address at the same moment.
        raise url_taken_error(canonical, owner) from error


@transaction.atomic
def thing_update(
    *,
    thing: Thing,
    title: str,
    description: str = "",
    language: str = "",
    tags: str = "",
    category: str = Category.REST,
    image: str = "",
    hidden: bool = False,
) -> Thing:
    """Change a thing's fields. Its URL is its identity and stays."""
    fields = _clean_fields(
        title=title,
        description=description,
        language=language,
        tags=tags,
        category=category,
        image=image,
        hidden=hidden,
    )
    for name, value in fields.items():
        setattr(thing, name, value)
    thing.save(update_fields=[*fields, "updated_at"])
    forget_thing_card(thing.pk)
    return thing


@transaction.atomic
def thing_set_retired(*, thing: Thing, retired: bool) -> Thing:
    """Retire a thing (no more clicks, off every public page) or bring it back. Past clicks
    stay."""
    now = timezone.now()
    retired_at = (thing.retired_at or now) if retired else None
    Thing.objects.filter(pk=thing.pk).update(retired=retired, retired_at=retired_at, updated_at=now)
    thing.retired, thing.retired_at = retired, retired_at
    thing.updated_at = now
    forget_thing_card(thing.pk)
    return thing
