from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import User, handle_validator
from flattr_clone.control_characters import validate_plain_text


class SignupForm(AllauthSignupForm):
    """allauth's sign-up plus the public handle and display name."""

    handle = forms.CharField(
        label=_("Handle"),
        max_length=30,
        validators=[handle_validator],
        help_text=_("Your public name in profile addresses, like /@handle."),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        validators=[validate_plain_text],
    )

    field_order = ["email", "handle", "display_name", "password1", "password2"]

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"]
        if User.objects.filter(handle__iexact=handle).exists():
            raise forms.ValidationError(_("This handle is taken. Please choose another one."))
        return handle

    def save(self, request):
        user = super().save(request)
        user.handle = self.cleaned_data["handle"]
        user.display_name = self.cleaned_data.get("display_name", "")
        user.save(update_fields=["handle", "display_name"])
        return user


class PreferencesForm(forms.Form):
    """The account settings a user edits themselves (the handle is fixed: it is in URLs)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown to creators and readers instead of your handle."),
        validators=[validate_plain_text],
    )
    monthly_emails = forms.BooleanField(
        label=_("Send me a summary after each payday"),
        required=False,
    )
    public_flattrs = forms.BooleanField(
        label=_("Make my flattrs public"),
        required=False,
        help_text=_(
            "Apps and other people can then see which things you flattr. Off: nobody but you."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        choices=[("", _("The site's default language"))] + list(settings.LANGUAGES),
        required=False,
    )
