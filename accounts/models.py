from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

handle_validator = RegexValidator(
    r"^[a-zA-Z0-9_]{2,30}$",
    _("Use 2 to 30 letters, digits or underscores."),
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email)
        if not extra_fields.get("handle"):
            extra_fields["handle"] = self.model.handle_from_email(email)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone is a user: every user can read (click) and create (own things)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    handle = models.CharField(
        _("handle"),
        max_length=30,
        unique=True,
        validators=[handle_validator],
        help_text=_("Your public name in profile addresses, like /@handle."),
    )
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    # The public profile (accounts.profiles): a Markdown bio, up to 5 links, an avatar.
    bio = models.TextField(_("bio"), blank=True, help_text=_("Markdown; shown on your profile."))
    links = models.JSONField(_("links"), default=list, blank=True)
    # The digest of the current Avatar, in its address; empty: the generated initial.
    avatar_digest = models.CharField(_("avatar"), max_length=16, blank=True, editable=False)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Unticked for deleted accounts; they keep their ledger history."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Suspended creators receive nothing at payday and their payouts are held.
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.TextField(_("suspension reason"), blank=True)
    # The language of e-mails; the site itself follows the switcher's cookie.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Language of the e-mails we send you. Empty: the site's default."),
    )
    monthly_emails = models.BooleanField(
        _("monthly e-mails"),
        default=True,
        help_text=_("Send me a summary after each payday."),
    )
    payout_emails = models.BooleanField(
        _("payout e-mails"), default=True, help_text=_("Tell me when a payout is sent.")
    )
    news_emails = models.BooleanField(
        _("product news"), default=False, help_text=_("Send me news about the platform.")
    )
    # Closing (PRODUCT.md, "Leaving"): asked for, and done (the row is anonymised then).
    closing_requested_at = models.DateTimeField(_("closing requested at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Readers' clicks are private unless they say otherwise (the API's /flattrs lists).
    public_flattrs = models.BooleanField(
        _("public flattrs"),
        default=False,
        help_text=_("Show which things I flattr on my public lists (the API's flattrs)."),
    )

    objects = UserManager()

    # Closed accounts are renamed ``closed_<id>``: no one else may take a handle so named.
    CLOSED_PREFIX = "closed_"

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # Operators' actions (README, "Operator groups"); names are stored, like Django's own.
        permissions = [("suspend_user", "Can suspend and unsuspend creators")]
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="accounts_user_handle_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.handle

    @property
    def name(self) -> str:
        return self.display_name or self.handle

    @property
    def initial(self) -> str:
        """The letter of the generated avatar."""
        return (self.name[:1] or "?").upper()

    @property
    def initial_tone(self) -> int:
        """One of six colours of the generated avatar, stable for the user."""
        return (self.pk or 0) % 6

    @property
    def avatar_url(self) -> str:
        if not self.avatar_digest:
            return ""
        return reverse("avatar", kwargs={"user_id": self.pk, "digest": self.avatar_digest})

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def get_absolute_url(self) -> str:
        return reverse("tips:profile", kwargs={"handle": self.handle})

    @classmethod
    def handle_from_email(cls, email: str) -> str:
        """A free handle derived from the local part of an e-mail address."""
        import re

        base = re.sub(r"[^a-zA-Z0-9_]", "_", email.split("@")[0])[:24].strip("_") or "user"
        if len(base) < 2:
            base = f"{base}_u"
        if base.lower().startswith(cls.CLOSED_PREFIX):
            base = f"u_{base}"[:24]
        candidate, n = base, 1
        while cls.objects.filter(handle__iexact=candidate).exists() or RetiredHandle.is_retired(
            candidate
        ):
            n += 1
            candidate = f"{base}{n}"
        return candidate


def handle_digest(handle: str) -> str:
    """How a closed account's handle is remembered: the SHA-256 of its lower-case form."""
    import hashlib

    return hashlib.sha256(handle.lower().encode()).hexdigest()


class RetiredHandle(models.Model):
    """A handle of a closed account, never given to anyone again (PRODUCT.md, "Leaving")."""

    digest = models.CharField(_("SHA-256 of the handle"), max_length=64, unique=True)
    retired_at = models.DateTimeField(_("retired at"), default=timezone.now)

    class Meta:
        verbose_name = _("retired handle")
        verbose_name_plural = _("retired handles")

    def __str__(self) -> str:
        return self.digest[:12]

    @classmethod
    def is_retired(cls, handle: str) -> bool:
        return cls.objects.filter(digest=handle_digest(handle)).exists()


class LegalDocument(models.Model):
    """One version of the terms of service or the privacy policy, written by operators.

    The current version of a kind is the latest published one; publishing a new version
    asks every user to accept it again."""

    class Kind(models.TextChoices):
        TERMS = "terms", _("Terms of service")
        PRIVACY = "privacy", _("Privacy policy")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Plain text; blank lines separate paragraphs."))
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("Empty: a draft. Once published, users must accept this version."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="accounts_legal_one_version"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="accounts_legal_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]


class Consent(models.Model):
    """A user accepted one version of a legal document, at ``accepted_at``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("user"),
    )
    document = models.ForeignKey(
        LegalDocument, on_delete=models.PROTECT, related_name="consents", verbose_name=_("document")
    )
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="accounts_consent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.document} at {self.accepted_at:%Y-%m-%d %H:%M}"


class DataExport(models.Model):
    """A zip of everything the platform holds about a user, built by a task, downloadable
    by its owner until ``expires_at``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="data_exports",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    content = models.BinaryField(_("zip file"), null=True, blank=True, editable=False)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"), default=0)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expires_at = models.DateTimeField(_("link expires at"))

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk} of user {self.user_id} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class Avatar(models.Model):
    """The one avatar of a user, already validated, resized and re-encoded (``avatars``)."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="avatar",
        verbose_name=_("user"),
    )
    # Bytes of the re-encoded image (WebP, square, AVATAR_SIZE pixels): never the upload.
    image = models.BinaryField(_("image"))
    content_type = models.CharField(_("content type"), max_length=40, default="image/webp")
    # Part of the avatar's address: a new image gets a new address, so it can be cached forever.
    digest = models.CharField(_("digest"), max_length=16)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("avatar")
        verbose_name_plural = _("avatars")

    def __str__(self) -> str:
        return f"{self.user} ({self.digest})"


class LimitHit(models.Model):
    """One limit reached (docs/PRODUCT.md, First payouts and velocity): what was limited,
    for whom and when. One row per limit, key and window (accounts.limits), so a script
    hammering a button leaves one row an hour, not one per request. Card fingerprints and
    other keys are kept as a digest; the IP is kept as seen (the operators' evidence)."""

    class Kind(models.TextChoices):
        SIGNUP_IP_HOUR = "signup_ip_hour", _("Sign-ups per IP address (hour)")
        SIGNUP_IP_DAY = "signup_ip_day", _("Sign-ups per IP address (day)")
        TOP_UP_IP_DAY = "topup_ip_day", _("Top-ups per IP address (day)")
        TOP_UP_NEW_ACCOUNT_DAY = "topup_new_account_day", _("Top-ups of a new account (day)")
        TOP_UP_NEW_ACCOUNT_AMOUNT = "topup_new_account_amount", _("Amount of a new account")
        CARD_ACCOUNTS = "card_accounts", _("Accounts funded by one card")
        CLICK_HOUR = "click_hour", _("Clicks (hour)")
        CLICK_NEW_ACCOUNT_HOUR = "click_new_account_hour", _("Clicks of a new account (hour)")

    kind = models.CharField(_("limit"), max_length=40, choices=Kind.choices)
    key_digest = models.CharField(_("key (SHA-256, first 16)"), max_length=16, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="limit_hits",
        verbose_name=_("user"),
    )
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("limit reached")
        verbose_name_plural = _("limits reached")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="accounts_limithit_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
