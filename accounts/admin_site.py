"""The operators' admin: signed in through allauth, and only with two-factor authentication.

Django's own admin login form is never shown. Visitors are sent to allauth's login
(which challenges the second factor of users who have one); staff who have no
authenticator app yet are sent to activate one before any admin page opens.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache


def has_totp(user) -> bool:
    return is_mfa_enabled(user, types=[Authenticator.Type.TOTP])


class PlatformAdminSite(admin.AdminSite):
    index_title = _("Operations")

    @property
    def site_header(self) -> str:
        return _("%(site)s operations") % {"site": settings.SITE_NAME}

    @property
    def site_title(self) -> str:
        return _("%(site)s admin") % {"site": settings.SITE_NAME}

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and has_totp(request.user)

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Send the visitor wherever they can satisfy the admin's requirements."""
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("account_login"))
        if not (user.is_active and user.is_staff):
            messages.error(request, _("Your account has no access to the administration."))
            return redirect("home")
        if not has_totp(user):
            messages.warning(
                request,
                _(
                    "Operators must use two-factor authentication. Activate an "
                    "authenticator app, then open the administration again."
                ),
            )
            return redirect("mfa_activate_totp")
        return HttpResponseRedirect(next_url)
