"""Forms of the wallet page. They only parse and validate; services do the work."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from flattr_clone.money import parse_amount_to_cents
from payouts.funding.budgets import BudgetError, budget_validate
from payouts.funding.topups import TopUpError, topup_validate_amount


def _cents(text: str) -> int:
    """The amount typed in the reader's language, in cents; the error shows that format."""
    try:
        return parse_amount_to_cents(text)
    except ValueError as error:
        raise forms.ValidationError(str(error), code="invalid") from error


class BudgetForm(forms.Form):
    amount = forms.CharField(
        label=_("Monthly budget"),
        max_length=20,
        help_text=_("What you give each month, shared among the creators you flattr."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_amount(self) -> int:
        cents = _cents(self.cleaned_data["amount"])
        try:
            budget_validate(cents)
        except BudgetError as error:
            raise forms.ValidationError(str(error), code="range") from error
        return cents


class TopUpForm(forms.Form):
    """Either a preset (one button each) or a custom amount typed by the reader."""

    preset = forms.IntegerField(required=False, widget=forms.HiddenInput)
    custom_amount = forms.CharField(
        label=_("Another amount"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        preset, custom = data.get("preset"), (data.get("custom_amount") or "").strip()
        if preset is not None and not custom:
            if preset not in settings.TOP_UP_PRESETS_CENTS:
                raise forms.ValidationError(_("Choose one of the amounts offered."))
            data["amount_cents"] = preset
            return data
        if not custom:
            raise forms.ValidationError(_("Choose an amount to add to your wallet."))
        cents = _cents(custom)
        try:
            topup_validate_amount(cents)
        except TopUpError as error:
            raise forms.ValidationError(str(error)) from error
        data["amount_cents"] = cents
        return data
