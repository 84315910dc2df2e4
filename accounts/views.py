from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n

from accounts.admin_site import has_totp
from accounts.forms import PreferencesForm
from accounts.services import user_remember_language, user_update_preferences


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            user_update_preferences(
                user=user,
                display_name=form.cleaned_data["display_name"],
                monthly_emails=form.cleaned_data["monthly_emails"],
                language=form.cleaned_data["language"],
                public_flattrs=form.cleaned_data["public_flattrs"],
            )
            messages.success(request, _("Your settings were saved."))
            return redirect("account_settings")
    else:
        form = PreferencesForm(
            initial={
                "display_name": user.display_name,
                "monthly_emails": user.monthly_emails,
                "language": user.language,
                "public_flattrs": user.public_flattrs,
            }
        )
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "form_attrs": {"form": form}, "has_totp": has_totp(user)},
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switcher; a logged-in user's choice also becomes their e-mail language."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_remember_language(user=request.user, language=request.POST.get("language", ""))
    return response
