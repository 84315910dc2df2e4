"""Auto-submit links (docs/PRODUCT.md, Buttons and embeds): what a link describes, read
without writing anything."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from flattr_clone.control_characters import has_forbidden_characters
from tips.sites.selectors import verified_by_someone_else
from tips.things.canonical import InvalidURL, canonical_url, url_identity
from tips.things.models import Thing
from tips.things.selectors import public_creator


class SubmissionInvalid(ValueError):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclasses.dataclass(frozen=True)
class Submission:
    creator: object
    url: str  # canonical
    title: str
    thing: Thing | None  # the thing already registered at this URL, if any


def default_title(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}".rstrip("/")[:200]


def submission_resolve(*, creator_handle: str, url: str, title: str) -> Submission:
    """What an auto-submit link describes: the canonical ``url``, its title (``title`` with its
    whitespace collapsed, else one made from the URL) and its creator, the thing already
    registered at that URL, or the active user ``creator_handle`` names (a leading ``@``
    allowed). Never writes anything.

    Raises ``SubmissionInvalid`` for an address that is not a web page's, a handle that names
    nobody, a link naming a creator who does not own the thing at that URL, or a new URL on a
    site another creator verified (docs/PRODUCT.md, Ownership).
    """
    try:
        url = canonical_url(url)
    except InvalidURL as error:
        raise SubmissionInvalid(error.message) from error
    if has_forbidden_characters(title):
        raise SubmissionInvalid(
            _("Remove the control characters and text-direction overrides from the title.")
        )
    title = " ".join(title.split())[:200] or default_title(url)
    handle = creator_handle.strip().lstrip("@")
    thing = Thing.objects.select_related("owner").filter(url_key=url_identity(url)).first()
    if thing is not None:
        # A link that names a creator counts only for the thing's owner: a click never goes
        # to someone else than the creator the reader was shown (docs/PRODUCT.md, Ownership).
        if handle and thing.owner.handle.lower() != handle.lower():
            raise SubmissionInvalid(
                _(
                    "This link names @%(named)s, but the page at this address is registered by "
                    "another creator, @%(owner)s. Nothing was flattred, so your money cannot "
                    "go to someone the link did not name."
                )
                % {"named": handle, "owner": thing.owner.handle}
            )
        return Submission(thing.owner, url, thing.title, thing)
    creator = public_creator(handle) if handle else None
    if creator is None:
        raise SubmissionInvalid(_("This link names no creator of this platform."))
    site = verified_by_someone_else(url, creator)
    if site is not None:
        raise SubmissionInvalid(
            _(
                "This link names @%(named)s, but the address is on %(site)s, a site another "
                "creator verified. Nothing was created or flattred."
            )
            % {"named": creator.handle, "site": site.address}
        )
    return Submission(creator, url, title, None)
