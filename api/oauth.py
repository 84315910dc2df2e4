"""OAuth 2 glue for django-oauth-toolkit: token requests in form or JSON (PKCE by client type
is ``flattr_clone.settings._pkce_required``)."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _
from oauth2_provider import views as oauth_views
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_backends import OAuthLibCore


class FormOrJSONOAuthLibCore(OAuthLibCore):
    """Reads ``/oauth/token`` bodies form-encoded (the standard) or as JSON (old clients)."""

    def extract_body(self, request):
        if request.content_type == "application/json":
            try:
                data = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return []
            if not isinstance(data, dict):
                return []
            return [(str(key), str(value)) for key, value in data.items()]
        return super().extract_body(request)


class AuthorizationView(oauth_views.AuthorizationView):
    """django-oauth-toolkit's consent view; a consent posted for an unknown app answers the
    error page (400) instead of a server error."""

    def form_valid(self, form):
        client_id = form.cleaned_data.get("client_id")
        if not get_application_model().objects.filter(client_id=client_id).exists():
            error = {
                "error": "invalid_client",
                "description": _("This app is not registered here."),
            }
            return self.render_to_response(
                self.get_context_data(form=form, error=error), status=400
            )
        return super().form_valid(form)
