from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user) -> None:
        # There is no username; give the user a handle before the first save.
        if not user.handle:
            user.handle = type(user).handle_from_email(user.email)
