"""Where a creator receives money: a Stripe connected account, or the demo sandbox."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from payouts.providers import Provider


class PaymentAccount(models.Model):
    """Where a creator receives money: a Stripe connected account, or the demo sandbox."""

    class Status(models.TextChoices):
        # Account created with the provider, onboarding not finished.
        INFORMATION_NEEDED = "information_needed", _("Information needed")
        # Everything submitted; the provider is still verifying it.
        PENDING = "pending", _("Being verified")
        READY = "ready", _("Ready")
        RESTRICTED = "restricted", _("Restricted")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payment_account",
        verbose_name=_("creator"),
    )
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    # The connected account id (acct_...); empty until the provider has created it.
    provider_account_id = models.CharField(
        _("provider account id"), max_length=255, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.INFORMATION_NEEDED
    )
    details_submitted = models.BooleanField(_("details submitted"), default=False)
    # The provider's reason when the account cannot receive transfers, e.g. "requirements.past_due".
    disabled_reason = models.CharField(_("disabled reason"), max_length=100, blank=True)
    requirements_due = models.JSONField(_("requirements due"), default=list, blank=True)
    # Time of the provider state last applied; older webhook events are ignored.
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)
    # Permanent failures in a row; reset by a paid payout.
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    # Set after PAYOUT_FAILURES_BEFORE_FLAG failures in a row; payouts are held until an
    # operator clears it.
    payouts_flagged_at = models.DateTimeField(_("payouts flagged at"), null=True, blank=True)
    flag_reason = models.TextField(_("flag reason"), blank=True)
    # When an operator last cleared a flag: money earned before was reviewed (velocity).
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("payment account")
        verbose_name_plural = _("payment accounts")
        permissions = [("clear_payout_flag", "Can clear the payout flag of creators")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_account_id"],
                condition=~Q(provider_account_id=""),
                name="payouts_payment_account_unique_provider_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_provider_display()}: {self.get_status_display()})"

    @property
    def can_receive(self) -> bool:
        """Whether a payout may be sent to this account now (the flag is checked separately)."""
        if self.status != self.Status.READY or not self.provider_account_id:
            return False
        if self.provider == Provider.SANDBOX:
            return bool(settings.PAYMENTS_SANDBOX)
        return True

    @property
    def is_flagged(self) -> bool:
        return self.payouts_flagged_at is not None
