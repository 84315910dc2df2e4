"""Bios are Markdown rendered safely: no payload of a list of XSS vectors survives."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from accounts.profiles.bios import bio_html, bio_text

# Classic vectors (OWASP's filter-evasion cheat sheet and friends), raw and through Markdown.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert('XSS')\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<a href="https://ok.example" style="position:fixed;top:0">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<form action=https://evil.example><input name=p></form>",
    '<base href="https://evil.example/">',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<textarea><script>alert(1)</script></textarea>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![img](javascript:alert(1))",
    '![x](https://evil.example/x.png "title" onerror=alert(1))',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "`<script>alert(1)</script>`",
    "<!--<script>alert(1)</script>-->",
    '<a href="https://ok.example" target=_blank>x</a>',
]

SAFE_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
}


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_payload_survives(payload):
    html = bio_html(f"Hello\n\n{payload}\n\nbye")
    assert "Hello" in html
    for tag, attrs in elements(html):
        assert tag in SAFE_TAGS, html
        assert set(attrs) <= {"href", "title", "rel"}, html
        if "href" in attrs:
            assert urlsplit(attrs["href"]).scheme in {"http", "https", "mailto"}, html
            assert attrs["rel"] == "nofollow ugc noopener", html


def test_enough_payloads():
    assert len(XSS_PAYLOADS) >= 30


def test_markdown_is_rendered_and_links_are_nofollow_ugc():
    html = bio_html("I *draw* **comics**. See [my site](https://art.example/).")
    assert "<em>draw</em>" in html
    assert "<strong>comics</strong>" in html
    assert '<a href="https://art.example/" rel="nofollow ugc noopener">my site</a>' in html


def test_plain_text_for_meta_tags():
    assert bio_text("I *draw* & [paint](https://x.example)") == "I draw & paint"
