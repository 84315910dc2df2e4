"""What ``tests/test_every_view_fuzz.py`` needs to fuzz every view: the project's routes, the
names of the fields and parameters each view reads, hostile values, and requests built
byte by byte (so a value can be invalid UTF-8 or hold a NUL), checked for server errors.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import traceback
from html.parser import HTMLParser
from urllib.parse import quote, quote_from_bytes

from django import forms
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import strategies as st

# --- Routes ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Route:
    """One URL pattern of the project, with the whole path from the root URLconf.

    ``parts`` is the path as literal text and argument names; ``arguments`` maps each name
    to the regular expression it must match (``int`` arguments are marked ``int``).
    """

    pattern: str
    name: str
    callback: object = dataclasses.field(compare=False, repr=False)
    parts: tuple[str | tuple[str], ...] = dataclasses.field(default=(), repr=False)
    arguments: tuple[tuple[str, str], ...] = dataclasses.field(default=(), repr=False)

    @property
    def is_admin(self) -> bool:
        """Behind the admin's permission check (the admin and the operations dashboard)."""
        return self.pattern.startswith("admin/")

    def __str__(self) -> str:
        return f"/{self.pattern} ({self.name})"


_ROUTE_ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _route_fragment(pattern: RoutePattern) -> tuple[list, dict[str, str]]:
    parts: list = []
    arguments: dict[str, str] = {}
    route = pattern._route
    position = 0
    for match in _ROUTE_ARGUMENT.finditer(route):
        parts.append(route[position : match.start()])
        name = match["name"]
        converter = pattern.converters[name]
        if isinstance(converter, IntConverter):
            arguments[name] = "int"
        elif isinstance(converter, PathConverter):
            arguments[name] = ".+"
        else:
            arguments[name] = converter.regex
        parts.append((name,))
        position = match.end()
    parts.append(route[position:])
    return parts, arguments


def _group_end(regex: str, start: int) -> int:
    """The index just after the group opening at ``start`` (parentheses balanced)."""
    depth = 0
    index = start
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError(f"unbalanced group in {regex!r}")


def _regex_fragment(pattern: RegexPattern) -> tuple[list, dict[str, str]]:
    regex = pattern.regex.pattern.removeprefix("^").removesuffix("$")
    if regex.endswith("/?"):  # an optional trailing slash (the API's paths): fuzz one form
        regex = regex[:-1]
    parts: list = []
    arguments: dict[str, str] = {}
    literal = ""
    index = 0
    while index < len(regex):
        if regex.startswith("(?P<", index):
            end = _group_end(regex, index)
            name = regex[index + 4 : regex.index(">", index)]
            arguments[name] = regex[regex.index(">", index) + 1 : end - 1]
            parts.extend([literal, (name,)])
            literal = ""
            index = end
        elif regex[index] == "\\":
            literal += regex[index + 1]
            index += 2
        elif regex[index] in "()[]{}|*+?.^$":
            raise ValueError(f"cannot build paths for the URL regex {pattern.regex.pattern!r}")
        else:
            literal += regex[index]
            index += 1
    parts.append(literal)
    return parts, arguments


def project_routes() -> list[Route]:
    """Every URL pattern of the root URLconf, walking included URLconfs and namespaces."""
    routes: list[Route] = []

    def walk(patterns, parts: list, arguments: dict, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry.pattern, RoutePattern):
                fragment, more = _route_fragment(entry.pattern)
            else:
                fragment, more = _regex_fragment(entry.pattern)
            here_parts, here_arguments = [*parts, *fragment], {**arguments, **more}
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, here_parts, here_arguments, inner)
            elif isinstance(entry, URLPattern):
                text = "".join(p if isinstance(p, str) else f"<{p[0]}>" for p in here_parts)
                name = f"{namespace}{entry.name}" if entry.name else entry.lookup_str
                routes.append(
                    Route(
                        pattern=text,
                        name=name,
                        callback=entry.callback,
                        parts=tuple(p for p in here_parts if p != ""),
                        arguments=tuple(sorted(here_arguments.items())),
                    )
                )

    walk(get_resolver().url_patterns, [], {}, "")
    return routes


def build_path(route: Route, values: dict[str, str]) -> str:
    """The route's path with ``values`` (already percent-encoded) in place of its arguments."""
    return "/" + "".join(p if isinstance(p, str) else values[p[0]] for p in route.parts)


# --- The fields and parameters a view reads -------------------------------------------------

# Read by many views or by shared helpers (safe_next, web_origin, pagination...), or worth
# trying everywhere.
GENERIC_FIELDS = (
    "next",
    "origin",
    "url",
    "creator",
    "title",
    "amount",
    "month",
    "page",
    "q",
    "language",
    "session_id",
    "hidden",
    "retired",
    "category",
    "reason",
    "action",
    "confirm",
    "preset",
    "custom_amount",
    "email",
    "login",
    "password",
)

_OWN_PACKAGES = ("accounts", "payouts", "tips", "flattr_clone")
_PARAMETER_READ = re.compile(
    r"""(?:GET|POST|params|data)\.get(?:list)?\(\s*["']([\w-]+)["']"""
    r"""|["']([\w-]+)["']\s+(?:not\s+)?in\s+request\.(?:GET|POST)"""
)


_QUOTED_NAME = re.compile(r"""["']([\w-]+)["']""")


def _referenced(function, depth: int = 2) -> tuple[set, list]:
    """The form classes a view function names, and the view with the functions of ours it
    calls (``depth`` calls deep)."""
    function = inspect.unwrap(function)
    form_classes: set[type[forms.BaseForm]] = set()
    functions = [function]
    try:
        names = inspect.getclosurevars(function).globals
    except (TypeError, ValueError):
        return form_classes, functions
    for value in names.values():
        if inspect.isclass(value) and issubclass(value, forms.BaseForm):
            form_classes.add(value)
        elif (
            depth and inspect.isfunction(value) and value.__module__.split(".")[0] in _OWN_PACKAGES
        ):
            more_forms, more_functions = _referenced(value, depth - 1)
            form_classes |= more_forms
            functions += more_functions
    return form_classes, functions


def view_field_names(callback) -> set[str]:
    """Field and parameter names the view reads, found by introspection: the fields of its
    forms, the parameters its code (and the helpers it calls) gets from the request, and
    the generic names its code spells out."""
    form_classes: set[type[forms.BaseForm]] = set()
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        for attribute in dir(view_class):
            value = getattr(view_class, attribute, None)
            if (
                attribute.endswith("form_class")
                and inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
            ):
                form_classes.add(value)
        code = [inspect.getmodule(view_class)]
    else:
        form_classes, code = _referenced(callback)
    names: set[str] = set()
    for form_class in form_classes:
        names |= set(form_class.base_fields)
    for item in code:
        try:
            source = inspect.getsource(item)
        except (OSError, TypeError):
            continue
        for match in _PARAMETER_READ.finditer(source):
            names.add(match[1] or match[2])
        names |= set(_QUOTED_NAME.findall(source)) & set(GENERIC_FIELDS)
    return names


class _FieldNames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "select", "textarea", "button"):
            name = dict(attrs).get("name")
            if name:
                self.names.add(name)


def html_field_names(content: bytes) -> set[str]:
    """Names of the form fields in an HTML page (the fields a browser would send)."""
    parser = _FieldNames()
    parser.feed(content.decode("utf-8", "replace"))
    return parser.names


# --- Hostile values ------------------------------------------------------------------------

# NUL and other C0 controls, DEL, C1 NEL, no-break and zero-width spaces, the bidi
# overrides and isolates, a BOM, the replacement character, an emoji, and HTML, URL, SQL
# and path punctuation.
NASTY_CHARACTERS = (
    "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x7f\x85\xa0\u00ad\u200b\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\ufffd\U0001f600"
    "<>\"'&%;/\\?#=+@:.,-_ *`$"
)

NUMBER_LIKE = (
    "0",
    "-1",
    "1",
    "5",
    "10",
    "12.50",
    "12,50",
    "0.001",
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "-inf",
    "Infinity",
    "-0",
    "0x10",
    "1_000",
    "\u0661\u0662",  # Arabic-Indic digits
    "\uff11\uff12",  # full-width digits
    "9" * 40,
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    "2026-13",
    "0000-00",
    "2026-02-30",
    "9999-12",
    "1000",
    "2500",
)

# Invalid UTF-8: lone continuation bytes, a truncated sequence, an overlong NUL, an encoded
# surrogate, bytes that never appear in UTF-8.
INVALID_UTF8 = (b"\xff", b"\xfe\xff", b"\x80", b"\xc3", b"\xc0\x80", b"\xed\xa0\x80", b"a\xf5b")


# Known troublemakers, tried as often as any other kind of value.
TROUBLEMAKERS = (
    *NUMBER_LIKE,
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 3,
    "\u202e",
    "\ufeff",
    "\r\n",
    "%00",
    "%ff",
    "abc",
    ".",
    "..",
    "/",
    "//",
    "\\\\evil.example",
    "https://evil.example/",
    "mailto:x@example.com",
)


# One of each kind of value that breaks code, for the deterministic sweep: a NUL (PostgreSQL
# refuses it in text), invalid UTF-8, a number too big for any integer column, a word where
# a number, a URL or a path is expected, a negative number, control and bidi characters
# with HTML, a long string.
POISONS: tuple[str | bytes, ...] = (
    "a\x00b",
    b"\xff\xfe",
    "9" * 30,
    "abc",
    "-1",
    "\u202e\x1b\r\n<b>",
    "A" * 5001,
)
# In a path, an ``int`` argument only takes digits (anything else is another URL).
INT_POISONS = ("0", "9" * 30)


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each drawn ``weight`` times as often (the first shrinks best)."""
    indices = [index for index, (weight, _) in enumerate(choices) for _ in range(weight)]
    return st.sampled_from(indices).flatmap(lambda index: choices[index][1])


def long_strings() -> st.SearchStrategy[str]:
    return st.builds(
        lambda unit, count: unit * count,
        st.sampled_from(["A", "\x00", "\u00e9", "\u202e", "9", "%", "<b>"]),
        st.sampled_from([31, 201, 2001, 10_001, 100_001]),
    )


def raw_values(plausible: list[str]) -> st.SearchStrategy[str | bytes]:
    """What a form field or a query parameter may receive: text, or arbitrary bytes (sent
    percent-encoded, so they may be invalid UTF-8)."""
    return weighted(
        (3, st.sampled_from(plausible)),
        (2, st.sampled_from(TROUBLEMAKERS)),
        (1, st.text(max_size=30)),
        (1, st.text(alphabet=NASTY_CHARACTERS, min_size=1, max_size=20)),
        (1, st.integers().map(str)),
        (1, long_strings()),
        (1, st.binary(max_size=30)),
        (1, st.sampled_from(INVALID_UTF8)),
    )


def encode(value: str | bytes) -> str:
    """Percent-encode a value for a query string or a form body (bytes kept as they are)."""
    if isinstance(value, str):
        return quote(value, safe="")
    return quote_from_bytes(value, safe="")


def path_segment(value: str | bytes, *, slashes: bool = False) -> str:
    safe = "/" if slashes else ""
    return quote(value, safe=safe) if isinstance(value, str) else quote_from_bytes(value, safe=safe)


def form_pairs(
    names: list[str], values: st.SearchStrategy[str | bytes]
) -> st.SearchStrategy[list[tuple[str, str | bytes]]]:
    """Fields with hostile ``values``: any of ``names`` as a form would send them, or a few
    of them in any order, repeated, and now and then a name nobody expects."""
    as_a_form = st.fixed_dictionaries({}, optional=dict.fromkeys(names, values)).map(
        lambda fields: list(fields.items())
    )
    name = st.one_of(
        st.sampled_from(names), st.text(alphabet=NASTY_CHARACTERS, min_size=1, max_size=8)
    )
    return st.one_of(as_a_form, st.lists(st.tuples(name, values), max_size=6))


def urlencoded(pairs: list[tuple[str, str | bytes]]) -> str:
    return "&".join(f"{encode(name)}={encode(value)}" for name, value in pairs)


# --- Requests and answers ------------------------------------------------------------------


class ServerError(AssertionError):
    """A view answered with a 5xx status. Raised from the view's own exception, when there
    is one, so Hypothesis tells distinct bugs apart and shows each one's traceback."""


def _short(filename: str) -> str:
    """A source file's path from the project root, or from site-packages."""
    if "/site-packages/" in filename:
        return filename.split("/site-packages/", 1)[1]
    if filename.startswith(str(settings.BASE_DIR)):
        return os.path.relpath(filename, settings.BASE_DIR)
    return "/".join(filename.split("/")[-2:])  # the standard library


def assert_no_server_error(response, described: str) -> None:
    if response.status_code < 500:
        return
    exc_info = getattr(response, "exc_info", None)
    if exc_info:
        frames = traceback.extract_tb(exc_info[2])
        ours = [f for f in frames if "/site-packages/" not in f.filename] or frames
        where = ", ".join(f"{_short(f.filename)}:{f.lineno} {f.name}" for f in ours[-4:])
        detail = f"{exc_info[0].__name__}: {str(exc_info[1])[:300]}\n  at {where}"
    else:
        detail = f"no exception; body: {response.content[:300]!r}"
    message = f"{described}\n  answered {response.status_code}: {detail}"
    if exc_info:
        raise ServerError(message) from exc_info[1]
    raise ServerError(message)


def describe(method: str, path: str, query: str, body: bytes | str, content_type: str) -> str:
    text = f"{method} {path}"
    if query:
        text += f"?{query[:400]}{'…' if len(query) > 400 else ''}"
    if body:
        text += f"\n  {content_type} body ({len(body)}): {body[:400]!r}"
    return text
