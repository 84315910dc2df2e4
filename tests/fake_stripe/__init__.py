"""The local fake Stripe server. Endpoint handlers register on import: add yours here."""

from tests.fake_stripe import balance as _balance  # noqa: F401  (balance transactions, payouts)
from tests.fake_stripe import cards as _cards  # noqa: F401  (Customers, setup, off-session)
from tests.fake_stripe import checkout as _checkout  # noqa: F401  (Checkout Sessions for top-ups)
from tests.fake_stripe import connect as _connect  # noqa: F401  (Connect accounts, links, transfers)
from tests.fake_stripe import refunds as _refunds  # noqa: F401  (refunds of top-ups)
from tests.fake_stripe.server import FakeStripe, decode_form, sign_payload

__all__ = ["FakeStripe", "decode_form", "sign_payload"]
