"""Forms parse and check input; the services in tips.things.services do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tips.things.canonical import InvalidURL, canonical_url
from tips.things.models import Category
from tips.things.services import (
    DESCRIPTION_MAX_LENGTH,
    TAGS_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    url_claim_error,
)


class ThingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    language = forms.CharField(
        label=_("Language"),
        required=False,
        max_length=10,
        help_text=_("A language code such as en or fr (optional)."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=TAGS_MAX_LENGTH,
        help_text=_("Comma-separated, for example: music, podcast."),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=Category.choices, initial=Category.REST, required=False
    )
    image = forms.URLField(
        label=_("Image (URL)"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text=_("The address of a picture of it, for listings (optional)."),
    )
    hidden = forms.BooleanField(
        label=_("Hide from listings"),
        required=False,
        help_text=_("Left out of your profile, listings and search; its button still works."),
    )

    def clean_category(self) -> str:
        return self.cleaned_data["category"] or Category.REST


class NewThingForm(ThingForm):
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=2000,
        help_text=_("The web address of your article, video, song or code."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    field_order = ["url", "title", "description", "language", "tags", "category", "image"]

    def __init__(self, *args, owner, **kwargs):
        self.owner = owner
        super().__init__(*args, **kwargs)

    def clean_url(self) -> str:
        try:
            url = canonical_url(self.cleaned_data["url"])
        except InvalidURL as error:
            raise forms.ValidationError(error.message) from error
        error = url_claim_error(url, self.owner)
        if error is not None:
            raise forms.ValidationError(error.message_dict["url"])
        return url
