"""Stripe Connect: creators' connected accounts, hosted onboarding and transfers to them.

Connected accounts are created with controller properties (Stripe's current
recommendation over account types): Stripe collects the requirements and hosts
onboarding, the creator gets the Express dashboard, and the platform pays the
fees and carries the losses. Only the ``transfers`` capability is requested: the
platform sends money, creators never charge anyone through it.

Errors come out as two exceptions the payout code can act on without knowing
Stripe: ``TransientError`` (try again with the same idempotency key) and
``RefusedError`` (a definitive answer: nothing was done).
"""

from __future__ import annotations

import dataclasses

import stripe

from payouts.stripe_gateway import client


class TransientError(Exception):
    """The request may or may not have been done: retry it with the same idempotency key."""


class RefusedError(Exception):
    """Stripe answered with a definitive refusal; nothing was created."""

    def __init__(self, message: str, *, code: str = "", platform_problem: bool = False):
        super().__init__(message)
        self.code = code
        # True when the cause is ours (balance, keys), not the creator's account.
        self.platform_problem = platform_problem


# Refusals caused by the platform rather than by the creator's account.
_PLATFORM_CODES = {"balance_insufficient", "insufficient_funds", "platform_api_key_expired"}


def _translate(error: stripe.StripeError) -> Exception:
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError):
        return TransientError(str(error.user_message or error))
    status = error.http_status or 0
    if status >= 500 or isinstance(error, stripe.APIError) and not status:
        return TransientError(str(error.user_message or error))
    if status == 409 or isinstance(error, stripe.IdempotencyError):
        # The key is in use by a request still running, or was used before: that request
        # may have made the transfer, so the outcome is unknown, never a refusal.
        return TransientError(str(error.user_message or error))
    code = error.code or ""
    message = error.user_message or str(error)
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return RefusedError(message, code=code or "authentication", platform_problem=True)
    return RefusedError(message, code=code, platform_problem=code in _PLATFORM_CODES)


def _call(function, *args, **kwargs) -> dict:
    try:
        result = function(*args, **kwargs)
    except stripe.StripeError as error:
        raise _translate(error) from error
    return result.to_dict()


def create_account(*, email: str, reference: str, idempotency_key: str) -> dict:
    """A new connected account for a creator, able to receive transfers once onboarded."""
    params = {
        "email": email,
        "controller": {
            "stripe_dashboard": {"type": "express"},
            "fees": {"payer": "application"},
            "losses": {"payments": "application"},
            "requirement_collection": "stripe",
        },
        "capabilities": {"transfers": {"requested": True}},
        "metadata": {"platform_reference": reference},
    }
    return _call(client().v1.accounts.create, params, {"idempotency_key": idempotency_key})


def retrieve_account(account_id: str) -> dict:
    return _call(client().v1.accounts.retrieve, account_id)


def create_onboarding_link(*, account_id: str, refresh_url: str, return_url: str) -> str:
    """The single-use URL of Stripe's hosted onboarding for this account."""
    link = _call(
        client().v1.account_links.create,
        {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": refresh_url,
            "return_url": return_url,
            "collection_options": {"fields": "eventually_due"},
        },
    )
    return link["url"]


def create_dashboard_link(*, account_id: str) -> str:
    """A single-use login link to the creator's Express dashboard."""
    link = _call(client().v1.accounts.login_links.create, account_id)
    return link["url"]


def create_transfer(
    *,
    amount_cents: int,
    currency: str,
    destination: str,
    transfer_group: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> dict:
    """Move ``amount_cents`` from the platform balance to a connected account."""
    return _call(
        client().v1.transfers.create,
        {
            "amount": amount_cents,
            "currency": currency.lower(),
            "destination": destination,
            "transfer_group": transfer_group,
            "metadata": metadata,
        },
        {"idempotency_key": idempotency_key},
    )


def find_transfer(*, transfer_group: str, metadata: dict[str, str]) -> dict | None:
    """The transfer of ``transfer_group`` whose metadata holds ``metadata``, if one was made.

    Stripe prunes idempotency keys after 24 hours, so a request sent again later
    would make a second transfer; looking first is what keeps it at one.
    """
    try:
        page = client().v1.transfers.list({"transfer_group": transfer_group, "limit": 100})
        for transfer in page.auto_paging_iter():
            found = transfer.to_dict()
            stored = found.get("metadata") or {}
            if all(stored.get(key) == value for key, value in metadata.items()):
                return found
    except stripe.StripeError as error:
        raise _translate(error) from error
    return None


@dataclasses.dataclass(frozen=True)
class AccountState:
    """The fields of a connected account we keep: can it receive transfers, and if not, why.

    ``status`` is one of ``PaymentAccount.Status``; the names are the model's fields.
    """

    status: str
    details_submitted: bool
    disabled_reason: str
    requirements_due: list[str]


def account_state(account: dict) -> AccountState:
    """Parse a Stripe account object (an API answer or an ``account.updated`` event's)."""
    requirements = account.get("requirements") or {}
    capabilities = account.get("capabilities") or {}
    due = sorted(
        set(requirements.get("currently_due") or []) | set(requirements.get("past_due") or [])
    )
    disabled_reason = requirements.get("disabled_reason") or ""
    details_submitted = bool(account.get("details_submitted"))
    if capabilities.get("transfers") == "active":
        status = "ready"
    elif disabled_reason.startswith(("rejected", "platform_paused", "listed")):
        # Nothing the creator can fill in fixes these; Stripe or an operator must act.
        status = "restricted"
    elif not details_submitted or due:
        status = "information_needed"
    elif disabled_reason in ("", "requirements.pending_verification", "under_review"):
        status = "pending"
    else:
        status = "restricted"
    return AccountState(
        status=status,
        details_submitted=details_submitted,
        disabled_reason=disabled_reason,
        requirements_due=due,
    )
