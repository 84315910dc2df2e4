from django import forms
from django.utils.translation import gettext_lazy as _

from tips.feeds.models import Feed


class FeedForm(forms.Form):
    url = forms.CharField(
        label=_("Feed address"),
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/feed.xml"}),
        help_text=_("An RSS or Atom feed (a podcast feed too) on a site you verified."),
    )
    mode = forms.ChoiceField(
        label=_("New entries"),
        choices=Feed.Mode.choices,
        initial=Feed.Mode.SUGGEST,
        widget=forms.RadioSelect,
    )
