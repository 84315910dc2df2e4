"""Reading Flattr's parameters: string booleans, bare flags, page and count."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from api.errors import invalid_parameters

TRUE = {"true", "1", "yes", "on", ""}
FALSE = {"false", "0", "no", "off"}
DEFAULT_COUNT = 30
MAX_COUNT = 100


def boolean(data, name: str, default: bool = False) -> bool:
    """``true/false``, ``1/0``, ``True/False``; a bare flag (``?full``) is true."""
    if name not in data:
        return default
    value = data.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise invalid_parameters(_("%(name)s must be true or false.") % {"name": name})


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def text(data, name: str, default: str = "") -> str:
    value = data.get(name, default)
    if value is None:
        return default
    if isinstance(value, list | tuple):
        value = ",".join(str(item) for item in value)
    if isinstance(value, dict):
        raise invalid_parameters(_("%(name)s must be text.") % {"name": name})
    value = str(value)
    if _CONTROL.search(value):
        raise invalid_parameters(_("%(name)s contains control characters.") % {"name": name})
    return value


def _positive(data, name: str, default: int) -> int:
    raw = data.get(name)
    if raw is None or raw == "":
        return default
    try:
        number = int(str(raw))
    except ValueError:
        number = 0
    if number < 1 or number > 1_000_000:
        raise invalid_parameters(_("%(name)s must be a whole number from 1.") % {"name": name})
    return number


def page_and_count(data) -> tuple[int, int]:
    return _positive(data, "page", 1), min(_positive(data, "count", DEFAULT_COUNT), MAX_COUNT)


def paginate(queryset, data):
    page, count = page_and_count(data)
    start = (page - 1) * count
    return list(queryset[start : start + count]), page
