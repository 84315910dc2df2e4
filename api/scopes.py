"""The four scopes of Flattr's API, described in plain words on the consent page."""

from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import SettingsScopes

SCOPE_DESCRIPTIONS = {
    "flattr": _("Flattr things for you, from your monthly budget."),
    "thing": _("Register things in your name, and edit or retire them."),
    "email": _("See your e-mail address."),
    "extendedread": _("See more about your account, such as when you joined."),
}


class FlattrScopes(SettingsScopes):
    def get_all_scopes(self):
        return dict(SCOPE_DESCRIPTIONS)
