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

    # Readers' clicks are private unless they say otherwise (the API's /flattrs lists).
    public_flattrs = models.BooleanField(
        _("public flattrs"),
        default=False,
        help_text=_("Show which things I flattr on my public lists (the API's flattrs)."),
    )

    objects = UserManager()

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
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def get_absolute_url(self) -> str:
        return reverse("tips:profile", kwargs={"handle": self.handle})

    @classmethod
    def handle_from_email(cls, email: str) -> str:
        """A free handle derived from the local part of an e-mail address."""
        import re

        base = re.sub(r"[^a-zA-Z0-9_]", "_", email.split("@")[0])[:24].strip("_") or "user"
        if len(base) < 2:
            base = f"{base}_u"
        candidate, n = base, 1
        while cls.objects.filter(handle__iexact=candidate).exists():
            n += 1
            candidate = f"{base}{n}"
        return candidate
