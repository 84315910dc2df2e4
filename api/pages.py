"""The web pages of the API: a user's applications, the apps they authorized, their personal
access tokens, and the API documentation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from oauth2_provider.models import get_application_model

from api.forms import ApplicationForm, PersonalTokenForm, WebhookForm
from api.models import PersonalAccessToken, WebhookEndpoint
from api.scopes import SCOPE_DESCRIPTIONS
from api.services import (
    application_delete,
    application_register,
    authorization_revoke,
    authorized_applications,
    personal_token_create,
    personal_token_revoke,
)
from api.webhooks import endpoint_delete, endpoint_save, event_queue


def _field_errors(form, error: ValidationError) -> None:
    names = {"redirect_uris": "redirect_uris", "name": "name"}
    for field, errors in error.message_dict.items():
        form.add_error(names.get(field), errors)


@login_required
@require_http_methods(["GET", "POST"])
def applications(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = application_register(
                user=request.user,
                name=form.cleaned_data["name"],
                redirect_uris=form.cleaned_data["redirect_uris"],
                confidential=form.cleaned_data["confidential"],
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            form = ApplicationForm()
    apps = get_application_model().objects.filter(user=request.user).order_by("name", "pk")
    return render(
        request,
        "api/applications.html",
        {"form": form, "applications": apps, "created": created},
        status=400 if request.method == "POST" and created is None else 200,
    )


@login_required
@require_POST
def application_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if application_delete(user=request.user, application_pk=pk):
        messages.success(request, _("The app is deleted; its tokens no longer work."))
    return redirect("api:applications")


@login_required
def authorized(request: HttpRequest) -> HttpResponse:
    return render(
        request, "api/authorized.html", {"authorized": authorized_applications(request.user)}
    )


@login_required
@require_POST
def authorized_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    authorization_revoke(user=request.user, application_pk=pk)
    messages.success(request, _("The app no longer has access to your account."))
    return redirect("api:authorized")


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = PersonalTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        created = personal_token_create(
            user=request.user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
        )
        form = PersonalTokenForm()
    rows = [
        {
            "token": token,
            "scopes": [SCOPE_DESCRIPTIONS[s] for s in token.scopes if s in SCOPE_DESCRIPTIONS],
        }
        for token in PersonalAccessToken.objects.filter(user=request.user)
    ]
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": rows, "created": created},
        status=400 if request.method == "POST" and created is None else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if personal_token_revoke(user=request.user, token_pk=pk):
        messages.success(request, _("The token is revoked; it no longer works."))
    return redirect("api:tokens")


@login_required
@require_http_methods(["GET", "POST"])
def integrations(request: HttpRequest) -> HttpResponse:
    endpoint = WebhookEndpoint.objects.filter(user=request.user).first()
    form = WebhookForm(request.POST or None, initial={"url": endpoint.url if endpoint else ""})
    if request.method == "POST" and form.is_valid():
        endpoint_save(user=request.user, url=form.cleaned_data["url"])
        messages.success(request, _("Your webhook address is saved."))
        return redirect("api:integrations")
    deliveries = endpoint.deliveries.all()[:20] if endpoint else []
    return render(
        request,
        "api/integrations.html",
        {"form": form, "endpoint": endpoint, "deliveries": deliveries},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def integrations_test(request: HttpRequest) -> HttpResponse:
    event_queue(user=request.user, event_type="ping", data={"message": "hello"})
    messages.success(request, _("A test event is on its way."))
    return redirect("api:integrations")


@login_required
@require_POST
def integrations_delete(request: HttpRequest) -> HttpResponse:
    endpoint_delete(user=request.user)
    messages.success(request, _("Webhooks are off: nothing more is sent."))
    return redirect("api:integrations")
