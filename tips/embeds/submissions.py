"""Auto-submit links (docs/PRODUCT.md, Buttons and embeds): what a link describes, read
without writing anything."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from tips.things.canonical import InvalidURL, canonical_url
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
    registered at that URL (whose owner wins, whoever the link names) or the active user
    ``creator_handle`` names (a leading ``@`` allowed). Never writes anything.

    Raises ``SubmissionInvalid`` for an address that is not a web page's or a handle that
    names nobody.
    """
    try:
        url = canonical_url(url)
    except InvalidURL as error:
        raise SubmissionInvalid(error.message) from error
    title = " ".join(title.split())[:200] or default_title(url)
    thing = Thing.objects.select_related("owner").filter(url=url).first()
    if thing is not None:
        # An existing thing keeps its owner, whoever the link names.
        return Submission(thing.owner, url, thing.title, thing)
    handle = creator_handle.strip().lstrip("@")
    creator = public_creator(handle) if handle else None
    if creator is None:
        raise SubmissionInvalid(_("This link names no creator of this platform."))
    return Submission(creator, url, title, None)
