"""The click of an auto-submit link: the thing it describes is created only with the click."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tips.clicks.services import ClickResult, click_register
from tips.embeds.submissions import SubmissionInvalid, submission_resolve
from tips.things.canonical import url_identity
from tips.things.models import Thing


@transaction.atomic
def thing_submit_and_click(*, reader, creator_handle: str, url: str, title: str) -> ClickResult:
    """The click of an auto-submit link: create the thing the link describes (owned by the
    creator it names) unless its canonical URL exists, then flattr it.

    Raises ``submissions.SubmissionInvalid`` for a bad link and ``ClickRefused`` when the
    click is not possible; in both cases no thing is created.
    """
    submission = submission_resolve(creator_handle=creator_handle, url=url, title=title)
    thing = submission.thing
    if thing is None:
        try:
            with transaction.atomic():
                # On the creator's "My things", off the profile until they accept it.
                thing = Thing.objects.create(
                    owner=submission.creator,
                    url=submission.url,
                    title=submission.title,
                    awaiting_owner=True,
                )
        except IntegrityError as error:
            # The first click of another reader created it at the same moment.
            thing = Thing.objects.select_related("owner").get(url_key=url_identity(submission.url))
            if thing.owner_id != submission.creator.pk:
                raise SubmissionInvalid(
                    _("Another creator registered this address meanwhile.")
                ) from error
    # A refusal raises here and rolls the new thing back with it.
    return click_register(reader=reader, thing=thing)
