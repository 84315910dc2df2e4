"""Hosts and path prefixes of sites: which URLs a site covers, and hosts shown to people."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def url_host_and_path(canonical: str) -> tuple[str, str]:
    """The host (punycode, no port) and path of a canonical URL."""
    parts = urlsplit(canonical)
    return (parts.hostname or "").lower(), parts.path or "/"


def prefix_covers(prefix: str, path: str) -> bool:
    """A site's ``prefix`` ("" or "/~dana/") covers ``path`` ("/~dana" and below)."""
    if not prefix:
        return True
    return path == prefix.rstrip("/") or path.startswith(prefix)


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    for script in (
        "LATIN",
        "CYRILLIC",
        "GREEK",
        "ARMENIAN",
        "HEBREW",
        "ARABIC",
        "CJK",
        "HANGUL",
        "HIRAGANA",
        "KATAKANA",
        "THAI",
        "DEVANAGARI",
        "GEORGIAN",
    ):
        if name.startswith(script) or f" {script} " in f" {name} ":
            return script
    return ""


def display_host(host: str) -> str:
    """A punycode host in Unicode for people, unless a label mixes scripts or a label in a
    non-Latin script looks like ASCII (then punycode, so a lookalike of a Latin name shows)."""
    try:
        unicode_host = host.encode("ascii").decode("idna")
    except UnicodeError:
        return host
    for label in unicode_host.split("."):
        scripts = {_script(ch) for ch in label if ch.isalpha()} - {""}
        if len(scripts) > 1:
            return host
        if scripts and scripts != {"LATIN"} and label.isascii() is False:
            # A whole label in Cyrillic or Greek can imitate a Latin one (аррӏе): show such
            # a label in Unicode only under a TLD of the same script.
            tld = unicode_host.rsplit(".", 1)[-1]
            tld_scripts = {_script(ch) for ch in tld if ch.isalpha()} - {""}
            if tld_scripts != scripts and scripts & {"CYRILLIC", "GREEK"}:
                return host
    return unicode_host
