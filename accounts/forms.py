from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.legal import accept_documents, current_documents
from accounts.limits import signup_refusal
from accounts.models import RetiredHandle, User, handle_validator
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
    accept_documents = forms.BooleanField(
        label=_("I accept the terms of service and the privacy policy"),
        error_messages={"required": _("Accept the terms of service and the privacy policy.")},
    )

    field_order = ["email", "handle", "display_name", "password1", "password2", "accept_documents"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The versions shown are the ones accepted (a version published meanwhile is asked
        # for at the next page). Without any published document there is nothing to accept.
        self.documents = current_documents()
        if not self.documents:
            del self.fields["accept_documents"]
        else:
            from django.urls import reverse
            from django.utils.html import format_html, format_html_join

            self.fields["accept_documents"].help_text = format_html_join(
                " · ",
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                (
                    (reverse("legal_document", args=[doc.kind]), doc.get_kind_display())
                    for doc in self.documents
                ),
            ) or format_html("")

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"]
        if (
            User.objects.filter(handle__iexact=handle).exists()
            or RetiredHandle.is_retired(handle)
            or handle.lower().startswith(User.CLOSED_PREFIX)
        ):
            raise forms.ValidationError(_("This handle is taken. Please choose another one."))
        return handle

    def clean(self):
        cleaned = super().clean()
        # Counted only for a sign-up that would otherwise go through (docs/PRODUCT.md,
        # First payouts and velocity): a typo in the form is not a sign-up.
        if not self.errors:
            refused = signup_refusal(context.request)
            if refused:
                raise forms.ValidationError(refused)
        return cleaned

    def save(self, request):
        user = super().save(request)
        user.handle = self.cleaned_data["handle"]
        user.display_name = self.cleaned_data.get("display_name", "")
        user.save(update_fields=["handle", "display_name"])
        accept_documents(user=user, documents=self.documents)
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


class EmailChoicesForm(forms.Form):
    """Which optional e-mails the user gets (PRODUCT.md, "Leaving")."""

    monthly_emails = forms.BooleanField(
        label=_("Monthly summaries after each payday"), required=False
    )
    payout_emails = forms.BooleanField(label=_("A notice when a payout is sent"), required=False)
    news_emails = forms.BooleanField(label=_("Product news"), required=False)


class AcceptDocumentsForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read and accept these documents"),
        error_messages={"required": _("Tick the box to accept the documents.")},
    )
