"""Terms of service and privacy policy: the current versions and who accepted them."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Consent, LegalDocument, User
from flattr_clone.cache import local_delete, local_get, local_set, safe_delete, safe_get, safe_set

# The current versions' ids, kept in the cache for every page a signed-in user opens (the
# terms check): forgotten when a document is saved or deleted, and kept no later than the
# next scheduled publication, so a version published for a later date counts from then.
CURRENT_IDS_KEY = "accounts:legal:current-ids"
CURRENT_IDS_SECONDS = 300
# In the session: the current versions' ids the signed-in user is known to have accepted.
ACCEPTED_SESSION_KEY = "legal_accepted"


def current_document_ids(*, now=None) -> list[int]:
    """The ids of the current versions (terms first), from the cache when it has them."""
    now = now or timezone.now()
    # This process's copy first (flattr_clone.cache): a version published elsewhere is asked
    # for EMBED_LOCAL_CACHE_SECONDS later at most.
    kept = local_get(CURRENT_IDS_KEY)
    if kept is None:
        kept = safe_get(CURRENT_IDS_KEY)
        if kept is not None:
            local_set(CURRENT_IDS_KEY, kept)
    if kept is not None and (kept["until"] is None or now < kept["until"]):
        return kept["ids"]
    ids = [doc.pk for doc in current_documents(now=now)]
    # The next version published for a later date: from then on these ids are stale.
    until = (
        LegalDocument.objects.filter(published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    kept = {"ids": ids, "until": until}
    safe_set(CURRENT_IDS_KEY, kept, CURRENT_IDS_SECONDS)
    local_set(CURRENT_IDS_KEY, kept)
    return ids


def forget_current_documents() -> None:
    local_delete(CURRENT_IDS_KEY)
    safe_delete(CURRENT_IDS_KEY)


def must_accept(user: User, session) -> bool:
    """Whether ``user`` has current versions to accept: no query once the session knows
    they accepted them all (the cache holds the current ids)."""
    ids = current_document_ids()
    if not ids or session.get(ACCEPTED_SESSION_KEY) == ids:
        return False
    accepted = Consent.objects.filter(user=user, document_id__in=ids).count()
    if accepted < len(ids):
        return True
    session[ACCEPTED_SESSION_KEY] = ids
    return False


def current_documents(*, now=None) -> list[LegalDocument]:
    """The latest published version of each kind that has one (terms first)."""
    now = now or timezone.now()
    published = LegalDocument.objects.filter(published_at__isnull=False, published_at__lte=now)
    latest = published.values("kind").annotate(version=Max("version"))
    found = {
        (doc.kind, doc.version): doc
        for doc in published.filter(version__in=[row["version"] for row in latest])
    }
    documents = [found[(row["kind"], row["version"])] for row in latest]
    order = list(LegalDocument.Kind.values)
    return sorted(documents, key=lambda doc: order.index(doc.kind))


def current_document(kind: str) -> LegalDocument | None:
    return next((doc for doc in current_documents() if doc.kind == kind), None)


def documents_to_accept(user: User) -> list[LegalDocument]:
    """The current versions ``user`` has not accepted yet."""
    documents = current_documents()
    accepted = set(
        Consent.objects.filter(user=user, document__in=documents).values_list(
            "document_id", flat=True
        )
    )
    return [doc for doc in documents if doc.pk not in accepted]


def accept_documents(*, user: User, documents: list[LegalDocument], at=None) -> None:
    """Record that ``user`` accepted ``documents`` now; accepting one again changes nothing."""
    at = at or timezone.now()
    for document in documents:
        try:
            with transaction.atomic():
                Consent.objects.create(user=user, document=document, accepted_at=at)
        except IntegrityError:
            pass


def publish_next_version(*, kind: str, title: str, body: str, at=None) -> LegalDocument:
    """Write and publish the next version of ``kind`` (the admin's "publish" and the demo)."""
    latest = LegalDocument.objects.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0
    return LegalDocument.objects.create(
        kind=kind, version=latest + 1, title=title, body=body, published_at=at or timezone.now()
    )
