from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # Not "Accounts": allauth's e-mail addresses already have that section in the admin.
    verbose_name = _("Users")
    default = True

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.legal import forget_current_documents
        from accounts.models import LegalDocument

        def forget(sender, **kwargs):
            forget_current_documents()

        post_save.connect(forget, sender=LegalDocument, weak=False, dispatch_uid="legal.saved")
        post_delete.connect(forget, sender=LegalDocument, weak=False, dispatch_uid="legal.deleted")


class AdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with a site that demands two-factor authentication."""

    default = False  # named explicitly in INSTALLED_APPS
    default_site = "accounts.admin_site.PlatformAdminSite"
