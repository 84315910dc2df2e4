import pytest

from tips.things.canonical import InvalidURL, canonical_url, web_origin


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("HTTPS://Example.COM/Path", "https://example.com/Path"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=x&utm_medium=y", "https://example.com/a"),
        ("https://example.com/a?UTM_Campaign=x", "https://example.com/a"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?a=1&b=2", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?id=3&utm_source=feed&id=1", "https://example.com/a?id=3&id=1"),
        ("https://example.com/watch?v=abc&t=10#x", "https://example.com/watch?t=10&v=abc"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://example.com/a?empty=", "https://example.com/a?empty="),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
    ],
)
def test_it_canonicalises(raw, canonical):
    assert canonical_url(raw) == canonical


def test_two_spellings_of_one_page_are_one_canonical_url():
    a = canonical_url("https://Blog.example:443/post?b=1&a=2&utm_source=rss#top")
    b = canonical_url("https://blog.example/post?a=2&b=1")
    assert a == b


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter the address"),
        ("ftp://example.com/file", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("example.com/a", "http:// or https://"),
        ("https:///nohost", "no valid host"),
        ("https://exa mple.com/", "spaces"),
        ("https://example.com:99999/", "not a valid web address"),
        ("https://example.com/" + "a" * 2000, "too long"),
    ],
)
def test_it_refuses_what_is_not_a_web_address(raw, message):
    with pytest.raises(InvalidURL) as error:
        canonical_url(raw)
    assert message in str(error.value.message)


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://creator.example", "https://creator.example"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("http://localhost:5000", "http://localhost:5000"),
        ("https://creator.example/", None),
        ("https://creator.example/path", None),
        ("*", None),
        ("null", None),
        ("javascript://creator.example", None),
        ("https://creator.example?x=1", None),
        ("https://user@creator.example", None),
        ("", None),
        (None, None),
    ],
)
def test_only_exact_http_origins_are_accepted_for_the_popup(value, origin):
    assert web_origin(value) == origin
