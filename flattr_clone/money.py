"""Formatting integer cents for people. Amounts stay integers until this last step."""

from __future__ import annotations

from django.conf import settings
from django.utils import formats, translation

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "SEK": "kr", "DKK": "kr", "NOK": "kr"}


# Languages that write the symbol after the number ("12,50 €").
_SYMBOL_AFTER = {"fr", "de", "es", "it", "nl", "sv", "da", "nb", "pl", "pt"}


def format_cents(cents: int, currency: str | None = None, language: str | None = None) -> str:
    """``1250`` → ``"€12.50"`` in English, ``"12,50 €"`` in French."""
    currency = (currency or settings.PLATFORM_CURRENCY).upper()
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    with translation.override(language):
        number = formats.number_format(whole, 0, use_l10n=True, force_grouping=True)
        decimal_sep = formats.get_format("DECIMAL_SEPARATOR", lang=language, use_l10n=True)
    amount = f"{number}{decimal_sep}{part:02d}"
    symbol = _SYMBOLS.get(currency, currency)
    if language in _SYMBOL_AFTER:
        return f"{sign}{amount}\u00a0{symbol}"
    return f"{sign}{symbol}{amount}"


def parse_amount_to_cents(text: str) -> int:
    """``"12.5"``, ``"12,50"`` or ``"12"`` → cents. ValueError for anything else (no floats)."""
    from decimal import Decimal, InvalidOperation

    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(f"{text!r} is not an amount") from error
    if not value.is_finite() or abs(value) >= Decimal("1e15"):
        raise ValueError(f"{text!r} is not an amount")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"{text!r} has more than two decimals")
    return int(value * 100)
