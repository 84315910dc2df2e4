from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # Not "Accounts": allauth's e-mail addresses already have that section in the admin.
    verbose_name = _("Users")
    default = True


class AdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with a site that demands two-factor authentication."""

    default = False  # named explicitly in INSTALLED_APPS
    default_site = "accounts.admin_site.PlatformAdminSite"
