"""Writes for apps and tokens: register an OAuth app, revoke an app's access, make and revoke
personal access tokens."""

from __future__ import annotations

import dataclasses

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

from api.models import PersonalAccessToken, new_token, token_hash
from api.scopes import SCOPE_DESCRIPTIONS


@dataclasses.dataclass(frozen=True)
class NewApplication:
    application: object
    client_secret: str  # shown once: only its hash is stored


@transaction.atomic
def application_register(
    *, user, name: str, redirect_uris: str, confidential: bool
) -> NewApplication:
    Application = get_application_model()
    # A public client (an app on the user's device) gets no secret to keep: PKCE stands for it.
    secret = generate_client_secret() if confidential else ""
    application = Application(
        user=user,
        name=name.strip(),
        redirect_uris=" ".join(redirect_uris.split()),
        client_type=Application.CLIENT_CONFIDENTIAL if confidential else Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm="",
    )
    if confidential:
        application.client_secret = secret
    application.full_clean(exclude=["client_secret"])
    application.save()
    return NewApplication(application, secret)


@transaction.atomic
def application_delete(*, user, application_pk: int) -> bool:
    """Delete one of ``user``'s apps, and with it every token it was given."""
    deleted, _rows = get_application_model().objects.filter(pk=application_pk, user=user).delete()
    return deleted > 0


def authorized_applications(user) -> list[dict]:
    """The apps ``user`` gave access to, with the scopes and since when."""
    AccessToken = get_access_token_model()
    RefreshToken = get_refresh_token_model()
    apps: dict[int, dict] = {}
    tokens = AccessToken.objects.filter(user=user, application__isnull=False).select_related(
        "application"
    )
    refreshes = RefreshToken.objects.filter(
        user=user, revoked__isnull=True, application__isnull=False
    ).select_related("application")
    for token in [*tokens, *refreshes]:
        entry = apps.setdefault(
            token.application_id,
            {"application": token.application, "scopes": set(), "since": token.created},
        )
        entry["since"] = min(entry["since"], token.created)
        scope = getattr(token, "scope", None)
        if scope is None and getattr(token, "access_token", None) is not None:
            scope = token.access_token.scope
        entry["scopes"].update((scope or "").split())
    for entry in apps.values():
        entry["scopes"] = [
            SCOPE_DESCRIPTIONS[s] for s in SCOPE_DESCRIPTIONS if s in entry["scopes"]
        ]
    return sorted(apps.values(), key=lambda entry: entry["application"].name.lower())


@transaction.atomic
def authorization_revoke(*, user, application_pk: int) -> None:
    """Take back every token and code ``user`` gave this app: its calls answer 401 at once."""
    application = get_application_model().objects.filter(pk=application_pk).first()
    if application is None:
        return
    for model in (get_refresh_token_model(), get_access_token_model(), get_grant_model()):
        model.objects.filter(user=user, application=application).delete()


@dataclasses.dataclass(frozen=True)
class NewToken:
    token: PersonalAccessToken
    secret: str  # shown once


def personal_token_create(*, user, name: str, scopes: list[str]) -> NewToken:
    secret = new_token()
    known = [scope for scope in SCOPE_DESCRIPTIONS if scope in scopes]
    token = PersonalAccessToken.objects.create(
        user=user,
        name=name.strip(),
        token_hash=token_hash(secret),
        token_start=secret[: len("flattr_pat_") + 4],
        scope=" ".join(known),
    )
    return NewToken(token, secret)


def personal_token_revoke(*, user, token_pk: int) -> bool:
    deleted, _rows = PersonalAccessToken.objects.filter(pk=token_pk, user=user).delete()
    return deleted > 0
