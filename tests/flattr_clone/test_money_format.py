import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from flattr_clone.money import format_amount, format_cents, parse_amount_to_cents

LANGUAGES = ["en", "fr"]


@pytest.mark.parametrize(
    ("cents", "language", "shown"),
    [
        (1250, "en", "€12.50"),
        (123456, "en", "€1,234.56"),
        (5, "en", "€0.05"),
        (-5, "en", "-€0.05"),
        (1250, "fr", "12,50\u00a0€"),
    ],
)
def test_cents_are_shown_in_the_readers_language(cents, language, shown):
    assert format_cents(cents, "EUR", language) == shown


@pytest.mark.parametrize(
    ("cents", "language", "shown"),
    [(1250, "en", "12.50"), (123450, "en", "1,234.50"), (123450, "fr", "1\u00a0234,50")],
)
def test_the_number_alone_is_what_a_reader_types(cents, language, shown):
    assert format_amount(cents, language) == shown


# --- Reading a typed amount (issue 12) -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "cents"),
    [
        ("12", "en", 1200),
        ("12.5", "en", 1250),
        ("12.50", "en", 1250),
        ("1,000.50", "en", 100050),
        ("1000.50", "en", 100050),
        ("1,234,567.89", "en", 123456789),
        (" 7.50 ", "en", 750),
        ("€12.50", "en", 1250),
        ("12", "fr", 1200),
        ("12,5", "fr", 1250),
        ("12,50", "fr", 1250),
        ("1 000,50", "fr", 100050),
        ("1\u00a0000,50", "fr", 100050),
        ("1\u202f000,50", "fr", 100050),
        ("1000,50", "fr", 100050),
        ("12,50 €", "fr", 1250),
    ],
)
def test_typed_amounts_in_the_readers_format_become_cents(text, language, cents):
    assert parse_amount_to_cents(text, language) == cents


def test_one_thousand_in_english_is_one_thousand_never_one():
    assert parse_amount_to_cents("1,000", "en") == 100000


def test_the_active_language_is_the_default():
    with translation.override("fr"):
        assert parse_amount_to_cents("12,50") == 1250
    with translation.override("en"):
        assert parse_amount_to_cents("12.50") == 1250


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("١٢", "en"),  # Arabic-Indic digits
        ("١٢", "fr"),
        ("１２", "en"),  # full-width digits
        ("1e1", "en"),
        ("1E1", "fr"),
        ("1_000", "en"),
        ("1_000", "fr"),
        ("12,50", "en"),  # a decimal comma is French
        ("1,00", "en"),  # a group of two digits
        ("1,0000", "en"),
        ("10,00.50", "en"),
        ("01,000", "en"),
        (",500", "en"),
        ("1 000.50", "en"),  # English groups with commas
        ("12.50", "fr"),  # a decimal point is English
        ("1,000", "fr"),  # three decimals
        ("1.000,50", "fr"),
        ("10 00,50", "fr"),
        ("12.", "en"),
        (".5", "en"),
        ("12,", "fr"),
        ("1.234", "en"),
        ("", "en"),
        ("abc", "en"),
        ("NaN", "en"),
        ("Infinity", "en"),
        ("1e40", "en"),
        ("+12", "en"),
        ("12 €", "en"),
        ("€12,50", "fr"),
        ("1000000000000000", "en"),  # 10**15 units and more, as before
        ("1,000,000,000,000,000", "en"),
        ("1" * 5000, "en"),  # longer than int() reads: still the clear refusal
    ],
)
def test_anything_else_is_refused(text, language):
    with pytest.raises(ValueError):
        parse_amount_to_cents(text, language)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter an amount such as 12.50 or 1,234.50."),
        ("fr", "12,50"),
    ],
)
def test_the_refusal_shows_the_expected_format_in_the_readers_language(language, message):
    with pytest.raises(ValueError) as refused, translation.override(language):
        parse_amount_to_cents("1e1")

    assert message in str(refused.value)


cents = st.integers(min_value=-(10**17) + 1, max_value=10**17 - 1)


@given(cents=cents, language=st.sampled_from(LANGUAGES))
def test_every_amount_the_platform_shows_reads_back_as_the_same_cents(cents, language):
    assert parse_amount_to_cents(format_cents(cents, language=language), language) == cents
    assert parse_amount_to_cents(format_amount(cents, language), language) == cents


@given(cents=st.integers(min_value=0, max_value=10**17 - 1), language=st.sampled_from(LANGUAGES))
def test_an_amount_without_grouping_reads_back_too(cents, language):
    whole, part = divmod(cents, 100)
    separator = "." if language == "en" else ","

    assert parse_amount_to_cents(f"{whole}{separator}{part:02d}", language) == cents


@given(
    text=st.text(alphabet="0123456789.,  \u00a0\u202f-_eE١", max_size=12),
    language=st.sampled_from(LANGUAGES),
)
def test_whatever_is_typed_the_answer_is_cents_or_a_value_error(text, language):
    try:
        result = parse_amount_to_cents(text, language)
    except ValueError:
        return
    assert isinstance(result, int)
    inner = text.strip()  # surrounding spaces are not part of the amount
    assert not set(inner) & set("_eE١")  # no exponent, underscore or other digits
    assert ("." not in inner) if language == "fr" else not set(inner) & {" ", "\u00a0", "\u202f"}
