import time
import types
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from django.conf import settings
from django.http import HttpRequest

from flattr_clone.ratelimit import client_ip


def just_signed_in_with_password(request: HttpRequest | None) -> bool:
    """The user typed their password to sign in less than ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
    seconds ago (300 by default), in this session."""
    if request is None or not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    signed_in = [record for record in records if record.get("method") == "password"]
    if not signed_in:
        return False
    return time.time() - signed_in[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        # There is no username; give the user a handle before the first save.
        if not user.handle:
            user.handle = type(user).handle_from_email(user.email)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's per-IP limits count per client, found behind TRUSTED_PROXY_COUNT proxies
        # by the same rule as ours (allauth's own raises a server error on a short header).
        return client_ip(request)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # allauth asks for the password again before a sensitive change (activating two-factor
        # authentication, new recovery codes) even right after the sign-in, so an operator sent
        # from the login to the TOTP set-up typed it twice in a row. A password typed to sign
        # in within the same time window counts as that confirmation.
        if just_signed_in_with_password(context.request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth names the site by the request's host ("127.0.0.1:8000" in its greetings and
        # sign-off); people know it by SITE_NAME.
        site = types.SimpleNamespace(
            name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc
        )
        super().send_mail(template_prefix, email, {"current_site": site, **context})
