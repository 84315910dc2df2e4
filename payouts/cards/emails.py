"""E-mails about charges to saved cards, in the reader's language: the bank asks for
authentication (with the payment link), a charge was finally not collected, and what will
be charged after this month."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from flattr_clone.money import format_cents
from payouts.cards.models import Charge

logger = logging.getLogger(__name__)


def _send(user, template: str, context: dict) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {**context, "user": user, "SITE_NAME": settings.SITE_NAME}
        subject = render_to_string(f"cards/emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"cards/emails/{template}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send_charge_notice(charge_pk: int, what: str) -> None:
    """``what``: ``action`` (authenticate from the link) or ``failed`` (not collected)."""
    charge = Charge.objects.select_related("user").get(pk=charge_pk)
    context = {
        "charge": charge,
        "amount": format_cents(charge.amount_cents),
        "link": charge_link(charge) if what == "action" else "",
        "wallet_url": settings.SITE_URL + "/wallet/",
    }
    try:
        _send(charge.user, f"charge_{what}", context)
    except Exception:  # an e-mail that fails must not undo the charge's state
        logger.exception("could not send the %s notice of %s", what, charge)


def send_upcoming_charge(user, *, month_name: str, amount_cents: int) -> None:
    _send(user, "upcoming", {"month": month_name, "amount": format_cents(amount_cents)})


def charge_link(charge: Charge) -> str:
    """The link that lets the reader pay a charge themselves."""
    return settings.SITE_URL + reverse("payouts:charge_pay", args=[charge.pk, charge.action_token])
