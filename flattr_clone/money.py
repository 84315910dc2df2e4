"""Integer cents for people: formatting them, and reading an amount a person typed.

Amounts stay integers until the last step of formatting and from the first step of
parsing: no float and no ``Decimal`` ever holds money here.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "SEK": "kr", "DKK": "kr", "NOK": "kr"}


# Languages that write the symbol after the number ("12,50 €").
_SYMBOL_AFTER = {"fr", "de", "es", "it", "nl", "sv", "da", "nb", "pl", "pt"}

# A space, a no-break space or a narrow no-break space: what people (and Django's formats,
# depending on the version) put between groups of thousands in languages that use a space.
_SPACES = (" ", "\u00a0", "\u202f")

# ASCII digits only: ``\d`` and ``int()`` would also take "١٢" (Arabic-Indic) or "1_000".
# At most 15 for the whole units (as before: below 10**15), checked before ``int()``.
_DIGITS = re.compile(r"[0-9]{1,15}")
_CENTS = re.compile(r"[0-9]{1,2}")


def _language(language: str | None) -> str:
    return (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def _symbol(currency: str | None) -> str:
    currency = (currency or settings.PLATFORM_CURRENCY).upper()
    return _SYMBOLS.get(currency, currency)


def _grouped(whole: int, language: str) -> str:
    """``1234`` → ``"1,234"`` in English, ``"1 234"`` (no-break space) in French."""
    with translation.override(language):
        return formats.number_format(whole, 0, use_l10n=True, force_grouping=True)


def _decimal_separator(language: str) -> str:
    return formats.get_format("DECIMAL_SEPARATOR", lang=language, use_l10n=True)


def format_amount(cents: int, language: str | None = None) -> str:
    """``123450`` → ``"1,234.50"`` in English, ``"1 234,50"`` in French: the number alone,
    as a person types it in that language (``parse_amount_to_cents`` reads it back)."""
    language = _language(language)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}{_grouped(whole, language)}{_decimal_separator(language)}{part:02d}"


def format_cents(cents: int, currency: str | None = None, language: str | None = None) -> str:
    """``1250`` → ``"€12.50"`` in English, ``"12,50 €"`` in French."""
    language = _language(language)
    amount = format_amount(abs(int(cents)), language)
    sign = "-" if cents < 0 else ""
    symbol = _symbol(currency)
    if language in _SYMBOL_AFTER:
        return f"{sign}{amount}\u00a0{symbol}"
    return f"{sign}{symbol}{amount}"


def parse_amount_to_cents(text: str, language: str | None = None) -> int:
    """An amount typed in the format of ``language`` (default: the active one) → cents.

    English: ``12``, ``12.5``, ``12.50``, ``1,000.50`` (``1,000`` is one thousand). French:
    ``12``, ``12,50``, ``1 000,50``. At most two decimals; thousands are either not grouped
    at all, or grouped with the language's separator (a space, no-break space or narrow
    no-break space where that is a space) at exactly the right places. A minus sign in front
    and the platform currency's symbol where ``format_cents`` writes it are allowed, so that
    every amount the platform shows reads back as the same cents.

    Raises ``ValueError`` for anything else (other digits such as "١٢", exponents, "1_000",
    misplaced separators, "1,00" in English, "12.50" in French), with a translated message
    that shows the expected format.
    """
    language = _language(language)
    number = str(text).strip()
    negative = number.startswith("-")
    if negative:
        number = number[1:]
    symbol = _symbol(None)
    if language in _SYMBOL_AFTER:
        if number.endswith(symbol):
            number = number[: -len(symbol)].rstrip("".join(_SPACES))
    elif number.startswith(symbol):
        number = number[len(symbol) :].lstrip("".join(_SPACES))
    whole_text, separator, cents_text = number.partition(_decimal_separator(language))
    whole = _whole_units(whole_text, language)
    if whole is None or (separator and not _CENTS.fullmatch(cents_text)):
        with translation.override(language):
            message = _("Enter an amount such as %(small)s or %(large)s.") % {
                "small": format_amount(1250, language),
                "large": format_amount(123450, language),
            }
        raise ValueError(message)
    cents = whole * 100 + int(cents_text.ljust(2, "0") if separator else "0")
    return -cents if negative else cents


def _whole_units(text: str, language: str) -> int | None:
    """The whole units of ``text``: plain digits, or digits grouped exactly as ``language``
    groups them; None for anything else."""
    if _DIGITS.fullmatch(text):
        return int(text)
    digits = text
    for separator in _group_separators(language):
        digits = digits.replace(separator, "")
    if not _DIGITS.fullmatch(digits):
        return None
    # Grouped: every separator must sit where the language puts one ("1,000", not "1,00").
    if _one_space(text) != _one_space(_grouped(int(digits), language)):
        return None
    return int(digits)


def _group_separators(language: str) -> tuple[str, ...]:
    separator = formats.get_format("THOUSAND_SEPARATOR", lang=language, use_l10n=True)
    return _SPACES if separator in _SPACES else (separator,)


def _one_space(text: str) -> str:
    for space in _SPACES:
        text = text.replace(space, " ")
    return text
