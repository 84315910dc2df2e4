"""The profile editor and the avatars' addresses."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Avatar
from accounts.profiles.forms import ProfileForm
from accounts.profiles.services import MAX_LINKS, avatar_remove, avatar_set, profile_update

# An avatar's address holds its digest: a new image is a new address, so a year is safe.
AVATAR_MAX_AGE_SECONDS = 365 * 24 * 3600


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {"display_name": user.display_name, "bio": user.bio}
    for n, link in enumerate(user.links[:MAX_LINKS], start=1):
        initial[f"link_{n}"] = link
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # The image first: a refused image leaves the rest unsaved too.
            upload = form.cleaned_data.get("avatar")
            if upload:
                avatar_set(user=user, upload=upload)
            elif form.cleaned_data.get("remove_avatar"):
                avatar_remove(user=user)
            profile_update(
                user=user,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
                links=form.links(),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    target = field if field in form.fields else None
                    if field == "links":
                        target = "link_1"
                    form.add_error(target, errors)
            else:
                form.add_error("avatar", error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile_edit")
    return render(request, "accounts/profile_edit.html", {"form": form})


@require_GET
def avatar(request: HttpRequest, user_id: int, digest: str) -> HttpResponse:
    found = (
        Avatar.objects.filter(user_id=user_id, digest=digest)
        .only("image", "content_type", "updated_at")
        .first()
    )
    if found is None:
        raise Http404
    if request.headers.get("If-None-Match") == f'"{digest}"':
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(bytes(found.image), content_type=found.content_type)
    response["ETag"] = f'"{digest}"'
    response["Cache-Control"] = f"public, max-age={AVATAR_MAX_AGE_SECONDS}, immutable"
    response["Last-Modified"] = http_date(found.updated_at.timestamp())
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
