"""OAuth 2 glue for django-oauth-toolkit: token requests in form or JSON (PKCE by client type
is ``flattr_clone.settings._pkce_required``)."""

from __future__ import annotations

import json

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
