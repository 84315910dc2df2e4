"""Writes on user accounts."""

from .models import User


def user_update_preferences(*, user: User, display_name: str, monthly_emails: bool) -> User:
    """Save the user's public display name and whether they get the monthly summary."""
    user.display_name = display_name.strip()
    user.monthly_emails = monthly_emails
    user.save(update_fields=["display_name", "monthly_emails"])
    return user
