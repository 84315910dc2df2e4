# ruff: noqa: E501  (the strings must be exactly those of the catalogues they override)
"""Third-party strings whose French we word our way, so every page says "e-mail".

allauth's and Django's own French catalogues say "courriel", "email" or "mail" here and
there; our catalogue (``LOCALE_PATHS`` comes first) gives these messages the platform's one
word. ``makemessages`` reads the strings below, so the overrides stay in django.po. Nothing
imports this module at run time.
"""

from django.utils.translation import gettext_noop

OVERRIDDEN = [
    gettext_noop("Email"),
    gettext_noop("email address"),
    gettext_noop("Enter Email Verification Code"),
    gettext_noop(
        "You are receiving this email because you or someone else tried to signup for an\naccount using email address:\n\n%(email)s\n\nHowever, an account using that email address already exists.  In case you have\nforgotten about this, please use the password forgotten procedure to recover\nyour account:\n\n%(password_reset_url)s"
    ),
    gettext_noop("This mail can be safely ignored if you did not initiate this action."),
    gettext_noop(
        "You are receiving this email because you, or someone else, tried to access an account with email %(email)s. However, we do not have any record of such an account in our database."
    ),
    gettext_noop(
        "We have sent an email to you for\nverification. Please click on the link inside that email. If you do not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if you do not receive it within a few minutes."
    ),
    gettext_noop("The following email address is associated with your account:"),
    gettext_noop("Enter a valid email address."),
]
