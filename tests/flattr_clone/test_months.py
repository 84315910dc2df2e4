"""Months are named ``YYYY-MM`` with four digits for the year, whatever the year (issue 12),
and for real years exactly as before, so the frozen ledger keys keep their shape."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flattr_clone.months import format_month, parse_month
from tips.payday.keys import commission_key, month_of_reference, payday_reference, share_key

months = st.builds(dt.date, st.integers(dt.MINYEAR, dt.MAXYEAR), st.integers(1, 12), st.just(1))


@pytest.mark.parametrize(
    ("month", "text"),
    [
        (dt.date(1, 1, 1), "0001-01"),
        (dt.date(999, 12, 1), "0999-12"),
        (dt.date(2025, 3, 1), "2025-03"),
    ],
)
def test_a_month_is_written_with_a_four_digit_year(month, text):
    assert format_month(month) == text
    assert parse_month(text) == month


@given(months)
def test_every_month_reads_back_from_its_name(month):
    assert parse_month(format_month(month)) == month
    assert month_of_reference(payday_reference(month)) == month


@given(st.builds(dt.date, st.integers(1000, 9999), st.integers(1, 12), st.just(1)))
def test_for_four_digit_years_the_keys_are_the_frozen_shapes(month):
    name = f"{month:%Y-%m}"  # how the keys of every payday so far were written

    assert format_month(month) == name
    assert payday_reference(month) == f"payday:{name}"
    assert share_key(month, 12, 34) == f"payday:{name}:12:34"
    assert commission_key(month, 12) == f"payday:{name}:12:commission"


def test_the_keys_of_year_one_name_a_month_that_reads_back():
    month = dt.date(1, 1, 1)

    assert payday_reference(month) == "payday:0001-01"
    assert share_key(month, 1, 2) == "payday:0001-01:1:2"
    assert month_of_reference("payday:0001-01") == month


@pytest.mark.parametrize("text", ["0000-01", "1-01", "12345-01", "2025-00", "２０２５-03"])
def test_anything_else_is_not_a_month(text):
    with pytest.raises(ValueError, match="is not a month; use YYYY-MM"):
        parse_month(text)
