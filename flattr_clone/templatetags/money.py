from django import template

from flattr_clone.money import format_cents

register = template.Library()


@register.filter
def money(cents) -> str:
    """``{{ amount_cents|money }}``: integer cents, formatted for the active language."""
    if cents is None or cents == "":
        return ""
    return format_cents(int(cents))
