"""Pairs of addresses that must, or must not, be one thing (docs/PRODUCT.md, Canonical URLs)."""

import pytest

from tips.sites.addresses import display_host
from tips.things.canonical import InvalidURL, canonical_url, display_url, same_thing

SAME = [
    # percent-encoding
    ("https://ex.org/%7Edana/", "https://ex.org/~dana"),
    ("https://ex.org/a%2db", "https://ex.org/a-b"),
    ("https://ex.org/%41%42", "https://ex.org/AB"),
    ("https://ex.org/a%2fb", "https://ex.org/a%2Fb"),
    ("https://ex.org/caf%c3%a9", "https://ex.org/café"),
    ("https://ex.org/%e2%82%ac", "https://ex.org/€"),
    # dot segments
    ("https://ex.org/a/./b", "https://ex.org/a/b"),
    ("https://ex.org/a/../b", "https://ex.org/b"),
    ("https://ex.org/../../a", "https://ex.org/a"),
    ("https://ex.org/a/b/..", "https://ex.org/a"),
    # case
    ("HTTPS://EX.ORG/a", "https://ex.org/a"),
    ("https://Ex.Org./a", "https://ex.org/a"),
    # ports
    ("https://ex.org:443/a", "https://ex.org/a"),
    ("http://ex.org:80/a", "https://ex.org/a"),
    # http and https
    ("http://ex.org/a", "https://ex.org/a"),
    ("http://ex.org:8080/a", "https://ex.org:8080/a"),
    # IDN
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://BÜCHER.example/", "https://bücher.example/"),
    ("https://пример.рф/a", "https://xn--e1afmkfd.xn--p1ai/a"),
    # trailing slash
    ("https://ex.org/post/", "https://ex.org/post"),
    ("https://ex.org", "https://ex.org/"),
    ("https://ex.org/a//", "https://ex.org/a"),
    # tracking parameters, empty query, fragment, order
    ("https://ex.org/a?utm_source=x", "https://ex.org/a"),
    ("https://ex.org/a?fbclid=1&id=3", "https://ex.org/a?id=3"),
    ("https://ex.org/a?", "https://ex.org/a"),
    ("https://ex.org/a#top", "https://ex.org/a"),
    ("https://ex.org/a?b=2&a=1", "https://ex.org/a?a=1&b=2"),
    ("https://ex.org/a?q=a%20b", "https://ex.org/a?q=a+b"),
    # session path parameters
    ("https://ex.org/a;jsessionid=ABC", "https://ex.org/a"),
    ("https://ex.org/a;JSESSIONID=1?x=1", "https://ex.org/a?x=1"),
    # user info
    ("https://me:pw@ex.org/a", "https://ex.org/a"),
]

DIFFERENT = [
    ("https://ex.org/a", "https://ex.org/A"),  # path case is kept
    ("https://ex.org/a", "https://ex.org/b"),
    ("https://ex.org/a", "https://www.ex.org/a"),
    ("https://ex.org/a", "https://ex.org:8443/a"),
    ("https://ex.org:80/a", "https://ex.org/a"),  # 80 is not https's default port
    ("https://ex.org/a%2Fb", "https://ex.org/a/b"),  # an escaped slash is not a slash
    ("https://ex.org/a?id=1", "https://ex.org/a?id=2"),
    ("https://ex.org/a?id=1&id=2", "https://ex.org/a?id=2&id=1"),  # order of one name kept
    ("https://ex.org/a?x=", "https://ex.org/a"),  # an empty value may select something
    ("https://ex.org/a;v=2", "https://ex.org/a"),  # matrix parameters select content
    ("https://ex.org/~dana/a", "https://ex.org/~eli/a"),
    ("https://аррӏе.com/", "https://apple.com/"),  # a Cyrillic lookalike is another host
    ("https://ex.org/café", "https://ex.org/cafe"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_these_addresses_are_one_thing(a, b):
    assert same_thing(a, b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_these_addresses_are_different_things(a, b):
    assert not same_thing(a, b)


def test_there_are_at_least_forty_pairs():
    assert len(SAME) + len(DIFFERENT) >= 40


@pytest.mark.parametrize(
    "raw",
    [
        "https://ex.org/a\u202eb",  # right-to-left override
        "https://ex.org/\u2066x",
        "https://ex.org/a\x00",
        "https://ex.org/a\x7f",
        "https://ex.org/a\x1b[31m",
    ],
)
def test_control_characters_and_bidi_overrides_are_refused_with_a_clear_message(raw):
    with pytest.raises(InvalidURL) as refused:
        canonical_url(raw)
    assert "control characters or text-direction overrides" in str(refused.value.message)


def test_hosts_are_stored_in_punycode_and_shown_in_unicode_unless_deceptive():
    assert canonical_url("https://bücher.example/") == "https://xn--bcher-kva.example/"
    assert display_url("https://xn--bcher-kva.example/a") == "https://bücher.example/a"
    # A Cyrillic name pretending to be "apple.com" under a Latin TLD stays punycode.
    lookalike = canonical_url("https://аррӏе.com/")
    assert display_url(lookalike) == lookalike
    # A label mixing Latin and Cyrillic stays punycode too.
    mixed = canonical_url("https://pаypal.com/").split("/")[2]
    assert display_host(mixed) == mixed
    # A Cyrillic name under a Cyrillic TLD is shown as it is written.
    assert display_host("xn--e1afmkfd.xn--p1ai") == "пример.рф"
