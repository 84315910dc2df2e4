"""The local fake Stripe server. Endpoint handlers register on import: add yours here."""

from .server import FakeStripe, decode_form, sign_payload

__all__ = ["FakeStripe", "decode_form", "sign_payload"]
