"""Reading a signed webhook body as an event, refusing any shape the handlers cannot read.

A valid signature proves who sent a body, not that it is an event: ``event_parse`` checks
the envelope every endpoint relies on (a JSON object with an ``id``, a ``type`` and a
``data.object``) and ``Fields`` reads the values a handler needs with their types. Both
raise ``MalformedEvent``, naming the field, before anything is stored; the views answer
it with 400.
"""

from __future__ import annotations

import dataclasses


class MalformedEvent(ValueError):
    """A signed body that is not an event of the shape its endpoint reads."""


class Fields:
    """Typed reads of one JSON object of an event; ``path`` names it in errors.

    A field that is absent or ``null`` reads as empty (``""``, ``0``, ``[]``, no fields),
    as Stripe leaves out what does not apply; a field of another type is malformed.
    """

    def __init__(self, values: dict, path: str) -> None:
        self.values = values
        self.path = path

    def _malformed(self, name: str, expected: str) -> MalformedEvent:
        return MalformedEvent(f"{self.path}.{name} must be {expected}")

    def text(self, name: str, *, required: bool = False) -> str:
        value = self.values.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value):
            raise self._malformed(name, "a non-empty string" if required else "a string")
        return value

    def whole(self, name: str, *, expected: str = "a whole number of cents") -> int:
        """A non-negative integer (amounts in cents, timestamps); never a float or a text."""
        value = self.values.get(name)
        if value is None:
            return 0
        # bool is an int in Python, never in JSON.
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self._malformed(name, expected)
        return value

    def texts(self, name: str) -> list[str]:
        value = self.values.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._malformed(name, "a list of strings")
        return value

    def fields(self, name: str) -> Fields:
        value = self.values.get(name)
        if value is None:
            return Fields({}, f"{self.path}.{name}")
        if not isinstance(value, dict):
            raise self._malformed(name, "an object")
        return Fields(value, f"{self.path}.{name}")


@dataclasses.dataclass(frozen=True)
class Event:
    """A signed event whose envelope every endpoint can store and every handler can read."""

    id: str
    type: str
    created: int
    # The connected account a Connect event is about ("" on the platform's own events).
    account: str
    object: Fields
    # The body as received, stored on the event's ``ProviderEvent``.
    payload: dict

    @property
    def object_id(self) -> str:
        """The id of the object the event is about, as stored for operators to search."""
        return str(self.object.values.get("id") or "")


def _holds_nul(value: object) -> bool:
    """Whether a NUL character is in any key or string of a decoded JSON value."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def event_parse(body: object) -> Event:
    """The event of a signed webhook body; raises ``MalformedEvent`` when it is not one."""
    if not isinstance(body, dict):
        raise MalformedEvent("the body must be a JSON object")
    if _holds_nul(body):
        # PostgreSQL can store a NUL neither in text nor in jsonb; no genuine event has one.
        raise MalformedEvent("the event must not contain a NUL character")
    event = Fields(body, "event")
    event_id = event.text("id", required=True)
    if len(event_id) > 255:
        raise MalformedEvent("event.id must be at most 255 characters")
    if not isinstance(body.get("data"), dict):
        raise MalformedEvent("event.data must be an object")
    if not isinstance(body["data"].get("object"), dict):
        raise MalformedEvent("event.data.object must be an object")
    return Event(
        id=event_id,
        type=event.text("type", required=True),
        created=event.whole("created", expected="a Unix timestamp"),
        account=event.text("account"),
        object=Fields(body["data"]["object"], "data.object"),
        payload=body,
    )
