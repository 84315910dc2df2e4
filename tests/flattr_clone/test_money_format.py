import pytest

from flattr_clone.money import format_cents, parse_amount_to_cents


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


@pytest.mark.parametrize(("text", "cents"), [("12", 1200), ("12.5", 1250), ("12,50", 1250)])
def test_typed_amounts_become_cents(text, cents):
    assert parse_amount_to_cents(text) == cents


@pytest.mark.parametrize("text", ["", "abc", "1.234", "1e40", "NaN", "Infinity"])
def test_anything_else_is_a_clear_value_error(text):
    with pytest.raises(ValueError):
        parse_amount_to_cents(text)
