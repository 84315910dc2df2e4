from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from tips.things.canonical import InvalidURL, canonical_url
from tips.things.models import Thing
from tips.things.selectors import public_creator

# --- Auto-submit links --------------------------------------------------------------


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


def parse_submission(params) -> Submission:
    """Read ``creator``, ``url`` and ``title`` of an auto-submit link; never writes anything."""
    try:
        url = canonical_url(params.get("url", ""))
    except InvalidURL as error:
        raise SubmissionInvalid(error.message) from error
    title = " ".join(params.get("title", "").split())[:200] or default_title(url)
    thing = Thing.objects.select_related("owner").filter(url=url).first()
    if thing is not None:
        # An existing thing keeps its owner, whoever the link names.
        return Submission(thing.owner, url, thing.title, thing)
    handle = params.get("creator", "").strip().lstrip("@")
    creator = public_creator(handle) if handle else None
    if creator is None:
        raise SubmissionInvalid(_("This link names no creator of this platform."))
    return Submission(creator, url, title, None)
