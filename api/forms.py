"""Forms of the apps and tokens pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from api.scopes import SCOPE_DESCRIPTIONS


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    redirect_uris = forms.CharField(
        label=_("Redirect addresses"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where we send people back after they allow your app; one address a line."),
    )
    confidential = forms.TypedChoiceField(
        label=_("Kind of app"),
        choices=[
            ("1", _("Confidential: it runs on a server and can keep a secret")),
            ("0", _("Public: it runs on people's devices (it must use PKCE)")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )


class PersonalTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What the token is for, for example: my backup script."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=[(scope, text) for scope, text in SCOPE_DESCRIPTIONS.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Reading public data needs no scope."),
        required=False,
    )


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Address to POST events to"),
        max_length=2000,
        assume_scheme="https",
        help_text=_("We send a signed POST there on each flattr of your things and after payday."),
    )
