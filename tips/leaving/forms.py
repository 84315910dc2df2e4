from django import forms
from django.utils.translation import gettext_lazy as _

from flattr_clone.money import parse_amount_to_cents


class WithdrawForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount to withdraw"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Leave as it is to withdraw everything you can."),
    )

    def clean_amount(self) -> int:
        try:
            return parse_amount_to_cents(self.cleaned_data["amount"].strip())
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that closing my account cannot be undone"),
        error_messages={"required": _("Tick the box to confirm that you want to close.")},
    )
