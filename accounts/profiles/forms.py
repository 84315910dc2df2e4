from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.profiles.bios import BIO_MAX_LENGTH
from accounts.profiles.services import MAX_LINKS


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown to creators and readers instead of your handle."),
    )
    bio = forms.CharField(
        label=_("Bio"),
        max_length=BIO_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "A few words about you and your work. Markdown: *emphasis*, **bold**, [links](https://…)."
        ),
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}
        ),
        help_text=_("A JPEG, PNG, GIF or WebP image of 2 MB at most; we crop it to a square."),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_LINKS + 1):
            self.fields[f"link_{n}"] = forms.CharField(
                label=_("Link %(number)s") % {"number": n},
                max_length=300,
                required=False,
                widget=forms.URLInput(attrs={"placeholder": "https://"}),
            )

    def links(self) -> list[str]:
        return [self.cleaned_data.get(f"link_{n}", "") for n in range(1, MAX_LINKS + 1)]
