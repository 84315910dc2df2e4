from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from flattr_clone.ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        # There is no username; give the user a handle before the first save.
        if not user.handle:
            user.handle = type(user).handle_from_email(user.email)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's per-IP limits count per client, found behind TRUSTED_PROXY_COUNT proxies
        # by the same rule as ours (allauth's own raises a server error on a short header).
        return client_ip(request)
