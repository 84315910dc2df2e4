"""The SSRF-safe fetcher against real servers on loopback (flattr_clone.fetcher)."""

import socket
import ssl

import pytest
import trustme

from flattr_clone import fetcher
from tests.local_http import LocalHTTPServer


def test_fetches_a_page_with_its_status_headers_and_charset(local_http, loopback_sites):
    loopback_sites("site.example")
    html = {"Content-Type": "text/html; charset=latin-1"}
    local_http.route("/page", body="café".encode("latin-1"), headers=html)
    response = fetcher.fetch(local_http.url("/page", host="site.example"))
    assert response.ok and response.status == 200
    assert response.text() == "café"
    assert response.address == "127.0.0.1"
    method, path, headers, _body = local_http.requests[-1]
    # Connected to the checked address, but the site is asked by its own name.
    assert headers["Host"] == f"site.example:{local_http.port}"
    assert method == "GET" and path == "/page"


def test_any_http_status_is_returned_not_raised(local_http, loopback_sites):
    loopback_sites("site.example")
    local_http.route("/gone", status=410, body=b"gone")
    local_http.route("/same", status=304)
    assert fetcher.fetch(local_http.url("/gone", host="site.example")).status == 410
    assert fetcher.fetch(local_http.url("/same", host="site.example")).status == 304


def test_posts_a_body_with_headers(local_http, loopback_sites):
    loopback_sites("hooks.example")
    local_http.route("/hook", status=204)
    response = fetcher.fetch(
        local_http.url("/hook", host="hooks.example"),
        method="POST",
        body=b'{"a": 1}',
        headers={"Content-Type": "application/json", "X-Signature": "abc"},
    )
    assert response.status == 204
    method, _path, headers, body = local_http.requests[-1]
    assert (method, body, headers["X-Signature"]) == ("POST", b'{"a": 1}', "abc")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.5",
        "192.168.1.1",
        "169.254.169.254",  # the cloud metadata address
        "100.64.0.1",  # shared (CGNAT)
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",  # reserved
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",  # IPv4 inside IPv6
        "::ffff:10.0.0.1",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(settings, address):
    settings.FETCHER_TEST_RESOLVE = {"intranet.example": address}
    with pytest.raises(fetcher.BlockedAddress):
        fetcher.fetch("http://intranet.example/")


def test_a_loopback_server_is_refused_without_the_test_only_setting(local_http, settings):
    settings.FETCHER_ALLOW_LOOPBACK_HOSTS = []
    settings.FETCHER_TEST_RESOLVE = {}
    local_http.route("/", body=b"secret admin page")
    for host in ("127.0.0.1", "localhost"):
        with pytest.raises(fetcher.BlockedAddress) as refused:
            fetcher.fetch(local_http.url("/", host=host))
        assert "private or reserved" in str(refused.value.message)
    assert local_http.requests == []  # never connected


def test_a_name_with_one_public_and_one_private_address_is_refused(monkeypatch, settings):
    settings.FETCHER_TEST_RESOLVE = {}

    def two_addresses(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.8", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    with pytest.raises(fetcher.BlockedAddress):
        fetcher.fetch("http://rebinding.example/")


def test_public_addresses_pass_the_check():
    for address in ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "1.1.1.1"):
        fetcher.check_address("example.org", address)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://site.example/file",
        "file:///etc/passwd",
        "gopher://site.example/",
        "http://user:pass@site.example/",
        "http:///no-host",
        "http://site.example:99999/",
        "http://site.example/\x00",
        "javascript:alert(1)",
    ],
)
def test_urls_that_are_not_plain_http_are_refused(url):
    with pytest.raises(fetcher.BadURL):
        fetcher.fetch(url)


def test_redirects_on_the_same_registrable_domain_are_followed(local_http, loopback_sites):
    loopback_sites("dana.example.org", "www.example.org")
    www = local_http.url("/b", "www.example.org")
    local_http.route("/a", status=301, headers={"Location": www})
    local_http.route("/b", status=302, headers={"Location": "/c"})
    local_http.route("/c", status=303, headers={"Location": "/d"})
    local_http.route("/d", body=b"here")
    response = fetcher.fetch(local_http.url("/a", host="dana.example.org"))
    assert response.body == b"here"
    assert response.url == local_http.url("/d", "www.example.org")
    assert len(response.redirects) == 3


def test_a_fourth_redirect_is_refused(local_http, loopback_sites):
    loopback_sites("site.example")
    for i in range(5):
        local_http.route(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    local_http.route("/r5", body=b"too far")
    with pytest.raises(fetcher.TooManyRedirects):
        fetcher.fetch(local_http.url("/r1", host="site.example"))
    # Three redirects are fine.
    assert fetcher.fetch(local_http.url("/r2", host="site.example")).body == b"too far"


def test_a_redirect_to_another_site_is_refused(local_http, loopback_sites):
    loopback_sites("dana.example.org", "attacker.example.net")
    local_http.route(
        "/go", status=302, headers={"Location": local_http.url("/x", "attacker.example.net")}
    )
    local_http.route("/x", body=b"other site")
    with pytest.raises(fetcher.RedirectNotAllowed):
        fetcher.fetch(local_http.url("/go", host="dana.example.org"))
    assert [r[1] for r in local_http.requests] == ["/go"]


def test_a_redirect_to_a_private_address_is_refused(local_http, settings):
    settings.FETCHER_TEST_RESOLVE = {"a.example.org": "127.0.0.1", "b.example.org": "10.0.0.1"}
    settings.FETCHER_ALLOW_LOOPBACK_HOSTS = ["a.example.org"]
    local_http.route("/go", status=302, headers={"Location": "http://b.example.org/"})
    with pytest.raises(fetcher.BlockedAddress):
        fetcher.fetch(local_http.url("/go", host="a.example.org"))


def test_redirects_are_not_followed_for_a_post_unless_asked(local_http, loopback_sites):
    loopback_sites("hooks.example")
    local_http.route("/hook", status=302, headers={"Location": "/elsewhere"})
    response = fetcher.fetch(local_http.url("/hook", host="hooks.example"), method="POST", body=b"")
    assert response.status == 302
    assert len(local_http.requests) == 1


def test_a_body_over_the_size_limit_is_refused(local_http, loopback_sites, settings):
    loopback_sites("site.example")
    settings.FETCHER_MAX_BYTES = 1000
    local_http.route("/big", body=b"x" * 1001)
    local_http.route("/fits", body=b"x" * 1000)
    local_http.route(  # no Content-Length: the limit is on what arrives
        "/unsized", handler=lambda request: (200, {"X-Test-No-Length": "1"}, b"y" * 5000)
    )
    with pytest.raises(fetcher.ResponseTooLarge):
        fetcher.fetch(local_http.url("/big", host="site.example"))
    with pytest.raises(fetcher.ResponseTooLarge):
        fetcher.fetch(local_http.url("/unsized", host="site.example"))
    assert len(fetcher.fetch(local_http.url("/fits", host="site.example")).body) == 1000


def test_a_slow_site_times_out(local_http, loopback_sites):
    loopback_sites("slow.example")
    local_http.route("/drip", body=b"x" * 20, headers={"X-Test-Drip": "0.1"})
    with pytest.raises(fetcher.FetchTimeout):
        fetcher.fetch(local_http.url("/drip", host="slow.example"), timeout=0.3)


def test_an_unknown_name_is_a_clear_network_error(settings):
    settings.FETCHER_TEST_RESOLVE = {}
    with pytest.raises(fetcher.NetworkError) as failed:
        fetcher.fetch("http://no-such-name.invalid/")
    assert "could not be found" in str(failed.value.message)


@pytest.fixture
def tls_server():
    ca = trustme.CA()
    cert = ca.issue_cert("secure.example")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    server = LocalHTTPServer(ssl_context=context).start()
    server.route("/", body=b"over https")
    yield ca, server
    server.stop()


def test_https_with_a_trusted_certificate(tls_server, loopback_sites, settings, tmp_path):
    ca, server = tls_server
    loopback_sites("secure.example")
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    settings.FETCHER_CA_FILE = str(tmp_path / "ca.pem")
    assert fetcher.fetch(server.url("/", host="secure.example")).body == b"over https"


def test_https_with_an_untrusted_certificate_is_refused(tls_server, loopback_sites, settings):
    _ca, server = tls_server
    loopback_sites("secure.example")
    settings.FETCHER_CA_FILE = None
    with pytest.raises(fetcher.NetworkError) as failed:
        fetcher.fetch(server.url("/", host="secure.example"))
    assert "certificate" in str(failed.value.message)
    assert server.requests == []


def test_https_with_a_certificate_for_another_name_is_refused(
    tls_server, loopback_sites, settings, tmp_path
):
    ca, server = tls_server
    loopback_sites("other.example")
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    settings.FETCHER_CA_FILE = str(tmp_path / "ca.pem")
    with pytest.raises(fetcher.NetworkError):
        fetcher.fetch(server.url("/", host="other.example"))


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("blog.example.org", "example.org"),
        ("a.b.example.co.uk", "example.co.uk"),
        ("dana.github.io", "dana.github.io"),  # a private suffix: each user is a site
        ("EXAMPLE.ORG.", "example.org"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
    ],
)
def test_registrable_domain_uses_the_bundled_public_suffix_list(host, domain):
    assert fetcher.registrable_domain(host) == domain
