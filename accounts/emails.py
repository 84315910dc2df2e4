"""Optional e-mails: who wants which, and the one-click way out (PRODUCT.md, "Leaving").

Every optional e-mail carries an unsubscribe link for its kind and the headers of RFC 8058
(``List-Unsubscribe`` with the link, ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``),
so mail programs show their own unsubscribe button. The link is signed: it works without
signing in, for one user and one kind only.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User

SALT = "accounts.emails.unsubscribe"


class Kind:
    """The optional kinds of e-mail, by the user field that says whether they want it."""

    MONTHLY = "monthly"
    PAYOUTS = "payouts"
    NEWS = "news"

    FIELDS = {MONTHLY: "monthly_emails", PAYOUTS: "payout_emails", NEWS: "news_emails"}
    LABELS = {
        MONTHLY: _("Monthly summaries after each payday"),
        PAYOUTS: _("A notice when a payout is sent"),
        NEWS: _("Product news"),
    }


def wants(user: User, kind: str) -> bool:
    """The user is open, has an address and has not turned this kind of e-mail off."""
    return bool(user.is_active and user.email and getattr(user, Kind.FIELDS[kind]))


def unsubscribe_token(user: User, kind: str) -> str:
    if kind not in Kind.FIELDS:
        raise ValueError(f"{kind!r} is not an optional kind of e-mail")
    # No time in it: the same link for the same user and kind (it never expires).
    return signing.Signer(salt=SALT).sign_object({"u": user.pk, "k": kind}, compress=True)


def unsubscribe_url(user: User, kind: str) -> str:
    return settings.SITE_URL + reverse(
        "email_unsubscribe", kwargs={"token": unsubscribe_token(user, kind)}
    )


def read_unsubscribe_token(token: str) -> tuple[User, str] | None:
    """The user and kind a link names, or None for a link that is not ours or whose user is
    gone."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in Kind.FIELDS:
        return None
    user = User.objects.filter(pk=data.get("u"), closed_at__isnull=True).first()
    return (user, data["k"]) if user else None


def unsubscribe(user: User, kind: str) -> None:
    field = Kind.FIELDS[kind]
    User.objects.filter(pk=user.pk).update(**{field: False})
    setattr(user, field, False)


def optional_email_headers(user: User, kind: str) -> dict[str, str]:
    """The RFC 8058 headers of an optional e-mail of ``kind`` to ``user``."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
