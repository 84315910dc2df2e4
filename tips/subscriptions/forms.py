"""The subscribe form: how long to flattr a thing every month."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tips.subscriptions.models import DURATIONS

UNTIL_CANCELLED = "ongoing"


def duration_choices() -> list[tuple[str, str]]:
    return [
        *((str(months), _("%(months)s months") % {"months": months}) for months in DURATIONS),
        (UNTIL_CANCELLED, _("Until I cancel")),
    ]


class SubscribeForm(forms.Form):
    months = forms.ChoiceField(
        label=_("For how long"),
        choices=duration_choices,
        initial=UNTIL_CANCELLED,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose 3, 6 or 12 months, or until you cancel."),
            "invalid_choice": _("Choose 3, 6 or 12 months, or until you cancel."),
        },
    )

    def clean_months(self) -> int | None:
        """The number of months, or None for "until I cancel"."""
        value = self.cleaned_data["months"]
        return None if value == UNTIL_CANCELLED else int(value)
