import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from api.services import personal_token_create
from tests.factories import UserFactory


class ApiClient:
    """Calls the API through the real URL conf, as a script would: a bearer token, JSON or
    form bodies."""

    def __init__(self, token: str = ""):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, data=None, **headers):
        return self.client.get(path, data, headers={**self.headers, **headers})

    def _send(self, method, path, data, as_json, headers):
        send = getattr(self.client, method)
        if as_json:
            return send(
                path,
                json.dumps(data or {}),
                content_type="application/json",
                headers={**self.headers, **headers},
            )
        return send(
            path,
            urlencode(data or {}),
            content_type="application/x-www-form-urlencoded",
            headers={**self.headers, **headers},
        )

    def post(self, path, data=None, *, as_json=True, **headers):
        return self._send("post", path, data, as_json, headers)

    def patch(self, path, data=None, *, as_json=True, **headers):
        return self._send("patch", path, data, as_json, headers)

    def put(self, path, data=None, *, as_json=True, **headers):
        return self._send("put", path, data, as_json, headers)

    def delete(self, path, **headers):
        return self.client.delete(path, headers={**self.headers, **headers})


def api_as(user, *scopes) -> ApiClient:
    return ApiClient(personal_token_create(user=user, name="test", scopes=list(scopes)).secret)


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.fixture
def creator():
    return UserFactory(handle="alice", display_name="Alice Martin")
