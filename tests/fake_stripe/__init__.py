"""The local fake Stripe server. Endpoint handlers register on import: add yours here."""

from . import checkout as _checkout  # noqa: E402,F401  (Checkout Sessions for top-ups)
from . import connect as _connect  # noqa: E402,F401  (Connect accounts, links, transfers)
from .server import FakeStripe, decode_form, sign_payload

__all__ = ["FakeStripe", "decode_form", "sign_payload"]
